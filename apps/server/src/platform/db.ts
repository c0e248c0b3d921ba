import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { prepareValue } from 'pg/lib/utils';
import lockfile from 'proper-lockfile';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export type Db = PgDatabase<PgQueryResultHKT>;
export type Row = Record<string, unknown>;

/** Hand-written SQL with $1… parameters. Used where SQL says it better than a builder, and by pg-boss. */
export interface SqlExecutor {
  query<R extends Row = Row>(text: string, params?: unknown[]): Promise<R[]>;
  /** Several statements without parameters (pg-boss sends some). */
  exec(text: string): Promise<Row[]>;
}

/**
 * Names of prepared statements, one per statement text, for the life of the process. The cache is
 * bounded: past the limit a statement runs unprepared, so a caller that builds texts from data
 * slows down instead of filling the server's memory.
 */
const MAX_PREPARED = 256;
const statementNames = new Map<string, string>();
function statementName(text: string): string | null {
  let name = statementNames.get(text);
  if (!name) {
    if (statementNames.size >= MAX_PREPARED) return null;
    name = `orderhub_s${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * One value as a quoted SQL literal, in the text form node-postgres would bind it in (arrays as
 * array literals, dates with their offset, objects as JSON), so the prepared statement's declared
 * parameter type reads it exactly as it reads a bound parameter.
 */
function literal(value: unknown): string {
  const v = prepareValue(value);
  if (v === null || v === undefined) return 'NULL';
  if (typeof v !== 'string') throw new TypeError('binary parameters cannot be inlined');
  return pg.escapeLiteral(v);
}

/** Values as a list of literals for `EXECUTE`, or null when one cannot be (binary). */
function literals(params: unknown[]): string | null {
  try {
    return params.map(literal).join(', ');
  } catch {
    return null;
  }
}

/**
 * The SQL-level prepared statements (`orderhub_d…`, for held-back writes) on each pooled
 * connection. `unsure` after a message that carried a PREPARE failed: until they are read back,
 * held-back writes on that connection are sent with their values written into the text.
 */
const preparedStatements = new WeakMap<pg.ClientBase, { ready: Set<string>; unsure: boolean }>();

function preparedOn(client: pg.ClientBase): { ready: Set<string>; unsure: boolean } {
  let s = preparedStatements.get(client);
  if (!s) {
    s = { ready: new Set(), unsure: false };
    preparedStatements.set(client, s);
  }
  return s;
}

/** After a rollback: reads back which held-back statements this connection has prepared. */
async function resyncPrepared(client: pg.ClientBase): Promise<void> {
  const s = preparedOn(client);
  if (!s.unsure) return;
  try {
    const rows = await client.query<{ name: string }>(
      `SELECT name FROM pg_prepared_statements WHERE name LIKE 'orderhub\\_d%'`,
    );
    s.ready = new Set(rows.rows.map((r) => r.name));
    s.unsure = false;
  } catch {
    // Left unsure: the connection goes on without them.
  }
}

/**
 * PGlite's API has no named statements: SQL PREPARE on the first use of the text (prepared
 * statements belong to the session and outlive a rollback), then one round trip that runs it with
 * its generic plan. Left to itself (`plan_cache_mode = auto`) the server may keep planning every
 * call, because a generic estimate (an array of unknown length, a quantity of unknown size) looks
 * dearer than a custom one; the setting is changed for this statement only, so other queries keep
 * their custom plans. EXECUTE takes no bound parameters, so the values go in as literals, in the
 * text form node-postgres would bind them in.
 */
async function pglitePrepared<R extends Row>(
  t: PGliteTransaction,
  preparedHere: Set<string>,
  text: string,
  params: unknown[],
): Promise<R[]> {
  const name = statementName(text);
  if (!name) return (await t.query<R>(text, params)).rows;
  if (!preparedHere.has(name)) {
    await t.exec(`PREPARE ${name} AS ${text}`);
    preparedHere.add(name);
  }
  const args = params.length ? `(${params.map(literal).join(', ')})` : '';
  const results = await t.exec(
    `SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE ${name}${args}; SET LOCAL plan_cache_mode TO DEFAULT`,
  );
  return results[1]!.rows as R[];
}

/** Anything that can read with both raw SQL and the drizzle builder: the database or a transaction. */
export type DbReader = SqlExecutor & { readonly db: Db };

/** A running transaction: the drizzle builder and the raw executor share one connection. */
export interface Tx extends SqlExecutor {
  readonly db: Db;
  /**
   * `query` for a statement on a hot path: prepared once per connection, so each call skips
   * parsing and, once the server keeps the generic plan (at once on PGlite, after five calls on
   * PostgreSQL), planning. `text` must be one of a few fixed shapes (it is the cache key, see
   * `statementName`); values still go in `params`. Only inside a transaction.
   */
  prepared<R extends Row = Row>(text: string, params: unknown[]): Promise<R[]>;
  /**
   * For writes whose answer the caller does not read (an audit row, a timeline entry, an outbox
   * job): on PostgreSQL the statement is held back and sent with the transaction's next one, in
   * the same round trip, its values written in as literals; its `query` answers no rows, and an
   * error in it surfaces from that next statement (or COMMIT), failing the transaction alike.
   * On PGlite, which has no round trips to save, it is the plain executor.
   */
  readonly deferred: SqlExecutor;
}

export interface Database extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Applies the committed migrations; safe to run from several processes at once on PostgreSQL. */
  migrate(): Promise<void>;
  /** Names of migrations in the folder that this database has not applied. */
  pendingMigrations(): Promise<string[]>;
  /**
   * What autovacuum does on PostgreSQL, for PGlite, which has none: ANALYZE the tables that
   * changed enough since their last statistics, VACUUM those with enough dead rows (the same
   * thresholds as autovacuum's defaults). Without statistics the planner guesses, and the plans
   * kept by prepared statements are not made again. A no-op on PostgreSQL.
   */
  maintain(): Promise<{ analyzed: string[]; vacuumed: string[] }>;
  /** Connections for /metrics: the pool's on PostgreSQL; PGlite is one connection, never idle-counted. */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export class DataDirLockedError extends Error {}

// autovacuum's default thresholds (autovacuum_analyze_threshold / _scale_factor and the vacuum pair).
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;
const VACUUM_BASE = 50;
const VACUUM_SCALE = 0.2;

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite data folder; `memory://` for a throw-away in-memory database (tests). */
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 20);
  return openPglite(opts.dataDir ?? './data');
}

async function pendingFrom(applied: Set<string>): Promise<string[]> {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries.filter((e) => !applied.has(String(e.when))).map((e) => e.tag);
}

const APPLIED_SQL = `SELECT created_at::text AS created_at FROM drizzle.__drizzle_migrations`;

async function appliedMigrations(exec: SqlExecutor): Promise<Set<string>> {
  const exists = await exec.query<{ t: string | null }>(
    `SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`,
  );
  if (!exists[0]?.t) return new Set();
  const rows = await exec.query<{ created_at: string }>(APPLIED_SQL);
  return new Set(rows.map((r) => r.created_at));
}

/**
 * int8 as a number, as PGlite reads it: stock counters and amounts are bigint columns kept below
 * 2^53. A value past 2^53 stays the exact string node-postgres gives (never a rounded number).
 */
const int8 = (v: string) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
};
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? int8
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

async function openPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max, types: pgTypes });
  pool.on('error', () => {
    // An idle client died (server restart); the pool replaces it. Queries in flight report their own error.
  });
  const viaClient = (c: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query<R extends Row>(text: string, params?: unknown[]) {
      return (await c.query(text, params as unknown[])).rows as R[];
    },
    async exec(text: string) {
      const r = (await c.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
      return Array.isArray(r) ? (r.at(-1)?.rows ?? []) : r.rows;
    },
  });
  const base = viaClient(pool);
  const db = drizzlePg({ client: pool }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    ...base,
    async tx(fn) {
      const client = await pool.connect();
      const run = pgTransaction(client);
      try {
        const result = await fn(run.tx);
        await run.commit();
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        await resyncPrepared(client);
        throw e;
      } finally {
        client.release();
      }
    },
    async migrate() {
      const client = await pool.connect();
      try {
        // One migrator at a time across processes; the others wait, then find nothing to do.
        await client.query('SELECT pg_advisory_lock(727274001)');
        await migratePg(drizzlePg({ client }), { migrationsFolder: MIGRATIONS_DIR });
      } finally {
        await client.query('SELECT pg_advisory_unlock(727274001)').catch(() => undefined);
        client.release();
      }
    },
    async pendingMigrations() {
      return pendingFrom(await appliedMigrations(base));
    },
    async maintain() {
      return { analyzed: [], vacuumed: [] };
    },
    poolStats() {
      return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
    async close() {
      await pool.end();
    },
  };
}

/** Whether `text` has a `$` in a quoted literal or identifier, a comment, or dollar quoting. */
function dollarOutsidePlaceholders(text: string): boolean {
  // Escape strings (E'…\'…') do not end where a plain literal would: not worth reading.
  if (/(^|[^A-Za-z0-9_])[eE]'/.test(text)) return true;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '$') return true;
      if (c === quote) quote = null; // a doubled quote closes and reopens: same answer
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '$' && !/[0-9]/.test(text[i + 1] ?? '')) return true;
    else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      if (text.slice(i, end === -1 ? undefined : end).includes('$')) return true;
    } else if (c === '/' && text[i + 1] === '*') return true;
  }
  return false;
}

/**
 * `text` with its $n parameters written in as literals, or null when that is not safe: a value
 * that cannot be (binary), or a `$` inside a quoted literal, dollar quoting or a comment.
 */
function inlined(text: string, params: unknown[] | undefined): string | null {
  if (!params?.length) return text;
  if (dollarOutsidePlaceholders(text)) return null;
  try {
    return text.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
  } catch {
    return null;
  }
}

/**
 * A PostgreSQL transaction on one pooled connection. Every statement is a round trip, and on a
 * busy machine the round trips, not the statements, are what an ingest waits on. So statements
 * whose answer nobody reads — BEGIN, and what goes through `tx.deferred` — are held back and sent
 * with the next statement in one simple-protocol message (their values written in as literals,
 * as node-postgres would bind them), or with COMMIT. Order is kept, so later statements see their
 * rows; an error in a held-back statement surfaces from the statement it was sent with, in the
 * same transaction, which then rolls back as a whole.
 *
 * A held-back statement with parameters is sent as `EXECUTE` of a statement prepared on this
 * connection (`PREPARE`, held back with it, on its first use there), its values as literals: the
 * server parses and plans its text once per connection instead of once per call. Planning them
 * was about a fifth of the database's time for a booked payment callback.
 */
function pgTransaction(client: pg.PoolClient): { tx: Tx; commit(): Promise<void> } {
  let held: string[] = ['BEGIN'];
  const known = preparedOn(client);
  /** SQL-level prepared statements in `held`, ready on the connection once it has been sent. */
  let preparing: string[] = [];
  /** Sends what is held, with `text` (one or more statements) last; returns the last result's rows. */
  const flush = async (text?: string): Promise<Row[]> => {
    const batch = text === undefined ? held : [...held, text];
    const names = preparing;
    held = [];
    preparing = [];
    let r: pg.QueryResult | pg.QueryResult[];
    try {
      // The `;` on a line of its own: a text may end in a `--` comment.
      r = (await client.query(batch.join('\n;\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
    } catch (e) {
      // Which of them ran before the error is not known (PREPARE outlives a rollback): read back.
      if (names.length) known.unsure = true;
      throw e;
    }
    for (const n of names) known.ready.add(n);
    return Array.isArray(r) ? (r.at(-1)?.rows ?? []) : r.rows;
  };
  const direct: SqlExecutor = {
    async query<R extends Row>(text: string, params?: unknown[]) {
      if (held.length) {
        const sql = inlined(text, params);
        if (sql !== null) return (await flush(sql)) as R[];
        await flush();
      }
      return (await client.query(text, params as unknown[])).rows as R[];
    },
    async exec(text: string) {
      if (held.length) return flush(text);
      const r = (await client.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
      return Array.isArray(r) ? (r.at(-1)?.rows ?? []) : r.rows;
    },
  };
  /** `EXECUTE` of `text` prepared on this connection, held `PREPARE` first on its first use. */
  const execute = (text: string, name: string, args: string): string => {
    const sqlName = name.replace('orderhub_s', 'orderhub_d');
    if (!known.ready.has(sqlName) && !preparing.includes(sqlName)) {
      held.push(`PREPARE ${sqlName} AS ${text}`);
      preparing.push(sqlName);
    }
    return `EXECUTE ${sqlName}(${args})`;
  };
  // node-postgres prepares a named statement once per connection (Parse, then only Bind and
  // Execute). On PostgreSQL the plan cache settles on the generic plan for these statements;
  // changing plan_cache_mode around them, as on PGlite, cost more under a hot row lock than it saved.
  const prepared = async (text: string, values: unknown[]) => {
    if (held.length) await flush();
    const name = statementName(text);
    return (name ? await client.query({ name, text, values }) : await client.query(text, values)).rows;
  };
  const deferred: SqlExecutor = {
    async query<R extends Row>(text: string, params?: unknown[]) {
      const name = params?.length && !known.unsure ? statementName(text) : null;
      const args = name ? literals(params!) : null;
      if (name && args) {
        held.push(execute(text, name, args));
        return [];
      }
      const sql = inlined(text, params);
      if (sql === null) return direct.query<R>(text, params);
      held.push(sql);
      return [];
    },
    async exec(text: string) {
      held.push(text);
      return [];
    },
  };
  // The builder sends through the client itself: what is held goes first.
  const viaBuilder = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver);
      return async (...args: unknown[]) => {
        if (held.length) await flush();
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  const tx = withLazyDb(direct, () => drizzlePg({ client: viaBuilder }) as unknown as Db, prepared, deferred);
  return {
    tx,
    async commit() {
      await (held.length ? flush('COMMIT') : client.query('COMMIT'));
    },
  };
}

const BYTEA_OID = 17;

/** A bytea parameter for PGlite: bytes as they are (binary format), anything else as text. */
function bytesAsBinary(v: unknown): Uint8Array | string {
  return v instanceof Uint8Array ? v : String(v);
}

/** A bytea result from PGlite (`\x` and hex digits) as bytes, as PGlite's own parser answers it. */
function bytesFromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
}

async function openPglite(dataDir: string): Promise<Database> {
  const memory = dataDir.startsWith('memory://');
  let release: (() => Promise<void>) | undefined;
  let pgdata: string | undefined;
  if (!memory) {
    fs.mkdirSync(dataDir, { recursive: true });
    // PGlite does not lock its folder, and a second writer corrupts it silently: lock it ourselves.
    try {
      release = await lockfile.lock(dataDir, {
        lockfilePath: path.join(dataDir, 'orderhub.lock'),
        stale: 15_000,
        update: 5_000,
        retries: 0,
        onCompromised: (err) => {
          console.error(
            `orderhub: lost the lock on ${dataDir}: ${err.message}; stopping to protect the data`,
          );
          process.exit(70);
        },
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new DataDirLockedError(
          `another orderhub process is using the data folder ${dataDir}; stop it first, or set ORDERHUB_DATA_DIR to another folder`,
        );
      }
      throw e;
    }
    pgdata = path.join(dataDir, 'pgdata');
  }
  const client = new PGlite({
    ...(pgdata ? { dataDir: pgdata } : {}),
    // PGlite writes a bytea parameter as hex text one byte at a time in JavaScript (over 10 ms per
    // 64 KiB); bytes handed over as they are go in PostgreSQL's binary format, copied once.
    serializers: { [BYTEA_OID]: bytesAsBinary as unknown as (v: unknown) => string },
    // And reads a bytea result (hex text) with a parseInt per byte: decoded natively here.
    parsers: { [BYTEA_OID]: bytesFromHex },
  });
  await client.waitReady;
  // A new 16 MB WAL segment is zero-filled first by default: on PGlite that is the server's thread
  // held 60–90 ms every 16 MB written (a large count sheet's upload and rows cross one every few
  // imports). The zeros only reserve disk space ahead (PostgreSQL's documentation: for file systems
  // where that helps); the WAL written, its checks and recovery are the same without them.
  await client.exec('SET wal_init_zero = off');
  // PGlite is one session: one set of prepared statements.
  const preparedHere = new Set<string>();
  const viaPglite = (c: PGlite | PGliteTransaction): SqlExecutor => ({
    async query<R extends Row>(text: string, params?: unknown[]) {
      return (await c.query<R>(text, params)).rows;
    },
    async exec(text: string) {
      const results = await c.exec(text);
      return (results.at(-1)?.rows ?? []) as Row[];
    },
  });
  const base = viaPglite(client);
  const db = drizzlePglite({ client }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    ...base,
    tx(fn) {
      // PGlite is one connection: its transaction() holds a mutex, so transactions run one at a time.
      return client.transaction(async (t) =>
        fn(
          withLazyDb(
            viaPglite(t),
            () => drizzlePglite({ client: t as unknown as PGlite }) as unknown as Db,
            (text, params) => pglitePrepared(t, preparedHere, text, params),
          ),
        ),
      );
    },
    async migrate() {
      await migratePglite(drizzlePglite({ client }), { migrationsFolder: MIGRATIONS_DIR });
    },
    async pendingMigrations() {
      return pendingFrom(await appliedMigrations(base));
    },
    async maintain() {
      // Single-user PGlite sends its table counters to the statistics views only when told to.
      await client.query('SELECT pg_stat_force_next_flush()');
      const due = await client.query<{ rel: string; analyze: boolean; vacuum: boolean }>(
        `SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname) AS rel,
           s.n_mod_since_analyze > ${ANALYZE_BASE} + ${ANALYZE_SCALE} * greatest(c.reltuples, 0) AS analyze,
           s.n_dead_tup > ${VACUUM_BASE} + ${VACUUM_SCALE} * greatest(c.reltuples, 0) AS vacuum
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
         ORDER BY s.schemaname, s.relname`,
      );
      const analyzed: string[] = [];
      const vacuumed: string[] = [];
      // One table per statement: other work runs in between on the single connection.
      for (const t of due.rows) {
        if (t.vacuum) {
          await client.exec(`VACUUM (ANALYZE) ${t.rel}`);
          vacuumed.push(t.rel);
          analyzed.push(t.rel);
        } else if (t.analyze) {
          await client.exec(`ANALYZE ${t.rel}`);
          analyzed.push(t.rel);
        }
      }
      return { analyzed, vacuumed };
    },
    poolStats() {
      return { total: 1, idle: 0, waiting: 0 };
    },
    async close() {
      await client.close();
      await release?.();
    },
  };
}

/**
 * A transaction on one connection. Its drizzle instance is made on first use (most transactions
 * only send SQL).
 */
function withLazyDb(
  exec: SqlExecutor,
  make: () => Db,
  prepared: (text: string, params: unknown[]) => Promise<Row[]>,
  deferred: SqlExecutor = exec,
): Tx {
  let db: Db | undefined;
  const tx = { ...exec, prepared, deferred };
  return Object.defineProperty(tx, 'db', {
    get: () => {
      db ??= make();
      return db;
    },
    enumerable: true,
  }) as Tx;
}
