import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderNoSeq } from '../src/modules/orders/order-no.ts';
import type { Clock } from '../src/platform/clock.ts';
import { loadConfig } from '../src/platform/config.ts';
import { sampleOrder, startTestApp, type TestApp } from './helpers.ts';

// Local midnight of TZ_DEFAULT (Asia/Shanghai in tests) between 29 and 30 November 2026.
const MIDNIGHT = Date.parse('2026-11-29T16:00:00Z');

/** Each call alternates between just before and just after local midnight. */
class StraddlingClock implements Clock {
  calls = 0;
  fixed: number | null = null;
  now(): Date {
    if (this.fixed !== null) return new Date(this.fixed);
    this.calls++;
    return new Date(this.calls % 2 ? MIDNIGHT - 1 - (this.calls % 500) : MIDNIGHT + (this.calls % 500));
  }
}

const clock = new StraddlingClock();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => t?.close());

const NO = /^OH(\d{6})(\d{5,})$/;
const localYymmdd = (iso: string) => DateTime.fromISO(iso).setZone('Asia/Shanghai').toFormat('yyMMdd');

describe('order numbers', () => {
  it('numbers a quiet day 00001, 00002, …; a repeated delivery keeps its number and uses none', async () => {
    clock.fixed = Date.parse('2026-03-05T02:00:00Z'); // 10:00 on 5 March in Shanghai
    try {
      const first = await t
        .as('operations')
        .post('/api/orders', sampleOrder({ externalOrderId: 'NO-SEQ-1' }));
      expect(first.status).toBe(201);
      expect(first.body.order.orderNo).toBe('OH26030500001');
      const again = await t
        .as('operations')
        .post('/api/orders', sampleOrder({ externalOrderId: 'NO-SEQ-1' }));
      expect(again.body.outcome).not.toBe('created');
      expect(again.body.order.orderNo).toBe('OH26030500001');
      const second = await t
        .as('operations')
        .post('/api/orders', sampleOrder({ externalOrderId: 'NO-SEQ-2' }));
      expect(second.body.order.orderNo).toBe('OH26030500002');

      const detail = (await t.as('customer_service').get(`/api/orders/${second.body.order.id}`)).body;
      expect(detail.orderNo).toBe('OH26030500002');
      const created = detail.timeline.find((e: { event: string }) => e.event === 'created');
      expect(created.details.orderNo).toBe('OH26030500002');
    } finally {
      clock.fixed = null;
    }
  });

  it('stays unique under 200 concurrent ingests across local midnight; each carries its own day', async () => {
    const bodies = Array.from({ length: 200 }, (_, i) => sampleOrder({ externalOrderId: `NO-MID-${i}` }));
    const results = await Promise.all(bodies.map((b) => t.as('operations').post('/api/orders', b)));
    for (const r of results) expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(201);
    const orders = results.map((r) => r.body.order as { orderNo: string; createdAt: string });
    const numbers = orders.map((o) => o.orderNo);
    expect(new Set(numbers).size).toBe(200);
    const perDay = new Map<string, string[]>();
    for (const o of orders) {
      const m = NO.exec(o.orderNo);
      expect(m, o.orderNo).not.toBeNull();
      expect(m![1], `${o.orderNo} created ${o.createdAt}`).toBe(localYymmdd(o.createdAt));
      perDay.set(m![1]!, [...(perDay.get(m![1]!) ?? []), m![2]!]);
    }
    expect([...perDay.keys()].sort()).toEqual(['261129', '261130']);
    for (const [day, seqs] of perDay) {
      expect(seqs.length, day).toBeGreaterThanOrEqual(50);
      expect(seqs, day).toContain('00001'); // each day starts at slot 0
    }
    const dbCount = await t.database.query<{ n: string; d: string }>(
      `SELECT count(*) AS n, count(DISTINCT order_no) AS d FROM orders WHERE external_order_id LIKE 'NO-MID-%'`,
    );
    expect(Number(dbCount[0]!.d)).toBe(200);
    expect(Number(dbCount[0]!.n)).toBe(200);
    if (t.database.kind === 'postgres') {
      // Concurrent ingests took different counter rows instead of queueing on one.
      const slots = await t.database.query<{ n: string }>(
        `SELECT count(*) AS n FROM order_no_counters WHERE day IN ('2026-11-29', '2026-11-30')`,
      );
      expect(Number(slots[0]!.n)).toBeGreaterThan(2);
    }
  });

  it('is found exactly by its number, by the channel’s order id and by the id', async () => {
    clock.fixed = Date.parse('2026-03-06T02:00:00Z');
    try {
      const o = (await t.as('operations').post('/api/orders', sampleOrder({ externalOrderId: 'NO-FIND-1' })))
        .body.order;
      const find = async (q: string) =>
        (await t.as('customer_service').get(`/api/orders?orderNo=${encodeURIComponent(q)}`)).body.items.map(
          (i: { id: string }) => i.id,
        );
      expect(await find(o.orderNo)).toEqual([o.id]);
      expect(await find('NO-FIND-1')).toEqual([o.id]);
      expect(await find(o.id)).toEqual([o.id]);
      expect(await find(o.orderNo.slice(0, -1))).toEqual([]); // exact, not a prefix search
      const item = (await t.as('customer_service').get(`/api/orders?orderNo=${o.orderNo}`)).body.items[0];
      expect(item.orderNo).toBe(o.orderNo);
    } finally {
      clock.fixed = null;
    }
  });

  it('refuses order number filters of the wrong shape with 400 VALIDATION_FAILED', async () => {
    for (const bad of ['', 'OH 2611', ' OH26113000001', 'a\tb', 'x'.repeat(129), 'a\u0001b']) {
      const res = await t.as('customer_service').get(`/api/orders?orderNo=${encodeURIComponent(bad)}`);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.code, JSON.stringify(bad)).toBe('VALIDATION_FAILED');
    }
    const twice = await t.as('customer_service').get('/api/orders?orderNo=A1&orderNo=B2');
    expect(twice.status).toBe(400);
    expect(twice.body.code).toBe('VALIDATION_FAILED');
    const exp = await t.as('customer_service').get('/api/exports/orders?orderNo=OH%202611');
    expect(exp.status).toBe(400);
    expect(exp.body.code).toBe('VALIDATION_FAILED');
  });

  it('is in the export', async () => {
    const res = await t.as('customer_service').get('/api/exports/orders?orderNo=NO-SEQ-2');
    expect(res.status).toBe(200);
    const [header, row] = String(res.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    const cols = header!.split(',');
    expect(row!.split(',')[cols.indexOf('系统单号')]).toBe('OH26030500002');
  });
});

describe('order number parts', () => {
  it('slots hand out interleaved blocks: one writer counts 1, 2, 3 …', () => {
    expect([0, 1, 2, 999, 1000].map((k) => orderNoSeq(0, k))).toEqual([1, 2, 3, 1000, 32001]);
    expect(orderNoSeq(1, 0)).toBe(1001);
    expect(orderNoSeq(31, 999)).toBe(32000);
    const seen = new Set<number>();
    for (let s = 0; s < 32; s++) for (let k = 0; k < 3000; k++) seen.add(orderNoSeq(s, k));
    expect(seen.size).toBe(32 * 3000);
  });

  it('checks ORDERHUB_ORDER_NO_PREFIX at boot', () => {
    expect(loadConfig({}).orderNoPrefix).toBe('OH');
    expect(loadConfig({ ORDERHUB_ORDER_NO_PREFIX: 'SH2B' }).orderNoPrefix).toBe('SH2B');
    for (const bad of ['oh', 'TOOLONG', 'OH1', 'O-H', '12']) {
      expect(() => loadConfig({ ORDERHUB_ORDER_NO_PREFIX: bad }), bad).toThrow(/ORDERHUB_ORDER_NO_PREFIX/);
    }
  });
});
