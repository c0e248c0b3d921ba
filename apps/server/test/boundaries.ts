import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** One source file of the server, by its path under `src/` (forward slashes). */
export interface SourceFile {
  path: string;
  text: string;
}

export const SERVER_SRC = path.resolve(import.meta.dirname, '../src');

export function readSources(root = SERVER_SRC): SourceFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
    });
  return walk(root).map((p) => ({
    path: path.relative(root, p).split(path.sep).join('/'),
    text: readFileSync(p, 'utf8'),
  }));
}

/** `modules/<name>`, `flows`, `platform`, `cli`, or `app` for the composition root. */
export function unitOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'modules') return `modules/${parts[1]}`;
  return parts.length > 1 ? parts[0]! : 'app';
}

/** Table → owning unit, from the `pgTable('name'` declarations in each module's schema.ts. */
export function tableOwners(files: readonly SourceFile[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const f of files) {
    if (!f.path.endsWith('/schema.ts')) continue;
    for (const m of f.text.matchAll(/pgTable\(\s*['"]([a-z_][a-z0-9_]*)['"]/g))
      owners.set(m[1]!, unitOf(f.path));
  }
  return owners;
}

const SQL_VERB = String.raw`\b(?:FROM|JOIN|INTO|UPDATE|TABLE|REFERENCES|TRUNCATE)\s+(?:ONLY\s+)?`;

/**
 * Every place where a module or flow names a table it does not own in SQL text, imports another
 * module other than through its index.ts, or where the platform imports a module.
 */
export function boundaryViolations(files: readonly SourceFile[], owners: Map<string, string>): string[] {
  const found: string[] = [];
  const line = (text: string, index: number) => text.slice(0, index).split('\n').length;
  for (const f of files) {
    const unit = unitOf(f.path);
    if (unit === 'modules' || f.path === 'schema.ts') continue;
    if (unit.startsWith('modules/') || unit === 'flows') {
      for (const [table, owner] of owners) {
        if (owner === unit) continue;
        const re = new RegExp(`${SQL_VERB}(?:"?public"?\\.)?"?${table}"?\\b`, 'gi');
        for (const m of f.text.matchAll(re))
          found.push(`${f.path}:${line(f.text, m.index)} names ${table} (owned by ${owner})`);
      }
      if (unit !== 'platform')
        for (const m of f.text.matchAll(new RegExp(`${SQL_VERB}"?pgboss"?\\.`, 'gi')))
          found.push(`${f.path}:${line(f.text, m.index)} names a pgboss table (owned by platform)`);
    }
    for (const m of f.text.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f.path), m[1]!));
      const to = unitOf(target);
      const at = `${f.path}:${line(f.text, m.index)}`;
      if (unit === 'platform' && (to.startsWith('modules/') || to === 'flows'))
        found.push(`${at} platform imports ${target}`);
      if (unit.startsWith('modules/') && to === 'flows') found.push(`${at} a module imports ${target}`);
      const viaIndex = target.endsWith('/index.ts');
      // A schema may reference another module's table in a foreign key; nothing else reaches in.
      const fk = f.path.endsWith('/schema.ts') && target.endsWith('/schema.ts');
      if (
        (unit.startsWith('modules/') || unit === 'flows') &&
        to.startsWith('modules/') &&
        to !== unit &&
        !viaIndex &&
        !fk
      )
        found.push(`${at} imports ${target} instead of ${to}/index.ts`);
    }
  }
  return found;
}
