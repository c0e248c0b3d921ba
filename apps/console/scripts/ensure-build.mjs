#!/usr/bin/env node
// Builds the console when dist/ is missing or older than its sources (run by `npm start` and the tests).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const sources = [
  path.join(root, 'src'),
  path.join(root, 'index.html'),
  path.join(root, 'vite.config.ts'),
  path.join(root, 'package.json'),
  path.resolve(root, '../../packages/contracts/src'),
];

function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of fs.readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

/** True when dist/index.html is missing or older than any source file. */
export function consoleBuildStale() {
  const built = path.join(root, 'dist', 'index.html');
  if (!fs.existsSync(built)) return true;
  const builtAt = fs.statSync(built).mtimeMs;
  return sources.some((s) => newest(s) > builtAt);
}

export function ensureConsoleBuild({ quiet = false } = {}) {
  if (!consoleBuildStale()) {
    if (!quiet) console.log('console: dist is up to date');
    return;
  }
  console.log('console: building (vite build)…');
  const res = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`console build failed (exit ${res.status})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureConsoleBuild();
  } catch (e) {
    console.error(String(e instanceof Error ? e.message : e));
    process.exit(1);
  }
}
