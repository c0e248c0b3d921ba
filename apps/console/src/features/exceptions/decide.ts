/**
 * What the exception queues offer, kept pure: an order held for stock (OUT_OF_STOCK) is not approved
 * or released from here — the server refuses that until every line is reserved — but reserved again
 * (every warehouse) or cancelled as out of stock; batch actions leave alone the orders they do not fit.
 */
import type { OrderView } from '@orderhub/contracts';

export const OUT_OF_STOCK = 'OUT_OF_STOCK';

export type QueueAction = 'retry' | 'cancelOutOfStock' | 'release';

/** The batch actions a queue offers. */
export function batchActionsFor(reason: string): QueueAction[] {
  return reason === OUT_OF_STOCK ? ['retry', 'cancelOutOfStock'] : ['release'];
}

/** Events a row of an OUT_OF_STOCK order does not offer as plain buttons (its own actions replace them). */
const REPLACED_FOR_OUT_OF_STOCK = new Set(['approve', 'release', 'cancel']);

export function plainEvents<E extends { event: string }>(
  holdReason: string | null,
  events: readonly E[],
): E[] {
  return holdReason === OUT_OF_STOCK
    ? events.filter((e) => !REPLACED_FOR_OUT_OF_STOCK.has(e.event))
    : [...events];
}

export type SkipReason = 'skipOutOfStock' | 'skipNotOutOfStock' | 'skipNotHeld';

export interface QueuePlan<O> {
  run: O[];
  skip: { order: O; reason: SkipReason }[];
}

type Row = Pick<OrderView, 'id' | 'status' | 'holdReason'>;

/** Which of the selected orders an action runs on, and why it skips the others. */
export function planBatch<O extends Row>(action: QueueAction, orders: readonly O[]): QueuePlan<O> {
  const plan: QueuePlan<O> = { run: [], skip: [] };
  for (const o of orders) {
    let reason: SkipReason | null = null;
    if (o.status !== 'on_hold') reason = 'skipNotHeld';
    else if (action === 'release' && o.holdReason === OUT_OF_STOCK) reason = 'skipOutOfStock';
    else if (action !== 'release' && o.holdReason !== OUT_OF_STOCK) reason = 'skipNotOutOfStock';
    if (reason) plan.skip.push({ order: o, reason });
    else plan.run.push(o);
  }
  return plan;
}

/** The message key for an error code the console can say in words (`err_<CODE>`), else null. */
export const KNOWN_ERRORS = new Set([
  'ORDER_STOCK_NOT_RESERVED',
  'ORDER_VERSION_CONFLICT',
  'ORDER_INVALID_TRANSITION',
  'ORDER_GUARD_FAILED',
  'INVENTORY_INSUFFICIENT',
  'SKU_UNMAPPED',
  'FORBIDDEN',
  'NOT_FOUND',
  'NETWORK_ERROR',
]);

export function errorKey(code: string | undefined): string | null {
  return code && KNOWN_ERRORS.has(code) ? `err_${code}` : null;
}
