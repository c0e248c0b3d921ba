import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ShopifySimulator, startShopifySimulator } from '@orderhub/simulators';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChannelOrder,
  type ConnectorContext,
  ConnectorError,
  type RawPush,
} from '../src/modules/channels/connector.ts';
import {
  mapShopifyOrder,
  ShopifyRateLimitedError,
  shopifyConnector,
} from '../src/modules/channels/connectors/shopify/index.ts';
import { normaliseOrder } from '../src/modules/orders/index.ts';
import { createFieldCrypto } from '../src/platform/crypto.ts';

// Protocol digest A5 worked example (vectors/vectors.json "shopify").
const VECTOR = {
  secret: 'shpss_fake_client_secret',
  body: '{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508","updated_at":"2024-06-10T12:00:00-04:00"}',
  hmac: 'iX3wNOmXG1VJDuJDtCEI5IHxGblyuHWiC04C7bqwl3M=',
};

const sims: ShopifySimulator[] = [];
afterEach(async () => {
  while (sims.length) await sims.pop()!.close();
});

function clock(startIso = '2026-06-10T00:00:00Z') {
  let t = Date.parse(startIso);
  return { now: () => new Date(t), advance: (ms: number) => (t += ms), at: () => t };
}

async function sim(opts: Parameters<typeof startShopifySimulator>[0] = {}) {
  const s = await startShopifySimulator({ retryBaseMs: 20, ...opts });
  sims.push(s);
  return s;
}

function ctxFor(
  s: ShopifySimulator,
  settings: Record<string, unknown> = {},
  credentials = {},
): ConnectorContext {
  return {
    credentials: { ...s.credentials, ...credentials },
    baseUrl: s.url,
    now: new Date(),
    fetch,
    settings: { ...s.settings, ...settings },
  };
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectorError);
    return err as ConnectorError;
  }
  throw new Error('expected a ConnectorError');
}

const push = (headers: Record<string, string>, body: string): RawPush => ({
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  query: {},
  body: Buffer.from(body, 'utf8'),
});

describe('Shopify connector: protocol vectors', () => {
  it('verifies the digest webhook vector byte for byte and keeps the 64-bit id exact', () => {
    expect(createHmac('sha256', VECTOR.secret).update(VECTOR.body).digest('base64')).toBe(VECTOR.hmac);
    const ctx: ConnectorContext = {
      credentials: { shopDomain: 'x.myshopify.com', accessToken: 'shpat_x', appSecret: VECTOR.secret },
      baseUrl: 'https://{shopDomain}',
      now: new Date(),
      fetch,
      settings: {},
    };
    const v = shopifyConnector.verifyPush(
      push(
        {
          'X-Shopify-Hmac-Sha256': VECTOR.hmac,
          'X-Shopify-Topic': 'orders/updated',
          'X-Shopify-Webhook-Id': 'w-1',
        },
        VECTOR.body,
      ),
      ctx,
    );
    expect(v).toMatchObject({
      ok: true,
      messageId: 'w-1',
      topic: 'orders/updated',
      orderIds: ['820982911946154508'],
    });
    const tampered = shopifyConnector.verifyPush(
      push(
        {
          'X-Shopify-Hmac-Sha256': VECTOR.hmac,
          'X-Shopify-Topic': 'orders/updated',
          'X-Shopify-Webhook-Id': 'w-1',
        },
        VECTOR.body.replace('12:00:00', '12:00:01'),
      ),
      ctx,
    );
    expect(tampered).toMatchObject({ ok: false, reason: 'SIGNATURE_INVALID' });
    const forged = shopifyConnector.verifyPush(
      push(
        {
          'X-Shopify-Hmac-Sha256': createHmac('sha256', 'other-secret').update(VECTOR.body).digest('base64'),
          'X-Shopify-Topic': 'orders/updated',
          'X-Shopify-Webhook-Id': 'w-1',
        },
        VECTOR.body,
      ),
      ctx,
    );
    expect(forged).toMatchObject({ ok: false, reason: 'SIGNATURE_INVALID' });
    const missing = shopifyConnector.verifyPush(
      push({ 'X-Shopify-Topic': 'orders/updated' }, VECTOR.body),
      ctx,
    );
    expect(missing).toMatchObject({ ok: false, reason: 'SIGNATURE_INVALID' });
  });

  it('sends the access token header and the API version from settings in the path', async () => {
    let seen: { url: string; token: string | null } | null = null;
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen = { url, token: new Headers(init.headers).get('x-shopify-access-token') };
      return new Response('{"orders":[]}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    const page = await shopifyConnector.pullOrders(
      {
        credentials: { shopDomain: 'demo.myshopify.com', accessToken: 'shpat_abc', appSecret: 's' },
        baseUrl: shopifyConnector.defaultBaseUrl,
        now: new Date(),
        fetch: fakeFetch,
        settings: { apiVersion: '2025-01' },
      },
      { from: new Date('2026-06-10T00:00:00Z'), to: new Date('2026-06-10T00:30:00Z') },
      null,
    );
    expect(page).toEqual({ orders: [], rejected: [], next: null, shapes: [] });
    expect(seen!.token).toBe('shpat_abc');
    expect(seen!.url).toBe(
      'https://demo.myshopify.com/admin/api/2025-01/orders.json?limit=250&status=any&updated_at_min=2026-06-10T00%3A00%3A00.000Z&updated_at_max=2026-06-10T00%3A30%3A00.000Z',
    );
    expect(() => shopifyConnector.authorisation({ ...ctxStub(), settings: {} })).not.toThrow();
    expect(shopifyConnector.authorisation(ctxStub())).toEqual({ expiresAt: null, expired: false });
    await expect(
      shopifyConnector.pullOrders(
        { ...ctxStub(), settings: { apiVersion: 'latest' } },
        { from: new Date(), to: new Date() },
        null,
      ),
    ).rejects.toMatchObject({ code: 'SETTINGS_INVALID' });
  });
});

function ctxStub(): ConnectorContext {
  return {
    credentials: { shopDomain: 'demo.myshopify.com', accessToken: 'shpat_abc', appSecret: 's' },
    baseUrl: 'https://{shopDomain}',
    now: new Date(),
    fetch,
    settings: {},
  };
}

describe('Shopify connector ↔ simulator', () => {
  it('pulls overlapping windows over pages that shift while read: every order once, at its latest version', async () => {
    const c = clock();
    const s = await sim({ now: c.now, seed: 7, bucketSize: 400 });
    for (let i = 0; i < 40; i++) {
      s.addOrder();
      c.advance(3 * 60_000);
    }
    // Some orders change later, so their versions move forward.
    const ids = s.orders().map((o) => String(o.id));
    c.advance(60_000);
    s.updateOrder(ids[3]!);
    s.cancelOrder(ids[10]!);
    s.refund(ids[20]!);
    c.advance(60_000);
    s.faults.shiftDuringPaging = 4;
    const ctx = ctxFor(s, { pageLimit: 6 });
    const start = Date.parse('2026-06-10T00:00:00Z');
    const end = c.at() + 2000;
    const got = new Map<string, ChannelOrder>();
    let requests = 0;
    for (let from = start; from < end; from += 20 * 60_000) {
      const to = Math.min(from + 25 * 60_000, end); // windows overlap by 5 min
      const inWindow = new Set<string>();
      let next: string | null = null;
      do {
        const page = await shopifyConnector.pullOrders(ctx, { from: new Date(from), to: new Date(to) }, next);
        requests += 1;
        for (const o of page.orders) {
          const key = `${o.externalOrderId}@${o.modifiedAt.toISOString()}`;
          expect(inWindow.has(key), `${key} twice in one window`).toBe(false);
          inWindow.add(key);
          const prev = got.get(o.externalOrderId);
          if (!prev || prev.modifiedAt < o.modifiedAt) got.set(o.externalOrderId, o);
        }
        if (page.orders.length) expect(page.shapes[0]!.fields['line_items[].price']).toBe('string');
        next = page.next;
      } while (next);
      // A change made while paging lands after this window; the next windows pick it up.
      c.advance(1000);
    }
    expect(requests).toBeGreaterThan(10);
    expect(s.faults.shiftDuringPaging).toBe(0);
    // The orders edited while paging moved past `end`: one more window brings them in.
    let next: string | null = null;
    do {
      const page = await shopifyConnector.pullOrders(
        ctx,
        { from: new Date(end - 60_000), to: new Date(c.at() + 1000) },
        next,
      );
      for (const o of page.orders) {
        const prev = got.get(o.externalOrderId);
        if (!prev || prev.modifiedAt < o.modifiedAt) got.set(o.externalOrderId, o);
      }
      next = page.next;
    } while (next);
    const held = s.orders();
    expect(got.size).toBe(held.length);
    // Every mapped order is one the ingest flow takes as it is: amounts add up, times and phones parse.
    const fieldCrypto = createFieldCrypto(randomBytes(32));
    for (const o of got.values()) {
      const canonical = normaliseOrder({ ...o.order, channelAccount: 'shop' }, fieldCrypto, o.raw);
      expect(canonical.total).toBe(o.order.total);
    }
    for (const o of held) {
      const mine = got.get(String(o.id));
      expect(mine, String(o.id)).toBeDefined();
      expect(mine!.modifiedAt.getTime()).toBe(Date.parse(String(o.updated_at)));
    }
    expect(got.get(ids[10]!)!.order.status).toBe('cancelled');
    expect(got.get(ids[20]!)!.refunds).toEqual([
      { externalLineId: expect.any(String), status: 'refunded', refundOnly: true },
    ]);
  });

  it('maps money to the minor unit and times to UTC with the raw string kept (USD, EUR, JPY)', async () => {
    const c = clock('2026-06-10T03:04:05Z');
    for (const currency of ['USD', 'EUR', 'JPY'] as const) {
      const s = await sim({ now: c.now, currency, utcOffsetMinutes: currency === 'JPY' ? 540 : -240 });
      const id = s.addOrder({
        lines: [
          { sku: 'TEE-ORG-BLK-M', quantity: 3 },
          { sku: 'MUG-CER-350', quantity: 1 },
        ],
        discountPercent: 10,
      });
      const o = await shopifyConnector.fetchOrder(ctxFor(s), id);
      expect(o).not.toBeNull();
      const ord = o!.order;
      const unit = { USD: [2900, 1850], EUR: [2700, 1690], JPY: [3900, 2200] }[currency];
      expect(ord.currency).toBe(currency);
      expect(ord.lines.map((l) => [l.channelSku, l.quantity, l.unitPrice])).toEqual([
        ['TEE-ORG-BLK-M', 3, unit[0]],
        ['MUG-CER-350', 1, unit[1]],
      ]);
      const goods = unit[0]! * 3 + unit[1]!;
      expect(ord.discount).toBe(Math.floor(goods / 10));
      expect(ord.lines.reduce((a, l) => a + (l.discount ?? 0), 0)).toBe(ord.discount);
      expect(ord.total).toBe(goods + (ord.shippingFee ?? 0) + (ord.tax ?? 0) - (ord.discount ?? 0));
      const raw = s.order(id)!;
      const digits = currency === 'JPY' ? 0 : 2;
      expect(ord.total).toBe(Number(String(raw.total_price).replace('.', '')));
      if (digits === 0) expect(String(raw.total_price)).not.toContain('.');
      expect(ord.placedAt).toBe('2026-06-10T03:04:05.000Z');
      expect(ord.placedAtRaw).toBe(
        currency === 'JPY' ? '2026-06-10T12:04:05+09:00' : '2026-06-09T23:04:05-04:00',
      );
      expect(o!.modifiedAt.toISOString()).toBe('2026-06-10T03:04:05.000Z');
    }
  });

  it('maps a hand-written order exactly: decimal strings, order-level discount by largest remainder, net shipping', () => {
    const order = {
      id: 5_000_000_000_000_001,
      currency: 'USD',
      created_at: '2024-06-10T12:00:00-04:00',
      updated_at: '2024-06-10T12:30:00-04:00',
      processed_at: '2024-06-10T12:00:01-04:00',
      financial_status: 'paid',
      fulfillment_status: null,
      cancelled_at: null,
      taxes_included: false,
      total_tax: '1.00',
      total_price: '60.96',
      line_items: [
        { id: 11, sku: 'A', title: 'A', quantity: 3, price: '19.99' },
        { id: 12, sku: 'B', title: 'B', quantity: 1, price: '0.10' },
      ],
      shipping_lines: [{ price: '5.00', discount_allocations: [{ amount: '5.00' }] }],
      shipping_address: {
        name: 'Emily Carter',
        country_code: 'us',
        city: 'New York',
        zip: '10118',
        address1: '350 Fifth Ave',
      },
    };
    const m = mapShopifyOrder(JSON.parse(JSON.stringify(order)));
    // goods 5997 + 10, shipping net 0, tax 100, total 6096 → discount 11 over 5997:10.
    expect(m.order).toMatchObject({ total: 6096, tax: 100, shippingFee: 0, discount: 11, status: 'paid' });
    expect(m.order.lines.map((l) => l.discount)).toEqual([11, 0]);
    expect(m.order.paidAt).toBe('2024-06-10T16:00:01.000Z');
    expect(m.order.receiver).toMatchObject({ country: 'US', detail: '350 Fifth Ave' });
    expect(m.receiverEncrypted).toBe(false);
    expect(() => mapShopifyOrder({ ...order, currency: 'JPY', total_price: '1200.50' })).toThrow(
      /whole number/,
    );
    expect(() => mapShopifyOrder({ ...order, updated_at: '2024-06-10 12:30:00' })).toThrow(/offset/);
    expect(() => mapShopifyOrder({ ...order, total_price: '99.00' })).toThrow(/exceeds/);
    const jpy = mapShopifyOrder({
      ...order,
      currency: 'JPY',
      total_tax: '0',
      taxes_included: true,
      total_price: '3600',
      line_items: [{ id: 1, sku: 'J', quantity: 3, price: '1200.00' }],
      shipping_lines: [],
      total_shipping_price_set: { shop_money: { amount: '0', currency_code: 'JPY' } },
    });
    expect(jpy.order).toMatchObject({ total: 3600, discount: 0, lines: [{ unitPrice: 1200, quantity: 3 }] });
  });

  it('an HTTP 200 with an error body is a failure, not an empty page; 5xx and timeouts are retryable', async () => {
    const s = await sim({ hangMs: 5000 });
    s.addOrder();
    const w = { from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000) };
    s.faults.errorBodies = 1;
    const e = await failure(shopifyConnector.pullOrders(ctxFor(s), w, null));
    expect(e.code).toBe('PLATFORM_ERROR');
    s.faults.serverErrors = 1;
    expect(await failure(shopifyConnector.pullOrders(ctxFor(s), w, null))).toMatchObject({
      retryable: true,
      code: 'PLATFORM_UNAVAILABLE',
    });
    s.faults.timeouts = 1;
    expect(await failure(shopifyConnector.pullOrders(ctxFor(s, { timeoutMs: 300 }), w, null))).toMatchObject({
      retryable: true,
      code: 'TIMEOUT',
    });
    expect((await shopifyConnector.pullOrders(ctxFor(s), w, null)).orders).toHaveLength(1);
  });

  it('a bad token gets the platform error body and stops the account; an expired token too', async () => {
    const s = await sim();
    const res = await fetch(`${s.url}/admin/api/2024-07/orders.json`, {
      headers: { 'X-Shopify-Access-Token': 'shpat_wrong' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
    });
    const w = { from: new Date(Date.now() - 60_000), to: new Date() };
    expect(
      await failure(shopifyConnector.pullOrders(ctxFor(s, {}, { accessToken: 'shpat_wrong' }), w, null)),
    ).toMatchObject({
      authExpired: true,
      retryable: false,
    });
    s.faults.expiredToken = true;
    expect(await failure(shopifyConnector.pullOrders(ctxFor(s), w, null))).toMatchObject({
      authExpired: true,
    });
    expect(
      shopifyConnector.authorisation({ ...ctxFor(s, {}, { accessTokenExpiresAt: '2020-01-01T00:00:00Z' }) }),
    ).toEqual({ expiresAt: new Date('2020-01-01T00:00:00Z'), expired: true });
  });

  it('429 with Retry-After is retryable; the call-limit header follows the leaky bucket', async () => {
    const s = await sim({ bucketSize: 3, leakPerSecond: 0.01 });
    const headers = { 'X-Shopify-Access-Token': s.credentials.accessToken };
    const levels: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${s.url}/admin/api/2024-07/orders.json?status=any`, { headers });
      expect(r.status).toBe(200);
      levels.push(r.headers.get('x-shopify-shop-api-call-limit')!);
    }
    expect(levels).toEqual(['1/3', '2/3', '3/3']);
    const e = await failure(
      shopifyConnector.pullOrders(ctxFor(s), { from: new Date(0), to: new Date() }, null),
    );
    expect(e).toBeInstanceOf(ShopifyRateLimitedError);
    expect(e.retryable).toBe(true);
    expect((e as ShopifyRateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(1000);
  });

  it('refuses filters next to page_info and a forged page_info', async () => {
    const c = clock();
    const s = await sim({ now: c.now });
    for (let i = 0; i < 5; i++) s.addOrder();
    const headers = { 'X-Shopify-Access-Token': s.credentials.accessToken };
    const first = await fetch(`${s.url}/admin/api/2024-07/orders.json?status=any&limit=2`, { headers });
    const link = first.headers.get('link')!;
    const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    expect((await fetch(next, { headers })).status).toBe(200);
    expect((await fetch(`${next}&status=any`, { headers })).status).toBe(400);
    expect((await fetch(next.replace(/page_info=[^.]+/, 'page_info=AAAA'), { headers })).status).toBe(400);
  });

  it('pushes stock to the inventory level and confirms a shipment with a fulfillment (idempotent on retry)', async () => {
    const s = await sim();
    const ctx = ctxFor(s);
    const res = await shopifyConnector.pushStock(ctx, [
      { channelSku: 'MUG-CER-350', quantity: 17 },
      { channelSku: 'NOT-LISTED', quantity: 1 },
    ]);
    expect(res).toEqual([
      { channelSku: 'MUG-CER-350', ok: true, error: null, retryable: false },
      { channelSku: 'NOT-LISTED', ok: false, error: expect.stringContaining('NOT-LISTED'), retryable: false },
    ]);
    const item = (s.settings.inventoryItemIds as Record<string, string>)['MUG-CER-350']!;
    expect(s.inventory()[item]).toBe(17);
    s.faults.serverErrors = 1;
    expect(
      (await shopifyConnector.pushStock(ctx, [{ channelSku: 'MUG-CER-350', quantity: 3 }]))[0],
    ).toMatchObject({
      ok: false,
      retryable: true,
    });

    const id = s.addOrder();
    await shopifyConnector.confirmShipment(ctx, {
      externalOrderId: id,
      carrierCode: 'UPS',
      waybillNo: '1Z999AA10123456784',
    });
    const o = s.order(id)!;
    expect(o.fulfillment_status).toBe('fulfilled');
    expect(o.fulfillments).toMatchObject([
      { tracking_company: 'UPS', tracking_number: '1Z999AA10123456784' },
    ]);
    await shopifyConnector.confirmShipment(ctx, {
      externalOrderId: id,
      carrierCode: 'UPS',
      waybillNo: '1Z999AA10123456784',
    });
    await expect(
      shopifyConnector.confirmShipment(ctx, { externalOrderId: id, carrierCode: 'UPS', waybillNo: 'OTHER' }),
    ).rejects.toMatchObject({ code: 'NOTHING_TO_FULFIL' });
    expect(await shopifyConnector.fetchOrder(ctx, '123')).toBeNull();
  });

  it('webhooks: genuine ones verify with the full order, duplicates keep their id, tampered and forged are refused', async () => {
    const received: RawPush[] = [];
    let answer = 200;
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          query: {},
          body: Buffer.concat(chunks),
        });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const c = clock();
      const s = await sim({
        now: c.now,
        webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      });
      const ctx = ctxFor(s);
      s.faults.duplicatePushes = 1;
      const id = s.addOrder({ currency: 'JPY' });
      await s.settle();
      expect(received).toHaveLength(2);
      const verified = received.map((p) => shopifyConnector.verifyPush(p, ctx));
      expect(verified[0]).toMatchObject({ ok: true, topic: 'orders/create', orderIds: [id] });
      expect(verified[1]!.ok && verified[0]!.ok && verified[1]!.messageId === verified[0]!.messageId).toBe(
        true,
      );
      if (verified[0]!.ok) expect(verified[0]!.orders[0]!.order.currency).toBe('JPY');

      // Out of order: the older update arrives after the newer one; modifiedAt tells them apart.
      received.length = 0;
      s.faults.outOfOrderPushes = 1;
      c.advance(1000);
      s.updateOrder(id);
      c.advance(1000);
      s.updateOrder(id);
      await s.settle();
      const [a, b] = received.map((p) => shopifyConnector.verifyPush(p, ctx));
      expect(a!.ok && b!.ok).toBe(true);
      if (a!.ok && b!.ok) expect(a!.orders[0]!.modifiedAt > b!.orders[0]!.modifiedAt).toBe(true);

      const genuine = received[0]!;
      const tampered = { ...genuine, body: Buffer.from(genuine.body.toString().replace('"JPY"', '"USD"')) };
      expect(shopifyConnector.verifyPush(tampered, ctx)).toMatchObject({
        ok: false,
        reason: 'SIGNATURE_INVALID',
      });
      const forgedSig = createHmac('sha256', 'shpss_guess').update(genuine.body).digest('base64');
      expect(
        shopifyConnector.verifyPush(
          { ...genuine, headers: { ...genuine.headers, 'x-shopify-hmac-sha256': forgedSig } },
          ctx,
        ),
      ).toMatchObject({ ok: false, reason: 'SIGNATURE_INVALID' });
      expect(
        shopifyConnector.verifyPush(
          { ...genuine, headers: { ...genuine.headers, 'x-shopify-shop-domain': 'evil.myshopify.com' } },
          ctx,
        ),
      ).toMatchObject({ ok: false });
      expect(shopifyConnector.ackPush(true)).toMatchObject({ status: 200 });
      expect(shopifyConnector.ackPush(false).status).toBeGreaterThanOrEqual(400);

      // A refused delivery is retried with the same webhook id until it is taken.
      received.length = 0;
      answer = 500;
      c.advance(1000);
      s.cancelOrder(id);
      await new Promise((r) => setTimeout(r, 200));
      answer = 200;
      await s.settle();
      const ids = new Set(received.map((p) => p.headers['x-shopify-webhook-id']));
      expect(received.length).toBeGreaterThan(1);
      expect(ids.size).toBe(1);
      expect(s.pushes().at(-1)).toMatchObject({ topic: 'orders/cancelled', delivered: true });
    } finally {
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });

  it('a platform clock running behind is covered by overlapping windows; refund and delete webhooks name their order', async () => {
    const c = clock();
    const s = await sim({ now: c.now, bucketSize: 400 });
    s.faults.clockSkewMs = -120_000; // the shop stamps changes two minutes in the past
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      c.advance(60_000);
      ids.push(s.addOrder());
    }
    // Windows of 5 minutes ending 3 minutes behind our clock, each starting 5 minutes before the last end.
    const start = Date.parse('2026-06-10T00:00:00Z') - 600_000;
    const seen = new Set<string>();
    let lastEnd = start;
    for (let t = start + 300_000; t <= c.at() + 600_000; t += 300_000) {
      c.advance(60_000);
      const to = Math.min(t, c.at() - 180_000);
      if (to <= lastEnd) continue;
      let next: string | null = null;
      do {
        const page = await shopifyConnector.pullOrders(
          ctxFor(s),
          { from: new Date(lastEnd - 300_000), to: new Date(to) },
          next,
        );
        for (const o of page.orders) seen.add(o.externalOrderId);
        next = page.next;
      } while (next);
      lastEnd = to;
    }
    expect([...seen].sort()).toEqual([...ids].sort());

    const ctx = ctxFor(s);
    const refund = s.signWebhook('refunds/create', {
      id: '990000000000000001',
      order_id: ids[0]!,
      refund_line_items: [],
    });
    expect(shopifyConnector.verifyPush(push(refund.headers, refund.body), ctx)).toMatchObject({
      ok: true,
      topic: 'refunds/create',
      orderIds: [ids[0]],
      orders: [],
    });
    const del = s.signWebhook('orders/delete', { id: ids[1]! });
    expect(shopifyConnector.verifyPush(push(del.headers, del.body), ctx)).toMatchObject({
      ok: true,
      orderIds: [ids[1]],
    });
    const badId = s.signWebhook('orders/delete', { id: '12a' });
    expect(shopifyConnector.verifyPush(push(badId.headers, badId.body), ctx)).toMatchObject({
      ok: false,
      reason: 'MALFORMED',
    });
  });

  it('a SKU format change mid-stream arrives as given (the mapping decides), and the line shape stays recorded', async () => {
    const s = await sim();
    const before = s.addOrder({ lines: [{ sku: 'TEA-SEN-100G', quantity: 1 }] });
    s.faults.skuFormatChanged = true;
    const after = s.addOrder({ lines: [{ sku: 'TEA-SEN-100G', quantity: 1 }] });
    const ctx = ctxFor(s);
    expect((await shopifyConnector.fetchOrder(ctx, before))!.order.lines[0]!.channelSku).toBe('TEA-SEN-100G');
    expect((await shopifyConnector.fetchOrder(ctx, after))!.order.lines[0]!.channelSku).toBe('tea_sen_100g');
  });

  it('checks credentials by field', () => {
    expect(() =>
      shopifyConnector.checkCredentials({ accessToken: 'shpat_12345678', appSecret: 'x' }),
    ).toThrow(/shop domain/);
    expect(() =>
      shopifyConnector.checkCredentials({ shopDomain: 'a.myshopify.com', appSecret: 'x' }),
    ).toThrow(/token/);
    expect(() =>
      shopifyConnector.checkCredentials({
        shopDomain: 'a.myshopify.com',
        accessToken: 'shpat_12345678',
        appSecret: 'x',
      }),
    ).not.toThrow();
  });
});
