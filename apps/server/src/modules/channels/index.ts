export {
  accountActiveSql,
  accountIdsWhere,
  accountsByIds,
  type ChannelAccount,
  ensureDefaultAccount,
  listAccounts,
  requireActiveAccount,
} from './accounts.ts';
export { channelsModule } from './module.ts';
export { channelRoutes } from './routes.ts';
