import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { newUlid } from '../../platform/ids.ts';

export type EventKind = 'callback' | 'query' | 'refund' | 'refund_query';
export type EventOutcome =
  | 'received'
  | 'applied'
  | 'duplicate'
  | 'pending'
  | 'ignored'
  | 'refused'
  | 'failed'
  | 'unknown_trade';

/** Text and keys with NUL characters replaced: the copy a JSON column can hold. */
function withoutNul(v: unknown): unknown {
  if (typeof v === 'string') return v.replaceAll('\u0000', '\uFFFD');
  if (Array.isArray(v)) return v.map(withoutNul);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [withoutNul(k), withoutNul(x)]));
  return v;
}

/**
 * A provider message's decoded content as JSON for the database's JSON columns (null for none).
 * PostgreSQL's JSON cannot hold a NUL character, which a correctly signed message may carry (in a
 * buyer's note, say): the stored copy has U+FFFD in its place. The bytes as received, which the
 * signature covers, are kept unchanged with the event.
 */
export function decodedJsonOf(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const json = JSON.stringify(v);
  return json.includes('\\u0000') ? JSON.stringify(withoutNul(v)) : json;
}

export interface NewEvent {
  accountId: string | null;
  accountCode: string;
  kind: EventKind;
  outcome: EventOutcome;
  reason?: string | null;
  /** The reason's parameters, for the words people read (`paymentReasonText`). */
  params?: Record<string, unknown> | null;
  message?: string | null;
  providerEventId?: string | null;
  merchantTradeNo?: string | null;
  orderId?: string | null;
  headers?: Record<string, unknown> | null;
  rawBody?: Buffer | null;
  decoded?: unknown;
  sentAt?: Date | null;
  receivedAt: Date;
}

/** Header names kept with a callback: what the signature check reads, never cookies or authorization. */
const KEPT_HEADERS =
  /^(content-type|content-length|user-agent|wechatpay-.*|stripe-signature|request-id|x-request-id)$/;

export function keptHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) if (KEPT_HEADERS.test(k)) out[k] = v;
  return out;
}

/** Writes one payment event (a callback as it came, a refusal, a query or refund step); returns its id. */
export async function recordEvent(exec: SqlExecutor, e: NewEvent): Promise<string> {
  const id = `pev_${newUlid()}`;
  const skewMs = e.sentAt ? e.receivedAt.getTime() - e.sentAt.getTime() : null;
  await exec.query(
    `INSERT INTO payment_events (id, payment_account_id, account_code, kind, outcome, reason, message, provider_event_id,
        merchant_trade_no, order_id, headers, raw_body, decoded, sent_at, skew_ms, received_at, params)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)`,
    [
      id,
      e.accountId,
      e.accountCode,
      e.kind,
      e.outcome,
      e.reason ?? null,
      e.message ?? null,
      e.providerEventId ?? null,
      e.merchantTradeNo ?? null,
      e.orderId ?? null,
      e.headers ? JSON.stringify(e.headers) : null,
      e.rawBody ?? null,
      decodedJsonOf(e.decoded),
      e.sentAt ?? null,
      skewMs,
      e.receivedAt,
      e.params ? JSON.stringify(e.params) : null,
    ],
  );
  return id;
}

/** The outcome of an event once it was applied (in the applying transaction). */
export async function settleEvent(
  exec: SqlExecutor,
  id: string,
  outcome: EventOutcome,
  fields: {
    orderId?: string | null;
    voucherId?: string | null;
    reason?: string | null;
    params?: Record<string, unknown> | null;
    message?: string | null;
  } = {},
): Promise<void> {
  await exec.query(
    `UPDATE payment_events SET outcome = $2, order_id = COALESCE($3, order_id), voucher_id = COALESCE($4, voucher_id),
        reason = COALESCE($5, reason), message = COALESCE($6, message), params = COALESCE($7::jsonb, params) WHERE id = $1`,
    [
      id,
      outcome,
      fields.orderId ?? null,
      fields.voucherId ?? null,
      fields.reason ?? null,
      fields.message ?? null,
      fields.params ? JSON.stringify(fields.params) : null,
    ],
  );
}

/** The attempt a provider event names, and whether its provider transaction has a voucher already. */
export interface AttemptProbe {
  id: string;
  order_id: string;
  amount: string | number;
  currency: string;
  status: string;
  seen: boolean;
  /** The order's natural key, for locking it in one statement (null on attempts from before it was kept). */
  order_channel_account_id?: string | null;
  order_external_id?: string | null;
}

/**
 * A verified callback's first statement, in the applying transaction (it travels with `BEGIN`):
 * its attempt and, by the voucher's unique key (account, provider transaction id), whether it was
 * booked already — a duplicate is known before any lock is taken. Undefined for an unknown trade.
 * Active queries and refund answers find their attempt with it too (applyProviderEvent).
 */
export async function probeCallback(
  tx: Tx,
  accountId: string,
  tradeNo: string,
  txnKey: string,
): Promise<AttemptProbe | undefined> {
  return (
    await tx.query<AttemptProbe & Record<string, unknown>>(
      `SELECT id, order_id, amount, currency, status, order_channel_account_id, order_external_id,
              EXISTS (SELECT 1 FROM fund_vouchers WHERE payment_account_id = $2 AND provider_txn_id = $3) AS seen
         FROM payment_attempts WHERE merchant_trade_no = $1 AND payment_account_id = $2`,
      [tradeNo, accountId, txnKey],
    )
  )[0];
}

/**
 * `probeCallback` for several callbacks in one statement (the first of a batch, with `BEGIN`):
 * answers each one's attempt, or undefined, in the order asked.
 */
export async function probeCallbacks(
  tx: Tx,
  asked: readonly { accountId: string; tradeNo: string; txnKey: string }[],
): Promise<(AttemptProbe | undefined)[]> {
  const rows = await tx.query<AttemptProbe & { i: string | number } & Record<string, unknown>>(
    `SELECT u.i, a.id, a.order_id, a.amount, a.currency, a.status, a.order_channel_account_id, a.order_external_id,
            EXISTS (SELECT 1 FROM fund_vouchers f WHERE f.payment_account_id = u.acc AND f.provider_txn_id = u.txn) AS seen
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(acc, trade, txn, i)
       JOIN payment_attempts a ON a.merchant_trade_no = u.trade AND a.payment_account_id = u.acc`,
    [asked.map((a) => a.accountId), asked.map((a) => a.tradeNo), asked.map((a) => a.txnKey)],
  );
  const found: (AttemptProbe | undefined)[] = asked.map(() => undefined);
  for (const { i, ...attempt } of rows) found[Number(i) - 1] = attempt;
  return found;
}

/**
 * A callback's event with its outcome, written last in the transaction that applied it, so it
 * travels with `COMMIT` (`tx.deferred`): one row, never rewritten. The raw body goes as hex text,
 * decoded by the server, so the statement can be held back (bytes cannot be written in as a
 * literal). When the transaction fails the caller records the event on its own, as failed.
 */
export async function recordCallbackEvent(
  exec: SqlExecutor,
  e: NewEvent & { id: string; decodedJson: string | null; voucherId: string | null },
): Promise<void> {
  const skewMs = e.sentAt ? e.receivedAt.getTime() - e.sentAt.getTime() : null;
  await exec.query(
    `INSERT INTO payment_events (id, payment_account_id, account_code, kind, outcome, reason, message, provider_event_id,
        merchant_trade_no, order_id, voucher_id, headers, raw_body, decoded, sent_at, skew_ms, received_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12::jsonb,decode($13, 'hex'),$14::jsonb,$15::timestamptz,$16::bigint,$17::timestamptz)`,
    [
      e.id,
      e.accountId,
      e.accountCode,
      e.kind,
      e.outcome,
      e.reason ?? null,
      e.message ?? null,
      e.providerEventId ?? null,
      e.merchantTradeNo ?? null,
      e.orderId ?? null,
      e.voucherId,
      e.headers ? JSON.stringify(e.headers) : null,
      e.rawBody ? e.rawBody.toString('hex') : null,
      e.decodedJson,
      e.sentAt ?? null,
      skewMs,
      e.receivedAt,
    ],
  );
}
