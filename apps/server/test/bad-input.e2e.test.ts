import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefusedUnwritten, sampleOrder, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { bodyLimit: 1024 * 1024 } });
  await t.as('operations').post('/api/orders', sampleOrder({ externalOrderId: 'EXISTING-1' }));
});
afterAll(async () => t?.close());

const TABLES = [
  'orders',
  'order_lines',
  'order_timeline',
  'order_raw_payloads',
  'audit_log',
  'idempotency_keys',
  'pgboss.job',
];

const refuses = (send: () => Promise<{ status: number; body: any }>, status: number, code: string) =>
  expectRefusedUnwritten(t, TABLES, send, status, code);

const post = (body: unknown) => t.as('operations').post('/api/orders', body);

describe('bad input to POST /api/orders changes nothing', () => {
  it('malformed JSON', async () => {
    await refuses(
      () => t.request('POST', '/api/orders', { as: 'operations', payload: '{"channelAccount": "default",' }),
      400,
      'MALFORMED_JSON',
    );
  });

  it('not JSON at all', async () => {
    await refuses(
      () =>
        t.request('POST', '/api/orders', {
          as: 'operations',
          payload: 'a=b',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('wrong types are not coerced', async () => {
    const o = sampleOrder();
    const body = await refuses(
      () => post({ ...o, lines: [{ ...o.lines[0], quantity: '1' }], total: 8000 }),
      400,
      'VALIDATION_FAILED',
    );
    expect(body.details.errors[0].path).toBe('/lines/0/quantity');
    await refuses(() => post({ ...o, total: '8000' }), 400, 'VALIDATION_FAILED');
  });

  it('unknown fields, also nested, also in the upstream-suffix incident', async () => {
    const body = await refuses(
      () => post({ ...sampleOrder(), order_id_suffix: 'ERR' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(body.details.errors[0].unknownField).toBe('order_id_suffix');
    const o = sampleOrder();
    await refuses(() => post({ ...o, receiver: { ...o.receiver, mobile: '138' } }), 400, 'VALIDATION_FAILED');
  });

  it('negative, zero and fractional quantities', async () => {
    for (const quantity of [-1, 0, 1.5]) {
      const o = sampleOrder({
        lines: [{ channelSku: 'A', sku: 'A', quantity, unitPrice: 100 }],
        discount: 0,
        total: 100,
      });
      await refuses(() => post(o), 400, 'VALIDATION_FAILED');
    }
  });

  it('negative and fractional money', async () => {
    await refuses(
      () =>
        post(
          sampleOrder({
            lines: [{ channelSku: 'A', sku: 'A', quantity: 1, unitPrice: -100 }],
            discount: 0,
            total: -100,
          }),
        ),
      400,
      'VALIDATION_FAILED',
    );
    await refuses(
      () =>
        post(
          sampleOrder({
            lines: [{ channelSku: 'A', sku: 'A', quantity: 1, unitPrice: 99.5 }],
            discount: 0,
            total: 99.5,
          }),
        ),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('unknown currency', async () => {
    await refuses(() => post(sampleOrder({ currency: 'XYZ' })), 422, 'CURRENCY_UNKNOWN');
    await refuses(() => post(sampleOrder({ currency: 'rmb' })), 400, 'VALIDATION_FAILED');
  });

  it('amounts beyond 2^53', async () => {
    await refuses(
      () =>
        t.request('POST', '/api/orders', {
          as: 'operations',
          payload: JSON.stringify(
            sampleOrder({
              lines: [{ channelSku: 'A', sku: 'A', quantity: 1, unitPrice: 1 }],
              discount: 0,
              total: 1,
            }),
          ).replace('"unitPrice":1', '"unitPrice":9007199254740993'),
        }),
      400,
      'VALIDATION_FAILED',
    );
    // Each factor is safe, the product is not: still refused, never rounded.
    await refuses(
      () =>
        post(
          sampleOrder({
            lines: [{ channelSku: 'A', sku: 'A', quantity: 1_000_000, unitPrice: 9_007_199_254_741 }],
            discount: 0,
            total: 1,
          }),
        ),
      422,
      'ORDER_AMOUNTS_INCONSISTENT',
    );
  });

  it('amounts that do not add up to the fen', async () => {
    const body = await refuses(() => post(sampleOrder({ total: 8001 })), 422, 'ORDER_AMOUNTS_INCONSISTENT');
    expect(body.details).toMatchObject({ expectedTotal: 8000, total: 8001 });
    const o = sampleOrder();
    await refuses(
      () =>
        post({
          ...o,
          lines: [
            { ...o.lines[0], discount: 100 },
            { ...o.lines[1], discount: 100 },
          ],
        }),
      422,
      'ORDER_AMOUNTS_INCONSISTENT',
    );
    await refuses(
      () => post({ ...o, lines: [{ ...o.lines[0], discount: 2000 }, o.lines[1]] }),
      422,
      'ORDER_AMOUNTS_INCONSISTENT',
    );
  });

  it('10,001 lines', async () => {
    const lines = Array.from({ length: 10_001 }, (_, i) => ({
      channelSku: `S${i}`,
      sku: `S${i}`,
      quantity: 1,
      unitPrice: 1,
    }));
    await refuses(() => post(sampleOrder({ lines, discount: 0, total: 10_001 })), 400, 'VALIDATION_FAILED');
  });

  it('a body over the size limit', async () => {
    const big = JSON.stringify({ ...sampleOrder(), sellerRemark: 'x'.repeat(2 * 1024 * 1024) });
    await refuses(
      () => t.request('POST', '/api/orders', { as: 'operations', payload: big }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('times without an offset, and a paid order without paidAt', async () => {
    await refuses(() => post(sampleOrder({ placedAt: '2026-01-09 08:00:05' })), 400, 'VALIDATION_FAILED');
    const o = sampleOrder({ status: 'paid' });
    delete o.paidAt;
    await refuses(() => post(o), 400, 'VALIDATION_FAILED');
  });

  it('an invalid phone', async () => {
    const o = sampleOrder();
    await refuses(() => post({ ...o, receiver: { ...o.receiver, phone: '12345' } }), 422, 'PHONE_INVALID');
  });

  it('an Idempotency-Key that is not visible ASCII', async () => {
    await refuses(
      () => t.as('operations').post('/api/orders', sampleOrder(), { 'idempotency-key': 'ключ' }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('a batch of 1,001 orders, and an empty one', async () => {
    const orders = Array.from({ length: 1001 }, () => sampleOrder());
    await refuses(() => t.as('operations').post('/api/orders:batch', { orders }), 400, 'VALIDATION_FAILED');
    await refuses(
      () => t.as('operations').post('/api/orders:batch', { orders: [] }),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('bad input to queries', () => {
  const get = (qs: string) => t.as('customer_service').get(`/api/orders?${qs}`);

  it('SQL fragments in filters are refused or matched literally, never run', async () => {
    for (const qs of ["status=paid' OR '1'='1", 'sort=placedAt;DROP TABLE orders', "account=x' OR 1=1--"]) {
      const res = await get(encodeURI(qs));
      expect(res.status, qs).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const literal = await get(`orderNo=${encodeURIComponent("1'OR'1'='1")}`);
    expect(literal.status).toBe(200);
    expect(literal.body.items).toEqual([]);
    // An order number never holds whitespace: such a filter is refused, not searched.
    expect((await get(`orderNo=${encodeURIComponent("1' OR '1'='1")}`)).body.code).toBe('VALIDATION_FAILED');
    const sku = await get(`sku=${encodeURIComponent("%' OR 1=1 --")}`);
    expect(sku.body.items).toEqual([]);
    expect(await t.count('orders')).toBe(1);
  });

  it('invalid time zones, days and instants', async () => {
    expect((await get('localDay=2026-01-09&tz=Mars/Olympus')).body.code).toBe('INVALID_TIME_ZONE');
    expect((await get('tz=Nowhere')).body.code).toBe('INVALID_TIME_ZONE');
    expect((await get('localDay=2026-13-40')).body.code).toBe('VALIDATION_FAILED');
    expect((await get('placedFrom=yesterday')).body.code).toBe('VALIDATION_FAILED');
  });

  it('unknown filters, bad limits, forged cursors, masked phones', async () => {
    expect((await get('colour=red')).body.code).toBe('VALIDATION_FAILED');
    expect((await get('limit=0')).body.code).toBe('VALIDATION_FAILED');
    expect((await get('limit=201')).body.code).toBe('VALIDATION_FAILED');
    expect((await get('cursor=not-a-cursor')).body.code).toBe('INVALID_CURSOR');
    expect((await get(`cursor=${Buffer.from('["x","y"]').toString('base64url')}`)).body.code).toBe(
      'INVALID_CURSOR',
    );
    expect((await get(`phone=${encodeURIComponent('138****1234')}`)).body.code).toBe('PHONE_INVALID');
  });

  it('an unknown order id and an unknown route', async () => {
    const res = await t.as('customer_service').get('/api/orders/ord_00000000000000000000000000');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ORDER_NOT_FOUND');
    const route = await t.as('customer_service').get('/api/nothing-here');
    expect(route.status).toBe(404);
    expect(route.body.code).toBe('NOT_FOUND');
  });

  it('transitions with bad bodies change nothing', async () => {
    const id = (await get('orderNo=EXISTING-1')).body.items[0].id;
    await refuses(
      () => t.as('operations').post(`/api/orders/${id}/transitions`, { event: 'fly', version: 1 }),
      400,
      'VALIDATION_FAILED',
    );
    await refuses(
      () => t.as('operations').post(`/api/orders/${id}/transitions`, { event: 'approve' }),
      400,
      'VALIDATION_FAILED',
    );
    await refuses(
      () => t.as('operations').post(`/api/orders/${id}/transitions`, { event: 'approve', version: 0 }),
      400,
      'VALIDATION_FAILED',
    );
    await refuses(
      () => t.as('operations').post(`/api/orders/${id}/transitions`, { event: 'approve', version: 9 }),
      409,
      'ORDER_VERSION_CONFLICT',
    );
  });
});
