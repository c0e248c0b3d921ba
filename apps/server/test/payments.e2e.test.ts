import { startStripeSimulator, startWechatPaySimulator } from '@orderhub/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  beforeAll(async () => {
    t = await startPaymentsApp();
    stripe = await startStripeSimulator({ retryScheduleMs: [50, 100, 200, 400] });
    stripe.setWebhookUrl(`${t.url}/api/payments/notify/stripe-main`);
    wechat = await startWechatPaySimulator();
    await addAccount(t, 'stripe-main', 'stripe', stripe);
    await addAccount(t, 'wechat-main', 'wechatpay', wechat);
  }, 60_000);
  afterAll(async () => {
    await stripe?.close();
    await wechat?.close();
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
});
