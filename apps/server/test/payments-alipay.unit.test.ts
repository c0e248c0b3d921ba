import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AlipaySimulator, startAlipaySimulator } from '@orderhub/simulators';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ProviderContext,
  ProviderError,
  type RawCallback,
  type VerifyResult,
} from '../src/modules/payments/provider.ts';
import {
  type AlipaySettings,
  alipayProvider,
  formatBeijing,
  notifySignContent,
  parseBeijing,
  rawJsonMember,
  requestSignContent,
  rsa2Sign,
  yuanToFen,
} from '../src/modules/payments/providers/alipay.ts';

// The notification parameters of the protocol digest's sf.py and the string-to-sign it prints.
const VECTOR_PARAMS: Record<string, string> = {
  gmt_create: '2024-06-10 12:00:00',
  charset: 'utf-8',
  seller_email: 'seller@example.com',
  subject: 'SO20240610001',
  sign: '<base64>',
  buyer_id: '2088000000000001',
  invoice_amount: '99.00',
  notify_id: '2024061000222120005000000000000001',
  fund_bill_list: '[{"amount":"99.00","fundChannel":"ALIPAYACCOUNT"}]',
  notify_type: 'trade_status_sync',
  trade_status: 'TRADE_SUCCESS',
  receipt_amount: '99.00',
  app_id: '2021000000000001',
  buyer_pay_amount: '99.00',
  sign_type: 'RSA2',
  seller_id: '2088000000000002',
  gmt_payment: '2024-06-10 12:00:05',
  notify_time: '2024-06-10 12:00:06',
  version: '1.0',
  out_trade_no: 'SO20240610001',
  total_amount: '99.00',
  trade_no: '2024061022001400000000000001',
  auth_app_id: '2021000000000001',
  buyer_logon_id: 'abc***@example.com',
  point_amount: '0.00',
};
const VECTOR_STRING =
  'app_id=2021000000000001&auth_app_id=2021000000000001&buyer_id=2088000000000001&buyer_logon_id=abc***@example.com&buyer_pay_amount=99.00&charset=utf-8&fund_bill_list=[{"amount":"99.00","fundChannel":"ALIPAYACCOUNT"}]&gmt_create=2024-06-10 12:00:00&gmt_payment=2024-06-10 12:00:05&invoice_amount=99.00&notify_id=2024061000222120005000000000000001&notify_time=2024-06-10 12:00:06&notify_type=trade_status_sync&out_trade_no=SO20240610001&point_amount=0.00&receipt_amount=99.00&seller_email=seller@example.com&seller_id=2088000000000002&subject=SO20240610001&total_amount=99.00&trade_no=2024061022001400000000000001&trade_status=TRADE_SUCCESS&version=1.0';

// Fixed keys for the offline tests: "Alipay" signs notifications, the app signs requests.
const alipayKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const appKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ALIPAY_PRIVATE = alipayKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const settings: AlipaySettings = alipayProvider.parseSettings({
  appId: '2021000000000001',
  appPrivateKey: appKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  alipayPublicKey: alipayKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  sellerId: '2088000000000002',
});
const opts = { now: new Date('2024-06-10T04:00:10Z'), replayWindowSeconds: 300 };

function form(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** Signs notification parameters as Alipay does (without sign and sign_type; empty values per rule). */
function signed(
  params: Record<string, string>,
  rule: 'keep' | 'drop' = 'drop',
  key = ALIPAY_PRIVATE,
): Record<string, string> {
  const { sign: _s, ...rest } = params;
  const content = notifySignContent({ ...rest, sign_type: 'RSA2' }, rule);
  return {
    ...rest,
    sign_type: 'RSA2',
    sign: createSign('RSA-SHA256').update(content, 'utf8').sign(key, 'base64'),
  };
}

function cb(
  body: string | Buffer,
  contentType = 'application/x-www-form-urlencoded; charset=utf-8',
): RawCallback {
  return {
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  };
}

function verify(params: Record<string, string>, s: AlipaySettings = settings): VerifyResult {
  return alipayProvider.verifyCallback(cb(form(params)), s, opts);
}

function refusedWith(r: VerifyResult): string {
  return r.ok ? 'accepted' : r.reason;
}

describe('Alipay notification signature', () => {
  it('builds the digest string-to-sign byte for byte', () => {
    expect(notifySignContent(VECTOR_PARAMS, 'drop')).toBe(VECTOR_STRING);
    expect(notifySignContent(VECTOR_PARAMS, 'keep')).toBe(VECTOR_STRING);
  });

  it('verifies a signed notification and maps it: yuan to fen, Beijing time to UTC', () => {
    const r = verify(signed(VECTOR_PARAMS));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.eventId).toBe('2024061000222120005000000000000001');
    expect(r.sentAt?.toISOString()).toBe('2024-06-10T04:00:06.000Z');
    expect(r.event).toEqual({
      kind: 'payment',
      providerTxnId: '2024061022001400000000000001',
      merchantTradeNo: 'SO20240610001',
      status: 'succeeded',
      amount: 9900,
      currency: 'CNY',
      fee: null,
      providerTime: new Date('2024-06-10T04:00:05Z'),
      providerStatus: 'TRADE_SUCCESS',
    });
    expect((r.decoded as Record<string, string>)['fund_bill_list']).toBe(VECTOR_PARAMS['fund_bill_list']);
  });

  it("agrees with Alipay's official SDK on notification signatures", () => {
    const sdk = new AlipaySdk({
      appId: settings.appId,
      privateKey: settings.appPrivateKey,
      keyType: 'PKCS8',
      alipayPublicKey: settings.alipayPublicKey,
    });
    const p = signed({ ...VECTOR_PARAMS, subject: '订单 100%满减 a+b' });
    expect(sdk.checkNotifySignV2(p)).toBe(true);
    expect(verify(p).ok).toBe(true);
    expect(sdk.checkNotifySignV2({ ...p, total_amount: '990.00' })).toBe(false);
  });

  it('refuses tampering, the wrong key, another app or seller, and a refused sign_type', () => {
    const p = signed(VECTOR_PARAMS);
    expect(refusedWith(verify({ ...p, total_amount: '198.00' }))).toBe('SIGNATURE_INVALID');
    expect(refusedWith(verify({ ...p, sign: '' }))).toBe('SIGNATURE_INVALID');
    // Signed with the app's own key instead of Alipay's: refused.
    const appPem = appKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(refusedWith(verify(signed(VECTOR_PARAMS, 'drop', appPem)))).toBe('SIGNATURE_INVALID');
    expect(refusedWith(verify({ ...p, sign_type: 'RSA' }))).toBe('SIGNATURE_INVALID');
    expect(refusedWith(verify(signed({ ...VECTOR_PARAMS, app_id: '2021000000000999' })))).toBe(
      'ACCOUNT_MISMATCH',
    );
    expect(refusedWith(verify(signed({ ...VECTOR_PARAMS, seller_id: '2088000000000999' })))).toBe(
      'ACCOUNT_MISMATCH',
    );
    // Without a configured seller the seller is not checked.
    expect(
      verify(signed({ ...VECTOR_PARAMS, seller_id: '2088000000000999' }), { ...settings, sellerId: null }).ok,
    ).toBe(true);
  });

  it('decodes the body once: a % in a value survives, a double-decoded body does not verify', () => {
    const p = signed({ ...VECTOR_PARAMS, subject: '100%25 off %E4 + plus' });
    const r = verify(p);
    expect(r.ok && (r.decoded as Record<string, string>)['subject']).toBe('100%25 off %E4 + plus');
    // A body with a raw % that is not an escape is malformed, not silently re-decoded.
    expect(refusedWith(alipayProvider.verifyCallback(cb('a=100%zz&sign=x'), settings, opts))).toBe(
      'MALFORMED',
    );
  });

  it('decodes GBK notifications in their charset and verifies over the GBK bytes', () => {
    // 中文 in GBK is D6 D0 CE C4.
    const gbkSubject = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]);
    const base: Record<string, string> = { ...VECTOR_PARAMS, charset: 'gbk' };
    const { sign: _s, sign_type: _t, ...rest } = base;
    const keys = Object.keys({ ...rest, subject: '' }).sort();
    const parts: Buffer[] = [];
    for (const [i, k] of keys.entries()) {
      if (i > 0) parts.push(Buffer.from('&'));
      parts.push(Buffer.from(`${k}=`), k === 'subject' ? gbkSubject : Buffer.from(rest[k] as string, 'utf8'));
    }
    const sig = createSign('RSA-SHA256').update(Buffer.concat(parts)).sign(ALIPAY_PRIVATE, 'base64');
    const body = `${form({ ...rest, sign_type: 'RSA2', sign: sig }).replace(/subject=[^&]*/, '')}&subject=%D6%D0%CE%C4`;
    const r = alipayProvider.verifyCallback(cb(body, 'application/x-www-form-urlencoded'), settings, opts);
    expect(r.ok).toBe(true);
    expect(r.ok && (r.decoded as Record<string, string>)['subject']).toBe('中文');
  });

  it('empty values: the setting decides; by default signed with or without them both verify', () => {
    const withEmpty = { ...VECTOR_PARAMS, body: '', passback_params: '' };
    const keep = signed(withEmpty, 'keep');
    const drop = signed(withEmpty, 'drop');
    expect(notifySignContent(withEmpty, 'keep')).toContain('body=&');
    expect(verify(keep).ok).toBe(true);
    expect(verify(drop).ok).toBe(true);
    expect(refusedWith(verify(keep, { ...settings, notifyEmptyValues: 'drop' }))).toBe('SIGNATURE_INVALID');
    expect(refusedWith(verify(drop, { ...settings, notifyEmptyValues: 'keep' }))).toBe('SIGNATURE_INVALID');
    expect(verify(drop, { ...settings, notifyEmptyValues: 'drop' }).ok).toBe(true);
  });

  it('no clock check: a notification from a day ago or a skewed clock is accepted', () => {
    const old = signed({ ...VECTOR_PARAMS, notify_time: '2024-06-09 12:00:06' });
    const r = alipayProvider.verifyCallback(cb(form(old)), settings, {
      now: new Date('2024-06-10T04:30:00Z'),
      replayWindowSeconds: 300,
    });
    expect(r.ok && r.sentAt?.toISOString()).toBe('2024-06-09T04:00:06.000Z');
  });

  it('amounts: yuan strings with decimal.js, more than two decimals is MALFORMED', () => {
    expect(yuanToFen('99.9')).toBe(9990);
    expect(yuanToFen('99.90')).toBe(9990);
    expect(yuanToFen('100')).toBe(10000);
    expect(yuanToFen('0.01')).toBe(1);
    expect(yuanToFen('0.1')).toBe(10);
    for (const bad of ['99.999', '-1.00', '1e3', '', ' 1.00', '1,00', '.5'])
      expect(yuanToFen(bad)).toBeNull();
    const r = verify(signed({ ...VECTOR_PARAMS, total_amount: '99.999' }));
    expect(refusedWith(r)).toBe('MALFORMED');
    expect(verify(signed({ ...VECTOR_PARAMS, total_amount: '99.9' }))).toMatchObject({
      ok: true,
      event: { amount: 9990 },
    });
  });

  it('Beijing time strings', () => {
    expect(parseBeijing('2024-06-10 12:00:05')?.toISOString()).toBe('2024-06-10T04:00:05.000Z');
    expect(parseBeijing('2024-01-01 03:00:00')?.toISOString()).toBe('2023-12-31T19:00:00.000Z');
    expect(parseBeijing('2015-04-28 15:45:57.320')?.toISOString()).toBe('2015-04-28T07:45:57.320Z');
    expect(parseBeijing('2024-02-30 12:00:00')).toBeNull();
    expect(parseBeijing('2024-06-10T12:00:05')).toBeNull();
    expect(formatBeijing(new Date('2023-12-31T19:00:00Z'))).toBe('2024-01-01 03:00:00');
    expect(refusedWith(verify(signed({ ...VECTOR_PARAMS, notify_time: '10/06/2024' })))).toBe('MALFORMED');
  });

  it('maps TRADE_FINISHED to the same transaction, TRADE_CLOSED, refund notices and unknown statuses', () => {
    const finished = verify(
      signed({ ...VECTOR_PARAMS, trade_status: 'TRADE_FINISHED', refund_fee: '0.00', notify_id: 'n2' }),
    );
    expect(finished).toMatchObject({
      ok: true,
      event: {
        kind: 'payment',
        status: 'succeeded',
        providerTxnId: '2024061022001400000000000001',
        amount: 9900,
      },
    });
    const closed = verify(
      signed({ ...VECTOR_PARAMS, trade_status: 'TRADE_CLOSED', gmt_close: '2024-06-10 12:30:00' }),
    );
    expect(closed).toMatchObject({
      ok: true,
      event: { kind: 'payment', status: 'closed', providerTime: new Date('2024-06-10T04:30:00Z') },
    });
    const refund = verify(
      signed({
        ...VECTOR_PARAMS,
        refund_fee: '20.50',
        out_biz_no: 'RF-1',
        gmt_refund: '2024-06-11 09:00:00.120',
      }),
    );
    expect(refund).toMatchObject({
      ok: true,
      event: {
        kind: 'refund',
        merchantRefundNo: 'RF-1',
        merchantTradeNo: 'SO20240610001',
        providerRefundId: '2024061022001400000000000001:RF-1',
        amount: 2050,
        status: 'succeeded',
        providerTime: new Date('2024-06-11T01:00:00.120Z'),
      },
    });
    expect(verify(signed({ ...VECTOR_PARAMS, trade_status: 'SOMETHING_NEW' }))).toMatchObject({
      ok: true,
      event: { kind: 'ignored' },
    });
  });

  it('ack is the literal success, or fail', () => {
    expect(alipayProvider.ack(true)).toEqual({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'success',
    });
    expect(alipayProvider.ack(false).body).toBe('fail');
  });
});

describe('Alipay settings', () => {
  const pkcs1Pem = appKeys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const pkcs8Pem = appKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const bare = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const alipayPem = alipayKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('accepts PKCS#1 and PKCS#8, PEM or bare base64, and normalises to PEM', () => {
    for (const key of [pkcs1Pem, pkcs8Pem, bare(pkcs1Pem), bare(pkcs8Pem), `  ${pkcs8Pem}\n\n`]) {
      for (const pub of [alipayPem, bare(alipayPem)]) {
        const s = alipayProvider.parseSettings({
          appId: '2021000000000001',
          appPrivateKey: key,
          alipayPublicKey: pub,
        });
        expect(s.appPrivateKey).toBe(settings.appPrivateKey);
        expect(s.alipayPublicKey).toBe(settings.alipayPublicKey);
        expect(s.notifyEmptyValues).toBe('try-both');
        expect(s.sellerId).toBeNull();
      }
    }
  });

  it('names the field that is wrong, including the classic app-public-key mix-up', () => {
    const field = (input: Record<string, unknown>) => {
      try {
        alipayProvider.parseSettings({
          appId: '2021000000000001',
          appPrivateKey: pkcs8Pem,
          alipayPublicKey: alipayPem,
          ...input,
        });
        return 'accepted';
      } catch (err) {
        return (err as { field: string }).field;
      }
    };
    expect(field({})).toBe('accepted');
    expect(field({ appId: 'abc' })).toBe('appId');
    expect(field({ appPrivateKey: 'not a key' })).toBe('appPrivateKey');
    expect(field({ alipayPublicKey: 'MIIBIjAN' })).toBe('alipayPublicKey');
    expect(
      field({ alipayPublicKey: appKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
    ).toBe('alipayPublicKey');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(field({ appPrivateKey: small })).toBe('appPrivateKey');
    expect(field({ sellerId: 'x' })).toBe('sellerId');
    expect(field({ notifyEmptyValues: 'sometimes' })).toBe('notifyEmptyValues');
  });
});

describe('Alipay response signing', () => {
  it('finds the raw _response text as sent, whatever its spacing, and not inside strings', () => {
    const text =
      '{ "alipay_trade_query_response" : {"code":"10000","msg":"Success","note":"\\"sign\\":{}"} , "sign":"abc"}';
    expect(rawJsonMember(text, 'alipay_trade_query_response')).toBe(
      '{"code":"10000","msg":"Success","note":"\\"sign\\":{}"}',
    );
    expect(
      rawJsonMember('{"x":"alipay_trade_query_response","y":1}', 'alipay_trade_query_response'),
    ).toBeNull();
  });
});

describe('Alipay adapter against the simulator', () => {
  let sim: AlipaySimulator;
  let receiver: Server;
  let notifyUrl = '';
  const received: Array<{ raw: RawCallback; result: VerifyResult }> = [];
  /** Bodies the receiver answers before its normal ack (anything but `success` makes Alipay retry). */
  const answerFirst: string[] = [];
  let simSettings: AlipaySettings;

  function ctx(over: Partial<ProviderContext<AlipaySettings>> = {}): ProviderContext<AlipaySettings> {
    return { settings: simSettings, baseUrl: sim.url, now: new Date(), fetch, notifyUrl, ...over };
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const raw: RawCallback = { headers, body: Buffer.concat(chunks) };
        const result = alipayProvider.verifyCallback(raw, simSettings, {
          now: new Date(),
          replayWindowSeconds: 300,
        });
        received.push({ raw, result });
        const forced = answerFirst.shift();
        const ack =
          forced !== undefined
            ? { status: 200, contentType: 'text/html', body: forced }
            : alipayProvider.ack(result.ok);
        res.writeHead(ack.status, { 'content-type': ack.contentType });
        res.end(ack.body);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/payments/notify/alipay-main`;
    sim = await startAlipaySimulator({ retryScheduleMs: [20, 50, 100] });
    simSettings = alipayProvider.parseSettings(sim.accountSettings);
  });

  afterAll(async () => {
    await sim?.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  async function create(tradeNo: string, amount = 9990) {
    return alipayProvider.createPayment(ctx(), {
      merchantTradeNo: tradeNo,
      amount,
      currency: 'CNY',
      description: `订单 ${tradeNo}`,
      expiresAt: new Date(Date.now() + 30 * 60_000),
      idempotencyKey: tradeNo,
    });
  }

  function eventsFor(tradeNo: string) {
    return received.flatMap((d) =>
      d.result.ok && d.result.event.kind !== 'ignored' && d.result.event.merchantTradeNo === tradeNo
        ? [d.result]
        : [],
    );
  }

  it('page pay: a signed URL the cashier accepts, the notification verifies, the query agrees', async () => {
    const created = await create('ALI-1');
    expect(created.providerRef).toBeNull();
    const url = new URL(created.client['payUrl'] as string);
    expect(url.origin + url.pathname).toBe(sim.url);
    expect(url.searchParams.get('method')).toBe('alipay.trade.page.pay');
    expect(JSON.parse(url.searchParams.get('biz_content') as string)).toMatchObject({
      out_trade_no: 'ALI-1',
      total_amount: '99.90',
      product_code: 'FAST_INSTANT_TRADE_PAY',
    });
    // Before the buyer opens the cashier Alipay does not know the trade.
    expect(
      await alipayProvider.queryPayment(ctx(), { merchantTradeNo: 'ALI-1', providerRef: null }),
    ).toBeNull();
    sim.pay(created.client, { open: true });
    expect(
      await alipayProvider.queryPayment(ctx(), { merchantTradeNo: 'ALI-1', providerRef: null }),
    ).toMatchObject({
      status: 'pending',
      providerStatus: 'WAIT_BUYER_PAY',
    });
    const trade = sim.pay(created.client);
    await sim.idle();
    const [evt] = eventsFor('ALI-1');
    expect(evt?.event).toMatchObject({
      kind: 'payment',
      status: 'succeeded',
      amount: 9990,
      currency: 'CNY',
      providerTxnId: trade.trade_no,
    });
    expect(
      sim
        .deliveries()
        .filter((d) => d.outTradeNo === 'ALI-1')
        .every((d) => d.ok && d.answer === 'success'),
    ).toBe(true);
    const q = await alipayProvider.queryPayment(ctx(), { merchantTradeNo: 'ALI-1', providerRef: null });
    expect(q).toMatchObject({
      status: 'succeeded',
      amount: 9990,
      providerTxnId: trade.trade_no,
      providerStatus: 'TRADE_SUCCESS',
    });
    expect(q?.providerTime).toBeInstanceOf(Date);
  });

  it("the official SDK: same request signature as ours, its page-pay URL passes the cashier, it verifies the simulator's answers and notifications", async () => {
    const sdk = new AlipaySdk({
      appId: simSettings.appId,
      privateKey: simSettings.appPrivateKey,
      keyType: 'PKCS8',
      alipayPublicKey: simSettings.alipayPublicKey,
      gateway: sim.url,
    });
    const sdkUrl = sdk.pageExecute('alipay.trade.page.pay', 'GET', {
      bizContent: {
        outTradeNo: 'ALI-SDK',
        productCode: 'FAST_INSTANT_TRADE_PAY',
        totalAmount: '12.34',
        subject: '测试 SDK',
      },
      notifyUrl,
    });
    const params = Object.fromEntries(new URL(sdkUrl).searchParams);
    const { sign, ...rest } = params;
    // RSA PKCS#1 v1.5 is deterministic: the same string signed with the same key gives the same signature.
    expect(rsa2Sign(requestSignContent(rest), simSettings.appPrivateKey)).toBe(sign);
    sim.pay({ payUrl: sdkUrl });
    await sim.idle();
    const result = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'ALI-SDK' } });
    expect(result).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS', totalAmount: '12.34' });
    const notice = sim.notifications().find((n) => n.params['out_trade_no'] === 'ALI-SDK');
    // The SDK keeps empty values in the signed string; this simulator signs without them (the
    // unconfirmed rule), so the SDK agrees once the empty ones are left out, and not before.
    const params2 = notice?.params as Record<string, string>;
    const nonEmpty = Object.fromEntries(Object.entries(params2).filter(([, v]) => v !== ''));
    expect(Object.keys(nonEmpty).length).toBeLessThan(Object.keys(params2).length);
    expect(sdk.checkNotifySignV2(nonEmpty)).toBe(true);
    expect(sdk.checkNotifySignV2(params2)).toBe(false);
    expect(eventsFor('ALI-SDK')[0]?.event).toMatchObject({ amount: 1234 });
    // A URL with a forged signature is refused by the cashier.
    expect(() => sim.pay({ payUrl: sdkUrl.replace('12.34', '0.01') })).toThrow(/isv.invalid-signature/);
  });

  it('refunds: partial, the same refund number again, the notice, the query, more than paid, TRADE_FINISHED', async () => {
    const created = await create('ALI-RF', 10000);
    const trade = sim.pay(created.client);
    await sim.idle();
    const input = {
      merchantTradeNo: 'ALI-RF',
      providerTxnId: trade.trade_no,
      providerRef: null,
      merchantRefundNo: 'RF-A1',
      amount: 3050,
      total: 10000,
      currency: 'CNY',
      reason: '尺码不合适',
    };
    const refund = await alipayProvider.refund(ctx(), input);
    expect(refund).toMatchObject({
      kind: 'refund',
      providerRefundId: `${trade.trade_no}:RF-A1`,
      merchantRefundNo: 'RF-A1',
      status: 'succeeded',
      amount: 3050,
      currency: 'CNY',
    });
    // The same out_request_no again: no money moves (fund_change N); the refund query confirms it.
    const again = await alipayProvider.refund(ctx(), input);
    expect(again).toMatchObject({ status: 'succeeded', amount: 3050, merchantRefundNo: 'RF-A1' });
    expect(sim.trade('ALI-RF')?.refunds).toHaveLength(1);
    await sim.idle();
    expect(eventsFor('ALI-RF').map((r) => r.event)).toContainEqual(
      expect.objectContaining({
        kind: 'refund',
        merchantRefundNo: 'RF-A1',
        amount: 3050,
        status: 'succeeded',
      }),
    );
    const q = {
      merchantTradeNo: 'ALI-RF',
      merchantRefundNo: 'RF-A1',
      providerRefundId: null,
      currency: 'CNY',
    };
    expect(await alipayProvider.queryRefund(ctx(), q)).toMatchObject({ status: 'succeeded', amount: 3050 });
    expect(await alipayProvider.queryRefund(ctx(), { ...q, merchantRefundNo: 'RF-NONE' })).toBeNull();
    const tooMuch = await alipayProvider
      .refund(ctx(), { ...input, merchantRefundNo: 'RF-A2', amount: 8000 })
      .catch((e: unknown) => e);
    expect(tooMuch).toMatchObject({ code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', retryable: false });

    // The refund window ends: TRADE_FINISHED names the same trade_no, so it is the same transaction.
    sim.finish('ALI-RF');
    await sim.idle();
    const finished = eventsFor('ALI-RF').filter(
      (r) => r.event.kind === 'payment' && r.event.providerStatus === 'TRADE_FINISHED',
    );
    expect(finished).toHaveLength(1);
    expect(finished[0]?.event).toMatchObject({ providerTxnId: trade.trade_no, status: 'succeeded' });
  });

  it('a full refund closes the trade; an unpaid trade that expires notifies TRADE_CLOSED', async () => {
    const created = await create('ALI-FULL', 500);
    const trade = sim.pay(created.client);
    await sim.idle();
    await alipayProvider.refund(ctx(), {
      merchantTradeNo: 'ALI-FULL',
      providerTxnId: trade.trade_no,
      providerRef: null,
      merchantRefundNo: 'RF-FULL',
      amount: 500,
      total: 500,
      currency: 'CNY',
      reason: '',
    });
    await sim.idle();
    expect(eventsFor('ALI-FULL').at(-1)).toMatchObject({
      event: { kind: 'refund', providerStatus: 'TRADE_CLOSED', amount: 500 },
    });
    expect(
      await alipayProvider.queryPayment(ctx(), { merchantTradeNo: 'ALI-FULL', providerRef: null }),
    ).toMatchObject({
      status: 'closed',
    });
    const unpaid = await create('ALI-EXPIRE');
    sim.pay(unpaid.client, { open: true });
    sim.expire('ALI-EXPIRE');
    await sim.idle();
    expect(eventsFor('ALI-EXPIRE')[0]?.event).toMatchObject({ kind: 'payment', status: 'closed' });
  });

  it('errors: 20000 busy, gateway 5xx and timeouts retryable; a wrong key, a tampered answer and business refusals are not', async () => {
    sim.faults.busyNext = 1;
    await expect(
      alipayProvider.queryPayment(ctx(), { merchantTradeNo: 'ALI-1', providerRef: null }),
    ).rejects.toMatchObject({
      retryable: true,
      message: expect.stringContaining('20000'),
    });
    sim.faults.apiErrorNext = 1;
    await expect(
      alipayProvider.queryPayment(ctx(), { merchantTradeNo: 'ALI-1', providerRef: null }),
    ).rejects.toMatchObject({
      retryable: true,
      httpStatus: 502,
    });
    sim.faults.apiTimeoutNext = 1;
    sim.faults.apiTimeoutMs = 5_000;
    const shortFetch: typeof fetch = (u, init) => fetch(u, { ...init, signal: AbortSignal.timeout(300) });
    await expect(
      alipayProvider.queryPayment(ctx({ fetch: shortFetch }), {
        merchantTradeNo: 'ALI-1',
        providerRef: null,
      }),
    ).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });

    sim.faults.tamperResponseNext = 1;
    const tampered = await alipayProvider
      .queryPayment(ctx(), { merchantTradeNo: 'ALI-1', providerRef: null })
      .catch((e: unknown) => e);
    expect(tampered).toMatchObject({ code: 'RESPONSE_SIGNATURE_INVALID', retryable: false });

    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const wrong = await alipayProvider
      .queryPayment(ctx({ settings: { ...simSettings, appPrivateKey: otherKey } }), {
        merchantTradeNo: 'ALI-1',
        providerRef: null,
      })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ProviderError);
    expect(wrong).toMatchObject({ code: 'isv.invalid-signature', retryable: false });
    // A success answer signed by someone else's key is refused.
    const strangerPub = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    await expect(
      alipayProvider.queryPayment(ctx({ settings: { ...simSettings, alipayPublicKey: strangerPub } }), {
        merchantTradeNo: 'ALI-1',
        providerRef: null,
      }),
    ).rejects.toMatchObject({ code: 'RESPONSE_SIGNATURE_INVALID' });
    await expect(
      alipayProvider.createPayment(ctx(), {
        merchantTradeNo: 'X',
        amount: 100,
        currency: 'USD',
        description: '',
        expiresAt: new Date(),
        idempotencyKey: 'x',
      }),
    ).rejects.toMatchObject({
      code: 'CURRENCY_UNSUPPORTED',
      retryable: false,
    });
  });

  it('delivery: retried until exactly success, duplicates, lost healed by query, tampered refused, stale accepted', async () => {
    // A receiver that answers "success\n" or an HTML page has not acknowledged: Alipay retries.
    const a = await create('ALI-ACK');
    answerFirst.push('success\n', '<html>success</html>');
    sim.pay(a.client);
    await sim.idle();
    answerFirst.length = 0;
    const acks = sim.deliveries().filter((d) => d.outTradeNo === 'ALI-ACK');
    expect(acks.map((d) => d.ok)).toEqual([false, false, true]);
    expect(new Set(acks.map((d) => d.notifyId)).size).toBe(1);

    const dup = await create('ALI-DUP');
    sim.faults.duplicates = 2;
    sim.pay(dup.client);
    await sim.idle();
    sim.faults.duplicates = 0;
    const dupEvents = eventsFor('ALI-DUP');
    expect(dupEvents).toHaveLength(3);
    expect(new Set(dupEvents.map((e) => e.ok && e.eventId)).size).toBe(1);

    const lost = await create('ALI-LOST', 1999);
    sim.faults.loseNext = 1;
    sim.pay(lost.client);
    await sim.idle();
    expect(eventsFor('ALI-LOST')).toHaveLength(0);
    expect(
      await alipayProvider.queryPayment(ctx(), { merchantTradeNo: 'ALI-LOST', providerRef: null }),
    ).toMatchObject({
      status: 'succeeded',
      amount: 1999,
    });

    const tam = await create('ALI-TAMPER', 8000);
    sim.faults.tamperNext = 1;
    const from = received.length;
    sim.pay(tam.client);
    await sim.idle();
    const results = received.slice(from).map((d) => refusedWith(d.result));
    expect(results).toEqual(['SIGNATURE_INVALID', 'accepted']);
    expect(eventsFor('ALI-TAMPER').map((e) => e.event.kind === 'payment' && e.event.amount)).toEqual([8000]);

    const stale = await create('ALI-STALE');
    sim.faults.staleNext = 1;
    sim.pay(stale.client);
    await sim.idle();
    const [staleEvt] = eventsFor('ALI-STALE');
    expect(staleEvt?.sentAt && Date.now() - staleEvt.sentAt.getTime()).toBeGreaterThan(3_000_000);
  });

  it('reordering: the refund notice before the payment notice; a skewed clock is no reason to refuse', async () => {
    const created = await create('ALI-ORDER', 6000);
    sim.faults.hold = true;
    const trade = sim.pay(created.client);
    await alipayProvider.refund(ctx(), {
      merchantTradeNo: 'ALI-ORDER',
      providerTxnId: trade.trade_no,
      providerRef: null,
      merchantRefundNo: 'RF-ORDER',
      amount: 1000,
      total: 6000,
      currency: 'CNY',
      reason: '',
    });
    sim.faults.hold = false;
    sim.release('reverse');
    await sim.idle();
    expect(eventsFor('ALI-ORDER').map((e) => e.event.kind)).toEqual(['refund', 'payment']);

    sim.faults.clockSkewMs = -18 * 60_000;
    const skewed = await create('ALI-SKEW');
    sim.pay(skewed.client);
    await sim.idle();
    sim.faults.clockSkewMs = 0;
    const [evt] = eventsFor('ALI-SKEW');
    expect(evt?.event).toMatchObject({ status: 'succeeded' });
    expect(Date.now() - (evt?.sentAt?.getTime() ?? 0)).toBeGreaterThan(17 * 60_000);
  });

  it('a simulator that signs empty values too is verified by the default setting', async () => {
    const keepSim = await startAlipaySimulator({ notifyEmptyValues: 'keep', retryScheduleMs: [10] });
    try {
      const s = alipayProvider.parseSettings(keepSim.accountSettings);
      const c = await alipayProvider.createPayment(
        { settings: s, baseUrl: keepSim.url, now: new Date(), fetch, notifyUrl },
        {
          merchantTradeNo: 'ALI-KEEP',
          amount: 100,
          currency: 'CNY',
          description: 'keep',
          expiresAt: new Date(Date.now() + 60_000),
          idempotencyKey: 'k',
        },
      );
      keepSim.pay(c.client);
      const notice = keepSim.notifications()[0]?.params as Record<string, string>;
      expect(notice['body']).toBe('');
      expect(alipayProvider.verifyCallback(cb(form(notice)), s, opts).ok).toBe(true);
      const sdk = new AlipaySdk({
        appId: s.appId,
        privateKey: s.appPrivateKey,
        keyType: 'PKCS8',
        alipayPublicKey: s.alipayPublicKey,
      });
      expect(sdk.checkNotifySignV2(notice)).toBe(true);
      expect(
        refusedWith(
          alipayProvider.verifyCallback(cb(form(notice)), { ...s, notifyEmptyValues: 'drop' }, opts),
        ),
      ).toBe('SIGNATURE_INVALID');
      await keepSim.idle();
    } finally {
      await keepSim.close();
    }
  });
});
