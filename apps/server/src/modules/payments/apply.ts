import type { PaymentException, PaymentTimelineAction } from '@orderhub/contracts';
import { type Actor, systemActor } from '../../platform/actor.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { newUlid } from '../../platform/ids.ts';
import {
  appendTimeline,
  getOrderRow,
  lockOrderByKey,
  lockOrdersByKeys,
  type OrderRow,
  type TransitionContext,
  transitionLocked,
} from '../orders/index.ts';
import type { PaymentAccount } from './accounts.ts';
import { type AttemptProbe, decodedJsonOf, probeCallback } from './events.ts';
import { voucherPays } from './guard.ts';
import type { PaymentEvent, RefundEvent } from './provider.ts';

/** Where a provider event came from: its own callback, our active query, or the answer to our refund call. */
export type EventSource = 'callback' | 'query' | 'refund';

export interface ApplyInput {
  account: PaymentAccount;
  event: PaymentEvent | RefundEvent;
  source: EventSource;
  /** The payment_events row that holds the raw message. */
  eventRowId: string;
  /** Our time of receipt and the provider's stamp on the delivery (for skew). */
  receivedAt: Date;
  sentAt: Date | null;
  decoded: unknown;
  /** `decoded` as JSON when the caller has it already (a callback stores it on its event too). */
  decodedJson?: string | null;
  skewAlertSeconds: number;
  /** The attempt as the callback's first statement found it (see `receiveCallback`); read here otherwise. */
  attempt?: AttemptProbe | null;
}

export type ApplyOutcome =
  | {
      outcome: 'applied' | 'duplicate' | 'pending' | 'ignored';
      orderId: string | null;
      voucherId: string | null;
    }
  | { outcome: 'unknown_trade'; orderId: null; voucherId: null };

type AttemptRow = AttemptProbe;

const HOLDABLE = new Set(['paid', 'under_review', 'approved', 'fulfilling']);

export function actorFor(account: PaymentAccount, source: EventSource): Actor {
  const what = source === 'callback' ? 'callback' : source === 'query' ? 'active query' : 'refund';
  return systemActor(
    `${account.provider.name} ${what} (${account.code})`,
    source === 'callback' ? 'channel' : 'job',
  );
}

export async function paymentTimeline(
  tx: SqlExecutor,
  at: Date,
  actor: Actor,
  orderId: string,
  action: PaymentTimelineAction,
  details: Record<string, unknown>,
): Promise<void> {
  await appendTimeline(tx, at, actor, {
    orderId,
    event: 'payment',
    fromStatus: null,
    toStatus: null,
    reasonCode: action,
    details: { action, ...details },
  });
}

interface VoucherInsert {
  accountId: string;
  txnId: string;
  kind: 'payment' | 'refund';
  orderId: string;
  attemptId: string | null;
  refundId: string | null;
  reversesId: string | null;
  tradeNo: string;
  amount: number;
  currency: string;
  fee: number | null;
  providerStatus: string;
  source: EventSource;
  disposition: string;
  exception: PaymentException | null;
  providerTime: Date | null;
  receivedAt: Date;
  skewMs: number | null;
  eventId: string;
  raw: unknown;
}

/** Inserts the voucher unless (account, provider txn id) has one: returns its id, or null for a duplicate. */
async function insertVoucher(tx: Tx, v: VoucherInsert): Promise<string | null> {
  const id = `fvc_${newUlid()}`;
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO fund_vouchers (id, payment_account_id, provider_txn_id, kind, order_id, attempt_id, refund_id, merchant_trade_no,
        amount, currency, fee, status, provider_status, source, disposition, exception, provider_time, received_at, skew_ms, event_id, raw, reverses_id)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,'confirmed',$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)
     ON CONFLICT (payment_account_id, provider_txn_id) DO NOTHING RETURNING id`,
    [
      id,
      v.accountId,
      v.txnId,
      v.kind,
      v.orderId,
      v.attemptId,
      v.refundId,
      v.tradeNo,
      v.amount,
      v.currency,
      v.fee,
      v.providerStatus,
      v.source,
      v.disposition,
      v.exception,
      v.providerTime,
      v.receivedAt,
      v.skewMs,
      v.eventId,
      v.raw === undefined ? null : JSON.stringify(v.raw),
      v.reversesId,
    ],
  );
  return rows[0]?.id ?? null;
}

const EXCEPTION_OF: Record<string, PaymentException> = {
  paid_after_cancel: 'PAID_AFTER_CANCEL',
  mismatch: 'AMOUNT_MISMATCH',
  overpaid: 'OVERPAID',
};
const ACTION_OF: Record<string, PaymentTimelineAction> = {
  paid_after_cancel: 'paid_after_cancel',
  mismatch: 'amount_mismatch',
  overpaid: 'overpaid',
  partial: 'callback_partial',
};

/**
 * A succeeded payment's voucher, in one statement under the order's lock: what the order holds
 * already (its own currency, payments minus refunds), the disposition that follows, the voucher
 * unless (account, provider txn id) has one, and the attempt marked paid when it was written.
 * Dispositions: a cancelled or closed order → paid_after_cancel; another currency → mismatch;
 * an order no longer waiting, or more than its total → overpaid; less → partial; else applied.
 */
const BOOK_PAYMENT = `
  WITH prior AS (
    SELECT COALESCE(sum(amount) FILTER (WHERE currency = $4), 0)::bigint AS paid
      FROM fund_vouchers WHERE order_id = $3
  ), d AS (
    SELECT paid, CASE
        WHEN $5::text IN ('cancelled', 'closed') THEN 'paid_after_cancel'
        WHEN $8::text <> $4::text THEN 'mismatch'
        WHEN $5::text <> 'pending_payment' OR paid + $7::bigint > $6::bigint THEN 'overpaid'
        WHEN paid + $7::bigint < $6::bigint THEN 'partial'
        ELSE 'applied' END AS disposition
      FROM prior
  ), ins AS (
    INSERT INTO fund_vouchers (id, payment_account_id, provider_txn_id, kind, order_id, attempt_id, merchant_trade_no,
        amount, currency, fee, status, provider_status, source, disposition, exception, provider_time, received_at,
        skew_ms, event_id, raw)
    SELECT $1, $2, $9, 'payment', $3, $10, $11, $7::bigint, $8, $12::bigint, 'confirmed', $13, $14, d.disposition,
        CASE d.disposition WHEN 'paid_after_cancel' THEN 'PAID_AFTER_CANCEL' WHEN 'mismatch' THEN 'AMOUNT_MISMATCH'
          WHEN 'overpaid' THEN 'OVERPAID' END,
        $15::timestamptz, $16::timestamptz, $17::bigint, $18, $19::jsonb
      FROM d
    ON CONFLICT (payment_account_id, provider_txn_id) DO NOTHING
    RETURNING id
  ), att AS (
    UPDATE payment_attempts SET status = 'paid', updated_at = $16::timestamptz
     WHERE id = $10 AND EXISTS (SELECT 1 FROM ins)
  )
  SELECT d.paid, d.disposition, (SELECT id FROM ins) AS voucher_id FROM d`;

interface Booked {
  paid: number;
  disposition: string;
  voucherId: string | null;
}

async function bookPayment(
  tx: Tx,
  v: {
    accountId: string;
    txnId: string;
    orderId: string;
    orderStatus: string;
    orderTotal: number;
    orderCurrency: string;
    attemptId: string;
    tradeNo: string;
    amount: number;
    currency: string;
    fee: number | null;
    providerStatus: string;
    source: EventSource;
    providerTime: Date | null;
    receivedAt: Date;
    skewMs: number | null;
    eventId: string;
    rawJson: string | null;
  },
): Promise<Booked> {
  const r = (
    await tx.prepared<{ paid: string | number; disposition: string; voucher_id: string | null }>(
      BOOK_PAYMENT,
      [
        `fvc_${newUlid()}`,
        v.accountId,
        v.orderId,
        v.orderCurrency,
        v.orderStatus,
        v.orderTotal,
        v.amount,
        v.currency,
        v.txnId,
        v.attemptId,
        v.tradeNo,
        v.fee,
        v.providerStatus,
        v.source,
        v.providerTime,
        v.receivedAt,
        v.skewMs,
        v.eventId,
        v.rawJson,
      ],
    )
  )[0]!;
  return { paid: Number(r.paid), disposition: r.disposition, voucherId: r.voucher_id };
}

/**
 * BOOK_PAYMENT for several payments in one statement, each against its own order (one payment
 * per order and per provider transaction: a voucher of this statement is not seen by another's
 * sum). The dispositions are BOOK_PAYMENT's.
 */
const BOOK_PAYMENTS = `
  WITH u AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
        $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[], $14::text[],
        $15::timestamptz[], $16::timestamptz[], $17::bigint[], $18::text[], $19::jsonb[])
      WITH ORDINALITY AS u(id, account_id, order_id, order_currency, order_status, order_total, amount, currency,
        txn_id, attempt_id, trade_no, fee, provider_status, source, provider_time, received_at, skew_ms, event_id,
        raw, i)
  ), d AS (
    SELECT u.*, p.paid, CASE
        WHEN u.order_status IN ('cancelled', 'closed') THEN 'paid_after_cancel'
        WHEN u.currency <> u.order_currency THEN 'mismatch'
        WHEN u.order_status <> 'pending_payment' OR p.paid + u.amount > u.order_total THEN 'overpaid'
        WHEN p.paid + u.amount < u.order_total THEN 'partial'
        ELSE 'applied' END AS disposition
      FROM u CROSS JOIN LATERAL (
        SELECT COALESCE(sum(f.amount) FILTER (WHERE f.currency = u.order_currency), 0)::bigint AS paid
          FROM fund_vouchers f WHERE f.order_id = u.order_id
      ) p
  ), ins AS (
    INSERT INTO fund_vouchers (id, payment_account_id, provider_txn_id, kind, order_id, attempt_id, merchant_trade_no,
        amount, currency, fee, status, provider_status, source, disposition, exception, provider_time, received_at,
        skew_ms, event_id, raw)
    SELECT d.id, d.account_id, d.txn_id, 'payment', d.order_id, d.attempt_id, d.trade_no, d.amount, d.currency, d.fee,
        'confirmed', d.provider_status, d.source, d.disposition,
        CASE d.disposition WHEN 'paid_after_cancel' THEN 'PAID_AFTER_CANCEL' WHEN 'mismatch' THEN 'AMOUNT_MISMATCH'
          WHEN 'overpaid' THEN 'OVERPAID' END,
        d.provider_time, d.received_at, d.skew_ms, d.event_id, d.raw
      FROM d ORDER BY d.i
    ON CONFLICT (payment_account_id, provider_txn_id) DO NOTHING
    RETURNING id, attempt_id, received_at
  ), att AS (
    UPDATE payment_attempts a SET status = 'paid', updated_at = ins.received_at FROM ins WHERE a.id = ins.attempt_id
  )
  SELECT d.i, d.paid, d.disposition, ins.id AS voucher_id FROM d LEFT JOIN ins ON ins.id = d.id ORDER BY d.i`;

async function bookPayments(tx: Tx, bookings: readonly PaymentBooking[]): Promise<Booked[]> {
  const column = <K extends keyof PaymentBooking>(k: K) => bookings.map((b) => b[k]);
  const rows = await tx.prepared<{
    i: string | number;
    paid: string | number;
    disposition: string;
    voucher_id: string | null;
  }>(BOOK_PAYMENTS, [
    bookings.map(() => `fvc_${newUlid()}`),
    column('accountId'),
    column('orderId'),
    column('orderCurrency'),
    column('orderStatus'),
    column('orderTotal'),
    column('amount'),
    column('currency'),
    column('txnId'),
    column('attemptId'),
    column('tradeNo'),
    column('fee'),
    column('providerStatus'),
    column('source'),
    column('providerTime'),
    column('receivedAt'),
    column('skewMs'),
    column('eventId'),
    column('rawJson'),
  ]);
  const booked: Booked[] = [];
  for (const r of rows)
    booked[Number(r.i) - 1] = { paid: Number(r.paid), disposition: r.disposition, voucherId: r.voucher_id };
  return booked;
}

/** Locks the attempt's order: by the natural key the attempt keeps (one statement), else read first. */
async function lockOrderOf(tx: Tx, attempt: AttemptRow): Promise<OrderRow> {
  if (attempt.order_channel_account_id && attempt.order_external_id) {
    const locked = await lockOrderByKey(tx, attempt.order_channel_account_id, attempt.order_external_id);
    if (locked?.id === attempt.order_id) return locked;
  }
  const row = await getOrderRow(tx, attempt.order_id);
  return (await lockOrderByKey(tx, row.channelAccountId, row.externalOrderId)) ?? row;
}

type PaymentBooking = Parameters<typeof bookPayment>[1];
export type SucceededPayment = PaymentEvent & { providerTxnId: string };
interface How {
  actor: Actor;
  common: Record<string, unknown>;
  skewMs: number | null;
}

/** Who the event acts as, what every timeline entry of it carries, and the provider's clock skew. */
function howOf(input: ApplyInput): How {
  const { account, event } = input;
  const skewMs = input.sentAt ? input.receivedAt.getTime() - input.sentAt.getTime() : null;
  return {
    actor: actorFor(account, input.source),
    common: {
      provider: account.provider.name,
      paymentAccount: account.code,
      merchantTradeNo: event.merchantTradeNo,
      source: input.source,
      ...(skewMs === null ? {} : { skewSeconds: Math.round(skewMs / 1000) }),
    },
    skewMs,
  };
}

/** What the voucher statement needs for a succeeded payment, the order locked. */
function voucherOf(
  input: ApplyInput,
  event: SucceededPayment,
  attempt: AttemptRow,
  order: OrderRow,
  skewMs: number | null,
): PaymentBooking {
  return {
    accountId: input.account.id,
    txnId: event.providerTxnId,
    orderId: order.id,
    orderStatus: order.status,
    orderTotal: Number(order.total),
    orderCurrency: order.currency,
    attemptId: attempt.id,
    tradeNo: event.merchantTradeNo,
    amount: event.amount,
    currency: event.currency,
    fee: event.fee,
    providerStatus: event.providerStatus,
    source: input.source,
    providerTime: event.providerTime,
    receivedAt: input.receivedAt,
    skewMs,
    eventId: input.eventRowId,
    rawJson: input.decodedJson !== undefined ? input.decodedJson : decodedJsonOf(input.decoded),
  };
}

/**
 * After a succeeded payment's voucher statement, under the order's lock: the order moves as the
 * vouchers say (paid, or held for a mismatch) and the payment timeline says what happened. One
 * callback at a time or many in one transaction (`applySucceededPayments`), the same code.
 */
async function afterPaymentBooked(
  tx: Tx,
  ctx: TransitionContext,
  input: ApplyInput,
  event: SucceededPayment,
  order: OrderRow,
  booked: Booked,
  how: How,
): Promise<ApplyOutcome> {
  const { account, source } = input;
  const { actor, common, skewMs } = how;
  const at = input.receivedAt;
  const total = Number(order.total);
  const { paid, disposition, voucherId } = booked;
  if (!voucherId) return { outcome: 'duplicate', orderId: order.id, voucherId: null };
  const exception = EXCEPTION_OF[disposition] ?? null;
  const action: PaymentTimelineAction =
    disposition === 'applied'
      ? source === 'query'
        ? 'query_applied'
        : 'callback_applied'
      : ACTION_OF[disposition]!;
  const booking = {
    voucherId,
    providerTxnId: event.providerTxnId,
    amount: event.amount,
    currency: event.currency,
    paidBefore: paid,
    orderTotal: total,
    orderCurrency: order.currency,
  };
  let current = order;
  const pay = {
    orderId: order.id,
    event: 'pay' as const,
    note: `${account.provider.name} ${event.providerTxnId}`,
    details: { voucherId },
  };
  // The voucher just written, under the order's lock, is what the `paidByVoucher` guard would read.
  voucherPays.add(pay);
  if (order.status === 'pending_payment' && disposition !== 'partial' && disposition !== 'paid_after_cancel')
    current = await transitionLocked(tx, ctx, at, actor, current, pay);
  if ((exception === 'AMOUNT_MISMATCH' || exception === 'OVERPAID') && HOLDABLE.has(current.status))
    await transitionLocked(tx, ctx, at, actor, current, {
      orderId: order.id,
      event: 'hold',
      reasonCode: 'PAYMENT_MISMATCH',
      details: booking,
    });
  // Written last, so they travel with COMMIT (a held-back write before the order update would cost a round trip).
  await paymentTimeline(tx.deferred, at, actor, order.id, action, { ...common, ...booking });
  if (skewMs !== null && Math.abs(skewMs) > input.skewAlertSeconds * 1000)
    await paymentTimeline(tx.deferred, at, actor, order.id, 'skew_warning', {
      ...common,
      thresholdSeconds: input.skewAlertSeconds,
    });
  return { outcome: 'applied', orderId: order.id, voucherId };
}

/** The key an event's voucher is unique on, with its account: the provider's transaction id, or the refund's number. */
export function txnKeyOf(event: PaymentEvent | RefundEvent): string {
  return event.kind === 'payment' ? (event.providerTxnId ?? '') : `refund:${event.merchantRefundNo}`;
}

/**
 * Books one provider event in the caller's transaction: a succeeded payment or refund becomes a
 * voucher (unless the provider transaction has one — then nothing is written), and the order moves
 * as the vouchers say. The same function serves callbacks, active queries and refund answers, so
 * a second path to the truth never counts twice.
 */
export async function applyProviderEvent(
  tx: Tx,
  ctx: TransitionContext,
  input: ApplyInput,
): Promise<ApplyOutcome> {
  const { account, event } = input;
  const attempt =
    input.attempt !== undefined
      ? (input.attempt ?? undefined)
      : await probeCallback(tx, account.id, event.merchantTradeNo, txnKeyOf(event));
  if (!attempt) return { outcome: 'unknown_trade', orderId: null, voucherId: null };
  const how = howOf(input);
  const { actor, common } = how;
  const at = input.receivedAt;
  if (event.kind === 'payment') {
    if (event.status !== 'succeeded' || !event.providerTxnId) {
      if ((event.status === 'closed' || event.status === 'failed') && attempt.status === 'pending')
        await tx.deferred.query(
          `UPDATE payment_attempts SET status = $2, updated_at = $3 WHERE id = $1 AND status = 'pending'`,
          [attempt.id, event.status, at],
        );
      return {
        outcome: event.status === 'pending' ? 'pending' : 'ignored',
        orderId: attempt.order_id,
        voucherId: null,
      };
    }
    // Most duplicates end here, without taking the order's lock.
    if (attempt.seen) {
      await paymentTimeline(tx.deferred, at, actor, attempt.order_id, 'callback_duplicate', {
        ...common,
        providerTxnId: event.providerTxnId,
        amount: event.amount,
        currency: event.currency,
      });
      return { outcome: 'duplicate', orderId: attempt.order_id, voucherId: null };
    }
    const succeeded = event as SucceededPayment;
    const order = await lockOrderOf(tx, attempt);
    const booked = await bookPayment(tx, voucherOf(input, succeeded, attempt, order, how.skewMs));
    return afterPaymentBooked(tx, ctx, input, succeeded, order, booked, how);
  }
  return applyRefundEvent(tx, input, attempt, actor, common);
}

/**
 * Succeeded payments of several callbacks in the caller's transaction, each step one statement for
 * all of them: their orders locked (in id order), their vouchers, then each order moved as one
 * callback would move it (`afterPaymentBooked`). The caller passes each one's attempt as probed
 * (found, not seen) and at most one per order and per provider transaction. An entry whose order
 * cannot be locked by the key its attempt keeps answers 'alone': the caller applies it by itself.
 */
export async function applySucceededPayments(
  tx: Tx,
  ctx: TransitionContext,
  inputs: readonly (ApplyInput & { attempt: AttemptProbe; event: SucceededPayment })[],
): Promise<(ApplyOutcome | 'alone')[]> {
  if (inputs.length === 0) return [];
  const keyed = inputs.filter((i) => i.attempt.order_channel_account_id && i.attempt.order_external_id);
  const locked = new Map(
    (
      await lockOrdersByKeys(
        tx,
        keyed.map((i) => ({
          accountId: i.attempt.order_channel_account_id!,
          externalOrderId: i.attempt.order_external_id!,
        })),
      )
    ).map((o) => [o.id, o]),
  );
  const go = inputs.filter((i) => locked.has(i.attempt.order_id));
  const bookings = go.map((i) =>
    voucherOf(i, i.event, i.attempt, locked.get(i.attempt.order_id)!, howOf(i).skewMs),
  );
  const booked = await bookPayments(tx, bookings);
  const outcomes = new Map<ApplyInput, ApplyOutcome>();
  for (const [k, input] of go.entries()) {
    const order = locked.get(input.attempt.order_id)!;
    outcomes.set(
      input,
      await afterPaymentBooked(tx, ctx, input, input.event, order, booked[k]!, howOf(input)),
    );
  }
  return inputs.map((i) => outcomes.get(i) ?? 'alone');
}

async function applyRefundEvent(
  tx: Tx,
  input: ApplyInput,
  attempt: AttemptRow,
  actor: Actor,
  common: Record<string, unknown>,
): Promise<ApplyOutcome> {
  const event = input.event as RefundEvent;
  const at = input.receivedAt;
  const refund = (
    await tx.query<{ id: string; status: string; amount: string | number }>(
      `SELECT id, status, amount FROM payment_refunds WHERE merchant_refund_no = $1 FOR UPDATE`,
      [event.merchantRefundNo],
    )
  )[0];
  const details = {
    ...common,
    merchantRefundNo: event.merchantRefundNo,
    providerRefundId: event.providerRefundId,
    amount: event.amount,
    currency: event.currency,
    providerStatus: event.providerStatus,
  };
  if (event.status !== 'succeeded') {
    if (
      refund &&
      (refund.status === 'requested' || refund.status === 'processing') &&
      refund.status !== event.status
    ) {
      const next = event.status === 'processing' ? 'processing' : event.status;
      await tx.query(
        `UPDATE payment_refunds SET status = $2, provider_status = $3, provider_refund_id = COALESCE($4, provider_refund_id), updated_at = $5 WHERE id = $1`,
        [refund.id, next, event.providerStatus, event.providerRefundId, at],
      );
      await paymentTimeline(
        tx.deferred,
        at,
        actor,
        attempt.order_id,
        next === 'processing' ? 'refund_processing' : 'refund_failed',
        details,
      );
    }
    return {
      outcome: event.status === 'processing' ? 'pending' : 'ignored',
      orderId: attempt.order_id,
      voucherId: null,
    };
  }
  const txnId = `refund:${event.merchantRefundNo}`;
  if (attempt.seen) {
    if (refund && refund.status !== 'succeeded')
      await tx.query(
        `UPDATE payment_refunds SET status = 'succeeded', provider_status = $2, updated_at = $3 WHERE id = $1`,
        [refund.id, event.providerStatus, at],
      );
    return { outcome: 'duplicate', orderId: attempt.order_id, voucherId: null };
  }
  const payment = (
    await tx.query<{ id: string }>(
      `SELECT id FROM fund_vouchers WHERE attempt_id = $1 AND kind = 'payment' ORDER BY received_at LIMIT 1`,
      [attempt.id],
    )
  )[0];
  const voucherId = await insertVoucher(tx, {
    accountId: input.account.id,
    txnId,
    kind: 'refund',
    orderId: attempt.order_id,
    attemptId: attempt.id,
    refundId: refund?.id ?? null,
    reversesId: payment?.id ?? null,
    tradeNo: event.merchantTradeNo,
    amount: -event.amount,
    currency: event.currency,
    fee: null,
    providerStatus: event.providerStatus,
    source: input.source,
    disposition: refund ? 'refunded' : 'refunded_outside',
    exception: null,
    providerTime: event.providerTime,
    receivedAt: at,
    skewMs: input.sentAt ? at.getTime() - input.sentAt.getTime() : null,
    eventId: input.eventRowId,
    raw: input.decoded,
  });
  if (!voucherId) return { outcome: 'duplicate', orderId: attempt.order_id, voucherId: null };
  if (refund)
    await tx.query(
      `UPDATE payment_refunds SET status = 'succeeded', provider_status = $2, provider_refund_id = COALESCE($3, provider_refund_id), updated_at = $4 WHERE id = $1`,
      [refund.id, event.providerStatus, event.providerRefundId, at],
    );
  await paymentTimeline(tx.deferred, at, actor, attempt.order_id, 'refund_succeeded', {
    ...details,
    voucherId,
  });
  return { outcome: 'applied', orderId: attempt.order_id, voucherId };
}
