export { type ChannelAccount, ensureDefaultAccount, requireActiveAccount } from './accounts.ts';
export { channelRoutes } from './routes.ts';
