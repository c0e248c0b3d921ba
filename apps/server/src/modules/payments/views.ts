import type {
  FundVoucherView,
  OrderPaymentsView,
  PaymentAttemptView,
  PaymentEventView,
  RefundView,
} from '@orderhub/contracts';
import type { DbReader, SqlExecutor } from '../../platform/db.ts';
import { getOrderRow } from '../orders/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: rows of hand-written SQL, read field by field
type DbRow = Record<string, any>;

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));
const num = (v: string | number) => Number(v);
const numOrNull = (v: string | number | null) => (v === null ? null : Number(v));

/** What the order holds in confirmed vouchers in its currency: payments minus refunds. */
export async function paidOf(exec: SqlExecutor, orderId: string, currency: string): Promise<number> {
  const r = (
    await exec.query<{ paid: string | number | null }>(
      `SELECT COALESCE(sum(amount), 0) AS paid FROM fund_vouchers WHERE order_id = $1 AND currency = $2 AND status = 'confirmed'`,
      [orderId, currency],
    )
  )[0];
  return Number(r?.paid ?? 0);
}

/** Refunds asked for and not (yet) failed: they count against what may still be refunded. */
export async function refundsInFlight(exec: SqlExecutor, orderId: string): Promise<number> {
  const r = (
    await exec.query<{ n: string | number | null }>(
      `SELECT COALESCE(sum(amount), 0) AS n FROM payment_refunds WHERE order_id = $1 AND status IN ('requested', 'processing')`,
      [orderId],
    )
  )[0];
  return Number(r?.n ?? 0);
}

export async function attemptViews(
  exec: SqlExecutor,
  by: { orderId?: string; attemptId?: string },
): Promise<PaymentAttemptView[]> {
  const rows = await exec.query<DbRow>(
    `SELECT a.*, p.code AS account_code, p.provider FROM payment_attempts a JOIN payment_accounts p ON p.id = a.payment_account_id
      WHERE ${by.attemptId ? 'a.id = $1' : 'a.order_id = $1'} ORDER BY a.created_at, a.id`,
    [by.attemptId ?? by.orderId],
  );
  return rows.map((r) => ({
    id: r['id'],
    orderId: r['order_id'],
    paymentAccount: r['account_code'],
    provider: r['provider'],
    merchantTradeNo: r['merchant_trade_no'],
    amount: num(r['amount']),
    currency: r['currency'],
    status: r['status'],
    mode: r['mode'],
    providerRef: r['provider_ref'],
    client: (r['client'] ?? {}) as Record<string, string>,
    expiresAt: iso(r['expires_at']),
    queryCount: r['query_count'],
    lastQueriedAt: isoOrNull(r['last_queried_at']),
    createdAt: iso(r['created_at']),
  }));
}

export function voucherView(r: DbRow): FundVoucherView {
  return {
    id: r['id'],
    kind: r['kind'],
    paymentAccount: r['account_code'],
    providerTxnId: r['provider_txn_id'],
    orderId: r['order_id'],
    attemptId: r['attempt_id'],
    refundId: r['refund_id'],
    merchantTradeNo: r['merchant_trade_no'],
    amount: num(r['amount']),
    currency: r['currency'],
    fee: numOrNull(r['fee']),
    status: r['status'],
    providerStatus: r['provider_status'],
    source: r['source'],
    disposition: r['disposition'],
    exception: r['exception'],
    exceptionResolvedAt: isoOrNull(r['exception_resolved_at']),
    providerTime: isoOrNull(r['provider_time']),
    receivedAt: iso(r['received_at']),
    skewSeconds: r['skew_ms'] === null ? null : Math.round(Number(r['skew_ms']) / 100) / 10,
  };
}

export async function voucherViews(
  exec: SqlExecutor,
  where: string,
  params: unknown[],
): Promise<FundVoucherView[]> {
  const rows = await exec.query<DbRow>(
    `SELECT v.*, p.code AS account_code FROM fund_vouchers v JOIN payment_accounts p ON p.id = v.payment_account_id
      WHERE ${where} ORDER BY v.received_at, v.id`,
    params,
  );
  return rows.map(voucherView);
}

export async function refundViews(exec: SqlExecutor, orderId: string): Promise<RefundView[]> {
  const rows = await exec.query<DbRow>(
    `SELECT r.*, a.merchant_trade_no FROM payment_refunds r JOIN payment_attempts a ON a.id = r.attempt_id
      WHERE r.order_id = $1 ORDER BY r.created_at, r.id`,
    [orderId],
  );
  return rows.map(refundView);
}

export function refundView(r: DbRow): RefundView {
  return {
    id: r['id'],
    orderId: r['order_id'],
    merchantRefundNo: r['merchant_refund_no'],
    merchantTradeNo: r['merchant_trade_no'],
    amount: num(r['amount']),
    currency: r['currency'],
    reason: r['reason'],
    lines: r['lines'] ?? null,
    status: r['status'],
    providerRefundId: r['provider_refund_id'],
    providerStatus: r['provider_status'],
    lastError: r['last_error'],
    lastErrorReason: r['last_error_reason'] ?? null,
    lastErrorParams: r['last_error_params'] ?? null,
    createdAt: iso(r['created_at']),
    updatedAt: iso(r['updated_at']),
  };
}

export async function orderPayments(exec: DbReader, orderId: string): Promise<OrderPaymentsView> {
  const order = await getOrderRow(exec, orderId);
  const paid = await paidOf(exec, order.id, order.currency);
  const inFlight = await refundsInFlight(exec, order.id);
  return {
    currency: order.currency,
    total: Number(order.total),
    paid,
    refundable: Math.max(0, paid - inFlight),
    attempts: await attemptViews(exec, { orderId: order.id }),
    vouchers: await voucherViews(exec, 'v.order_id = $1', [order.id]),
    refunds: await refundViews(exec, order.id),
  };
}

export function eventView(r: DbRow): PaymentEventView {
  return {
    id: r['id'],
    paymentAccount: r['account_code'],
    kind: r['kind'],
    outcome: r['outcome'],
    reason: r['reason'],
    params: r['params'] ?? null,
    message: r['message'],
    providerEventId: r['provider_event_id'],
    merchantTradeNo: r['merchant_trade_no'],
    orderId: r['order_id'],
    voucherId: r['voucher_id'],
    skewSeconds: r['skew_ms'] === null ? null : Math.round(Number(r['skew_ms']) / 100) / 10,
    receivedAt: iso(r['received_at']),
  };
}
