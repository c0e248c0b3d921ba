import type { Database, Tx } from '../../platform/db.ts';
import type { TransitionContext } from '../orders/index.ts';
import type { PaymentAccount } from './accounts.ts';
import {
  type ApplyOutcome,
  applyProviderEvent,
  applySucceededPayments,
  type SucceededPayment,
  txnKeyOf,
} from './apply.ts';
import { type NewEvent, probeCallback, probeCallbacks, recordCallbackEvent } from './events.ts';
import type { PaymentEvent, RefundEvent } from './provider.ts';

/** A verified callback, ready to be booked: the event row's id and raw parts travel with it. */
export interface CallbackJob {
  account: PaymentAccount;
  event: PaymentEvent | RefundEvent;
  eventId: string;
  /** The event row as received (account, headers, raw body, receipt time). */
  row: Omit<NewEvent, 'outcome'> & { accountId: string };
  providerEventId: string | null;
  sentAt: Date | null;
  decoded: unknown;
  decodedJson: string | null;
}

/** Most callbacks one transaction books together. */
const MAX_BATCH = 32;
/**
 * Transactions of booked-together callbacks running at once, per process: the next gathers while
 * one runs. One gives the largest batches (two or more gave smaller batches and less throughput in
 * the payments bench). A transaction that takes longer than SLOW_MS (waiting on a lock, say) lets
 * one more start, up to MAX_IN_FLIGHT, so one slow booking does not hold up every callback.
 */
const SLOW_MS = 200;
const MAX_IN_FLIGHT = 4;

const isSucceeded = (e: PaymentEvent | RefundEvent): e is SucceededPayment =>
  e.kind === 'payment' && e.status === 'succeeded' && !!e.providerTxnId;

function inputOf(
  job: CallbackJob,
  skewAlertSeconds: number,
  attempt: Parameters<typeof applyProviderEvent>[2]['attempt'],
) {
  return {
    account: job.account,
    event: job.event,
    source: 'callback' as const,
    eventRowId: job.eventId,
    receivedAt: job.row.receivedAt,
    sentAt: job.sentAt,
    decoded: job.decoded,
    decodedJson: job.decodedJson,
    skewAlertSeconds,
    attempt,
  };
}

/** The callback's event row with its outcome, held back to travel with COMMIT. */
async function recordOutcome(tx: Tx, job: CallbackJob, r: ApplyOutcome): Promise<void> {
  await recordCallbackEvent(tx.deferred, {
    ...job.row,
    id: job.eventId,
    outcome: r.outcome,
    ...(r.outcome === 'unknown_trade' ? { reason: 'TRADE_UNKNOWN' } : {}),
    providerEventId: job.providerEventId,
    merchantTradeNo: job.event.merchantTradeNo,
    orderId: r.orderId,
    voucherId: r.voucherId,
    decodedJson: job.decodedJson,
    sentAt: job.sentAt,
  });
}

interface Pending {
  job: CallbackJob;
  resolve: (r: ApplyOutcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Books verified callbacks. One callback is booked in its own transaction, as it always was.
 * Succeeded payments that arrive while others are being booked wait for the next transaction and
 * are booked there together (group commit): one statement probes their attempts, one locks their
 * orders, one writes their vouchers, and every order then moves by the same transition as alone.
 * Each is answered after that transaction's COMMIT, never before. A batch takes at most one
 * callback per order and per provider transaction; the others are booked alone after it. If the
 * batch's transaction fails, nothing of it stays, and each of its callbacks is booked alone, so
 * one bad callback costs the others nothing but time.
 */
export function callbackBooker(opts: {
  database: Database;
  transitions: TransitionContext;
  skewAlertSeconds: number;
  onBatchFailed?: (err: unknown, size: number) => void;
}) {
  const { database, transitions, skewAlertSeconds } = opts;
  const queue: Pending[] = [];

  const alone = (job: CallbackJob): Promise<ApplyOutcome> =>
    database.tx(async (tx) => {
      const attempt = await probeCallback(tx, job.account.id, job.event.merchantTradeNo, txnKeyOf(job.event));
      const r = await applyProviderEvent(tx, transitions, inputOf(job, skewAlertSeconds, attempt ?? null));
      await recordOutcome(tx, job, r);
      return r;
    });

  const settle = (p: Pending, run: Promise<ApplyOutcome>) => run.then(p.resolve, p.reject);

  async function together(batch: Pending[]): Promise<void> {
    let outcomes: (ApplyOutcome | 'alone')[];
    try {
      outcomes = await database.tx(async (tx) => {
        const probes = await probeCallbacks(
          tx,
          batch.map(({ job }) => ({
            accountId: job.account.id,
            tradeNo: job.event.merchantTradeNo,
            txnKey: txnKeyOf(job.event),
          })),
        );
        const result: (ApplyOutcome | 'alone')[] = batch.map(() => 'alone');
        const orders = new Set<string>();
        const txns = new Set<string>();
        const group: { k: number; input: Parameters<typeof applySucceededPayments>[2][number] }[] = [];
        for (const [k, { job }] of batch.entries()) {
          const attempt = probes[k];
          const input = inputOf(job, skewAlertSeconds, attempt ?? null);
          // Unknown trades and duplicates take no lock: as alone.
          if (!attempt || attempt.seen) {
            result[k] = await applyProviderEvent(tx, transitions, input);
            continue;
          }
          const txn = `${job.account.id}\u0000${txnKeyOf(job.event)}`;
          if (orders.has(attempt.order_id) || txns.has(txn)) continue;
          orders.add(attempt.order_id);
          txns.add(txn);
          group.push({ k, input: { ...input, attempt, event: job.event as SucceededPayment } });
        }
        const booked = await applySucceededPayments(
          tx,
          transitions,
          group.map((g) => g.input),
        );
        for (const [n, g] of group.entries()) result[g.k] = booked[n]!;
        for (const [k, r] of result.entries()) if (r !== 'alone') await recordOutcome(tx, batch[k]!.job, r);
        return result;
      });
    } catch (err) {
      opts.onBatchFailed?.(err, batch.length);
      outcomes = batch.map(() => 'alone');
    }
    const later: Promise<unknown>[] = [];
    for (const [k, p] of batch.entries()) {
      const r = outcomes[k]!;
      if (r === 'alone') later.push(settle(p, alone(p.job)));
      else p.resolve(r);
    }
    await Promise.all(later);
  }

  /** The running transactions, by when they started. */
  const running = new Set<{ since: number }>();
  let recheck: NodeJS.Timeout | undefined;

  function pump(): void {
    for (;;) {
      const now = Date.now();
      let slow = 0;
      for (const r of running) if (now - r.since >= SLOW_MS) slow++;
      if (queue.length === 0 || running.size >= Math.min(1 + slow, MAX_IN_FLIGHT)) break;
      const batch = queue.splice(0, MAX_BATCH);
      const one = { since: now };
      running.add(one);
      const run = batch.length === 1 ? settle(batch[0]!, alone(batch[0]!.job)) : together(batch);
      void run.finally(() => {
        running.delete(one);
        pump();
      });
    }
    // Callbacks left waiting behind a transaction: look again once it would count as slow.
    if (queue.length > 0 && !recheck && running.size < MAX_IN_FLIGHT) {
      recheck = setTimeout(() => {
        recheck = undefined;
        pump();
      }, SLOW_MS);
      recheck.unref();
    }
  }

  return {
    /** Books one verified callback; answers its outcome once the transaction that booked it has committed. */
    book(job: CallbackJob): Promise<ApplyOutcome> {
      if (!isSucceeded(job.event)) return alone(job);
      return new Promise<ApplyOutcome>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        pump();
      });
    },
  };
}
