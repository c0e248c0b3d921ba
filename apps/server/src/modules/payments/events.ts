import type { SqlExecutor } from '../../platform/db.ts';
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

export interface NewEvent {
  accountId: string | null;
  accountCode: string;
  kind: EventKind;
  outcome: EventOutcome;
  reason?: string | null;
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
        merchant_trade_no, order_id, headers, raw_body, decoded, sent_at, skew_ms, received_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
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
      e.decoded === undefined || e.decoded === null ? null : JSON.stringify(e.decoded),
      e.sentAt ?? null,
      skewMs,
      e.receivedAt,
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
    message?: string | null;
  } = {},
): Promise<void> {
  await exec.query(
    `UPDATE payment_events SET outcome = $2, order_id = COALESCE($3, order_id), voucher_id = COALESCE($4, voucher_id),
        reason = COALESCE($5, reason), message = COALESCE($6, message) WHERE id = $1`,
    [
      id,
      outcome,
      fields.orderId ?? null,
      fields.voucherId ?? null,
      fields.reason ?? null,
      fields.message ?? null,
    ],
  );
}
