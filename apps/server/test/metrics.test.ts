import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minimalPathLengths } from '../src/modules/metrics/index.ts';
import { sampleOrder, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const now = Date.now();
const ago = (h: number) => new Date(now - h * 3600_000).toISOString();
const range = `from=${encodeURIComponent(ago(24 * 10))}&to=${encodeURIComponent(ago(-1))}`;

async function ingest(over: Parameters<typeof sampleOrder>[0]) {
  const res = await t.as('admin').post('/api/orders', sampleOrder(over));
  expect(res.status).toBe(201);
  return res.body.order as { id: string; version: number; status: string };
}

async function move(id: string, event: string, reasonCode?: string) {
  const cur = await t.as('admin').get(`/api/orders/${id}`);
  const res = await t.as('admin').post(`/api/orders/${id}/transitions`, {
    event,
    version: cur.body.version,
    ...(reasonCode ? { reasonCode } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('metrics', () => {
  beforeAll(async () => {
    t = await startTestApp();
    // a: paid → approved (minimal); b: paid → hold → release → approve (2 extra changes); c: unmapped, held.
    const a = await ingest({ placedAt: ago(5), paidAt: ago(5) });
    await move(a.id, 'approve');
    const b = await ingest({ placedAt: ago(4), paidAt: ago(4) });
    await move(b.id, 'hold', 'CUSTOMER_REQUEST');
    await move(b.id, 'release');
    await move(b.id, 'approve');
    await ingest({
      placedAt: ago(3),
      paidAt: ago(3),
      lines: [{ channelSku: 'DY-BABY-SH-001', quantity: 1, unitPrice: 8000 }],
      discount: 0,
    });
    await ingest({ placedAt: ago(2), paidAt: undefined });
  });
  afterAll(async () => t?.close());

  it('knows the shortest way through the order machine', () => {
    const steps = (from: string, to: string) =>
      minimalPathLengths().find((p) => p.from === from && p.to === to)?.steps;
    expect(steps('paid', 'approved')).toBe(1);
    expect(steps('pending_payment', 'approved')).toBe(2);
    expect(steps('paid', 'delivered')).toBe(4);
    expect(steps('paid', 'paid')).toBe(0);
  });

  it('computes state drift, exception closure and attribution from the tables; null with a reason where data is missing', async () => {
    const res = await t.as('finance').get(`/api/metrics/health?${range}`);
    expect(res.status).toBe(200);
    const fig = Object.fromEntries(res.body.figures.map((f: { key: string }) => [f.key, f]));
    // b made 3 changes where 1 was enough; the held order c made 1 change (paid → on_hold) = its minimum.
    expect(fig.stateDriftRate).toMatchObject({ numerator: 2, denominator: 4, value: 0.5 });
    // b's hold was closed within 72 h; c's is open and younger than 72 h: not decided yet.
    expect(fig.exceptionClosureRate72h).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
    // Own-storefront orders (the `default` account) name their source right.
    expect(fig.channelAttributionCompleteness).toMatchObject({ numerator: 4, denominator: 4, value: 1 });
    expect(fig.stateDriftRate.missed).toBe(true); // 50% against < 1.2%
    expect(fig.exceptionClosureRate72h.missed).toBe(false);
    expect(fig.fundVoucherMatchRate.missed).toBe(false); // no value: not a miss
    expect(fig.fundVoucherMatchRate.value).toBeNull();
    expect(fig.fundVoucherMatchRate.reason).toMatch(/not recorded/);
    expect(fig.channelSyncHealth.value).toBeNull();
  });

  it('counts waiting orders per stage, the funnel, and orders per channel and local day', async () => {
    const stages = await t.as('warehouse').get('/api/metrics/stages');
    const by = Object.fromEntries(
      stages.body.stages.map((s: { status: string; count: number }) => [s.status, s]),
    );
    expect(by.approved.count).toBe(2);
    expect(by.on_hold.count).toBe(1);
    expect(by.pending_payment.count).toBe(1);
    expect(by.approved.avgAgeSeconds).toBeGreaterThanOrEqual(0);

    const funnel = await t.as('admin').get(`/api/metrics/funnel?${range}`);
    expect(funnel.body.placed).toBe(4);
    expect(funnel.body.steps).toEqual([
      { status: 'paid', count: 3 },
      { status: 'approved', count: 2 },
      { status: 'shipped', count: 0 },
      { status: 'delivered', count: 0 },
    ]);

    const channels = await t.as('admin').get(`/api/metrics/orders-by-channel?${range}&tz=Asia/Shanghai`);
    expect(channels.status).toBe(200);
    expect(channels.body.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(4);
    expect(channels.body.buckets[0].channel).toBe('api');

    const bad = await t.as('admin').get('/api/metrics/orders-by-channel?tz=Mars/Olympus');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_TIME_ZONE');
  });

  it('lists hold queues for every reason, with counts', async () => {
    const res = await t.as('customer_service').get('/api/orders/holds');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    const reasons = res.body.reasons.map((r: { reason: string }) => r.reason);
    expect(reasons).toContain('OUT_OF_STOCK');
    expect(res.body.reasons.find((r: { reason: string }) => r.reason === 'SKU_UNMAPPED').count).toBe(1);
  });

  it('needs a session or token', async () => {
    const res = await t.as(null).get('/api/metrics/health');
    expect(res.status).toBe(401);
  });
});

describe('sales and attribution', () => {
  let s: TestApp;
  beforeAll(async () => {
    s = await startTestApp();
    const shop = await s
      .as('admin')
      .post('/api/channel-accounts', { code: 'tb-main', name: '淘宝旗舰店', channel: 'taobao' });
    expect(shop.status, JSON.stringify(shop.body)).toBe(201);
    const post = async (over: Parameters<typeof sampleOrder>[0]) => {
      const res = await s.as('admin').post('/api/orders', sampleOrder(over));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    };
    await post({ placedAt: ago(5), paidAt: ago(5) }); // own store, paid 80.00
    await post({ placedAt: ago(4), paidAt: undefined }); // own store, unpaid 80.00
    await post({ channelAccount: 'tb-main', placedAt: ago(3), paidAt: ago(3) }); // keyed into Taobao by hand
  });
  afterAll(async () => s?.close());

  it('counts a marketplace order keyed in by hand as not attributed, own-storefront orders as attributed', async () => {
    const res = await s.as('admin').get(`/api/metrics/health?${range}`);
    const fig = Object.fromEntries(res.body.figures.map((f: { key: string }) => [f.key, f]));
    expect(fig.channelAttributionCompleteness).toMatchObject({ numerator: 2, denominator: 3, missed: true });
  });

  it('gives orders, GMV and paid amount per day and channel with one definition, money hidden from the warehouse', async () => {
    const res = await s.as('finance').get(`/api/metrics/sales?${range}&tz=Asia/Shanghai`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.totals).toEqual([{ currency: 'CNY', orders: 3, paidOrders: 2, gmv: 24000, paid: 16000 }]);
    const byChannel = (c: string) =>
      res.body.buckets
        .filter((b: { channel: string }) => b.channel === c)
        .reduce((n: number, b: { orders: number }) => n + b.orders, 0);
    expect(byChannel('api')).toBe(2);
    expect(byChannel('taobao')).toBe(1);
    const hidden = await s.as('warehouse').get(`/api/metrics/sales?${range}`);
    expect(hidden.body.totals[0]).toMatchObject({ orders: 3, gmv: null, paid: null });
  });
});
