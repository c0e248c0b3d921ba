import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.close());

const timelineCount = async (orderId: string) =>
  Number(
    (
      await t.database.query<{ n: string }>(`SELECT count(*) AS n FROM order_timeline WHERE order_id = $1`, [
        orderId,
      ])
    )[0]!.n,
  );
const jobsFor = async (orderId: string) =>
  Number(
    (
      await t.database.query<{ n: string }>(
        `SELECT count(*) AS n FROM pgboss.job WHERE name = 'order-events' AND data->>'orderId' = $1`,
        [orderId],
      )
    )[0]!.n,
  );

describe('ingest', () => {
  it('creates the order with lines, raw payload, timeline, audit row and outbox job', async () => {
    const body = sampleOrder();
    const res = await t.as('operations').post('/api/orders', body);
    expect(res.status).toBe(201);
    expect(res.body.outcome).toBe('created');
    const o = res.body.order;
    // The shop as staff read it: the built-in storefront's name, its code for integrations.
    expect(o).toMatchObject({ channelAccount: 'default', channelAccountName: '自营店铺' });
    const listed = await t.as('operations').get(`/api/orders?orderNo=${o.orderNo}`);
    expect(listed.body.items[0].channelAccountName).toBe('自营店铺');
    expect((await t.as('operations').get(`/api/orders/${o.id}`)).body.channelAccountName).toBe('自营店铺');
    expect(o).toMatchObject({
      status: 'paid',
      version: 1,
      total: 8000,
      goodsAmount: 10000,
      discount: 2000,
      currency: 'CNY',
      channelAccount: 'default',
    });
    expect(o.id).toMatch(/^ord_[0-9a-z]{26}$/);
    const detail = (await t.as('operations').get(`/api/orders/${o.id}`)).body;
    // The 20-yuan discount is split over the lines by their amounts (8000 and 2000), to the fen.
    expect(detail.lines.map((l: { discount: number }) => l.discount)).toEqual([1600, 400]);
    expect(detail.lines.map((l: { amount: number }) => l.amount)).toEqual([6400, 1600]);
    expect(detail.timeline).toHaveLength(1);
    expect(detail.timeline[0]).toMatchObject({
      event: 'created',
      fromStatus: null,
      toStatus: 'paid',
      actorName: expect.stringMatching(/^operations-user \(token tok_/),
      actorType: 'token',
      source: 'api',
    });
    expect(
      await t.database.query(`SELECT 1 FROM order_raw_payloads WHERE order_id = $1`, [o.id]),
    ).toHaveLength(1);
    expect(
      await t.database.query(`SELECT 1 FROM audit_log WHERE entity_id = $1 AND action = 'order.ingest'`, [
        o.id,
      ]),
    ).toHaveLength(1);
    expect(await jobsFor(o.id)).toBe(1);
  });

  it('stores a repeat once: same order back, no second timeline entry, no second job', async () => {
    const body = sampleOrder();
    const first = await t.as('operations').post('/api/orders', body);
    const again = await t.as('operations').post('/api/orders', body);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('duplicate');
    expect(again.body.order.id).toBe(first.body.order.id);
    expect(again.body.order.version).toBe(1);
    expect(await timelineCount(first.body.order.id)).toBe(1);
    expect(await jobsFor(first.body.order.id)).toBe(1);
    const raws = await t.database.query(`SELECT 1 FROM order_raw_payloads WHERE order_id = $1`, [
      first.body.order.id,
    ]);
    expect(raws).toHaveLength(1);
  });

  it('takes a newer source version, ignores an older one', async () => {
    const v1 = sampleOrder({ sourceVersion: '2026-01-09T01:00:00Z', sellerRemark: 'v1' });
    const created = (await t.as('operations').post('/api/orders', v1)).body.order;
    const v2 = { ...v1, sourceVersion: '2026-01-09T02:00:00Z', sellerRemark: 'v2', tags: ['加急'] };
    const updated = await t.as('operations').post('/api/orders', v2);
    expect(updated.body.outcome).toBe('updated');
    expect(updated.body.order).toMatchObject({
      id: created.id,
      version: 2,
      sellerRemark: 'v2',
      tags: ['加急'],
    });
    const older = await t
      .as('operations')
      .post('/api/orders', { ...v1, sourceVersion: '2026-01-09T01:30:00Z', sellerRemark: 'late' });
    expect(older.body.outcome).toBe('stale');
    expect(older.body.order.sellerRemark).toBe('v2');
    const detail = (await t.as('operations').get(`/api/orders/${created.id}`)).body;
    expect(detail.timeline.map((e: { event: string }) => e.event)).toEqual(['created', 'updated']);
    expect(detail.timeline[1].details.changed).toEqual(expect.arrayContaining(['sellerRemark', 'tags']));
    expect(detail.timeline[1].details.changed).not.toContain('receiverPhoneEnc');
  });

  it('follows the channel: paid later, cancelled later', async () => {
    const pending = sampleOrder({ sourceVersion: '2026-01-09T01:00:00Z' });
    delete pending.paidAt;
    const o = (await t.as('operations').post('/api/orders', pending)).body.order;
    expect(o.status).toBe('pending_payment');
    const paid = await t.as('operations').post('/api/orders', {
      ...pending,
      sourceVersion: '2026-01-09T01:05:00Z',
      paidAt: '2026-01-09T01:04:00Z',
    });
    expect(paid.body.order).toMatchObject({ status: 'paid', paidAt: '2026-01-09T01:04:00.000Z' });
    const cancelled = await t.as('operations').post('/api/orders', {
      ...pending,
      sourceVersion: '2026-01-09T01:10:00Z',
      paidAt: '2026-01-09T01:04:00Z',
      status: 'cancelled',
    });
    expect(cancelled.body.order.status).toBe('cancelled');
    const detail = (await t.as('operations').get(`/api/orders/${o.id}`)).body;
    expect(detail.timeline.map((e: { event: string; source: string }) => `${e.event}:${e.source}`)).toEqual([
      'created:api',
      'updated:api',
      'pay:channel',
      'updated:api',
      'cancel:channel',
    ]);
    expect(detail.timeline.at(-1).reasonCode).toBe('CHANNEL_CANCELLED');
  });

  it('holds a paid order with an unmapped line, naming the line (incident: SKU typo)', async () => {
    const body = sampleOrder({
      lines: [
        { channelSku: 'DY-BABY-SH-01', sku: 'BABY-SH-01', quantity: 1, unitPrice: 5000 },
        { channelSku: 'DY-BABY-SH-001', quantity: 1, unitPrice: 5000 },
      ],
      discount: 0,
      total: 10000,
    });
    const o = (await t.as('operations').post('/api/orders', body)).body.order;
    expect(o).toMatchObject({ status: 'on_hold', holdReason: 'SKU_UNMAPPED' });
    const detail = (await t.as('operations').get(`/api/orders/${o.id}`)).body;
    expect(detail.timeline.at(-1)).toMatchObject({
      event: 'hold',
      reasonCode: 'SKU_UNMAPPED',
      actorType: 'system',
    });
    expect(detail.timeline.at(-1).note).toContain('line 2 (DY-BABY-SH-001)');
    const approve = detail.nextEvents.find((e: { event: string }) => e.event === 'approve');
    expect(approve).toMatchObject({ allowed: false, blockedBy: { code: 'SKU_UNMAPPED' } });
    expect(approve.blockedBy.message).toBe('cannot approve: SKU_UNMAPPED on line 2 (DY-BABY-SH-001)');
    const tried = await t
      .as('operations')
      .post(`/api/orders/${o.id}/transitions`, { event: 'approve', version: o.version });
    expect(tried.status).toBe(409);
    expect(tried.body.code).toBe('ORDER_GUARD_FAILED');
  });

  it('treats orders of two accounts with the same channel id as two orders', async () => {
    const acct = await t
      .as('operations')
      .post('/api/channel-accounts', { code: 'dy-main', name: '抖店主店', channel: 'douyin' });
    expect(acct.status).toBe(201);
    const a = sampleOrder();
    const r1 = await t.as('operations').post('/api/orders', a);
    const r2 = await t.as('operations').post('/api/orders', { ...a, channelAccount: 'dy-main' });
    expect(r2.status).toBe(201);
    expect(r2.body.order.id).not.toBe(r1.body.order.id);
    expect(r2.body.order.channel).toBe('douyin');
  });

  it('refuses an unknown or deactivated channel account', async () => {
    const unknown = await t.as('operations').post('/api/orders', sampleOrder({ channelAccount: 'nope' }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('CHANNEL_ACCOUNT_UNKNOWN');
    const acct = (
      await t
        .as('operations')
        .post('/api/channel-accounts', { code: 'closed-shop', name: '关店', channel: 'taobao' })
    ).body;
    await t.as('operations').patch(`/api/channel-accounts/${acct.id}`, { active: false });
    const inactive = await t
      .as('operations')
      .post('/api/orders', sampleOrder({ channelAccount: 'closed-shop' }));
    expect(inactive.body.code).toBe('CHANNEL_ACCOUNT_INACTIVE');
  });

  it('replays an Idempotency-Key and refuses it with another body', async () => {
    const body = sampleOrder();
    const key = { 'idempotency-key': `k-${body.externalOrderId}` };
    const first = await t.as('operations').post('/api/orders', body, key);
    const replay = await t.as('operations').post('/api/orders', body, key);
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const other = await t.as('operations').post('/api/orders', { ...body, sellerRemark: 'changed' }, key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await timelineCount(first.body.order.id)).toBe(1);
  });

  it('ingests concurrent deliveries of one order exactly once', async () => {
    const body = sampleOrder();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.as('operations').post('/api/orders', body)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(results.map((r) => r.body.order.id));
    expect(ids.size).toBe(1);
    expect(await timelineCount([...ids][0] as string)).toBe(1);
  });

  it('ingests a batch, each order on its own', async () => {
    const good = sampleOrder();
    const dup = sampleOrder();
    await t.as('operations').post('/api/orders', dup);
    const bad = sampleOrder({ channelAccount: 'nope' });
    const res = await t.as('operations').post('/api/orders:batch', { orders: [good, dup, bad] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, duplicate: 1, failed: 1 });
    expect(res.body.results[2]).toMatchObject({
      index: 2,
      outcome: 'failed',
      error: { code: 'CHANNEL_ACCOUNT_UNKNOWN' },
    });
    expect(res.body.results[0].orderId).toMatch(/^ord_/);
  });

  it('a batch where one order fails unexpectedly answers 200, lists it as failed and stores exactly the rest', async () => {
    // 60 orders: two transactions of the batch. One order fails in its transaction after most of
    // its rows were written (a planted fault in a transition effect: its unmapped line puts it on
    // hold); one is refused with a domain error; the others must all be stored, and only they.
    const orders = Array.from({ length: 60 }, () => sampleOrder());
    const poisoned = sampleOrder({
      lines: [{ channelSku: 'NO-SKU-1', title: '无映射', quantity: 1, unitPrice: 10000 }],
    });
    orders[55] = poisoned;
    orders[3] = sampleOrder({ channelAccount: 'nope' });
    t.app.deps.hooks.orderTransition ??= [];
    const effects = t.app.deps.hooks.orderTransition;
    const planted: NonNullable<typeof t.app.deps.hooks.orderTransition>[number] = async (_tx, _at, _a, c) => {
      if (c.after.externalOrderId === poisoned.externalOrderId) throw new Error('planted fault');
    };
    effects.push(planted);
    const count = async () =>
      (
        await t.database.query<Record<string, string>>(`SELECT
          (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_lines) AS lines,
          (SELECT count(*) FROM order_raw_payloads) AS raw, (SELECT count(*) FROM order_timeline) AS timeline,
          (SELECT count(*) FROM audit_log WHERE action = 'order.ingest') AS audit,
          (SELECT count(*) FROM pgboss.job WHERE name = 'order-events') AS jobs`)
      )[0]!;
    const before = await count();
    let res: Awaited<ReturnType<ReturnType<TestApp['as']>['post']>>;
    try {
      res = await t.as('operations').post('/api/orders:batch', { orders });
    } finally {
      effects.splice(effects.indexOf(planted), 1);
    }
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 58, failed: 2 });
    expect(res.body.results).toHaveLength(60);
    expect(res.body.results[55]).toMatchObject({
      index: 55,
      externalOrderId: poisoned.externalOrderId,
      outcome: 'failed',
      error: { code: 'INTERNAL' },
    });
    expect(res.body.results[3]).toMatchObject({
      outcome: 'failed',
      error: { code: 'CHANNEL_ACCOUNT_UNKNOWN' },
    });
    const stored = res.body.results.filter((r: { outcome: string }) => r.outcome === 'created');
    const after = await count();
    const grew = (k: string) => Number(after[k]) - Number(before[k]);
    expect(grew('orders')).toBe(58);
    expect(grew('lines')).toBe(58 * 2);
    expect(grew('raw')).toBe(58);
    // Each stored order has its timeline; no entry outlives a rolled-back order.
    const timelineOfStored = await t.database.query<{ n: string }>(
      `SELECT count(*) AS n FROM order_timeline WHERE order_id = ANY($1::text[])`,
      [stored.map((r: { orderId: string }) => r.orderId)],
    );
    expect(grew('timeline')).toBe(Number(timelineOfStored[0]!.n));
    expect(
      await t.database.query(
        `SELECT 1 FROM order_timeline l WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = l.order_id)`,
      ),
    ).toHaveLength(0);
    expect(grew('audit')).toBe(58);
    expect(grew('jobs')).toBe(58);
    const ids = stored.map((r: { orderId: string }) => r.orderId);
    const found = await t.database.query<{ id: string }>(`SELECT id FROM orders WHERE id = ANY($1::text[])`, [
      ids,
    ]);
    expect(found).toHaveLength(58);
    expect(
      await t.database.query(`SELECT 1 FROM orders WHERE external_order_id = $1`, [poisoned.externalOrderId]),
    ).toHaveLength(0);
    // Sent again (fault gone), the failed order is stored and the others are duplicates.
    const again = await t.as('operations').post('/api/orders:batch', { orders });
    expect(again.body).toMatchObject({ created: 1, duplicate: 58, failed: 1 });
  });

  it('concurrent batches carrying the same orders store each order once', async () => {
    const orders = Array.from({ length: 12 }, () => sampleOrder());
    const [a, b] = await Promise.all([
      t.as('operations').post('/api/orders:batch', { orders }),
      t.as('operations').post('/api/orders:batch', { orders: [...orders].reverse() }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.created + b.body.created).toBe(12);
    expect(a.body.failed + b.body.failed).toBe(0);
    const rows = await t.database.query<{ n: string }>(
      `SELECT count(*) AS n FROM orders WHERE external_order_id = ANY($1::text[])`,
      [orders.map((o) => o.externalOrderId)],
    );
    expect(Number(rows[0]!.n)).toBe(12);
  });
});

describe('finding orders', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    await t
      .as('operations')
      .post('/api/channel-accounts', { code: 'tmall-1', name: '天猫旗舰店', channel: 'tmall' });
    const put = async (o: Parameters<typeof sampleOrder>[0]) =>
      (await t.as('operations').post('/api/orders', sampleOrder(o))).body.order.id as string;
    ids = {
      // The day-boundary incident: 00:00:05Z is 08:00:05 on the 9th in Shanghai.
      boundary: await put({
        placedAt: '2026-01-09T00:00:05Z',
        paidAt: '2026-01-09T00:01:00Z',
        externalOrderId: 'BOUNDARY-1',
        tags: ['发票'],
      }),
      lateShanghai: await put({
        placedAt: '2026-01-09T17:00:00Z',
        paidAt: '2026-01-09T17:01:00Z',
        channelAccount: 'tmall-1',
      }),
      prevDay: await put({
        placedAt: '2026-01-08T15:59:59Z',
        paidAt: '2026-01-08T16:10:00Z',
        receiver: {
          name: '王五',
          phone: '13900001111',
          province: '上海',
          city: '上海市',
          district: '浦东新区',
          detail: '世纪大道 1 号',
        },
        lines: [{ channelSku: 'PDD26R001', sku: 'DRESS-2026-RED-M', quantity: 1, unitPrice: 9900 }],
        discount: 0,
        total: 9900,
      }),
    };
  });

  const list = async (qs: string) => (await t.as('customer_service').get(`/api/orders?${qs}`)).body;
  const has = (res: { items: { id: string }[] }, id: string) => res.items.some((o) => o.id === id);

  it('files 2026-01-09T00:00:05Z under 9 January in Shanghai and in UTC, never under the 8th', async () => {
    expect(has(await list('localDay=2026-01-09&tz=Asia/Shanghai'), ids.boundary!)).toBe(true);
    expect(has(await list('localDay=2026-01-09&tz=UTC'), ids.boundary!)).toBe(true);
    expect(has(await list('localDay=2026-01-09'), ids.boundary!)).toBe(true); // TZ_DEFAULT = Asia/Shanghai
    expect(has(await list('localDay=2026-01-08&tz=Asia/Shanghai'), ids.boundary!)).toBe(false);
    expect(has(await list('localDay=2026-01-08&tz=UTC'), ids.boundary!)).toBe(false);
    // 17:00Z on the 9th is the 10th in Shanghai; 15:59:59Z on the 8th is still the 8th there.
    expect(has(await list('localDay=2026-01-10&tz=Asia/Shanghai'), ids.lateShanghai!)).toBe(true);
    expect(has(await list('localDay=2026-01-08&tz=Asia/Shanghai'), ids.prevDay!)).toBe(true);
  });

  it('filters by status, channel, account, tag, SKU, order no and phone', async () => {
    expect(has(await list('channel=tmall'), ids.lateShanghai!)).toBe(true);
    expect(has(await list('channel=tmall'), ids.boundary!)).toBe(false);
    expect(has(await list('account=tmall-1&account=default'), ids.boundary!)).toBe(true);
    expect(has(await list('tag=发票'), ids.boundary!)).toBe(true);
    expect(has(await list('tag=发票'), ids.prevDay!)).toBe(false);
    expect((await list('sku=PDD26R001')).items.map((o: { id: string }) => o.id)).toEqual([ids.prevDay]);
    expect((await list('sku=DRESS-2026-RED-M')).items.map((o: { id: string }) => o.id)).toEqual([
      ids.prevDay,
    ]);
    expect((await list('orderNo=BOUNDARY-1')).items.map((o: { id: string }) => o.id)).toEqual([ids.boundary]);
    expect((await list(`orderNo=${ids.boundary}`)).items.map((o: { id: string }) => o.id)).toEqual([
      ids.boundary,
    ]);
    for (const phone of ['13900001111', '139-0000-1111', '+86 139 0000 1111']) {
      expect(
        (await list(`phone=${encodeURIComponent(phone)}`)).items.map((o: { id: string }) => o.id),
      ).toEqual([ids.prevDay]);
    }
    expect(has(await list('status=paid&status=on_hold'), ids.boundary!)).toBe(true);
    expect(has(await list('status=cancelled'), ids.boundary!)).toBe(false);
    expect(
      has(await list('placedFrom=2026-01-09T00:00:00Z&placedTo=2026-01-09T00:00:06Z'), ids.boundary!),
    ).toBe(true);
    expect(has(await list('placedFrom=2026-01-09T00:00:06Z'), ids.boundary!)).toBe(false);
  });

  it('masks the receiver in lists', async () => {
    const item = (await list(`orderNo=${ids.prevDay}`)).items[0];
    expect(item.receiver).toMatchObject({ name: '王*', phone: '139****1111', masked: true });
    expect(item.receiver.detail).not.toContain('1 号');
  });

  it('pages with a keyset cursor without gaps or repeats', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await list(
        `limit=3&sort=placedAt:asc${cursor ? `&cursor=${cursor}` : ''}`,
      );
      all.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    const everything = (await list('limit=200&sort=placedAt:asc')).items.map((o: { id: string }) => o.id);
    expect(all).toEqual(everything);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThan(6);
  });
});
