#!/usr/bin/env node
/**
 * `npm run bench:smoke`: runs every benchmark in bench/ (each `*.ts` there, so a new bench joins by
 * being added), and the measurements in MEASUREMENTS, at its smoke size (BENCH_SMOKE=1) and checks
 * only correctness, from the last output line of each, which must be one JSON object:
 *   - the bench exited 0 and printed that line;
 *   - `ok`, when present, is true;
 *   - `rows_alike`, when present, is true;
 *   - each of `oversold`, `check_violations`, `missing`, `duplicates`, `unreserved_units`,
 *     `ledger_differences`, `outbox_failed`, `double_counted`, when present, is 0.
 * Speed figures are not judged here (too few rounds to mean anything). One line per bench; exits 1
 * if any fails.
 *
 * Needs PostgreSQL binaries (one throw-away cluster is started with scripts/pg-cluster.mjs and
 * shared by the benches, unless DATABASE_URL is set) and Chromium for the console bench
 * (CHROMIUM_PATH, default /usr/bin/chromium).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from './pg-cluster.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = path.join(ROOT, 'bench');
/** Longest a single smoke bench may take before it counts as failed. */
const TIMEOUT_MS = 150_000;
const ZERO_FIELDS = [
  'oversold',
  'check_violations',
  'missing',
  'duplicates',
  'unreserved_units',
  'ledger_differences',
  'outbox_failed',
  'double_counted',
];
const TRUE_FIELDS = ['ok', 'rows_alike'];

/** Scripts that measure rather than bench, run here so that they keep working. */
const MEASUREMENTS = ['scripts/payments-ceiling.ts'];

const benches = [
  ...fs
    .readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join('bench', f)),
  ...MEASUREMENTS,
];
const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(file, env) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(tsx, [path.join(ROOT, file)], { cwd: ROOT, env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      stderr += `\n(timed out after ${TIMEOUT_MS / 1000} s)`;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** The problems found in one bench's run (empty: it passed) and a short summary of what was checked. */
function judge(r) {
  const problems = [];
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  let figures = null;
  try {
    figures = JSON.parse(last);
  } catch {}
  if (!figures || typeof figures !== 'object' || Array.isArray(figures))
    problems.push('its last output line is not a JSON object');
  if (r.code !== 0) problems.push(`exit code ${r.code}`);
  const checked = [];
  if (figures) {
    for (const k of TRUE_FIELDS)
      if (k in figures) {
        checked.push(`${k} ${figures[k]}`);
        if (figures[k] !== true) problems.push(`${k} is ${JSON.stringify(figures[k])}`);
      }
    for (const k of ZERO_FIELDS)
      if (k in figures) {
        checked.push(`${k} ${figures[k]}`);
        if (figures[k] !== 0) problems.push(`${k} is ${JSON.stringify(figures[k])}`);
      }
    if (checked.length === 0) problems.push('it reports no correctness field (ok, oversold, missing, …)');
  }
  return { problems, checked };
}

async function main() {
  const env = { ...process.env, BENCH_SMOKE: '1' };
  delete env.BENCH_QUICK;
  let cluster = null;
  if (!env.DATABASE_URL) {
    cluster = await startCluster();
    env.DATABASE_URL = cluster.url;
  }
  let failed = 0;
  const t0 = Date.now();
  try {
    for (const file of benches) {
      const name = file.replace(/^bench\//, '').replace(/\.ts$/, '');
      const r = await run(file, env);
      const { problems, checked } = judge(r);
      if (problems.length) {
        failed++;
        console.log(`FAIL  ${name} (${r.seconds.toFixed(0)} s): ${problems.join('; ')}`);
        const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-8);
        for (const l of tail) console.log(`        ${l}`);
      } else {
        console.log(`ok    ${name} (${r.seconds.toFixed(0)} s): ${checked.join(', ')}`);
      }
    }
  } finally {
    await cluster?.stop();
  }
  console.log(
    `bench smoke: ${benches.length - failed} of ${benches.length} passed in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  process.exitCode = failed ? 1 : 0;
}

await main();
