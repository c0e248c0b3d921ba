import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readAllowedSkips, summariseReport, summariseStep } from '../../../scripts/ci-summary.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const FILE = path.join(ROOT, 'apps/server/test/cli.e2e.test.ts');
const PG_TEST = 'apps/server/test/cli.e2e.test.ts > orderhub on PostgreSQL > migrate works';

/** A vitest JSON report with one file: one passing test, and the given skipped ones. */
function report(skipped: { describe: string; title: string; status?: string }[]) {
  return {
    numPassedTests: 1,
    numFailedTests: 0,
    numPendingTests: skipped.length,
    numTodoTests: 0,
    success: true,
    testResults: [
      {
        name: FILE,
        status: 'passed',
        message: '',
        assertionResults: [
          { ancestorTitles: ['orderhub'], title: 'starts', fullName: 'orderhub starts', status: 'passed' },
          ...skipped.map((s) => ({
            ancestorTitles: [s.describe],
            title: s.title,
            fullName: `${s.describe} ${s.title}`,
            status: s.status ?? 'skipped',
          })),
        ],
      },
    ],
  };
}

describe('CI summary', () => {
  it('accepts the skips on the allow-list of that report', () => {
    const s = summariseReport(
      'pglite',
      report([{ describe: 'orderhub on PostgreSQL', title: 'migrate works' }]),
      [PG_TEST],
    );
    expect(s).toMatchObject({ passed: 1, failed: 0, skipped: 1 });
    expect(s.lines[0]).toMatch(/^pglite: ok /);
  });

  it('fails a stray skip or todo, naming it, and counts it as failed', () => {
    const s = summariseReport(
      'pglite',
      report([
        { describe: 'orderhub on PostgreSQL', title: 'migrate works' },
        { describe: 'orderhub', title: 'stops', status: 'skipped' },
        { describe: 'orderhub', title: 'later', status: 'todo' },
      ]),
      [PG_TEST],
    );
    expect(s).toMatchObject({ passed: 1, failed: 2, skipped: 1 });
    expect(s.lines[0]).toMatch(/^pglite: FAILED .*failed 2 \(2 unexpected skips\)/);
    expect(s.lines).toContain(
      '  x skipped, not on the allow-list: apps/server/test/cli.e2e.test.ts > orderhub > stops',
    );
    expect(s.lines).toContain(
      '  x skipped, not on the allow-list: apps/server/test/cli.e2e.test.ts > orderhub > later',
    );
  });

  it('does not let one backend’s allowed skip pass on the other', () => {
    const s = summariseReport(
      'postgres',
      report([{ describe: 'orderhub on PostgreSQL', title: 'migrate works' }]),
      [],
    );
    expect(s.failed).toBe(1);
  });

  it('fails a missing report', () => {
    const s = summariseReport('postgres', undefined, [], 'missing');
    expect(s).toMatchObject({ failed: 1 });
  });

  it('counts a failed CI step as one failure', () => {
    expect(summariseStep('bench:smoke=0')).toEqual({ failed: 0, line: 'bench:smoke: ok' });
    expect(summariseStep('lint:openapi=1')).toEqual({ failed: 1, line: 'lint:openapi: FAILED (exit 1)' });
    expect(summariseStep('bench:smoke=124').line).toBe('bench:smoke: FAILED (timed out)');
  });

  it('reads the committed allow-list, with one list per backend', () => {
    const { lists, error } = readAllowedSkips(path.join(ROOT, '.ci/allowed-skips.json'));
    expect(error).toBeUndefined();
    expect(Object.keys(lists ?? {}).sort()).toEqual(['pglite', 'postgres']);
  });
});
