import { hooksOf } from '../../platform/deps.ts';
import { defineModule } from '../../platform/module.ts';
import { type CountImportMessage, runCountImport } from './count-import.ts';
import { runStockRelay } from './relay.ts';
import { inventoryRoutes } from './routes.ts';
import {
  CHANNEL_STOCK_PUSH_QUEUE,
  type ChannelStockPushMessage,
  COUNT_IMPORT_QUEUE,
  INVENTORY_QUEUES,
  inventorySettingsFromEnv,
  STOCK_ALERTS_QUEUE,
  STOCK_RELAY_QUEUE,
  STOCK_VERIFY_QUEUE,
  type StockAlertMessage,
  stockDepsOf,
} from './settings.ts';
import { verifyLedger } from './verify.ts';

/**
 * Stock: the ledger, levels, reservations, freezes, counts, transfers and what channels may sell.
 * What orders do to stock (reserve on ingest, release on cancel, restock holds) is the
 * order-inventory flow's.
 */
export const inventoryModule = defineModule({
  name: 'inventory',
  queues: INVENTORY_QUEUES,
  settings: (env, overrides) => ({ inventory: { ...inventorySettingsFromEnv(env), ...overrides.inventory } }),
  routes: inventoryRoutes,
  workers: [
    {
      // Large count sheets are read here, off the request path (see count-import.ts).
      queue: COUNT_IMPORT_QUEUE,
      // Someone is waiting on the answer: look for new sheets often.
      pollingIntervalSeconds: 0.5,
      handler: (deps) => async (msg: CountImportMessage) => {
        await runCountImport(
          { database: deps.database, deps: stockDepsOf(deps), now: () => deps.clock.now() },
          deps.log,
          msg,
        );
      },
    },
    {
      // Stock changes mark their SKU; the relay turns marks into debounced stock-changed jobs.
      queue: STOCK_RELAY_QUEUE,
      handler: (deps) => async () => {
        await runStockRelay(deps.database, stockDepsOf(deps), deps.clock.now());
      },
    },
    {
      // Channel connectors deliver stock from here (the channelStockPush hook); without one the push is logged.
      queue: CHANNEL_STOCK_PUSH_QUEUE,
      batchSize: 50,
      handler: (deps) => {
        const deliver = hooksOf(deps, 'channelStockPush');
        return async (msg: ChannelStockPushMessage) => {
          if (deliver.length === 0) deps.log.debug(msg, 'channel stock push');
          for (const d of deliver) await d(msg);
        };
      },
    },
    {
      queue: STOCK_ALERTS_QUEUE,
      batchSize: 50,
      handler:
        ({ log }) =>
        async (msg: StockAlertMessage) => {
          log.warn(msg, msg.type === 'stock.below_safety' ? 'stock below safety stock' : 'stock recovered');
        },
    },
    {
      queue: STOCK_VERIFY_QUEUE,
      handler:
        ({ database, log }) =>
        async () => {
          const result = await verifyLedger(database);
          if (result.differences.length)
            log.error(
              { differences: result.differences.slice(0, 50) },
              'stock counters disagree with the ledger',
            );
          else log.info({ levels: result.levels }, 'stock ledger verified');
        },
    },
  ],
  schedules: [
    // The push relay restarts each minute; the ledger is re-checked nightly.
    { queue: STOCK_RELAY_QUEUE, cron: '* * * * *' },
    { queue: STOCK_VERIFY_QUEUE, cron: '17 3 * * *' },
  ],
});
