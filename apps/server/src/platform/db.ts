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

/** A running transaction: the drizzle builder and the raw executor share one connection. */
export interface Tx extends SqlExecutor {
  readonly db: Db;
}

export interface Database extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Applies the committed migrations; safe to run from several processes at once on PostgreSQL. */
  migrate(): Promise<void>;
  /** Names of migrations in the folder that this database has not applied. */
  pendingMigrations(): Promise<string[]>;
  close(): Promise<void>;
}

export class DataDirLockedError extends Error {}

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

async function openPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max });
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
      try {
        await client.query('BEGIN');
        const tx: Tx = { db: drizzlePg({ client }) as unknown as Db, ...viaClient(client) };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
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
    async close() {
      await pool.end();
    },
  };
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
  const client = new PGlite(pgdata);
  await client.waitReady;
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
      return client.transaction(async (t) => {
        const tx: Tx = {
          db: drizzlePglite({ client: t as unknown as PGlite }) as unknown as Db,
          ...viaPglite(t),
        };
        return fn(tx);
      });
    },
    async migrate() {
      await migratePglite(drizzlePglite({ client }), { migrationsFolder: MIGRATIONS_DIR });
    },
    async pendingMigrations() {
      return pendingFrom(await appliedMigrations(base));
    },
    async close() {
      await client.close();
      await release?.();
    },
  };
}
