import { defineModule } from '../../platform/module.ts';
import { ORDER_EVENTS_QUEUE, type OrderEventMessage } from './events.ts';
import { backfillSearchIndexes } from './reseal.ts';
import { orderRoutes } from './routes.ts';

/** The order centre: canonical orders, their machine, timeline and events. */
export const ordersModule = defineModule({
  name: 'orders',
  queues: [{ name: ORDER_EVENTS_QUEUE }],
  routes: orderRoutes,
  // Orders stored before the search hashes existed get them (a no-op once done).
  boot: async ({ database, crypto, log }) => {
    const n = await backfillSearchIndexes(database, crypto);
    if (n) log.info({ orders: n }, 'search hashes filled for earlier orders');
  },
  workers: [
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
