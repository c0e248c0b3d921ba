/**
 * Lints the served OpenAPI document with Redocly's recommended rules: any error fails, warnings
 * are counted per rule. The last line is one JSON object ({ errors, warnings }).
 *
 *   npm run lint:openapi [-- --keep path/to/openapi.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openApiDocument } from './openapi-document.ts';

/** Pinned: a new release may add rules; bump on purpose. */
const REDOCLY = '@redocly/cli@2.77.0';

interface Problem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location?: { pointer?: string }[];
}

const keepAt = process.argv.indexOf('--keep');
const dir = await mkdtemp(path.join(tmpdir(), 'orderhub-openapi-'));
try {
  const file =
    keepAt > 0 ? path.resolve(process.argv[keepAt + 1] ?? 'openapi.json') : path.join(dir, 'openapi.json');
  await writeFile(file, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
  const run = spawnSync(
    'npx',
    [
      '--yes',
      REDOCLY,
      'lint',
      '--extends',
      'recommended',
      '--format',
      'json',
      '--max-problems',
      '10000',
      file,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  let problems: Problem[];
  try {
    problems = (JSON.parse(run.stdout) as { problems: Problem[] }).problems;
  } catch {
    process.stderr.write(run.stderr);
    throw new Error(`${REDOCLY} gave no JSON report (exit ${run.status})`);
  }
  const byRule = new Map<string, { severity: string; n: number }>();
  for (const p of problems) {
    const r = byRule.get(p.ruleId) ?? { severity: p.severity, n: 0 };
    r.n++;
    byRule.set(p.ruleId, r);
  }
  for (const p of problems.filter((p) => p.severity === 'error'))
    console.log(`error   ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? '?'}`);
  for (const [rule, r] of byRule)
    console.log(`${r.severity === 'error' ? 'errors  ' : 'warnings'} ${rule}: ${r.n}`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  console.log(JSON.stringify({ linter: REDOCLY, rules: 'recommended', errors, warnings }));
  if (errors) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
