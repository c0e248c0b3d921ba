import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.ts';
import { expectRefusedUnwritten, type Res, sampleOrder, startTestApp, type TestApp } from './helpers.ts';
import { assertInvariants, level, setupStock, transition } from './inventory-support.ts';

const clock = new ManualClock('2026-01-09T01:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock, sampleSkus: false });
  await setupStock(
    t,
    ['TEA-SET-01', 'CUP-02', 'MUG-03'],
    [{ code: 'WH-HZ' }],
    [
      { warehouse: 'WH-HZ', sku: 'TEA-SET-01', quantity: 20 },
      { warehouse: 'WH-HZ', sku: 'CUP-02', quantity: 20 },
      { warehouse: 'WH-HZ', sku: 'MUG-03', quantity: 5 },
    ],
  );
  const off = await t.as('admin').post('/api/skus', { code: 'OLD-01', name: '旧款', category: 'test' });
  expect(off.status).toBe(201);
  expect((await t.as('admin').patch('/api/skus/OLD-01', { active: false })).status).toBe(200);
});
afterAll(async () => {
  await assertInvariants(t.database);
  await t.close();
});

/** Tables an edit writes to: a refused edit leaves every count as it was. */
const TABLES = [
  'orders',
  'order_lines',
  'order_timeline',
  'order_receiver_history',
  'audit_log',
  'stock_movements',
  'reservations',
  `pgboss.job WHERE name = 'order-events'`,
];

const put = (
  url: string,
  body: unknown,
  as: 'admin' | 'customer_service' | 'warehouse' = 'customer_service',
) => t.request('PUT', url, { as, body });
const detail = async (id: string) => (await t.as('admin').get(`/api/orders/${id}`)).body;
const ok = (r: Res) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

/** A paid order (TEA ×1 at 33.33, CUP ×2 at 10.00, 10.00 off the order), stock reserved. */
async function newOrder(): Promise<string> {
  const res = await t.as('admin').post(
    '/api/orders',
    sampleOrder({
      lines: [
        { channelSku: 'TEA-SET-01', sku: 'TEA-SET-01', title: '茶具', quantity: 1, unitPrice: 3333 },
        { channelSku: 'CUP-02', sku: 'CUP-02', title: '杯', quantity: 2, unitPrice: 1000 },
      ],
      discount: 1000,
      total: 4333,
    }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.order.status).toBe('paid');
  return res.body.order.id;
}

const NEW_RECEIVER = {
  name: '王五',
  phone: '139 0000 1234',
  province: '上海市',
  city: '上海市',
  district: '浦东新区',
  detail: '世纪大道 100 号 8 楼',
};

describe('changing the receiver before approval', () => {
  let id: string;
  it('re-seals the new receiver, moves the search hashes, keeps the old one masked in the history', async () => {
    id = await newOrder();
    const before = await detail(id);
    const jobsBefore = await t.count(`pgboss.job WHERE name = 'order-events'`);
    const res = ok(
      await put(`/api/orders/${id}/receiver`, {
        version: before.version,
        receiver: NEW_RECEIVER,
        reason: '客户来电改地址',
      }),
    );
    expect(res.version).toBe(before.version + 1);
    expect(res.status).toBe('paid');
    expect(res.receiver).toMatchObject({
      name: '王*',
      phone: '139****1234',
      province: '上海市',
      city: '上海市',
      district: '浦东新区',
      detail: '世纪大道****',
      masked: true,
    });
    // Sealed at rest like ingest seals: no plaintext in the row, and it opens to the new receiver.
    const [row] = await t.database.query<Record<string, string>>(
      `SELECT receiver_name_enc, receiver_phone_enc, receiver_detail_enc FROM orders WHERE id = $1`,
      [id],
    );
    for (const v of Object.values(row!)) {
      expect(v).toMatch(/^v1\./);
      expect(v).not.toMatch(/王五|1234|世纪大道/);
    }
    const revealed = ok(await t.as('admin').get(`/api/orders/${id}?reveal=true`)).receiver;
    expect(revealed).toMatchObject({ name: '王五', phone: '+8613900001234', detail: '世纪大道 100 号 8 楼' });

    // Search follows: the new phone (full and last four) and name find it, the old ones do not.
    const found = async (q: string) =>
      (ok(await t.as('admin').get(`/api/orders?${q}`)).items as { id: string }[]).some((o) => o.id === id);
    expect(await found('phone=1234')).toBe(true);
    expect(await found('phone=13900001234')).toBe(true);
    expect(await found(`receiverName=${encodeURIComponent('王五')}`)).toBe(true);
    expect(await found('phone=5678')).toBe(false);
    expect(await found(`receiverName=${encodeURIComponent('李四')}`)).toBe(false);

    // The timeline names each changed field masked, with the reason.
    const entry = res.timeline.find((e: { event: string }) => e.event === 'receiver_changed');
    expect(entry).toMatchObject({
      note: '客户来电改地址',
      actorType: 'token',
      details: {
        receiver: {
          name: { from: '李*', to: '王*' },
          phone: { from: '138****5678', to: '139****1234' },
          province: { from: '浙江省', to: '上海市' },
          city: { from: '杭州市', to: '上海市' },
          district: { from: '西湖区', to: '浦东新区' },
          detail: { from: '文三路****', to: '世纪大道****' },
        },
      },
    });
    // The receiver before, kept sealed; masked by default, in clear with pii:read (audited).
    const history = ok(await t.as('customer_service').get(`/api/orders/${id}/receiver-history`));
    expect(history.items).toHaveLength(1);
    expect(history.items[0].receiver).toMatchObject({
      name: '李*',
      phone: '138****5678',
      province: '浙江省',
      detail: '文三路****',
      masked: true,
    });
    expect(history.items[0].replacedBy).toContain('customer_service-user');
    const audits = await t.count(`audit_log WHERE action = 'order.pii_reveal'`);
    const clear = ok(await t.as('customer_service').get(`/api/orders/${id}/receiver-history?reveal=true`));
    expect(clear.items[0].receiver).toMatchObject({
      name: '李四',
      phone: '+8613812345678',
      detail: '文三路 100 号',
    });
    expect(await t.count(`audit_log WHERE action = 'order.pii_reveal'`)).toBe(audits + 1);
    expect((await t.as('finance').get(`/api/orders/${id}/receiver-history?reveal=true`)).status).toBe(403);

    const [audit] = await t.database.query<{ summary: { fields: string[]; reason: string } }>(
      `SELECT summary FROM audit_log WHERE action = 'order.receiver_changed' AND entity_id = $1`,
      [id],
    );
    expect(audit!.summary.fields).toEqual(['name', 'phone', 'province', 'city', 'district', 'detail']);
    expect(audit!.summary.reason).toBe('客户来电改地址');
    expect(JSON.stringify(audit)).not.toMatch(/王五|李四|1234/);
    const jobsAfter = await t.count(`pgboss.job WHERE name = 'order-events'`);
    expect(jobsAfter).toBe(jobsBefore + 1);
  });

  it('the same receiver again changes nothing', async () => {
    const d = await detail(id);
    const before = await t.count('order_timeline');
    const res = ok(await put(`/api/orders/${id}/receiver`, { version: d.version, receiver: NEW_RECEIVER }));
    expect(res.version).toBe(d.version);
    expect(await t.count('order_timeline')).toBe(before);
  });

  it('refuses bad input with a 4xx and changes nothing', async () => {
    const d = await detail(id);
    const url = `/api/orders/${id}/receiver`;
    const { province: _p, ...noProvince } = NEW_RECEIVER;
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version, receiver: noProvince }),
      400,
      'VALIDATION_FAILED',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version, receiver: { ...NEW_RECEIVER, province: '   ' } }),
      422,
      'ORDER_ADDRESS_INCOMPLETE',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version, receiver: { ...NEW_RECEIVER, phone: '12345' } }),
      422,
      'PHONE_INVALID',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version - 1, receiver: { ...NEW_RECEIVER, name: '赵六' } }),
      409,
      'ORDER_VERSION_CONFLICT',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version, receiver: { ...NEW_RECEIVER, name: '赵六' } }, 'warehouse'),
      403,
      'FORBIDDEN',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put('/api/orders/ord_nope/receiver', { version: 1, receiver: NEW_RECEIVER }),
      404,
      'ORDER_NOT_FOUND',
    );
  });
});

describe('replacing a line and adding a gift line', () => {
  let id: string;
  let lines: { id: string; sku: string; quantity: number; unitPrice: number; discount: number }[];

  it('replaces CUP-02 ×2 by MUG-03 ×3: the reservation moves exactly, discounts shared again', async () => {
    id = await newOrder();
    const d = await detail(id);
    lines = d.lines;
    // Largest remainder of 1000 over 3333 and 2000.
    expect(lines.map((l) => l.discount)).toEqual([625, 375]);
    const cupBefore = await level(t, 'CUP-02', 'WH-HZ');
    const mugBefore = await level(t, 'MUG-03', 'WH-HZ');
    const teaBefore = await level(t, 'TEA-SET-01', 'WH-HZ');
    const res = ok(
      await put(`/api/orders/${id}/lines/${lines[1]!.id}`, {
        version: d.version,
        sku: 'MUG-03',
        quantity: 3,
        reason: '客户换款',
      }),
    );
    expect(res.lines[1]).toMatchObject({
      id: lines[1]!.id,
      sku: 'MUG-03',
      channelSku: 'MUG-03',
      title: 'Goods MUG-03',
      quantity: 3,
      unitPrice: 1000,
      gift: false,
    });
    // 1000 over 3333 and 3000: 526.3 and 473.7, the one left over to the larger remainder.
    expect(res.lines.map((l: { discount: number }) => l.discount)).toEqual([526, 474]);
    expect(res).toMatchObject({ goodsAmount: 6333, discount: 1000, total: 5333, lineCount: 2 });
    expect(await level(t, 'CUP-02', 'WH-HZ')).toMatchObject({
      reserved: cupBefore.reserved - 2,
      available: cupBefore.available + 2,
    });
    expect(await level(t, 'MUG-03', 'WH-HZ')).toMatchObject({
      reserved: mugBefore.reserved + 3,
      available: mugBefore.available - 3,
    });
    expect(await level(t, 'TEA-SET-01', 'WH-HZ')).toEqual(teaBefore);
    const events = res.timeline.map((e: { event: string }) => e.event);
    expect(events.slice(-3)).toEqual(['lines_changed', 'stock', 'stock']);
    const change = res.timeline.find((e: { event: string }) => e.event === 'lines_changed');
    expect(change).toMatchObject({
      note: '客户换款',
      details: {
        action: 'replace',
        lineNo: 2,
        title: 'Goods MUG-03',
        titleBefore: '杯',
        sku: { from: 'CUP-02', to: 'MUG-03' },
        quantity: { from: 2, to: 3 },
        goodsAmount: { from: 5333, to: 6333 },
        total: { from: 4333, to: 5333 },
      },
    });
    const stock = res.timeline.filter((e: { event: string }) => e.event === 'stock').slice(-2);
    expect(stock.map((e: { details: unknown }) => e.details)).toEqual([
      {
        action: 'released',
        items: [{ sku: 'CUP-02', quantity: 2, warehouse: { code: 'WH-HZ', name: 'WH-HZ' } }],
        reason: 'ORDER_CHANGED',
      },
      {
        action: 'reserved',
        items: [{ sku: 'MUG-03', quantity: 3, warehouse: { code: 'WH-HZ', name: 'WH-HZ' } }],
      },
    ]);
    // Readers without orders:amounts see no money in the change either.
    const wh = ok(await t.as('warehouse').get(`/api/orders/${id}`));
    const whChange = wh.timeline.find((e: { event: string }) => e.event === 'lines_changed');
    expect(whChange.details).not.toHaveProperty('total');
    expect(whChange.details).not.toHaveProperty('goodsAmount');
    const audit = await t.count(`audit_log WHERE action = 'order.line_replaced' AND entity_id = '${id}'`);
    expect(audit).toBe(1);
    // The list's SKU search follows the line.
    const bySku = ok(await t.as('admin').get('/api/orders?sku=mug-0')).items.map((o: { id: string }) => o.id);
    expect(bySku).toContain(id);
  });

  it('a quantity change alone moves only the difference', async () => {
    const d = await detail(id);
    const mug = await level(t, 'MUG-03', 'WH-HZ');
    const res = ok(await put(`/api/orders/${id}/lines/${lines[1]!.id}`, { version: d.version, quantity: 1 }));
    expect(res.lines[1]).toMatchObject({ sku: 'MUG-03', quantity: 1 });
    expect(await level(t, 'MUG-03', 'WH-HZ')).toMatchObject({ reserved: mug.reserved - 2 });
    expect(res.total).toBe(3333 + 1000 - 1000);
  });

  it('adds a gift line at zero price; its stock is reserved, the amounts stay', async () => {
    const d = await detail(id);
    const tea = await level(t, 'TEA-SET-01', 'WH-HZ');
    const res = ok(
      await t.as('customer_service').post(`/api/orders/${id}/gift-lines`, {
        version: d.version,
        sku: 'TEA-SET-01',
        quantity: 2,
        reason: '老客户赠品',
      }),
    );
    expect(res.lines).toHaveLength(3);
    expect(res.lines[2]).toMatchObject({
      lineNo: 3,
      sku: 'TEA-SET-01',
      quantity: 2,
      unitPrice: 0,
      discount: 0,
      amount: 0,
      gift: true,
    });
    expect(res).toMatchObject({ goodsAmount: d.goodsAmount, total: d.total, lineCount: 3 });
    expect(res.lines.slice(0, 2).map((l: { discount: number }) => l.discount)).toEqual(
      d.lines.map((l: { discount: number }) => l.discount),
    );
    expect(await level(t, 'TEA-SET-01', 'WH-HZ')).toMatchObject({ reserved: tea.reserved + 2 });
    expect(
      res.timeline.find(
        (e: { event: string; details: { action?: string } }) =>
          e.event === 'lines_changed' && e.details.action === 'gift',
      ),
    ).toMatchObject({ note: '老客户赠品', details: { lineNo: 3, gift: true, sku: { to: 'TEA-SET-01' } } });
    // A gift line keeps its zero price.
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(`/api/orders/${id}/lines/${res.lines[2].id}`, { version: res.version, unitPrice: 500 }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('refuses bad line input with a 4xx and moves no stock', async () => {
    const d = await detail(id);
    const other = await detail(await newOrder());
    const url = `/api/orders/${id}/lines/${d.lines[0].id}`;
    const levels = async () =>
      Promise.all(['TEA-SET-01', 'CUP-02', 'MUG-03'].map((s) => level(t, s, 'WH-HZ')));
    const before = await levels();
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version, sku: 'NOPE-99' }),
      422,
      'SKU_UNKNOWN',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version, sku: 'OLD-01' }),
      422,
      'SKU_INACTIVE',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version, quantity: 0 }),
      400,
      'VALIDATION_FAILED',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version, quantity: 10_000 }),
      400,
      'VALIDATION_FAILED',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(`/api/orders/${id}/lines/${other.lines[0].id}`, { version: d.version, quantity: 2 }),
      422,
      'ORDER_LINE_UNKNOWN',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version, quantity: 2 }, 'warehouse'),
      403,
      'FORBIDDEN',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(url, { version: d.version - 1, quantity: 2 }),
      409,
      'ORDER_VERSION_CONFLICT',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () =>
        t
          .as('customer_service')
          .post(`/api/orders/${id}/gift-lines`, { version: d.version, sku: 'NOPE-99', quantity: 1 }),
      422,
      'SKU_UNKNOWN',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () =>
        t
          .as('customer_service')
          .post(`/api/orders/${id}/gift-lines`, { version: d.version, sku: 'CUP-02', quantity: 0 }),
      400,
      'VALIDATION_FAILED',
    );
    expect(await levels()).toEqual(before);
  });
});

describe('a newer version from the channel after an edit', () => {
  /** A paid API order and the body it came with, so the test can send newer versions of it. */
  async function order(): Promise<{ id: string; body: ReturnType<typeof sampleOrder> }> {
    const body = sampleOrder({
      sourceVersion: '2026-01-09T00:01:00Z',
      lines: [
        { channelSku: 'TEA-SET-01', sku: 'TEA-SET-01', title: '茶具', quantity: 1, unitPrice: 3333 },
        { channelSku: 'CUP-02', sku: 'CUP-02', title: '杯', quantity: 2, unitPrice: 1000 },
      ],
      discount: 1000,
      total: 4333,
    });
    const res = await t.as('admin').post('/api/orders', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.order.id, body };
  }
  const resend = async (body: ReturnType<typeof sampleOrder>, at: string, change: object = {}) => {
    const res = await t.as('admin').post('/api/orders', { ...body, ...change, sourceVersion: at });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.outcome).toBe('updated');
    return detail(res.body.order.id);
  };
  const lastUpdate = (d: { timeline: { event: string; details: Record<string, unknown> }[] }) =>
    d.timeline.filter((e) => e.event === 'updated').at(-1)!;

  it('keeps the staff’s receiver while the channel still sends the one it was edited from', async () => {
    const { id, body } = await order();
    const before = await detail(id);
    ok(await put(`/api/orders/${id}/receiver`, { version: before.version, receiver: NEW_RECEIVER }));
    // The channel sends a newer version for another reason (a remark): same receiver as before.
    const d = await resend(body, '2026-01-09T00:05:00Z', { buyerRemark: '请尽快发货' });
    expect(d.receiver).toMatchObject({ name: '王*', phone: '139****1234', city: '上海市' });
    expect(d.buyerRemark).toBe('请尽快发货');
    expect(d.status).toBe('paid');
    expect(lastUpdate(d).details['staffEditsKept']).toEqual(['receiver']);
    // The search hashes still follow the staff's receiver.
    const byPhone = ok(await t.as('customer_service').get(`/api/orders?phone=1234&limit=200`));
    expect(byPhone.items.map((o: { id: string }) => o.id)).toContain(id);
    // A second version still carrying the old receiver keeps it again.
    const d2 = await resend(body, '2026-01-09T00:06:00Z', { buyerRemark: '周末也可' });
    expect(d2.receiver).toMatchObject({ name: '王*', phone: '139****1234' });
    expect(ok(await t.as('customer_service').get(`/api/orders/${id}/receiver-history`)).items).toHaveLength(
      1,
    );
  });

  it('takes a receiver the buyer changed on the channel too, keeps the staff’s in the history, and holds the order', async () => {
    const { id, body } = await order();
    const before = await detail(id);
    ok(await put(`/api/orders/${id}/receiver`, { version: before.version, receiver: NEW_RECEIVER }));
    const moved = { ...body.receiver!, detail: '文一路 8 号', district: '拱墅区' };
    const d = await resend(body, '2026-01-09T00:05:00Z', { receiver: moved });
    expect(d.receiver).toMatchObject({ name: '李*', district: '拱墅区' });
    expect(d.status).toBe('on_hold');
    expect(d.holdReason).toBe('CHANNEL_CHANGED');
    expect(lastUpdate(d).details['staffEditsReplaced']).toEqual(['receiver']);
    const history = ok(await t.as('customer_service').get(`/api/orders/${id}/receiver-history`)).items;
    expect(history[0]).toMatchObject({ replacedBy: 'channel' });
    expect(history[0].receiver).toMatchObject({ name: '王*', phone: '139****1234' });
    // The channel decides the receiver again: its next version is taken as it comes, no new hold.
    const released = ok(
      await t.request('POST', `/api/orders/${id}/transitions`, {
        as: 'operations',
        body: { event: 'release', version: d.version },
      }),
    );
    expect(released.status).toBe('under_review');
    const d2 = await resend(body, '2026-01-09T00:07:00Z', { receiver: { ...moved, detail: '文一路 9 号' } });
    expect(d2.status).toBe('under_review');
    expect(lastUpdate(d2).details['staffEditsReplaced']).toBeUndefined();
  });

  it('keeps the staff’s lines and amounts while the channel’s lines stay as they were; takes and holds when they change', async () => {
    const { id, body } = await order();
    const before = await detail(id);
    const cup = before.lines.find((l: { sku: string }) => l.sku === 'CUP-02');
    const edited = ok(
      await put(`/api/orders/${id}/lines/${cup.id}`, { version: before.version, quantity: 3 }),
    );
    expect(edited.total).toBe(5333);
    const d = await resend(body, '2026-01-09T00:05:00Z', { buyerRemark: '送礼' });
    expect(d.lines.find((l: { sku: string }) => l.sku === 'CUP-02').quantity).toBe(3);
    expect(d.total).toBe(5333);
    expect(lastUpdate(d).details['staffEditsKept']).toEqual(['lines']);
    expect(d.status).toBe('paid');
    // The buyer changes the lines on the channel too: the channel's lines are taken, held for a person.
    const d2 = await resend(body, '2026-01-09T00:06:00Z', {
      lines: [{ channelSku: 'TEA-SET-01', sku: 'TEA-SET-01', title: '茶具', quantity: 2, unitPrice: 3333 }],
      discount: 0,
      total: 6666,
    });
    expect(d2.lines).toHaveLength(1);
    expect(d2.total).toBe(6666);
    expect(d2.status).toBe('on_hold');
    expect(d2.holdReason).toBe('CHANNEL_CHANGED');
    expect(lastUpdate(d2).details['staffEditsReplaced']).toEqual(['lines']);
    // Stock follows the lines taken: the order holds TEA-SET-01 ×2 and no CUP-02.
    const held = await t.database.query<{ sku: string; n: string }>(
      `SELECT sku, sum(quantity)::text AS n FROM reservations WHERE order_id = $1 AND status = 'active' GROUP BY sku ORDER BY sku`,
      [id],
    );
    expect(held).toEqual([{ sku: 'TEA-SET-01', n: '2' }]);
  });
});

describe('after approval', () => {
  it('refuses every edit with 409 ORDER_NOT_EDITABLE and changes nothing', async () => {
    const id = await newOrder();
    await transition(t, id, 'approve');
    const d = await detail(id);
    expect(d.status).toBe('approved');
    const problem = await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(`/api/orders/${id}/receiver`, { version: d.version, receiver: NEW_RECEIVER }),
      409,
      'ORDER_NOT_EDITABLE',
    );
    expect(problem.details).toMatchObject({ status: 'approved' });
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => put(`/api/orders/${id}/lines/${d.lines[0].id}`, { version: d.version, quantity: 2 }),
      409,
      'ORDER_NOT_EDITABLE',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () =>
        t
          .as('customer_service')
          .post(`/api/orders/${id}/gift-lines`, { version: d.version, sku: 'CUP-02', quantity: 1 }),
      409,
      'ORDER_NOT_EDITABLE',
    );
  });
});

describe('manual orders (手工建单)', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    requestId: `req-${Math.random().toString(36).slice(2, 12)}`,
    channelAccount: 'default',
    receiver: NEW_RECEIVER,
    buyerNick: '电话客户',
    lines: [
      { sku: 'CUP-02', quantity: 2, unitPrice: 1500 },
      { sku: 'TEA-SET-01', quantity: 1, unitPrice: 8000 },
    ],
    shippingFee: 800,
    discount: 1000,
    paid: true,
    sellerRemark: '电话订单',
    ...over,
  });

  it('goes through ingest: an order number, stock reserved, the timeline, once per requestId', async () => {
    const cup = await level(t, 'CUP-02', 'WH-HZ');
    const tea = await level(t, 'TEA-SET-01', 'WH-HZ');
    const b = body();
    const res = await t.as('customer_service').post('/api/orders/manual', b);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      status: 'paid',
      channelAccount: 'default',
      externalOrderId: `MANUAL-${b.requestId}`,
      goodsAmount: 11000,
      shippingFee: 800,
      discount: 1000,
      total: 10800,
      buyerNick: '电话客户',
      sellerRemark: '电话订单',
      receiver: { name: '王*', phone: '139****1234', province: '上海市' },
    });
    expect(res.body.orderNo).toMatch(/^OH\d+/);
    expect(res.body.lines.map((l: { discount: number }) => l.discount)).toEqual([273, 727]);
    expect(res.body.timeline.map((e: { event: string }) => e.event)).toEqual(['created', 'stock']);
    expect(res.body.timeline[0]).toMatchObject({ actorName: expect.stringContaining('customer_service') });
    expect(await level(t, 'CUP-02', 'WH-HZ')).toMatchObject({ reserved: cup.reserved + 2 });
    expect(await level(t, 'TEA-SET-01', 'WH-HZ')).toMatchObject({ reserved: tea.reserved + 1 });
    expect(await t.count(`audit_log WHERE action = 'order.manual_create'`)).toBe(1);

    const before = await t.count('orders');
    const again = await t.as('customer_service').post('/api/orders/manual', b);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
    expect(await t.count('orders')).toBe(before);
    expect(await level(t, 'CUP-02', 'WH-HZ')).toMatchObject({ reserved: cup.reserved + 2 });
  });

  it('an unpaid one waits for payment with all its stock held', async () => {
    const res = await t.as('customer_service').post('/api/orders/manual', body({ paid: false }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'pending_payment', paidAt: null });
  });

  it('refuses bad input and changes nothing', async () => {
    const post = (b: unknown) => () => t.as('customer_service').post('/api/orders/manual', b);
    const tb = await t
      .as('admin')
      .post('/api/channel-accounts', { code: 'tb-shop', name: '淘宝店', channel: 'taobao' });
    expect([201, 422]).toContain(tb.status);
    if (tb.status === 201)
      await expectRefusedUnwritten(
        t,
        TABLES,
        post(body({ channelAccount: 'tb-shop' })),
        422,
        'MANUAL_ORDER_ACCOUNT_NOT_OWN',
      );
    await expectRefusedUnwritten(
      t,
      TABLES,
      post(body({ channelAccount: 'nope' })),
      422,
      'CHANNEL_ACCOUNT_UNKNOWN',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      post(body({ lines: [{ sku: 'NOPE-99', quantity: 1, unitPrice: 100 }] })),
      422,
      'SKU_UNKNOWN',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      post(body({ lines: [{ sku: 'CUP-02', quantity: 0, unitPrice: 100 }] })),
      400,
      'VALIDATION_FAILED',
    );
    await expectRefusedUnwritten(t, TABLES, post(body({ lines: [] })), 400, 'VALIDATION_FAILED');
    await expectRefusedUnwritten(
      t,
      TABLES,
      post(body({ receiver: { ...NEW_RECEIVER, province: ' ' } })),
      422,
      'ORDER_ADDRESS_INCOMPLETE',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      post(body({ receiver: { ...NEW_RECEIVER, phone: '138****1234' } })),
      422,
      'PHONE_INVALID',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      post(body({ discount: 999_999 })),
      422,
      'ORDER_AMOUNTS_INCONSISTENT',
    );
    // Unpaid own-shop orders take all or nothing: 6 mugs with at most 5 in stock.
    await expectRefusedUnwritten(
      t,
      TABLES,
      post(body({ paid: false, discount: 0, lines: [{ sku: 'MUG-03', quantity: 6, unitPrice: 100 }] })),
      409,
      'INVENTORY_INSUFFICIENT',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => t.as('warehouse').post('/api/orders/manual', body()),
      403,
      'FORBIDDEN',
    );
  });
});

describe('data scopes', () => {
  it('a user limited to another shop edits none of this one’s orders and enters none for it', async () => {
    const admin = t.as('admin');
    const shop = await admin.post('/api/channel-accounts', {
      code: 'pos-shop',
      name: '门店',
      channel: 'pos',
    });
    expect(shop.status, JSON.stringify(shop.body)).toBe(201);
    const user = await admin.post('/api/users', {
      username: 'pos-clerk',
      role: 'customer_service',
      password: 'pos-clerk-password-123',
      scope: { channelAccounts: [shop.body.id], warehouses: [] },
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const token = (await admin.post('/api/tokens', { name: 'pos', username: 'pos-clerk' })).body
      .token as string;
    const as = (method: string, url: string, body: unknown) => t.request(method, url, { token, body });

    const id = await newOrder();
    const d = await detail(id);
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => as('PUT', `/api/orders/${id}/receiver`, { version: d.version, receiver: NEW_RECEIVER }),
      404,
      'ORDER_NOT_FOUND',
    );
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => as('PUT', `/api/orders/${id}/lines/${d.lines[0].id}`, { version: d.version, quantity: 2 }),
      404,
      'ORDER_NOT_FOUND',
    );
    const manual = (channelAccount: string) => ({
      requestId: `scope-${channelAccount}`,
      channelAccount,
      receiver: NEW_RECEIVER,
      lines: [{ sku: 'CUP-02', quantity: 1, unitPrice: 1000 }],
      paid: true,
    });
    await expectRefusedUnwritten(
      t,
      TABLES,
      () => as('POST', '/api/orders/manual', manual('default')),
      422,
      'CHANNEL_ACCOUNT_UNKNOWN',
    );
    const made = await as('POST', '/api/orders/manual', manual('pos-shop'));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.channelAccount).toBe('pos-shop');
  });
});
