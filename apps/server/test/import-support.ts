import { PassThrough } from 'node:stream';
import { Worker } from 'node:worker_threads';
import ExcelJS from 'exceljs';
import type { Database } from '../src/platform/db.ts';

/** Count sheets for the import tests and bench: row i counts SKU i mod `skus` in warehouse i div `skus`. */
export const SHEET_SKUS = 10_000;
export const skuCode = (i: number) => `IMP-${String(i).padStart(6, '0')}`;
export const whCode = (i: number) => `WH-IMP-${String(i).padStart(2, '0')}`;

/**
 * SKUs and warehouses enough for `rows` distinct (SKU, warehouse) rows, inserted in bulk. With
 * `levels`, every counted (SKU, warehouse) of the sheet also has a stock level (on hand i mod 89,
 * so most rows differ from the count), as in a real stocktake.
 */
export async function seedCountCatalog(
  database: Database,
  rows: number,
  opts: { levels?: boolean } = {},
): Promise<void> {
  const warehouses = Math.max(1, Math.ceil(rows / SHEET_SKUS));
  await database.query(
    `INSERT INTO skus (id, code, name, created_at, updated_at)
     SELECT 'sku_imp' || i, 'IMP-' || lpad(i::text, 6, '0'), 'import ' || i, now(), now()
     FROM generate_series(0, $1::int - 1) i ON CONFLICT DO NOTHING`,
    [SHEET_SKUS],
  );
  await database.query(
    `INSERT INTO warehouses (id, code, name, created_at, updated_at)
     SELECT 'wh_imp' || i, 'WH-IMP-' || lpad(i::text, 2, '0'), 'import ' || i, now(), now()
     FROM generate_series(0, $1::int - 1) i ON CONFLICT DO NOTHING`,
    [warehouses],
  );
  if (opts.levels)
    await database.query(
      `INSERT INTO stock_levels (sku, warehouse_id, on_hand, updated_at)
       SELECT 'IMP-' || lpad((i % $2::int)::text, 6, '0'), 'wh_imp' || (i / $2::int), i % 89, now()
       FROM generate_series(0, $1::int - 1) i ON CONFLICT DO NOTHING`,
      [rows, SHEET_SKUS],
    );
}

const cellsOf = (i: number): [string, string, number] => [
  skuCode(i % SHEET_SKUS),
  whCode(Math.floor(i / SHEET_SKUS)),
  i % 97,
];

/** A count sheet as CSV: a header and `rows` data rows. */
export function countCsv(rows: number): Buffer {
  const parts = ['sku,warehouse,counted\n'];
  for (let i = 0; i < rows; i++) parts.push(`${cellsOf(i).join(',')}\n`);
  return Buffer.from(parts.join(''));
}

/** The same sheet as XLSX (shared strings, as Excel writes them), written with exceljs's streaming writer. */
export async function countXlsx(rows: number, extra?: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: true,
    useStyles: false,
  });
  const ws = wb.addWorksheet('盘点');
  ws.addRow(['sku', 'warehouse', 'counted']).commit();
  for (let i = 0; i < rows; i++) ws.addRow(cellsOf(i)).commit();
  extra?.(ws);
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
let worst = 0, probes = 0, running = true, failed = null, stall = 0;
parentPort.on('message', () => { running = false; });
(async () => {
  // One probe first, not counted: a fresh thread's first fetch loads undici and opens the
  // connection (60–140 ms on a busy two-core machine): the prober's own start, not the server.
  try { await (await fetch(workerData.url + '/healthz')).arrayBuffer(); } catch {}
  // How late this thread's own 10 ms timer fires, at the same time as the probes: when the
  // machine leaves the process's threads without a core, this shows it, although the server's
  // thread is not the cause.
  let tick = performance.now();
  const meter = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - tick - 10);
    tick = now;
  }, 10);
  parentPort.postMessage('ready');
  while (running) {
    const t0 = performance.now();
    try {
      const res = await fetch(workerData.url + '/healthz');
      await res.arrayBuffer();
      if (res.status !== 200) failed = 'status ' + res.status;
    } catch (e) { failed = String(e); }
    worst = Math.max(worst, performance.now() - t0);
    probes++;
    await new Promise((r) => setTimeout(r, workerData.everyMs));
  }
  clearInterval(meter);
  parentPort.postMessage({ worstMs: worst, probes, failed, stallMs: stall });
})();
`;

export interface HealthWatch {
  /** The slowest `/healthz` answer. */
  worstMs: number;
  probes: number;
  failed: string | null;
  /** How late the prober's own 10 ms timer fired at worst, meanwhile (the machine, not the server). */
  stallMs: number;
}

/**
 * Polls `GET /healthz` every `everyMs` from a worker thread (its own event loop, so a stall of the
 * server's loop shows as latency instead of delaying the prober) until stopped.
 */
export async function watchHealth(baseUrl: string, everyMs = 20): Promise<{ stop(): Promise<HealthWatch> }> {
  const worker = new Worker(PROBE, { eval: true, workerData: { url: baseUrl, everyMs } });
  let ready!: () => void;
  const started = new Promise<void>((r) => {
    ready = r;
  });
  const result = new Promise<HealthWatch>((resolve, reject) => {
    worker.on('message', (m: 'ready' | HealthWatch) => (m === 'ready' ? ready() : resolve(m)));
    worker.once('error', reject);
  });
  // Measuring starts once the prober is warm (its first, uncounted probe answered).
  await Promise.race([started, result]);
  return {
    async stop() {
      worker.postMessage('stop');
      const r = await result;
      await worker.terminate();
      return r;
    },
  };
}

/**
 * The worst `/healthz` latency over `ms` with nothing else asked of the server: what the machine
 * alone costs (on a loaded CI runner, stalls of a few hundred ms happen without any import).
 */
export async function healthBaseline(baseUrl: string, ms: number, everyMs = 20) {
  const health = await watchHealth(baseUrl, everyMs);
  await new Promise((r) => setTimeout(r, ms));
  return health.stop();
}

/**
 * The worst `/healthz` latency over `ms` while this thread (the server's) does pure CPU work in
 * slices of `sliceMs`, giving the event loop a turn after each: a well-behaved job of the import's
 * granularity. On a loaded machine a busy process waits for a core far longer than an idle one,
 * so this, not the idle figure, is what a read that never blocks longer than a slice should cost.
 */
export async function healthSliced(baseUrl: string, ms: number, sliceMs = 10, everyMs = 20) {
  const health = await watchHealth(baseUrl, everyMs);
  const until = performance.now() + ms;
  let sink = 0;
  while (performance.now() < until) {
    const end = performance.now() + sliceMs;
    while (performance.now() < end) sink += Math.sqrt(sink + 1);
    await new Promise((r) => setImmediate(r));
  }
  const h = await health.stop();
  return { ...h, sink };
}

/**
 * The test suite's limit for the worst `/healthz` latency while a sheet is read: no stall. The
 * 100 ms figure of issue 9 is a benchmark's (`npm run bench:import`, `healthz_worst_ms`, kept in
 * docs/benchmarks.md); the suite runs beside other test files on a loaded machine, where the same
 * server idle, or running a job that yields every 10 ms, was seen to take 200–900 ms for one
 * probe. So the suite asks for what a read that never holds the event loop for long must meet
 * anywhere: under a second, and under 750 ms more than the worst of what the machine alone cost —
 * the same server idle and with 10 ms slices (measured in the same test for as long as the read
 * took), and the prober thread's own timer lateness during the read (`stallMs`: the process left
 * without a core, which the server's thread does not cause). A read that holds the loop for a
 * whole file still fails: the 33 s stall this replaced, or the largest XLSX parsed on the server's
 * thread (over a second even on an idle machine). The largest CSV parsed there (about 0.5 s idle)
 * would pass here; the bench's `healthz_worst_ms` is what shows that.
 */
export const healthStallLimitMs = (
  during: Pick<HealthWatch, 'stallMs'>,
  idle: Pick<HealthWatch, 'worstMs'>,
  sliced: Pick<HealthWatch, 'worstMs'>,
) => Math.max(1_000, during.stallMs + 750, idle.worstMs + 750, sliced.worstMs + 750);
