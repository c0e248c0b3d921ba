import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDue, onStockChanged } from '../src/flows/order-inventory.ts';
import { relayStockMarks, stockDepsOf } from '../src/modules/inventory/index.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { startTestApp, type TestApp } from './helpers.ts';
import { assertInvariants, level, orderFor, setupStock, transition } from './inventory-support.ts';

const clock = new ManualClock('2026-01-09T01:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock, sampleSkus: false });
  await setupStock(
    t,
    ['TEA-SET-01', 'CUP-02', 'PURIFIER-01', 'SCARF-03'],
    [
      { code: 'WH-HZ', priority: 10 },
      { code: 'WH-SZ', priority: 5 },
    ],
    [
      { warehouse: 'WH-HZ', sku: 'TEA-SET-01', quantity: 10 },
      { warehouse: 'WH-HZ', sku: 'CUP-02', quantity: 20 },
      { warehouse: 'WH-SZ', sku: 'CUP-02', quantity: 5 },
    ],
  );
});
afterAll(async () => {
  await assertInvariants(t.database);
  await t.close();
});

const deps = () => t.app.deps as Parameters<typeof expireDue>[1];
const stockDeps = () => stockDepsOf(t.app.deps);

describe('reservations on ingest', () => {
  it('a paid channel order reserves every line in the same transaction; cancel releases', async () => {
    const res = await t.as('admin').post(
      '/api/orders',
      orderFor([
        { sku: 'TEA-SET-01', quantity: 2 },
        { sku: 'CUP-02', quantity: 3 },
      ]),
    );
    expect(res.status).toBe(201);
    expect(res.body.order.status).toBe('paid');
    const id = res.body.order.id;
    expect((await level(t, 'TEA-SET-01', 'WH-HZ')).reserved).toBe(2);
    const rs = await t.as('customer_service').get(`/api/orders/${id}/reservations`);
    expect(rs.status).toBe(200);
    expect(
      rs.body.map((r: { sku: string; quantity: number; warehouse: string }) => [
        r.sku,
        r.warehouse,
        r.quantity,
      ]),
    ).toEqual([
      ['CUP-02', 'WH-HZ', 3],
      ['TEA-SET-01', 'WH-HZ', 2],
    ]);
    await transition(t, id, 'cancel', 'BUYER_REQUEST');
    expect((await level(t, 'TEA-SET-01', 'WH-HZ')).reserved).toBe(0);
    const after = await t.as('admin').get(`/api/orders/${id}/reservations`);
    expect(after.body.every((r: { status: string }) => r.status === 'released')).toBe(true);
    await assertInvariants(t.database);
  });

  it('shipping consumes: on hand and reserved both go down', async () => {
    const res = await t.as('admin').post('/api/orders', orderFor([{ sku: 'TEA-SET-01', quantity: 1 }]));
    const id = res.body.order.id;
    await transition(t, id, 'approve');
    await transition(t, id, 'start_fulfilment');
    await transition(t, id, 'ship');
    const l = await level(t, 'TEA-SET-01', 'WH-HZ');
    expect([l.onHand, l.reserved]).toEqual([9, 0]);
    const mv = await t.as('auditor').get('/api/inventory/movements?sku=TEA-SET-01&type=ship');
    expect(mv.body.items).toHaveLength(1);
    expect(mv.body.items[0]).toMatchObject({ onHand: -1, reserved: -1, source: { type: 'order', id } });
  });

  it('a line split over warehouses when no single one can cover it', async () => {
    const res = await t.as('admin').post('/api/orders', orderFor([{ sku: 'CUP-02', quantity: 22 }]));
    expect(res.body.order.status).toBe('paid');
    const rs = await t.as('admin').get(`/api/orders/${res.body.order.id}/reservations`);
    expect(rs.body.map((r: { warehouse: string; quantity: number }) => [r.warehouse, r.quantity])).toEqual([
      ['WH-HZ', 20],
      ['WH-SZ', 2],
    ]);
    await transition(t, res.body.order.id, 'cancel', 'BUYER_REQUEST');
  });

  it('a short channel order is held OUT_OF_STOCK and released first come first served when stock arrives', async () => {
    const first = await t
      .as('admin')
      .post(
        '/api/orders',
        orderFor([{ sku: 'PURIFIER-01', quantity: 2 }], { paidAt: '2026-01-09T00:01:00Z' }),
      );
    const second = await t
      .as('admin')
      .post(
        '/api/orders',
        orderFor([{ sku: 'PURIFIER-01', quantity: 1 }], { paidAt: '2026-01-09T00:02:00Z' }),
      );
    for (const r of [first, second]) {
      expect(r.status).toBe(201);
      expect(r.body.order.status).toBe('on_hold');
      expect(r.body.order.holdReason).toBe('OUT_OF_STOCK');
    }
    await t
      .as('warehouse')
      .post('/api/inventory/receipts', { warehouse: 'WH-SZ', lines: [{ sku: 'PURIFIER-01', quantity: 2 }] });
    const out = await onStockChanged(t.database, deps(), clock.now(), 'PURIFIER-01');
    // The earlier payment takes both units; the later one waits.
    expect(out.released).toEqual([first.body.order.id]);
    expect((await t.as('admin').get(`/api/orders/${first.body.order.id}`)).body.status).toBe('under_review');
    expect((await t.as('admin').get(`/api/orders/${second.body.order.id}`)).body.status).toBe('on_hold');
    await t
      .as('warehouse')
      .post('/api/inventory/receipts', { warehouse: 'WH-SZ', lines: [{ sku: 'PURIFIER-01', quantity: 1 }] });
    expect((await onStockChanged(t.database, deps(), clock.now(), 'PURIFIER-01')).released).toEqual([
      second.body.order.id,
    ]);
    expect((await level(t, 'PURIFIER-01', 'WH-SZ')).reserved).toBe(3);
    await assertInvariants(t.database);
  });

  it('an order with an unmapped line reserves nothing; an unknown master SKU is not stocked', async () => {
    const unmapped = orderFor([{ sku: 'TEA-SET-01', quantity: 1 }]);
    unmapped.lines.push({ channelSku: 'DY-BABY-SH-001', quantity: 1, unitPrice: 1000 });
    unmapped.total += 1000;
    const r = await t.as('admin').post('/api/orders', unmapped);
    expect(r.body.order.holdReason).toBe('SKU_UNMAPPED');
    expect((await t.as('admin').get(`/api/orders/${r.body.order.id}/reservations`)).body).toEqual([]);
  });
});

describe('checkout reservations', () => {
  it('refuses a short checkout with INVENTORY_INSUFFICIENT and changes nothing', async () => {
    const before = await level(t, 'TEA-SET-01', 'WH-HZ');
    const r = await t.as('admin').post('/api/reservations', {
      externalOrderId: 'WEB-SHORT-1',
      lines: [
        { sku: 'TEA-SET-01', quantity: 1 },
        { sku: 'CUP-02', quantity: 999 },
      ],
    });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('INVENTORY_INSUFFICIENT');
    expect(await level(t, 'TEA-SET-01', 'WH-HZ')).toEqual(before);
  });

  it('the order takes the checkout hold over; unpaid it is cancelled PAYMENT_TIMEOUT once', async () => {
    const hold = await t.as('admin').post('/api/reservations', {
      externalOrderId: 'WEB-TIMEOUT-1',
      lines: [{ sku: 'TEA-SET-01', quantity: 2 }],
    });
    expect(hold.status).toBe(201);
    expect(hold.body.reservations[0]).toMatchObject({
      sku: 'TEA-SET-01',
      quantity: 2,
      status: 'active',
      orderId: null,
    });
    const o = orderFor([{ sku: 'TEA-SET-01', quantity: 2 }], { externalOrderId: 'WEB-TIMEOUT-1' });
    delete o.paidAt;
    const created = await t.as('admin').post('/api/orders', o);
    expect(created.body.order.status).toBe('pending_payment');
    const rs = await t.as('admin').get(`/api/orders/${created.body.order.id}/reservations`);
    expect(rs.body).toHaveLength(1);
    expect(rs.body[0].id).toBe(hold.body.reservations[0].id);
    const reservedBefore = (await level(t, 'TEA-SET-01', 'WH-HZ')).reserved;
    clock.advance(29 * 60_000);
    expect((await expireDue(t.database, deps(), clock.now())).orders).toBe(0);
    clock.advance(2 * 60_000);
    expect((await expireDue(t.database, deps(), clock.now())).orders).toBe(1);
    expect((await expireDue(t.database, deps(), clock.now())).orders).toBe(0);
    const order = await t.as('admin').get(`/api/orders/${created.body.order.id}`);
    expect(order.body.status).toBe('cancelled');
    expect((await level(t, 'TEA-SET-01', 'WH-HZ')).reserved).toBe(reservedBefore - 2);
    const releases = await t.database.query(
      `SELECT * FROM stock_movements WHERE type = 'release' AND source_id = $1`,
      [created.body.order.id],
    );
    expect(releases).toHaveLength(1);
  });

  it('a checkout hold without an order expires on its own', async () => {
    const hold = await t.as('admin').post('/api/reservations', {
      externalOrderId: 'WEB-ABANDONED',
      lines: [{ sku: 'CUP-02', quantity: 1 }],
      ttlSeconds: 60,
    });
    expect(hold.status).toBe(201);
    clock.advance(61_000);
    expect((await expireDue(t.database, deps(), clock.now())).checkouts).toBe(1);
    expect(
      (
        await t.database.query(`SELECT status FROM reservations WHERE id = $1`, [
          hold.body.reservations[0].id,
        ])
      )[0],
    ).toEqual({
      status: 'expired',
    });
  });

  it('a paid order keeps its stock past the timeout', async () => {
    const o = orderFor([{ sku: 'CUP-02', quantity: 1 }], { externalOrderId: 'WEB-PAID-1' });
    delete o.paidAt;
    const created = await t.as('admin').post('/api/orders', o);
    await t.as('admin').post('/api/orders', {
      ...o,
      status: 'paid',
      paidAt: '2026-01-09T00:10:00Z',
      sourceVersion: '2026-01-09T00:10:00Z',
    });
    clock.advance(31 * 60_000);
    expect((await expireDue(t.database, deps(), clock.now())).orders).toBe(0);
    const order = await t.as('admin').get(`/api/orders/${created.body.order.id}`);
    expect(order.body.status).toBe('paid');
    const rs = await t.as('admin').get(`/api/orders/${created.body.order.id}/reservations`);
    expect(rs.body[0]).toMatchObject({ status: 'active', expiresAt: null });
  });
});

describe('freezes, adjustments, transfers', () => {
  it('freezes up to available, releases on decision, and expires', async () => {
    const avail = (await level(t, 'TEA-SET-01', 'WH-HZ')).available;
    const tooMuch = await t.as('customer_service').post('/api/inventory/freezes', {
      sku: 'TEA-SET-01',
      warehouse: 'WH-HZ',
      quantity: avail + 1,
      reasonCode: 'REFUND_ONLY',
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.code).toBe('FREEZE_EXCEEDS_AVAILABLE');
    const f = await t.as('customer_service').post('/api/inventory/freezes', {
      sku: 'TEA-SET-01',
      warehouse: 'WH-HZ',
      quantity: 2,
      reasonCode: 'REFUND_ONLY',
      source: { type: 'aftersales_case', id: 'AS-1' },
    });
    expect(f.status).toBe(201);
    expect((await level(t, 'TEA-SET-01', 'WH-HZ')).frozen).toBe(2);
    const rel = await t
      .as('customer_service')
      .post(`/api/inventory/freezes/${f.body.id}/release`, { reasonCode: 'REJECTED' });
    expect(rel.status).toBe(200);
    expect(rel.body.status).toBe('released');
    const again = await t
      .as('customer_service')
      .post(`/api/inventory/freezes/${f.body.id}/release`, { reasonCode: 'REJECTED' });
    expect(again.body.code).toBe('FREEZE_NOT_ACTIVE');
    const g = await t.as('customer_service').post('/api/inventory/freezes', {
      sku: 'TEA-SET-01',
      warehouse: 'WH-HZ',
      quantity: 1,
      reasonCode: 'QUALITY_CHECK',
      expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString(),
    });
    clock.advance(3601_000);
    expect((await expireDue(t.database, deps(), clock.now())).freezes).toBe(1);
    expect(
      (await t.as('admin').get(`/api/inventory/levels?sku=TEA-SET-01&warehouse=WH-HZ`)).body.items[0].frozen,
    ).toBe(0);
    expect(g.status).toBe(201);
  });

  it('adjusts with a reason and refuses to remove reserved units', async () => {
    const ok = await t.as('warehouse').post('/api/inventory/adjustments', {
      warehouse: 'WH-SZ',
      lines: [{ sku: 'SCARF-03', delta: 4 }],
      reasonCode: 'FOUND',
    });
    expect(ok.status).toBe(201);
    expect(ok.body.levels[0]).toMatchObject({ sku: 'SCARF-03', onHand: 4 });
    expect(ok.body.movements[0]).toMatchObject({ type: 'adjustment', onHand: 4, reasonCode: 'FOUND' });
    const bad = await t.as('warehouse').post('/api/inventory/adjustments', {
      warehouse: 'WH-SZ',
      lines: [{ sku: 'SCARF-03', delta: -5 }],
      reasonCode: 'DAMAGED',
    });
    expect(bad.status).toBe(409);
    expect(bad.body.code).toBe('ADJUSTMENT_BELOW_COMMITTED');
    expect((await level(t, 'SCARF-03', 'WH-SZ')).onHand).toBe(4);
  });

  it('transfers through in-transit to the target', async () => {
    const tr = await t.as('warehouse').post('/api/inventory/transfers', {
      from: 'WH-SZ',
      to: 'WH-HZ',
      lines: [{ sku: 'SCARF-03', quantity: 3 }],
    });
    expect(tr.status).toBe(201);
    expect((await level(t, 'SCARF-03', 'WH-SZ')).onHand).toBe(1);
    expect(await level(t, 'SCARF-03', 'WH-HZ')).toMatchObject({ onHand: 0, inTransit: 3 });
    await assertInvariants(t.database);
    const rc = await t.as('warehouse').post(`/api/inventory/transfers/${tr.body.id}/receive`, {});
    expect(rc.status).toBe(200);
    expect(await level(t, 'SCARF-03', 'WH-HZ')).toMatchObject({ onHand: 3, inTransit: 0 });
    const twice = await t.as('warehouse').post(`/api/inventory/transfers/${tr.body.id}/receive`, {});
    expect(twice.body.code).toBe('TRANSFER_NOT_IN_TRANSIT');
  });
});

describe('counts, safety stock, channel shares', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('previews a count, then applies the differences', async () => {
    const before = await level(t, 'SCARF-03', 'WH-HZ');
    const p = await t.as('warehouse').post('/api/inventory/counts:preview', {
      format: 'csv',
      content: b64(`sku,warehouse,counted\nSCARF-03,WH-HZ,${before.onHand - 1}\nCUP-02,WH-SZ,5\n`),
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    expect(p.body.rows.find((r: { sku: string }) => r.sku === 'SCARF-03')).toMatchObject({ difference: -1 });
    expect((await level(t, 'SCARF-03', 'WH-HZ')).onHand).toBe(before.onHand);
    const a = await t.as('warehouse').post(`/api/inventory/counts/${p.body.id}/apply`, {});
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body.status).toBe('applied');
    expect((await level(t, 'SCARF-03', 'WH-HZ')).onHand).toBe(before.onHand - 1);
    const twice = await t.as('warehouse').post(`/api/inventory/counts/${p.body.id}/apply`, {});
    expect(twice.body.code).toBe('COUNT_ALREADY_APPLIED');
  });

  it('reads an XLSX count sheet', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('盘点');
    ws.addRow(['商品编码', '仓库', '实盘数量']);
    ws.addRow(['SCARF-03', 'WH-SZ', 1]);
    const content = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
    const p = await t.as('warehouse').post('/api/inventory/counts:preview', { format: 'xlsx', content });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    expect(p.body.rows).toEqual([
      { row: 2, sku: 'SCARF-03', warehouse: 'WH-SZ', expected: 1, counted: 1, difference: 0 },
    ]);
  });

  it('one alert when available falls below safety stock, cleared when it recovers', async () => {
    const put = await t.request('PUT', '/api/inventory/safety-stock', {
      as: 'operations',
      body: { items: [{ sku: 'SCARF-03', warehouse: 'WH-HZ', safetyStock: 2 }] },
    });
    expect(put.status).toBe(200);
    const lv = await level(t, 'SCARF-03', 'WH-HZ');
    // Take stock below the threshold with two orders: one alert, not two.
    for (let i = 0; i < lv.available - 1; i++)
      await t.as('admin').post('/api/orders', orderFor([{ sku: 'SCARF-03', quantity: 1 }]));
    let alerts = await t.as('auditor').get('/api/inventory/alerts?sku=SCARF-03');
    expect(alerts.body).toHaveLength(1);
    expect(alerts.body[0]).toMatchObject({ warehouse: 'WH-HZ', safetyStock: 2, clearedAt: null });
    await t.as('admin').post('/api/orders', orderFor([{ sku: 'SCARF-03', quantity: 1 }]));
    alerts = await t.as('auditor').get('/api/inventory/alerts?sku=SCARF-03');
    expect(alerts.body).toHaveLength(1);
    // The alert shows what is available now (not only when it was raised), the warehouse by name.
    const now = await level(t, 'SCARF-03', 'WH-HZ');
    expect(alerts.body[0].availableNow).toBe(now.available);
    expect(alerts.body[0].warehouseName).toMatch(/\S/);
    await t
      .as('warehouse')
      .post('/api/inventory/receipts', { warehouse: 'WH-HZ', lines: [{ sku: 'SCARF-03', quantity: 10 }] });
    expect((await t.as('auditor').get('/api/inventory/alerts?sku=SCARF-03')).body).toHaveLength(0);
    const all = await t.as('auditor').get('/api/inventory/alerts?sku=SCARF-03&active=false');
    expect(all.body[0].clearedAt).not.toBeNull();
  });

  it('available to sell per account: sellable, capped by the share', async () => {
    const lv = await level(t, 'TEA-SET-01', 'WH-HZ');
    const put = await t.request('PUT', '/api/inventory/channel-shares', {
      as: 'operations',
      body: { items: [{ account: 'default', sku: 'TEA-SET-01', percent: 60 }] },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const r = await t.as('auditor').get('/api/inventory/available?account=default&sku=TEA-SET-01');
    expect(r.body.items[0]).toEqual({
      sku: 'TEA-SET-01',
      sellable: lv.sellable,
      percent: 60,
      available: Math.floor((lv.sellable * 60) / 100),
    });
    const pushed = await onStockChanged(t.database, deps(), clock.now(), 'TEA-SET-01');
    expect(pushed.pushed).toBeGreaterThanOrEqual(1);
    const jobs = await t.database.query<{ data: { account: string; available: number } }>(
      `SELECT data FROM pgboss.job WHERE name = 'channel-stock-push' AND data->>'sku' = 'TEA-SET-01' ORDER BY created_on DESC LIMIT 1`,
    );
    expect(jobs[0]!.data).toMatchObject({
      account: 'default',
      available: Math.floor((lv.sellable * 60) / 100),
    });
  });

  it('a stock change enqueues one debounced push per SKU through the outbox relay', async () => {
    await t.database.query(`DELETE FROM stock_push_marks`);
    const n = async () =>
      Number(
        (
          await t.database.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'inventory-stock-changed' AND data->>'sku' = 'CUP-02' AND state = 'created'`,
          )
        )[0]!.n,
      );
    const marks = () => t.database.query(`SELECT sku FROM stock_push_marks WHERE sku = 'CUP-02'`);
    const before = await n();
    for (let i = 0; i < 3; i++)
      await t
        .as('warehouse')
        .post('/api/inventory/receipts', { warehouse: 'WH-SZ', lines: [{ sku: 'CUP-02', quantity: 1 }] });
    // The business transactions only mark the SKU; nothing is enqueued before the debounce window.
    expect(await marks()).toHaveLength(1);
    expect(await n()).toBe(before);
    expect((await relayStockMarks(t.database, stockDeps(), clock.now())).relayed).toBe(0);
    clock.advance(6_000);
    const relayed = await relayStockMarks(t.database, stockDeps(), clock.now());
    expect(relayed.relayed).toBeGreaterThanOrEqual(1);
    expect((await n()) - before).toBe(1);
    expect(await marks()).toHaveLength(0);
    // Relayed once: a second run enqueues nothing more.
    await relayStockMarks(t.database, stockDeps(), clock.now());
    expect((await n()) - before).toBe(1);
    // A checkout marks the SKU again.
    const hold = await t.as('admin').post('/api/reservations', {
      externalOrderId: 'WEB-MARK-1',
      lines: [{ sku: 'CUP-02', quantity: 1 }],
    });
    expect(hold.status).toBe(201);
    expect(await marks()).toHaveLength(1);
  });

  it('the relay enqueues and deletes marks in one transaction: a failed enqueue keeps the mark', async () => {
    await t
      .as('warehouse')
      .post('/api/inventory/receipts', { warehouse: 'WH-SZ', lines: [{ sku: 'SCARF-03', quantity: 1 }] });
    clock.advance(6_000);
    const failing = {
      ...stockDeps(),
      jobs: {
        ...stockDeps().jobs,
        send: async () => {
          throw new Error('queue unavailable');
        },
      },
    };
    await expect(relayStockMarks(t.database, failing, clock.now())).rejects.toThrow('queue unavailable');
    expect(await t.database.query(`SELECT sku FROM stock_push_marks WHERE sku = 'SCARF-03'`)).toHaveLength(1);
    await relayStockMarks(t.database, stockDeps(), clock.now());
    expect(await t.database.query(`SELECT sku FROM stock_push_marks WHERE sku = 'SCARF-03'`)).toHaveLength(0);
    const jobs = await t.database.query(
      `SELECT 1 FROM pgboss.job WHERE name = 'inventory-stock-changed' AND data->>'sku' = 'SCARF-03'`,
    );
    expect(jobs).toHaveLength(1);
  });
});

describe('permissions and bad input', () => {
  it('warehouse adjusts, operations plan, everyone reads', async () => {
    expect(
      (
        await t.as('finance').post('/api/inventory/adjustments', {
          warehouse: 'WH-HZ',
          lines: [{ sku: 'CUP-02', delta: 1 }],
          reasonCode: 'FOUND',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.request('PUT', '/api/inventory/safety-stock', {
          as: 'warehouse',
          body: { items: [{ sku: 'CUP-02', warehouse: 'WH-HZ', safetyStock: 1 }] },
        })
      ).status,
    ).toBe(403);
    for (const role of ['finance', 'auditor', 'warehouse', 'customer_service', 'operations'] as const)
      expect((await t.as(role).get('/api/inventory/levels')).status).toBe(200);
  });

  it('refuses bad quantities, unknown SKU or warehouse, same-warehouse transfers, bad count sheets; nothing changes', async () => {
    const movements = await t.count('stock_movements');
    const post = (url: string, body: unknown) => t.as('admin').post(url, body);
    const cases: [string, unknown, number, string][] = [
      [
        '/api/inventory/receipts',
        { warehouse: 'WH-HZ', lines: [{ sku: 'CUP-02', quantity: -1 }] },
        400,
        'VALIDATION_FAILED',
      ],
      [
        '/api/inventory/receipts',
        { warehouse: 'WH-HZ', lines: [{ sku: 'CUP-02', quantity: 1.5 }] },
        400,
        'VALIDATION_FAILED',
      ],
      [
        '/api/inventory/receipts',
        { warehouse: 'WH-HZ', lines: [{ sku: 'CUP-02', quantity: '3' }] },
        400,
        'VALIDATION_FAILED',
      ],
      [
        '/api/inventory/adjustments',
        { warehouse: 'WH-HZ', lines: [{ sku: 'CUP-02', delta: 0 }], reasonCode: 'FOUND' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        '/api/inventory/receipts',
        {
          warehouse: 'WH-HZ',
          lines: [
            { sku: 'NOPE-1', quantity: 1 },
            { sku: 'CUP-02', quantity: 1 },
          ],
        },
        422,
        'SKU_UNKNOWN',
      ],
      [
        '/api/inventory/receipts',
        { warehouse: 'WH-XX', lines: [{ sku: 'CUP-02', quantity: 1 }] },
        422,
        'WAREHOUSE_UNKNOWN',
      ],
      [
        '/api/inventory/freezes',
        { sku: 'CUP-02', warehouse: 'WH-HZ', quantity: 100000, reasonCode: 'MANUAL' },
        409,
        'FREEZE_EXCEEDS_AVAILABLE',
      ],
      [
        '/api/inventory/transfers',
        { from: 'WH-HZ', to: 'WH-HZ', lines: [{ sku: 'CUP-02', quantity: 1 }] },
        422,
        'TRANSFER_SAME_WAREHOUSE',
      ],
      [
        '/api/inventory/transfers',
        {
          from: 'WH-HZ',
          to: 'WH-SZ',
          lines: [
            { sku: 'CUP-02', quantity: 1 },
            { sku: 'TEA-SET-01', quantity: 100000 },
          ],
        },
        409,
        'INVENTORY_INSUFFICIENT',
      ],
      [
        '/api/reservations',
        { externalOrderId: 'X-1', lines: [{ sku: 'NOPE-1', quantity: 1 }] },
        422,
        'SKU_UNKNOWN',
      ],
    ];
    for (const [url, body, status, code] of cases) {
      const r = await post(url, body);
      expect([url, r.status, r.body.code]).toEqual([url, status, code]);
    }
    const sheet = Buffer.from(
      'sku,warehouse,counted\nCUP-02,WH-HZ,3\nNOPE-1,WH-HZ,1\nCUP-02,WH-HZ,4\nTEA-SET-01,WH-XX,1\nTEA-SET-01,WH-HZ,-2\n',
    ).toString('base64');
    const p = await post('/api/inventory/counts:preview', { format: 'csv', content: sheet });
    expect(p.status).toBe(422);
    expect(p.body.code).toBe('COUNT_SHEET_INVALID');
    expect(p.body.details.badRows.map((b: { row: number; problem: string }) => [b.row, b.problem])).toEqual([
      [3, 'SKU_UNKNOWN'],
      [4, 'DUPLICATE_ROW'],
      [5, 'WAREHOUSE_UNKNOWN'],
      [6, 'QUANTITY_INVALID'],
    ]);
    expect(await t.count('stock_movements')).toBe(movements);
    expect(await t.count('stock_counts')).toBe(1 + 1);
  });
});
