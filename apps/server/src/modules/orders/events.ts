import type { SqlExecutor } from '../../platform/db.ts';
import type { Jobs } from '../../platform/jobs.ts';

export const ORDER_EVENTS_QUEUE = 'order-events';

export interface OrderEventMessage {
  type: 'order.created' | 'order.updated' | 'order.status_changed';
  orderId: string;
  version: number;
  status: string;
  at: string;
  event?: string;
  from?: string | null;
  reasonCode?: string | null;
}

/** Publishes through the outbox: the message is in the queue exactly when the transaction commits. */
export async function emitOrderEvent(tx: SqlExecutor, jobs: Jobs, msg: OrderEventMessage): Promise<void> {
  await jobs.send(tx, ORDER_EVENTS_QUEUE, msg);
}

export type OrderEventSubscriber = (msg: OrderEventMessage) => Promise<void>;
