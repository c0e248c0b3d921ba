#!/usr/bin/env node
// Totals vitest JSON reports (`vitest run --reporter=json --outputFile=FILE`) for CI.
//
//   node scripts/ci-summary.mjs .test-output/pglite.json .test-output/postgres.json
//
// Prints one line per report (and its failures), then the closing line `N passed, N failed[, N skipped]`
// totalled over all reports. Exits 1 when anything failed, a report is missing or unreadable, or a
// report ran no test. A file that did not even load, or errors outside any test, count as one failure
// each, so the closing line never says `0 failed` when the exit code says otherwise.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const MAX_LISTED = 30;

const count = (value) => (Number.isInteger(value) && value > 0 ? value : 0);
const rel = (file) => (file ? path.relative(process.cwd(), file) || file : '?');
const firstLine = (text) => String(text ?? '').split('\n')[0];

function readReport(file) {
  try {
    return { report: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (err) {
    const why =
      err.code === 'ENOENT' ? 'missing (did the test run crash before writing it?)' : firstLine(err.message);
    return { error: `unreadable report: ${why}` };
  }
}

/** @returns {{ passed: number, failed: number, skipped: number, lines: string[] }} */
function summarise(file) {
  const label = path.basename(file, '.json');
  const { report, error } = readReport(file);
  if (error || typeof report !== 'object' || report === null) {
    return { passed: 0, failed: 1, skipped: 0, lines: [`${label}: FAILED ${error ?? 'not a JSON object'}`] };
  }

  const passed = count(report.numPassedTests);
  const skipped = count(report.numPendingTests) + count(report.numTodoTests);
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
  const lines = [
    `${label}: ${status} (passed ${passed} / failed ${failed} / skipped ${skipped} in ${files} test files)`,
  ];
  for (const problem of problems.slice(0, MAX_LISTED)) lines.push(`  x ${problem}`);
  if (problems.length > MAX_LISTED) lines.push(`  … and ${problems.length - MAX_LISTED} more`);
  return { passed, failed, skipped, lines };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: ci-summary.mjs REPORT.json [REPORT.json …]\n');
  process.exit(2);
}

const total = { passed: 0, failed: 0, skipped: 0 };
for (const file of files) {
  const summary = summarise(file);
  for (const line of summary.lines) console.log(line);
  total.passed += summary.passed;
  total.failed += summary.failed;
  total.skipped += summary.skipped;
}
const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
process.exitCode = total.failed > 0 ? 1 : 0;
