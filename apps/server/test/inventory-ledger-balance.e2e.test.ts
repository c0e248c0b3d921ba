import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.ts';
import { startTestApp, type TestApp } from './helpers.ts';
import { assertInvariants, level, orderFor, setupStock, transition } from './inventory-support.ts';

const clock = new ManualClock('2026-01-09T01:00:00Z');
let t: TestApp;

interface Row {
  id: string;
  type: string;
  onHand: number;
  reserved: number;
  frozen: number;
  inTransit: number;
  balanceAfter?: { onHand: number; reserved: number; frozen: number; inTransit: number; available: number };
}

beforeAll(async () => {
  t = await startTestApp({ clock, sampleSkus: false });
  await setupStock(
    t,
    ['TEA-SET-01', 'CUP-02'],
    [
      { code: 'WH-HZ', priority: 10 },
      { code: 'WH-SZ', priority: 5 },
    ],
    [
      { warehouse: 'WH-HZ', sku: 'TEA-SET-01', quantity: 10 },
      { warehouse: 'WH-SZ', sku: 'TEA-SET-01', quantity: 7 },
      { warehouse: 'WH-HZ', sku: 'CUP-02', quantity: 3 },
    ],
  );
  // Receipt 10, a reservation of 2, shipped; a reservation of 3 held; a freeze of 1; an adjustment of -1.
  const shipped = (await t.as('admin').post('/api/orders', orderFor([{ sku: 'TEA-SET-01', quantity: 2 }])))
    .body.order.id;
  for (const e of ['approve', 'start_fulfilment', 'ship']) await transition(t, shipped, e);
  await t.as('admin').post('/api/orders', orderFor([{ sku: 'TEA-SET-01', quantity: 3 }]));
  await t.as('customer_service').post('/api/inventory/freezes', {
    sku: 'TEA-SET-01',
    warehouse: 'WH-HZ',
    quantity: 1,
    reasonCode: 'QUALITY_CHECK',
  });
  await t.as('warehouse').post('/api/inventory/adjustments', {
    warehouse: 'WH-HZ',
    lines: [{ sku: 'TEA-SET-01', delta: -1 }],
    reasonCode: 'DAMAGED',
  });
});
afterAll(async () => {
  await assertInvariants(t.database);
  await t.close();
});

async function ledger(query: string): Promise<{ items: Row[]; nextCursor: string | null }> {
  const res = await t.as('auditor').get(`/api/inventory/movements?${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('ledger running balance per SKU × warehouse', () => {
  it('filtered to one SKU and warehouse, each movement carries the counters after it', async () => {
    const { items } = await ledger('sku=TEA-SET-01&warehouse=WH-HZ');
    expect(items.map((m) => m.type)).toEqual([
      'adjustment',
      'freeze',
      'reserve',
      'ship',
      'reserve',
      'receipt',
    ]);
    const now = await level(t, 'TEA-SET-01', 'WH-HZ');
    expect(items[0]!.balanceAfter).toEqual({
      onHand: now.onHand,
      reserved: now.reserved,
      frozen: now.frozen,
      inTransit: now.inTransit,
      available: now.onHand - now.reserved - now.frozen,
    });
    expect(items[0]!.balanceAfter).toMatchObject({ onHand: 7, reserved: 3, frozen: 1, available: 3 });
    expect(items.at(-1)!.balanceAfter).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    // Each balance is the one before it plus the movement's own change.
    for (let i = 0; i < items.length - 1; i++) {
      const [cur, prev] = [items[i]!, items[i + 1]!];
      expect(cur.balanceAfter!.onHand).toBe(prev.balanceAfter!.onHand + cur.onHand);
      expect(cur.balanceAfter!.reserved).toBe(prev.balanceAfter!.reserved + cur.reserved);
      expect(cur.balanceAfter!.frozen).toBe(prev.balanceAfter!.frozen + cur.frozen);
    }
  });

  it('pages and other filters keep the balance of the whole ledger (not of the page)', async () => {
    const all = (await ledger('sku=TEA-SET-01&warehouse=WH-HZ')).items;
    const first = await ledger('sku=TEA-SET-01&warehouse=WH-HZ&limit=4');
    expect(first.items).toHaveLength(4);
    const second = await ledger(`sku=TEA-SET-01&warehouse=WH-HZ&limit=4&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items]).toEqual(all);
    const ships = (await ledger('sku=TEA-SET-01&warehouse=WH-HZ&type=ship')).items;
    expect(ships).toHaveLength(1);
    expect(ships[0]!.balanceAfter).toEqual(all.find((m) => m.type === 'ship')!.balanceAfter);
    expect(ships[0]!.balanceAfter).toMatchObject({ onHand: 8, reserved: 0 });
  });

  it('another warehouse of the same SKU has its own balance; without both filters there is none', async () => {
    const sz = (await ledger('sku=TEA-SET-01&warehouse=WH-SZ')).items;
    expect(sz).toHaveLength(1);
    expect(sz[0]!.balanceAfter).toMatchObject({ onHand: 7, available: 7 });
    for (const q of ['sku=TEA-SET-01', 'warehouse=WH-HZ', '']) {
      const { items } = await ledger(q);
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((m) => m.balanceAfter === undefined)).toBe(true);
    }
    expect((await ledger('sku=NOPE&warehouse=WH-HZ')).items).toEqual([]);
  });
});
