import type { PaymentException, PaymentTimelineAction } from '@orderhub/contracts';
import { type Actor, systemActor } from '../../platform/actor.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { newUlid } from '../../platform/ids.ts';
import {
  appendTimeline,
  getOrderRow,
  lockOrderByKey,
  type OrderRow,
  type TransitionContext,
  transitionLocked,
} from '../orders/index.ts';
import type { PaymentAccount } from './accounts.ts';
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
  skewAlertSeconds: number;
}

export type ApplyOutcome =
  | {
      outcome: 'applied' | 'duplicate' | 'pending' | 'ignored';
      orderId: string | null;
      voucherId: string | null;
    }
  | { outcome: 'unknown_trade'; orderId: null; voucherId: null };

interface AttemptRow {
  id: string;
  order_id: string;
  amount: string | number;
  currency: string;
  status: string;
}

const HOLDABLE = new Set(['paid', 'under_review', 'approved', 'fulfilling']);
const FINAL = new Set(['cancelled', 'closed']);

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

async function attemptByTradeNo(
  exec: SqlExecutor,
  accountId: string,
  tradeNo: string,
  txnId: string | null,
): Promise<(AttemptRow & { seen: boolean }) | undefined> {
  // One round trip: the attempt, and whether this provider transaction already has its voucher.
  return (
    await exec.query<AttemptRow & { seen: boolean } & Record<string, unknown>>(
      `SELECT id, order_id, amount, currency, status,
              EXISTS (SELECT 1 FROM fund_vouchers WHERE payment_account_id = $2 AND provider_txn_id = $3) AS seen
         FROM payment_attempts WHERE merchant_trade_no = $1 AND payment_account_id = $2`,
      [tradeNo, accountId, txnId ?? ''],
    )
  )[0];
}

/** What the order holds in vouchers, in its own currency (payments minus refunds), and whether any differs in currency. */
async function paidSoFar(
  exec: SqlExecutor,
  orderId: string,
  currency: string,
): Promise<{ paid: number; payments: number }> {
  const r = (
    await exec.query<{ paid: string | number | null; payments: string | number }>(
      `SELECT COALESCE(sum(amount) FILTER (WHERE currency = $2), 0) AS paid,
              count(*) FILTER (WHERE kind = 'payment') AS payments
         FROM fund_vouchers WHERE order_id = $1`,
      [orderId, currency],
    )
  )[0];
  return { paid: Number(r?.paid ?? 0), payments: Number(r?.payments ?? 0) };
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

async function lockOrderById(tx: Tx, orderId: string): Promise<OrderRow> {
  const row = await getOrderRow(tx, orderId);
  return (await lockOrderByKey(tx, row.channelAccountId, row.externalOrderId)) ?? row;
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
  const txnKey =
    event.kind === 'payment' ? event.providerTxnId : `refund:${(event as RefundEvent).merchantRefundNo}`;
  const attempt = await attemptByTradeNo(tx, account.id, event.merchantTradeNo, txnKey);
  if (!attempt) return { outcome: 'unknown_trade', orderId: null, voucherId: null };
  const actor = actorFor(account, input.source);
  const at = input.receivedAt;
  const skewMs = input.sentAt ? at.getTime() - input.sentAt.getTime() : null;
  const common = {
    provider: account.provider.name,
    paymentAccount: account.code,
    merchantTradeNo: event.merchantTradeNo,
    source: input.source,
    ...(skewMs === null ? {} : { skewSeconds: Math.round(skewMs / 1000) }),
  };
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
    const order = await lockOrderById(tx, attempt.order_id);
    const { paid } = await paidSoFar(tx, order.id, order.currency);
    const total = Number(order.total);
    let disposition: string;
    let exception: PaymentException | null = null;
    let action: PaymentTimelineAction;
    if (FINAL.has(order.status)) {
      disposition = 'paid_after_cancel';
      exception = 'PAID_AFTER_CANCEL';
      action = 'paid_after_cancel';
    } else if (event.currency !== order.currency) {
      disposition = 'mismatch';
      exception = 'AMOUNT_MISMATCH';
      action = 'amount_mismatch';
    } else if (order.status !== 'pending_payment' || paid + event.amount > total) {
      disposition = 'overpaid';
      exception = 'OVERPAID';
      action = 'overpaid';
    } else if (paid + event.amount < total) {
      disposition = 'partial';
      action = 'callback_partial';
    } else {
      disposition = 'applied';
      action = input.source === 'query' ? 'query_applied' : 'callback_applied';
    }
    const voucherId = await insertVoucher(tx, {
      accountId: account.id,
      txnId: event.providerTxnId,
      kind: 'payment',
      orderId: order.id,
      attemptId: attempt.id,
      refundId: null,
      reversesId: null,
      tradeNo: event.merchantTradeNo,
      amount: event.amount,
      currency: event.currency,
      fee: event.fee,
      providerStatus: event.providerStatus,
      source: input.source,
      disposition,
      exception,
      providerTime: event.providerTime,
      receivedAt: at,
      skewMs,
      eventId: input.eventRowId,
      raw: input.decoded,
    });
    if (!voucherId) return { outcome: 'duplicate', orderId: order.id, voucherId: null };
    await tx.query(`UPDATE payment_attempts SET status = 'paid', updated_at = $2 WHERE id = $1`, [
      attempt.id,
      at,
    ]);
    const details = {
      ...common,
      voucherId,
      providerTxnId: event.providerTxnId,
      amount: event.amount,
      currency: event.currency,
      paidBefore: paid,
      orderTotal: total,
      orderCurrency: order.currency,
    };
    await paymentTimeline(tx.deferred, at, actor, order.id, action, details);
    if (skewMs !== null && Math.abs(skewMs) > input.skewAlertSeconds * 1000)
      await paymentTimeline(tx.deferred, at, actor, order.id, 'skew_warning', {
        ...common,
        thresholdSeconds: input.skewAlertSeconds,
      });
    let current = order;
    if (
      order.status === 'pending_payment' &&
      disposition !== 'partial' &&
      disposition !== 'paid_after_cancel'
    )
      current = await transitionLocked(tx, ctx, at, actor, current, {
        orderId: order.id,
        event: 'pay',
        note: `${account.provider.name} ${event.providerTxnId}`,
        details: { voucherId },
      });
    if ((exception === 'AMOUNT_MISMATCH' || exception === 'OVERPAID') && HOLDABLE.has(current.status))
      await transitionLocked(tx, ctx, at, actor, current, {
        orderId: order.id,
        event: 'hold',
        reasonCode: 'PAYMENT_MISMATCH',
        note: `${event.amount} ${event.currency} on ${event.providerTxnId}; order ${total} ${order.currency}, paid before ${paid}`,
        details: { voucherId },
      });
    return { outcome: 'applied', orderId: order.id, voucherId };
  }
  return applyRefundEvent(tx, input, attempt, actor, common);
}

async function applyRefundEvent(
  tx: Tx,
  input: ApplyInput,
  attempt: AttemptRow & { seen: boolean },
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
