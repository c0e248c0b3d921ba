import {
  type AccountConnection,
  accountsByIds,
  type ChannelOrder,
  channelSettingsOf,
  escalateDueReviews,
  getRefundReview,
  openRefundReview,
  pendingReviewsOf,
  type RefundReview,
  raiseAlert,
  reviewsOfOrder,
  setReviewFreezes,
  settleRefundReview,
} from '../modules/channels/index.ts';
import {
  createFreeze,
  heldByOrder,
  lockActiveReservations,
  releaseFreeze,
  releaseUnits,
  type StockCtx,
  stockDepsOf,
} from '../modules/inventory/index.ts';
import {
  loadLines,
  lockOrderByKey,
  type OrderLineRow,
  type OrderRow,
  transitionContext,
  transitionLocked,
} from '../modules/orders/index.ts';
import { type Actor, actorLabel, systemActor } from '../platform/actor.ts';
import type { Tx } from '../platform/db.ts';
import type { Deps } from '../platform/deps.ts';
import { DomainError } from '../platform/errors.ts';
import type { FlowDeps } from './ingest-order.ts';
import { syncOrderStock } from './order-inventory.ts';

/** Paid and not shipped: a refund request holds these, a refund-only request freezes their units. */
const UNSHIPPED: readonly string[] = ['paid', 'under_review', 'on_hold', 'approved', 'fulfilling'];
const HOLDABLE: readonly string[] = ['paid', 'under_review', 'approved', 'fulfilling'];
/** Frozen units end by a decision, not by the freeze's own timer. */
const FREEZE_HORIZON_MS = 365 * 24 * 3600_000;

const isPending = (r: RefundReview) => r.status === 'open' || r.status === 'escalated';

const linesOf = (lines: readonly OrderLineRow[], externalLineId: string | null) =>
  lines.filter((l) => l.sku && (externalLineId === null || l.externalLineId === externalLineId));

/**
 * What the platform says of refunds, applied in the ingest's transaction. A refund request on
 * goods not yet shipped holds the order (REFUND_REQUESTED). A refund-only request (仅退款) also
 * moves the line's reserved units into a freeze until someone decides — or the platform does: its
 * refund done approves (units back on sale), its request closed withdraws (units back to the order).
 */
export async function applyChannelRefunds(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  account: Pick<AccountConnection, 'id' | 'code' | 'channel'>,
  order: OrderRow,
  co: ChannelOrder,
  fresh = false,
): Promise<OrderRow> {
  // A new order the platform reports no refund for has no review: nothing to read or do.
  if (fresh && co.refunds.length === 0) return order;
  const actor = systemActor('channel-refund', 'channel');
  let reviews = await reviewsOfOrder(tx, order.id);
  let changed = false;
  for (const r of reviews.filter(isPending)) {
    const said = co.refunds.find((x) => (x.externalLineId ?? null) === r.externalLineId);
    if (said?.status === 'refunded' || said?.status === 'closed') {
      const outcome = said.status === 'refunded' ? 'approved' : 'withdrawn';
      order = await settle(tx, deps, at, actor, account, order, r, outcome);
      changed = true;
    }
  }
  // A refund-only request already decided stays decided while the platform still shows it requested.
  const decided = new Set(
    reviews.filter((r) => r.status === 'approved' || r.status === 'rejected').map((r) => r.externalLineId),
  );
  const requested = co.refunds.filter(
    (r) => r.status === 'requested' && !(r.refundOnly && decided.has(r.externalLineId ?? null)),
  );
  if (requested.length && UNSHIPPED.includes(order.status)) {
    const lines = await loadLines(tx, order.id);
    const settings = channelSettingsOf(deps);
    for (const rf of requested.filter((x) => x.refundOnly)) {
      const review = await openRefundReview(tx, at, {
        accountId: account.id,
        orderId: order.id,
        externalOrderId: order.externalOrderId,
        externalLineId: rf.externalLineId,
        dueAt: new Date(at.getTime() + settings.refundDecisionSeconds * 1000),
      });
      if (!review) continue;
      changed = true;
      const freezes = await freezeUnits(
        tx,
        deps,
        at,
        actor,
        order,
        linesOf(lines, rf.externalLineId),
        review.id,
      );
      await setReviewFreezes(tx, review.id, freezes);
    }
    if (HOLDABLE.includes(order.status)) {
      const only = requested.some((r) => r.refundOnly);
      order = await transitionLocked(tx, transitionContext(deps), at, actor, order, {
        orderId: order.id,
        event: 'hold',
        reasonCode: 'REFUND_REQUESTED',
        note: `${only ? 'refund-only (仅退款)' : 'refund'} requested on the channel for ${requested
          .map((r) => r.externalLineId ?? 'the whole order')
          .join(', ')}`,
      });
    }
  }
  if (changed) reviews = await reviewsOfOrder(tx, order.id);
  await keepFrozenOut(tx, deps, at, actor, order, co, reviews);
  // The platform settled every request (refunded or closed) and nothing waits for a person: the
  // hold it caused has no reason left.
  if (requested.length === 0)
    order = await releaseRefundHold(tx, deps, at, actor, order, 'the platform settled the refund');
  return order;
}

/**
 * Lets a REFUND_REQUESTED hold go once no refund-only review of the order waits: the order goes
 * back to review, and its other lines go on to be shipped (a refunded line's units stay out).
 */
async function releaseRefundHold(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  actor: Actor,
  order: OrderRow,
  note: string,
): Promise<OrderRow> {
  if (order.status !== 'on_hold' || order.holdReason !== 'REFUND_REQUESTED') return order;
  if ((await pendingReviewsOf(tx, order.id)).length > 0) return order;
  return transitionLocked(tx, transitionContext(deps), at, actor, order, {
    orderId: order.id,
    event: 'release',
    note,
  });
}

/** Moves the lines' reserved units into freezes (per warehouse), returning the freeze ids. */
async function freezeUnits(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  actor: Actor,
  order: OrderRow,
  lines: readonly OrderLineRow[],
  reviewId: string,
): Promise<string[]> {
  const ctx: StockCtx = { tx, deps: stockDepsOf(deps), at, actor };
  const ids: string[] = [];
  for (const line of lines) {
    let left = line.quantity;
    const held = await lockActiveReservations(tx, 'order_id = $1 AND sku = $2', [order.id, line.sku]);
    for (const r of held) {
      if (left <= 0) break;
      const q = Math.min(left, Number(r.quantity));
      await releaseUnits(ctx, r, q, 'REFUND_ONLY');
      const f = await createFreeze(ctx, {
        sku: r.sku,
        warehouse: r.warehouse_code,
        quantity: q,
        reasonCode: 'REFUND_ONLY',
        expiresAt: new Date(at.getTime() + FREEZE_HORIZON_MS).toISOString(),
        source: { type: 'channel_refund', id: reviewId },
        note: `refund-only request on ${order.externalOrderId}${line.externalLineId ? ` line ${line.externalLineId}` : ''}`,
      });
      ids.push(f.id);
      left -= q;
    }
  }
  return ids;
}

/**
 * The ingest reserves what the order's lines want; units under a pending refund-only review are
 * frozen instead, and a line refunded (approved here, or refunded on the platform) ships nothing,
 * so whatever the ingest took back for them is released again.
 */
async function keepFrozenOut(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  actor: Actor,
  order: OrderRow,
  co: Pick<ChannelOrder, 'refunds'>,
  reviews: readonly RefundReview[],
) {
  const out = new Set<string | null>();
  for (const r of reviews) {
    if (isPending(r)) out.add(r.externalLineId);
    else if (r.status === 'approved' && r.externalLineId !== null) out.add(r.externalLineId);
  }
  for (const r of co.refunds) if (r.status === 'refunded' && r.externalLineId) out.add(r.externalLineId);
  if (!out.size) return;
  const lines = await loadLines(tx, order.id);
  const frozen = new Map<string, number>();
  const counted = new Set<string>();
  for (const ext of out)
    for (const l of linesOf(lines, ext)) {
      if (counted.has(l.id)) continue;
      counted.add(l.id);
      frozen.set(l.sku!, (frozen.get(l.sku!) ?? 0) + l.quantity);
    }
  const wanted = new Map<string, number>();
  for (const l of lines) if (l.sku) wanted.set(l.sku, (wanted.get(l.sku) ?? 0) + l.quantity);
  const held = await heldByOrder(tx, order.id);
  const ctx: StockCtx = { tx, deps: stockDepsOf(deps), at, actor };
  for (const [sku, f] of frozen) {
    let excess = (held.get(sku) ?? 0) - Math.max(0, (wanted.get(sku) ?? 0) - f);
    if (excess <= 0) continue;
    for (const r of await lockActiveReservations(tx, 'order_id = $1 AND sku = $2', [order.id, sku])) {
      if (excess <= 0) break;
      const q = Math.min(excess, Number(r.quantity));
      await releaseUnits(ctx, r, q, 'REFUND_ONLY');
      excess -= q;
    }
  }
}

/**
 * Ends a review. Approved: the frozen units go back on sale, and a whole-order refund cancels the
 * order (REFUNDED). Rejected or withdrawn: the units go back to the order, and when nothing else
 * waits the hold is released for review.
 */
async function settle(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  actor: Actor,
  account: { code: string; channel: string },
  order: OrderRow,
  review: RefundReview,
  outcome: 'approved' | 'rejected' | 'withdrawn',
): Promise<OrderRow> {
  const ctx: StockCtx = { tx, deps: stockDepsOf(deps), at, actor };
  for (const id of review.freezeIds)
    await releaseFreeze(ctx, id, {
      reasonCode: outcome === 'approved' ? 'APPROVED' : 'REJECTED',
      note: `refund-only ${outcome} (${actorLabel(actor)})`,
    });
  await settleRefundReview(tx, review.id, at, outcome, actorLabel(actor));
  const stillPending = (await pendingReviewsOf(tx, order.id)).length > 0;
  if (outcome === 'approved') {
    if (
      review.externalLineId === null &&
      ['pending_payment', 'paid', 'under_review', 'on_hold', 'approved'].includes(order.status)
    )
      return transitionLocked(tx, transitionContext(deps), at, actor, order, {
        orderId: order.id,
        event: 'cancel',
        reasonCode: 'REFUNDED',
        note: 'refund-only approved for the whole order',
      });
    // One line of several refunded: its units went back on sale; the other lines are still sold,
    // so the hold it caused ends (when nothing else waits) and the order goes back to review.
    if (review.externalLineId !== null && !stillPending)
      return releaseRefundHold(
        tx,
        deps,
        at,
        actor,
        order,
        `refund-only approved for line ${review.externalLineId}: the other lines go on`,
      );
    return order;
  }
  // The units come back to the order (reserved again where stock allows).
  order = await syncOrderStock(tx, deps, at, actor, order, account, null);
  if (!stillPending && order.status === 'on_hold' && order.holdReason === 'REFUND_REQUESTED')
    order = await transitionLocked(tx, transitionContext(deps), at, actor, order, {
      orderId: order.id,
      event: 'release',
      note: `refund-only ${outcome}: back to review`,
    });
  return order;
}

/** A person's decision on a refund-only review (`POST /api/channel-refund-reviews/{id}/decision`). */
export async function decideRefundReview(
  deps: Deps,
  id: string,
  decision: 'approve' | 'reject',
  actor: Actor,
): Promise<RefundReview> {
  return deps.database.tx(async (tx) => {
    const at = deps.clock.now();
    const review = await getRefundReview(tx, id);
    if (!review) throw new DomainError('NOT_FOUND', `no refund review ${id}`);
    if (review.status !== 'open' && review.status !== 'escalated')
      throw new DomainError('REFUND_REVIEW_CLOSED', `the review is already ${review.status}`, {
        status: review.status,
      });
    const order = await lockOrderByKey(tx, review.accountId, review.externalOrderId);
    if (!order) throw new DomainError('ORDER_NOT_FOUND', `no order ${review.externalOrderId}`);
    const info = await accountInfo(tx, review.accountId);
    await settle(tx, deps, at, actor, info, order, review, decision === 'approve' ? 'approved' : 'rejected');
    return (await getRefundReview(tx, id))!;
  });
}

async function accountInfo(exec: Tx, accountId: string): Promise<{ code: string; channel: string }> {
  const a = (await accountsByIds(exec, [accountId])).get(accountId);
  return { code: a?.code ?? '', channel: a?.channel ?? '' };
}

/** Reviews nobody decided in time go to the exception queue: escalated, with an alert. */
export async function escalateRefundReviews(deps: Deps): Promise<number> {
  const at = deps.clock.now();
  return deps.database.tx(async (tx) => {
    const due = await escalateDueReviews(tx, at);
    for (const r of due)
      await raiseAlert(tx, at, {
        kind: 'refund_undecided',
        accountId: r.accountId,
        field: r.orderId,
        details: {
          reviewId: r.id,
          orderId: r.orderId,
          externalOrderId: r.externalOrderId,
          externalLineId: r.externalLineId,
          dueAt: r.dueAt.toISOString(),
        },
      });
    return due.length;
  });
}
