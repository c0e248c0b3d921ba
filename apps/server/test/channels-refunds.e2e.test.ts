import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalateRefundReviews, processInboxMessage } from '../src/flows/index.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { type Storefront, startStorefront, storeOrder } from './channels-support.ts';
import { startTestApp, type TestApp } from './helpers.ts';
import { level, setupStock } from './inventory-support.ts';

/** Platform changes after ingest: holds, cancels and refund-only freezes, through the generic webhook. */
const clock = new ManualClock('2026-11-30T10:00:00Z');
const MIN = 60_000;
let t: TestApp;
let store: Storefront;
let accountId: string;

beforeAll(async () => {
  t = await startTestApp({ clock, sampleSkus: false });
  await setupStock(
    t,
    ['KETTLE-03'],
    [{ code: 'WH-HZ' }],
    [{ warehouse: 'WH-HZ', sku: 'KETTLE-03', quantity: 10 }],
  );
  store = await startStorefront(clock);
  const res = await t.as('admin').post('/api/channel-accounts', {
    code: 'own-shop',
    name: '自营店',
    channel: 'pos',
    credentials: { webhookSecret: store.secret },
    baseUrl: store.url,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  accountId = res.body.id;
});
afterAll(async () => {
  await store?.close();
  await t?.close();
});

const kettle = (id: string, qty = 2) =>
  storeOrder({
    externalOrderId: id,
    lines: [
      {
        externalLineId: `${id}-L1`,
        channelSku: 'KETTLE-03',
        title: '烧水壶',
        quantity: qty,
        unitPrice: 12900,
      },
    ],
    total: qty * 12900,
  });

/** Sends the order's current version as a signed push and processes it. */
async function deliver(id: string, wrap?: (body: unknown) => unknown) {
  const o = store.orders.get(id)!;
  const body = wrap ? wrap(o.body) : o.body;
  const payload = JSON.stringify(body);
  const push = store.signedPush(id);
  const { createHmac } = await import('node:crypto');
  const ts = push.headers['x-orderhub-timestamp']!;
  const sig = `sha256=${createHmac('sha256', store.secret).update(`${ts}.`).update(payload).digest('hex')}`;
  const res = await t.request('POST', '/api/channels/push/own-shop', {
    as: null,
    payload,
    headers: {
      ...push.headers,
      'x-orderhub-signature': sig,
      'x-orderhub-event-id': `${id}@${o.modifiedAt.toISOString()}`,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const inbox = await t.as('admin').get(`/api/inbox?account=${accountId}&status=received`);
  for (const m of inbox.body.items) expect(await processInboxMessage(t.app.deps, m.id)).toBe('processed');
}

async function order(ext: string) {
  const rows = await t.database.query<{
    id: string;
    status: string;
    hold_reason: string | null;
    version: number;
  }>(
    `SELECT id, status, hold_reason, version FROM orders WHERE channel_account_id = $1 AND external_order_id = $2`,
    [accountId, ext],
  );
  return rows[0]!;
}

describe('platform changes after ingest', () => {
  it('before review the order follows the platform; once approved a change holds it CHANNEL_CHANGED with a field diff', async () => {
    store.put(kettle('CH-1'));
    await deliver('CH-1');
    clock.advance(MIN);
    store.put({ ...kettle('CH-1'), buyerRemark: '请周末送' });
    await deliver('CH-1');
    let o = await order('CH-1');
    expect(o.status).toBe('paid');
    const ap = await t
      .as('admin')
      .post(`/api/orders/${o.id}/transitions`, { event: 'approve', version: o.version });
    expect(ap.status, JSON.stringify(ap.body)).toBe(200);
    clock.advance(MIN);
    store.put({ ...kettle('CH-1'), buyerRemark: '改成工作日送' });
    await deliver('CH-1');
    o = await order('CH-1');
    expect(o).toMatchObject({ status: 'on_hold', hold_reason: 'CHANNEL_CHANGED' });
    const detail = await t.as('admin').get(`/api/orders/${o.id}`);
    const updated = detail.body.timeline.filter((e: any) => e.event === 'updated').at(-1);
    expect(updated.details.diff.buyerRemark).toEqual(['请周末送', '改成工作日送']);
  });

  it('a platform cancel before shipment cancels the order CHANNEL_CANCELLED and releases its stock', async () => {
    store.put(kettle('CH-2', 3));
    await deliver('CH-2');
    expect((await level(t, 'KETTLE-03', 'WH-HZ')).reserved).toBeGreaterThanOrEqual(3);
    const before = (await level(t, 'KETTLE-03', 'WH-HZ')).reserved;
    clock.advance(MIN);
    store.put({ ...kettle('CH-2', 3), status: 'cancelled' });
    await deliver('CH-2');
    const o = await t.database.query<{ status: string; reason_code: string | null }>(
      `SELECT o.status, (SELECT reason_code FROM order_timeline WHERE order_id = o.id AND event = 'cancel' LIMIT 1) AS reason_code
       FROM orders o WHERE external_order_id = 'CH-2'`,
    );
    expect(o[0]).toMatchObject({ status: 'cancelled', reason_code: 'CHANNEL_CANCELLED' });
    expect((await level(t, 'KETTLE-03', 'WH-HZ')).reserved).toBe(before - 3);
  });

  it('refund-only on paid unshipped goods freezes the units until a decision; reject gives them back to the order', async () => {
    store.put(kettle('RF-1', 2));
    await deliver('RF-1');
    const l0 = await level(t, 'KETTLE-03', 'WH-HZ');
    clock.advance(MIN);
    store.put(kettle('RF-1', 2));
    await deliver('RF-1', (body) => ({
      order: body,
      refunds: [{ externalLineId: 'RF-1-L1', status: 'requested', refundOnly: true }],
    }));
    const held = await order('RF-1');
    expect(held).toMatchObject({ status: 'on_hold', hold_reason: 'REFUND_REQUESTED' });
    const l1 = await level(t, 'KETTLE-03', 'WH-HZ');
    expect(l1.frozen).toBe(l0.frozen + 2);
    expect(l1.reserved).toBe(l0.reserved - 2);
    expect(l1.available).toBe(l0.available);
    const reviews = await t.as('admin').get(`/api/channel-refund-reviews?orderId=${held.id}`);
    expect(reviews.body).toHaveLength(1);
    expect(reviews.body[0]).toMatchObject({ status: 'open', externalLineId: 'RF-1-L1' });
    // A later version of the order does not take the frozen units back into its reservation.
    clock.advance(MIN);
    store.put({ ...kettle('RF-1', 2), buyerRemark: 'again' });
    await deliver('RF-1', (body) => ({
      order: body,
      refunds: [{ externalLineId: 'RF-1-L1', status: 'requested', refundOnly: true }],
    }));
    expect(await level(t, 'KETTLE-03', 'WH-HZ')).toMatchObject({ frozen: l1.frozen, reserved: l1.reserved });
    const decided = await t
      .as('admin')
      .post(`/api/channel-refund-reviews/${reviews.body[0].id}/decision`, { decision: 'reject' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body.status).toBe('rejected');
    expect(await level(t, 'KETTLE-03', 'WH-HZ')).toMatchObject({ frozen: l0.frozen, reserved: l0.reserved });
    expect((await order('RF-1')).status).toBe('under_review');
    const again = await t
      .as('admin')
      .post(`/api/channel-refund-reviews/${reviews.body[0].id}/decision`, { decision: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('REFUND_REVIEW_CLOSED');
  });

  it('approve puts the frozen units back on sale; an undecided request is escalated after 24 h', async () => {
    store.put(kettle('RF-2', 1));
    await deliver('RF-2');
    const l0 = await level(t, 'KETTLE-03', 'WH-HZ');
    clock.advance(MIN);
    store.put(kettle('RF-2', 1));
    await deliver('RF-2', (body) => ({
      order: body,
      refunds: [{ externalLineId: null, status: 'requested', refundOnly: true }],
    }));
    const o = await order('RF-2');
    const [review] = (await t.as('admin').get(`/api/channel-refund-reviews?orderId=${o.id}`)).body;
    expect(await escalateRefundReviews(t.app.deps)).toBe(0);
    clock.advance(24 * 60 * MIN + MIN);
    expect(await escalateRefundReviews(t.app.deps)).toBe(1);
    const alerts = await t.as('admin').get(`/api/channels/alerts?open=true&account=${accountId}`);
    expect(alerts.body.map((a: any) => a.kind)).toContain('refund_undecided');
    const ok = await t
      .as('admin')
      .post(`/api/channel-refund-reviews/${review.id}/decision`, { decision: 'approve' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const l2 = await level(t, 'KETTLE-03', 'WH-HZ');
    expect(l2.frozen).toBe(l0.frozen);
    expect(l2.reserved).toBe(l0.reserved - 1);
    expect(l2.available).toBe(l0.available + 1);
    expect((await order('RF-2')).status).toBe('cancelled');
  });

  it('a refund-only approved for one line of several lets the hold go: the other lines go on, the refunded units stay on sale', async () => {
    const twoLines = (id: string) =>
      storeOrder({
        externalOrderId: id,
        lines: [
          {
            externalLineId: `${id}-L1`,
            channelSku: 'KETTLE-03',
            title: '烧水壶',
            quantity: 2,
            unitPrice: 12900,
          },
          {
            externalLineId: `${id}-L2`,
            channelSku: 'KETTLE-03',
            title: '烧水壶（赠）',
            quantity: 1,
            unitPrice: 12900,
          },
        ],
        total: 3 * 12900,
      });
    const before = await level(t, 'KETTLE-03', 'WH-HZ');
    store.put(twoLines('RF-3'));
    await deliver('RF-3');
    const l0 = await level(t, 'KETTLE-03', 'WH-HZ');
    expect(l0.reserved).toBe(before.reserved + 3);
    clock.advance(MIN);
    store.put(twoLines('RF-3'));
    await deliver('RF-3', (body) => ({
      order: body,
      refunds: [{ externalLineId: 'RF-3-L2', status: 'requested', refundOnly: true }],
    }));
    expect(await order('RF-3')).toMatchObject({ status: 'on_hold', hold_reason: 'REFUND_REQUESTED' });
    expect(await level(t, 'KETTLE-03', 'WH-HZ')).toMatchObject({
      frozen: l0.frozen + 1,
      reserved: l0.reserved - 1,
    });
    const [review] = (
      await t.as('admin').get(`/api/channel-refund-reviews?orderId=${(await order('RF-3')).id}`)
    ).body;
    const ok = await t
      .as('admin')
      .post(`/api/channel-refund-reviews/${review.id}/decision`, { decision: 'approve' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    // The hold is gone and the order goes back to review; line 2's unit is on sale, line 1's stay reserved.
    const released = await order('RF-3');
    expect(released.status).toBe('under_review');
    expect(released.hold_reason).toBeNull();
    const l2 = await level(t, 'KETTLE-03', 'WH-HZ');
    expect(l2).toMatchObject({ frozen: l0.frozen, reserved: l0.reserved - 1, available: l0.available + 1 });
    // The platform's next version reports the line refunded: no new hold, the unit is not taken back.
    clock.advance(MIN);
    store.put({ ...twoLines('RF-3'), buyerRemark: 'line 2 refunded' });
    await deliver('RF-3', (body) => ({
      order: body,
      refunds: [{ externalLineId: 'RF-3-L2', status: 'refunded', refundOnly: true }],
    }));
    expect((await order('RF-3')).status).toBe('under_review');
    expect(await level(t, 'KETTLE-03', 'WH-HZ')).toMatchObject({ frozen: l2.frozen, reserved: l2.reserved });
  });

  it('a rejected refund-only request the platform still shows as requested neither holds nor freezes again', async () => {
    store.put(kettle('RF-4', 1));
    await deliver('RF-4');
    const l0 = await level(t, 'KETTLE-03', 'WH-HZ');
    const withRefund = (body: unknown) => ({
      order: body,
      refunds: [{ externalLineId: 'RF-4-L1', status: 'requested', refundOnly: true }],
    });
    clock.advance(MIN);
    store.put(kettle('RF-4', 1));
    await deliver('RF-4', withRefund);
    const o = await order('RF-4');
    const [review] = (await t.as('admin').get(`/api/channel-refund-reviews?orderId=${o.id}`)).body;
    await t.as('admin').post(`/api/channel-refund-reviews/${review.id}/decision`, { decision: 'reject' });
    const after = await order('RF-4');
    expect(after.status).not.toBe('on_hold');
    clock.advance(MIN);
    store.put({ ...kettle('RF-4', 1), buyerRemark: 'still requested' });
    await deliver('RF-4', withRefund);
    expect((await order('RF-4')).status).toBe(after.status);
    expect((await t.as('admin').get(`/api/channel-refund-reviews?orderId=${o.id}`)).body).toHaveLength(1);
    expect(await level(t, 'KETTLE-03', 'WH-HZ')).toMatchObject({ frozen: l0.frozen, reserved: l0.reserved });
  });
});
