import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipOrderUnits } from '../src/flows/order-inventory.ts';
import { stockDepsOf } from '../src/modules/inventory/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { startTestApp, type TestApp } from './helpers.ts';
import { assertInvariants, level, orderFor, setupStock, transition } from './inventory-support.ts';

const clock = new ManualClock('2026-01-09T01:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock, sampleSkus: false });
  await setupStock(
    t,
    ['CUP-02', 'TEA-SET-01'],
    [
      { code: 'WH-HZ', priority: 10 },
      { code: 'WH-SZ', priority: 5 },
    ],
    [
      { warehouse: 'WH-HZ', sku: 'CUP-02', quantity: 1 },
      { warehouse: 'WH-HZ', sku: 'TEA-SET-01', quantity: 10 },
    ],
  );
  // Names people read in the timeline.
  const hz = await t.as('admin').patch('/api/warehouses/WH-HZ', { name: '杭州仓' });
  expect(hz.status, JSON.stringify(hz.body)).toBe(200);
  const sz = await t.as('admin').patch('/api/warehouses/WH-SZ', { name: '苏州仓' });
  expect(sz.status, JSON.stringify(sz.body)).toBe(200);
  const svc = await t.as('admin').post('/api/skus', { code: 'GIFT-WRAP', name: '礼品包装', tracked: false });
  expect(svc.status, JSON.stringify(svc.body)).toBe(201);
  expect(svc.body.tracked).toBe(false);
});
afterAll(async () => {
  await assertInvariants(t.database);
  await t.close();
});

const detail = async (id: string) => (await t.as('admin').get(`/api/orders/${id}`)).body;
const stockEntries = (d: { timeline: { event: string; details: unknown }[] }) =>
  d.timeline.filter((e) => e.event === 'stock').map((e) => e.details);
const counts = async () => ({
  timeline: await t.count('order_timeline'),
  audit: await t.count('audit_log'),
  movements: await t.count('stock_movements'),
  jobs: await t.count(`pgboss.job WHERE name = 'order-events'`),
});

describe('an order for 5 units with 1 in stock', () => {
  let id: string;
  let before: { goodsAmount: number; total: number };

  it('reserves 1 and is held OUT_OF_STOCK; the timeline says where the unit is', async () => {
    const res = await t.as('admin').post('/api/orders', orderFor([{ sku: 'CUP-02', quantity: 5 }]));
    expect(res.status).toBe(201);
    expect(res.body.order).toMatchObject({ status: 'on_hold', holdReason: 'OUT_OF_STOCK' });
    id = res.body.order.id;
    before = { goodsAmount: res.body.order.goodsAmount, total: res.body.order.total };
    expect(await level(t, 'CUP-02', 'WH-HZ')).toMatchObject({ reserved: 1, available: 0 });
    const d = await detail(id);
    expect(stockEntries(d)).toEqual([
      {
        action: 'reserved',
        items: [{ sku: 'CUP-02', quantity: 1, warehouse: { code: 'WH-HZ', name: '杭州仓' } }],
      },
    ]);
    // created, stock reserved, hold — in that order, in one transaction.
    expect(d.timeline.map((e: { event: string }) => e.event)).toEqual(['created', 'stock', 'hold']);
  });

  it('cannot be approved: 409 ORDER_STOCK_NOT_RESERVED with the lines, nothing written', async () => {
    const d = await detail(id);
    const next = d.nextEvents.find((e: { event: string }) => e.event === 'approve');
    expect(next).toMatchObject({
      allowed: false,
      blockedBy: {
        code: 'ORDER_STOCK_NOT_RESERVED',
        details: { lines: [{ lineNo: 1, sku: 'CUP-02', quantity: 5, reserved: 1 }] },
      },
    });
    const c0 = await counts();
    const res = await t.as('operations').post(`/api/orders/${id}/transitions`, {
      event: 'approve',
      version: d.version,
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ORDER_STOCK_NOT_RESERVED');
    expect(res.body.details).toEqual({ lines: [{ lineNo: 1, sku: 'CUP-02', quantity: 5, reserved: 1 }] });
    expect(await counts()).toEqual(c0);
    expect((await detail(id)).version).toBe(d.version);
  });

  it('cannot be started or shipped either, even when it got past approval some other way', async () => {
    // A partly reserved order that is approved (e.g. stock released after approval): the guard
    // still holds start_fulfilment; one that is fulfilling cannot ship.
    const [row] = await t.database.query<{ version: number }>(`SELECT version FROM orders WHERE id = $1`, [
      id,
    ]);
    await t.database.query(`UPDATE orders SET status = 'approved', hold_reason = NULL WHERE id = $1`, [id]);
    const c0 = await counts();
    const start = await t.as('admin').post(`/api/orders/${id}/transitions`, {
      event: 'start_fulfilment',
      version: row!.version,
    });
    expect(start.status).toBe(409);
    expect(start.body.code).toBe('ORDER_STOCK_NOT_RESERVED');
    expect(start.body.details.lines).toEqual([{ lineNo: 1, sku: 'CUP-02', quantity: 5, reserved: 1 }]);
    await t.database.query(`UPDATE orders SET status = 'fulfilling' WHERE id = $1`, [id]);
    const ship = await t.as('admin').post(`/api/orders/${id}/transitions`, {
      event: 'ship',
      version: row!.version,
    });
    expect(ship.status).toBe(409);
    expect(ship.body.code).toBe('ORDER_STOCK_NOT_RESERVED');
    const shipNext = (await detail(id)).nextEvents.find((e: { event: string }) => e.event === 'ship');
    expect(shipNext.blockedBy.code).toBe('ORDER_STOCK_NOT_RESERVED');
    expect(await counts()).toEqual(c0);
    expect(await level(t, 'CUP-02', 'WH-HZ')).toMatchObject({ onHand: 1, reserved: 1 });
    await t.database.query(
      `UPDATE orders SET status = 'on_hold', hold_reason = 'OUT_OF_STOCK' WHERE id = $1`,
      [id],
    );
  });

  it('a retry while still short takes nothing and says which lines lack stock', async () => {
    const c0 = await counts();
    const res = await t.as('customer_service').post(`/api/orders/${id}/reservations:retry`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.code).toBe('ORDER_STOCK_NOT_RESERVED');
    expect(res.body.details.lines).toEqual([{ lineNo: 1, sku: 'CUP-02', quantity: 5, reserved: 1 }]);
    expect(await counts()).toEqual(c0);
    const forbidden = await t.as('warehouse').post(`/api/orders/${id}/reservations:retry`, {});
    expect(forbidden.status).toBe(403);
  });

  it('a retry after a receipt in another warehouse takes the rest and releases the hold', async () => {
    const rc = await t.as('warehouse').post('/api/inventory/receipts', {
      warehouse: 'WH-SZ',
      lines: [{ sku: 'CUP-02', quantity: 4 }],
    });
    expect(rc.status).toBe(201);
    const res = await t.as('operations').post(`/api/orders/${id}/reservations:retry`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'under_review', holdReason: null });
    expect(res.body.goodsAmount).toBe(before.goodsAmount);
    expect(res.body.total).toBe(before.total);
    expect(await level(t, 'CUP-02', 'WH-SZ')).toMatchObject({ reserved: 4, available: 0 });
    expect(stockEntries(res.body).at(-1)).toEqual({
      action: 'reserved',
      items: [{ sku: 'CUP-02', quantity: 4, warehouse: { code: 'WH-SZ', name: '苏州仓' } }],
      reason: 'RETRY',
    });
    expect(res.body.nextEvents.find((e: { event: string }) => e.event === 'approve')).toMatchObject({
      allowed: true,
      blockedBy: null,
    });
  });

  it('whole, it is approved, started and shipped; shipping consumes exactly what it holds', async () => {
    await transition(t, id, 'approve');
    await transition(t, id, 'start_fulfilment');
    const shipped = await transition(t, id, 'ship');
    expect(shipped.status).toBe('shipped');
    expect(await level(t, 'CUP-02', 'WH-HZ')).toMatchObject({ onHand: 0, reserved: 0 });
    expect(await level(t, 'CUP-02', 'WH-SZ')).toMatchObject({ onHand: 0, reserved: 0 });
    expect(stockEntries(shipped).at(-1)).toEqual({
      action: 'consumed',
      items: [
        { sku: 'CUP-02', quantity: 1, warehouse: { code: 'WH-HZ', name: '杭州仓' } },
        { sku: 'CUP-02', quantity: 4, warehouse: { code: 'WH-SZ', name: '苏州仓' } },
      ],
    });
    expect(shipped.total).toBe(before.total);
  });
});

describe('the other ways out of OUT_OF_STOCK', () => {
  it('cancel with OUT_OF_STOCK releases the unit it held, on the timeline', async () => {
    const rc = await t.as('warehouse').post('/api/inventory/receipts', {
      warehouse: 'WH-HZ',
      lines: [{ sku: 'CUP-02', quantity: 1 }],
    });
    expect(rc.status).toBe(201);
    const res = await t.as('admin').post('/api/orders', orderFor([{ sku: 'CUP-02', quantity: 5 }]));
    expect(res.body.order).toMatchObject({ status: 'on_hold', holdReason: 'OUT_OF_STOCK' });
    expect(await level(t, 'CUP-02', 'WH-HZ')).toMatchObject({ reserved: 1 });
    const cancelled = await transition(t, res.body.order.id, 'cancel', 'OUT_OF_STOCK');
    expect(cancelled.status).toBe('cancelled');
    expect(await level(t, 'CUP-02', 'WH-HZ')).toMatchObject({ reserved: 0, available: 1 });
    expect(stockEntries(cancelled).at(-1)).toEqual({
      action: 'released',
      items: [{ sku: 'CUP-02', quantity: 1, warehouse: { code: 'WH-HZ', name: '杭州仓' } }],
      reason: 'OUT_OF_STOCK',
    });
  });
});

describe('SKUs the master does not know, and goods without stock', () => {
  it('a line naming an unknown SKU holds its order SKU_UNMAPPED and reserves nothing', async () => {
    const res = await t.as('admin').post(
      '/api/orders',
      orderFor([
        { sku: 'TEA-SET-01', quantity: 1 },
        { sku: 'NO-SUCH-SKU', quantity: 1 },
      ]),
    );
    expect(res.status).toBe(201);
    expect(res.body.order).toMatchObject({ status: 'on_hold', holdReason: 'SKU_UNMAPPED' });
    expect(await level(t, 'TEA-SET-01', 'WH-HZ')).toMatchObject({ reserved: 0 });
    const d = await detail(res.body.order.id);
    expect(stockEntries(d)).toEqual([]);
    const approve = d.nextEvents.find((e: { event: string }) => e.event === 'approve');
    expect(approve).toMatchObject({ allowed: false, blockedBy: { code: 'SKU_UNMAPPED' } });
    const refused = await t.as('admin').post(`/api/orders/${d.id}/transitions`, {
      event: 'approve',
      version: d.version,
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ORDER_GUARD_FAILED', details: { guard: 'SKU_UNMAPPED' } });
  });

  it('an untracked SKU reserves nothing and passes the guards', async () => {
    const res = await t.as('admin').post(
      '/api/orders',
      orderFor([
        { sku: 'TEA-SET-01', quantity: 2 },
        { sku: 'GIFT-WRAP', quantity: 1 },
      ]),
    );
    expect(res.status).toBe(201);
    expect(res.body.order.status).toBe('paid');
    const id = res.body.order.id;
    expect(await level(t, 'TEA-SET-01', 'WH-HZ')).toMatchObject({ reserved: 2 });
    const reservations = await t.as('admin').get(`/api/orders/${id}/reservations`);
    expect(reservations.body.map((r: { sku: string }) => r.sku)).toEqual(['TEA-SET-01']);
    await transition(t, id, 'approve');
    await transition(t, id, 'start_fulfilment');
    const shipped = await transition(t, id, 'ship');
    expect(shipped.status).toBe('shipped');
    expect(stockEntries(shipped).map((s) => (s as { action: string }).action)).toEqual([
      'reserved',
      'consumed',
    ]);
  });
});

describe('consumption is bounded by what the order holds', () => {
  it('shipping more units than held directly is refused and moves nothing', async () => {
    const res = await t.as('admin').post('/api/orders', orderFor([{ sku: 'TEA-SET-01', quantity: 2 }]));
    const id = res.body.order.id;
    const lvl = await level(t, 'TEA-SET-01', 'WH-HZ');
    const deps = stockDepsOf(t.app.deps);
    const actor = systemActor('fulfilment', 'job');
    await expect(
      t.database.tx((tx) =>
        shipOrderUnits(tx, deps, clock.now(), actor, id, [{ sku: 'TEA-SET-01', quantity: 3 }]),
      ),
    ).rejects.toMatchObject({ code: 'INVENTORY_INSUFFICIENT' });
    expect(await level(t, 'TEA-SET-01', 'WH-HZ')).toEqual(lvl);
    const units = await t.database.tx((tx) => shipOrderUnits(tx, deps, clock.now(), actor, id));
    expect(units).toBe(2);
    const again = await t.database.tx((tx) => shipOrderUnits(tx, deps, clock.now(), actor, id));
    expect(again).toBe(0);
    expect(await level(t, 'TEA-SET-01', 'WH-HZ')).toMatchObject({
      onHand: lvl.onHand - 2,
      reserved: lvl.reserved - 2,
    });
  });
});
