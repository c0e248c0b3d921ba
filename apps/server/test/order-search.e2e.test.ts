import { MAX_ORDER_NOS_PER_SEARCH, ORDER_TABS } from '@orderhub/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldStatusCounts } from '../src/modules/orders/list-orders.ts';
import { backfillSearchIndexes } from '../src/modules/orders/reseal.ts';
import { expectRefusedUnwritten, sampleOrder, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const ids: Record<string, { id: string; orderNo: string; version: number }> = {};

const found = async (query: string) => {
  const res = await t.as('customer_service').get(`/api/orders?${query}&limit=200`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as { externalOrderId: string }[]).map((o) => o.externalOrderId).sort();
};

describe('search as staff search, tab counts, seller notes', () => {
  beforeAll(async () => {
    t = await startTestApp();
    const orders = [
      sampleOrder({
        externalOrderId: 'S-1',
        receiver: { name: '张 三', phone: '13812345678', province: '浙江省', city: '杭州市' },
        buyer: { nick: 'TeaLover88' },
        buyerRemark: '请周末送',
      }),
      sampleOrder({
        externalOrderId: 'S-2',
        receiver: { name: '李四', phone: '13900005678', province: '江苏省', city: '南京市' },
        buyer: { nick: 'tea_fan' },
      }),
      sampleOrder({
        externalOrderId: 'S-3',
        receiver: { name: '王五', phone: '138****5678', province: '广东省', city: '深圳市' },
        lines: [
          { channelSku: 'PDD-XYZ', sku: 'CUP-02', title: 'Porcelain cup', quantity: 1, unitPrice: 1000 },
        ],
        discount: 0,
        total: 1000,
      }),
      sampleOrder({
        externalOrderId: '202611301234567890',
        receiver: { name: 'Zhang San', phone: '13700001111', province: '浙江省', city: '杭州市' },
        paidAt: undefined,
      }),
    ];
    for (const o of orders) {
      const res = await t.as('admin').post('/api/orders', o);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids[o.externalOrderId] = res.body.order;
    }
  });
  afterAll(async () => t?.close());

  it('fills the search hashes of orders stored without them, through the partial index, once', async () => {
    const waiting = () =>
      t.database.query<{ id: string }>(
        `SELECT id FROM orders WHERE (receiver_name_enc IS NOT NULL AND receiver_name_idx IS NULL)
            OR (receiver_phone_enc IS NOT NULL AND receiver_phone_last4_idx IS NULL)`,
      );
    expect(await waiting()).toEqual([]);
    // Orders stored before the hashes existed.
    await t.database.query(
      `UPDATE orders SET receiver_name_idx = NULL, receiver_phone_last4_idx = NULL WHERE external_order_id IN ('S-1', 'S-2')`,
    );
    expect(await found('phone=5678')).toEqual(['S-3']);
    expect((await waiting()).length).toBe(2);
    expect(await backfillSearchIndexes(t.database, t.app.deps.crypto, 1)).toBe(2);
    expect(await waiting()).toEqual([]);
    expect(await found('phone=5678')).toEqual(['S-1', 'S-2', 'S-3']);
    expect(await found(`receiverName=${encodeURIComponent('张三')}`)).toEqual(['S-1']);
    // Nothing left: the next start reads nothing.
    expect(await backfillSearchIndexes(t.database, t.app.deps.crypto)).toBe(0);
  });

  it('finds orders by the last 4 digits of the phone, masked platform numbers included', async () => {
    expect(await found('phone=5678')).toEqual(['S-1', 'S-2', 'S-3']);
    expect(await found('phone=1111')).toEqual(['202611301234567890']);
    expect(await found('phone=5678&province=x'.replace('&province=x', '&channel=api'))).toEqual([
      'S-1',
      'S-2',
      'S-3',
    ]);
    expect(await found('phone=13812345678')).toEqual(['S-1']);
    // Only hashes are stored: the digits appear nowhere in the table in clear.
    const rows = await t.database.query<{ l4: string }>(`SELECT receiver_phone_last4_idx AS l4 FROM orders`);
    for (const r of rows) expect(r.l4).not.toContain('5678');
  });

  it('refuses a last-4 search with letters, and writes nothing', async () => {
    const body = await expectRefusedUnwritten(
      t,
      ['orders'],
      () => t.as('admin').get('/api/orders?phone=56a8'),
      422,
      'PHONE_INVALID',
    );
    expect(body.detail).toMatch(/last 4 digits/);
  });

  it('finds by receiver name ignoring spaces and case, by nickname and by SKU or title prefix, case-insensitive', async () => {
    expect(await found(`receiverName=${encodeURIComponent('张三')}`)).toEqual(['S-1']);
    expect(await found(`receiverName=${encodeURIComponent('zhang  SAN')}`)).toEqual(['202611301234567890']);
    expect(await found('buyerNick=tea')).toEqual(['S-1', 'S-2']);
    expect(await found('buyerNick=TEA_')).toEqual(['S-2']); // `_` is a character, not a wildcard
    expect(await found('sku=tea-set')).toEqual(['202611301234567890', 'S-1', 'S-2']);
    expect(await found('sku=PDD-XYZ')).toEqual(['S-3']);
    expect(await found('title=porcelain')).toEqual(['S-3']);
    expect(await found('title=%25')).toEqual([]);
  });

  it('takes many order numbers at once, as pasted, in any case, and refuses a list above the limit', async () => {
    const pasted = `${ids['S-1']!.orderNo.toLowerCase()}\n202611301234567890，S-3  ; nothing-like-this`;
    expect(await found(`orderNos=${encodeURIComponent(pasted)}`)).toEqual([
      '202611301234567890',
      'S-1',
      'S-3',
    ]);
    const many = Array.from({ length: MAX_ORDER_NOS_PER_SEARCH + 1 }, (_, i) => `X${i}`).join(',');
    const body = await expectRefusedUnwritten(
      t,
      ['orders'],
      () => t.as('admin').get(`/api/orders?orderNos=${many}`),
      400,
      'ORDER_NOS_TOO_MANY',
    );
    expect(body.details).toMatchObject({
      limit: MAX_ORDER_NOS_PER_SEARCH,
      given: MAX_ORDER_NOS_PER_SEARCH + 1,
    });
  });

  it('shows each order’s first lines in the list', async () => {
    const res = await t.as('warehouse').get('/api/orders?orderNo=S-3');
    expect(res.body.items[0].linesPreview).toEqual([
      { sku: 'CUP-02', channelSku: 'PDD-XYZ', title: 'Porcelain cup', quantity: 1 },
    ]);
  });

  it('counts orders per tab for the filters, equal to the filtered list', async () => {
    const counts = await t.as('customer_service').get('/api/orders/counts?phone=5678');
    expect(counts.status, JSON.stringify(counts.body)).toBe(200);
    expect(counts.body.total).toBe(3);
    expect(Object.keys(counts.body.tabs)).toEqual(ORDER_TABS.map((x) => x.key));
    for (const tab of ORDER_TABS) {
      const status = tab.statuses.length ? `&status=${tab.statuses.join('&status=')}` : '';
      const listed = await found(`phone=5678${status}`);
      expect(counts.body.tabs[tab.key], tab.key).toBe(listed.length);
    }
    const all = await t.as('admin').get('/api/orders/counts');
    expect(all.body.tabs.to_pay).toBe(1);
    expect(all.body.tabs.all).toBe(4);
    // The unfiltered counts come from the kept totals: they follow every status change, before and
    // after the deltas are folded, and agree with a count over the table.
    const paying = ids['202611301234567890']!;
    const cancel = await t.as('admin').post(`/api/orders/${paying.id}/transitions`, {
      event: 'cancel',
      version: paying.version,
      reasonCode: 'BUYER_REQUEST',
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    const direct = async () =>
      Object.fromEntries(
        (
          await t.database.query<{ status: string; n: string }>(
            `SELECT status, count(*) AS n FROM orders GROUP BY status`,
          )
        ).map((r) => [r.status, Number(r.n)]),
      );
    const kept = async () => {
      const res = await t.as('admin').get('/api/orders/counts');
      return Object.fromEntries(
        Object.entries(res.body.statuses as Record<string, number>).filter(([, n]) => n > 0),
      );
    };
    expect(await kept()).toEqual(await direct());
    expect((await t.as('admin').get('/api/orders/counts')).body.tabs).toMatchObject({
      to_pay: 0,
      cancelled: 1,
    });
    await t.database.tx((tx) => foldStatusCounts(tx));
    expect(await t.count('order_status_count_deltas')).toBe(0);
    expect(await kept()).toEqual(await direct());
    const byAccount = await t.as('admin').get('/api/orders/counts?account=default');
    expect(byAccount.body.total).toBe(4);
    const none = await t.as('admin').get('/api/orders/counts?channel=jd');
    expect(none.body.total).toBe(0);
  });

  it('keeps a seller note and flag, versioned, on the timeline and in the audit, and filters by them', async () => {
    const o = ids['S-2']!;
    const res = await t.request('PUT', `/api/orders/${o.id}/seller-note`, {
      as: 'customer_service',
      body: { version: o.version, note: '客户要求顺丰', flag: 1 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ sellerRemark: '客户要求顺丰', sellerFlag: 1, version: o.version + 1 });
    const entry = res.body.timeline.at(-1);
    expect(entry.event).toBe('seller_note');
    expect(entry.details).toEqual({ note: { from: null, to: '客户要求顺丰' }, flag: { from: null, to: 1 } });
    const audit = await t.as('admin').get('/api/audit?action=order.seller_note');
    expect(audit.body.items).toHaveLength(1);
    expect(await found('hasSellerRemark=true')).toEqual(['S-2']);
    expect(await found('sellerFlag=1')).toEqual(['S-2']);
    expect(await found('hasBuyerRemark=true')).toEqual(['S-1']);
    // A stale version is refused and changes nothing.
    const stale = await t.request('PUT', `/api/orders/${o.id}/seller-note`, {
      as: 'customer_service',
      body: { version: o.version, flag: 2 },
    });
    expect(stale.status).toBe(409);
    const bad = await t.request('PUT', `/api/orders/${o.id}/seller-note`, {
      as: 'customer_service',
      body: { version: o.version + 1, flag: 9 },
    });
    expect(bad.status).toBe(400);
    const after = await t.as('admin').get(`/api/orders/${o.id}`);
    expect(after.body.sellerFlag).toBe(1);
    // Clearing both.
    const cleared = await t.request('PUT', `/api/orders/${o.id}/seller-note`, {
      as: 'customer_service',
      body: { version: o.version + 1, note: '', flag: null },
    });
    expect(cleared.body).toMatchObject({ sellerRemark: null, sellerFlag: null });
  });

  it('lists orders overdue to ship: paid more than 48 h ago and not shipped', async () => {
    // sampleOrder was paid on 2026-01-09: long overdue; the unpaid one is not.
    expect(await found('overdue=true')).toEqual(['S-1', 'S-2', 'S-3']);
    expect(await found('overdue=false')).toEqual(['202611301234567890']);
  });
});
