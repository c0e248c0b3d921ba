import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  startWechatPaySimulator,
  WECHATPAY_RETRY_SCHEDULE_MS,
  type WechatPaySimulator,
} from '@orderhub/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PaymentEvent,
  type ProviderContext,
  ProviderError,
  type RawCallback,
  type RefundEvent,
  SettingsError,
  type VerifyResult,
} from '../src/modules/payments/provider.ts';
import { type WechatPaySettings, wechatpayProvider } from '../src/modules/payments/providers/wechatpay.ts';
import {
  authorizationHeader,
  decryptResource,
  encryptResource,
  jsapiPaySigningString,
  requestSigningString,
  responseSigningBytes,
  toBeijingRfc3339,
} from '../src/modules/payments/providers/wechatpay-crypto.ts';

// PROTOCOLS.md B1 worked example (vectors.json `wechat_gcm`), byte for byte.
const GCM = {
  key: '0123456789abcdef0123456789abcdef',
  nonce: 'fakenonce012',
  aad: 'transaction',
  plaintext:
    '{"mchid":"1900000001","appid":"wx0000000000000001","out_trade_no":"SO20240610001","transaction_id":"4200000000202406100000000001","trade_type":"JSAPI","trade_state":"SUCCESS","trade_state_desc":"支付成功","bank_type":"OTHERS","attach":"","success_time":"2024-06-10T12:00:05+08:00","payer":{"openid":"oFakeOpenId"},"amount":{"total":9900,"payer_total":9900,"currency":"CNY","payer_currency":"CNY"}}',
  ciphertext_b64:
    'Q87JwEIXYdp9XBwL9TAffdqt4P+C33gbdpvfCUvm4EjsrJx4jvLdWeGngs0Of74uI0JCX7wYJWLcAUnLPt2tpWSUNTJdvFcFIbl3tV2m1BZ1bp74K5kFMhYPjtVvD6ZtNxaFBBDFUetzvu6IaYIgJuqQn3AQvCo+VMIq2Ebx7LQIBtAr91lFNC8HOrruBY2jJAikDBvZmyIEUqt77hua72oD7O04YN3vc2nrkKTUaooD8adYT+dnCOsPucVUUKqFmPhrf/nzUxWG9Ek5CZHDjtd2K7+ebmy423I7e6d7GtI8PiInq01zWMmwFjLTa0avMuqmN4L29e2/5p4O42O4xCMvlaraSmRAM1+7cMYtO0qUCKNJbmveESSY7KkSulEdI8AHvdyIWAlTsuYgO+6m+eZyuZ8NbSe3OHonT44/fS95qnxUP+woY/DDU8F6xdFwHSa89ZJnSXIt3KGfAuxEVhJK+FM3JsGlV64yPw22erSHOsjXsJmZ7D0O/pJ+zkmpshCl5kQI4kcOexe/md+HkzK5MaX3WGFMoh9zvYTNPrWa',
};

const NOW = () => new Date();
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

// ---------------------------------------------------------------------------------------------
// An account of our own making, with a WeChat Pay public key, for hand-signed callbacks.

const platform = rsa();
const merchant = rsa();
const PUB_SERIAL = 'PUB_KEY_ID_0114232019112100000000000000000001';
const own: WechatPaySettings = wechatpayProvider.parseSettings({
  mchId: '1900000001',
  appId: 'wx0000000000000001',
  apiV3Key: GCM.key,
  merchantSerialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  merchantPrivateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  platformCertificates: [
    { serialNo: PUB_SERIAL, pem: platform.publicKey.export({ type: 'spki', format: 'pem' }) },
  ],
});

function envelope(
  ciphertext: string,
  eventType = 'TRANSACTION.SUCCESS',
  aad = GCM.aad,
  nonce = GCM.nonce,
): string {
  return JSON.stringify({
    id: 'EV-2024061012000500001',
    create_time: '2024-06-10T12:00:06+08:00',
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: '支付成功',
    resource: { original_type: aad, algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: aad, nonce },
  });
}

function signed(
  body: string | Buffer,
  opts: { key?: KeyObject; serial?: string; ts?: string; nonce?: string } = {},
): RawCallback {
  const ts = opts.ts ?? '1718000000';
  const nonce = opts.nonce ?? 'fakeNonceStr32charsxxxxxxxxxxxxx';
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const signature = sign(
    'sha256',
    responseSigningBytes(ts, nonce, bytes),
    opts.key ?? platform.privateKey,
  ).toString('base64');
  return {
    headers: {
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': opts.serial ?? PUB_SERIAL,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
    body: bytes,
  };
}

const verifyOwn = (raw: RawCallback, settings = own): VerifyResult =>
  wechatpayProvider.verifyCallback(raw, settings, { now: NOW(), replayWindowSeconds: 300 });

function refusal(r: VerifyResult): string {
  if (r.ok) throw new Error('expected a refusal');
  return r.reason;
}

describe('WeChat Pay v3: the digest vectors', () => {
  it('decrypts and re-encrypts the AES-256-GCM vector byte for byte', () => {
    expect(decryptResource(GCM.key, GCM.nonce, GCM.aad, GCM.ciphertext_b64)).toBe(GCM.plaintext);
    expect(encryptResource(GCM.key, GCM.nonce, GCM.aad, GCM.plaintext)).toBe(GCM.ciphertext_b64);
  });

  it('builds the signing strings exactly', () => {
    expect(
      requestSigningString(
        'GET',
        '/v3/pay/transactions/out-trade-no/SO20240610001?mchid=1900000001',
        '1718000000',
        'N0nce',
        '',
      ),
    ).toBe('GET\n/v3/pay/transactions/out-trade-no/SO20240610001?mchid=1900000001\n1718000000\nN0nce\n\n');
    expect(requestSigningString('post', '/v3/refund/domestic/refunds', '1718000000', 'N', '{"a":1}')).toBe(
      'POST\n/v3/refund/domestic/refunds\n1718000000\nN\n{"a":1}\n',
    );
    // The message of vectors.js `wechat_rsa_roundtrip`.
    const msg = '1718000000\nfakeNonceStr32charsxxxxxxxxxxxxx\n{"id":"EV-1"}\n';
    expect(
      responseSigningBytes('1718000000', 'fakeNonceStr32charsxxxxxxxxxxxxx', '{"id":"EV-1"}').toString(),
    ).toBe(msg);
    expect(responseSigningBytes('1', 'n', Buffer.alloc(0)).toString()).toBe('1\nn\n\n');
    expect(jsapiPaySigningString('wx1', '1718000000', 'abc', 'prepay_id=wx2')).toBe(
      'wx1\n1718000000\nabc\nprepay_id=wx2\n',
    );
    const sig = sign('sha256', Buffer.from(msg), platform.privateKey);
    expect(
      verify(
        'sha256',
        responseSigningBytes('1718000000', 'fakeNonceStr32charsxxxxxxxxxxxxx', '{"id":"EV-1"}'),
        platform.publicKey,
        sig,
      ),
    ).toBe(true);
    expect(toBeijingRfc3339(new Date('2024-06-10T04:00:05Z'))).toBe('2024-06-10T12:00:05+08:00');
  });

  it('verifies and decodes a callback carrying the vector: fen, +08:00 to UTC, sentAt from the header', () => {
    const r = verifyOwn(signed(envelope(GCM.ciphertext_b64)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.eventId).toBe('EV-2024061012000500001');
    expect(r.sentAt?.toISOString()).toBe('2024-06-10T06:13:20.000Z');
    expect(r.event).toEqual({
      kind: 'payment',
      providerTxnId: '4200000000202406100000000001',
      merchantTradeNo: 'SO20240610001',
      status: 'succeeded',
      amount: 9900,
      currency: 'CNY',
      fee: null,
      providerTime: new Date('2024-06-10T04:00:05.000Z'),
      providerStatus: 'SUCCESS',
    } satisfies PaymentEvent);
    expect((r.decoded as { resource: { payer: { openid: string } } }).resource.payer.openid).toBe(
      'oFakeOpenId',
    );
  });
});

describe('WeChat Pay v3: callbacks refused', () => {
  const good = envelope(GCM.ciphertext_b64);

  it('a body altered by one byte after signing', () => {
    const raw = signed(good);
    const altered = { ...raw, body: Buffer.from(good.replace('"summary":"', '"summary": "')) };
    expect(refusal(verifyOwn(altered))).toBe('SIGNATURE_INVALID');
    // Re-serialising the JSON (what a framework might do) breaks it too.
    const reparsed = { ...raw, body: Buffer.from(JSON.stringify(JSON.parse(good), null, 1)) };
    expect(refusal(verifyOwn(reparsed))).toBe('SIGNATURE_INVALID');
  });

  it('a ciphertext altered before signing (the signature holds, the GCM tag does not)', () => {
    const bad = Buffer.from(GCM.ciphertext_b64, 'base64');
    bad[10] = bad[10]! ^ 0x80;
    expect(refusal(verifyOwn(signed(envelope(bad.toString('base64')))))).toBe('DECRYPT_FAILED');
    // A different associated_data than was encrypted.
    expect(refusal(verifyOwn(signed(envelope(GCM.ciphertext_b64, 'TRANSACTION.SUCCESS', 'refund'))))).toBe(
      'DECRYPT_FAILED',
    );
  });

  it('an unknown serial, another key under a known serial, a SIGNTEST probe', () => {
    expect(
      refusal(verifyOwn(signed(good, { serial: 'PUB_KEY_ID_0000000000000000000000000000000000' }))),
    ).toBe('SERIAL_UNKNOWN');
    expect(refusal(verifyOwn(signed(good, { key: rsa().privateKey })))).toBe('SIGNATURE_INVALID');
    const probe = signed(good);
    const headers = { ...probe.headers, 'wechatpay-signature': `WECHATPAY/SIGNTEST/${'A'.repeat(300)}` };
    expect(refusal(verifyOwn({ ...probe, headers }))).toBe('SIGNTEST_PROBE');
  });

  it('the wrong API v3 key (for example the v2 key)', () => {
    const other = { ...own, apiV3Key: 'abcdefghijklmnopqrstuvwxyz012345' };
    expect(refusal(verifyOwn(signed(good), other))).toBe('DECRYPT_FAILED');
  });

  it('another merchant or app', () => {
    expect(refusal(verifyOwn(signed(good), { ...own, mchId: '1900000002' }))).toBe('ACCOUNT_MISMATCH');
    expect(refusal(verifyOwn(signed(good), { ...own, appId: 'wx0000000000000002' }))).toBe(
      'ACCOUNT_MISMATCH',
    );
  });

  it('missing headers and broken envelopes', () => {
    const raw = signed(good);
    const { 'wechatpay-nonce': _n, ...noNonce } = raw.headers;
    expect(refusal(verifyOwn({ ...raw, headers: noNonce }))).toBe('MALFORMED');
    expect(refusal(verifyOwn(signed('not json')))).toBe('MALFORMED');
    expect(refusal(verifyOwn(signed('{"id":"EV-1"}')))).toBe('MALFORMED');
    const bad = encryptResource(
      GCM.key,
      GCM.nonce,
      GCM.aad,
      GCM.plaintext.replace('"total":9900', '"total":99.5'),
    );
    expect(refusal(verifyOwn(signed(envelope(bad))))).toBe('MALFORMED');
  });

  it('never refuses for clock difference: 30 minutes either way, and days', () => {
    for (const offset of [-30 * 60, 30 * 60, -3 * 86_400]) {
      const ts = String(Math.floor(Date.now() / 1000) + offset);
      const r = verifyOwn(signed(good, { ts }));
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.sentAt?.getTime()).toBe(Number(ts) * 1000);
    }
  });

  it('maps refund notices: SUCCESS, ABNORMAL, CLOSED', () => {
    for (const [status, mapped] of [
      ['SUCCESS', 'succeeded'],
      ['ABNORMAL', 'failed'],
      ['CLOSED', 'closed'],
    ] as const) {
      const plain = JSON.stringify({
        mchid: '1900000001',
        out_trade_no: 'SO20240610001',
        transaction_id: '4200000000202406100000000001',
        out_refund_no: 'RF20240610001',
        refund_id: '50000000382019052709732678859',
        refund_status: status,
        ...(status === 'SUCCESS' ? { success_time: '2024-06-10T13:00:00+08:00' } : {}),
        user_received_account: '支付用户零钱',
        amount: { total: 9900, refund: 3000, payer_total: 9900, payer_refund: 3000 },
      });
      const ct = encryptResource(GCM.key, 'refundnonce1', 'refund', plain);
      const r = verifyOwn(signed(envelope(ct, `REFUND.${status}`, 'refund', 'refundnonce1')));
      expect(r.ok && r.event).toEqual({
        kind: 'refund',
        providerRefundId: '50000000382019052709732678859',
        merchantRefundNo: 'RF20240610001',
        merchantTradeNo: 'SO20240610001',
        status: mapped,
        amount: 3000,
        currency: 'CNY',
        providerTime: status === 'SUCCESS' ? new Date('2024-06-10T05:00:00Z') : null,
        providerStatus: status,
      } satisfies RefundEvent);
    }
  });

  it('answers WeChat by status: 2xx received, 4xx JSON FAIL otherwise', () => {
    const ok = wechatpayProvider.ack(true);
    expect(ok.status === 200 || ok.status === 204).toBe(true);
    const fail = wechatpayProvider.ack(false, '签名校验失败');
    expect(fail.status).toBeGreaterThanOrEqual(400);
    expect(fail.contentType).toBe('application/json');
    expect(JSON.parse(fail.body)).toEqual({ code: 'FAIL', message: '签名校验失败' });
  });
});

describe('WeChat Pay v3: settings', () => {
  const base = {
    mchId: own.mchId,
    appId: own.appId,
    apiV3Key: own.apiV3Key,
    merchantSerialNo: own.merchantSerialNo,
    merchantPrivateKey: own.merchantPrivateKey,
    platformCertificates: own.platformCertificates,
  };
  const fieldOf = (input: unknown): string => {
    try {
      wechatpayProvider.parseSettings(input);
    } catch (err) {
      if (err instanceof SettingsError) return err.field;
      throw err;
    }
    throw new Error('accepted');
  };

  it('names the bad field', () => {
    expect(fieldOf(null)).toBe('settings');
    expect(fieldOf({ ...base, mchId: 'abc' })).toBe('mchId');
    expect(fieldOf({ ...base, appId: '' })).toBe('appId');
    expect(fieldOf({ ...base, apiV3Key: 'short' })).toBe('apiV3Key');
    expect(fieldOf({ ...base, apiV3Key: `${'a'.repeat(30)}支` })).toBe('apiV3Key'); // 31 characters, 33 bytes
    expect(fieldOf({ ...base, merchantSerialNo: 'not hex!' })).toBe('merchantSerialNo');
    expect(fieldOf({ ...base, merchantPrivateKey: 'garbage' })).toBe('merchantPrivateKey');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(
      fieldOf({ ...base, merchantPrivateKey: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) }),
    ).toBe('merchantPrivateKey');
    expect(fieldOf({ ...base, platformCertificates: [] })).toBe('platformCertificates');
    expect(fieldOf({ ...base, platformCertificates: [{ serialNo: PUB_SERIAL, pem: 'nope' }] })).toBe(
      'platformCertificates[0].pem',
    );
    // A public key needs a PUB_KEY_ID_ serial.
    expect(
      fieldOf({
        ...base,
        platformCertificates: [{ serialNo: 'ABC', pem: own.platformCertificates[0]!.pem }],
      }),
    ).toBe('platformCertificates[0].pem');
    expect(
      fieldOf({ ...base, platformCertificates: [{ serialNo: '', pem: own.platformCertificates[0]!.pem }] }),
    ).toBe('platformCertificates[0].serialNo');
    expect(fieldOf({ ...base, requestTimeoutMs: 5 })).toBe('requestTimeoutMs');
  });

  it('keeps the API v3 key exactly and trims PEMs', () => {
    const s = wechatpayProvider.parseSettings({
      ...base,
      merchantPrivateKey: `\n${base.merchantPrivateKey}\n\n`,
    });
    expect(s.apiV3Key).toBe(GCM.key);
    expect(s.merchantPrivateKey.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(s.merchantPrivateKey.endsWith('-----END PRIVATE KEY-----')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Against the simulator

interface Received {
  raw: RawCallback;
  result: VerifyResult;
}

/** Our side of the callbacks: a plain HTTP server that verifies with the adapter and acks its way. */
async function startReceiver(
  settings: () => WechatPaySettings,
  failFirst = 0,
  /** Each answer waits for this first (a delivery still in flight when the test moves on). */
  hold?: Promise<void>,
) {
  const received: Received[] = [];
  let toFail = failFirst;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const raw: RawCallback = { headers, body: Buffer.concat(chunks) };
      const result = wechatpayProvider.verifyCallback(raw, settings(), {
        now: new Date(),
        replayWindowSeconds: 300,
      });
      received.push({ raw, result });
      await hold;
      let ok = result.ok;
      if (ok && toFail > 0) {
        toFail--;
        ok = false;
      }
      const ack = wechatpayProvider.ack(ok, result.ok ? undefined : result.message);
      res.writeHead(ack.status, { 'Content-Type': ack.contentType });
      res.end(ack.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/payments/notify/wx-main`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let tradeSeq = 0;
const tradeNo = () => `SO${Date.now()}${String(++tradeSeq).padStart(4, '0')}`;

describe.each(['certificate', 'publicKey'] as const)(
  'WeChat Pay v3 adapter against the simulator (%s)',
  (kind) => {
    let sim: WechatPaySimulator;
    let settings: WechatPaySettings;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    const ctx = (
      over: Partial<ProviderContext<WechatPaySettings>> = {},
    ): ProviderContext<WechatPaySettings> => ({
      settings,
      baseUrl: sim.url,
      now: new Date(),
      fetch,
      notifyUrl: receiver.url,
      ...over,
    });
    const create = (no = tradeNo(), amount = 8000) =>
      wechatpayProvider.createPayment(ctx(), {
        merchantTradeNo: no,
        amount,
        currency: 'CNY',
        description: '测试商品 ×2',
        expiresAt: new Date(Date.now() + 30 * 60_000),
        mode: 'native',
        idempotencyKey: no,
      });

    beforeAll(async () => {
      sim = await startWechatPaySimulator({ platformKey: kind });
      settings = wechatpayProvider.parseSettings(sim.accountSettings);
      receiver = await startReceiver(() => settings);
    });
    afterAll(async () => {
      await sim?.close();
      await receiver?.close();
    });

    it('registers the account exactly as the simulator hands it out', () => {
      expect(settings.platformCertificates[0]!.serialNo.startsWith('PUB_KEY_ID_')).toBe(kind === 'publicKey');
      expect(settings.platformCertificates[0]!.pem).toContain(
        kind === 'certificate' ? 'BEGIN CERTIFICATE' : 'BEGIN PUBLIC KEY',
      );
    });

    it('native payment → pay → signed, encrypted TRANSACTION.SUCCESS verified; query agrees', async () => {
      const no = tradeNo();
      const created = await create(no);
      expect(created.client.codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
      // Same out_trade_no again: the same code (WeChat's idempotency).
      expect((await create(no)).client.codeUrl).toBe(created.client.codeUrl);
      const before = await wechatpayProvider.queryPayment(ctx(), { merchantTradeNo: no, providerRef: null });
      expect(before).toMatchObject({
        status: 'pending',
        providerStatus: 'NOTPAY',
        providerTxnId: null,
        amount: 8000,
      });

      const paid = sim.pay(created.client);
      await sim.idle();
      const got = receiver.received.filter((r) => r.result.ok && r.result.event.kind === 'payment');
      const mine = got.filter((r) => r.result.ok && (r.result.event as PaymentEvent).merchantTradeNo === no);
      expect(mine).toHaveLength(1);
      const r = mine[0]!.result;
      if (!r.ok) throw new Error('unreachable');
      expect(r.eventId).toBe(paid.notificationId);
      expect(r.event).toMatchObject({
        kind: 'payment',
        providerTxnId: paid.transactionId,
        status: 'succeeded',
        amount: 8000,
        currency: 'CNY',
        providerStatus: 'SUCCESS',
      });
      expect(Math.abs((r.sentAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);

      const after = await wechatpayProvider.queryPayment(ctx(), { merchantTradeNo: no, providerRef: null });
      expect(after).toMatchObject({ status: 'succeeded', providerTxnId: paid.transactionId, amount: 8000 });
      expect(
        await wechatpayProvider.queryPayment(ctx(), { merchantTradeNo: tradeNo(), providerRef: null }),
      ).toBeNull();
    });

    it('refund → PROCESSING, then a REFUND.SUCCESS notice; query agrees; over-refund refused', async () => {
      const no = tradeNo();
      const created = await create(no, 9900);
      const paid = sim.pay(created.client);
      await sim.idle();
      const refundNo = `RF${no.slice(2)}`;
      const refund = await wechatpayProvider.refund(ctx(), {
        merchantTradeNo: no,
        providerTxnId: paid.transactionId,
        providerRef: null,
        merchantRefundNo: refundNo,
        amount: 3000,
        total: 9900,
        currency: 'CNY',
        reason: '买家退货',
      });
      expect(refund).toMatchObject({
        kind: 'refund',
        merchantRefundNo: refundNo,
        status: 'processing',
        amount: 3000,
      });
      await sim.idle();
      const notice = receiver.received.find(
        (r) =>
          r.result.ok && r.result.event.kind === 'refund' && r.result.event.merchantRefundNo === refundNo,
      );
      expect(notice?.result.ok && notice.result.event).toMatchObject({
        status: 'succeeded',
        amount: 3000,
        merchantTradeNo: no,
        providerRefundId: refund.providerRefundId,
      });
      const q = await wechatpayProvider.queryRefund(ctx(), {
        merchantTradeNo: no,
        merchantRefundNo: refundNo,
        providerRefundId: refund.providerRefundId,
        currency: 'CNY',
      });
      expect(q).toMatchObject({ status: 'succeeded', amount: 3000 });
      expect(
        await wechatpayProvider.queryRefund(ctx(), {
          merchantTradeNo: no,
          merchantRefundNo: 'RF-NOPE-000001',
          providerRefundId: null,
          currency: 'CNY',
        }),
      ).toBeNull();
      const over = await wechatpayProvider
        .refund(ctx(), {
          merchantTradeNo: no,
          providerTxnId: null,
          providerRef: null,
          merchantRefundNo: `${refundNo}b`,
          amount: 7000,
          total: 9900,
          currency: 'CNY',
          reason: '',
        })
        .catch((e: unknown) => e);
      expect(over).toBeInstanceOf(ProviderError);
      expect(over).toMatchObject({ code: 'INVALID_REQUEST', retryable: false, httpStatus: 400 });
    });

    it('JSAPI: prepay parameters signed for the client with the merchant key; pay finds the trade by prepay_id', async () => {
      const no = tradeNo();
      const created = await wechatpayProvider.createPayment(ctx(), {
        merchantTradeNo: no,
        amount: 1,
        currency: 'CNY',
        description: 'JSAPI',
        expiresAt: new Date(Date.now() + 60_000),
        mode: 'jsapi',
        payerOpenId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
        idempotencyKey: no,
      });
      const c = created.client;
      expect(c).toMatchObject({ appId: settings.appId, signType: 'RSA' });
      expect(c.package).toMatch(/^prepay_id=/);
      const pub = createPublicKey(settings.merchantPrivateKey);
      const msg = `${c.appId}\n${c.timeStamp}\n${c.nonceStr}\n${c.package}\n`;
      expect(verify('sha256', Buffer.from(msg), pub, Buffer.from(c.paySign!, 'base64'))).toBe(true);
      sim.pay(c);
      expect(sim.trade(no)).toMatchObject({ trade_state: 'SUCCESS', trade_type: 'JSAPI' });
      await sim.idle();
    });

    it('5xx and timeouts are retryable; our bad signature is refused with SIGN_ERROR; a forged answer is not believed', async () => {
      sim.faults.apiError = 1;
      const e5 = await wechatpayProvider
        .queryPayment(ctx(), { merchantTradeNo: tradeNo(), providerRef: null })
        .catch((e) => e);
      expect(e5).toBeInstanceOf(ProviderError);
      expect(e5).toMatchObject({ retryable: true, httpStatus: 500, code: 'SYSTEM_ERROR' });

      sim.faults.apiTimeout = 1;
      const slow = { ...settings, requestTimeoutMs: 300 };
      const et = await wechatpayProvider
        .queryPayment(ctx({ settings: slow }), { merchantTradeNo: tradeNo(), providerRef: null })
        .catch((e) => e);
      expect(et).toMatchObject({ code: 'TIMEOUT', retryable: true });

      const otherKey = rsa().privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      for (const wrong of [
        { ...settings, merchantPrivateKey: otherKey },
        { ...settings, merchantSerialNo: 'ABCDEF0123456789' },
      ]) {
        const err = await wechatpayProvider
          .createPayment(ctx({ settings: wrong }), {
            merchantTradeNo: tradeNo(),
            amount: 100,
            currency: 'CNY',
            description: 'x',
            expiresAt: new Date(Date.now() + 60_000),
            idempotencyKey: 'k',
          })
          .catch((e) => e);
        expect(err).toBeInstanceOf(ProviderError);
        expect(err).toMatchObject({ code: 'SIGN_ERROR', retryable: false, httpStatus: 401 });
      }
      const refused = sim.requests().filter((r) => r.status === 401);
      expect(refused.length).toBeGreaterThanOrEqual(2);

      // Answers the account's keys do not verify (another key under its serial, or an unlisted serial) are refused.
      const impostor = rsa();
      const forged: WechatPaySettings =
        kind === 'publicKey'
          ? {
              ...settings,
              platformCertificates: [
                {
                  serialNo: settings.platformCertificates[0]!.serialNo,
                  pem: impostor.publicKey.export({ type: 'spki', format: 'pem' }) as string,
                },
              ],
            }
          : {
              ...settings,
              platformCertificates: [
                {
                  serialNo: 'PUB_KEY_ID_9',
                  pem: impostor.publicKey.export({ type: 'spki', format: 'pem' }) as string,
                },
              ],
            };
      const ef = await wechatpayProvider
        .queryPayment(ctx({ settings: forged }), { merchantTradeNo: tradeNo(), providerRef: null })
        .catch((e) => e);
      // "No such trade" is believed only when signed, too.
      expect(ef).toBeInstanceOf(ProviderError);
      const ec = await wechatpayProvider
        .createPayment(ctx({ settings: forged }), {
          merchantTradeNo: tradeNo(),
          amount: 100,
          currency: 'CNY',
          description: 'x',
          expiresAt: new Date(Date.now() + 60_000),
          idempotencyKey: 'k',
        })
        .catch((e) => e);
      expect(ec).toBeInstanceOf(ProviderError);
      expect(ec.code).toBe(kind === 'publicKey' ? 'RESPONSE_SIGNATURE_INVALID' : 'SERIAL_UNKNOWN');
      expect(ec.retryable).toBe(false);
    });

    it('by default takes calls stamped by a clock 18 minutes slow (the skew is ours to record, not to fail on)', async () => {
      const no = tradeNo();
      const slow = ctx({ now: new Date(Date.now() - 18 * 60_000) });
      await wechatpayProvider.createPayment(slow, {
        merchantTradeNo: no,
        amount: 100,
        currency: 'CNY',
        description: 'x',
        expiresAt: new Date(Date.now() + 60_000),
        idempotencyKey: no,
      });
      expect(
        await wechatpayProvider.queryPayment(slow, { merchantTradeNo: no, providerRef: null }),
      ).toMatchObject({
        status: 'pending',
      });
    });

    it('GET /v3/certificates hands out the platform certificate, encrypted with the API v3 key', async () => {
      const ts = String(Math.floor(Date.now() / 1000));
      const nonce = 'N0nceN0nceN0nceN0nceN0nceN0nce12';
      const key = createPrivateKey(settings.merchantPrivateKey);
      const signature = sign(
        'sha256',
        Buffer.from(requestSigningString('GET', '/v3/certificates', ts, nonce, '')),
        key,
      );
      const res = await fetch(`${sim.url}/v3/certificates`, {
        headers: {
          Accept: 'application/json',
          Authorization: authorizationHeader({
            mchid: settings.mchId,
            nonce_str: nonce,
            timestamp: ts,
            serial_no: settings.merchantSerialNo,
            signature: signature.toString('base64'),
          }),
        },
      });
      if (kind === 'publicKey') {
        expect(res.status).toBe(404);
        return;
      }
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        data: {
          serial_no: string;
          encrypt_certificate: { nonce: string; associated_data: string; ciphertext: string };
        }[];
      };
      const [entry] = body.data;
      expect(entry?.serial_no).toBe(settings.platformCertificates[0]!.serialNo);
      const e = entry!.encrypt_certificate;
      expect(decryptResource(settings.apiV3Key, e.nonce, e.associated_data, e.ciphertext).trim()).toBe(
        settings.platformCertificates[0]!.pem,
      );
    });

    it('non-CNY and JSAPI without openid are refused before any call', async () => {
      const n = sim.requests().length;
      await expect(
        wechatpayProvider.createPayment(ctx(), {
          merchantTradeNo: tradeNo(),
          amount: 100,
          currency: 'USD',
          description: 'x',
          expiresAt: new Date(),
          idempotencyKey: 'k',
        }),
      ).rejects.toMatchObject({ code: 'CURRENCY_UNSUPPORTED', retryable: false });
      await expect(
        wechatpayProvider.createPayment(ctx(), {
          merchantTradeNo: tradeNo(),
          amount: 100,
          currency: 'CNY',
          description: 'x',
          expiresAt: new Date(),
          mode: 'jsapi',
          idempotencyKey: 'k',
        }),
      ).rejects.toMatchObject({ retryable: false });
      expect(sim.requests().length).toBe(n);
    });
  },
);

describe('WeChat Pay simulator: deliveries and faults', () => {
  let sim: WechatPaySimulator;
  let settings: WechatPaySettings;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const ctx = (): ProviderContext<WechatPaySettings> => ({
    settings,
    baseUrl: sim.url,
    now: new Date(),
    fetch,
    notifyUrl: receiver.url,
  });
  const createAndPay = async (opts?: { amount?: number }) => {
    const no = tradeNo();
    const created = await wechatpayProvider.createPayment(ctx(), {
      merchantTradeNo: no,
      amount: 8000,
      currency: 'CNY',
      description: 'x',
      expiresAt: new Date(Date.now() + 60_000),
      idempotencyKey: no,
    });
    return { no, paid: sim.pay(created.client, opts) };
  };
  const resultsFor = (no: string) =>
    receiver.received.filter((r) => {
      const res = r.result;
      if (!res.ok) return false;
      return res.event.kind !== 'ignored' && res.event.merchantTradeNo === no;
    });

  beforeAll(async () => {
    sim = await startWechatPaySimulator({ retryScheduleMs: [5, 5, 5, 5, 5], authTimestampToleranceS: 300 });
    settings = wechatpayProvider.parseSettings(sim.accountSettings);
    receiver = await startReceiver(() => settings, 0);
  });
  afterAll(async () => {
    await sim?.close();
    await receiver?.close();
  });

  it('retries on non-2xx on its schedule until acknowledged', async () => {
    const failing = await startReceiver(() => settings, 2);
    const no = tradeNo();
    const created = await wechatpayProvider.createPayment(
      { ...ctx(), notifyUrl: failing.url },
      {
        merchantTradeNo: no,
        amount: 500,
        currency: 'CNY',
        description: 'x',
        expiresAt: new Date(Date.now() + 60_000),
        idempotencyKey: no,
      },
    );
    const paid = sim.pay(created.client);
    await sim.idle();
    const d = sim.deliveries().find((x) => x.id === paid.notificationId)!;
    expect(d.state).toBe('delivered');
    expect(d.attempts.map((a) => a.status)).toEqual([400, 400, 200]);
    expect(new Set(failing.received.map((r) => r.result.ok && r.result.eventId))).toEqual(
      new Set([paid.notificationId]),
    );
    await failing.close();
  });

  it('gives up after the schedule when never acknowledged', async () => {
    const failing = await startReceiver(() => settings, 1000);
    const no = tradeNo();
    const created = await wechatpayProvider.createPayment(
      { ...ctx(), notifyUrl: failing.url },
      {
        merchantTradeNo: no,
        amount: 500,
        currency: 'CNY',
        description: 'x',
        expiresAt: new Date(Date.now() + 60_000),
        idempotencyKey: no,
      },
    );
    const paid = sim.pay(created.client);
    await sim.idle();
    const d = sim.deliveries().find((x) => x.id === paid.notificationId)!;
    expect(d.state).toBe('exhausted');
    expect(d.attempts).toHaveLength(6);
    await failing.close();
  });

  it('lost callbacks are never sent; the query still finds the payment', async () => {
    sim.faults.lose = 1;
    const { no, paid } = await createAndPay();
    await sim.idle();
    expect(paid.notificationId).toBeNull();
    expect(resultsFor(no)).toHaveLength(0);
    const q = await wechatpayProvider.queryPayment(ctx(), { merchantTradeNo: no, providerRef: null });
    expect(q).toMatchObject({ status: 'succeeded', providerTxnId: paid.transactionId });
  });

  it('duplicates carry the same notification id', async () => {
    sim.faults.duplicate = 1;
    sim.faults.duplicateCopies = 3;
    const { no, paid } = await createAndPay();
    await sim.idle();
    const got = resultsFor(no);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.result.ok && r.result.eventId))).toEqual(new Set([paid.notificationId]));
    // Each copy is signed on its own.
    expect(new Set(got.map((r) => r.raw.headers['wechatpay-nonce'])).size).toBe(3);
  });

  it('reorder: the refund notice arrives before the payment notice', async () => {
    sim.faults.reorder = true;
    const { no, paid } = await createAndPay();
    await sim.idle();
    expect(resultsFor(no)).toHaveLength(0);
    await wechatpayProvider.refund(ctx(), {
      merchantTradeNo: no,
      providerTxnId: paid.transactionId,
      providerRef: null,
      merchantRefundNo: `RF${no}`.slice(0, 32),
      amount: 8000,
      total: 8000,
      currency: 'CNY',
      reason: 'x',
    });
    await sim.idle();
    sim.faults.reorder = false;
    const kinds = resultsFor(no).map((r) => r.result.ok && r.result.event.kind);
    expect(kinds).toEqual(['refund', 'payment']);
  });

  it('tampered body, tampered ciphertext, wrong serial and SIGNTEST are refused, then the clean retry is accepted', async () => {
    const cases = [
      ['tamperBody', 'SIGNATURE_INVALID'],
      ['tamperCiphertext', 'DECRYPT_FAILED'],
      ['wrongSerial', 'SERIAL_UNKNOWN'],
      ['signtest', 'SIGNTEST_PROBE'],
    ] as const;
    for (const [fault, reason] of cases) {
      const start = receiver.received.length;
      sim.faults[fault] = 1;
      const { paid } = await createAndPay();
      await sim.idle();
      const seen = receiver.received.slice(start);
      expect(seen[0] && !seen[0].result.ok && seen[0].result.reason).toBe(reason);
      const d = sim.deliveries().find((x) => x.id === paid.notificationId)!;
      if (fault === 'tamperCiphertext') {
        // The ciphertext itself is broken: every retry is refused the same way and the query heals it.
        expect(d.state).toBe('exhausted');
        expect(seen.every((r) => !r.result.ok && r.result.reason === 'DECRYPT_FAILED')).toBe(true);
      } else {
        expect(d.state).toBe('delivered');
        expect(seen.at(-1)?.result.ok).toBe(true);
      }
    }
  });

  it('manual refunds: PROCESSING on query until settled; ABNORMAL arrives as a failed refund', async () => {
    sim.controls.refunds = 'manual';
    const { no, paid } = await createAndPay();
    await sim.idle();
    const rn = `RM${no}`.slice(0, 32);
    const input = { merchantTradeNo: no, merchantRefundNo: rn, providerRefundId: null, currency: 'CNY' };
    const first = await wechatpayProvider.refund(ctx(), {
      merchantTradeNo: no,
      providerTxnId: paid.transactionId,
      providerRef: null,
      merchantRefundNo: rn,
      amount: 2000,
      total: 8000,
      currency: 'CNY',
      reason: '',
    });
    // Asking again with the same refund number is the same refund.
    const again = await wechatpayProvider.refund(ctx(), {
      merchantTradeNo: no,
      providerTxnId: null,
      providerRef: null,
      merchantRefundNo: rn,
      amount: 2000,
      total: 8000,
      currency: 'CNY',
      reason: '',
    });
    expect(again.providerRefundId).toBe(first.providerRefundId);
    await sim.idle();
    expect(await wechatpayProvider.queryRefund(ctx(), input)).toMatchObject({ status: 'processing' });
    sim.settleRefund(rn, 'ABNORMAL');
    await sim.idle();
    sim.controls.refunds = 'auto';
    const notice = resultsFor(no).find((r) => r.result.ok && r.result.event.kind === 'refund');
    expect(notice?.result.ok && notice.result.event).toMatchObject({
      status: 'failed',
      providerStatus: 'ABNORMAL',
    });
    expect(await wechatpayProvider.queryRefund(ctx(), input)).toMatchObject({ status: 'failed' });
  });

  it('with a timestamp tolerance set, refuses our calls when our clock is far off', async () => {
    const err = await wechatpayProvider
      .queryPayment(
        { ...ctx(), now: new Date(Date.now() - 18 * 60_000) },
        { merchantTradeNo: tradeNo(), providerRef: null },
      )
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'SIGN_ERROR', retryable: false, httpStatus: 401 });
  });

  it('a probe is answered with a failure', async () => {
    const status = await sim.probe(receiver.url);
    expect(status).toBe(400);
    expect(receiver.received.at(-1)?.result).toMatchObject({ ok: false, reason: 'SIGNTEST_PROBE' });
  });

  it('a clock skewed by ±30 minutes is recorded, not refused', async () => {
    for (const skew of [30 * 60_000, -30 * 60_000]) {
      sim.faults.clockSkewMs = skew;
      const { no } = await createAndPay();
      await sim.idle();
      const [r] = resultsFor(no);
      expect(r?.result.ok).toBe(true);
      if (!r?.result.ok) continue;
      expect(Math.abs(r.result.sentAt!.getTime() - (Date.now() + skew))).toBeLessThan(60_000);
      const ev = r.result.event as PaymentEvent;
      expect(Math.abs(ev.providerTime!.getTime() - (Date.now() + skew))).toBeLessThan(60_000);
    }
    sim.faults.clockSkewMs = 0;
  });

  it('pays another amount on request (for mismatch handling)', async () => {
    const { no } = await createAndPay({ amount: 16000 });
    await sim.idle();
    const [r] = resultsFor(no);
    expect(r?.result.ok && r.result.event).toMatchObject({ amount: 16000 });
  });

  it('on the real schedule, close() stops waiting retries at once, also one after an answer it was still waiting for', async () => {
    const real = await startWechatPaySimulator({ retryScheduleMs: WECHATPAY_RETRY_SCHEDULE_MS });
    const s = wechatpayProvider.parseSettings(real.accountSettings);
    let answer!: () => void;
    const failing = await startReceiver(
      () => s,
      1000,
      new Promise<void>((r) => {
        answer = r;
      }),
    );
    const no = tradeNo();
    const created = await wechatpayProvider.createPayment(
      { settings: s, baseUrl: real.url, now: new Date(), fetch, notifyUrl: failing.url },
      {
        merchantTradeNo: no,
        amount: 100,
        currency: 'CNY',
        description: 'x',
        expiresAt: new Date(Date.now() + 60_000),
        idempotencyKey: no,
      },
    );
    real.pay(created.client);
    for (let i = 0; i < 200 && failing.received.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(failing.received).toHaveLength(1);
    const started = Date.now();
    // Closed while the first delivery waits for its (failing) answer: the 15 s wait before the
    // retry starts after close() and must not be waited out.
    const closing = real.close();
    answer();
    await closing;
    await real.idle();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(real.deliveries()[0]?.attempts).toHaveLength(1);
    await failing.close();
  });

  it('refuses a request without Authorization, with SIGN_ERROR', async () => {
    const res = await fetch(`${sim.url}/v3/pay/transactions/out-trade-no/SO1?mchid=${settings.mchId}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'SIGN_ERROR' });
  });
});
