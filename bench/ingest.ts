/**
 * Ingest throughput: the in-process flow (prepareIngest + ingestOrder), HTTP batches and HTTP single
 * posts, on PostgreSQL and on PGlite, each against a plain-SQL baseline measured in the same run that
 * writes the same rows through the same driver. The variants of one database run side by side, each
 * on its own fresh database, taking turns in rounds. Every database starts with the orders' SKUs in
 * the master and in stock (seeded through the catalog and inventory functions), so every variant
 * reserves each line: the baseline writes the reservation, the guarded stock update, the ledger row
 * and the push mark by hand, as the flow does.
 *
 * Then the outbox: a server with its workers on takes 16-way HTTP single posts for a while, and
 * `outbox_lag_s` is the time from the end of that ingest until the `order-events` queue has no job
 * created, retrying or active (capped; PostgreSQL only).
 *
 * Knobs (environment variables; nothing else is read):
 *   BENCH_QUICK=1          600 orders per variant on PostgreSQL, 200 on PGlite (under a minute)
 *   BENCH_SMOKE=1          tiny size, correctness only (npm run bench:smoke); PGlite runs only the
 *                          baseline and the in-process flow
 *   BENCH_DB=postgres      one database kind only (or pglite)
 *   BENCH_VARIANTS=a,b     some variants only (inprocess, http_batch, http_single; the baseline always runs)
 *   DATABASE_URL           PostgreSQL to use (the role needs CREATEDB: every variant gets its own
 *                          database, copied from a migrated template); unset: a throw-away cluster
 *                          is started with scripts/pg-cluster.mjs
 * Without BENCH_QUICK/BENCH_SMOKE: 20,000 orders of 3 lines per variant and database.
 *
 * The last output line is one JSON object with the figures; `ok` is true when every variant wrote
 * the rows expected (alike, none missing, no duplicates) and reserved every unit ordered.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { IngestOrderBody } from '@orderhub/contracts';
import pg from 'pg';
import { type App, buildApp } from '../apps/server/src/app.ts';
import { ingestOrder, prepareIngest } from '../apps/server/src/flows/ingest-order.ts';
import { createToken, createUser, resolveCredentials } from '../apps/server/src/modules/auth/index.ts';
import { createSku } from '../apps/server/src/modules/catalog/index.ts';
import {
  createWarehouse,
  DEFAULT_INVENTORY_SETTINGS,
  listWarehouses,
  receiveStock,
} from '../apps/server/src/modules/inventory/index.ts';
import { ORDER_EVENTS_QUEUE } from '../apps/server/src/modules/orders/index.ts';
import { type Actor, systemActor } from '../apps/server/src/platform/actor.ts';
import { type Config, loadConfig } from '../apps/server/src/platform/config.ts';
import { type Database, openDatabase } from '../apps/server/src/platform/db.ts';
import { newId } from '../apps/server/src/platform/ids.ts';
import { deadLetterOf } from '../apps/server/src/platform/jobs.ts';
import { startCluster } from '../scripts/pg-cluster.mjs';

const QUICK = process.env['BENCH_QUICK'] === '1';
const SMOKE = process.env['BENCH_SMOKE'] === '1';
const SIZE = SMOKE ? 'smoke' : QUICK ? 'quick' : 'full';
type Kind = 'pglite' | 'postgres';

/** Measured orders per variant, and untimed warm-up orders before them. */
const SIZES: Record<Kind, { orders: number; warmup: number }> = {
  smoke: { postgres: { orders: 100, warmup: 20 }, pglite: { orders: 50, warmup: 10 } },
  quick: { postgres: { orders: 600, warmup: 100 }, pglite: { orders: 200, warmup: 50 } },
  full: { postgres: { orders: 20_000, warmup: 1_000 }, pglite: { orders: 20_000, warmup: 1_000 } },
}[SIZE];
const LINES = 3;
/** Concurrent ingests on PostgreSQL (in-process, single posts and the baseline alike). */
const CONCURRENCY = 16;
const BATCH_SIZE = 500;
/** Batch requests in flight. PGlite runs one transaction at a time, so one batch at a time there. */
const BATCH_CONCURRENCY: Record<Kind, number> = { postgres: 2, pglite: 1 };
/**
 * Orders per variant per round: the variants take turns round by round, so that a noisy neighbour or
 * a slow minute weighs on all of them alike. A full round is one wave of batches; quick runs use
 * smaller rounds (and so smaller batches) to get several rounds out of few orders.
 */
const ROUND: Record<Kind, number> = {
  smoke: { postgres: 50, pglite: 25 },
  quick: { postgres: 150, pglite: 50 },
  full: { postgres: BATCH_SIZE * BATCH_CONCURRENCY.postgres, pglite: BATCH_SIZE * BATCH_CONCURRENCY.pglite },
}[SIZE];
const POOL_SIZE = CONCURRENCY + 4;
/** Issue 8's targets for the full run on PostgreSQL (reported; they do not make `ok` false). */
const TARGETS = { inprocess: 0.6, http_single: 0.45, http_batch: 0.6 } as const;
/**
 * The outbox phase: seconds of 16-way HTTP single posts to a server with workers on, and the
 * longest wait for the `order-events` backlog to drain before the lag is reported as capped.
 */
const OUTBOX = {
  smoke: { ingestS: 2, capS: 3, bodies: 400 },
  quick: { ingestS: 5, capS: 10, bodies: 2_000 },
  full: { ingestS: 60, capS: 120, bodies: 30_000 },
}[SIZE];

type Variant = 'baseline' | 'inprocess' | 'http_batch' | 'http_single';
const VARIANTS: Variant[] = ['baseline', 'inprocess', 'http_batch', 'http_single'];
const LABEL: Record<Variant, string> = {
  baseline: 'plain SQL baseline',
  inprocess: 'in-process flow',
  http_batch: 'HTTP POST /api/orders:batch',
  http_single: 'HTTP POST /api/orders',
};

const t0 = performance.now();
const log = (msg: string) =>
  process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}\n`);
const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

// Temporary folders go with the process, and an interrupted run still stops its cluster (whose
// clean-up runs on 'exit', which a signal alone would skip).
const scratch: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
process.once('exit', () => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

// ---------------------------------------------------------------------------------------------
// Round-trips: every statement node-postgres sends goes through Client#query (pool.query too).

let pgQueries = 0;
const clientQuery = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  pgQueries++;
  return clientQuery.apply(this, args);
} as typeof pg.Client.prototype.query;

// ---------------------------------------------------------------------------------------------
// Orders: a web shop's paid order with three mapped lines, unique per run and index.

const PRODUCTS = [
  { sku: 'TEA-SET-01', title: '青瓷茶具套装 六杯一壶', price: 16800 },
  { sku: 'CUP-02', title: '手绘玻璃杯 350ml', price: 2900 },
  { sku: 'TRAY-03', title: '竹制茶盘 长方形', price: 8800 },
  { sku: 'LEAF-04', title: '西湖龙井 明前特级 100g', price: 26800 },
  { sku: 'PET-05', title: '紫砂茶宠 小金蟾', price: 3900 },
];
/** The SKU master: 20 variants of each product, all in stock in one warehouse. */
const VARIANTS_PER_PRODUCT = 20;
const SKUS = PRODUCTS.flatMap((p) =>
  Array.from({ length: VARIANTS_PER_PRODUCT }, (_, v) => ({
    ...p,
    sku: `${p.sku}-V${String(v + 1).padStart(2, '0')}`,
  })),
);
/** Units received per SKU before any order: more than a full run orders, so every line is reserved. */
const STOCK_PER_SKU = 1_000_000;
const WAREHOUSE = 'WH-BENCH';

function makeOrder(tag: string, i: number): IngestOrderBody {
  const lines = Array.from({ length: LINES }, (_, k) => {
    // Three different SKUs, neighbouring orders on different ones (as a shop's orders spread).
    const s = SKUS[(i * LINES + k) % SKUS.length]!;
    return {
      externalLineId: `${tag}-${i}-${k + 1}`,
      channelSku: `${s.sku}-CH`,
      sku: s.sku,
      title: s.title,
      quantity: 1 + ((i + k) % 3),
      unitPrice: s.price,
    };
  });
  const goods = lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0);
  const placed = Date.UTC(2026, 0, 9) + i * 1_000;
  return {
    channelAccount: 'default',
    externalOrderId: `${tag}-${String(i).padStart(6, '0')}`,
    currency: 'CNY',
    placedAt: new Date(placed).toISOString(),
    paidAt: new Date(placed + 45_000).toISOString(),
    buyer: { id: `buyer-${i % 5000}`, nick: `茶友${i % 5000}` },
    receiver: {
      name: '李四',
      phone: `138${String(10_000_000 + (i % 89_999_999)).padStart(8, '0')}`,
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      detail: `文三路 ${100 + (i % 900)} 号 ${1 + (i % 30)} 幢 ${101 + (i % 20)} 室`,
      postalCode: '310012',
    },
    lines,
    shippingFee: 1000,
    discount: 500,
    total: goods + 1000 - 500,
    buyerRemark: '请用顺丰发货，谢谢',
    tags: ['web'],
  };
}

// ---------------------------------------------------------------------------------------------
// Databases: a fresh one per variant, so every variant starts from the same tables: no orders, the
// SKU master and its stock.

/** The warehouse, the SKUs and their stock, through the catalog and inventory use cases. */
async function seedStock(app: App, database: Database): Promise<void> {
  await database.query(ORDER_NO_SEQUENCE_SQL);
  const at = new Date();
  const actor = systemActor('bench', 'cli');
  const deps = { jobs: app.deps.jobs, inventory: DEFAULT_INVENTORY_SETTINGS };
  await database.tx(async (tx) => {
    await createWarehouse(tx, at, actor, { code: WAREHOUSE, name: '杭州仓', priority: 10 });
    for (const s of SKUS) await createSku(tx, at, actor, { code: s.sku, name: s.title });
    await receiveStock(
      { tx, deps, at, actor },
      {
        warehouse: WAREHOUSE,
        lines: SKUS.map((s) => ({ sku: s.sku, quantity: STOCK_PER_SKU })),
        reference: 'BENCH-OPENING',
      },
    );
  });
}

interface Env {
  kind: Kind;
  /** A migrated, empty database of this kind. */
  fresh(): Promise<{ database: Database; drop(): Promise<void> }>;
  checkpoint(): Promise<void>;
  /** CPU time (ms) the database server has used so far, when it is ours to see (a cluster we started). */
  serverCpuMs(): number | null;
  close(): Promise<void>;
}

/** One key per run: copies of the template database hold data sealed under it. */
const BENCH_MASTER_KEY = randomBytes(32).toString('base64');

function benchConfig(dataDir: string, workers = false): Config {
  return loadConfig(
    {
      ORDERHUB_MASTER_KEY: BENCH_MASTER_KEY,
      ORDERHUB_ADMIN_PASSWORD: 'bench-admin-password',
      ORDERHUB_DATA_DIR: dataDir,
      // Request logging is off: the figures are about ingest, not about writing log lines.
      LOG_LEVEL: 'silent',
      // Jobs stay in the queue during the measured rounds: nothing consumes them. The outbox
      // phase runs a server with its workers on.
      ORDERHUB_WORKERS: workers ? 'true' : 'false',
    },
    {},
  );
}

async function pgliteEnv(): Promise<Env> {
  const root = tempDir('orderhub-bench-pglite-');
  const template = path.join(root, 'template');
  {
    // Migrated once (schema, pg-boss, default account, admin); every variant starts from a copy.
    const database = await openDatabase({ dataDir: template });
    const app = await buildApp(benchConfig(root), { database });
    await seedStock(app, database);
    await app.close();
    await database.close();
  }
  let seq = 0;
  return {
    kind: 'pglite',
    async fresh() {
      const dir = path.join(root, `db${++seq}`);
      fs.cpSync(template, dir, { recursive: true });
      const database = await openDatabase({ dataDir: dir });
      return {
        database,
        async drop() {
          await database.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    async checkpoint() {},
    // PGlite runs inside this process: its CPU is in the process's own figure.
    serverCpuMs: () => null,
    async close() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** User + system CPU of a process and its live children (the postmaster and its backends), from /proc. */
function processTreeCpuMs(root: number): number | null {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let ticks = 0;
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // gone in between
      }
      // Fields after the command name: state ppid … utime(12th) stime(13th) cutime cstime.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) !== root && Number(f[1]) !== root) continue;
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    }
  } catch {
    return null; // no /proc here
  }
  return ticks * tick;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function postgresEnv(): Promise<Env> {
  let url = process.env['DATABASE_URL'];
  let stopCluster: (() => Promise<void>) | undefined;
  let postmaster: number | undefined;
  if (!url) {
    log('starting a throw-away PostgreSQL cluster (scripts/pg-cluster.mjs)');
    const cluster = await startCluster();
    url = cluster.url;
    stopCluster = cluster.stop;
    postmaster = Number(
      fs.readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const template = `orderhub_bench_tpl_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  {
    // The template holds the migrations, pg-boss's schema and queues, the default account and admin.
    const database = await openDatabase({ databaseUrl: withDatabase(url, template), poolSize: 2 });
    const app = await buildApp(benchConfig(os.tmpdir()), { database, migrate: true });
    await seedStock(app, database);
    await app.close();
    await database.close();
  }
  let seq = 0;
  return {
    kind: 'postgres',
    async fresh() {
      const name = `orderhub_bench_${process.pid}_${++seq}`;
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      const database = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: POOL_SIZE });
      return {
        database,
        async drop() {
          await database.close();
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        },
      };
    },
    async checkpoint() {
      await admin.query('CHECKPOINT');
    },
    serverCpuMs: () => (postmaster ? processTreeCpuMs(postmaster) : null),
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      await stopCluster?.();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One run: a fresh database, the real app on it, a user with an API token.

interface Run {
  app: App;
  database: Database;
  token: string;
  actor: Actor;
  accountId: string;
  /** The seeded warehouse, where the baseline reserves. */
  warehouseId: string;
  warehouseCode: string;
  warehouseName: string;
  drop(): Promise<void>;
}

async function startRun(env: Env): Promise<Run> {
  const { database, drop } = await env.fresh();
  const dataDir = tempDir('orderhub-bench-data-');
  const app = await buildApp(benchConfig(dataDir), { database, migrate: env.kind === 'pglite' });
  const now = new Date();
  const cli = systemActor('bench', 'cli');
  const token = await database.tx(async (tx) => {
    await createUser(tx, now, cli, {
      username: 'bench-importer',
      role: 'operations',
      password: 'bench-pw-12345',
    });
    return (await createToken(tx, now, cli, { name: 'bench', username: 'bench-importer' })).token;
  });
  // The in-process flow and the baseline act as the same token the HTTP runs send.
  const actor = await resolveCredentials(database, now, {
    bearer: token,
    ip: '127.0.0.1',
    userAgent: 'node',
  });
  if (!actor) throw new Error('the bench token does not resolve');
  const account = await database.query<{ id: string }>(
    `SELECT id FROM channel_accounts WHERE code = 'default'`,
  );
  const warehouse = (await listWarehouses(database)).find((w) => w.code === WAREHOUSE);
  if (!warehouse) throw new Error(`the template holds no warehouse ${WAREHOUSE}`);
  await env.checkpoint();
  return {
    app,
    database,
    token,
    actor,
    accountId: account[0]!.id,
    warehouseId: warehouse.id,
    warehouseCode: warehouse.code,
    warehouseName: warehouse.name,
    async drop() {
      await app.close();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn(0..n-1)` with at most `lanes` in flight. */
async function inLanes(n: number, lanes: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, n) }, lane));
}

// ---------------------------------------------------------------------------------------------
// The variants. Each gets its orders already built (not timed) and returns when all are stored.

interface Driver<P = IngestOrderBody[]> {
  /** Untimed: turns the orders into what the driver sends. */
  prepare(orders: IngestOrderBody[]): P;
  drive(run: Run, prepared: P, concurrency: number): Promise<void>;
}

const asIs = (orders: IngestOrderBody[]) => orders;

const inProcess: Driver = {
  prepare: asIs,
  drive: async (run, orders, concurrency) => {
    const { deps } = run.app;
    await inLanes(orders.length, concurrency, async (i) => {
      const body = orders[i]!;
      const canonical = prepareIngest(deps, body, body);
      const res = await deps.database.tx((tx) =>
        ingestOrder(
          tx,
          deps as Parameters<typeof ingestOrder>[1],
          deps.clock.now(),
          run.actor,
          body.channelAccount,
          canonical,
        ),
      );
      if (res.outcome !== 'created') throw new Error(`expected created, got ${res.outcome}`);
    });
  },
};

const ORDER_SQL = `INSERT INTO orders (id, channel_account_id, external_order_id, status, version, source_version,
  content_hash, currency, goods_amount, shipping_fee, discount, tax, total, placed_at, placed_at_raw, paid_at,
  paid_at_raw, buyer_id, buyer_nick, receiver_name_enc, receiver_phone_enc, receiver_phone_idx, receiver_country,
  receiver_province, receiver_city, receiver_district, receiver_detail_enc, receiver_postal_code,
  receiver_platform_ref, buyer_remark, seller_remark, tags, line_count, created_at, updated_at, order_no,
  receiver_phone_last4_idx, receiver_name_idx)
  VALUES ($1,$2,$3,$4,1,$5,$6,$7,$8,$9,$10,$11,$12,$13,NULL,$14,NULL,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,
  NULL,$26,NULL,$27,$28,$29,$29,$30::text || lpad(nextval('bench_order_no')::text, 5, '0'),$31,$32)`;
/**
 * The baseline's order numbers (系统单号: prefix, local date, daily sequence) come from a plain
 * sequence, as a hand-written ingest would number them; created in the template, unused by the app.
 */
const ORDER_NO_SEQUENCE_SQL = 'CREATE SEQUENCE IF NOT EXISTS bench_order_no';
/** `OH` + the local date (yymmdd) in the configured time zone. */
function orderNoStem(at: Date, tz: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: '2-digit', month: '2-digit', day: '2-digit' })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `OH${p['year']}${p['month']}${p['day']}`;
}
const LINES_SQL = `INSERT INTO order_lines (id, order_id, line_no, external_line_id, channel_sku, sku, title, quantity,
  unit_price, discount, status) VALUES ${Array.from({ length: LINES }, (_, k) => {
    const p = k * 10;
    return `($${p + 1},$${p + 2},$${p + 3},$${p + 4},$${p + 5},$${p + 6},$${p + 7},$${p + 8},$${p + 9},$${p + 10},'open')`;
  }).join(',')}`;
const RAW_SQL = `INSERT INTO order_raw_payloads (id, order_id, source_version, content_hash, received_at, payload_enc)
  VALUES ($1,$2,$3,$4,$5,$6)`;
const TIMELINE_SQL = `INSERT INTO order_timeline (id, order_id, at, event, from_status, to_status, actor_type,
  actor_id, actor_name, ip, source, reason_code, note, details) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,NULL,NULL,$12)`;
const AUDIT_SQL = `INSERT INTO audit_log (id, at, actor_type, actor_id, actor_name, ip, user_agent, action,
  entity_type, entity_id, summary) VALUES ($1,$2,$3,$4,$5,$6,$7,'order.ingest','order',$8,$9)`;
// The queue's settings as startJobs declares them (retry 8, delay 5 s with backoff, expiry 300 s).
const JOB_SQL = `INSERT INTO pgboss.job (id, name, data, priority, start_after, dead_letter, expire_in, keep_until,
  retry_limit, retry_delay, retry_backoff, policy)
  VALUES (gen_random_uuid(), $1, $2, 0, now(), $3, interval '300 seconds', now() + interval '14 days', 8, 5, true, 'standard')`;

/**
 * A line's reservation as a hand-written ingest would write it in one statement: the guarded
 * update of the counters (never below zero available), the ledger row, the reservation and the
 * channel push mark, the same rows the flow writes. Prepared, as the flow's reservation statement is.
 */
const RESERVE_SQL = `WITH upd AS (
    UPDATE stock_levels SET reserved = reserved + $3::int, updated_at = $4::timestamptz
    WHERE sku = $1 AND warehouse_id = $2 AND on_hand - reserved - frozen >= $3::int
    RETURNING sku, warehouse_id
  ), mv AS (
    INSERT INTO stock_movements (id, at, type, sku, warehouse_id, on_hand, reserved, frozen, in_transit,
      reason_code, actor_type, actor_id, actor_name, source_type, source_id, note)
    SELECT $5, $4::timestamptz, 'reserve', sku, warehouse_id, 0, $3::int, 0, 0, 'ORDER', $6, $7, $8, 'order', $9, NULL FROM upd
  ), mark AS (
    INSERT INTO stock_push_marks (sku, marked_at) SELECT sku, $4::timestamptz FROM upd ON CONFLICT (sku) DO NOTHING
  )
  INSERT INTO reservations (id, order_id, checkout_account, checkout_ref, line_no, sku, warehouse_id,
    quantity, original, consumed, reason, status, expires_at, created_at, updated_at)
  SELECT $10, $9, NULL, NULL, $11::int, sku, warehouse_id, $3::int, $3::int, 0, 'order', 'active', NULL,
    $4::timestamptz, $4::timestamptz FROM upd
  RETURNING 1`;

/**
 * What a hand-written ingest would do at the least: seal the personal data and the raw payload,
 * hash the content, then write the same rows in one transaction — no look-ups, no ORM, no queue library.
 */
const baseline: Driver = {
  prepare: asIs,
  drive: async (run, orders, concurrency) => {
    const { crypto } = run.app.deps;
    const { actor, accountId } = run;
    const actorName = actor.tokenId ? `${actor.name} (token ${actor.tokenId})` : actor.name;
    await inLanes(orders.length, concurrency, async (i) => {
      const o = orders[i]!;
      const at = new Date();
      const id = newId('order');
      const json = JSON.stringify(o);
      const contentHash = createHash('sha256').update(json).digest('base64url');
      const r = o.receiver!;
      const phone = `+86${r.phone}`;
      const goods = o.lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0);
      // The order's discount spread over the lines by amount, the rest on the last line.
      const discount = o.discount ?? 0;
      let spread = 0;
      const lineParams = o.lines.flatMap((l, k) => {
        const share =
          k === o.lines.length - 1
            ? discount - spread
            : Math.floor((discount * l.quantity * l.unitPrice) / goods);
        spread += share;
        return [
          newId('orderLine'),
          id,
          k + 1,
          l.externalLineId ?? null,
          l.channelSku,
          l.sku ?? null,
          l.title ?? null,
          l.quantity,
          l.unitPrice,
          share,
        ];
      });
      const placedAt = new Date(o.placedAt);
      const orderParams = [
        id,
        accountId,
        o.externalOrderId,
        'paid',
        placedAt,
        contentHash,
        o.currency,
        goods,
        o.shippingFee ?? 0,
        discount,
        o.tax ?? 0,
        o.total,
        placedAt,
        new Date(o.paidAt!),
        o.buyer?.id ?? null,
        o.buyer?.nick ?? null,
        crypto.encrypt(r.name!),
        crypto.encrypt(phone),
        crypto.blindIndex('receiver_phone', phone),
        'CN',
        r.province ?? null,
        r.city ?? null,
        r.district ?? null,
        crypto.encrypt(r.detail!),
        r.postalCode ?? null,
        o.buyerRemark ?? null,
        o.tags ?? [],
        o.lines.length,
        at,
        orderNoStem(at, run.app.deps.config.tzDefault),
        // The search hashes (phone's last four, normalised name), as the flow keys them.
        crypto.blindIndex('receiver_phone_last4', phone.slice(-4)),
        crypto.blindIndex('receiver_name', r.name!.normalize('NFKC').toLowerCase().replace(/\s+/g, '')),
      ];
      const rawEnc = crypto.encrypt(json);
      // One reservation per SKU, in SKU order (as the flow takes its row locks, so no deadlock).
      const need = new Map<string, { quantity: number; lineNo: number }>();
      o.lines.forEach((l, k) => {
        const cur = need.get(l.sku!);
        need.set(l.sku!, { quantity: (cur?.quantity ?? 0) + l.quantity, lineNo: cur?.lineNo ?? k + 1 });
      });
      const reservations = [...need].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      await run.database.tx(async (tx) => {
        await tx.query(ORDER_SQL, orderParams);
        await tx.query(LINES_SQL, lineParams);
        await tx.query(RAW_SQL, [newId('rawPayload'), id, placedAt, contentHash, at, rawEnc]);
        // The flow's `created` entry, and after the reservations its `stock` entry.
        const timeline = (event: string, from: string | null, details: unknown) =>
          tx.query(TIMELINE_SQL, [
            newId('timeline'),
            id,
            at,
            event,
            from,
            'paid',
            actor.type,
            actor.id,
            actorName,
            actor.ip,
            actor.source,
            JSON.stringify(details),
          ]);
        await timeline('created', null, {
          externalOrderId: o.externalOrderId,
          total: o.total,
          currency: o.currency,
          lines: LINES,
        });
        await tx.query(AUDIT_SQL, [
          newId('audit'),
          at,
          actor.type,
          actor.id,
          actorName,
          actor.ip,
          actor.userAgent,
          id,
          JSON.stringify({
            outcome: 'created',
            channelAccount: o.channelAccount,
            externalOrderId: o.externalOrderId,
            status: 'paid',
          }),
        ]);
        await tx.query(JOB_SQL, [
          ORDER_EVENTS_QUEUE,
          JSON.stringify({
            type: 'order.created',
            orderId: id,
            version: 1,
            status: 'paid',
            at: at.toISOString(),
          }),
          deadLetterOf(ORDER_EVENTS_QUEUE),
        ]);
        for (const [sku, { quantity, lineNo }] of reservations) {
          const taken = await tx.prepared(RESERVE_SQL, [
            sku,
            run.warehouseId,
            quantity,
            at,
            newId('movement'),
            actor.type,
            actor.id,
            actorName,
            id,
            newId('reservation'),
            lineNo,
          ]);
          if (taken.length !== 1) throw new Error(`baseline: no stock for ${sku}`);
        }
        await timeline('stock', 'paid', {
          action: 'reserved',
          items: reservations.map(([sku, { quantity }]) => ({
            sku,
            quantity,
            warehouse: { code: run.warehouseCode, name: run.warehouseName },
          })),
        });
      });
    });
  },
};

// The HTTP client runs in a worker thread, so the server's event loop carries only the server.
const CLIENT_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async ({ url, token, bodies, concurrency, expectStatus, created, untilMs }) => {
  let next = 0;
  const errors = [];
  const started = performance.now();
  const lane = async () => {
    while (next < bodies.length && errors.length === 0 && !(untilMs && performance.now() - started > untilMs)) {
      const i = next++;
      const body = bodies[i];
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      if (res.status !== expectStatus) errors.push(res.status + ' ' + text.slice(0, 500));
      else if (created && JSON.parse(text).created !== created[i]) errors.push('not all created: ' + text.slice(0, 500));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, lane));
  parentPort.postMessage({ ms: performance.now() - started, errors, sent: next });
});
`;

let client: Worker | undefined;

function httpClient(): Worker {
  client ??= new Worker(CLIENT_SOURCE, { eval: true });
  return client;
}

/** Posts `bodies` from the client thread; `created` (batches) is the count each answer must report. */
function post(
  url: string,
  token: string,
  bodies: string[],
  concurrency: number,
  expectStatus: number,
  created?: number[],
  untilMs?: number,
): Promise<number> {
  const worker = httpClient();
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      worker.off('message', onMessage);
      reject(e);
    };
    const onMessage = (m: { errors: string[]; sent: number }) => {
      worker.off('error', onError);
      if (m.errors.length) reject(new Error(`HTTP ingest failed: ${m.errors[0]}`));
      else resolve(m.sent);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ url, token, bodies, concurrency, expectStatus, created, untilMs });
  });
}

async function listen(run: Pick<Run, 'app'>): Promise<string> {
  if (!run.app.http.server.listening) await run.app.http.listen({ host: '127.0.0.1', port: 0 });
  const { port } = run.app.http.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

// Request bodies are serialised before the clock starts, as a client would have them ready.
const httpSingle: Driver<string[]> = {
  prepare: (orders) => orders.map((o) => JSON.stringify(o)),
  async drive(run, bodies, concurrency) {
    const base = await listen(run);
    await post(`${base}/api/orders`, run.token, bodies, concurrency, 201);
  },
};

const httpBatch: Driver<{ bodies: string[]; created: number[] }> = {
  prepare(orders) {
    const bodies: string[] = [];
    const created: number[] = [];
    for (let i = 0; i < orders.length; i += BATCH_SIZE) {
      const batch = orders.slice(i, i + BATCH_SIZE);
      bodies.push(JSON.stringify({ orders: batch }));
      created.push(batch.length);
    }
    return { bodies, created };
  },
  async drive(run, { bodies, created }, concurrency) {
    const base = await listen(run);
    await post(`${base}/api/orders:batch`, run.token, bodies, concurrency, 200, created);
  },
};

// ---------------------------------------------------------------------------------------------

interface Result {
  kind: Kind;
  variant: Variant;
  concurrency: number;
  /** Orders per batch request (batch variant). */
  batchSize: number | null;
  ordersPerSecond: number;
  /** Time per round, in ms; ratios are taken round by round against the baseline's. */
  roundMs: number[];
  /** Process CPU (all threads) per order, in ms: the server's share shows against the baseline's. */
  cpuMsPerOrder: number;
  /** The PostgreSQL server's CPU per order, in ms (only for a cluster the bench started). */
  serverCpuMsPerOrder: number | null;
  /** Statements sent to PostgreSQL per order (node-postgres only). */
  queriesPerOrder: number | null;
  rows: RowCheck;
  /** Empty when the variant wrote what it should (see rowProblems). */
  problems: string[];
}

interface RowCheck {
  orders: number;
  lines: number;
  raw: number;
  timeline: number;
  audit: number;
  jobs: number;
  /** Active reservations, ledger rows of type reserve, and the units they hold. */
  reservations: number;
  movements: number;
  reservedUnits: number;
  /** Units the orders' lines ask for, and the stock levels' reserved counters added up. */
  orderedUnits: number;
  levelReserved: number;
  /** Orders held (e.g. OUT_OF_STOCK, SKU_UNMAPPED): none is expected, every line is in stock. */
  held: number;
  /** Orders stored more than once under one (account, external id). */
  duplicates: number;
  /** Levels whose available went below zero. */
  oversoldLevels: number;
  /** Average stored bytes of an order row and of a raw payload: the runs must write alike. */
  orderBytes: number;
  rawBytes: number;
}

async function countRows(db: Database): Promise<RowCheck> {
  const [r] = await db.query<Record<string, string | number>>(`SELECT
    (SELECT count(*) FROM orders) AS orders,
    (SELECT count(*) FROM order_lines) AS lines,
    (SELECT count(*) FROM order_raw_payloads) AS raw,
    (SELECT count(*) FROM order_timeline) AS timeline,
    (SELECT count(*) FROM audit_log WHERE action = 'order.ingest') AS audit,
    (SELECT count(*) FROM pgboss.job WHERE name = '${ORDER_EVENTS_QUEUE}') AS jobs,
    (SELECT count(*) FROM reservations WHERE status = 'active' AND order_id IS NOT NULL) AS reservations,
    (SELECT count(*) FROM stock_movements WHERE type = 'reserve') AS movements,
    (SELECT coalesce(sum(quantity), 0) FROM reservations WHERE status = 'active' AND order_id IS NOT NULL) AS reserved_units,
    (SELECT coalesce(sum(quantity), 0) FROM order_lines) AS ordered_units,
    (SELECT coalesce(sum(reserved), 0) FROM stock_levels) AS level_reserved,
    (SELECT count(*) FROM orders WHERE status = 'on_hold' OR hold_reason IS NOT NULL) AS held,
    (SELECT count(*) - count(DISTINCT (channel_account_id, external_order_id)) FROM orders) AS duplicates,
    (SELECT count(*) FROM stock_levels WHERE on_hand - reserved - frozen < 0) AS oversold_levels,
    (SELECT round(avg(pg_column_size(o.*))) FROM orders o) AS order_bytes,
    (SELECT round(avg(length(payload_enc))) FROM order_raw_payloads) AS raw_bytes`);
  const n = (k: string) => Number(r![k]);
  return {
    orders: n('orders'),
    lines: n('lines'),
    raw: n('raw'),
    timeline: n('timeline'),
    audit: n('audit'),
    jobs: n('jobs'),
    reservations: n('reservations'),
    movements: n('movements'),
    reservedUnits: n('reserved_units'),
    orderedUnits: n('ordered_units'),
    levelReserved: n('level_reserved'),
    held: n('held'),
    duplicates: n('duplicates'),
    oversoldLevels: n('oversold_levels'),
    orderBytes: n('order_bytes'),
    rawBytes: n('raw_bytes'),
  };
}

/**
 * What is wrong with a variant's rows: missing or extra rows against what `expected` orders must
 * write (each line of a distinct SKU, all in stock), units not reserved, holds, duplicates, and
 * counts that differ from the baseline's.
 */
function rowProblems(rows: RowCheck, expected: number, base: RowCheck | undefined): string[] {
  const problems: string[] = [];
  const want: [keyof RowCheck, number][] = [
    ['orders', expected],
    ['lines', expected * LINES],
    ['raw', expected],
    ['audit', expected],
    ['jobs', expected],
    ['reservations', expected * LINES],
    ['movements', expected * LINES],
  ];
  for (const [k, n] of want) if (rows[k] !== n) problems.push(`${k} ${rows[k]} (expected ${n})`);
  if (rows.timeline < expected) problems.push(`timeline ${rows.timeline} (expected ≥ ${expected})`);
  if (rows.reservedUnits !== rows.orderedUnits || rows.levelReserved !== rows.orderedUnits)
    problems.push(
      `units ordered ${rows.orderedUnits}, reserved ${rows.reservedUnits}, on the levels ${rows.levelReserved}`,
    );
  if (rows.held) problems.push(`${rows.held} order(s) held`);
  if (rows.duplicates) problems.push(`${rows.duplicates} duplicate order(s)`);
  if (rows.oversoldLevels) problems.push(`${rows.oversoldLevels} level(s) below zero available`);
  if (base) {
    for (const k of ['timeline', 'reservations', 'movements'] as const)
      if (rows[k] !== base[k]) problems.push(`${k} ${rows[k]} against the baseline's ${base[k]}`);
    if (Math.abs(rows.rawBytes - base.rawBytes) > 2 || Math.abs(rows.orderBytes - base.orderBytes) > 8)
      problems.push(
        `row sizes ${rows.orderBytes}/${rows.rawBytes} B against the baseline's ${base.orderBytes}/${base.rawBytes} B`,
      );
  }
  return problems;
}

// Each driver prepares its own kind of payload.
const DRIVERS: Record<Variant, Driver<any>> = {
  baseline,
  inprocess: inProcess,
  http_batch: httpBatch,
  http_single: httpSingle,
};

function concurrencyOf(kind: Kind, variant: Variant): number {
  if (variant === 'http_batch') return BATCH_CONCURRENCY[kind];
  if (variant === 'http_single') return CONCURRENCY;
  // PGlite is one connection: transactions run one after another whatever we ask.
  return kind === 'pglite' ? 1 : CONCURRENCY;
}

/**
 * All variants of one database kind side by side, each on its own fresh database, measured in
 * interleaved rounds (the order rotating every round): a noisy neighbour or a slow minute then
 * weighs on every variant alike instead of on whichever happened to run at the time.
 */
async function measureKind(env: Env, variants: Variant[]): Promise<Result[]> {
  const runs: Run[] = [];
  const size = SIZES[env.kind];
  const round = ROUND[env.kind];
  const rounds = size.orders / round;
  const batchSize = Math.min(BATCH_SIZE, round);
  try {
    for (const _ of variants) runs.push(await startRun(env));
    const lanes = variants.map((variant, v) => {
      const tag = `${env.kind === 'pglite' ? 'L' : 'P'}${v}${randomBytes(3).toString('hex')}`;
      return {
        variant,
        run: runs[v]!,
        driver: DRIVERS[variant],
        // A round smaller than a wave of batches (quick runs) sends fewer batches at once.
        concurrency:
          variant === 'http_batch'
            ? Math.min(concurrencyOf(env.kind, variant), round / batchSize)
            : concurrencyOf(env.kind, variant),
        warm: Array.from({ length: size.warmup }, (_, i) => makeOrder(`${tag}W`, i)),
        // One prepared payload per round.
        rounds: Array.from({ length: rounds }, (_, r) =>
          DRIVERS[variant].prepare(Array.from({ length: round }, (_, i) => makeOrder(tag, r * round + i))),
        ),
        roundMs: [] as number[],
        cpuUs: 0,
        serverMs: 0,
        queries: 0,
      };
    });
    log(`${env.kind}: ${lanes.length} fresh databases and apps ready; warming up`);
    for (const l of lanes) await l.driver.drive(l.run, l.driver.prepare(l.warm), l.concurrency);
    await env.checkpoint();
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < lanes.length; k++) {
        const l = lanes[(r + k) % lanes.length]!;
        const q0 = pgQueries;
        const c0 = process.cpuUsage();
        const s0 = env.serverCpuMs();
        const start = performance.now();
        await l.driver.drive(l.run, l.rounds[r], l.concurrency);
        l.roundMs[r] = performance.now() - start;
        const c = process.cpuUsage(c0);
        l.cpuUs += c.user + c.system;
        if (s0 !== null) l.serverMs += env.serverCpuMs()! - s0;
        l.queries += pgQueries - q0;
      }
      log(`${env.kind}: round ${r + 1}/${rounds} done`);
    }
    const results: Result[] = [];
    const expected = size.warmup + size.orders;
    const counted = await Promise.all(lanes.map((l) => countRows(l.run.database)));
    const base = counted[lanes.findIndex((l) => l.variant === 'baseline')];
    for (const [i, l] of lanes.entries()) {
      const rows = counted[i]!;
      const problems = rowProblems(rows, expected, l.variant === 'baseline' ? undefined : base);
      if (problems.length) log(`${env.kind} ${l.variant}: ${problems.join('; ')}`);
      results.push({
        kind: env.kind,
        variant: l.variant,
        concurrency: l.concurrency,
        batchSize: l.variant === 'http_batch' ? batchSize : null,
        ordersPerSecond: size.orders / (l.roundMs.reduce((a, b) => a + b, 0) / 1000),
        roundMs: l.roundMs,
        cpuMsPerOrder: l.cpuUs / 1000 / size.orders,
        serverCpuMsPerOrder: env.serverCpuMs() === null ? null : l.serverMs / size.orders,
        queriesPerOrder: env.kind === 'postgres' ? l.queries / size.orders : null,
        rows,
        problems,
      });
    }
    return results;
  } finally {
    for (const run of runs) await run.drop();
  }
}

// ---------------------------------------------------------------------------------------------
// The outbox: how long after an HTTP ingest the order events are all handed to their workers.

interface OutboxLag {
  orders: number;
  ingestS: number;
  /** Jobs waiting (created, retrying or active) when the ingest ended, and when the wait ended. */
  backlogAtEnd: number;
  backlogLeft: number;
  /** Seconds from the end of the ingest until no order-events job is waiting; the cap if capped. */
  lagS: number;
  capped: boolean;
  failed: number;
}

const PENDING_SQL = `SELECT count(*)::int AS n FROM pgboss.job
  WHERE name = '${ORDER_EVENTS_QUEUE}' AND state IN ('created', 'retry', 'active')`;

/**
 * A fresh database and a server with its workers on (as in production), 16-way HTTP single posts
 * for OUTBOX.ingestS seconds, then polls the `order-events` queue until nothing waits (or the cap).
 */
async function measureOutbox(env: Env): Promise<OutboxLag> {
  const { database, drop } = await env.fresh();
  const dataDir = tempDir('orderhub-bench-outbox-');
  // migrate: a copy of the template made before a migration landed gets it here.
  const app = await buildApp(benchConfig(dataDir, true), { database, migrate: true });
  try {
    const now = new Date();
    const cli = systemActor('bench', 'cli');
    const token = await database.tx(async (tx) => {
      await createUser(tx, now, cli, {
        username: 'bench-outbox',
        role: 'operations',
        password: 'bench-pw-12345',
      });
      return (await createToken(tx, now, cli, { name: 'bench', username: 'bench-outbox' })).token;
    });
    const tag = `O${randomBytes(3).toString('hex')}`;
    const bodies = Array.from({ length: OUTBOX.bodies }, (_, i) => JSON.stringify(makeOrder(tag, i)));
    const base = await listen({ app });
    log(`${env.kind}: outbox: ${OUTBOX.ingestS} s of ${CONCURRENCY}-way HTTP single posts, workers on`);
    const sent = await post(
      `${base}/api/orders`,
      token,
      bodies,
      CONCURRENCY,
      201,
      undefined,
      OUTBOX.ingestS * 1000,
    );
    const end = performance.now();
    if (sent >= bodies.length)
      log(`${env.kind}: outbox: all ${sent} prepared orders sent before ${OUTBOX.ingestS} s`);
    const pending = async () => Number((await database.query<{ n: number }>(PENDING_SQL))[0]!.n);
    const backlogAtEnd = await pending();
    let left = backlogAtEnd;
    while (left > 0 && performance.now() - end < OUTBOX.capS * 1000) {
      await new Promise((r) => setTimeout(r, 200));
      left = await pending();
    }
    const lagS = (performance.now() - end) / 1000;
    const failed = Number(
      (
        await database.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE name = '${ORDER_EVENTS_QUEUE}' AND state = 'failed'`,
        )
      )[0]!.n,
    );
    return {
      orders: sent,
      ingestS: OUTBOX.ingestS,
      backlogAtEnd,
      backlogLeft: left,
      lagS: left > 0 ? OUTBOX.capS : lagS,
      capped: left > 0,
      failed,
    };
  } finally {
    await app.close();
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const sizeText = (kind: Kind) =>
    `${SIZES[kind].orders.toLocaleString('en')} orders (after ${SIZES[kind].warmup.toLocaleString('en')} warm-up)`;
  log(
    `ingest bench (${SIZE}): ${LINES} lines per order of ${SKUS.length} SKUs in stock; per variant PostgreSQL ${sizeText('postgres')}, PGlite ${sizeText('pglite')}`,
  );
  const results: Result[] = [];
  const rssAfter: Partial<Record<Kind, number>> = {};
  let outbox: OutboxLag | undefined;
  // For profiling one part: BENCH_DB=pglite|postgres, BENCH_VARIANTS=inprocess,http_single (the baseline always runs).
  const only = process.env['BENCH_DB'];
  const picked = process.env['BENCH_VARIANTS']?.split(',');
  const variants = VARIANTS.filter((v) => v === 'baseline' || !picked || picked.includes(v));
  // PostgreSQL first: its part's peak RSS is then the server's own, before four PGlite databases load.
  const envs: [Kind, () => Promise<Env>][] = [
    ['postgres', postgresEnv],
    ['pglite', pgliteEnv],
  ];
  for (const [kind, makeEnv] of envs) {
    if (only && only !== kind) continue;
    const env = await makeEnv();
    try {
      // The smoke run checks PGlite's baseline and flow only: each PGlite database is slow to open.
      const here =
        SMOKE && kind === 'pglite' ? variants.filter((v) => v === 'baseline' || v === 'inprocess') : variants;
      results.push(...(await measureKind(env, here)));
      rssAfter[kind] = rssMb();
      // After the measured rounds, so that the workers' CPU weighs on no variant's figures.
      if (kind === 'postgres' && variants.includes('http_single')) {
        outbox = await measureOutbox(env);
        log(
          `postgres: outbox: ${outbox.orders} orders in ${outbox.ingestS} s; ${outbox.backlogAtEnd} order events waiting at the end, ` +
            (outbox.capped
              ? `${outbox.backlogLeft} still waiting after ${outbox.lagS} s (capped)`
              : `none after ${outbox.lagS.toFixed(1)} s`) +
            `; ${outbox.failed} failed`,
        );
      }
    } finally {
      await env.close();
    }
  }
  await client?.terminate();

  const get = (kind: Kind, variant: Variant) => results.find((r) => r.kind === kind && r.variant === variant);
  /** The median over rounds of the variant's rate ÷ the baseline's rate in the same round. */
  const ratio = (kind: Kind, variant: Variant) => {
    const base = get(kind, 'baseline')!.roundMs;
    const per = get(kind, variant)!
      .roundMs.map((ms, r) => base[r]! / ms)
      .sort((a, b) => a - b);
    const mid = per.length >> 1;
    return per.length % 2 ? per[mid]! : (per[mid - 1]! + per[mid]!) / 2;
  };
  const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

  console.log('');
  console.log(
    `Ingest (${SIZE}): orders of ${LINES} lines; ratio = orders/s ÷ the plain-SQL baseline's on the same database (median over the rounds)`,
  );
  console.log('');
  const head = [
    'database',
    'variant',
    'orders',
    'conc.',
    'orders/s',
    'ratio',
    'queries/order',
    'CPU ms/order',
    'server CPU ms/order',
  ];
  const rows = results.map((r) => [
    r.kind,
    r.batchSize ? `${LABEL[r.variant]} (${r.batchSize}/req)` : LABEL[r.variant],
    SIZES[r.kind].orders.toLocaleString('en'),
    String(r.concurrency),
    r.ordersPerSecond.toFixed(0),
    ratio(r.kind, r.variant).toFixed(2),
    r.queriesPerOrder === null ? '–' : r.queriesPerOrder.toFixed(1),
    r.cpuMsPerOrder.toFixed(2),
    r.serverCpuMsPerOrder === null ? '–' : r.serverCpuMsPerOrder.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(
    "CPU: this process's (app server and HTTP client thread together; PGlite's is in it); server CPU: PostgreSQL's.",
  );
  console.log('');

  const passes: Record<string, boolean> = {};
  const checks = [
    ['inprocess_pg', 'in-process flow on PostgreSQL', 'inprocess', TARGETS.inprocess],
    ['http_single_pg', 'HTTP single posts on PostgreSQL', 'http_single', TARGETS.http_single],
    ['http_batch_pg', 'HTTP batch on PostgreSQL', 'http_batch', TARGETS.http_batch],
  ] as const;
  for (const [key, what, variant, target] of checks) {
    if (!get('postgres', variant)) continue;
    const got = ratio('postgres', variant);
    passes[key] = got >= target;
    console.log(
      `${got >= target ? 'PASS' : 'FAIL'}  ${what}: ${got.toFixed(2)} of the baseline (target ≥ ${target.toFixed(2)}${SIZE === 'full' ? '' : ', for the full run'})`,
    );
  }
  const problems = results.flatMap((r) => r.problems.map((p) => `${r.kind} ${r.variant}: ${p}`));
  const rowsAlike = results.every((r) => !r.problems.some((p) => p.includes('baseline')));
  const sum = (f: (r: RowCheck) => number) => results.reduce((a, r) => a + f(r.rows), 0);
  const expectedOf = (r: Result) => SIZES[r.kind].orders + SIZES[r.kind].warmup;
  const missing = results.reduce(
    (a, r) =>
      a +
      Math.max(0, expectedOf(r) - r.rows.orders) +
      Math.max(0, expectedOf(r) * LINES - r.rows.lines) +
      Math.max(0, expectedOf(r) * LINES - r.rows.reservations),
    0,
  );
  const duplicates = sum((r) => r.duplicates);
  const unreserved = sum((r) => Math.max(0, r.orderedUnits - r.reservedUnits));
  const oversold = sum((r) => r.oversoldLevels);
  const sample = results[0]!.rows;
  console.log(
    `rows: each order with ${LINES} lines, a raw payload, a timeline entry, an audit row, a job and ${LINES} reservations ` +
      `(stock update, ledger row, reservation, push mark); order row ≈ ${sample.orderBytes} B, sealed raw payload ≈ ${sample.rawBytes} B; ` +
      (problems.length ? `PROBLEMS: ${problems.join('; ')}` : 'alike in every variant, every unit reserved'),
  );
  console.log(
    `peak RSS ${rssMb()} MB` +
      (rssAfter.postgres ? `; ${rssAfter.postgres} MB at the end of the PostgreSQL part` : '') +
      ` (four apps side by side${rssAfter.pglite ? ', then four PGlite databases' : ''}); ` +
      `${((performance.now() - t0) / 1000).toFixed(0)} s in all`,
  );

  const figures: Record<string, unknown> = { bench: 'ingest', quick: QUICK, smoke: SMOKE };
  for (const r of results) {
    const k = r.kind === 'postgres' ? 'pg' : 'pglite';
    if (r.variant !== 'baseline') figures[`ratio_${r.variant}_${k}`] = round(ratio(r.kind, r.variant));
  }
  if (outbox) {
    Object.assign(figures, {
      outbox_lag_s: round(outbox.lagS, 1),
      outbox_lag_capped: outbox.capped,
      outbox_backlog_at_end: outbox.backlogAtEnd,
      outbox_backlog_left: outbox.backlogLeft,
      outbox_orders: outbox.orders,
      outbox_ingest_s: outbox.ingestS,
      outbox_failed: outbox.failed,
    });
  }
  for (const [key, , , target] of checks) {
    if (!(key in passes)) continue;
    figures[`target_${key}`] = target;
    figures[`pass_${key}`] = passes[key];
  }
  for (const r of results) {
    const k = r.kind === 'postgres' ? 'pg' : 'pglite';
    figures[`${r.variant}_${k}_orders_per_s`] = Math.round(r.ordersPerSecond);
  }
  for (const r of results.filter((x) => x.kind === 'postgres')) {
    figures[`queries_per_order_${r.variant}_pg`] = round(r.queriesPerOrder!, 1);
  }
  for (const kind of ['postgres', 'pglite'] as const) {
    if (get(kind, 'baseline'))
      figures[`orders_${kind === 'postgres' ? 'pg' : 'pglite'}`] = SIZES[kind].orders;
  }
  const ok = problems.length === 0 && (!outbox || outbox.failed === 0);
  Object.assign(figures, {
    lines_per_order: LINES,
    skus: SKUS.length,
    concurrency: CONCURRENCY,
    batch_size: BATCH_SIZE,
    rows_alike: rowsAlike,
    missing,
    duplicates,
    unreserved_units: unreserved,
    oversold,
    peak_rss_mb: rssMb(),
    ...(rssAfter.postgres ? { peak_rss_mb_pg_part: rssAfter.postgres } : {}),
    ok,
  });
  console.log(JSON.stringify(figures));
  if (!ok) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
