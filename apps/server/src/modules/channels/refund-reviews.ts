import type { SqlExecutor } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import type { SqlRow } from './settings.ts';

export type RefundReviewStatus = 'open' | 'approved' | 'rejected' | 'escalated' | 'withdrawn';

/** A refund-only request (仅退款) on paid, unshipped goods: its units stay frozen until someone decides. */
export interface RefundReview {
  id: string;
  accountId: string;
  orderId: string;
  externalOrderId: string;
  externalLineId: string | null;
  freezeIds: string[];
  status: RefundReviewStatus;
  dueAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  createdAt: Date;
}

const reviewOf = (r: SqlRow): RefundReview => ({
  id: r.id,
  accountId: r.account_id,
  orderId: r.order_id,
  externalOrderId: r.external_order_id,
  externalLineId: r.external_line_id ?? null,
  freezeIds: r.freeze_ids ?? [],
  status: r.status,
  dueAt: new Date(r.due_at),
  decidedAt: r.decided_at ? new Date(r.decided_at) : null,
  decidedBy: r.decided_by ?? null,
  createdAt: new Date(r.created_at),
});

export const refundReviewView = (r: RefundReview) => ({
  id: r.id,
  accountId: r.accountId,
  orderId: r.orderId,
  externalOrderId: r.externalOrderId,
  externalLineId: r.externalLineId,
  freezeIds: r.freezeIds,
  status: r.status,
  dueAt: r.dueAt.toISOString(),
  decidedAt: r.decidedAt?.toISOString() ?? null,
  decidedBy: r.decidedBy,
  createdAt: r.createdAt.toISOString(),
});

/** Opens the review of one line (or the whole order); null when one is already open for it. */
export async function openRefundReview(
  exec: SqlExecutor,
  at: Date,
  input: {
    accountId: string;
    orderId: string;
    externalOrderId: string;
    externalLineId: string | null;
    dueAt: Date;
  },
): Promise<RefundReview | null> {
  const rows = await exec.query(
    `INSERT INTO channel_refund_reviews (id, account_id, order_id, external_order_id, external_line_id, status, due_at, created_at)
       VALUES ($1,$2,$3,$4,$5,'open',$6,$7)
       ON CONFLICT (order_id, COALESCE(external_line_id, '')) WHERE status IN ('open', 'escalated') DO NOTHING
       RETURNING *`,
    [
      newId('refundReview'),
      input.accountId,
      input.orderId,
      input.externalOrderId,
      input.externalLineId,
      input.dueAt,
      at,
    ],
  );
  return rows[0] ? reviewOf(rows[0]) : null;
}

export async function setReviewFreezes(exec: SqlExecutor, id: string, freezeIds: string[]): Promise<void> {
  await exec.query(`UPDATE channel_refund_reviews SET freeze_ids = $2::jsonb WHERE id = $1`, [
    id,
    JSON.stringify(freezeIds),
  ]);
}

/** The reviews of an order still waiting for a decision (open or escalated), locked. */
export async function pendingReviewsOf(exec: SqlExecutor, orderId: string): Promise<RefundReview[]> {
  return (
    await exec.query(
      `SELECT * FROM channel_refund_reviews WHERE order_id = $1 AND status IN ('open', 'escalated') ORDER BY created_at FOR UPDATE`,
      [orderId],
    )
  ).map(reviewOf);
}

/** Every refund-only review of an order, whatever its status, locked (one read for the ingest). */
export async function reviewsOfOrder(exec: SqlExecutor, orderId: string): Promise<RefundReview[]> {
  return (
    await exec.query(
      `SELECT * FROM channel_refund_reviews WHERE order_id = $1 ORDER BY created_at FOR UPDATE`,
      [orderId],
    )
  ).map(reviewOf);
}

export async function getRefundReview(exec: SqlExecutor, id: string): Promise<RefundReview | null> {
  const r = (await exec.query(`SELECT * FROM channel_refund_reviews WHERE id = $1 FOR UPDATE`, [id]))[0];
  return r ? reviewOf(r) : null;
}

export async function settleRefundReview(
  exec: SqlExecutor,
  id: string,
  at: Date,
  status: 'approved' | 'rejected' | 'withdrawn',
  by: string,
): Promise<void> {
  await exec.query(
    `UPDATE channel_refund_reviews SET status = $2, decided_at = $3, decided_by = $4 WHERE id = $1`,
    [id, status, at, by],
  );
}

/** Open reviews past their decision time, marked escalated (returned once). */
export async function escalateDueReviews(exec: SqlExecutor, at: Date): Promise<RefundReview[]> {
  return (
    await exec.query(
      `UPDATE channel_refund_reviews SET status = 'escalated' WHERE status = 'open' AND due_at <= $1 RETURNING *`,
      [at],
    )
  ).map(reviewOf);
}

export async function listRefundReviews(
  exec: SqlExecutor,
  q: { status?: RefundReviewStatus; orderId?: string },
): Promise<RefundReview[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.status) where.push(`status = $${params.push(q.status)}`);
  if (q.orderId) where.push(`order_id = $${params.push(q.orderId)}`);
  return (
    await exec.query(
      `SELECT * FROM channel_refund_reviews ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC LIMIT 500`,
      params,
    )
  ).map(reviewOf);
}
