import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountSheetRow, getCount, storeCountRows } from '../src/modules/inventory/counts.ts';
import { startTestApp, type TestApp } from './helpers.ts';
import { seedCountCatalog, skuCode } from './import-support.ts';

/**
 * A count's expected figures are what is on hand, however the sheet is ordered: a sorted sheet's
 * chunks read their stretch of the (warehouse, SKU) index whole; a scattered one overruns the
 * stretch's limit and is probed code by code from then on. Both must find every level, and 0
 * where a SKU has none in that warehouse.
 */
let t: TestApp;
const LEVELS = 2_000;

beforeAll(async () => {
  t = await startTestApp({ sampleSkus: false });
  // SKU k has k mod 89 on hand in WH-IMP-00 (k < LEVELS); WH-EMPTY holds nothing.
  await seedCountCatalog(t.database, LEVELS, { levels: true });
  await t.database.query(
    `INSERT INTO warehouses (id, code, name, created_at, updated_at) VALUES ('wh_empty', 'WH-EMPTY', 'empty', now(), now())`,
  );
});
afterAll(async () => {
  await t.close();
});

async function preview(rows: CountSheetRow[], opts: Parameters<typeof storeCountRows>[3]) {
  const id = `count_levels_${Math.random().toString(36).slice(2)}`;
  await t.database.query(
    `INSERT INTO stock_counts (id, status, note, created_at, created_by, format, rows_read)
     VALUES ($1, 'previewed', NULL, now(), 'test', 'csv', 0)`,
    [id],
  );
  // Batches of 7 rows, so chunk edges and batch edges fall apart.
  const batches: CountSheetRow[][] = [];
  for (let i = 0; i < rows.length; i += 7) batches.push(rows.slice(i, i + 7));
  expect(await storeCountRows(t.database, id, batches, opts)).toBe(rows.length);
  return (await getCount(t.database, id, { rowsLimit: 10_000 }))!;
}

/** Warehouse `WH-<NAME>` (id `wh_<name>`) and SKUs `codes`, code i with `base + i` on hand there. */
async function seedLevels(name: string, codes: readonly string[], base: number) {
  await t.database.query(
    `INSERT INTO warehouses (id, code, name, created_at, updated_at) VALUES ($1, $2, $3, now(), now())`,
    [`wh_${name}`, `WH-${name.toUpperCase()}`, name],
  );
  for (const [i, code] of codes.entries()) {
    await t.database.query(
      `INSERT INTO skus (id, code, name, created_at, updated_at) VALUES ($1, $2, $2, now(), now())`,
      [`sku_${name}${i}`, code],
    );
    await t.database.query(
      `INSERT INTO stock_levels (sku, warehouse_id, on_hand, updated_at) VALUES ($1, $2, $3, now())`,
      [code, `wh_${name}`, base + i],
    );
  }
}

const row = (i: number, k: number, warehouse = 'WH-IMP-00'): CountSheetRow => ({
  row: i + 2,
  sku: skuCode(k),
  warehouse,
  counted: '5',
});

describe('count preview: what is on hand, whatever the sheet order', () => {
  for (const [pipeline, boundsHere] of [
    [false, undefined],
    [true, undefined],
    [true, false],
  ] as const)
    it(`sorted and scattered sheets, a warehouse without levels (${pipeline ? 'pipelined' : 'one by one'}, bounds found ${boundsHere === false ? 'by the database' : 'here where the collation allows'})`, async () => {
      // Sorted: SKUs 100–399 in order; then WH-EMPTY (no levels); then a scattered run that
      // overruns the stretch's limit (k·37 mod LEVELS spans the whole warehouse in every chunk).
      const sorted = Array.from({ length: 300 }, (_, i) => row(i, 100 + i));
      const empty = Array.from({ length: 40 }, (_, i) => row(300 + i, 500 + i, 'WH-EMPTY'));
      const scattered = Array.from({ length: 300 }, (_, i) => row(340 + i, (1_000 + i * 37) % LEVELS));
      const seen = new Set(sorted.map((r) => r.sku));
      const rows = [...sorted, ...empty, ...scattered.filter((r) => !seen.has(r.sku))];
      const view = await preview(rows, {
        chunkRows: 50,
        lookupCodes: 100,
        pipeline,
        ...(boundsHere === false ? { boundsHere } : {}),
      });
      expect(view.rows).toHaveLength(rows.length);
      for (const [i, r] of view.rows.entries()) {
        const k = Number(r.sku.slice(4));
        expect(r.row).toBe(rows[i]!.row);
        expect(r.expected, `${r.sku} in ${r.warehouse}`).toBe(r.warehouse === 'WH-EMPTY' ? 0 : k % 89);
        expect(r.counted).toBe(5);
      }
    });
});

describe('count preview: SKUs looked up by stretches of the master', () => {
  it('refuses a code the master lacks, inside a sorted stretch and in a scattered run', async () => {
    // IMP-000150A sorts between two SKUs of the master, read as one stretch; IMP-999999 lies past
    // the master's end, in the scattered run that overruns the stretch and is probed code by code.
    const sorted = Array.from({ length: 120 }, (_, i) => row(i, 100 + i));
    sorted.splice(50, 0, { row: 900, sku: 'IMP-000150A', warehouse: 'WH-IMP-00', counted: '5' });
    const seen = new Set(sorted.map((r) => r.sku));
    const scattered = Array.from({ length: 120 }, (_, i) => row(200 + i, (1_000 + i * 37) % LEVELS)).filter(
      (r) => !seen.has(r.sku),
    );
    scattered.splice(60, 0, { row: 901, sku: 'IMP-999999', warehouse: 'WH-IMP-00', counted: '5' });
    for (const boundsHere of [undefined, false]) {
      const id = `count_unknown_${Math.random().toString(36).slice(2)}`;
      await t.database.query(
        `INSERT INTO stock_counts (id, status, note, created_at, created_by, format, rows_read)
         VALUES ($1, 'processing', NULL, now(), 'test', 'csv', 0)`,
        [id],
      );
      const failed = await storeCountRows(t.database, id, [[...sorted, ...scattered]], {
        chunkRows: 50,
        lookupCodes: 40,
        ...(boundsHere === false ? { boundsHere } : {}),
      }).catch((e: { code?: string; details?: { badRows?: { row: number; problem: string }[] } }) => e);
      expect(failed).toMatchObject({ code: 'COUNT_SHEET_INVALID' });
      const bad = (failed as { details: { badRows: { row: number; problem: string }[] } }).details.badRows;
      expect(bad.map((b) => [b.row, b.problem])).toEqual([
        [900, 'SKU_UNKNOWN'],
        [901, 'SKU_UNKNOWN'],
      ]);
    }
  });
});

describe('count preview: codes past U+D800 (full-width letters, emoji, rare Han)', () => {
  it('finds every level where JavaScript and the database order such codes differently', async () => {
    // UTF-16 puts surrogate pairs (😀, 𠀀) below full-width letters (Ａ, Ｚ); code-point order,
    // as collation C compares, puts them above. A chunk's bounds taken in JavaScript would miss them.
    const codes = ['AX-1', 'Ａ-2', 'Ｚ-1', '😀-1', '𠀀-3'];
    await seedLevels('wide', codes, 11);
    const rows = codes.map((sku, i) => ({ row: i + 2, sku, warehouse: 'WH-WIDE', counted: '5' }));
    for (const opts of [{}, { boundsHere: false }]) {
      const view = await preview(rows, { chunkRows: 50, lookupCodes: 100, ...opts });
      expect(view.rows.map((r) => [r.sku, r.expected])).toEqual(codes.map((c, i) => [c, 11 + i]));
    }
  });
});

describe('count preview: a code holding the lists’ separator (U+001F)', () => {
  it('reads its level and its neighbours’ right, in a stretch and in probes', async () => {
    // The levels come back as SKUs joined by U+001F; a code with one inside would shift every
    // figure after it if the list were split blindly.
    const codes = ['SEP-1', 'SEP-2\u001fX', 'SEP-3', 'SEP-4'];
    await seedLevels('sep', codes, 21);
    const rows = codes.map((sku, i) => ({ row: i + 2, sku, warehouse: 'WH-SEP', counted: '5' }));
    // In order (one stretch), and scattered (the stretch overruns and the codes are probed).
    const scattered = [rows[2]!, rows[0]!, rows[3]!, rows[1]!].map((r, i) => ({ ...r, row: i + 2 }));
    for (const opts of [{}, { boundsHere: false }]) {
      const view = await preview(rows, { chunkRows: 50, lookupCodes: 100, ...opts });
      expect(view.rows.map((r) => [r.sku, r.expected])).toEqual(codes.map((c, i) => [c, 21 + i]));
    }
    const view = await preview(scattered, { chunkRows: 50, lookupCodes: 100 });
    expect(view.rows.map((r) => [r.sku, r.expected])).toEqual(
      scattered.map((r) => [r.sku, 21 + codes.indexOf(r.sku)]),
    );
  });
});
