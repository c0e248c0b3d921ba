import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fuzz, fuzzOperation, prepare, settingsFromEnv } from './fuzz/runner.ts';
import { startTestApp, type TestApp } from './helpers.ts';

/**
 * The fuzz suite over the whole API (docs/testing.md): every operation of the app's own OpenAPI
 * document, every role, requests drawn from the schemas and a dictionary of nasty values. No 5xx,
 * every 4xx with a contract code, a refused write changes no row, /healthz within its budget.
 * CI runs a fixed-seed slice; `npm run fuzz` a long one with a random seed.
 */
const settings = settingsFromEnv();
// The app is built before the tests are collected: the operations to fuzz come from its document.
const t: TestApp = await startTestApp({ sampleSkus: false });
const f: Fuzz = await prepare(t, settings);
const failures: string[] = [];

beforeAll(() => {
  console.info(
    `fuzz: seed ${settings.seed}, ${f.operations.length} operations × ${f.runsPer} requests, classes ${[...settings.classes].join(',') || 'none'}, nasty ${settings.nastyRate}`,
  );
});

afterAll(async () => {
  {
    const reach = [...f.target.stats]
      .map(([op, m]) => {
        const codes = [...m]
          .filter(([k]) => k.includes(' '))
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([k, n]) => `${k}×${n}`);
        return `${op} ${['2xx', '4xx', '5xx'].map((b) => `${b}:${m.get(b) ?? 0}`).join(' ')}  ${codes.join(' ')}`;
      })
      .join('\n  ');
    console.info(`fuzz: answers per operation\n  ${reach}`);
    const findings = [...f.target.findings.values()];
    if (findings.length) {
      console.warn(
        `fuzz: ${findings.length} answers with a code the operation's OpenAPI answers do not list:\n${findings
          .map(
            (x) =>
              `- ${x.operation}: ${x.status} ${x.code} (${x.what})\n    ${x.example.replace(/\n/g, '\n    ')}`,
          )
          .join('\n')}`,
      );
    }
    if (failures.length)
      console.error(`fuzz: ${failures.length} failures (seed ${settings.seed}):\n\n${failures.join('\n\n')}`);
  }
  await t.close();
});

describe(`fuzz over the OpenAPI document (seed ${settings.seed})`, () => {
  it('reads a document with operations to fuzz', () => {
    expect(f.operations.length).toBeGreaterThan(settings.only ? 0 : 20);
  });

  for (const op of f.operations) {
    it(`${op.id}: ${op.method} ${op.path}`, { timeout: settings.timeLimitMs + 120_000 }, async () => {
      const report = await fuzzOperation(f, op);
      if (report) failures.push(report);
      expect(report, report).toBeUndefined();
    });
  }
});
