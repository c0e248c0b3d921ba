import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;

async function newOrder(tags: string[] = []) {
  const res = await t.as('admin').post('/api/orders', sampleOrder({ tags }));
  expect(res.status).toBe(201);
  return res.body.order as { id: string; version: number; tags: string[] };
}

describe('POST /api/orders/:id/tags', () => {
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('adds and removes tags, bumps the version, and keeps timeline, audit and event together', async () => {
    const o = await newOrder(['发票']);
    const jobsBefore = await t.count('pgboss.job');
    const res = await t
      .as('customer_service')
      .post(`/api/orders/${o.id}/tags`, { add: ['加急'], remove: ['发票'], version: o.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.tags).toEqual(['加急']);
    expect(res.body.version).toBe(o.version + 1);
    const entry = res.body.timeline.at(-1);
    expect(entry.event).toBe('tags_changed');
    expect(entry.actorName).toMatch(/^customer_service-user/);
    expect(entry.details).toMatchObject({ added: ['加急'], removed: ['发票'] });
    expect(entry.fromStatus).toBe(entry.toStatus);

    const audit = await t.as('admin').get('/api/audit?action=order.tags_changed');
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ entityId: o.id });
    expect(audit.body.items[0].summary).toMatchObject({ added: ['加急'], removed: ['发票'] });

    expect(await t.count('pgboss.job')).toBeGreaterThan(jobsBefore);
    const events = await t.database.query<{ data: { type: string; orderId: string; version: number } }>(
      `SELECT data FROM pgboss.job WHERE name = 'order-events' AND data->>'orderId' = $1 AND data->>'type' = 'order.updated'`,
      [o.id],
    );
    expect(events.map((e) => e.data.version)).toEqual([o.version + 1]);

    const listed = await t.as('admin').get('/api/orders?tag=加急');
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(o.id);
  });

  it('refuses a stale version with 409 ORDER_VERSION_CONFLICT and writes nothing', async () => {
    const o = await newOrder();
    const first = await t.as('admin').post(`/api/orders/${o.id}/tags`, { add: ['A'], version: o.version });
    expect(first.status).toBe(200);
    const stale = await t.as('admin').post(`/api/orders/${o.id}/tags`, { add: ['B'], version: o.version });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('ORDER_VERSION_CONFLICT');
    expect(stale.body.details?.currentVersion ?? stale.body.currentVersion).toBe(o.version + 1);
    const detail = await t.as('admin').get(`/api/orders/${o.id}`);
    expect(detail.body.tags).toEqual(['A']);
    expect(detail.body.timeline.filter((e: { event: string }) => e.event === 'tags_changed')).toHaveLength(1);
  });

  it('changes nothing when nothing changes', async () => {
    const o = await newOrder(['A']);
    const res = await t
      .as('admin')
      .post(`/api/orders/${o.id}/tags`, { add: ['A'], remove: ['Z'], version: o.version });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(o.version);
    expect(res.body.timeline.some((e: { event: string }) => e.event === 'tags_changed')).toBe(false);
  });

  it('needs orders:review, validates tags and knows missing orders', async () => {
    const o = await newOrder();
    const wh = await t.as('warehouse').post(`/api/orders/${o.id}/tags`, { add: ['A'], version: o.version });
    expect(wh.status).toBe(403);
    const both = await t
      .as('admin')
      .post(`/api/orders/${o.id}/tags`, { add: ['A'], remove: ['A'], version: o.version });
    expect(both.status).toBe(400);
    expect(both.body.code).toBe('VALIDATION_FAILED');
    const tooLong = await t
      .as('admin')
      .post(`/api/orders/${o.id}/tags`, { add: ['x'.repeat(33)], version: 1 });
    expect(tooLong.status).toBe(400);
    const many = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const full = await t.as('admin').post(`/api/orders/${o.id}/tags`, { add: many, version: o.version });
    expect(full.status).toBe(200);
    const over = await t
      .as('admin')
      .post(`/api/orders/${o.id}/tags`, { add: ['one-more'], version: o.version + 1 });
    expect(over.status).toBe(400);
    expect(over.body.code).toBe('VALIDATION_FAILED');
    const missing = await t.as('admin').post('/api/orders/ord_nope/tags', { add: ['A'], version: 1 });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ORDER_NOT_FOUND');
  });
});
