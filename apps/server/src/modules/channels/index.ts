export {
  type AccountConnection,
  accountActiveSql,
  accountConnection,
  accountIdsWhere,
  accountsByIds,
  type ChannelAccount,
  cachedAccountConnection,
  ensureDefaultAccount,
  listAccounts,
  requireActiveAccount,
} from './accounts.ts';
export { raiseAlert } from './alerts.ts';
export {
  type Backfill,
  finishBackfill,
  getBackfill,
  saveBackfillPage,
} from './backfill.ts';
export type {
  ChannelCredentials,
  ChannelOrder,
  Connector,
  ConnectorContext,
  PulledPage,
  PullWindow,
  RawPush,
  ShapeSample,
} from './connector.ts';
export { ConnectorError } from './connector.ts';
export {
  connectorFor,
  connectorForChannel,
  platformOfChannel,
  registerConnector,
} from './connectors/index.ts';
export { signWebhook } from './connectors/webhook/index.ts';
export { connectorContext, setPlatformFetch } from './context.ts';
export { recordShapes } from './drift.ts';
export { type SyncHealthSummary, syncHealthSummary } from './health.ts';
export { beginAttempt, finishAttempt, getInboxMessage, type InboxMessage, parkPulledOrder } from './inbox.ts';
export { channelsModule } from './module.ts';
export {
  escalateDueReviews,
  getRefundReview,
  listRefundReviews,
  openRefundReview,
  pendingReviewsOf,
  type RefundReview,
  type RefundReviewStatus,
  refundReviewView,
  reviewsOfOrder,
  setReviewFreezes,
  settleRefundReview,
} from './refund-reviews.ts';
export { channelsSealedData } from './reseal.ts';
export { channelRoutes } from './routes.ts';
export {
  CHANNEL_BACKFILL_QUEUE,
  CHANNEL_INBOX_QUEUE,
  CHANNEL_REFUND_SWEEP_QUEUE,
  CHANNEL_STOCK_DELIVER_QUEUE,
  CHANNEL_SYNC_QUEUE,
  CHANNEL_SYNC_TICK_QUEUE,
  type ChannelSettings,
  channelSettingsOf,
  DEFAULT_CHANNEL_SETTINGS,
} from './settings.ts';
export { resolveMasterSkus } from './sku-resolution.ts';
export { accountsWithDueStock, deliverStock, recordWantedStock } from './stock-push.ts';
export {
  claimRun,
  dueAccountIds,
  nextWindow,
  recordRunFailure,
  recordRunSuccess,
  type SyncState,
  savePage,
} from './sync-state.ts';
