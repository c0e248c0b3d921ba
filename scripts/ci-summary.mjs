#!/usr/bin/env node
// Totals vitest JSON reports (`vitest run --reporter=json --outputFile=FILE`) for CI.
//
//   node scripts/ci-summary.mjs [--allowed-skips FILE] [--step NAME=EXIT …] .test-output/pglite.json …
//
// Prints one line per report (and its failures), one per step, then the closing line
// `N passed, N failed[, N skipped]` totalled over all reports. Exits 1 when anything failed, a report
// is missing or unreadable, a report ran no test, a test was skipped that the allow-list does not
// name, or a step (another CI command, e.g. `--step bench:smoke=1`) exited non-zero; such a step
// counts as one failure.
//
// The allow-list (default .ci/allowed-skips.json) is keyed by the report's basename (`pglite`,
// `postgres`), each a list of test names as this script prints them:
// `apps/server/test/cli.e2e.test.ts > orderhub on PostgreSQL > migrate applies …`. Any other skipped
// or todo test counts as failed, so a stray `it.skip` cannot pass CI. A file that did not even load,
// or errors outside any test, count as one failure each, so the closing line never says `0 failed`
// when the exit code says otherwise.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_ALLOWED_SKIPS = path.join(ROOT, '.ci/allowed-skips.json');
const MAX_LISTED = 30;
const SKIPPED_STATUSES = new Set(['skipped', 'pending', 'todo', 'disabled']);

const count = (value) => (Number.isInteger(value) && value > 0 ? value : 0);
const rel = (file) => (file ? path.relative(ROOT, file) || file : '?');
const firstLine = (text) => String(text ?? '').split('\n')[0];

function readJson(file) {
  try {
    return { value: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (err) {
    const why =
      err.code === 'ENOENT' ? 'missing (did the test run crash before writing it?)' : firstLine(err.message);
    return { error: why };
  }
}

/** A test's name as printed and as written in the allow-list: `file > describe > … > title`. */
export function testName(file, test) {
  const titles = Array.isArray(test.ancestorTitles) ? test.ancestorTitles : [];
  return [rel(file), ...titles, test.title ?? test.fullName ?? '?'].join(' > ');
}

/** The names of the report's skipped and todo tests. */
export function skippedTests(report) {
  const names = [];
  for (const result of Array.isArray(report?.testResults) ? report.testResults : []) {
    for (const test of Array.isArray(result.assertionResults) ? result.assertionResults : []) {
      if (SKIPPED_STATUSES.has(test.status)) names.push(testName(result.name, test));
    }
  }
  return names;
}

/**
 * Sums up one parsed report (`undefined` with `error` when it could not be read), given the test
 * names allowed to be skipped in it. Unexpected skips count as failed, not as skipped.
 * @returns {{ passed: number, failed: number, skipped: number, lines: string[] }}
 */
export function summariseReport(label, report, allowed = [], error = undefined) {
  if (error || typeof report !== 'object' || report === null) {
    const why = error ? `unreadable report: ${error}` : 'not a JSON object';
    return { passed: 0, failed: 1, skipped: 0, lines: [`${label}: FAILED ${why}`] };
  }

  const passed = count(report.numPassedTests);
  let failed = count(report.numFailedTests);
  const problems = [];

  for (const result of Array.isArray(report.testResults) ? report.testResults : []) {
    const assertions = Array.isArray(result.assertionResults) ? result.assertionResults : [];
    const failedTests = assertions.filter((a) => a.status === 'failed');
    for (const test of failedTests) {
      problems.push(`${rel(result.name)} > ${test.fullName ?? test.title}`);
    }
    if (result.status === 'failed' && failedTests.length === 0) {
      // The file failed without a failing test: it did not load, or a hook threw.
      failed++;
      problems.push(`${rel(result.name)}: ${firstLine(result.message) || 'failed outside its tests'}`);
    }
  }

  const allowedSet = new Set(allowed);
  const skippedNames = skippedTests(report);
  const unexpected = skippedNames.filter((name) => !allowedSet.has(name));
  for (const name of unexpected) problems.push(`skipped, not on the allow-list: ${name}`);
  failed += unexpected.length;
  const skipped = skippedNames.length - unexpected.length;

  if (report.success === false && failed === 0) {
    failed = 1;
    problems.push('the run reported errors outside any test (unhandled error or rejection?)');
  }
  if (passed + failed === 0) {
    failed = 1;
    problems.push(skipped > 0 ? `ran no test (${skipped} skipped)` : 'ran no test');
  }

  const status = failed > 0 ? 'FAILED' : 'ok';
  const files = Array.isArray(report.testResults) ? report.testResults.length : 0;
  const n = unexpected.length;
  const unexpectedNote = n > 0 ? ` (${n} unexpected skip${n === 1 ? '' : 's'})` : '';
  const lines = [
    `${label}: ${status} (passed ${passed} / failed ${failed}${unexpectedNote} / skipped ${skipped} in ${files} test files)`,
  ];
  for (const problem of problems.slice(0, MAX_LISTED)) lines.push(`  x ${problem}`);
  if (problems.length > MAX_LISTED) lines.push(`  … and ${problems.length - MAX_LISTED} more`);
  const seen = new Set(skippedNames);
  const unused = allowed.filter((name) => !seen.has(name)).length;
  if (unused > 0)
    lines.push(`  (${unused} of ${allowed.length} allowed skips did not occur: is the allow-list stale?)`);
  return { passed, failed, skipped, lines };
}

/** The allow-list file: `{ "<report basename>": ["<test name>", …] }`; a missing file allows nothing. */
export function readAllowedSkips(file) {
  const { value, error } = readJson(file);
  if (error?.startsWith('missing')) return { lists: {} };
  if (error) return { error: `${rel(file)}: ${error}` };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: `${rel(file)}: not an object keyed by report name` };
  }
  const lists = {};
  for (const [key, names] of Object.entries(value)) {
    if (key.startsWith('_')) continue; // comments
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
      return { error: `${rel(file)}: "${key}" is not a list of test names` };
    }
    lists[key] = names;
  }
  return { lists };
}

/** A CI step given as `NAME=EXIT`: one failure unless it exited 0. */
export function summariseStep(spec) {
  const m = /^(.+)=(\d+)$/.exec(spec);
  if (!m) return { failed: 1, line: `step ${spec}: FAILED (expected NAME=EXIT)` };
  const code = Number(m[2]);
  if (code === 0) return { failed: 0, line: `${m[1]}: ok` };
  const why = code === 124 ? 'timed out' : `exit ${code}`;
  return { failed: 1, line: `${m[1]}: FAILED (${why})` };
}

function main(argv) {
  const files = [];
  const steps = [];
  let allowedFile = DEFAULT_ALLOWED_SKIPS;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--allowed-skips') allowedFile = argv[++i] ?? '';
    else if (argv[i] === '--step') steps.push(argv[++i] ?? '');
    else files.push(argv[i]);
  }
  if (files.length === 0 || !allowedFile) {
    process.stderr.write(
      'usage: ci-summary.mjs [--allowed-skips FILE] [--step NAME=EXIT …] REPORT.json [REPORT.json …]\n',
    );
    return 2;
  }

  const total = { passed: 0, failed: 0, skipped: 0 };
  const allowed = readAllowedSkips(allowedFile);
  if (allowed.error) {
    console.log(`allow-list: FAILED ${allowed.error}`);
    total.failed++;
  }
  for (const file of files) {
    const label = path.basename(file, '.json');
    const { value, error } = readJson(file);
    const summary = summariseReport(label, value, allowed.lists?.[label] ?? [], error);
    for (const line of summary.lines) console.log(line);
    total.passed += summary.passed;
    total.failed += summary.failed;
    total.skipped += summary.skipped;
  }
  for (const spec of steps) {
    const step = summariseStep(spec);
    console.log(step.line);
    total.failed += step.failed;
  }
  const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
  console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
  return total.failed > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
