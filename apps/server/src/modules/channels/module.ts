import { defineModule } from '../../platform/module.ts';
import { ensureDefaultAccount } from './accounts.ts';
import { channelRoutes } from './routes.ts';

/** Channel accounts: the shops orders come from. */
export const channelsModule = defineModule({
  name: 'channels',
  // Every installation can take orders from its own storefront at once.
  boot: async ({ database, clock }) => ensureDefaultAccount(database, clock.now()),
  routes: channelRoutes,
});
