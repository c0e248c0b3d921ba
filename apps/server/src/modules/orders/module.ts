import { defineModule } from '../../platform/module.ts';
import { ORDER_EVENTS_QUEUE, type OrderEventMessage } from './events.ts';
import { foldStatusCounts } from './list-orders.ts';
import { backfillSearchIndexes } from './reseal.ts';
import { orderRoutes } from './routes.ts';

const FOLD_COUNTS_QUEUE = 'order-status-counts-fold';

/** The order centre: canonical orders, their machine, timeline and events. */
export const ordersModule = defineModule({
  name: 'orders',
  queues: [{ name: ORDER_EVENTS_QUEUE }, { name: FOLD_COUNTS_QUEUE }],
  routes: orderRoutes,
  // Orders stored before the search hashes existed get them (a no-op once done).
  boot: async ({ database, crypto, log }) => {
    const n = await backfillSearchIndexes(database, crypto);
    if (n) log.info({ orders: n }, 'search hashes filled for earlier orders');
  },
  // The tab counts' deltas are folded into their totals every minute (reads are exact either way).
  schedules: [{ queue: FOLD_COUNTS_QUEUE, cron: '* * * * *' }],
  workers: [
    {
      queue: FOLD_COUNTS_QUEUE,
      batchSize: 1,
      concurrency: 1,
      handler:
        ({ database }) =>
        async () => {
          await database.tx((tx) => foldStatusCounts(tx));
        },
    },
    {
      // Order events leave through here; outbound webhooks and channel pushes subscribe in later
      // modules. Batches keep the outbox drained under a full ingest (see docs/benchmarks.md).
      queue: ORDER_EVENTS_QUEUE,
      batchSize: 200,
      concurrency: 2,
      pollingIntervalSeconds: 1,
      handler:
        ({ log }) =>
        async (msg: OrderEventMessage) => {
          log.debug({ orderId: msg.orderId, type: msg.type, version: msg.version }, 'order event');
        },
    },
  ],
});
