/**
 * `npm run bench:import`: the largest allowed count sheet, as XLSX and as CSV, read end to end
 * through the server (POST counts:preview → the import job → status `previewed`, seen by a client
 * asking with `?wait=1` as the console does), against reading the same bytes with exceljs's streaming reader alone (and
 * csv-parse alone), in interleaved rounds after one untimed warm-up read of each side. On
 * PostgreSQL (its own database) and on PGlite (in-memory), one after the other in the same run.
 * Every counted (SKU, warehouse) has a stock level, as in a real stocktake, so the preview's
 * expected figures are looked up and found. While the server reads, a worker thread probes
 * GET /healthz every 20 ms and the server's own event-loop delay is recorded (perf_hooks). The
 * upload is sent from a thread of its own too, as a browser on another machine sends it: sending
 * 3 MB is the client's work, not the server's, and is neither timed nor held against /healthz.
 *
 *   DATABASE_URL   PostgreSQL to use (the role needs CREATEDB); unset: a throw-away cluster
 *   BENCH_ONLY     postgres | pglite: one of them
 *   BENCH_QUICK=1  20,000 rows, 2 rounds; BENCH_SMOKE=1: 3,000 rows, 1 round
 *
 * Last line: {"bench":"import","ratio_import":…,"healthz_worst_ms":…,"postgres":{…},"pglite":{…},"ok":…}.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { parse as csvParse } from 'csv-parse';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { buildApp } from '../apps/server/src/app.ts';
import { createToken, createUser } from '../apps/server/src/modules/auth/index.ts';
import { DEFAULT_COUNT_IMPORT } from '../apps/server/src/modules/inventory/settings.ts';
import { systemActor } from '../apps/server/src/platform/actor.ts';
import { type Database, openDatabase } from '../apps/server/src/platform/db.ts';
import { testConfig } from '../apps/server/test/helpers.ts';
import { countCsv, countXlsx, seedCountCatalog, watchHealth } from '../apps/server/test/import-support.ts';
import { startCluster } from '../scripts/pg-cluster.mjs';

const SMOKE = process.env['BENCH_SMOKE'] === '1';
const QUICK = process.env['BENCH_QUICK'] === '1';
const ROWS = SMOKE ? 3_000 : QUICK ? 20_000 : DEFAULT_COUNT_IMPORT.maxRows - 1;
const ROUNDS = SMOKE ? 1 : QUICK ? 2 : 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

async function bareXlsx(bytes: Buffer): Promise<number> {
  let n = 0;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  for await (const ws of reader) {
    for await (const row of ws as unknown as AsyncIterable<ExcelJS.Row>) {
      row.eachCell((c) => void c.value);
      n++;
    }
    break;
  }
  return n;
}

async function bareCsv(bytes: Buffer): Promise<number> {
  let n = 0;
  for await (const _ of Readable.from([bytes]).pipe(csvParse({ relax_column_count: true, trim: true }))) n++;
  return n;
}

type Files = { xlsx: Buffer; csv: Buffer };

/** The uploading client's thread: handed a request first, then told to send it. */
const UPLOADER = `
const { parentPort } = require('node:worker_threads');
let next = null;
parentPort.on('message', async (m) => {
  if (m.type === 'load') { next = m; parentPort.postMessage({ type: 'loaded' }); return; }
  const { url, headers, body } = next;
  next = null;
  try {
    const res = await fetch(url, { method: 'POST', headers, body });
    parentPort.postMessage({ type: 'answer', status: res.status, text: await res.text() });
  } catch (e) {
    parentPort.postMessage({ type: 'answer', status: 0, text: String(e) });
  }
});
`;

function startUploader() {
  const worker = new Worker(UPLOADER, { eval: true });
  const next = () =>
    new Promise<{ type: string; status: number; text: string }>((resolve, reject) => {
      const failed = (e: Error) => {
        worker.off('message', answered);
        reject(e);
      };
      const answered = (m: { type: string; status: number; text: string }) => {
        worker.off('error', failed);
        resolve(m);
      };
      worker.once('message', answered);
      worker.once('error', failed);
    });
  return {
    /** Hands over the request (copied to the thread before any clock starts). */
    async load(url: string, headers: Record<string, string>, body: string) {
      const loaded = next();
      worker.postMessage({ type: 'load', url, headers, body });
      await loaded;
    },
    /** Sends it and answers with the server's answer. */
    async send() {
      const answer = next();
      worker.postMessage({ type: 'send' });
      return answer;
    },
    close: () => worker.terminate(),
  };
}

/** One database's figures: the server's path against the bare readers, interleaved. */
async function benchOn(database: Database, files: Files) {
  const app = await buildApp(testConfig({ workers: true }), { database, migrate: true });
  const cli = systemActor('bench', 'cli');
  const token = await database.tx(async (tx) => {
    await createUser(tx, new Date(), cli, {
      username: 'wh',
      role: 'warehouse',
      password: 'warehouse-password-1',
    });
    return (await createToken(tx, new Date(), cli, { name: 'bench', username: 'wh' })).token;
  });
  await seedCountCatalog(database, ROWS, { levels: true });
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.http.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const uploader = startUploader();
  let ok = true;
  let worst = 0;
  let loopDelayMax = 0;
  const problems: string[] = [];

  async function viaServer(format: 'xlsx' | 'csv', measured = true): Promise<number> {
    const body = JSON.stringify({ format, content: files[format].toString('base64') });
    await uploader.load(`${url}/api/inventory/counts:preview`, headers, body);
    const health = await watchHealth(url);
    // This process is the server: its event loop is the one /healthz waits for.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t0 = performance.now();
    const answer = await uploader.send();
    if (answer.status !== 202) {
      ok = false;
      problems.push(`${format}: upload answered ${answer.status} ${answer.text.slice(0, 300)}`);
      return performance.now() - t0;
    }
    let view = JSON.parse(answer.text) as { id: string; status: string; progress?: { rowsTotal: number } };
    while (view.status === 'processing') {
      // A client asking as the console does (`wait`: answered when the preview is there, or after
      // the wait with the rows read so far; the console waits 1 s a question to show progress).
      view = (await (
        await fetch(`${url}/api/inventory/counts/${view.id}?rowsLimit=0&wait=1`, { headers })
      ).json()) as typeof view;
    }
    const ms = performance.now() - t0;
    loop.disable();
    const h = await health.stop();
    if (measured) {
      loopDelayMax = Math.max(loopDelayMax, loop.max / 1e6);
      worst = Math.max(worst, h.worstMs);
    }
    if (h.failed) problems.push(`healthz: ${h.failed}`);
    if (view.status !== 'previewed' || view.progress?.rowsTotal !== ROWS) {
      ok = false;
      problems.push(`${format}: ${JSON.stringify(view).slice(0, 300)}`);
    }
    return ms;
  }
  async function bare(format: 'xlsx' | 'csv'): Promise<number> {
    const t0 = performance.now();
    const n = format === 'xlsx' ? await bareXlsx(files.xlsx) : await bareCsv(files.csv);
    if (n !== ROWS + 1) {
      ok = false;
      problems.push(`bare ${format} read ${n} rows`);
    }
    return performance.now() - t0;
  }

  // One untimed read of each side and format first: both are then equally warm (compiled code,
  // exceljs loaded, the server's reader thread started) when the timed rounds begin.
  for (const format of ['xlsx', 'csv'] as const) {
    await bare(format);
    await viaServer(format, false);
  }
  const ratios: Record<'xlsx' | 'csv', number[]> = { xlsx: [], csv: [] };
  const serverMs: Record<'xlsx' | 'csv', number[]> = { xlsx: [], csv: [] };
  for (let round = 0; round < ROUNDS; round++)
    for (const format of ['xlsx', 'csv'] as const) {
      // Interleaved: the side that goes first alternates round by round.
      let b: number;
      let s: number;
      if (round % 2 === 0) {
        b = await bare(format);
        s = await viaServer(format);
      } else {
        s = await viaServer(format);
        b = await bare(format);
      }
      ratios[format].push(b / s);
      serverMs[format].push(s);
      process.stderr.write(
        `${database.kind} round ${round} ${format}: bare ${b.toFixed(0)} ms, server ${s.toFixed(0)} ms (load ${loadavg()[0]!.toFixed(1)})\n`,
      );
    }
  await uploader.close();
  await app.close();
  for (const p of problems) process.stderr.write(`${database.kind}: ${p}\n`);
  const ratioXlsx = median(ratios.xlsx);
  const ratioCsv = median(ratios.csv);
  return {
    ok,
    ratio: Math.min(ratioXlsx, ratioCsv),
    worst,
    out: {
      ratio_import_xlsx: Number(ratioXlsx.toFixed(3)),
      ratio_import_csv: Number(ratioCsv.toFixed(3)),
      ratio_import: Number(Math.min(ratioXlsx, ratioCsv).toFixed(3)),
      server_ms_xlsx: Math.round(median(serverMs.xlsx)),
      server_ms_csv: Math.round(median(serverMs.csv)),
      rows_per_s: Math.round(ROWS / (median(serverMs.xlsx) / 1000)),
      rows_per_s_csv: Math.round(ROWS / (median(serverMs.csv) / 1000)),
      healthz_worst_ms: Number(worst.toFixed(1)),
      loop_delay_max_ms: Number(loopDelayMax.toFixed(1)),
    },
  };
}

async function main() {
  const files: Files = { xlsx: await countXlsx(ROWS), csv: countCsv(ROWS) };
  const loadBefore = loadavg()[0]!;
  const only = process.env['BENCH_ONLY'];
  const results: Record<string, Awaited<ReturnType<typeof benchOn>>> = {};
  if (only !== 'pglite') {
    let url = process.env['DATABASE_URL'];
    let cluster: Awaited<ReturnType<typeof startCluster>> | null = null;
    if (!url) {
      cluster = await startCluster();
      url = cluster.url;
    }
    const name = `orderhub_bench_import_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      const database = await openDatabase({ databaseUrl: u.toString() });
      try {
        results['postgres'] = await benchOn(database, files);
      } finally {
        await database.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      }
    } finally {
      await admin.end();
      await cluster?.stop();
    }
  }
  if (only !== 'postgres') {
    const database = await openDatabase({ dataDir: 'memory://' });
    try {
      results['pglite'] = await benchOn(database, files);
    } finally {
      await database.close();
    }
  }
  clearInterval(rssTimer);
  const all = Object.values(results);
  const ratio = Math.min(...all.map((r) => r.ratio));
  const worst = Math.max(...all.map((r) => r.worst));
  const ok = all.length > 0 && all.every((r) => r.ok);
  const out = {
    bench: 'import',
    mode: SMOKE ? 'smoke' : QUICK ? 'quick' : 'full',
    rows: ROWS,
    xlsx_bytes: files.xlsx.length,
    csv_bytes: files.csv.length,
    ratio_import: Number(ratio.toFixed(3)),
    healthz_worst_ms: Number(worst.toFixed(1)),
    ...Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.out])),
    load_avg: [Number(loadBefore.toFixed(1)), Number(loadavg()[0]!.toFixed(1))],
    peak_rss_mb: Math.round(peakRss / 1024 / 1024),
    targets_met: { ratio_import: ratio >= 0.5, healthz: worst < 100 },
    ok,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'import', ok: false, error: String(e) })}\n`);
  process.exit(1);
});
