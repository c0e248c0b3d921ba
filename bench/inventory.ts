/**
 * Reservation throughput: 64 concurrent reservers through the checkout reservation use case the
 * API calls (`reserveCheckout`: account/SKU/existing-hold checks, guarded update, ledger row,
 * reservation row, push mark and audit row, all in one transaction; the same `reserveLines` that
 * order ingest uses),
 * against a baseline measured in the same run: the bare conditional UPDATE alone, in its own
 * transaction, through the same driver and pool.
 *
 *   (a) hot:    every reserver on one SKU (all queue on one row lock)
 *   (b) spread: reservers over 10,000 SKUs
 *
 *   npm run bench:inventory                 full size
 *   BENCH_QUICK=1 npm run bench:inventory   reduced size (under a minute)
 *   BENCH_ONLY=pglite (or postgres)         one backend only
 *
 * PostgreSQL comes from DATABASE_URL (the role needs CREATEDB: the run gets its own database) or a
 * throw-away cluster is started with scripts/pg-cluster.mjs. The last output line is one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ensureDefaultAccount } from '../apps/server/src/modules/channels/index.ts';
import {
  DEFAULT_INVENTORY_SETTINGS,
  INVENTORY_QUEUES,
  reserveCheckout,
  verifyLedger,
} from '../apps/server/src/modules/inventory/index.ts';
import { ORDER_EVENTS_QUEUE } from '../apps/server/src/modules/orders/index.ts';
import { systemActor } from '../apps/server/src/platform/actor.ts';
import { type Database, openDatabase } from '../apps/server/src/platform/db.ts';
import { DomainError } from '../apps/server/src/platform/errors.ts';
import { startJobs } from '../apps/server/src/platform/jobs.ts';
import { createLogger } from '../apps/server/src/platform/log.ts';
import { startCluster } from '../scripts/pg-cluster.mjs';

const QUICK = process.env['BENCH_QUICK'] === '1';
const CONCURRENCY = 64;
const SPREAD_SKUS = 10_000;
const ATTEMPTS: Record<Kind, number> = QUICK
  ? { postgres: 3_000, pglite: 1_500 }
  : { postgres: 20_000, pglite: 6_000 };
/** Hot SKU stock: fewer units than attempts, so the guard must refuse the rest. */
const HOT_SHARE = 0.8;
const TARGET_RATIO = 0.5;

type Kind = 'postgres' | 'pglite';
type Scenario = 'hot' | 'spread';
const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function seed(db: Database, prefix: string, n: number, onHand: number, wh: string, at: Date) {
  await db.query(
    `INSERT INTO skus (id, code, name, active, created_at, updated_at)
     SELECT 'sku_' || $1 || g, $1 || g, 'bench ' || g, true, $2, $2 FROM generate_series(1, $3) g`,
    [prefix, at, n],
  );
  await db.query(
    `INSERT INTO stock_levels (sku, warehouse_id, on_hand, updated_at) SELECT $1 || g, $4, $5, $2 FROM generate_series(1, $3) g`,
    [prefix, at, n, wh, onHand],
  );
  // The opening balance as receipts, so the ledger still adds up afterwards.
  await db.query(
    `INSERT INTO stock_movements (id, at, type, sku, warehouse_id, on_hand, reserved, frozen, in_transit, actor_type, actor_name)
     SELECT 'mov_' || $1 || g, $2, 'receipt', $1 || g, $4, $5, 0, 0, 0, 'system', 'bench' FROM generate_series(1, $3) g`,
    [prefix, at, n, wh, onHand],
  );
}

async function runWorkers(attempts: number, fn: (i: number) => Promise<boolean>) {
  let next = 0;
  let ok = 0;
  let refused = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < attempts; i = next++) {
        if (await fn(i)) ok++;
        else refused++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { ok, refused, seconds, rate: attempts / seconds };
}

async function benchOn(kind: Kind, db: Database) {
  const at = new Date();
  const log0 = createLogger('silent');
  const jobs = await startJobs(db, {
    migrate: true,
    supervise: false,
    log: log0,
    queues: [{ name: ORDER_EVENTS_QUEUE }, ...INVENTORY_QUEUES],
  });
  await ensureDefaultAccount(db, at);
  await db.query(
    `INSERT INTO warehouses (id, code, name, active, priority, created_at, updated_at) VALUES ('whs_bench', 'WH-BENCH', 'bench', true, 0, $1, $1)`,
    [at],
  );
  const attempts = ATTEMPTS[kind];
  const hotStock = Math.floor(attempts * HOT_SHARE);
  // Separate SKUs for the use case (R…) and the baseline (B…), same sizes and stock.
  // The two hot rows sit pages apart (a spread block between them): each run's row versions and
  // their clean-up stay on its own page.
  await seed(db, 'RHOT-', 1, hotStock, 'whs_bench', at);
  await seed(db, 'RSPR-', SPREAD_SKUS, 1_000_000, 'whs_bench', at);
  await seed(db, 'BHOT-', 1, hotStock, 'whs_bench', at);
  await seed(db, 'BSPR-', SPREAD_SKUS, 1_000_000, 'whs_bench', at);
  const deps = { jobs, inventory: DEFAULT_INVENTORY_SETTINGS };
  const actor = systemActor('bench', 'api');
  const run = randomBytes(3).toString('hex');
  const skuFor = (s: Scenario, prefix: string) =>
    s === 'hot' ? `${prefix}HOT-1` : `${prefix}SPR-${1 + Math.floor(Math.random() * SPREAD_SKUS)}`;

  let seq = 0;
  const reserve = (s: Scenario) => async () => {
    try {
      await db.tx((tx) =>
        reserveCheckout(
          { tx, deps, at: new Date(), actor },
          {
            externalOrderId: `BENCH-${run}-${s}-${seq++}`,
            lines: [{ sku: skuFor(s, 'R'), quantity: 1 }],
            ttlSeconds: 3600,
          },
        ),
      );
      return true;
    } catch (e) {
      if (e instanceof DomainError && e.code === 'INVENTORY_INSUFFICIENT') return false;
      throw e;
    }
  };
  const baseline = (s: Scenario) => async () =>
    db.tx(async (tx) => {
      const rows = await tx.query(
        `UPDATE stock_levels SET reserved = reserved + 1 WHERE sku = $1 AND warehouse_id = 'whs_bench'
         AND on_hand - reserved - frozen >= 1 RETURNING 1`,
        [skuFor(s, 'B')],
      );
      return rows.length === 1;
    });

  const out: Record<string, number> = {};
  let oversold = 0;
  // Warm up both paths outside the measured counts (on the spread SKUs: the hot stock is exact),
  // then gather statistics, as autovacuum does on PostgreSQL and `maintain` on PGlite in a running
  // server: the prepared statements are planned against tables that hold rows.
  await runWorkers(CONCURRENCY * 4, baseline('spread'));
  await runWorkers(CONCURRENCY * 4, reserve('spread'));
  await db.query('ANALYZE');
  for (const s of ['hot', 'spread'] as Scenario[]) {
    // Each measured run starts from a vacuumed table, as autovacuum (or `maintain` on PGlite) keeps it.
    await db.query('VACUUM');
    const b = await runWorkers(attempts, baseline(s));
    await db.query('VACUUM');
    const r = await runWorkers(attempts, reserve(s));
    const ratio = r.rate / b.rate;
    const over = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM stock_levels WHERE on_hand - reserved - frozen < 0`,
    );
    let sOver = Number(over[0]!.n);
    if (s === 'hot') sOver += Math.max(0, r.ok - hotStock) + Math.max(0, b.ok - hotStock);
    oversold += sOver;
    log(
      `${kind.padEnd(8)} ${s.padEnd(6)} baseline ${b.rate.toFixed(0).padStart(6)}/s (${b.ok} ok, ${b.refused} refused)  ` +
        `reservations ${r.rate.toFixed(0).padStart(6)}/s (${r.ok} ok, ${r.refused} refused)  ratio ${ratio.toFixed(2)}  oversold ${sOver}`,
    );
    const k = kind === 'postgres' ? 'pg' : 'pglite';
    out[`rate_${s}_${k}`] = Math.round(r.rate);
    out[`baseline_${s}_${k}`] = Math.round(b.rate);
    out[`ratio_${s}_${k}`] = Number(ratio.toFixed(2));
    if (s === 'hot' && r.ok !== hotStock) log(`${kind}: hot SKU accepted ${r.ok} of ${hotStock} units`);
  }
  // The use case's SKUs must still agree with their ledger (the baseline bypasses it on purpose).
  const v = await verifyLedger(db);
  const bad = v.differences.filter((d) => d.sku.startsWith('R'));
  if (bad.length) {
    log(`${kind}: ${bad.length} ledger difference(s), e.g. ${JSON.stringify(bad[0])}`);
    oversold += bad.length;
  }
  await jobs.stop();
  return { out, oversold };
}

async function main() {
  const results: Record<string, number | boolean | string> = {
    bench: 'inventory',
    quick: QUICK,
    concurrency: CONCURRENCY,
  };
  let oversold = 0;
  let failed = false;

  // BENCH_ONLY=postgres or pglite runs one of them (for looking into one backend).
  const only = process.env['BENCH_ONLY'];
  if (only !== 'pglite') {
    // PostgreSQL
    let url = process.env['DATABASE_URL'];
    let cluster: Awaited<ReturnType<typeof startCluster>> | null = null;
    if (!url) {
      cluster = await startCluster();
      url = cluster.url;
    }
    const name = `orderhub_bench_inv_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      const db = await openDatabase({ databaseUrl: u.toString(), poolSize: CONCURRENCY + 4 });
      try {
        await db.migrate();
        const r = await benchOn('postgres', db);
        Object.assign(results, r.out);
        oversold += r.oversold;
      } finally {
        await db.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      }
    } finally {
      await admin.end();
      await cluster?.stop();
    }
  }
  if (only !== 'postgres') {
    // PGlite
    const lite = await openDatabase({ dataDir: 'memory://' });
    try {
      await lite.migrate();
      const r = await benchOn('pglite', lite);
      Object.assign(results, r.out);
      oversold += r.oversold;
    } finally {
      await lite.close();
    }
  }

  results['oversold'] = oversold;
  for (const k of ['ratio_hot_pg', 'ratio_spread_pg', 'ratio_hot_pglite', 'ratio_spread_pglite'])
    if (k in results && Number(results[k]) < TARGET_RATIO) {
      log(`${k} ${results[k]} is below the target ${TARGET_RATIO}`);
      failed = true;
    }
  if (oversold > 0) failed = true;
  results['target_ratio'] = TARGET_RATIO;
  results['ok'] = !failed;
  process.stdout.write(`${JSON.stringify(results)}\n`);
  if (oversold > 0) process.exitCode = 1;
}

await main();
