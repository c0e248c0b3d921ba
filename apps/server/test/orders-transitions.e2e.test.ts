import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionOrder } from '../src/modules/orders/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import { sampleOrder, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

async function newOrder(overrides = {}) {
  return (await t.as('operations').post('/api/orders', sampleOrder(overrides))).body.order as {
    id: string;
    version: number;
    status: string;
  };
}

const move = (id: string, body: Record<string, unknown>, as: Parameters<TestApp['as']>[0] = 'operations') =>
  t.as(as).post(`/api/orders/${id}/transitions`, body);

describe('transitions', () => {
  it('walks the happy path and records who, when, from where and why', async () => {
    const o = await newOrder();
    let v = o.version;
    const steps: [string, Parameters<TestApp['as']>[0]][] = [
      ['submit_for_review', 'customer_service'],
      ['approve', 'operations'],
      ['start_fulfilment', 'warehouse'],
      ['ship', 'warehouse'],
      ['deliver', 'warehouse'],
      ['complete', 'warehouse'],
    ];
    for (const [event, as] of steps) {
      const res = await move(o.id, { event, version: v, note: `step ${event}` }, as);
      expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(200);
      v = res.body.version;
    }
    const detail = (await t.as('auditor').get(`/api/orders/${o.id}`)).body;
    expect(detail.status).toBe('completed');
    expect(detail.version).toBe(7);
    expect(detail.timeline.map((e: { toStatus: string }) => e.toStatus)).toEqual([
      'paid',
      'under_review',
      'approved',
      'fulfilling',
      'shipped',
      'delivered',
      'completed',
    ]);
    const approve = detail.timeline[2];
    expect(approve).toMatchObject({
      event: 'approve',
      fromStatus: 'under_review',
      toStatus: 'approved',
      note: 'step approve',
      ip: '127.0.0.1',
      source: 'api',
    });
    expect(approve.actorName).toMatch(/^operations-user/);
    const audits = await t.database.query(
      `SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY at, id`,
      [o.id],
    );
    expect(audits.map((a) => a['action'])).toEqual([
      'order.ingest',
      'order.submit_for_review',
      'order.approve',
      'order.start_fulfilment',
      'order.ship',
      'order.deliver',
      'order.complete',
    ]);
    const jobs = await t.database.query(
      `SELECT data->>'event' AS e FROM pgboss.job WHERE name = 'order-events' AND data->>'orderId' = $1 AND data->>'type' = 'order.status_changed'`,
      [o.id],
    );
    expect(jobs).toHaveLength(6);
  });

  it('refuses an illegal transition and lists what is allowed', async () => {
    const o = await newOrder();
    const res = await move(o.id, { event: 'ship', version: o.version }, 'admin');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ORDER_INVALID_TRANSITION');
    expect(res.body.details.allowed).toEqual(['submit_for_review', 'hold', 'approve', 'cancel']);
    expect(res.body.detail).toContain('allowed: submit_for_review, hold, approve, cancel');
  });

  it('refuses a stale version with 409 and changes nothing', async () => {
    const o = await newOrder();
    expect((await move(o.id, { event: 'submit_for_review', version: o.version })).status).toBe(200);
    const stale = await move(o.id, { event: 'approve', version: o.version });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'ORDER_VERSION_CONFLICT', details: { currentVersion: 2 } });
    const detail = (await t.as('operations').get(`/api/orders/${o.id}`)).body;
    expect(detail.status).toBe('under_review');
    expect(detail.timeline).toHaveLength(2);
  });

  it('needs a known reason to hold or cancel, and holds carry it until released', async () => {
    const o = await newOrder();
    const none = await move(o.id, { event: 'hold', version: o.version });
    expect(none.body.code).toBe('ORDER_REASON_REQUIRED');
    const wrong = await move(o.id, { event: 'hold', version: o.version, reasonCode: 'BECAUSE' });
    expect(wrong.body.code).toBe('ORDER_REASON_UNKNOWN');
    const held = await move(
      o.id,
      { event: 'hold', version: o.version, reasonCode: 'ADDRESS_INCOMPLETE', note: '缺门牌号' },
      'customer_service',
    );
    expect(held.body).toMatchObject({ status: 'on_hold', holdReason: 'ADDRESS_INCOMPLETE' });
    const queue = (await t.as('customer_service').get('/api/orders?holdReason=ADDRESS_INCOMPLETE')).body
      .items;
    expect(queue.map((x: { id: string }) => x.id)).toContain(o.id);
    const released = await move(o.id, { event: 'release', version: held.body.version }, 'customer_service');
    expect(released.body).toMatchObject({ status: 'under_review', holdReason: null });
    const cancelled = await move(
      o.id,
      { event: 'cancel', version: released.body.version, reasonCode: 'BUYER_REQUEST' },
      'customer_service',
    );
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.nextEvents).toEqual([]);
  });

  it('checks the event’s own permission: warehouse may not approve, finance may not cancel', async () => {
    const o = await newOrder();
    const approve = await move(o.id, { event: 'approve', version: o.version }, 'warehouse');
    expect(approve.status).toBe(403);
    expect(approve.body).toMatchObject({ code: 'FORBIDDEN', details: { permission: 'orders:review' } });
    const cancel = await move(
      o.id,
      { event: 'cancel', version: o.version, reasonCode: 'BUYER_REQUEST' },
      'finance',
    );
    expect(cancel.status).toBe(403);
    const detail = (await t.as('warehouse').get(`/api/orders/${o.id}`)).body;
    expect(detail.nextEvents.find((e: { event: string }) => e.event === 'approve')).toMatchObject({
      allowed: false,
      blockedBy: { code: 'FORBIDDEN', details: { permission: 'orders:review' } },
    });
    expect(detail.status).toBe('paid');
  });

  it('checks permission before version and state: finance learns nothing about the order', async () => {
    const o = await newOrder();
    // A stale version, an event the status does not allow, and an order that does not exist: a role
    // without the event's permission gets 403 every time, never the 409/404 that would describe it.
    for (const body of [
      { event: 'cancel', version: o.version + 7, reasonCode: 'BUYER_REQUEST' },
      { event: 'ship', version: o.version },
    ]) {
      const res = await move(o.id, body, 'finance');
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
      expect(JSON.stringify(res.body)).not.toContain('paid');
    }
    const missing = await move('ord_01aaaaaaaaaaaaaaaaaaaaaaaa', { event: 'ship', version: 1 }, 'finance');
    expect(missing.status).toBe(403);
  });

  it('records the client address a trusted (loopback) proxy reports', async () => {
    const o = await newOrder();
    const res = await t.request('POST', `/api/orders/${o.id}/transitions`, {
      as: 'operations',
      body: { event: 'submit_for_review', version: o.version },
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(res.status).toBe(200);
    expect(res.body.timeline.at(-1).ip).toBe('203.0.113.7');
  });

  it('answers 404 ORDER_NOT_FOUND for an unknown order', async () => {
    const res = await move('ord_00000000000000000000000000', { event: 'approve', version: 1 });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ORDER_NOT_FOUND');
    expect((await t.as('operations').get('/api/orders/ord_nope')).body.code).toBe('ORDER_NOT_FOUND');
  });

  it('lets exactly one of two concurrent transitions win', async () => {
    for (let round = 0; round < 5; round++) {
      const o = await newOrder();
      const [a, b] = await Promise.all([
        move(o.id, { event: 'approve', version: o.version }),
        move(o.id, { event: 'cancel', version: o.version, reasonCode: 'BUYER_REQUEST' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const detail = (await t.as('operations').get(`/api/orders/${o.id}`)).body;
      expect(detail.version).toBe(2);
      expect(detail.timeline).toHaveLength(2);
      expect(['approved', 'cancelled']).toContain(detail.status);
    }
  });

  it('without a version, system transitions still serialise on the row lock', async () => {
    const o = await newOrder();
    const { jobs } = t.app.deps;
    const cancel = () =>
      t.database
        .tx((tx) =>
          transitionOrder(tx, { jobs, effects: [] }, new Date(), systemActor('test'), {
            orderId: o.id,
            event: 'cancel',
            reasonCode: 'PAYMENT_TIMEOUT',
          }),
        )
        .then(
          () => 'ok',
          (e: { code?: string }) => e.code,
        );
    // Both read "paid" before either writes, unless the row lock orders them: then the second finds it cancelled.
    const results = await Promise.all([cancel(), cancel(), cancel()]);
    expect(results.sort()).toEqual(['ORDER_INVALID_TRANSITION', 'ORDER_INVALID_TRANSITION', 'ok']);
    const detail = (await t.as('operations').get(`/api/orders/${o.id}`)).body;
    expect(detail.timeline).toHaveLength(2);
  });

  it('writes nothing — no status, timeline, audit or job — when an effect fails inside the transaction', async () => {
    const o = await newOrder();
    const { jobs } = t.app.deps;
    const before = await t.count('pgboss.job');
    const failing = async () => {
      throw new Error('the warehouse system said no');
    };
    await expect(
      t.database.tx((tx) =>
        transitionOrder(tx, { jobs, effects: [failing] }, new Date(), systemActor('test'), {
          orderId: o.id,
          event: 'approve',
        }),
      ),
    ).rejects.toThrow('the warehouse system said no');
    const detail = (await t.as('operations').get(`/api/orders/${o.id}`)).body;
    expect(detail).toMatchObject({ status: 'paid', version: 1 });
    expect(detail.timeline).toHaveLength(1);
    expect(
      await t.database.query(`SELECT 1 FROM audit_log WHERE entity_id = $1 AND action = 'order.approve'`, [
        o.id,
      ]),
    ).toHaveLength(0);
    expect(await t.count('pgboss.job')).toBe(before);
  });
});
