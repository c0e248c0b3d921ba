import { describe, expect, it } from 'vitest';
import { boundaryViolations, readSources, type SourceFile, tableOwners } from './boundaries.ts';

const sources = readSources();
const owners = tableOwners(sources);

describe('module boundaries', () => {
  it('knows an owner for every table the migrations create (and do not drop again)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../drizzle/', import.meta.url);
    const sql = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    const names = (re: RegExp) => [...sql.matchAll(re)].map((m) => m[1]!);
    const dropped = new Set(names(/DROP TABLE (?:IF EXISTS )?"?([a-z_][a-z0-9_]*)"?/g));
    const created = names(/CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_][a-z0-9_]*)"?/g).filter(
      (t) => !dropped.has(t),
    );
    expect(created.filter((t) => !owners.has(t))).toEqual([]);
  });

  it('no SQL names a table outside its owning module, and modules meet only through index.ts', () => {
    expect(boundaryViolations(sources, owners)).toEqual([]);
  });

  it('catches a planted violation of each kind', () => {
    const planted: SourceFile[] = [
      ...sources,
      {
        path: 'modules/metrics/planted.ts',
        text: 'export const q = `SELECT count(*) FROM orders o JOIN channel_accounts a ON a.id = o.channel_account_id`;',
      },
      { path: 'flows/planted.ts', text: 'export const q = `UPDATE stock_levels SET reserved = 0`;' },
      { path: 'platform/planted.ts', text: "import { listOrders } from '../modules/orders/index.ts';" },
      { path: 'modules/inventory/planted.ts', text: "import { skus } from '../catalog/schema.ts';" },
      {
        path: 'modules/orders/planted.ts',
        text: "import { ingestOrder } from '../../flows/ingest-order.ts';",
      },
    ];
    const before = new Set(boundaryViolations(sources, owners));
    const found = boundaryViolations(planted, owners).filter((v) => !before.has(v));
    expect(found).toEqual(
      expect.arrayContaining([
        'modules/metrics/planted.ts:1 names orders (owned by modules/orders)',
        'modules/metrics/planted.ts:1 names channel_accounts (owned by modules/channels)',
        'flows/planted.ts:1 names stock_levels (owned by modules/inventory)',
        'platform/planted.ts:1 platform imports modules/orders/index.ts',
        'modules/inventory/planted.ts:1 imports modules/catalog/schema.ts instead of modules/catalog/index.ts',
        'modules/orders/planted.ts:1 a module imports flows/ingest-order.ts',
      ]),
    );
    expect(found).toHaveLength(6);
  });
});
