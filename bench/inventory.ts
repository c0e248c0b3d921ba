/**
 * Reservation throughput: 64 concurrent reservers through the checkout reservation use case the
 * API calls (`reserveCheckout`: account/SKU/existing-hold checks, guarded update, ledger row,
 * reservation row, push mark and audit row, all in one transaction; the same `reserveLines` that
 * order ingest uses), against a baseline measured in the same run: the bare conditional UPDATE
 * alone, in its own transaction, through the same driver, pool and concurrency, and prepared the
 * same way (`Tx.prepared`: a named statement on PostgreSQL, PREPARE/EXECUTE with a forced generic
 * plan on PGlite).
 *
 *   (a) hot:    every reserver on one SKU (all queue on one row lock); stock 80% of the attempts
 *   (b) spread: reservers over 10,000 SKUs
 *
 * Each scenario runs in interleaved rounds (baseline, measured; the next round measured, baseline;
 * …), each round on fresh SKUs and a vacuumed table; the ratio is the median of the rounds' ratios.
 * PGlite is one connection: its 64 reservers run one transaction at a time (serial figures).
 *
 * `oversold` = units accepted beyond the stock seeded, counted from the answers (both paths) and
 * from the ledger and levels after the run (measured path). A CHECK-constraint violation is counted
 * in `check_violations`, never a crash. Both must be 0.
 *
 * Knobs (environment variables; nothing else is read):
 *   BENCH_QUICK=1         reduced size (under a minute)
 *   BENCH_SMOKE=1         tiny size, correctness only (npm run bench:smoke)
 *   BENCH_ONLY=postgres   one backend only (or pglite)
 *   DATABASE_URL          PostgreSQL to use (the role needs CREATEDB: the run gets its own database);
 *                         unset: a throw-away cluster is started with scripts/pg-cluster.mjs
 *
 * Beside each throughput ratio the bench reports the CPU ratio: CPU time per attempt of the
 * baseline over that of the measured path, where CPU time is this process's (`process.cpuUsage`)
 * plus, on PostgreSQL, that of the cluster's server processes (read from /proc, children of the
 * postmaster; only for the throw-away cluster the bench starts itself, not with DATABASE_URL). The
 * CPU ratio moves less with the machine's load than the throughput ratio does.
 *
 * The last output line is one JSON object; `ok` is true when oversold and check_violations are 0
 * (the ratio targets are reported separately, in `targets_met`).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
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
const SMOKE = process.env['BENCH_SMOKE'] === '1';
const SIZE = SMOKE ? 'smoke' : QUICK ? 'quick' : 'full';
const CONCURRENCY = 64;
const SPREAD_SKUS = SMOKE ? 500 : 10_000;
/** Attempts per path per round, and rounds per scenario. */
const ATTEMPTS: Record<Kind, number> = {
  smoke: { postgres: 200, pglite: 100 },
  quick: { postgres: 1_000, pglite: 500 },
  full: { postgres: 4_000, pglite: 1_500 },
}[SIZE];
const ROUNDS = { smoke: 2, quick: 3, full: 5 }[SIZE];
/** Hot SKU stock: fewer units than attempts, so the guard must refuse the rest. */
const HOT_SHARE = 0.8;
const SPREAD_STOCK = 1_000_000;
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

/** A CHECK-constraint violation (SQLSTATE 23514), from node-postgres or PGlite alike. */
const isCheckViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === '23514';

interface Tally {
  ok: number;
  refused: number;
  checkViolations: number;
  /** Units accepted per SKU, from the answers. */
  accepted: Map<string, number>;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU seconds used so far by the server processes of a local cluster: the postmaster and its
 * children (backends, walwriter, autovacuum, …), read from /proc. Null when it cannot be read
 * (not Linux, or a server elsewhere).
 */
function serverCpuReader(dataDir: string): (() => number) | null {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    readFileSync(`/proc/${postmaster}/stat`, 'utf8');
  } catch {
    return null;
  }
  return () => {
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // Fields after the command name: state, ppid, …; utime and stime are the 12th and 13th.
        const f = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
        if (Number(entry) === postmaster || Number(f[1]) === postmaster)
          ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // The process ended between the listing and the read.
      }
    }
    return ticks / USER_HZ;
  };
}

/** CPU seconds of this process and, when known, of the database server. */
let serverCpu: (() => number) | null = null;
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6 + (serverCpu?.() ?? 0);
};

/** `fn` answers whether the unit was reserved; a CHECK violation is counted (refused), not thrown. */
async function runWorkers(
  attempts: number,
  pick: (i: number) => string,
  fn: (sku: string) => Promise<boolean>,
) {
  let next = 0;
  const t: Tally = { ok: 0, refused: 0, checkViolations: 0, accepted: new Map() };
  const cpu0 = cpuNow();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < attempts; i = next++) {
        const sku = pick(i);
        let ok = false;
        try {
          ok = await fn(sku);
        } catch (e) {
          if (!isCheckViolation(e)) throw e;
          t.checkViolations++;
        }
        if (ok) {
          t.ok++;
          t.accepted.set(sku, (t.accepted.get(sku) ?? 0) + 1);
        } else t.refused++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  /** CPU microseconds per attempt (this process, plus the server's when it can be read). */
  const cpuUs = ((cpuNow() - cpu0) * 1e6) / attempts;
  return { ...t, seconds, rate: attempts / seconds, cpuUs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The bare guarded update, the baseline; sent through `Tx.prepared` like the measured statement. */
const BASELINE_SQL = `UPDATE stock_levels SET reserved = reserved + 1 WHERE sku = $1 AND warehouse_id = 'whs_bench'
  AND on_hand - reserved - frozen >= 1 RETURNING 1`;

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
  // Separate SKUs for the use case (R…) and the baseline (B…), same sizes and stock; one hot SKU
  // per path and round. Each hot row sits pages apart from the next (a padding block between
  // them): each run's row versions and their clean-up stay on its own page.
  const stock = new Map<string, number>();
  for (let r = 1; r <= ROUNDS; r++) {
    for (const p of ['R', 'B']) {
      await seed(db, `${p}HOT${r}-`, 1, hotStock, 'whs_bench', at);
      stock.set(`${p}HOT${r}-1`, hotStock);
      await seed(db, `PAD${p}${r}-`, 200, 0, 'whs_bench', at);
    }
  }
  await seed(db, 'RSPR-', SPREAD_SKUS, SPREAD_STOCK, 'whs_bench', at);
  await seed(db, 'BSPR-', SPREAD_SKUS, SPREAD_STOCK, 'whs_bench', at);
  const stockOf = (sku: string) => stock.get(sku) ?? (sku.includes('SPR-') ? SPREAD_STOCK : 0);
  const deps = { jobs, inventory: DEFAULT_INVENTORY_SETTINGS };
  const actor = systemActor('bench', 'api');
  const run = randomBytes(3).toString('hex');
  const pickFor =
    (s: Scenario, prefix: string, round: number) =>
    (_i: number): string =>
      s === 'hot' ? `${prefix}HOT${round}-1` : `${prefix}SPR-${1 + Math.floor(Math.random() * SPREAD_SKUS)}`;

  let seq = 0;
  const reserve = async (sku: string) => {
    try {
      await db.tx((tx) =>
        reserveCheckout(
          { tx, deps, at: new Date(), actor },
          {
            externalOrderId: `BENCH-${run}-${seq++}`,
            lines: [{ sku, quantity: 1 }],
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
  const baseline = async (sku: string) =>
    db.tx(async (tx) => (await tx.prepared(BASELINE_SQL, [sku])).length === 1);

  const out: Record<string, number> = {};
  let oversoldAnswers = 0;
  let checkViolations = 0;
  // Warm up both paths outside the measured counts (on the spread SKUs: the hot stock is exact),
  // then gather statistics, as autovacuum does on PostgreSQL and `maintain` on PGlite in a running
  // server: the prepared statements are planned against tables that hold rows.
  const warm = Math.min(CONCURRENCY * 4, attempts);
  const tallies: Tally[] = [];
  tallies.push(await runWorkers(warm, pickFor('spread', 'B', 0), baseline));
  tallies.push(await runWorkers(warm, pickFor('spread', 'R', 0), reserve));
  await db.query('ANALYZE');
  const mode = kind === 'pglite' ? 'serial (one connection)' : `${CONCURRENCY} concurrent`;
  for (const s of ['hot', 'spread'] as Scenario[]) {
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const rates = { b: [] as number[], r: [] as number[] };
    const cpu = { b: [] as number[], r: [] as number[] };
    let ok = { b: 0, r: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      // Each measured run starts from a vacuumed table, as autovacuum (or `maintain` on PGlite)
      // keeps it; the order of the two paths alternates round by round.
      const order = round % 2 ? (['b', 'r'] as const) : (['r', 'b'] as const);
      const got: Partial<Record<'b' | 'r', Awaited<ReturnType<typeof runWorkers>>>> = {};
      for (const which of order) {
        await db.query('VACUUM');
        got[which] =
          which === 'b'
            ? await runWorkers(attempts, pickFor(s, 'B', round), baseline)
            : await runWorkers(attempts, pickFor(s, 'R', round), reserve);
      }
      const b = got.b!;
      const r = got.r!;
      tallies.push(b, r);
      ratios.push(r.rate / b.rate);
      cpuRatios.push(b.cpuUs / r.cpuUs);
      rates.b.push(b.rate);
      rates.r.push(r.rate);
      cpu.b.push(b.cpuUs);
      cpu.r.push(r.cpuUs);
      ok = { b: ok.b + b.ok, r: ok.r + r.ok };
      if (s === 'hot' && r.ok !== hotStock) log(`${kind}: hot SKU accepted ${r.ok} of ${hotStock} units`);
    }
    const ratio = median(ratios);
    const cpuRatio = median(cpuRatios);
    const cpuOf = kind === 'postgres' && !serverCpu ? 'this process only' : 'this process and the server';
    log(
      `${kind.padEnd(8)} ${s.padEnd(6)} ${mode}, ${ROUNDS} rounds of ${attempts}: baseline ${median(rates.b).toFixed(0).padStart(6)}/s  ` +
        `reservations ${median(rates.r).toFixed(0).padStart(6)}/s  ratio ${ratio.toFixed(2)} (rounds ${ratios.map((x) => x.toFixed(2)).join(' ')})  ` +
        `accepted ${ok.r} / baseline ${ok.b}`,
    );
    log(
      `${''.padEnd(16)}CPU per attempt (${cpuOf}): baseline ${median(cpu.b).toFixed(0)} µs, reservation ${median(cpu.r).toFixed(0)} µs, ` +
        `CPU ratio ${cpuRatio.toFixed(2)} (rounds ${cpuRatios.map((x) => x.toFixed(2)).join(' ')})`,
    );
    const k = kind === 'postgres' ? 'pg' : 'pglite';
    out[`rate_${s}_${k}`] = Math.round(median(rates.r));
    out[`baseline_${s}_${k}`] = Math.round(median(rates.b));
    out[`ratio_${s}_${k}`] = Number(ratio.toFixed(2));
    out[`cpu_us_${s}_${k}`] = Math.round(median(cpu.r));
    out[`cpu_us_baseline_${s}_${k}`] = Math.round(median(cpu.b));
    out[`cpu_ratio_${s}_${k}`] = Number(cpuRatio.toFixed(2));
  }
  // From the answers: units each path was told it got beyond the stock seeded, SKU by SKU.
  const accepted = new Map<string, number>();
  for (const t of tallies) {
    checkViolations += t.checkViolations;
    for (const [sku, n] of t.accepted) accepted.set(sku, (accepted.get(sku) ?? 0) + n);
  }
  for (const [sku, n] of accepted) oversoldAnswers += Math.max(0, n - stockOf(sku));
  // From the database: the measured path's ledger (units reserved beyond units received, and
  // reservation rows beyond them), any level whose counters went below zero available, and ledger
  // differences (the baseline bypasses the ledger on purpose, so only R… SKUs are checked there).
  const [db0] = await db.query<{ ledger: number; rsv: number; levels: number }>(
    `SELECT
       (SELECT coalesce(sum(greatest(x, 0)), 0)::int FROM (
          SELECT sum(reserved) - sum(on_hand) AS x FROM stock_movements WHERE sku LIKE 'R%' GROUP BY sku) m) AS ledger,
       (SELECT coalesce(sum(greatest(x, 0)), 0)::int FROM (
          SELECT sum(r.original) - max(l.on_hand) AS x FROM reservations r
          JOIN stock_levels l ON l.sku = r.sku AND l.warehouse_id = r.warehouse_id GROUP BY r.sku) q) AS rsv,
       (SELECT coalesce(sum(reserved + frozen - on_hand), 0)::int FROM stock_levels
          WHERE on_hand - reserved - frozen < 0) AS levels`,
  );
  const v = await verifyLedger(db);
  const bad = v.differences.filter((d) => d.sku.startsWith('R'));
  if (bad.length) log(`${kind}: ${bad.length} ledger difference(s), e.g. ${JSON.stringify(bad[0])}`);
  const oversoldDb = Number(db0!.ledger) + Number(db0!.rsv) + Number(db0!.levels);
  log(
    `${kind}: oversold from the answers ${oversoldAnswers}, from the ledger/levels ${oversoldDb}; ` +
      `CHECK violations ${checkViolations}; ledger differences ${bad.length}`,
  );
  await jobs.stop();
  return {
    out,
    oversold: oversoldAnswers + oversoldDb,
    oversoldAnswers,
    oversoldDb,
    checkViolations,
    ledgerDifferences: bad.length,
  };
}

async function main() {
  // The machine's load average when the run starts and ends: ratios measured on a busy machine
  // read higher than on an idle one (both paths slow down, the cheaper one more), so figures are
  // quoted with it.
  const loadStart = Number(loadavg()[0]!.toFixed(1));
  const results: Record<string, number | boolean | string> = {
    bench: 'inventory',
    quick: QUICK,
    smoke: SMOKE,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
  };
  let oversold = 0;
  let oversoldAnswers = 0;
  let oversoldDb = 0;
  let checkViolations = 0;
  let ledgerDifferences = 0;
  const add = (r: Awaited<ReturnType<typeof benchOn>>) => {
    Object.assign(results, r.out);
    oversold += r.oversold;
    oversoldAnswers += r.oversoldAnswers;
    oversoldDb += r.oversoldDb;
    checkViolations += r.checkViolations;
    ledgerDifferences += r.ledgerDifferences;
  };

  // BENCH_ONLY=postgres or pglite runs one of them (for looking into one backend).
  const only = process.env['BENCH_ONLY'];
  if (only !== 'pglite') {
    let url = process.env['DATABASE_URL'];
    let cluster: Awaited<ReturnType<typeof startCluster>> | null = null;
    if (!url) {
      cluster = await startCluster();
      url = cluster.url;
      serverCpu = serverCpuReader(path.join(cluster.dir, 'data'));
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
        add(await benchOn('postgres', db));
      } finally {
        await db.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      }
    } finally {
      await admin.end();
      await cluster?.stop();
      serverCpu = null;
    }
  }
  if (only !== 'postgres') {
    // PGlite: one connection, so the reservers' transactions run one at a time (serial figures).
    const lite = await openDatabase({ dataDir: 'memory://' });
    try {
      await lite.migrate();
      add(await benchOn('pglite', lite));
      results['pglite_mode'] = 'serial';
    } finally {
      await lite.close();
    }
  }

  results['load_avg_start'] = loadStart;
  results['load_avg_end'] = Number(loadavg()[0]!.toFixed(1));
  results['oversold'] = oversold;
  results['oversold_answers'] = oversoldAnswers;
  results['oversold_ledger'] = oversoldDb;
  results['check_violations'] = checkViolations;
  results['ledger_differences'] = ledgerDifferences;
  // The target is PostgreSQL's (hot and spread); PGlite's serial ratios are reported, not targeted.
  let targetsMet = true;
  for (const k of ['ratio_hot_pg', 'ratio_spread_pg'])
    if (k in results && Number(results[k]) < TARGET_RATIO) {
      log(
        `${k} ${results[k]} is below the target ${TARGET_RATIO}${SMOKE ? ' (smoke size: not meaningful)' : ''}`,
      );
      targetsMet = false;
    }
  const correct = oversold === 0 && checkViolations === 0 && ledgerDifferences === 0;
  results['target_ratio'] = TARGET_RATIO;
  results['targets_met'] = targetsMet;
  results['ok'] = correct;
  process.stdout.write(`${JSON.stringify(results)}\n`);
  if (!correct) process.exitCode = 1;
}

await main();
