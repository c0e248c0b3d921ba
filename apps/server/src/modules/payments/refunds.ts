import type { RefundView } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../platform/actor.ts';
import type { Tx } from '../../platform/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { newUlid } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { getOrderRow, lockOrderByKey, transitionContext } from '../orders/index.ts';
import { loadAccountById } from './accounts.ts';
import { actorFor, applyProviderEvent, paymentTimeline } from './apply.ts';
import { failureParams, providerContext, providerFailure } from './attempts.ts';
import { recordEvent, settleEvent } from './events.ts';
import { ProviderError, type RefundEvent } from './provider.ts';
import { paymentSettingsOf, REFUND_FOLLOW_QUEUE } from './settings.ts';
import { paidOf, refundsInFlight, refundView } from './views.ts';

// biome-ignore lint/suspicious/noExplicitAny: rows of hand-written SQL, read field by field
type DbRow = Record<string, any>;

export const CreateRefundBody = Type.Object(
  {
    amount: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'in the order currency’s minor unit',
    }),
    reason: Type.String({ minLength: 1, maxLength: 200 }),
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          {
            lineNo: Type.Integer({ minimum: 1, maximum: 100000 }),
            quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 500 },
      ),
    ),
  },
  { additionalProperties: false, examples: [{ amount: 2000, reason: '少发一件' }] },
);
export type CreateRefundBody = typeof CreateRefundBody.static;

export interface RefundFollowMessage {
  refundId: string;
}

/**
 * Records a refund under the order's row lock, so that concurrent requests never take together
 * more than was paid: the refundable amount is confirmed payments minus confirmed refunds minus
 * refunds still in flight. The provider call happens after the commit (and again from the job,
 * with the same refund number, until the provider answers).
 */
export async function requestRefund(
  tx: Tx,
  deps: Deps,
  at: Date,
  actor: Actor,
  orderId: string,
  input: CreateRefundBody,
): Promise<RefundView> {
  const row = await getOrderRow(tx, orderId);
  const order = (await lockOrderByKey(tx, row.channelAccountId, row.externalOrderId)) ?? row;
  const paid = await paidOf(tx, order.id, order.currency);
  if (paid <= 0)
    throw new DomainError(
      'REFUND_NOTHING_PAID',
      `order ${order.orderNo} holds no confirmed payment to refund`,
      { paid },
    );
  const refundable = paid - (await refundsInFlight(tx, order.id));
  if (input.amount > refundable)
    throw new DomainError(
      'REFUND_EXCEEDS_PAID',
      `a refund of ${input.amount} exceeds what may still be refunded (${refundable} of ${paid} paid)`,
      { refundable, paid, requested: input.amount },
    );
  // The payment transaction with the most left to refund that covers the amount.
  const vouchers = await tx.query<{
    id: string;
    attempt_id: string;
    payment_account_id: string;
    remaining: string | number;
  }>(
    `SELECT p.id, p.attempt_id, p.payment_account_id,
            p.amount + COALESCE((SELECT sum(r.amount) FROM fund_vouchers r WHERE r.reverses_id = p.id), 0)
              - COALESCE((SELECT sum(q.amount) FROM payment_refunds q WHERE q.voucher_id = p.id AND q.status IN ('requested','processing')), 0) AS remaining
       FROM fund_vouchers p
      WHERE p.order_id = $1 AND p.kind = 'payment' AND p.currency = $2 AND p.attempt_id IS NOT NULL
      ORDER BY remaining DESC, p.received_at`,
    [order.id, order.currency],
  );
  const voucher = vouchers.find((v) => Number(v.remaining) >= input.amount);
  if (!voucher)
    throw new DomainError(
      'REFUND_EXCEEDS_PAID',
      `no single payment covers ${input.amount}; refund at most ${Number(vouchers[0]?.remaining ?? 0)} at a time`,
      { refundable, largestPerPayment: Number(vouchers[0]?.remaining ?? 0) },
    );
  const id = `rfd_${newUlid()}`;
  const refundNo = `R${newUlid().toUpperCase()}`;
  await tx.query(
    `INSERT INTO payment_refunds (id, order_id, payment_account_id, attempt_id, voucher_id, merchant_refund_no, amount, currency, reason, lines, status, requested_by, created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'requested',$11,$12,$12)`,
    [
      id,
      order.id,
      voucher.payment_account_id,
      voucher.attempt_id,
      voucher.id,
      refundNo,
      input.amount,
      order.currency,
      input.reason,
      input.lines ? JSON.stringify(input.lines) : null,
      actor.name,
      at,
    ],
  );
  await paymentTimeline(tx, at, actor, order.id, 'refund_requested', {
    merchantRefundNo: refundNo,
    amount: input.amount,
    currency: order.currency,
    reason: input.reason,
    ...(input.lines ? { lines: input.lines } : {}),
  });
  await recordAudit(tx, at, actor, {
    action: 'payment.refund',
    entityType: 'order',
    entityId: order.id,
    summary: {
      refundId: id,
      merchantRefundNo: refundNo,
      amount: input.amount,
      currency: order.currency,
      reason: input.reason,
    },
  });
  // The outbox: the job exists exactly when the refund does.
  await deps.jobs.send(tx, REFUND_FOLLOW_QUEUE, { refundId: id } satisfies RefundFollowMessage, {
    startAfter: 5,
    retryLimit: 20,
    retryDelay: 30,
    retryBackoff: true,
  });
  return refundOf(tx, id);
}

async function refundOf(exec: Tx | Deps['database'], id: string): Promise<RefundView> {
  const rows = await exec.query<DbRow>(
    `SELECT r.*, a.merchant_trade_no FROM payment_refunds r JOIN payment_attempts a ON a.id = r.attempt_id WHERE r.id = $1`,
    [id],
  );
  return refundView(rows[0]!);
}

/**
 * Takes a refund one step towards its end: asks the provider to execute it (same refund number,
 * so a repeat is harmless) while it is `requested`, queries it while `processing`, and books what
 * the provider answers exactly as a refund notice would be booked. Throws while it is not final,
 * so the job is retried with backoff.
 */
export async function followRefund(deps: Deps, refundId: string): Promise<RefundView> {
  const { database, crypto, clock } = deps;
  const s = paymentSettingsOf(deps);
  const rows = await database.query<DbRow>(
    `SELECT r.*, a.merchant_trade_no, a.provider_ref, v.provider_txn_id, v.amount AS paid_amount
       FROM payment_refunds r JOIN payment_attempts a ON a.id = r.attempt_id JOIN fund_vouchers v ON v.id = r.voucher_id
      WHERE r.id = $1`,
    [refundId],
  );
  const r = rows[0];
  if (!r) throw new DomainError('NOT_FOUND', `no refund ${refundId}`);
  if (!['requested', 'processing'].includes(r['status'])) return refundView(r);
  const account = await loadAccountById(database, crypto, r['payment_account_id']);
  if (!account || account === 'unreadable')
    throw new Error(`payment account of refund ${refundId} cannot be used`);
  const ctx = providerContext(deps, account);
  let event: RefundEvent | null;
  const kind = r['status'] === 'requested' ? 'refund' : 'refund_query';
  try {
    event =
      r['status'] === 'requested'
        ? await account.provider.refund(ctx, {
            merchantTradeNo: r['merchant_trade_no'],
            providerTxnId: r['provider_txn_id'],
            providerRef: r['provider_ref'],
            merchantRefundNo: r['merchant_refund_no'],
            amount: Number(r['amount']),
            total: Number(r['paid_amount']),
            currency: r['currency'],
            reason: r['reason'],
          })
        : await account.provider.queryRefund(ctx, {
            merchantTradeNo: r['merchant_trade_no'],
            merchantRefundNo: r['merchant_refund_no'],
            providerRefundId: r['provider_refund_id'],
            currency: r['currency'],
          });
  } catch (e) {
    const at = clock.now();
    const failure = providerFailure(
      e,
      `${account.provider.name} ${kind === 'refund' ? 'refund' : 'refund query'}`,
    );
    const final = e instanceof ProviderError && !e.retryable && kind === 'refund';
    await database.tx(async (tx) => {
      await recordEvent(tx, {
        accountId: account.id,
        accountCode: account.code,
        kind,
        outcome: 'failed',
        reason: kind === 'refund' ? 'REFUND_FAILED' : 'REFUND_QUERY_FAILED',
        params: failureParams(e),
        message: failure.message.slice(0, 500),
        merchantTradeNo: r['merchant_trade_no'],
        orderId: r['order_id'],
        receivedAt: at,
      });
      await tx.query(
        `UPDATE payment_refunds SET last_error = $2, last_error_reason = $5, last_error_params = $6::jsonb,
            status = CASE WHEN $3::boolean THEN 'failed' ELSE status END, query_count = query_count + 1, updated_at = $4
          WHERE id = $1`,
        [
          refundId,
          failure.message.slice(0, 500),
          final,
          at,
          kind === 'refund' ? 'REFUND_FAILED' : 'REFUND_QUERY_FAILED',
          JSON.stringify(failureParams(e)),
        ],
      );
      if (final)
        await paymentTimeline(tx, at, actorFor(account, 'refund'), r['order_id'], 'refund_failed', {
          merchantRefundNo: r['merchant_refund_no'],
          amount: Number(r['amount']),
          currency: r['currency'],
          ...failureParams(e),
          message: failure.message,
        });
    });
    if (final) return refundOf(database, refundId);
    throw failure;
  }
  const at = clock.now();
  const eventRowId = await recordEvent(database, {
    accountId: account.id,
    accountCode: account.code,
    kind,
    outcome: 'received',
    merchantTradeNo: r['merchant_trade_no'],
    orderId: r['order_id'],
    decoded: event,
    receivedAt: at,
  });
  if (event) {
    const ev = event;
    await database.tx(async (tx) => {
      const res = await applyProviderEvent(tx, transitionContext(deps), {
        account,
        event: ev,
        source: 'refund',
        eventRowId,
        receivedAt: at,
        sentAt: null,
        decoded: ev,
        skewAlertSeconds: s.skewAlertSeconds,
      });
      await tx.query(
        `UPDATE payment_refunds SET query_count = query_count + 1, last_error = NULL, last_error_reason = NULL, last_error_params = NULL WHERE id = $1`,
        [refundId],
      );
      await settleEvent(tx, eventRowId, res.outcome, { orderId: res.orderId, voucherId: res.voucherId });
    });
  } else
    await settleEvent(database, eventRowId, 'pending', {
      reason: 'NOT_AT_PROVIDER',
      message: 'the provider does not know the refund yet',
    });
  const view = await refundOf(database, refundId);
  if (view.status === 'requested' || view.status === 'processing')
    throw new Error(`refund ${view.merchantRefundNo} is ${view.status}; following it again later`);
  return view;
}
