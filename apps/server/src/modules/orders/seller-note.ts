import { eq } from 'drizzle-orm';
import type { Actor } from '../../platform/actor.ts';
import type { Tx } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { recordAudit } from '../audit/index.ts';
import { emitOrderEvent } from './events.ts';
import * as schema from './schema.ts';
import { lockOrder, type OrderRow } from './store.ts';
import { appendTimeline } from './timeline.ts';

export interface SellerNoteChange {
  orderId: string;
  version: number;
  /** The new note; `''` clears it; absent leaves it. */
  note?: string;
  /** 1 red … 5 purple; null clears it; absent leaves it. */
  flag?: number | null;
}

/**
 * The seller's note and flag (卖家备注/旗帜) on an order. Not a status, so no machine, but versioned,
 * on the timeline (old and new), audited and published in the caller's transaction. A change that
 * changes nothing writes nothing.
 */
export async function changeSellerNote(
  tx: Tx,
  jobs: Jobs,
  at: Date,
  actor: Actor,
  input: SellerNoteChange,
): Promise<OrderRow> {
  const order = await lockOrder(tx, input.orderId);
  if (!order) throw new DomainError('ORDER_NOT_FOUND', `no order ${input.orderId}`);
  if (input.version !== order.version)
    throw new DomainError(
      'ORDER_VERSION_CONFLICT',
      `the order changed since you saw it (version ${input.version}, now ${order.version}); reload and try again`,
      { currentVersion: order.version, status: order.status },
    );
  const note = input.note === undefined ? order.sellerRemark : input.note.trim() || null;
  const flag = input.flag === undefined ? order.sellerFlag : input.flag;
  if (note === order.sellerRemark && flag === order.sellerFlag) return order;
  const rows = await tx.db
    .update(schema.orders)
    .set({ sellerRemark: note, sellerFlag: flag, version: order.version + 1, updatedAt: at })
    .where(eq(schema.orders.id, order.id))
    .returning();
  const updated = rows[0]!;
  const details = {
    ...(note !== order.sellerRemark ? { note: { from: order.sellerRemark, to: note } } : {}),
    ...(flag !== order.sellerFlag ? { flag: { from: order.sellerFlag, to: flag } } : {}),
  };
  await appendTimeline(tx, at, actor, {
    orderId: order.id,
    event: 'seller_note',
    fromStatus: order.status,
    toStatus: order.status,
    details,
  });
  await recordAudit(tx, at, actor, {
    action: 'order.seller_note',
    entityType: 'order',
    entityId: order.id,
    summary: { ...details, version: updated.version },
  });
  await emitOrderEvent(tx, jobs, {
    type: 'order.updated',
    orderId: order.id,
    version: updated.version,
    status: updated.status,
    at: at.toISOString(),
    event: 'seller_note',
  });
  return updated;
}
