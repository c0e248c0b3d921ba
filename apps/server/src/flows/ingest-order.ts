import type { IngestOrderBody } from '@orderhub/contracts';
import { recordAudit } from '../modules/audit/index.ts';
import { requireActiveAccount } from '../modules/channels/index.ts';
import {
  appendTimeline,
  type CanonicalOrder,
  emitOrderEvent,
  insertOrder,
  lockOrderByKey,
  mergeStaffEdits,
  normaliseOrder,
  type OrderRow,
  settleStaffEdits,
  storeRawPayload,
  transitionContext,
  transitionLocked,
  updateOrderFromSource,
} from '../modules/orders/index.ts';
import { type Actor, scopedAccounts, systemActor } from '../platform/actor.ts';
import type { Tx } from '../platform/db.ts';
import type { Deps } from '../platform/deps.ts';
import { DomainError } from '../platform/errors.ts';

/** What the ingest flow needs: the outbox, the hooks and the stock settings. */
export type FlowDeps = Pick<Deps, 'jobs' | 'hooks' | 'settings'>;

import { syncOrderStock } from './order-inventory.ts';

export type IngestOutcome = 'created' | 'updated' | 'duplicate' | 'stale';

export interface IngestResult {
  outcome: IngestOutcome;
  order: OrderRow;
  account: { code: string; channel: string; name: string };
}

/** Lines may be replaced by a newer channel version only until someone decided on the order. */
const LINES_OPEN: readonly string[] = ['pending_payment', 'paid', 'under_review', 'on_hold'];

/**
 * Checks and converts outside the transaction; the transaction then does the upsert, the raw
 * payload, timeline, audit and outbox, and any automatic transitions, all or nothing.
 */
export function prepareIngest(
  deps: Pick<Deps, 'crypto'>,
  input: IngestOrderBody,
  rawBody: unknown,
): CanonicalOrder {
  return normaliseOrder(input, deps.crypto, rawBody);
}

/**
 * The writes whose answer it does not read (timeline entry, audit row, outbox job) go through
 * `tx.deferred`: on PostgreSQL they travel with the next statement instead of a round trip each.
 */
export async function ingestOrder(
  tx: Tx,
  deps: FlowDeps & Pick<Deps, 'config' | 'crypto'>,
  at: Date,
  actor: Actor,
  accountCode: string,
  o: CanonicalOrder,
): Promise<IngestResult> {
  const account = await requireActiveAccount(tx, accountCode);
  // A user with a data scope ingests only into his own shops; another shop is answered as unknown.
  const shops = scopedAccounts(actor);
  if (shops && !shops.includes(account.id))
    throw new DomainError('CHANNEL_ACCOUNT_UNKNOWN', `no channel account "${accountCode}"`, {
      channelAccount: accountCode,
    });
  const info = { code: account.code, channel: account.channel, name: account.name };
  const created = await insertOrder(tx, at, account.id, o, deps.config);
  if (created) {
    await storeRawPayload(tx, at, created.id, o);
    await appendTimeline(tx.deferred, at, actor, {
      orderId: created.id,
      event: 'created',
      fromStatus: null,
      toStatus: created.status,
      details: {
        orderNo: created.orderNo,
        externalOrderId: o.externalOrderId,
        total: o.total,
        currency: o.currency,
        lines: o.lines.length,
      },
    });
    await recordAudit(tx.deferred, at, actor, {
      action: 'order.ingest',
      entityType: 'order',
      entityId: created.id,
      summary: {
        outcome: 'created',
        channelAccount: account.code,
        externalOrderId: o.externalOrderId,
        status: created.status,
      },
    });
    await emitOrderEvent(tx.deferred, deps.jobs, {
      type: 'order.created',
      orderId: created.id,
      version: created.version,
      status: created.status,
      at: at.toISOString(),
    });
    let order = await applyAutomaticHolds(tx, deps, at, created, o);
    // Stock is reserved in this same transaction (下单即锁库); see flows/order-inventory.ts.
    order = await syncOrderStock(tx, deps, at, actor, order, info, { lines: o.lines });
    return { outcome: 'created', order, account: info };
  }

  const current = (await lockOrderByKey(tx, account.id, o.externalOrderId))!;
  if (o.sourceVersion.getTime() < current.sourceVersion.getTime())
    return { outcome: 'stale', order: current, account: info };
  if (o.sourceVersion.getTime() === current.sourceVersion.getTime()) {
    // Same version: a repeat is a duplicate; different content under the same version is not
    // trusted over what we hold (first write wins) and is reported as stale.
    return {
      outcome: o.contentHash === current.contentHash ? 'duplicate' : 'stale',
      order: current,
      account: info,
    };
  }

  // Parts staff edited in orderhub stay when the channel did not change them (source-merge.ts).
  const merge = await mergeStaffEdits(tx, deps.crypto, current, o, LINES_OPEN.includes(current.status));
  const replaceLines = merge.replaceLines;
  let order = await updateOrderFromSource(tx, at, current, merge.order, replaceLines);
  await settleStaffEdits(tx, at, current, merge, replaceLines);
  await storeRawPayload(tx, at, order.id, o);
  await appendTimeline(tx.deferred, at, actor, {
    orderId: order.id,
    event: 'updated',
    fromStatus: current.status,
    toStatus: current.status,
    details: {
      sourceVersion: [current.sourceVersion.toISOString(), o.sourceVersion.toISOString()],
      changed: changedFields(current, order),
      diff: fieldDiff(current, order),
      ...(replaceLines || merge.kept.includes('lines')
        ? {}
        : { linesKept: `lines are not replaced once an order is ${current.status}` }),
      ...(merge.kept.length ? { staffEditsKept: merge.kept } : {}),
      ...(merge.conflicts.length ? { staffEditsReplaced: merge.conflicts } : {}),
    },
  });
  await recordAudit(tx.deferred, at, actor, {
    action: 'order.ingest',
    entityType: 'order',
    entityId: order.id,
    summary: { outcome: 'updated', channelAccount: account.code, externalOrderId: o.externalOrderId },
  });
  await emitOrderEvent(tx.deferred, deps.jobs, {
    type: 'order.updated',
    orderId: order.id,
    version: order.version,
    status: order.status,
    at: at.toISOString(),
  });

  // The channel's word on payment and cancellation drives the machine like anyone else's.
  const channel = { ...actor, source: 'channel' as const };
  if (o.status === 'paid' && order.status === 'pending_payment') {
    order = await transitionLocked(tx, transitionContext(deps), at, channel, order, {
      orderId: order.id,
      event: 'pay',
      note: 'paid on the channel',
    });
    order = await applyAutomaticHolds(tx, deps, at, order, o);
  } else if (o.status === 'cancelled' && order.status !== 'cancelled') {
    if (['pending_payment', 'paid', 'under_review', 'on_hold', 'approved'].includes(order.status)) {
      order = await transitionLocked(tx, transitionContext(deps), at, channel, order, {
        orderId: order.id,
        event: 'cancel',
        reasonCode: 'CHANNEL_CANCELLED',
        note: 'cancelled on the channel',
      });
    } else {
      // Already on its way: nobody may silently cancel it. Hold if still possible, and say so.
      await appendTimeline(tx, at, channel, {
        orderId: order.id,
        event: 'channel_cancel_refused',
        fromStatus: order.status,
        toStatus: order.status,
        reasonCode: 'CHANNEL_CANCELLED',
        note: `the channel cancelled the order, but it is ${order.status}: intercept the parcel or open an after-sales case`,
      });
    }
  }
  // A part staff had edited was changed on the channel too: the channel's value was taken, and a
  // person confirms it before the order goes on (the staff's receiver is in the receiver history).
  if (merge.conflicts.length && ['paid', 'under_review'].includes(order.status)) {
    order = await transitionLocked(tx, transitionContext(deps), at, systemActor('ingest', 'channel'), order, {
      orderId: order.id,
      event: 'hold',
      reasonCode: 'CHANNEL_CHANGED',
      note: `changed on the channel after an edit in orderhub: ${merge.conflicts.join(', ')}`,
    });
  }
  // Reviewed or later, a change on the channel is not taken silently: the order waits for a person.
  if (
    o.status !== 'cancelled' &&
    (order.status === 'approved' || order.status === 'fulfilling') &&
    o.contentHash !== current.contentHash
  ) {
    order = await transitionLocked(tx, transitionContext(deps), at, systemActor('ingest', 'channel'), order, {
      orderId: order.id,
      event: 'hold',
      reasonCode: 'CHANNEL_CHANGED',
      note: `changed on the channel after review: ${changedFields(current, order).join(', ') || 'lines'}`,
    });
  }
  order = await syncOrderStock(tx, deps, at, actor, order, info, null);
  return { outcome: 'updated', order, account: info };
}

/** A paid order with an unmapped line cannot be fulfilled: hold it with a reason people can act on. */
async function applyAutomaticHolds(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  order: OrderRow,
  o: CanonicalOrder,
): Promise<OrderRow> {
  if (order.status !== 'paid') return order;
  const unmapped = o.lines.filter((l) => !l.sku);
  if (unmapped.length === 0) return order;
  return transitionLocked(tx, transitionContext(deps), at, systemActor('ingest'), order, {
    orderId: order.id,
    event: 'hold',
    reasonCode: 'SKU_UNMAPPED',
    note: `no master SKU for ${unmapped.map((l) => `line ${l.lineNo} (${l.channelSku})`).join(', ')}`,
  });
}

function changedFields(before: OrderRow, after: OrderRow): string[] {
  const keys = Object.keys(after) as (keyof OrderRow)[];
  const skip = new Set<keyof OrderRow>(['version', 'updatedAt', 'contentHash', 'sourceVersion']);
  // Sealed fields differ on every write (fresh IV); the phone's blind index stands in for them.
  return keys.filter(
    (k) => !skip.has(k) && !k.endsWith('Enc') && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
}

/** Each changed field with its value before and after (sealed fields are named, never shown). */
function fieldDiff(before: OrderRow, after: OrderRow): Record<string, [unknown, unknown] | 'changed'> {
  const diff: Record<string, [unknown, unknown] | 'changed'> = {};
  for (const k of changedFields(before, after) as (keyof OrderRow)[]) diff[k] = [before[k], after[k]];
  for (const k of Object.keys(after) as (keyof OrderRow)[])
    if (k.endsWith('Enc') && JSON.stringify(before[k]) !== JSON.stringify(after[k]) && before[k] !== null)
      diff[k.slice(0, -3)] = 'changed';
  return diff;
}
