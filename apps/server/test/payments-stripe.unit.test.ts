import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type StripeSimulator, startStripeSimulator } from '@orderhub/simulators';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ProviderContext,
  ProviderError,
  type RawCallback,
  type VerifyResult,
} from '../src/modules/payments/provider.ts';
import {
  fromStripeAmount,
  type StripeSettings,
  stripeProvider,
  stripeSignatureHeader,
  toStripeAmount,
} from '../src/modules/payments/providers/stripe.ts';

// The Stripe entry of the protocol digest's vectors.json (fake secret, fixed timestamp).
const vectors = {
  stripe: {
    payload:
      '{"id":"evt_fake_1","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_fake_1","object":"payment_intent","amount":2000,"currency":"usd","status":"succeeded","metadata":{"order_id":"SO-1001"}}}}',
    signed_payload_prefix: '1718000000.',
    header: 't=1718000000,v1=d63e6434e79ce84f6e5e0b7124606040f6099fb508b8c2216390c969970f0535',
  },
};

const sdk = new Stripe('sk_test_unused');
const SECRET = 'whsec_fake_0123456789abcdef';
const settings: StripeSettings = { secretKey: 'sk_test_unit', webhookSecret: SECRET };
const WINDOW = { replayWindowSeconds: 300 };

function raw(body: string | Buffer, header: string | undefined): RawCallback {
  return {
    headers: { 'stripe-signature': header },
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  };
}

function at(unix: number): Date {
  return new Date(unix * 1000);
}

function event(type: string, object: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      id: `evt_${type.replace(/\W/g, '_')}`,
      object: 'event',
      type,
      created: 1718000000,
      data: { object },
      ...extra,
    },
    null,
    2,
  );
}

function expectRefused(r: VerifyResult, reason: string) {
  expect(r.ok).toBe(false);
  if (!r.ok) expect(r.reason).toBe(reason);
}

const succeededPi = {
  id: 'pi_unit_1',
  object: 'payment_intent',
  amount: 2000,
  amount_received: 2000,
  currency: 'usd',
  status: 'succeeded',
  metadata: { orderhub_trade_no: 'PAY-1001' },
};

describe('Stripe webhook signature', () => {
  it('reproduces the digest vector byte for byte and accepts it', () => {
    const v = vectors.stripe;
    const t = Number(v.signed_payload_prefix.slice(0, -1));
    expect(stripeSignatureHeader(SECRET, t, v.payload)).toBe(v.header);
    const r = stripeProvider.verifyCallback(raw(v.payload, v.header), settings, {
      now: at(t + 5),
      ...WINDOW,
    });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.eventId).toBe('evt_fake_1');
      expect(r.sentAt?.toISOString()).toBe(at(t).toISOString());
      // The vector's intent carries no orderhub trade number: genuine, but not ours.
      expect(r.event.kind).toBe('ignored');
    }
  });

  it("accepts a header signed by Stripe's own test helper and maps the PaymentIntent", () => {
    const payload = event('payment_intent.succeeded', succeededPi);
    const header = sdk.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: 1718000100 });
    const r = stripeProvider.verifyCallback(raw(payload, header), settings, {
      now: at(1718000130),
      ...WINDOW,
    });
    expect(r.ok && r.event).toEqual({
      kind: 'payment',
      providerTxnId: 'pi_unit_1',
      merchantTradeNo: 'PAY-1001',
      status: 'succeeded',
      amount: 2000,
      currency: 'USD',
      fee: null,
      providerTime: at(1718000000),
      providerStatus: 'succeeded',
    });
  });

  it('accepts any matching v1 during secret rotation and ignores v0', () => {
    const payload = event('payment_intent.succeeded', succeededPi);
    const good = stripeSignatureHeader(SECRET, 1718000000, payload).split(',')[1];
    const other = stripeSignatureHeader('whsec_old_secret', 1718000000, payload).split(',')[1];
    const header = `t=1718000000,v1=${other?.slice(3)},${good},v0=deadbeef`;
    expect(
      stripeProvider.verifyCallback(raw(payload, header), settings, { now: at(1718000001), ...WINDOW }).ok,
    ).toBe(true);
  });

  it('refuses wrong secrets, tampered bodies, missing or malformed headers', () => {
    const payload = event('payment_intent.succeeded', succeededPi);
    const now = { now: at(1718000001), ...WINDOW };
    const header = stripeSignatureHeader(SECRET, 1718000000, payload);
    expectRefused(
      stripeProvider.verifyCallback(
        raw(payload, stripeSignatureHeader('whsec_other', 1718000000, payload)),
        settings,
        now,
      ),
      'SIGNATURE_INVALID',
    );
    expectRefused(
      stripeProvider.verifyCallback(
        raw(
          payload
            .replace('2000,\n  "currency"', '4000,\n  "currency"')
            .replace(/"amount_received": 2000/, '"amount_received": 4000'),
          header,
        ),
        settings,
        now,
      ),
      'SIGNATURE_INVALID',
    );
    // Re-serialised JSON is a different byte string: the signature is over the raw body.
    expectRefused(
      stripeProvider.verifyCallback(raw(JSON.stringify(JSON.parse(payload)), header), settings, now),
      'SIGNATURE_INVALID',
    );
    expectRefused(stripeProvider.verifyCallback(raw(payload, undefined), settings, now), 'SIGNATURE_INVALID');
    expectRefused(stripeProvider.verifyCallback(raw(payload, 'v1=abc'), settings, now), 'SIGNATURE_INVALID');
    expectRefused(
      stripeProvider.verifyCallback(raw(payload, 't=1718000000'), settings, now),
      'SIGNATURE_INVALID',
    );
    // A secret stored with a trailing newline is a different key.
    expectRefused(
      stripeProvider.verifyCallback(raw(payload, header), { ...settings, webhookSecret: `${SECRET}\n` }, now),
      'SIGNATURE_INVALID',
    );
    // The timestamp is signed too: moving t breaks the signature.
    expectRefused(
      stripeProvider.verifyCallback(
        raw(payload, header.replace('t=1718000000', 't=1718000200')),
        settings,
        now,
      ),
      'SIGNATURE_INVALID',
    );
  });

  it('the replay window is the only clock check: old refused, future accepted', () => {
    const payload = event('payment_intent.succeeded', succeededPi);
    const header = stripeSignatureHeader(SECRET, 1718000000, payload);
    expect(
      stripeProvider.verifyCallback(raw(payload, header), settings, { now: at(1718000300), ...WINDOW }).ok,
    ).toBe(true);
    expectRefused(
      stripeProvider.verifyCallback(raw(payload, header), settings, { now: at(1718000301), ...WINDOW }),
      'REPLAY_WINDOW',
    );
    // Our clock 30 minutes slow (the event looks like it comes from the future): accepted.
    expect(
      stripeProvider.verifyCallback(raw(payload, header), settings, { now: at(1718000000 - 1800), ...WINDOW })
        .ok,
    ).toBe(true);
    // The window is a setting.
    expect(
      stripeProvider.verifyCallback(raw(payload, header), settings, {
        now: at(1718003000),
        replayWindowSeconds: 3600,
      }).ok,
    ).toBe(true);
    // A forged signature is reported as such, not as stale.
    expectRefused(
      stripeProvider.verifyCallback(
        raw(payload, stripeSignatureHeader('whsec_x', 1718000000, payload)),
        settings,
        { now: at(1718009000), ...WINDOW },
      ),
      'SIGNATURE_INVALID',
    );
  });

  it('a signed body that is not a Stripe event is MALFORMED', () => {
    const now = { now: at(1718000001), ...WINDOW };
    for (const body of ['not json', '[]', '{"object":"event"}']) {
      expectRefused(
        stripeProvider.verifyCallback(
          raw(body, stripeSignatureHeader(SECRET, 1718000000, body)),
          settings,
          now,
        ),
        'MALFORMED',
      );
    }
    const bad = event('payment_intent.succeeded', { ...succeededPi, amount_received: 12.5 });
    expectRefused(
      stripeProvider.verifyCallback(raw(bad, stripeSignatureHeader(SECRET, 1718000000, bad)), settings, now),
      'MALFORMED',
    );
  });
});

describe('Stripe events → payment and refund events', () => {
  const now = { now: at(1718000001), ...WINDOW };
  function verify(body: string) {
    const r = stripeProvider.verifyCallback(
      raw(body, stripeSignatureHeader(SECRET, 1718000000, body)),
      settings,
      now,
    );
    if (!r.ok) throw new Error(r.message);
    return r.event;
  }

  it('maps the PaymentIntent event types', () => {
    expect(
      verify(
        event('payment_intent.processing', { ...succeededPi, status: 'processing', amount_received: 0 }),
      ),
    ).toMatchObject({
      status: 'pending',
      amount: 2000,
    });
    expect(
      verify(
        event('payment_intent.payment_failed', {
          ...succeededPi,
          status: 'requires_payment_method',
          amount_received: 0,
        }),
      ),
    ).toMatchObject({ status: 'failed', providerStatus: 'requires_payment_method' });
    expect(
      verify(event('payment_intent.canceled', { ...succeededPi, status: 'canceled', amount_received: 0 })),
    ).toMatchObject({
      status: 'closed',
    });
    expect(
      verify(event('payment_intent.created', { ...succeededPi, status: 'requires_payment_method' })),
    ).toMatchObject({
      kind: 'ignored',
    });
    expect(verify(event('payout.paid', { id: 'po_1', object: 'payout' }))).toMatchObject({ kind: 'ignored' });
  });

  it('counts amounts in ISO minor units, zero-decimal currencies included', () => {
    expect(
      verify(
        event('payment_intent.succeeded', {
          ...succeededPi,
          currency: 'jpy',
          amount: 5000,
          amount_received: 5000,
        }),
      ),
    ).toMatchObject({
      amount: 5000,
      currency: 'JPY',
    });
    // Stripe counts ISK as two-decimal (always …00); ISO has no minor unit.
    expect(
      verify(
        event('payment_intent.succeeded', {
          ...succeededPi,
          currency: 'isk',
          amount: 50000,
          amount_received: 50000,
        }),
      ),
    ).toMatchObject({
      amount: 500,
      currency: 'ISK',
    });
    expect(
      verify(
        event('payment_intent.succeeded', {
          ...succeededPi,
          currency: 'kwd',
          amount: 1230,
          amount_received: 1230,
        }),
      ),
    ).toMatchObject({
      amount: 1230,
      currency: 'KWD',
    });
    expect(toStripeAmount(500, 'ISK')).toBe(50000);
    expect(toStripeAmount(5000, 'JPY')).toBe(5000);
    expect(toStripeAmount(1999, 'USD')).toBe(1999);
    expect(fromStripeAmount(50050, 'ISK')).toBeNull();
    expect(toStripeAmount(100, 'XXY')).toBeNull();
  });

  it('maps refunds from refund.* and charge.refunded', () => {
    const re = {
      id: 're_1',
      object: 'refund',
      amount: 500,
      currency: 'usd',
      status: 'succeeded',
      payment_intent: 'pi_unit_1',
      created: 1718000050,
      metadata: { orderhub_refund_no: 'RF-1', orderhub_trade_no: 'PAY-1001' },
    };
    const expected = {
      kind: 'refund',
      providerRefundId: 're_1',
      merchantRefundNo: 'RF-1',
      merchantTradeNo: 'PAY-1001',
      status: 'succeeded',
      amount: 500,
      currency: 'USD',
      providerTime: at(1718000050),
      providerStatus: 'succeeded',
    };
    expect(verify(event('refund.updated', re))).toEqual(expected);
    expect(verify(event('refund.created', { ...re, status: 'pending' }))).toMatchObject({
      status: 'processing',
    });
    expect(verify(event('refund.updated', { ...re, status: 'failed' }))).toMatchObject({ status: 'failed' });
    const charge = {
      id: 'ch_1',
      object: 'charge',
      currency: 'usd',
      metadata: { orderhub_trade_no: 'PAY-1001' },
      refunds: {
        object: 'list',
        data: [{ ...re, id: 're_0', created: 1718000010, metadata: { orderhub_refund_no: 'RF-0' } }, re],
      },
    };
    expect(verify(event('charge.refunded', charge))).toEqual(expected);
    expect(verify(event('charge.refunded', { ...charge, refunds: undefined }))).toMatchObject({
      kind: 'ignored',
    });
    expect(verify(event('refund.updated', { ...re, metadata: {} }))).toMatchObject({ kind: 'ignored' });
  });
});

describe('Stripe settings and ack', () => {
  it('checks the keys and keeps them exactly', () => {
    expect(stripeProvider.parseSettings({ secretKey: 'sk_live_abc123', webhookSecret: 'whsec_abc' })).toEqual(
      {
        secretKey: 'sk_live_abc123',
        webhookSecret: 'whsec_abc',
      },
    );
    expect(() =>
      stripeProvider.parseSettings({ secretKey: 'pk_live_abc', webhookSecret: 'whsec_abc' }),
    ).toThrow(/secretKey/);
    expect(() =>
      stripeProvider.parseSettings({ secretKey: 'sk_live_abc', webhookSecret: 'whsec_abc\n' }),
    ).toThrow(/webhookSecret/);
    expect(() => stripeProvider.parseSettings({ secretKey: 'sk_live_abc' })).toThrow(/webhookSecret/);
    try {
      stripeProvider.parseSettings({ secretKey: 'sk_live_abc', webhookSecret: 'abc' });
    } catch (err) {
      expect((err as { field: string }).field).toBe('webhookSecret');
    }
  });

  it('answers 2xx on success and 400 on refusal', () => {
    expect(stripeProvider.ack(true).status).toBe(200);
    expect(stripeProvider.ack(false, 'bad signature')).toMatchObject({
      status: 400,
      contentType: 'application/json',
    });
  });
});

describe('Stripe adapter against the simulator', () => {
  let sim: StripeSimulator;
  let receiver: Server;
  let receiverUrl = '';
  const received: Array<{ raw: RawCallback; result: VerifyResult }> = [];
  /** The receiver answers these statuses first (then 200), to exercise the retries. */
  const failFirst: number[] = [];

  function ctx(over: Partial<ProviderContext<StripeSettings>> = {}): ProviderContext<StripeSettings> {
    return {
      settings: sim.accountSettings,
      baseUrl: sim.url,
      now: new Date(),
      fetch,
      notifyUrl: receiverUrl,
      ...over,
    };
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === 'string') headers[k.toLowerCase()] = v;
        const cb: RawCallback = { headers, body: Buffer.concat(chunks) };
        const result = stripeProvider.verifyCallback(cb, sim.accountSettings, {
          now: new Date(),
          replayWindowSeconds: 300,
        });
        received.push({ raw: cb, result });
        const forced = failFirst.shift();
        const ack = forced
          ? { status: forced, contentType: 'text/plain', body: 'busy' }
          : stripeProvider.ack(result.ok);
        res.writeHead(ack.status, { 'content-type': ack.contentType });
        res.end(ack.body);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/payments/notify/stripe-main`;
    sim = await startStripeSimulator({ webhookUrl: receiverUrl, retryScheduleMs: [20, 50, 100] });
  });

  afterAll(async () => {
    await sim?.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  function payments(tradeNo: string) {
    return received.filter(
      (d) => d.result.ok && d.result.event.kind === 'payment' && d.result.event.merchantTradeNo === tradeNo,
    );
  }

  async function create(tradeNo: string, amount = 2599, currency = 'USD') {
    return stripeProvider.createPayment(ctx(), {
      merchantTradeNo: tradeNo,
      amount,
      currency,
      description: `Order ${tradeNo}`,
      expiresAt: new Date(Date.now() + 3_600_000),
      idempotencyKey: `create-${tradeNo}`,
    });
  }

  it('creates a PaymentIntent, the buyer pays, the signed webhook verifies (ours and the SDK), the query agrees', async () => {
    const created = await create('PAY-SIM-1');
    expect(created.providerRef).toMatch(/^pi_/);
    expect(created.client['clientSecret']).toMatch(new RegExp(`^${created.providerRef}_secret_`));
    const before = await stripeProvider.queryPayment(ctx(), {
      merchantTradeNo: 'PAY-SIM-1',
      providerRef: created.providerRef,
    });
    expect(before).toMatchObject({
      status: 'pending',
      amount: 2599,
      providerStatus: 'requires_payment_method',
    });

    sim.pay(created.client);
    await sim.idle();
    const [got] = payments('PAY-SIM-1');
    expect(got?.result).toMatchObject({
      ok: true,
      event: {
        kind: 'payment',
        status: 'succeeded',
        amount: 2599,
        currency: 'USD',
        providerTxnId: created.providerRef,
      },
    });
    // The SDK's constructEvent accepts what the simulator signed.
    const sdkEvent = sdk.webhooks.constructEvent(
      got?.raw.body as Buffer,
      got?.raw.headers['stripe-signature'] as string,
      sim.accountSettings.webhookSecret,
    );
    expect(sdkEvent.type).toBe('payment_intent.succeeded');
    // payment_intent.created and charge.succeeded are genuine but carry no money for us.
    expect(received.some((d) => d.result.ok && d.result.event.kind === 'ignored')).toBe(true);

    const byRef = await stripeProvider.queryPayment(ctx(), {
      merchantTradeNo: 'PAY-SIM-1',
      providerRef: created.providerRef,
    });
    const bySearch = await stripeProvider.queryPayment(ctx(), {
      merchantTradeNo: 'PAY-SIM-1',
      providerRef: null,
    });
    expect(byRef).toMatchObject({ status: 'succeeded', amount: 2599, providerTxnId: created.providerRef });
    expect(bySearch).toEqual(byRef);
    expect(
      await stripeProvider.queryPayment(ctx(), { merchantTradeNo: 'PAY-NEVER', providerRef: null }),
    ).toBeNull();
    expect(
      await stripeProvider.queryPayment(ctx(), {
        merchantTradeNo: 'PAY-NEVER',
        providerRef: 'pi_doesnotexist',
      }),
    ).toBeNull();
    await expect(
      stripeProvider.queryPayment(ctx(), { merchantTradeNo: 'PAY-OTHER', providerRef: created.providerRef }),
    ).rejects.toMatchObject({ code: 'TRADE_MISMATCH', retryable: false });
  });

  it('zero-decimal currencies go to Stripe in whole units', async () => {
    const created = await create('PAY-SIM-JPY', 4500, 'JPY');
    expect(sim.paymentIntent(created.providerRef as string)).toMatchObject({ amount: 4500, currency: 'jpy' });
    const isk = await create('PAY-SIM-ISK', 990, 'ISK');
    expect(sim.paymentIntent(isk.providerRef as string)).toMatchObject({ amount: 99000, currency: 'isk' });
    const q = await stripeProvider.queryPayment(ctx(), {
      merchantTradeNo: 'PAY-SIM-ISK',
      providerRef: isk.providerRef,
    });
    expect(q).toMatchObject({ amount: 990, currency: 'ISK' });
  });

  it('Idempotency-Key: the same request replays the same PaymentIntent; different parameters are refused', async () => {
    const a = await create('PAY-SIM-IDEM', 1000);
    const b = await create('PAY-SIM-IDEM', 1000);
    expect(b).toEqual(a);
    const err = await create('PAY-SIM-IDEM', 1200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'idempotency_error', retryable: false, httpStatus: 400 });
  });

  it('refunds, follows the refund by id and by number, and refuses more than was paid', async () => {
    const created = await create('PAY-SIM-RF', 3000);
    sim.pay(created.client);
    await sim.idle();
    const input = {
      merchantTradeNo: 'PAY-SIM-RF',
      providerTxnId: created.providerRef,
      providerRef: created.providerRef,
      merchantRefundNo: 'RF-SIM-1',
      amount: 1000,
      total: 3000,
      currency: 'USD',
      reason: 'damaged on arrival',
    };
    const refund = await stripeProvider.refund(ctx(), input);
    expect(refund).toMatchObject({
      kind: 'refund',
      merchantRefundNo: 'RF-SIM-1',
      merchantTradeNo: 'PAY-SIM-RF',
      status: 'succeeded',
      amount: 1000,
      currency: 'USD',
    });
    // The refund number is the Idempotency-Key: asking again gives the same refund, not a second one.
    expect(await stripeProvider.refund(ctx(), input)).toEqual(refund);
    await sim.idle();
    const refundEvents = received.filter((d) => d.result.ok && d.result.event.kind === 'refund');
    expect(
      refundEvents.map(
        (d) => d.result.ok && d.result.event.kind === 'refund' && d.result.event.providerRefundId,
      ),
    ).toContain(refund.providerRefundId);
    const q = { merchantTradeNo: 'PAY-SIM-RF', merchantRefundNo: 'RF-SIM-1', currency: 'USD' };
    expect(
      await stripeProvider.queryRefund(ctx(), { ...q, providerRefundId: refund.providerRefundId }),
    ).toEqual(refund);
    expect(await stripeProvider.queryRefund(ctx(), { ...q, providerRefundId: null })).toEqual(refund);
    expect(
      await stripeProvider.queryRefund(ctx(), { ...q, merchantRefundNo: 'RF-NONE', providerRefundId: null }),
    ).toBeNull();

    const tooMuch = await stripeProvider
      .refund(ctx(), { ...input, merchantRefundNo: 'RF-SIM-2', amount: 2500 })
      .catch((e: unknown) => e);
    expect(tooMuch).toMatchObject({ code: 'amount_too_large', retryable: false });
    // Without the PaymentIntent id the adapter finds it by trade number.
    const rest = await stripeProvider.refund(ctx(), {
      ...input,
      providerRef: null,
      providerTxnId: null,
      merchantRefundNo: 'RF-SIM-3',
      amount: 2000,
    });
    expect(rest).toMatchObject({ status: 'succeeded', amount: 2000 });
  });

  it('errors: a wrong key is final, 5xx, 429 and timeouts are retryable', async () => {
    const bad = await stripeProvider
      .queryPayment(ctx({ settings: { ...sim.accountSettings, secretKey: 'sk_test_wrong' } }), {
        merchantTradeNo: 'X',
        providerRef: 'pi_x',
      })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'authentication_failed', retryable: false, httpStatus: 401 });

    sim.faults.apiErrorNext = 1;
    sim.faults.apiErrorStatus = 503;
    await expect(create('PAY-SIM-5XX')).rejects.toMatchObject({ retryable: true, httpStatus: 503 });
    // The failed attempt did nothing; the retry with the same key creates the intent.
    expect((await create('PAY-SIM-5XX')).providerRef).toMatch(/^pi_/);

    sim.faults.apiErrorNext = 1;
    sim.faults.apiErrorStatus = 429;
    await expect(create('PAY-SIM-429')).rejects.toMatchObject({ retryable: true, httpStatus: 429 });

    sim.faults.apiTimeoutNext = 1;
    sim.faults.apiTimeoutMs = 5_000;
    const shortFetch: typeof fetch = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(300) });
    await expect(
      stripeProvider.queryPayment(ctx({ fetch: shortFetch }), { merchantTradeNo: 'X', providerRef: null }),
    ).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });

    const down = await stripeProvider
      .queryPayment(ctx({ baseUrl: 'http://127.0.0.1:9' }), { merchantTradeNo: 'X', providerRef: null })
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'NETWORK', retryable: true });
  });

  it('delivery faults: retries until 2xx, duplicates, lost events healed by query, tampered and stale refused', async () => {
    // The receiver answers 500 twice, then 200: the simulator retries on its schedule.
    const created = await create('PAY-SIM-RETRY');
    await sim.idle();
    failFirst.push(500, 500);
    sim.pay(created.client);
    await sim.idle();
    failFirst.length = 0;
    const attempts = sim.deliveries().filter((d) => d.body.includes(created.providerRef as string));
    expect(attempts.some((d) => !d.ok && d.status === 500)).toBe(true);
    expect(attempts.filter((d) => d.type === 'payment_intent.succeeded').at(-1)?.ok).toBe(true);

    // Duplicates: the same event id arrives twice, signed each time.
    const dup = await create('PAY-SIM-DUP');
    await sim.idle();
    sim.faults.duplicates = 1;
    sim.pay(dup.client);
    await sim.idle();
    sim.faults.duplicates = 0;
    const dupIds = payments('PAY-SIM-DUP').map((d) => d.result.ok && d.result.eventId);
    expect(dupIds.length).toBe(2);
    expect(new Set(dupIds).size).toBe(1);

    // Lost: nothing arrives, the active query still finds the money.
    const lost = await create('PAY-SIM-LOST');
    await sim.idle();
    sim.faults.loseNext = 2; // charge.succeeded and payment_intent.succeeded
    sim.pay(lost.client);
    await sim.idle();
    expect(payments('PAY-SIM-LOST')).toHaveLength(0);
    expect(
      await stripeProvider.queryPayment(ctx(), { merchantTradeNo: 'PAY-SIM-LOST', providerRef: null }),
    ).toMatchObject({
      status: 'succeeded',
      amount: 2599,
    });

    // Tampered body: our check and the SDK's both refuse; the simulator retries (400), the retry is clean.
    const tam = await create('PAY-SIM-TAMPER');
    await sim.idle();
    sim.faults.tamperNext = 1;
    const countBefore = received.length;
    sim.pay(tam.client);
    await sim.idle();
    const tampered = sim.deliveries().find((d) => d.tampered);
    expect(tampered?.status).toBe(400);
    const refused = received.slice(countBefore).find((d) => !d.result.ok);
    expect(refused?.result).toMatchObject({ ok: false, reason: 'SIGNATURE_INVALID' });
    expect(() =>
      sdk.webhooks.constructEvent(
        tampered?.body as string,
        tampered?.header as string,
        sim.accountSettings.webhookSecret,
      ),
    ).toThrow();

    // Stale: a capture signed an hour ago is beyond the replay window.
    const stale = await create('PAY-SIM-STALE');
    await sim.idle();
    sim.faults.staleNext = 2;
    const staleFrom = received.length;
    sim.pay(stale.client);
    await sim.idle();
    expect(
      received
        .slice(staleFrom)
        .filter((d) => !d.result.ok)
        .map((d) => !d.result.ok && d.result.reason),
    ).toContain('REPLAY_WINDOW');
  });

  it('reordering and clock skew: a refund notice before the payment notice; t= follows the skewed clock', async () => {
    const created = await create('PAY-SIM-ORDER', 5000);
    await sim.idle();
    sim.faults.hold = true;
    sim.pay(created.client);
    await stripeProvider.refund(ctx(), {
      merchantTradeNo: 'PAY-SIM-ORDER',
      providerTxnId: created.providerRef,
      providerRef: created.providerRef,
      merchantRefundNo: 'RF-SIM-ORDER',
      amount: 5000,
      total: 5000,
      currency: 'USD',
      reason: '',
    });
    sim.faults.hold = false;
    const from = received.length;
    sim.release('reverse');
    await sim.idle();
    const kinds = received
      .slice(from)
      .filter((d) => d.result.ok && d.result.event.kind !== 'ignored')
      .map((d) => (d.result.ok ? d.result.event.kind : ''));
    expect(kinds[0]).toBe('refund');
    expect(kinds).toContain('payment');

    sim.faults.clockSkewMs = -20 * 60_000;
    const skewed = await create('PAY-SIM-SKEW');
    const skewFrom = received.length;
    sim.pay(skewed.client);
    await sim.idle();
    sim.faults.clockSkewMs = 0;
    // Signed 20 minutes "ago" by the provider's clock: beyond a 300 s window (a valid signature, so
    // the refusal names the window), on every retry too.
    const refusedSkew = received.slice(skewFrom).map((x) => (x.result.ok ? 'accepted' : x.result.reason));
    expect(refusedSkew.length).toBeGreaterThan(0);
    expect(new Set(refusedSkew)).toEqual(new Set(['REPLAY_WINDOW']));
    const sentAt = Number(/t=(\d+)/.exec(sim.deliveries().at(-1)?.header ?? '')?.[1]);
    expect(Math.abs(sentAt * 1000 - (Date.now() - 20 * 60_000))).toBeLessThan(60_000);
  });

  it('a pending refund is followed to its end; two refunds in one second are told apart; cancel closes', async () => {
    const pending = await startStripeSimulator({
      webhookUrl: receiverUrl,
      retryScheduleMs: [10],
      refundsPending: true,
    });
    try {
      const c = {
        settings: pending.accountSettings,
        baseUrl: pending.url,
        now: new Date(),
        fetch,
        notifyUrl: receiverUrl,
      };
      const created = await stripeProvider.createPayment(c, {
        merchantTradeNo: 'PAY-PEND',
        amount: 4000,
        currency: 'EUR',
        description: 'pending refunds',
        expiresAt: new Date(),
        idempotencyKey: 'pend',
      });
      pending.pay(created.client);
      const base = {
        merchantTradeNo: 'PAY-PEND',
        providerTxnId: created.providerRef,
        providerRef: created.providerRef,
        total: 4000,
        currency: 'EUR',
        reason: '',
      };
      const r1 = await stripeProvider.refund(c, { ...base, merchantRefundNo: 'RF-P1', amount: 1000 });
      const r2 = await stripeProvider.refund(c, { ...base, merchantRefundNo: 'RF-P2', amount: 500 });
      expect(r1).toMatchObject({ status: 'processing', providerStatus: 'pending' });
      pending.settleRefund(r1.providerRefundId as string, 'succeeded');
      pending.settleRefund(r2.providerRefundId as string, 'failed');
      const q = { merchantTradeNo: 'PAY-PEND', currency: 'EUR', providerRefundId: null };
      expect(await stripeProvider.queryRefund(c, { ...q, merchantRefundNo: 'RF-P1' })).toMatchObject({
        status: 'succeeded',
        amount: 1000,
      });
      expect(await stripeProvider.queryRefund(c, { ...q, merchantRefundNo: 'RF-P2' })).toMatchObject({
        status: 'failed',
        amount: 500,
      });
      // The charge.refunded snapshot after the first refund settles names that refund.
      const charge = pending.events().find((e) => e.type === 'charge.refunded');
      const body = JSON.stringify(charge);
      const mapped = stripeProvider.verifyCallback(
        raw(
          body,
          stripeSignatureHeader(pending.accountSettings.webhookSecret, Math.floor(Date.now() / 1000), body),
        ),
        pending.accountSettings,
        { now: new Date(), replayWindowSeconds: 300 },
      );
      expect(mapped).toMatchObject({ ok: true, event: { kind: 'refund', merchantRefundNo: 'RF-P1' } });

      const other = await stripeProvider.createPayment(c, {
        merchantTradeNo: 'PAY-CANCEL',
        amount: 100,
        currency: 'EUR',
        description: 'cancel',
        expiresAt: new Date(),
        idempotencyKey: 'cancel',
      });
      const res = await fetch(`${pending.url}/v1/payment_intents/${other.providerRef}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pending.accountSettings.secretKey}` },
      });
      expect(res.status).toBe(200);
      expect(
        await stripeProvider.queryPayment(c, {
          merchantTradeNo: 'PAY-CANCEL',
          providerRef: other.providerRef,
        }),
      ).toMatchObject({
        status: 'closed',
        providerStatus: 'canceled',
      });
      await pending.idle();
    } finally {
      await pending.close();
    }
  });

  it('refuses API calls without the secret key and unknown webhook URLs wait for setWebhookUrl', async () => {
    const res = await fetch(`${sim.url}/v1/payment_intents/pi_x`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const other = await startStripeSimulator({ retryScheduleMs: [10] });
    try {
      const c = await stripeProvider.createPayment(
        { settings: other.accountSettings, baseUrl: other.url, now: new Date(), fetch, notifyUrl: '' },
        {
          merchantTradeNo: 'PAY-LATE',
          amount: 100,
          currency: 'EUR',
          description: 'late',
          expiresAt: new Date(),
          idempotencyKey: 'late',
        },
      );
      other.pay(c.client);
      await other.idle();
      expect(other.deliveries()).toHaveLength(0);
      const from = received.length;
      other.setWebhookUrl(receiverUrl);
      await other.idle();
      // Signed with the other account's secret: our receiver (this account's secret) refuses them.
      expect(received.slice(from).length).toBeGreaterThan(0);
      expect(received.slice(from).every((d) => !d.result.ok && d.result.reason === 'SIGNATURE_INVALID')).toBe(
        true,
      );
    } finally {
      await other.close();
    }
  });
});
