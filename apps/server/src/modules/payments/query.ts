import type { Deps } from '../../platform/deps.ts';
import { transitionContext } from '../orders/index.ts';
import { loadAccountById } from './accounts.ts';
import { actorFor, applyProviderEvent, paymentTimeline } from './apply.ts';
import { failureParams, providerContext, providerFailure } from './attempts.ts';
import { recordEvent, settleEvent } from './events.ts';
import type { PaymentEvent } from './provider.ts';
import { PAYMENT_QUERY_QUEUE, paymentSettingsOf } from './settings.ts';

// biome-ignore lint/suspicious/noExplicitAny: rows of hand-written SQL, read field by field
type DbRow = Record<string, any>;

export interface PaymentQueryMessage {
  attemptId: string;
}

/**
 * Attempts due for an active query: pending, older than `activeQueryAfterSeconds`, not queried in
 * the last `queryIntervalSeconds`, and not long past their expiry (a late payment is still money).
 */
export async function dueAttempts(
  deps: Pick<Deps, 'database' | 'clock' | 'settings'>,
  limit = 200,
): Promise<string[]> {
  const s = paymentSettingsOf(deps);
  const now = deps.clock.now().getTime();
  const rows = await deps.database.query<{ id: string }>(
    `SELECT a.id FROM payment_attempts a
      WHERE a.status = 'pending' AND a.created_at <= $1
        AND (a.last_queried_at IS NULL OR a.last_queried_at <= $2)
        AND a.expires_at >= $3
        AND NOT EXISTS (SELECT 1 FROM fund_vouchers v WHERE v.attempt_id = a.id AND v.kind = 'payment')
      ORDER BY a.created_at LIMIT ${Math.max(1, Math.floor(limit))}`,
    [
      new Date(now - s.activeQueryAfterSeconds * 1000),
      new Date(now - s.queryIntervalSeconds * 1000),
      new Date(now - s.queryGraceSeconds * 1000),
    ],
  );
  return rows.map((r) => r.id);
}

/** The sweep: one query job per due attempt (a singleton per attempt, so a slow provider is not asked twice at once). */
export async function sweepPendingAttempts(deps: Deps): Promise<number> {
  const ids = await dueAttempts(deps);
  for (const attemptId of ids)
    await deps.jobs.send(deps.database, PAYMENT_QUERY_QUEUE, { attemptId } satisfies PaymentQueryMessage, {
      singletonKey: attemptId,
      retryLimit: 3,
      retryDelay: 20,
    });
  return ids.length;
}

/**
 * Asks the provider about one attempt and books the answer exactly as a callback would be booked
 * (same voucher key): a second path to the truth, never a second count.
 */
export async function queryAttempt(
  deps: Deps,
  attemptId: string,
): Promise<'applied' | 'duplicate' | 'pending' | 'ignored' | 'unknown' | 'failed' | 'skipped'> {
  const { database, crypto, clock, log } = deps;
  const s = paymentSettingsOf(deps);
  const a = (
    await database.query<DbRow>(
      `SELECT id, order_id, payment_account_id, merchant_trade_no, provider_ref, status, last_query_result FROM payment_attempts WHERE id = $1`,
      [attemptId],
    )
  )[0];
  if (a?.['status'] !== 'pending') return 'skipped';
  const account = await loadAccountById(database, crypto, a['payment_account_id']);
  if (!account || account === 'unreadable') return 'skipped';
  const actor = actorFor(account, 'query');
  const tradeNo: string = a['merchant_trade_no'];
  const common = {
    provider: account.provider.name,
    paymentAccount: account.code,
    merchantTradeNo: tradeNo,
    source: 'query',
  };
  let result: PaymentEvent | null;
  try {
    result = await account.provider.queryPayment(providerContext(deps, account), {
      merchantTradeNo: tradeNo,
      providerRef: a['provider_ref'],
    });
  } catch (e) {
    const at = clock.now();
    const failure = providerFailure(e, `${account.provider.name} query`);
    await database.tx(async (tx) => {
      await recordEvent(tx, {
        accountId: account.id,
        accountCode: account.code,
        kind: 'query',
        outcome: 'failed',
        reason: 'QUERY_FAILED',
        params: failureParams(e),
        message: failure.message.slice(0, 500),
        merchantTradeNo: tradeNo,
        orderId: a['order_id'],
        receivedAt: at,
      });
      await tx.query(
        `UPDATE payment_attempts SET query_count = query_count + 1, last_queried_at = $2, last_query_result = 'failed' WHERE id = $1`,
        [attemptId, at],
      );
      if (a['last_query_result'] !== 'failed')
        await paymentTimeline(tx, at, actor, a['order_id'], 'query_failed', {
          ...common,
          ...failureParams(e),
          message: failure.message,
        });
    });
    log.warn({ attemptId, err: failure.message }, 'payment query failed');
    return 'failed';
  }
  const at = clock.now();
  const state = result === null ? 'unknown' : result.status;
  const eventRowId = await recordEvent(database, {
    accountId: account.id,
    accountCode: account.code,
    kind: 'query',
    outcome: 'received',
    merchantTradeNo: tradeNo,
    orderId: a['order_id'],
    decoded: result,
    receivedAt: at,
  });
  return database.tx(async (tx) => {
    let outcome: 'applied' | 'duplicate' | 'pending' | 'ignored' | 'unknown' = 'unknown';
    if (result) {
      const r = await applyProviderEvent(tx, transitionContext(deps), {
        account,
        event: result,
        source: 'query',
        eventRowId,
        receivedAt: at,
        sentAt: null,
        decoded: result,
        skewAlertSeconds: s.skewAlertSeconds,
      });
      outcome = r.outcome === 'unknown_trade' ? 'unknown' : r.outcome;
      await settleEvent(tx, eventRowId, r.outcome, { orderId: r.orderId, voucherId: r.voucherId });
    } else
      await settleEvent(tx, eventRowId, 'pending', {
        reason: 'NOT_AT_PROVIDER',
        message: 'the provider does not know the trade yet',
      });
    await tx.query(
      `UPDATE payment_attempts SET query_count = query_count + 1, last_queried_at = $2, last_query_result = $3 WHERE id = $1`,
      [attemptId, at, state],
    );
    if (
      (outcome === 'pending' || outcome === 'unknown' || outcome === 'ignored') &&
      a['last_query_result'] !== state
    )
      await paymentTimeline(tx, at, actor, a['order_id'], 'query_pending', {
        ...common,
        providerStatus: result?.providerStatus ?? null,
      });
    return outcome;
  });
}
