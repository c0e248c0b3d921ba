import fs from 'node:fs';
import path from 'node:path';
import { ROLE_PERMISSIONS, type ROLES } from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';
import { consolePermissions } from '../src/shared/access.ts';
import type { FeatureDef } from '../src/shell/feature.ts';
import { homePath, visibleFeatures } from '../src/shell/registry.ts';

const FEATURES = path.resolve(import.meta.dirname, '../src/features');

const fake = (key: string, order: number, permission: FeatureDef['permission']): FeatureDef => ({
  key,
  order,
  permission,
  menu: { path: `/${key}`, label: { 'zh-CN': key, 'en-US': key } },
  routes: [],
});

describe('feature registry', () => {
  const all = [
    fake('audit', 120, 'audit:read'),
    fake('orders', 20, 'orders:read'),
    fake('finance', 50, 'orders:amounts'),
    fake('dashboard', 10, 'orders:read'),
    fake('both', 60, ['orders:read', 'users:manage']),
  ];
  const perms = (role: (typeof ROLES)[number]) =>
    consolePermissions({ role, permissions: [...ROLE_PERMISSIONS[role]] });

  it('shows each role only what its permissions allow, in menu order', () => {
    expect(visibleFeatures(all, perms('admin')).map((f) => f.key)).toEqual([
      'dashboard',
      'orders',
      'finance',
      'both',
      'audit',
    ]);
    expect(visibleFeatures(all, perms('warehouse')).map((f) => f.key)).toEqual(['dashboard', 'orders']);
    expect(visibleFeatures(all, perms('auditor')).map((f) => f.key)).toEqual([
      'dashboard',
      'orders',
      'finance',
      'audit',
    ]);
    expect(homePath(visibleFeatures(all, perms('warehouse')))).toBe('/dashboard');
  });

  it('never lets the warehouse see finance', () => {
    expect(perms('warehouse').has('orders:amounts')).toBe(false);
    expect(perms('finance').has('orders:amounts')).toBe(true);
    expect(perms('operations').has('orders:amounts')).toBe(true);
  });

  it('every feature folder has a feature.ts and imports no other feature', () => {
    const folders = fs.readdirSync(FEATURES).filter((f) => fs.statSync(path.join(FEATURES, f)).isDirectory());
    expect(folders.length).toBeGreaterThan(3);
    for (const folder of folders) {
      expect(fs.existsSync(path.join(FEATURES, folder, 'feature.ts')), folder).toBe(true);
      const root = path.join(FEATURES, folder);
      const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f));
      for (const file of files) {
        const text = fs.readFileSync(path.join(root, file), 'utf8');
        const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
        for (const spec of imports) {
          if (!spec.startsWith('.')) {
            expect(/features\//.test(spec), `${folder}/${file} imports ${spec}`).toBe(false);
            continue;
          }
          // A relative import stays inside its own feature or leaves features/ altogether (shared/, shell/).
          const target = path.resolve(path.dirname(path.join(root, file)), spec);
          const inOwn = target.startsWith(root + path.sep);
          const inFeatures = target.startsWith(FEATURES + path.sep);
          expect(inOwn || !inFeatures, `${folder}/${file} imports ${spec}`).toBe(true);
        }
      }
    }
  });
});
