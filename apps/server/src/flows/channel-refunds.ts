import type { AccountConnection, ChannelOrder } from '../modules/channels/index.ts';
import { type OrderRow, transitionContext, transitionLocked } from '../modules/orders/index.ts';
import { systemActor } from '../platform/actor.ts';
import type { Tx } from '../platform/db.ts';
import type { FlowDeps } from './ingest-order.ts';

/** Statuses a refund request puts on hold: paid and not yet shipped. */
const HOLDABLE: readonly string[] = ['paid', 'under_review', 'approved', 'fulfilling'];

/**
 * What the platform says of refunds, applied to the order in the ingest's transaction: an open
 * refund request on goods not yet shipped holds the order (REFUND_REQUESTED) so that nothing
 * ships while someone decides.
 */
export async function applyChannelRefunds(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  _account: Pick<AccountConnection, 'id' | 'code'>,
  order: OrderRow,
  co: ChannelOrder,
): Promise<OrderRow> {
  const requested = co.refunds.filter((r) => r.status === 'requested');
  if (requested.length === 0 || !HOLDABLE.includes(order.status)) return order;
  const lines = requested.map((r) => r.externalLineId ?? 'whole order').join(', ');
  const only = requested.some((r) => r.refundOnly);
  return transitionLocked(tx, transitionContext(deps), at, systemActor('channel-refund', 'channel'), order, {
    orderId: order.id,
    event: 'hold',
    reasonCode: 'REFUND_REQUESTED',
    note: `${only ? 'refund-only (仅退款)' : 'refund'} requested on the channel for ${lines}`,
  });
}
