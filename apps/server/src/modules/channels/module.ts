import { defineModule } from '../../platform/module.ts';
import { ensureDefaultAccount } from './accounts.ts';
import { channelRoutes } from './routes.ts';
import { CHANNEL_QUEUES, CHANNEL_STOCK_DELIVER_QUEUE, channelSettingsFromEnv } from './settings.ts';
import { deliverStock, recordWantedStock } from './stock-push.ts';

/**
 * Channel accounts (the shops orders come from) and their connections: connectors, sync state,
 * inbox, drift watch, stock pushed back. Pulling and processing pushes ingest orders, so their
 * workers live in the channel-sync flow (flows/channel-sync.ts).
 */
export const channelsModule = defineModule({
  name: 'channels',
  queues: CHANNEL_QUEUES,
  settings: (env, overrides) => ({ channels: { ...channelSettingsFromEnv(env), ...overrides.channels } }),
  // Every installation can take orders from its own storefront at once.
  boot: async ({ database, clock }) => ensureDefaultAccount(database, clock.now()),
  routes: channelRoutes,
  // Inventory's channel-stock push jobs are delivered through each account's connector.
  hooks: (deps) => ({
    channelStockPush: [
      async (msg) => {
        await recordWantedStock(deps, msg);
      },
    ],
  }),
  workers: [
    {
      queue: CHANNEL_STOCK_DELIVER_QUEUE,
      concurrency: 2,
      handler: (deps) => async (msg: { accountId: string }) => {
        const r = await deliverStock(deps, msg.accountId);
        // Figures waiting for a retry come back when due (the minute sweep also catches them).
        if (r.laterAt)
          await deps.jobs.send(
            deps.database,
            CHANNEL_STOCK_DELIVER_QUEUE,
            { accountId: msg.accountId },
            {
              startAfter: r.laterAt,
              singletonKey: `stock-later:${msg.accountId}`,
              singletonSeconds: 5,
            },
          );
      },
    },
  ],
});
