import { startStripeSimulator } from '@orderhub/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionContext } from '../src/modules/orders/index.ts';
import { loadAccountByCode } from '../src/modules/payments/accounts.ts';
import { type CallbackJob, callbackBooker } from '../src/modules/payments/batch.ts';
import { decodedJsonOf } from '../src/modules/payments/events.ts';
import { stripeSignatureHeader } from '../src/modules/payments/providers/stripe.ts';
import { newUlid } from '../src/platform/ids.ts';
import { onPostgres } from './helpers.ts';
import {
  addAccount,
  orderStatus,
  type PaymentsApp,
  pendingOrder,
  startPayment,
  startPaymentsApp,
} from './payments-support.ts';

/**
 * Succeeded payments that arrive together are booked in one transaction (group commit). These
 * tests post Stripe events signed the provider's way, many at once, and check that each one is
 * booked exactly as it would be alone — and that a batch that fails costs its other callbacks
 * nothing.
 */
describe('callbacks booked together', () => {
  let t: PaymentsApp;
  let stripe: Awaited<ReturnType<typeof startStripeSimulator>>;
  let secret: string;
  let seq = 0;

  beforeAll(async () => {
    t = await startPaymentsApp();
    stripe = await startStripeSimulator();
    await addAccount(t, 'stripe-batch', 'stripe', stripe);
    secret = (stripe.accountSettings as { webhookSecret: string }).webhookSecret;
  }, 180_000);
  afterAll(async () => {
    await stripe?.close();
    await t?.close();
  });

  /** A `payment_intent.succeeded` event for the trade number, signed with the account's webhook secret. */
  function succeeded(tradeNo: string, amount: number, opts: { intent?: string; description?: string } = {}) {
    seq += 1;
    const intent = opts.intent ?? `pi_batch${seq}`;
    const body = JSON.stringify({
      id: `evt_batch${seq}`,
      object: 'event',
      api_version: '2024-06-20',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: intent,
          object: 'payment_intent',
          amount,
          amount_received: amount,
          currency: 'cny',
          status: 'succeeded',
          ...(opts.description !== undefined ? { description: opts.description } : {}),
          metadata: { orderhub_trade_no: tradeNo },
        },
      },
    });
    return { intent, body };
  }

  const post = (body: string) =>
    fetch(`${t.url}/api/payments/notify/stripe-batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripeSignatureHeader(secret, Math.floor(Date.now() / 1000), body),
      },
      body,
    }).then(async (r) => ({ status: r.status, text: await r.text() }));

  async function waitingOrders(n: number) {
    const out: { id: string; tradeNo: string }[] = [];
    for (let i = 0; i < n; i++) {
      const order = await pendingOrder(t);
      const attempt = await startPayment(t, order.id, 'stripe-batch');
      out.push({ id: order.id, tradeNo: attempt.merchantTradeNo });
    }
    return out;
  }

  it('books each callback as alone: paid, a mismatch held, a duplicate and an unknown trade — several in one transaction', async () => {
    const orders = await waitingOrders(12);
    const events = orders.map((o, i) => succeeded(o.tradeNo, i === 3 ? 9000 : 8000));
    const bodies = [
      ...events.map((e) => e.body),
      events[0]!.body, // the same event again, in the same volley
      succeeded('NO-SUCH-TRADE', 8000).body,
    ];
    const answers = await Promise.all(bodies.map(post));
    expect(answers.slice(0, 13).map((a) => a.status)).toEqual(Array(13).fill(200));
    expect(answers[13]!.status).toBeGreaterThanOrEqual(400);

    const ids = orders.map((o) => o.id);
    const vouchers = await t.database.query<{ order_id: string; disposition: string }>(
      `SELECT order_id, disposition FROM fund_vouchers WHERE order_id = ANY($1::text[])`,
      [ids],
    );
    expect(vouchers).toHaveLength(12);
    expect(new Set(vouchers.map((v) => v.order_id)).size).toBe(12);
    for (const [i, o] of orders.entries()) {
      const st = await orderStatus(t, o.id);
      if (i === 3) expect(st).toEqual({ status: 'on_hold', holdReason: 'PAYMENT_MISMATCH' });
      else expect(st.status).toBe('paid');
    }
    expect(vouchers.find((v) => v.order_id === ids[3])!.disposition).toBe('overpaid');
    const outcomes = await t.database.query<{ outcome: string; reason: string | null; n: string | number }>(
      `SELECT outcome, reason, count(*) AS n FROM payment_events
        WHERE provider_event_id = ANY($1::text[]) OR merchant_trade_no = 'NO-SUCH-TRADE'
        GROUP BY outcome, reason ORDER BY outcome`,
      [bodies.map((b) => JSON.parse(b).id)],
    );
    expect(outcomes.map((o) => [o.outcome, o.reason, Number(o.n)])).toEqual([
      ['applied', null, 12],
      ['duplicate', null, 1],
      ['unknown_trade', 'TRADE_UNKNOWN', 1],
    ]);
    // Each paid order's timeline says it as one callback would: pay, then the payment entry.
    const timeline = await t.database.query<{ order_id: string; event: string; reason_code: string | null }>(
      `SELECT order_id, event, reason_code FROM order_timeline
        WHERE order_id = ANY($1::text[]) AND event IN ('pay', 'hold', 'payment')
          AND reason_code IS DISTINCT FROM 'attempt_created' ORDER BY order_id, at, id`,
      [ids],
    );
    for (const [i, id] of ids.entries()) {
      const mine = timeline.filter((e) => e.order_id === id).map((e) => `${e.event}:${e.reason_code ?? ''}`);
      expect(mine).toEqual(
        i === 3
          ? ['pay:', 'hold:PAYMENT_MISMATCH', 'payment:overpaid']
          : i === 0
            ? ['pay:', 'payment:callback_applied', 'payment:callback_duplicate']
            : ['pay:', 'payment:callback_applied'],
      );
    }
    const outbox = await t.database.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM pgboss.job WHERE name = 'order-events'
        AND data->>'type' = 'order.status_changed' AND data->>'event' = 'pay' AND data->>'orderId' = ANY($1::text[])`,
      [ids],
    );
    expect(Number(outbox[0]!.n)).toBe(12);
  });

  it('two payments for one order in the same volley add up, never counted against each other', async () => {
    const [order] = await waitingOrders(1);
    const second = await startPayment(t, order!.id, 'stripe-batch');
    const others = await waitingOrders(6);
    const answers = await Promise.all([
      post(succeeded(order!.tradeNo, 4000).body),
      post(succeeded(second.merchantTradeNo, 4000).body),
      ...others.map((o) => post(succeeded(o.tradeNo, 8000).body)),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const mine = await t.database.query<{ amount: string | number; disposition: string }>(
      `SELECT amount, disposition FROM fund_vouchers WHERE order_id = $1 ORDER BY received_at, id`,
      [order!.id],
    );
    expect(mine.map((v) => Number(v.amount))).toEqual([4000, 4000]);
    expect(mine.map((v) => v.disposition).sort()).toEqual(['applied', 'partial']);
    expect((await orderStatus(t, order!.id)).status).toBe('paid');
    for (const o of others) expect((await orderStatus(t, o.id)).status).toBe('paid');
  });

  it('a NUL in a signed event is booked: the JSON copies carry U+FFFD, the bytes kept as received', async () => {
    const [order] = await waitingOrders(1);
    const event = succeeded(order!.tradeNo, 8000, { description: 'bad\u0000text' });
    const answer = await post(event.body);
    expect(answer.status).toBe(200);
    expect((await orderStatus(t, order!.id)).status).toBe('paid');
    const [voucher] = await t.database.query<{ raw: { data: { object: { description: string } } } }>(
      `SELECT raw FROM fund_vouchers WHERE order_id = $1`,
      [order!.id],
    );
    expect(voucher!.raw.data.object.description).toBe('bad\uFFFDtext');
    const [kept] = await t.database.query<{ raw_body: Uint8Array; outcome: string }>(
      `SELECT raw_body, outcome FROM payment_events WHERE provider_event_id = $1`,
      [JSON.parse(event.body).id],
    );
    expect(kept!.outcome).toBe('applied');
    expect(Buffer.from(kept!.raw_body).toString('utf8')).toBe(event.body);
  });

  /** Verified callbacks as the notify route makes them, for the booker itself. */
  async function jobsFor(tradeNos: string[]): Promise<CallbackJob[]> {
    const account = await loadAccountByCode(t.database, t.app.deps.crypto, 'stripe-batch');
    if (!account || account === 'unreadable') throw new Error('no account');
    return tradeNos.map((tradeNo) => {
      const { body } = succeeded(tradeNo, 8000);
      const receivedAt = new Date();
      const headers = {
        'content-type': 'application/json',
        'stripe-signature': stripeSignatureHeader(secret, Math.floor(receivedAt.getTime() / 1000), body),
      };
      const verified = account.provider.verifyCallback(
        { headers, body: Buffer.from(body) },
        account.settings,
        {
          now: receivedAt,
          replayWindowSeconds: 300,
        },
      );
      if (!verified.ok || verified.event.kind === 'ignored') throw new Error('not verified');
      return {
        account,
        event: verified.event,
        eventId: `pev_${newUlid()}`,
        row: {
          accountId: account.id,
          accountCode: account.code,
          kind: 'callback',
          headers,
          rawBody: Buffer.from(body),
          receivedAt,
        },
        providerEventId: verified.eventId,
        sentAt: verified.sentAt,
        decoded: verified.decoded,
        decodedJson: decodedJsonOf(verified.decoded),
      };
    });
  }

  it('callbacks waiting while others are booked go in one transaction together', async () => {
    const orders = await waitingOrders(10);
    const booker = callbackBooker({
      database: t.database,
      transitions: transitionContext(t.app.deps),
      skewAlertSeconds: 300,
    });
    const jobs = await jobsFor(orders.map((o) => o.tradeNo));
    // The first starts at once, alone; the nine others wait for it and then go together.
    const outcomes = await Promise.all(jobs.map((j) => booker.book(j)));
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(10).fill('applied'));
    const written = await t.database.query<{ order_id: string; tx: string }>(
      `SELECT order_id, xmin::text AS tx FROM fund_vouchers WHERE order_id = ANY($1::text[])`,
      [orders.map((o) => o.id)],
    );
    const byTx = new Map<string, number>();
    for (const w of written) byTx.set(w.tx, (byTx.get(w.tx) ?? 0) + 1);
    expect([...byTx.values()].sort((a, b) => a - b)).toEqual([1, 9]);
    for (const o of orders) expect((await orderStatus(t, o.id)).status).toBe('paid');
    expect(
      await t.count('payment_events', "outcome = 'applied' AND id = ANY($1::text[])", [
        jobs.map((j) => j.eventId),
      ]),
    ).toBe(10);
  });

  it('a batch that fails is booked again one callback at a time: the bad one fails alone, the others are paid', async () => {
    const orders = await waitingOrders(8);
    const bad = orders[7]!.id;
    const ctx = transitionContext(t.app.deps);
    const failures: number[] = [];
    const booker = callbackBooker({
      database: t.database,
      // Another module's effect refusing one order (as a failing write would): its transaction fails.
      transitions: {
        ...ctx,
        effects: [
          ...ctx.effects,
          async (_tx, _at, _actor, change) => {
            if (change.after.id === bad) throw new Error('effect refused this order');
          },
        ],
      },
      skewAlertSeconds: 300,
      onBatchFailed: (_err, size) => failures.push(size),
    });
    const jobs = await jobsFor(orders.map((o) => o.tradeNo));
    const settled = await Promise.allSettled(jobs.map((j) => booker.book(j)));
    expect(failures).toEqual([7]);
    expect(settled.slice(0, 7).map((s) => (s.status === 'fulfilled' ? s.value.outcome : s.reason))).toEqual(
      Array(7).fill('applied'),
    );
    expect(settled[7]!.status).toBe('rejected');
    for (const o of orders.slice(0, 7)) expect((await orderStatus(t, o.id)).status).toBe('paid');
    expect((await orderStatus(t, bad)).status).toBe('pending_payment');
    expect(await t.count('fund_vouchers', 'order_id = $1', [bad])).toBe(0);
    expect(await t.count('payment_events', 'id = $1', [jobs[7]!.eventId])).toBe(0);
  });

  // PGlite is one connection: another transaction holding an order's lock would hold up everything.
  it.runIf(onPostgres)('a booking stuck on a lock does not hold up the callbacks behind it', async () => {
    const orders = await waitingOrders(4);
    const booker = callbackBooker({
      database: t.database,
      transitions: transitionContext(t.app.deps),
      skewAlertSeconds: 300,
    });
    const jobs = await jobsFor(orders.map((o) => o.tradeNo));
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = t.database.tx(async (tx) => {
      await tx.query(`SELECT id FROM orders WHERE id = $1 FOR UPDATE`, [orders[0]!.id]);
      locked();
      await held;
    });
    await isLocked;
    let firstDone = false;
    const first = booker.book(jobs[0]!).then((r) => {
      firstDone = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    const rest = await Promise.all(jobs.slice(1).map((j) => booker.book(j)));
    expect(rest.map((r) => r.outcome)).toEqual(['applied', 'applied', 'applied']);
    expect(firstDone).toBe(false);
    release();
    await holder;
    expect((await first).outcome).toBe('applied');
    for (const o of orders) expect((await orderStatus(t, o.id)).status).toBe('paid');
  });
});
