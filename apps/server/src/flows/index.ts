import {
  CHANNEL_BACKFILL_QUEUE,
  CHANNEL_INBOX_QUEUE,
  CHANNEL_REFUND_SWEEP_QUEUE,
  CHANNEL_SYNC_QUEUE,
  CHANNEL_SYNC_TICK_QUEUE,
} from '../modules/channels/index.ts';
import { STOCK_CHANGED_QUEUE, STOCK_EXPIRY_QUEUE, stockDepsOf } from '../modules/inventory/index.ts';
import { defineModule } from '../platform/module.ts';
import { channelRefundRoutes } from './channel-refund-routes.ts';
import { escalateRefundReviews } from './channel-refunds.ts';
import { channelTick, processInboxMessage, runAccountSync, runBackfill } from './channel-sync.ts';
import { ingestRoutes } from './ingest-routes.ts';
import { orderEditRoutes } from './order-edit-routes.ts';
import { expireDue, onStockChanged, orderStockEffect } from './order-inventory.ts';
import { stockGuard } from './stock-guard.ts';
import { stockRoutes } from './stock-routes.ts';

/**
 * The doors orders come in through: `POST /api/orders` and `POST /api/orders:batch`; and, through
 * the same ingest, manual orders, with the edits before approval that move stock (order-edit-routes.ts).
 */
export const ingestFlow = defineModule({
  name: 'ingest',
  routes: (app, deps) => {
    ingestRoutes(app, deps);
    orderEditRoutes(app, deps);
  },
});

/**
 * What orders do to stock: cancel/close releases an order's stock, ship consumes it, pay stops its
 * payment timeout (all in the transition's transaction); approve, start_fulfilment and ship need
 * every stocked line reserved (the stock guard); unpaid orders expire; orders short of stock take
 * it when it arrives, or when a merchant asks (`POST /api/orders/{id}/reservations:retry`).
 */
export const orderInventoryFlow = defineModule({
  name: 'order-inventory',
  hooks: (deps) => ({
    orderTransition: [orderStockEffect(stockDepsOf(deps))],
    orderTransitionGuard: [stockGuard],
  }),
  routes: stockRoutes,
  workers: [
    {
      queue: STOCK_CHANGED_QUEUE,
      handler: (deps) => async (msg: { sku: string }) => {
        await onStockChanged(deps.database, deps, deps.clock.now(), msg.sku);
      },
    },
    {
      queue: STOCK_EXPIRY_QUEUE,
      handler: (deps) => async () => {
        await expireDue(deps.database, deps, deps.clock.now());
      },
    },
  ],
  // Holds expire by the minute sweep.
  schedules: [{ queue: STOCK_EXPIRY_QUEUE, cron: '* * * * *', data: { kind: 'sweep' } }],
});

/**
 * Orders from the channels: each account pulled on its schedule, backfills, and stored pushes
 * processed — all through the ingest flow (see flows/channel-sync.ts, docs/channels.md).
 */
export const channelSyncFlow = defineModule({
  name: 'channel-sync',
  routes: channelRefundRoutes,
  workers: [
    {
      queue: CHANNEL_REFUND_SWEEP_QUEUE,
      handler: (deps) => async () => {
        await escalateRefundReviews(deps);
      },
    },
    {
      queue: CHANNEL_SYNC_TICK_QUEUE,
      handler: (deps) => async () => {
        await channelTick(deps);
      },
    },
    {
      queue: CHANNEL_SYNC_QUEUE,
      concurrency: 2,
      handler: (deps) => async (msg: { accountId: string }) => {
        await runAccountSync(deps, msg.accountId);
      },
    },
    {
      queue: CHANNEL_BACKFILL_QUEUE,
      handler: (deps) => async (msg: { id: string }) => {
        await runBackfill(deps, msg.id);
      },
    },
    {
      queue: CHANNEL_INBOX_QUEUE,
      batchSize: 20,
      concurrency: 2,
      pollingIntervalSeconds: 0.5,
      handler: (deps) => async (msg: { id: string }) => {
        await processInboxMessage(deps, msg.id);
      },
    },
  ],
  // Due accounts are looked for each minute; each account's own interval decides when it runs.
  // Undecided refund-only requests are escalated by the five-minute sweep.
  schedules: [
    { queue: CHANNEL_SYNC_TICK_QUEUE, cron: '* * * * *' },
    { queue: CHANNEL_REFUND_SWEEP_QUEUE, cron: '*/5 * * * *' },
  ],
});

export { decideRefundReview, escalateRefundReviews } from './channel-refunds.ts';
export {
  channelTick,
  ingestChannelOrder,
  processInboxMessage,
  runAccountSync,
  runBackfill,
} from './channel-sync.ts';
export { type IngestOutcome, type IngestResult, ingestOrder, prepareIngest } from './ingest-order.ts';
export { createManualOrder, editOrderLines } from './order-edit.ts';
export { expireDue, onStockChanged, shipOrderUnits, syncOrderStock } from './order-inventory.ts';
export { retryOrderReservation } from './stock-routes.ts';
