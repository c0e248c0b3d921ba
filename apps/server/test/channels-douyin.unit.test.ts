import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DouyinSimulator, startDouyinSimulator } from '@orderhub/simulators';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChannelOrder,
  type ConnectorContext,
  ConnectorError,
  type RawPush,
} from '../src/modules/channels/connector.ts';
import {
  douyinConnector,
  douyinPushSign,
  douyinRequest,
  douyinSign,
  mapDouyinOrder,
  paramJson,
} from '../src/modules/channels/connectors/douyin/index.ts';
import { normaliseOrder } from '../src/modules/orders/index.ts';
import { createFieldCrypto } from '../src/platform/crypto.ts';

// Protocol digest A4 worked examples (vectors/vectors.json "douyin", "douyin_push").
const V = {
  appKey: '1234567890123456789',
  secret: 'fake-douyin-secret',
  paramJson:
    '{"order_asc":true,"order_by":"update_time","page":0,"size":100,"update_time_end":1718001800,"update_time_start":1718000000}',
  md5: '3c3c5f9b13a783305682489d1e3c3537',
  hmac: '8f45df5a0a1da6cddfebecb9a55d9bf01dd19893a4bec077793c58f1dc590166',
  pushBody:
    '[{"tag":"101","msg_id":"7000000000000000001","data":"{\\"p_id\\":6900000000000000001,\\"s_ids\\":[6900000000000000002],\\"shop_id\\":123456,\\"order_status\\":105,\\"order_type\\":0,\\"biz\\":2,\\"pay_type\\":1,\\"pay_time\\":1718001000,\\"pay_amount\\":9900}"}]',
  eventSign: '014b7d4db023a77c54f7028f6ff1286b',
};

const sims: DouyinSimulator[] = [];
afterEach(async () => {
  while (sims.length) await sims.pop()!.close();
});

function clock(startIso = '2026-06-10T00:00:00Z') {
  let t = Date.parse(startIso);
  return { now: () => new Date(t), advance: (ms: number) => (t += ms), at: () => t };
}

async function sim(opts: Parameters<typeof startDouyinSimulator>[0] = {}) {
  const s = await startDouyinSimulator(opts);
  sims.push(s);
  return s;
}

function ctxFor(
  s: DouyinSimulator,
  settings: Record<string, unknown> = {},
  credentials = {},
): ConnectorContext {
  return {
    credentials: { ...s.credentials, ...credentials },
    baseUrl: s.url,
    now: s.now(),
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

async function pullWindow(
  ctx: () => ConnectorContext,
  from: number,
  to: number,
  between?: (page: number) => void,
) {
  const out: ChannelOrder[] = [];
  let next: string | null = null;
  let n = 0;
  do {
    const page = await douyinConnector.pullOrders(ctx(), { from: new Date(from), to: new Date(to) }, next);
    out.push(...page.orders);
    next = page.next;
    between?.(n++);
  } while (next);
  return out;
}

describe('Douyin connector: protocol vectors', () => {
  it('signs the digest example with MD5 and HMAC-SHA256 byte for byte, param_json sorted recursively', () => {
    const pj = paramJson({
      update_time_start: 1718000000,
      update_time_end: 1718001800,
      order_by: 'update_time',
      order_asc: true,
      page: 0,
      size: 100,
    });
    expect(pj).toBe(V.paramJson);
    const base = {
      appKey: V.appKey,
      appSecret: V.secret,
      method: 'order.searchList',
      paramJson: pj,
      timestamp: '1718001900',
      v: '2',
    };
    expect(douyinSign({ ...base, signMethod: 'md5' })).toBe(V.md5);
    expect(douyinSign({ ...base, signMethod: 'hmac-sha256' })).toBe(V.hmac);
    expect(paramJson({ b: { z: 1, a: [{ y: 2, x: 1 }] }, a: '<&>' })).toBe(
      '{"a":"<&>","b":{"a":[{"x":1,"y":2}],"z":1}}',
    );
    expect(paramJson({})).toBe('{}');
  });

  it('puts method path, query parameters and the exact param_json body on the request', () => {
    const req = douyinRequest(
      {
        credentials: { appKey: V.appKey, appSecret: V.secret, accessToken: 'tok' },
        baseUrl: 'https://openapi-fxg.jinritemai.com/',
        now: new Date(1718001900 * 1000),
        settings: { signMethod: 'md5' },
      },
      'order.searchList',
      {
        update_time_start: 1718000000,
        update_time_end: 1718001800,
        order_by: 'update_time',
        order_asc: true,
        page: 0,
        size: 100,
      },
    );
    const u = new URL(req.url);
    expect(u.origin + u.pathname).toBe('https://openapi-fxg.jinritemai.com/order/searchList');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      app_key: V.appKey,
      method: 'order.searchList',
      access_token: 'tok',
      timestamp: '1718001900',
      v: '2',
      sign: V.md5,
      sign_method: 'md5',
    });
    expect(req.body).toBe(V.paramJson);
  });

  it('verifies the digest push vector and keeps the 64-bit p_id exact; tampered and forged are refused', () => {
    expect(douyinPushSign(V.appKey, V.secret, Buffer.from(V.pushBody), 'md5')).toBe(V.eventSign);
    expect(
      createHash('md5')
        .update(V.appKey + V.pushBody + V.secret)
        .digest('hex'),
    ).toBe(V.eventSign);
    const ctx: ConnectorContext = {
      credentials: { appKey: V.appKey, appSecret: V.secret, accessToken: 't' },
      baseUrl: douyinConnector.defaultBaseUrl,
      now: new Date(),
      fetch,
      settings: {},
    };
    const push = (body: string, sign: string | undefined): RawPush => ({
      headers: { 'event-sign': sign, 'app-id': V.appKey },
      query: {},
      body: Buffer.from(body),
    });
    expect(douyinConnector.verifyPush(push(V.pushBody, V.eventSign), ctx)).toEqual({
      ok: true,
      messageId: '7000000000000000001',
      orderIds: ['6900000000000000001'],
      orders: [],
      topic: '101',
    });
    expect(
      douyinConnector.verifyPush(push(V.pushBody.replace('9900', '9901'), V.eventSign), ctx),
    ).toMatchObject({
      ok: false,
      reason: 'SIGNATURE_INVALID',
    });
    const forged = createHash('md5').update(`${V.appKey}${V.pushBody}guessed-secret`).digest('hex');
    expect(douyinConnector.verifyPush(push(V.pushBody, forged), ctx)).toMatchObject({
      ok: false,
      reason: 'SIGNATURE_INVALID',
    });
    expect(douyinConnector.verifyPush(push(V.pushBody, undefined), ctx)).toMatchObject({ ok: false });
    const notArray = '{"tag":"101"}';
    expect(
      douyinConnector.verifyPush(
        push(notArray, douyinPushSign(V.appKey, V.secret, Buffer.from(notArray), 'md5')),
        ctx,
      ),
    ).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(douyinConnector.ackPush(true)).toEqual({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: '{"code":0,"msg":"success"}',
    });
    expect(JSON.parse(douyinConnector.ackPush(false).body)).toEqual({ code: 1, msg: 'fail' });
  });
});

describe('Douyin connector ↔ simulator', () => {
  it('pulls overlapping 30-minute windows, last page first, over pages that shift: every order once, at its latest version', async () => {
    const c = clock();
    const s = await sim({ now: c.now, seed: 3 });
    const start = c.at();
    for (let i = 0; i < 60; i++) {
      s.addOrder();
      c.advance(2 * 60_000);
    }
    const ids = s.orders().map((o) => String(o.order_id));
    s.changeAddress(ids[5]!);
    s.refund(ids[7]!, 1, 'requested', true);
    s.cancelOrder(ids[9]!);
    c.advance(5 * 60_000);
    s.faults.shiftWhilePaging(6);
    const got = new Map<string, ChannelOrder>();
    const keep = (list: ChannelOrder[]) => {
      for (const o of list) {
        const prev = got.get(o.externalOrderId);
        if (!prev || prev.modifiedAt < o.modifiedAt) got.set(o.externalOrderId, o);
      }
    };
    const settings = { pageSize: 7 };
    const end = c.at() - 60_000; // a margin behind the platform's now
    for (let from = start; from < end; from += 25 * 60_000) {
      const to = Math.min(from + douyinConnector.maxWindowMs, end);
      keep(await pullWindow(() => ctxFor(s, settings), from, to));
      c.advance(1000);
    }
    expect(s.faults.state.shifts).toBe(0);
    const sample = await douyinConnector.pullOrders(
      ctxFor(s),
      { from: new Date(start), to: new Date(end) },
      null,
    );
    expect(sample.shapes[0]).toMatchObject({
      api: 'order.searchList',
      fields: {
        order_id: 'string',
        'sku_order_list[].origin_amount': 'number',
        'post_addr.province.name': 'string',
      },
    });
    // What changed while paging now sits after `end`: the next window brings it in.
    keep(await pullWindow(() => ctxFor(s, settings), end - 60_000, c.at() + 1000));
    const held = s.orders();
    expect(got.size).toBe(held.length);
    // Every mapped order is one the ingest flow takes as it is: amounts add up, times and phones parse.
    const fieldCrypto = createFieldCrypto(randomBytes(32));
    for (const o of got.values()) {
      const canonical = normaliseOrder({ ...o.order, channelAccount: 'shop' }, fieldCrypto, o.raw);
      expect(canonical.total).toBe(o.order.total);
    }
    for (const o of held) {
      const mine = got.get(String(o.order_id))!;
      expect(mine, String(o.order_id)).toBeDefined();
      expect(mine.modifiedAt.getTime()).toBe(Number(o.update_time) * 1000);
    }
    expect(got.get(ids[7]!)!.refunds).toEqual([
      { externalLineId: expect.any(String), status: 'requested', refundOnly: true },
    ]);
    expect(got.get(ids[9]!)!.order.status).toBe('cancelled');
  });

  it('starts a window again from its new last page when orders join it while it is read', async () => {
    const c = clock();
    const s = await sim({ now: c.now, seed: 4 });
    const start = c.at();
    for (let i = 0; i < 20; i++) {
      s.addOrder();
      c.advance(30_000);
    }
    const added: string[] = [];
    const list = await pullWindow(
      () => ctxFor(s, { pageSize: 4 }),
      start,
      c.at() + 600_000,
      (n) => {
        if (n === 1 || n === 2) {
          // Newer orders land at the front of the list: every row moves back one place.
          c.advance(1000);
          added.push(s.addOrder());
        }
      },
    );
    const seen = new Set(list.map((o) => o.externalOrderId));
    for (const o of s.orders()) expect(seen.has(String(o.order_id)), String(o.order_id)).toBe(true);
    expect(added.every((id) => seen.has(id))).toBe(true);
    // Without restarts allowed the growth is reported (retryable), never silently skipped.
    const e = await failure(
      pullWindow(
        () => ctxFor(s, { pageSize: 4, maxRestarts: 0 }),
        start,
        c.at() + 600_000,
        (n) => {
          if (n === 1) {
            c.advance(1000);
            s.addOrder();
          }
        },
      ),
    );
    expect(e).toMatchObject({ code: 'WINDOW_UNSTABLE', retryable: true });
  });

  it('maps fen, coupons per line, shipping and Unix/Beijing times exactly; keeps encrypted receivers as given', async () => {
    const c = clock('2026-06-10T03:04:05Z');
    const s = await sim({ now: c.now });
    const id = s.addOrder({
      items: [
        { code: 'TEA-SET-01', qty: 1 },
        { code: 'CUP-02', qty: 3 },
      ],
      couponFen: 1000,
      shippingFen: 800,
    });
    const o = (await douyinConnector.fetchOrder(ctxFor(s), id))!;
    const raw = s.order(id)!;
    expect(o.order).toMatchObject({
      currency: 'CNY',
      total: 16800 + 3 * 1990 + 800 - 1000,
      shippingFee: 800,
      discount: 1000,
      tax: 0,
      placedAt: '2026-06-10T03:04:05.000Z',
      placedAtRaw: String(raw.create_time),
      status: 'paid',
    });
    expect(o.order.lines.map((l) => [l.channelSku, l.quantity, l.unitPrice, l.discount])).toEqual([
      ['TEA-SET-01', 1, 16800, 738],
      ['CUP-02', 3, 1990, 262],
    ]);
    expect(o.order.total).toBe(raw.pay_amount);
    // Encrypted receiver: ciphertext kept as given and marked; masked forms only; nothing decrypted.
    expect(o.receiverEncrypted).toBe(true);
    expect(JSON.parse(o.order.receiver!.platformRef!)).toEqual({
      name: raw.encrypt_post_receiver,
      tel: raw.encrypt_post_tel,
      detail: (raw.post_addr as { encrypt_detail: string }).encrypt_detail,
    });
    const plain = s.plainReceiver(id);
    expect(o.order.receiver).toMatchObject({
      name: raw.mask_post_receiver,
      phone: raw.mask_post_tel,
      province: plain.province,
    });
    const text = JSON.stringify(o.order);
    expect(text).not.toContain(plain.phone);
    expect(text).not.toContain(plain.detail);

    const open = await sim({ now: c.now, encryptReceiver: false, seed: 9 });
    const id2 = open.addOrder();
    const o2 = (await douyinConnector.fetchOrder(ctxFor(open), id2))!;
    expect(o2.receiverEncrypted).toBe(false);
    expect(o2.order.receiver).toMatchObject({
      name: open.plainReceiver(id2).name,
      phone: open.plainReceiver(id2).phone,
    });
    expect(o2.order.receiver!.platformRef).toBeUndefined();
  });

  it('refuses amounts in the wrong unit, zone-less ISO times and unknown statuses; reads Beijing strings as UTC+8', () => {
    const base = {
      order_id: '6912345678901234567',
      order_status: 2,
      create_time: '2024-06-10 12:00:00',
      update_time: 1718001900,
      pay_time: '2024-06-10 12:00:30',
      pay_amount: 9900,
      post_amount: 0,
      sku_order_list: [
        {
          order_id: '6912345678901234568',
          code: 'TEA-SET-01',
          item_num: 1,
          origin_amount: 9900,
          pay_amount: 9900,
        },
      ],
    };
    const m = mapDouyinOrder(base);
    expect(m.order).toMatchObject({
      placedAt: '2024-06-10T04:00:00.000Z',
      placedAtRaw: '2024-06-10 12:00:00',
      paidAt: '2024-06-10T04:00:30.000Z',
      total: 9900,
      discount: 0,
    });
    expect(m.modifiedAt.toISOString()).toBe('2024-06-10T06:45:00.000Z');
    expect(m.receiverEncrypted).toBe(false);
    expect(() => mapDouyinOrder({ ...base, pay_amount: '99.00' })).toThrow(/fen/);
    expect(() => mapDouyinOrder({ ...base, pay_amount: 99.5 })).toThrow(/fen/);
    expect(() => mapDouyinOrder({ ...base, create_time: '2024-06-10T12:00:00' })).toThrow(/Beijing/);
    expect(() => mapDouyinOrder({ ...base, create_time: '2024-02-30 12:00:00' })).toThrow(/calendar/);
    expect(() => mapDouyinOrder({ ...base, order_status: 77 })).toThrow(/order_status/);
    expect(() => mapDouyinOrder({ ...base, pay_amount: 10000 })).toThrow(/exceeds/);
    // An order-level coupon the sku orders do not carry is split by largest remainder.
    const split = mapDouyinOrder({
      ...base,
      pay_amount: 9900 + 100 - 1000,
      post_amount: 100,
      sku_order_list: [
        { order_id: '1', code: 'A', item_num: 1, origin_amount: 6000 },
        { order_id: '2', code: 'B', item_num: 3, origin_amount: 1300 },
      ],
    });
    expect(split.order.lines.map((l) => l.discount)).toEqual([606, 394]);
  });

  it('an HTTP 200 error envelope is a failure, never an empty page; busy and 5xx retry, timeouts retry', async () => {
    const s = await sim();
    s.addOrder();
    const w = { from: new Date(s.now().getTime() - 600_000), to: new Date(s.now().getTime() + 600_000) };
    s.faults.errorBody();
    expect(await failure(douyinConnector.pullOrders(ctxFor(s), w, null))).toMatchObject({
      retryable: true,
      code: 'PLATFORM_BUSY',
    });
    s.faults.serverError();
    expect(await failure(douyinConnector.pullOrders(ctxFor(s), w, null))).toMatchObject({ retryable: true });
    s.faults.timeout();
    expect(await failure(douyinConnector.pullOrders(ctxFor(s, { timeoutMs: 300 }), w, null))).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
    });
    expect((await douyinConnector.pullOrders(ctxFor(s), w, null)).orders).toHaveLength(1);
  });

  it('a bad signature gets the platform envelope; unsorted param_json too; a skewed clock refuses the timestamp', async () => {
    const s = await sim();
    const e = await failure(
      douyinConnector.pullOrders(
        ctxFor(s, {}, { appSecret: 'wrong' }),
        { from: new Date(0), to: new Date() },
        null,
      ),
    );
    expect(e).toMatchObject({ code: 'PLATFORM_ERROR', retryable: false, authExpired: false });
    expect(e.message).toContain('40004');
    const req = douyinRequest(ctxFor(s, { signMethod: 'md5' }), 'order.searchList', { page: 0, size: 10 });
    const res = await fetch(req.url, { method: 'POST', body: '{"size":10,"page":0}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ code: 40004, sub_code: 'isv.sign-invalid', data: null });
    const good = await fetch(req.url, { method: 'POST', body: req.body });
    expect(await good.json()).toMatchObject({ code: 10000, msg: 'success', data: { total: 0, page: 0 } });
    s.faults.skewClock(3_600_000);
    expect(
      (
        await failure(
          douyinConnector.pullOrders(
            { ...ctxFor(s), now: new Date() },
            { from: new Date(0), to: new Date() },
            null,
          ),
        )
      ).message,
    ).toContain('40002');
  });

  it('an expired token stops the account (authExpired); the expiry is reported; the rate limit is retryable', async () => {
    const s = await sim({ rateLimitPerSecond: 2 });
    const w = { from: new Date(0), to: new Date() };
    s.faults.expireToken();
    expect(await failure(douyinConnector.pullOrders(ctxFor(s), w, null))).toMatchObject({
      authExpired: true,
      retryable: false,
    });
    s.faults.expireToken(false);
    const ctx = ctxFor(s);
    expect(douyinConnector.authorisation(ctx)).toEqual({
      expiresAt: new Date(s.credentials.accessTokenExpiresAt),
      expired: false,
    });
    expect(
      douyinConnector.authorisation({
        ...ctx,
        now: new Date(Date.parse(s.credentials.accessTokenExpiresAt) + 1),
      }).expired,
    ).toBe(true);
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map(() => douyinConnector.pullOrders(ctxFor(s), w, null)),
    );
    const refused = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason as ConnectorError);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) expect(r).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  });

  it('pushes stock with sku.syncStock and confirms shipment with order.logisticsAdd (retry-safe)', async () => {
    const s = await sim();
    const ctx = ctxFor(s);
    expect(
      await douyinConnector.pushStock(ctx, [
        { channelSku: 'TEA-SET-01', quantity: 12 },
        { channelSku: 'NOPE-404', quantity: 3 },
      ]),
    ).toEqual([
      { channelSku: 'TEA-SET-01', ok: true, error: null, retryable: false },
      { channelSku: 'NOPE-404', ok: false, error: expect.stringContaining('50002'), retryable: false },
    ]);
    expect(s.stock()['TEA-SET-01']).toBe(12);
    s.faults.errorBody();
    expect(
      (await douyinConnector.pushStock(ctx, [{ channelSku: 'TEA-SET-01', quantity: 5 }]))[0],
    ).toMatchObject({ ok: false, retryable: true });

    const id = s.addOrder();
    await douyinConnector.confirmShipment(ctxFor(s), {
      externalOrderId: id,
      carrierCode: 'SF',
      waybillNo: 'SF1234567890123',
    });
    await douyinConnector.confirmShipment(ctxFor(s), {
      externalOrderId: id,
      carrierCode: 'SF',
      waybillNo: 'SF1234567890123',
    });
    const after = (await douyinConnector.fetchOrder(ctxFor(s), id))!;
    expect(after.platformStatus).toBe('3 已发货');
    expect((after.raw as { logistics_info: unknown[] }).logistics_info).toMatchObject([
      { company: 'shunfeng', tracking_no: 'SF1234567890123' },
    ]);
    await expect(
      douyinConnector.confirmShipment(ctxFor(s), {
        externalOrderId: id,
        carrierCode: 'SF',
        waybillNo: 'SF999',
      }),
    ).rejects.toMatchObject({ code: 'PLATFORM_ERROR' });
    expect(await douyinConnector.fetchOrder(ctxFor(s), '6900000000000000999')).toBeNull();
  });

  it('pushes: genuine ones verify, duplicates keep their msg_id, out-of-order ones are told apart, unanswered ones come again', async () => {
    const received: RawPush[] = [];
    let answer = '{"code":0,"msg":"success"}';
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          query: {},
          body: Buffer.concat(chunks),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const c = clock();
      const s = await sim({
        now: c.now,
        redeliveryDelayMs: 50,
        pushUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/douyin`,
      });
      const ctx = ctxFor(s);
      const id = s.addOrder();
      s.faults.duplicatePushes();
      await s.flushPushes();
      expect(received).toHaveLength(2);
      const [a, b] = received.map((p) => douyinConnector.verifyPush(p, ctx));
      expect(a).toMatchObject({ ok: true, orderIds: [id], topic: '100' });
      expect(a!.ok && b!.ok && a!.messageId === b!.messageId).toBe(true);
      s.faults.duplicatePushes(false);

      received.length = 0;
      s.faults.outOfOrderPushes();
      c.advance(1000);
      s.updateOrder(id, '第一次备注');
      c.advance(1000);
      s.updateOrder(id, '第二次备注');
      await s.flushPushes();
      s.faults.outOfOrderPushes(false);
      const times = received.map((p) => {
        const msgs = JSON.parse(p.body.toString()) as { data: string }[];
        return (JSON.parse(msgs[0]!.data) as { update_time: number }).update_time;
      });
      expect(times[0]!).toBeGreaterThan(times[1]!);

      received.length = 0;
      answer = '{"code":1,"msg":"fail"}';
      c.advance(1000);
      s.cancelOrder(id);
      const flushing = s.flushPushes();
      await new Promise((r) => setTimeout(r, 10));
      answer = '{"code":0,"msg":"success"}';
      await flushing;
      expect(received.length).toBeGreaterThanOrEqual(2);
      expect(new Set(received.map((p) => p.body.toString())).size).toBe(1);
      const v = douyinConnector.verifyPush(received[0]!, ctx);
      expect(v).toMatchObject({ ok: true, topic: '106' });

      const forged = { ...received[0]!, headers: { ...received[0]!.headers, 'event-sign': '0'.repeat(32) } };
      expect(douyinConnector.verifyPush(forged, ctx)).toMatchObject({
        ok: false,
        reason: 'SIGNATURE_INVALID',
      });
      const otherApp = { ...received[0]!, headers: { ...received[0]!.headers, 'app-id': '999' } };
      expect(douyinConnector.verifyPush(otherApp, ctx)).toMatchObject({ ok: false });
    } finally {
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });

  it('a SKU format that changes mid-stream arrives as the platform sends it', async () => {
    const s = await sim();
    const before = s.addOrder({ items: [{ code: 'CUP-02', qty: 1 }] });
    s.faults.changeSkuFormat('-NEW');
    const after = s.addOrder({ items: [{ code: 'CUP-02', qty: 1 }] });
    expect((await douyinConnector.fetchOrder(ctxFor(s), before))!.order.lines[0]!.channelSku).toBe(
      'CUP-02-NEW',
    );
    expect((await douyinConnector.fetchOrder(ctxFor(s), after))!.order.lines[0]!.channelSku).toBe(
      'CUP-02-NEW',
    );
    s.faults.changeSkuFormat(null);
    expect((await douyinConnector.fetchOrder(ctxFor(s), after))!.order.lines[0]!.channelSku).toBe('CUP-02');
  });

  it('checks credentials by field and validates settings', async () => {
    expect(() =>
      douyinConnector.checkCredentials({ appKey: 'abc', appSecret: 's', accessToken: 't' }),
    ).toThrow(/app key/);
    expect(() =>
      douyinConnector.checkCredentials({ appKey: '1234567890123456789', accessToken: 't' }),
    ).toThrow(/secret/);
    expect(() =>
      douyinConnector.checkCredentials({ appKey: '1234567890123456789', appSecret: 's', accessToken: 't' }),
    ).not.toThrow();
    const s = await sim();
    await expect(
      douyinConnector.pullOrders(
        ctxFor(s, { signMethod: 'sha1' }),
        { from: new Date(0), to: new Date() },
        null,
      ),
    ).rejects.toMatchObject({ code: 'SETTINGS_INVALID' });
    // The older timestamp form and param_json in the query are settings the simulator accepts too.
    const page = await douyinConnector.pullOrders(
      ctxFor(s, { timestampFormat: 'datetime', paramJsonIn: 'query', signMethod: 'md5' }),
      { from: new Date(0), to: new Date() },
      null,
    );
    expect(page.next).toBeNull();
  });
});

describe('Douyin simulator: pushes on their own', () => {
  it('delivers pending pushes on an interval when asked to', async () => {
    const bodies: string[] = [];
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString());
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"msg":"success"}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const s = await sim({
        autoPushMs: 20,
        pushUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`,
      });
      const id = s.addOrder();
      for (let i = 0; i < 200 && bodies.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toContain(`\\"p_id\\":${id}`);
    } finally {
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });
});
