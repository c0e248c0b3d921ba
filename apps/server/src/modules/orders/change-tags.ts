import { MAX_ORDER_TAGS } from '@orderhub/contracts';
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

export interface TagChange {
  orderId: string;
  add: string[];
  remove: string[];
  version: number;
}

/**
 * Adds and removes tags on one order. Tags are not a status, so no machine is involved, but the
 * change is still versioned, kept on the timeline, audited and published — in the caller's transaction.
 * A change that changes nothing (adding a tag the order has) writes nothing and keeps the version.
 */
export async function changeOrderTags(
  tx: Tx,
  jobs: Jobs,
  at: Date,
  actor: Actor,
  input: TagChange,
): Promise<OrderRow> {
  const order = await lockOrder(tx, input.orderId);
  if (!order) throw new DomainError('ORDER_NOT_FOUND', `no order ${input.orderId}`);
  if (input.version !== order.version) {
    throw new DomainError(
      'ORDER_VERSION_CONFLICT',
      `the order changed since you saw it (version ${input.version}, now ${order.version}); reload and try again`,
      { currentVersion: order.version, status: order.status },
    );
  }
  const both = input.add.filter((t) => input.remove.includes(t));
  if (both.length) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `a tag cannot be added and removed at once: ${both.join(', ')}`,
      {
        tags: both,
      },
    );
  }
  const added = [...new Set(input.add)].filter((t) => !order.tags.includes(t));
  const removed = [...new Set(input.remove)].filter((t) => order.tags.includes(t));
  if (!added.length && !removed.length) return order;
  const tags = [...order.tags.filter((t) => !removed.includes(t)), ...added];
  if (tags.length > MAX_ORDER_TAGS) {
    throw new DomainError('VALIDATION_FAILED', `an order carries at most ${MAX_ORDER_TAGS} tags`, {
      max: MAX_ORDER_TAGS,
      tags: tags.length,
    });
  }
  const rows = await tx.db
    .update(schema.orders)
    .set({ tags, version: order.version + 1, updatedAt: at })
    .where(eq(schema.orders.id, order.id))
    .returning();
  const updated = rows[0]!;
  const details = { added, removed, tags };
  await appendTimeline(tx, at, actor, {
    orderId: order.id,
    event: 'tags_changed',
    fromStatus: order.status,
    toStatus: order.status,
    details,
  });
  await recordAudit(tx, at, actor, {
    action: 'order.tags_changed',
    entityType: 'order',
    entityId: order.id,
    summary: { added, removed, version: updated.version },
  });
  await emitOrderEvent(tx, jobs, {
    type: 'order.updated',
    orderId: order.id,
    version: updated.version,
    status: updated.status,
    at: at.toISOString(),
    event: 'tags_changed',
  });
  return updated;
}
