import { randomUUID } from 'node:crypto';
import { startAlipaySimulator, startStripeSimulator, startWechatPaySimulator } from '@orderhub/simulators';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueAttempts, followRefund, queryAttempt } from '../src/modules/payments/index.ts';
import {
  addAccount,
  orderStatus,
  type PaymentsApp,
  pendingOrder,
  startPayment,
  startPaymentsApp,
  waitFor,
} from './payments-support.ts';

describe('payments through the simulators', () => {
  let t: PaymentsApp;
  let stripe: Awaited<ReturnType<typeof startStripeSimulator>>;
  let wechat: Awaited<ReturnType<typeof startWechatPaySimulator>>;
  let alipay: Awaited<ReturnType<typeof startAlipaySimulator>>;

  beforeAll(async () => {
    t = await startPaymentsApp();
    stripe = await startStripeSimulator({ retryScheduleMs: [50, 100, 200, 400] });
    stripe.setWebhookUrl(`${t.url}/api/payments/notify/stripe-main`);
    wechat = await startWechatPaySimulator();
    await addAccount(t, 'stripe-main', 'stripe', stripe);
    await addAccount(t, 'wechat-main', 'wechatpay', wechat);
    alipay = await startAlipaySimulator({ retryScheduleMs: [50, 100, 200, 400] });
    await addAccount(t, 'alipay-main', 'alipay', alipay);
  }, 180_000);
  afterAll(async () => {
    await stripe?.close();
    await wechat?.close();
    await alipay?.close();
    await t?.close();
  });

  it('never returns the secrets of an account, and audits a rotation by field name', async () => {
    const list = await t.request('GET', '/api/payment-accounts', { as: 'auditor' });
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain((stripe.accountSettings as { webhookSecret: string }).webhookSecret);
    expect(text).not.toContain('PRIVATE KEY');
    const acc = list.body.find((a: { code: string }) => a.code === 'stripe-main');
    expect(acc.settingsFields).toEqual(['secretKey', 'webhookSecret']);
    const forbidden = await t.request('POST', '/api/payment-accounts', {
      as: 'customer_service',
      body: { code: 'x1', name: 'x', provider: 'stripe', settings: {} },
    });
    expect(forbidden.status).toBe(403);
    const sealed = await t.database.query<{ settings_enc: string }>(
      `SELECT settings_enc FROM payment_accounts`,
    );
    for (const r of sealed) expect(r.settings_enc).toMatch(/^v1\./);
    // Rotation: a new webhook secret replaces the old one; the audit log names the field, never the value.
    const other = await addAccount(t, 'stripe-rotate', 'stripe', stripe);
    const rotated = await t.request('PATCH', `/api/payment-accounts/${other.id}`, {
      as: 'finance',
      body: { settings: { webhookSecret: 'whsec_RotatedSecretValue123' } },
    });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.body.settingsVersion).toBe(2);
    expect(JSON.stringify(rotated.body)).not.toContain('RotatedSecretValue');
    const bad = await t.request('PATCH', `/api/payment-accounts/${other.id}`, {
      as: 'finance',
      body: { settings: { webhookSecret: 'not a secret' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('PAYMENT_SETTINGS_INVALID');
    const audit = await t.database.query<{ action: string; summary: unknown }>(
      `SELECT action, summary FROM audit_log WHERE entity_id = $1 ORDER BY at`,
      [other.id],
    );
    expect(audit.map((a) => a.action)).toEqual(['payment_account.create', 'payment_account.rotate']);
    expect(JSON.stringify(audit)).toContain('webhookSecret');
    expect(JSON.stringify(audit)).not.toContain('RotatedSecretValue');
    expect(JSON.stringify(audit)).not.toContain(
      (stripe.accountSettings as { webhookSecret: string }).webhookSecret,
    );
  });

  it('Stripe: a paid PaymentIntent books one voucher and pays the order', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'stripe-main');
    expect(attempt.client.clientSecret).toBeTruthy();
    stripe.pay(attempt.client);
    await waitFor(async () => (await orderStatus(t, order.id)).status !== 'pending_payment', 20_000, 'paid');
    await stripe.idle();
    const p = await t.request('GET', `/api/orders/${order.id}/payments`);
    expect(p.body.vouchers).toHaveLength(1);
    expect(p.body.vouchers[0].amount).toBe(8000);
    expect(p.body.paid).toBe(8000);
    expect((await orderStatus(t, order.id)).status).toBe('paid');
  });

  it('WeChat Pay: a paid Native QR code books one voucher and pays the order', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'wechat-main');
    expect(attempt.client.codeUrl).toMatch(/^weixin:\/\//);
    wechat.pay(attempt.client);
    await waitFor(async () => (await orderStatus(t, order.id)).status !== 'pending_payment', 20_000, 'paid');
    await wechat.idle();
    const p = await t.request('GET', `/api/orders/${order.id}/payments`);
    expect(p.body.vouchers).toHaveLength(1);
    expect(p.body.paid).toBe(8000);
  });

  it('Alipay: a paid page-pay URL books one voucher; the later TRADE_FINISHED (refund window over) counts nothing', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'alipay-main');
    expect(attempt.client.payUrl).toContain('alipay.trade.page.pay');
    alipay.pay(attempt.client);
    await waitFor(async () => (await orderStatus(t, order.id)).status === 'paid', 20_000, 'paid');
    await alipay.idle();
    alipay.finish(attempt.merchantTradeNo);
    await alipay.idle();
    const p = await t.request('GET', `/api/orders/${order.id}/payments`);
    expect(p.body.vouchers).toHaveLength(1);
    expect(p.body.vouchers[0].amount).toBe(8000);
    expect(p.body.paid).toBe(8000);
  });

  it('a manual pay on an order with a payment attempt is refused with a code', async () => {
    const order = await pendingOrder(t);
    await startPayment(t, order.id, 'stripe-main');
    const version = (await t.request('GET', `/api/orders/${order.id}`)).body.version;
    const res = await t.request('POST', `/api/orders/${order.id}/transitions`, {
      body: { event: 'pay', version },
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PAYMENT_VOUCHER_REQUIRED');
  });

  const payments = async (orderId: string) =>
    (await t.request('GET', `/api/orders/${orderId}/payments`)).body;
  const timelineActions = async (orderId: string) =>
    ((await t.request('GET', `/api/orders/${orderId}`)).body.timeline as { event: string; details: any }[])
      .filter((e) => e.event === 'payment')
      .map((e) => e.details.action as string);

  it('the 18-minute-skew incident: our clock 18 minutes slow, correctly signed callbacks are booked, the skew recorded and warned', async () => {
    // The payment is created while the clock is right (WeChat refuses API calls signed with a wrong time).
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'wechat-main');
    t.clock.skewMs = -18 * 60_000;
    try {
      wechat.pay(attempt.client);
      await waitFor(async () => (await orderStatus(t, order.id)).status === 'paid', 20_000, 'paid');
      await wechat.idle();
      const p = await payments(order.id);
      expect(p.vouchers).toHaveLength(1);
      expect(p.vouchers[0].skewSeconds).toBeLessThan(-17 * 60);
      expect(p.vouchers[0].skewSeconds).toBeGreaterThan(-19 * 60);
      expect(await timelineActions(order.id)).toEqual(
        expect.arrayContaining(['callback_applied', 'skew_warning']),
      );
      const refused = await t.count('payment_events', `merchant_trade_no = $1 AND outcome = 'refused'`, [
        attempt.merchantTradeNo,
      ]);
      expect(refused).toBe(0);
    } finally {
      t.clock.skewMs = 0;
    }
  });

  it('the 80-yuan-counted-twice incident: a delayed duplicate notice after the first was answered books nothing', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'wechat-main');
    wechat.faults.duplicate = 1;
    wechat.faults.duplicateCopies = 3;
    wechat.pay(attempt.client);
    await waitFor(async () => (await orderStatus(t, order.id)).status === 'paid', 20_000, 'paid');
    await wechat.idle();
    // The same notice arrives once more, an hour later by our clock (a delayed retry).
    const delivery = wechat.deliveries().find((d) => d.outTradeNo === attempt.merchantTradeNo)!;
    const headers = (
      await t.database.query<{ headers: Record<string, string> }>(
        `SELECT headers FROM payment_events WHERE merchant_trade_no = $1 AND outcome = 'applied'`,
        [attempt.merchantTradeNo],
      )
    )[0]!.headers;
    t.clock.skewMs = 3600_000;
    try {
      const late = await fetch(`${t.url}/api/payments/notify/wechat-main`, {
        method: 'POST',
        headers: headers as Record<string, string>,
        body: delivery.body,
      });
      expect(late.status).toBeLessThan(300);
    } finally {
      t.clock.skewMs = 0;
    }
    const p = await payments(order.id);
    expect(p.vouchers).toHaveLength(1);
    expect(p.paid).toBe(8000);
    const o = await orderStatus(t, order.id);
    expect(o.status).toBe('paid');
    expect(o.holdReason).toBeNull();
    expect(
      await t.count('payment_events', `merchant_trade_no = $1 AND outcome = 'duplicate'`, [
        attempt.merchantTradeNo,
      ]),
    ).toBeGreaterThanOrEqual(3);
    expect(await timelineActions(order.id)).toContain('callback_duplicate');
  });

  it('a callback that never arrives is healed by the active query, which counts it once', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'wechat-main');
    wechat.faults.lose = 1;
    wechat.pay(attempt.client);
    await wechat.idle();
    expect((await orderStatus(t, order.id)).status).toBe('pending_payment');
    // Not due before five minutes without a voucher.
    expect(await dueAttempts(t.app.deps)).not.toContain(attempt.id);
    // Five minutes pass (the setting is read at each sweep).
    const settings = t.app.deps.settings.payments!;
    settings.activeQueryAfterSeconds = 0;
    try {
      const due = await dueAttempts(t.app.deps);
      expect(due).toContain(attempt.id);
      expect(await queryAttempt(t.app.deps, attempt.id)).toBe('applied');
      expect(await queryAttempt(t.app.deps, attempt.id)).toBe('skipped');
    } finally {
      settings.activeQueryAfterSeconds = 300;
    }
    expect((await orderStatus(t, order.id)).status).toBe('paid');
    const p = await payments(order.id);
    expect(p.vouchers).toHaveLength(1);
    expect(p.vouchers[0].source).toBe('query');
    expect(await timelineActions(order.id)).toContain('query_applied');
  });

  it('forged and tampered callbacks are refused, recorded raw, and change no money; the retry is booked', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'wechat-main');
    const before = await t.count('fund_vouchers');
    wechat.faults.tamperBody = 1;
    wechat.faults.signtest = 1;
    wechat.faults.wrongSerial = 1;
    wechat.faults.tamperCiphertext = 0;
    wechat.pay(attempt.client);
    await waitFor(
      async () => (await orderStatus(t, order.id)).status === 'paid',
      30_000,
      'paid after retries',
    );
    await wechat.idle();
    expect(await t.count('fund_vouchers')).toBe(before + 1);
    const refused = await t.database.query<{ reason: string; raw_body: Uint8Array | null }>(
      `SELECT reason, raw_body FROM payment_events WHERE account_code = 'wechat-main' AND outcome = 'refused'`,
    );
    const reasons = refused.map((r) => r.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(['SIGNATURE_INVALID', 'SIGNTEST_PROBE', 'SERIAL_UNKNOWN']),
    );
    for (const r of refused) expect(r.raw_body && r.raw_body.length > 0).toBe(true);
    const events = await t.request('GET', '/api/payments/events?outcome=refused&paymentAccount=wechat-main', {
      as: 'auditor',
    });
    expect(events.status).toBe(200);
    expect(events.body.length).toBeGreaterThanOrEqual(3);
  });

  it('a damaged ciphertext (signature holds) is refused DECRYPT_FAILED', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'wechat-main');
    wechat.faults.tamperCiphertext = 1;
    wechat.pay(attempt.client);
    await wechat.idle();
    expect(
      await t.count('payment_events', `account_code = 'wechat-main' AND reason = 'DECRYPT_FAILED'`),
    ).toBeGreaterThan(0);
    expect((await payments(order.id)).vouchers).toHaveLength(0);
  });

  describe('bad input (signed with the Stripe SDK’s own test helper)', () => {
    const stripeSdk = new Stripe('sk_test_sdk_helper_only');
    const post = async (payload: string, opts: { secret?: string; timestamp?: number } = {}) => {
      const header = stripeSdk.webhooks.generateTestHeaderString({
        payload,
        secret: opts.secret ?? (stripe.accountSettings as { webhookSecret: string }).webhookSecret,
        ...(opts.timestamp ? { timestamp: opts.timestamp } : {}),
      });
      return fetch(`${t.url}/api/payments/notify/stripe-main`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body: payload,
      });
    };
    const event = (tradeNo: string, amount: unknown, id = `pi_${randomUUID().replaceAll('-', '')}`) =>
      JSON.stringify({
        id: `evt_${randomUUID().replaceAll('-', '')}`,
        object: 'event',
        type: 'payment_intent.succeeded',
        created: Math.floor(Date.now() / 1000),
        data: {
          object: {
            id,
            object: 'payment_intent',
            amount: 8000,
            amount_received: amount,
            currency: 'cny',
            status: 'succeeded',
            metadata: { orderhub_trade_no: tradeNo },
          },
        },
      });

    it('an SDK-signed event for a real attempt is booked', async () => {
      const order = await pendingOrder(t);
      const attempt = await startPayment(t, order.id, 'stripe-main');
      const res = await post(event(attempt.merchantTradeNo, 8000));
      expect(res.status).toBe(200);
      expect((await orderStatus(t, order.id)).status).toBe('paid');
    });

    it('a signed notice that moves no money is kept as ignored, its reason a code with the event type', async () => {
      const payload = JSON.stringify({
        id: `evt_${randomUUID().replaceAll('-', '')}`,
        object: 'event',
        type: 'payout.paid',
        created: Math.floor(Date.now() / 1000),
        data: { object: { id: 'po_1', object: 'payout' } },
      });
      const vouchers = await t.count('fund_vouchers');
      expect((await post(payload)).status).toBe(200);
      expect(await t.count('fund_vouchers')).toBe(vouchers);
      const list = await t.request('GET', '/api/payments/events?outcome=ignored', { as: 'finance' });
      expect(list.status).toBe(200);
      const ev = (list.body as { reason: string; params: unknown; message: string }[])[0]!;
      expect(ev.reason).toBe('EVENT_TYPE_NO_MONEY');
      expect(ev.params).toEqual({ eventType: 'payout.paid' });
      // The English detail stays for integrators; people read the code.
      expect(ev.message).toContain('payout.paid');
    });

    it('wrong signature, unknown trade number, amount in the wrong unit, an event older than the window: refused, recorded, no money', async () => {
      const order = await pendingOrder(t);
      const attempt = await startPayment(t, order.id, 'stripe-main');
      await stripe.idle();
      const vouchers = await t.count('fund_vouchers');
      const events = await t.count('payment_events');
      const wrong = await post(event(attempt.merchantTradeNo, 8000), { secret: 'whsec_not_the_secret' });
      expect(wrong.status).toBeGreaterThanOrEqual(400);
      const unknown = await post(event('PNOSUCHTRADE000000000000000', 8000));
      expect(unknown.status).toBeGreaterThanOrEqual(400);
      const unit = await post(event(attempt.merchantTradeNo, '80.00'));
      expect(unit.status).toBeGreaterThanOrEqual(400);
      const old = await post(event(attempt.merchantTradeNo, 8000), {
        timestamp: Math.floor(Date.now() / 1000) - 301,
      });
      expect(old.status).toBeGreaterThanOrEqual(400);
      expect(await t.count('fund_vouchers')).toBe(vouchers);
      expect(await t.count('payment_events')).toBe(events + 4);
      const reasons = (
        await t.database.query<{ reason: string }>(
          `SELECT reason FROM payment_events ORDER BY id DESC LIMIT 4`,
        )
      ).map((r) => r.reason);
      expect(reasons.sort()).toEqual(['MALFORMED', 'REPLAY_WINDOW', 'SIGNATURE_INVALID', 'TRADE_UNKNOWN']);
      expect((await orderStatus(t, order.id)).status).toBe('pending_payment');
      // The refusal that names a known attempt shows on its order's timeline.
      expect(await timelineActions(order.id)).toContain('callback_refused');
    });
  });

  it('partial payments add up; an overpayment pays and holds PAYMENT_MISMATCH', async () => {
    const order = await pendingOrder(t);
    const first = await startPayment(t, order.id, 'wechat-main');
    wechat.pay(first.client, { amount: 5000 });
    await waitFor(async () => (await payments(order.id)).paid === 5000, 20_000, 'partial');
    expect((await orderStatus(t, order.id)).status).toBe('pending_payment');
    const second = await startPayment(t, order.id, 'stripe-main');
    expect(second.amount).toBe(3000);
    stripe.pay(second.client);
    await waitFor(async () => (await orderStatus(t, order.id)).status === 'paid', 20_000, 'paid');
    expect((await payments(order.id)).paid).toBe(8000);

    const over = await pendingOrder(t);
    const a = await startPayment(t, over.id, 'stripe-main');
    stripe.pay(a.client, { amount: 9000 });
    await waitFor(async () => (await orderStatus(t, over.id)).status === 'on_hold', 20_000, 'held');
    expect((await orderStatus(t, over.id)).holdReason).toBe('PAYMENT_MISMATCH');
    const queue = await t.request('GET', '/api/payments/exceptions?exception=OVERPAID', { as: 'finance' });
    expect(queue.body.map((v: { orderId: string }) => v.orderId)).toContain(over.id);
  });

  it('a payment for a cancelled order is kept and raised for refund, never lost', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'stripe-main');
    const version = (await t.request('GET', `/api/orders/${order.id}`)).body.version;
    const cancel = await t.request('POST', `/api/orders/${order.id}/transitions`, {
      body: { event: 'cancel', version, reasonCode: 'PAYMENT_TIMEOUT' },
    });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    stripe.pay(attempt.client);
    await waitFor(async () => (await payments(order.id)).vouchers.length === 1, 20_000, 'voucher');
    const p = await payments(order.id);
    expect(p.vouchers[0].exception).toBe('PAID_AFTER_CANCEL');
    expect((await orderStatus(t, order.id)).status).toBe('cancelled');
    const queue = await t.request('GET', '/api/payments/exceptions?exception=PAID_AFTER_CANCEL', {
      as: 'finance',
    });
    const queued = queue.body.find((v: { orderId: string }) => v.orderId === order.id);
    // Listed by the number people know the order by, with the trade number beside it.
    expect(queued).toMatchObject({ orderNo: order.orderNo, merchantTradeNo: attempt.merchantTradeNo });
    // Refunded and taken off the queue.
    const refund = await t.request('POST', `/api/orders/${order.id}/refunds`, {
      as: 'finance',
      body: { amount: 8000, reason: 'paid after cancel' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    expect(refund.body.status).toBe('succeeded');
    const resolved = await t.request('POST', `/api/payments/vouchers/${p.vouchers[0].id}/resolve`, {
      as: 'finance',
      body: { note: 'refunded in full' },
    });
    expect(resolved.status).toBe(200);
  });

  it('refunds: idempotent by key, reversing vouchers, never above what was paid, concurrent requests included', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'stripe-main');
    stripe.pay(attempt.client);
    await waitFor(async () => (await orderStatus(t, order.id)).status === 'paid', 20_000, 'paid');
    const key = randomUUID();
    const first = await t.request('POST', `/api/orders/${order.id}/refunds`, {
      as: 'finance',
      body: { amount: 3000, reason: '少发一件', lines: [{ lineNo: 2, quantity: 1 }] },
      headers: { 'idempotency-key': key },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.status).toBe('succeeded');
    const again = await t.request('POST', `/api/orders/${order.id}/refunds`, {
      as: 'finance',
      body: { amount: 3000, reason: '少发一件', lines: [{ lineNo: 2, quantity: 1 }] },
      headers: { 'idempotency-key': key },
    });
    expect(again.body.merchantRefundNo).toBe(first.body.merchantRefundNo);
    await stripe.idle();
    let p = await payments(order.id);
    expect(p.paid).toBe(5000);
    expect(p.vouchers.filter((v: { kind: string }) => v.kind === 'refund')).toHaveLength(1);
    expect(p.vouchers.find((v: { kind: string }) => v.kind === 'refund').amount).toBe(-3000);

    const tooMuch = await t.request('POST', `/api/orders/${order.id}/refunds`, {
      as: 'finance',
      body: { amount: 5001, reason: 'x' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.code).toBe('REFUND_EXCEEDS_PAID');

    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.request('POST', `/api/orders/${order.id}/refunds`, {
          as: 'finance',
          body: { amount: 2000, reason: 'concurrent' },
          headers: { 'idempotency-key': randomUUID() },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'REFUND_EXCEEDS_PAID')).toBe(
      true,
    );
    await stripe.idle();
    p = await payments(order.id);
    expect(p.paid).toBe(1000);
    expect(p.refundable).toBe(1000);
    const actions = await timelineActions(order.id);
    expect(actions).toEqual(expect.arrayContaining(['refund_requested', 'refund_succeeded']));
    const nobody = await t.request('POST', `/api/orders/${order.id}/refunds`, {
      as: 'customer_service',
      body: { amount: 100, reason: 'x' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(nobody.status).toBe(403);
  });

  it('a refund call that fails keeps the failure as a reason code with its parameters, cleared when the call goes through', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'stripe-main');
    stripe.pay(attempt.client);
    await waitFor(async () => (await orderStatus(t, order.id)).status === 'paid', 20_000, 'paid');
    await stripe.idle();
    stripe.faults.apiErrorNext = 1;
    stripe.faults.apiErrorStatus = 503;
    const res = await t.request('POST', `/api/orders/${order.id}/refunds`, {
      as: 'finance',
      body: { amount: 1000, reason: 'DAMAGED' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.status).toBe('requested');
    expect(res.body.lastErrorReason).toBe('REFUND_FAILED');
    expect(res.body.lastErrorParams).toMatchObject({ httpStatus: 503, retryable: true });
    expect(typeof res.body.lastErrorParams.providerCode).toBe('string');
    expect(res.body.lastError).toBeTruthy();
    const listed = (await payments(order.id)).refunds.find((r: { id: string }) => r.id === res.body.id);
    expect(listed.lastErrorReason).toBe('REFUND_FAILED');
    // The follow-up goes through with the same refund number: the failure is gone.
    const done = await followRefund(t.app.deps, res.body.id);
    expect(done.status).toBe('succeeded');
    expect(done.lastError).toBeNull();
    expect(done.lastErrorReason).toBeNull();
    expect(done.lastErrorParams).toBeNull();
    expect((await payments(order.id)).paid).toBe(7000);
  });

  it('WeChat Pay refunds are followed to the end: processing, then the notice books the reversing voucher once; an abnormal one fails', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'wechat-main');
    wechat.pay(attempt.client);
    await waitFor(async () => (await orderStatus(t, order.id)).status === 'paid', 20_000, 'paid');
    await wechat.idle();
    wechat.controls.refunds = 'manual';
    try {
      const res = await t.request('POST', `/api/orders/${order.id}/refunds`, {
        as: 'finance',
        body: { amount: 2000, reason: '运费退回' },
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.status).toBe('processing');
      expect((await payments(order.id)).refundable).toBe(6000);
      wechat.faults.duplicate = 1;
      wechat.faults.duplicateCopies = 2;
      wechat.refundSucceeds(res.body.merchantRefundNo);
      await wechat.idle();
      let p = await payments(order.id);
      expect(p.refunds[0].status).toBe('succeeded');
      expect(p.vouchers.filter((v: { kind: string }) => v.kind === 'refund')).toHaveLength(1);
      expect(p.paid).toBe(6000);
      // A query afterwards finds it final and books nothing more.
      expect((await followRefund(t.app.deps, res.body.id)).status).toBe('succeeded');

      const second = await t.request('POST', `/api/orders/${order.id}/refunds`, {
        as: 'finance',
        body: { amount: 1000, reason: '银行卡失效' },
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(second.body.status).toBe('processing');
      wechat.settleRefund(second.body.merchantRefundNo, 'ABNORMAL');
      await wechat.idle();
      p = await payments(order.id);
      expect(p.refunds.find((r: { id: string }) => r.id === second.body.id).status).toBe('failed');
      expect(p.paid).toBe(6000);
      expect(p.refundable).toBe(6000);
      expect(await timelineActions(order.id)).toEqual(
        expect.arrayContaining([
          'refund_requested',
          'refund_processing',
          'refund_succeeded',
          'refund_failed',
        ]),
      );
    } finally {
      wechat.controls.refunds = 'auto';
    }
  });

  it('the inspection lists an order stuck with a pending payment and tries the payment query', async () => {
    const order = await pendingOrder(t);
    const attempt = await startPayment(t, order.id, 'wechat-main');
    wechat.faults.lose = 1;
    wechat.pay(attempt.client);
    await wechat.idle();
    // Half an hour passes (the setting is read at each run).
    const settings = t.app.deps.settings.payments!;
    settings.stuckAfterSeconds = 0;
    try {
      const res = await t.request('POST', '/api/inspections', { as: 'finance', body: {} });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const listed = await t.request('GET', '/api/inspections', { as: 'auditor' });
      expect(listed.body[0].id).toBe(res.body.id);
      const f = res.body.findings.find((x: { orderId: string }) => x.orderId === order.id);
      expect(f).toBeTruthy();
      expect(f.cause).toBe('PAYMENT_CALLBACK_MISSING');
      expect(f.fixes[0]).toEqual({ fix: 'payment_query', result: 'applied' });
    } finally {
      settings.stuckAfterSeconds = 1800;
    }
    expect((await orderStatus(t, order.id)).status).toBe('paid');
  });
});
