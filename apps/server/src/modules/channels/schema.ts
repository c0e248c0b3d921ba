import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });
const tstz = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A shop on a channel (渠道店铺): orders are unique per account, never per channel. Its
 * connection (platform credentials, sealed; the API base URL; the sync interval and the
 * connector's settings) is written through the API and never read back out.
 */
export const channelAccounts = pgTable(
  'channel_accounts',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    channel: text('channel').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
    credentialsEnc: text('credentials_enc'),
    credentialFields: jsonb('credential_fields').notNull().default([]),
    credentialsUpdatedAt: tstz('credentials_updated_at'),
    baseUrl: text('base_url'),
    syncIntervalSeconds: integer('sync_interval_seconds').notNull().default(300),
    connectorSettings: jsonb('connector_settings').notNull().default({}),
  },
  (t) => [check('channel_accounts_sync_interval', sql`${t.syncIntervalSeconds} BETWEEN 30 AND 86400`)],
);

/** Where an account's pull stands: everything modified before `synced_to` is in; the window and page in progress. */
export const channelSyncState = pgTable('channel_sync_state', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => channelAccounts.id),
  syncedTo: tstz('synced_to'),
  windowFrom: tstz('window_from'),
  windowTo: tstz('window_to'),
  page: text('page'),
  nextRunAt: tstz('next_run_at'),
  runningSince: tstz('running_since'),
  lastAttemptAt: tstz('last_attempt_at'),
  lastSuccessAt: tstz('last_success_at'),
  lastError: text('last_error'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  authExpired: boolean('auth_expired').notNull().default(false),
  ordersPulled: bigint('orders_pulled', { mode: 'number' }).notNull().default(0),
  updatedAt: tstz('updated_at').notNull(),
});

/** A range pulled again on request (`POST /api/channel-accounts/{id}/backfill`). */
export const channelBackfills = pgTable(
  'channel_backfills',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => channelAccounts.id),
    rangeFrom: tstz('range_from').notNull(),
    rangeTo: tstz('range_to').notNull(),
    doneTo: tstz('done_to').notNull(),
    page: text('page'),
    status: text('status').notNull(),
    orders: bigint('orders', { mode: 'number' }).notNull().default(0),
    error: text('error'),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [
    index('channel_backfills_account_idx').on(t.accountId, t.createdAt),
    check('channel_backfills_status', sql`${t.status} IN ('queued', 'running', 'done', 'failed')`),
    check('channel_backfills_range', sql`${t.rangeFrom} < ${t.rangeTo}`),
  ],
);

/** Pushed messages, stored before they are acknowledged; one row per (account, platform message id). */
export const channelInbox = pgTable(
  'channel_inbox',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => channelAccounts.id),
    messageId: text('message_id').notNull(),
    topic: text('topic'),
    headers: jsonb('headers').notNull(),
    rawBody: bytea('raw_body').notNull(),
    status: text('status').notNull(),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    orderIds: jsonb('order_ids').notNull().default([]),
    receivedAt: tstz('received_at').notNull(),
    processedAt: tstz('processed_at'),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('channel_inbox_message_uq').on(t.accountId, t.messageId),
    index('channel_inbox_list_idx').on(t.receivedAt, t.id),
    index('channel_inbox_status_idx').on(t.status, t.receivedAt),
    check('channel_inbox_status', sql`${t.status} IN ('received', 'processed', 'failed', 'rejected')`),
  ],
);

/** Each field seen in a platform API's payloads, with its JSON type (interface drift watch). */
export const channelShapes = pgTable(
  'channel_shapes',
  {
    platform: text('platform').notNull(),
    api: text('api').notNull(),
    field: text('field').notNull(),
    type: text('type').notNull(),
    seen: integer('seen').notNull().default(1),
    firstSeenAt: tstz('first_seen_at').notNull(),
    lastSeenAt: tstz('last_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.api, t.field] })],
);

/** How many payloads of a platform API were sampled (a field seen in all of them is expected). */
export const channelShapeSamples = pgTable(
  'channel_shape_samples',
  {
    platform: text('platform').notNull(),
    api: text('api').notNull(),
    samples: integer('samples').notNull().default(0),
    firstSeenAt: tstz('first_seen_at').notNull(),
    lastSeenAt: tstz('last_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.api] })],
);

/** Things a person should look at: an account failing or expired, a drifted field, a parked stock push. */
export const channelAlerts = pgTable(
  'channel_alerts',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    accountId: text('account_id').references(() => channelAccounts.id),
    platform: text('platform'),
    api: text('api'),
    field: text('field'),
    details: jsonb('details').notNull().default({}),
    example: jsonb('example'),
    firstSeenAt: tstz('first_seen_at').notNull(),
    lastSeenAt: tstz('last_seen_at').notNull(),
    occurrences: integer('occurrences').notNull().default(1),
    resolvedAt: tstz('resolved_at'),
  },
  (t) => [index('channel_alerts_open_idx').on(t.kind, t.firstSeenAt).where(sql`${t.resolvedAt} IS NULL`)],
);

/**
 * Sellable stock told to each (account, SKU): the newest value wanted (its sequence is the
 * instant the figure was taken, so an older figure never replaces a newer one) and the last
 * value the channel accepted.
 */
export const channelStockPushes = pgTable(
  'channel_stock_pushes',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => channelAccounts.id),
    sku: text('sku').notNull(),
    wantedValue: bigint('wanted_value', { mode: 'number' }).notNull(),
    wantedSequence: bigint('wanted_sequence', { mode: 'number' }).notNull(),
    wantedAt: tstz('wanted_at').notNull(),
    pushedValue: bigint('pushed_value', { mode: 'number' }),
    pushedSequence: bigint('pushed_sequence', { mode: 'number' }),
    pushedAt: tstz('pushed_at'),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: tstz('next_attempt_at'),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.sku] }),
    index('channel_stock_pushes_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} IN ('pending', 'failed')`),
    check('channel_stock_pushes_status', sql`${t.status} IN ('pending', 'pushed', 'failed', 'parked')`),
  ],
);

/** A refund-only request (仅退款) on paid, unshipped goods: its units stay frozen until someone decides. */
export const channelRefundReviews = pgTable(
  'channel_refund_reviews',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => channelAccounts.id),
    orderId: text('order_id').notNull(),
    externalOrderId: text('external_order_id').notNull(),
    externalLineId: text('external_line_id'),
    freezeIds: jsonb('freeze_ids').notNull().default([]),
    status: text('status').notNull(),
    dueAt: tstz('due_at').notNull(),
    decidedAt: tstz('decided_at'),
    decidedBy: text('decided_by'),
    createdAt: tstz('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('channel_refund_reviews_line_uq')
      .on(t.orderId, sql`COALESCE(${t.externalLineId}, '')`)
      .where(sql`${t.status} IN ('open', 'escalated')`),
    index('channel_refund_reviews_due_idx').on(t.dueAt).where(sql`${t.status} = 'open'`),
    check(
      'channel_refund_reviews_status',
      sql`${t.status} IN ('open', 'approved', 'rejected', 'escalated', 'withdrawn')`,
    ),
  ],
);
