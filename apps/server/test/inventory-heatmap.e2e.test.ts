import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;

async function ok(res: Promise<{ status: number; body: unknown }>) {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r;
}

describe('GET /api/inventory/heatmap', () => {
  beforeAll(async () => {
    t = await startTestApp();
    const admin = t.as('admin');
    for (const [code, category] of [
      ['HM-TEA-1', '茶具'],
      ['HM-TEA-2', '茶具'],
      ['HM-CUP-1', '杯子'],
      ['HM-LOOSE', null],
    ] as const) {
      await ok(admin.post('/api/skus', { code, name: code, ...(category ? { category } : {}) }));
    }
    await ok(admin.post('/api/warehouses', { code: 'HM-A', name: '仓 A', priority: 10 }));
    await ok(admin.post('/api/warehouses', { code: 'HM-B', name: '仓 B', priority: 5 }));
    await ok(admin.post('/api/warehouses', { code: 'HM-EMPTY', name: '空仓' }));
    await ok(
      admin.post('/api/inventory/receipts', {
        warehouse: 'HM-A',
        lines: [
          { sku: 'HM-TEA-1', quantity: 10 },
          { sku: 'HM-TEA-2', quantity: 5 },
          { sku: 'HM-CUP-1', quantity: 7 },
          { sku: 'HM-LOOSE', quantity: 1 },
        ],
      }),
    );
    await ok(
      admin.post('/api/inventory/receipts', { warehouse: 'HM-B', lines: [{ sku: 'HM-CUP-1', quantity: 3 }] }),
    );
    await ok(
      t.request('PUT', '/api/inventory/safety-stock', {
        body: {
          items: [
            { sku: 'HM-TEA-1', warehouse: 'HM-A', safetyStock: 4 },
            { sku: 'HM-TEA-2', warehouse: 'HM-A', safetyStock: 8 },
          ],
        },
      }),
    );
  });
  afterAll(async () => t?.close());

  const cell = (
    body: { cells: { warehouse: string; category: string | null }[] },
    w: string,
    c: string | null,
  ) => body.cells.find((x) => x.warehouse === w && x.category === c);

  it('sums available units per warehouse × category', async () => {
    const res = await t.as('warehouse').get('/api/inventory/heatmap');
    expect(res.status).toBe(200);
    expect(res.body.measure).toBe('available');
    expect(res.body.categories).toEqual(['杯子', '茶具', null]);
    expect(res.body.warehouses.map((w: { code: string }) => w.code)).toEqual(['HM-A', 'HM-B', 'HM-EMPTY']);
    expect(cell(res.body, 'HM-A', '茶具')).toMatchObject({ value: 15, skus: 2, belowSafety: 1 });
    expect(cell(res.body, 'HM-A', '杯子')).toMatchObject({ value: 7, skus: 1, belowSafety: 0 });
    expect(cell(res.body, 'HM-B', '杯子')).toMatchObject({ value: 3, skus: 1 });
    expect(cell(res.body, 'HM-A', null)).toMatchObject({ value: 1, skus: 1 });
    expect(cell(res.body, 'HM-B', '茶具')).toBeUndefined();
  });

  it('sums sellable units (safety stock kept back, never below zero per level)', async () => {
    const res = await t.as('auditor').get('/api/inventory/heatmap?measure=sellable');
    expect(res.status).toBe(200);
    expect(res.body.measure).toBe('sellable');
    // 10 − 4 = 6, and max(0, 5 − 8) = 0
    expect(cell(res.body, 'HM-A', '茶具')).toMatchObject({ value: 6 });
    expect(cell(res.body, 'HM-A', '杯子')).toMatchObject({ value: 7 });
  });

  it('follows stock changes and refuses an unknown measure', async () => {
    const before = cell(
      (await t.as('admin').get('/api/inventory/heatmap')).body,
      'HM-A',
      '杯子',
    ) as unknown as {
      value: number;
    };
    await ok(
      t.as('admin').post('/api/inventory/adjustments', {
        warehouse: 'HM-A',
        lines: [{ sku: 'HM-CUP-1', delta: -2 }],
        reasonCode: 'DAMAGED',
      }),
    );
    const after = cell(
      (await t.as('admin').get('/api/inventory/heatmap')).body,
      'HM-A',
      '杯子',
    ) as unknown as {
      value: number;
    };
    expect(after.value).toBe(before.value - 2);
    const bad = await t.as('admin').get('/api/inventory/heatmap?measure=onHand');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('needs inventory:read', async () => {
    const anon = await t.as(null).get('/api/inventory/heatmap');
    expect(anon.status).toBe(401);
  });
});
