import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { orders } from '../orders/schema.ts';

const tstz = (name: string) => timestamp(name, { withTimezone: true });
const money = (name: string) => bigint(name, { mode: 'number' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** A merchant's account with a payment provider; its settings (keys, secrets) are sealed and never shown. */
export const paymentAccounts = pgTable('payment_accounts', {
  id: text('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  provider: text('provider').notNull(),
  baseUrl: text('base_url'),
  /** The provider's settings as JSON, sealed with the field key (`v1.<key id>.…`). */
  settingsEnc: text('settings_enc').notNull(),
  /** Bumped by every change of the secrets (rotation), audited. */
  settingsVersion: integer('settings_version').notNull().default(1),
  /** Stripe's replay window; null takes the module default. */
  replayWindowSeconds: integer('replay_window_seconds'),
  active: boolean('active').notNull().default(true),
  createdAt: tstz('created_at').notNull(),
  updatedAt: tstz('updated_at').notNull(),
  settingsUpdatedAt: tstz('settings_updated_at').notNull(),
});

/** One try to collect an order's money through one account: our merchant trade number is its key. */
export const paymentAttempts = pgTable(
  'payment_attempts',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    paymentAccountId: text('payment_account_id')
      .notNull()
      .references(() => paymentAccounts.id),
    /** The order's natural key (its channel account and external id), so a callback locks it at once; null on attempts made before 0018 that had no order row. */
    orderChannelAccountId: text('order_channel_account_id'),
    orderExternalId: text('order_external_id'),
    merchantTradeNo: text('merchant_trade_no').notNull(),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    /** pending → paid | closed | failed; derived from vouchers and queries. */
    status: text('status').notNull(),
    mode: text('mode'),
    providerRef: text('provider_ref'),
    client: jsonb('client'),
    expiresAt: tstz('expires_at').notNull(),
    queryCount: integer('query_count').notNull().default(0),
    lastQueriedAt: tstz('last_queried_at'),
    lastQueryResult: text('last_query_result'),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('payment_attempts_trade_no_uq').on(t.merchantTradeNo),
    index('payment_attempts_order_idx').on(t.orderId),
    index('payment_attempts_pending_idx').on(t.createdAt).where(sql`${t.status} = 'pending'`),
  ],
);

/**
 * Fund vouchers (资金凭证): one row per money movement the provider confirmed, unique on (account,
 * provider transaction id). Never updated in amount: a refund or correction is a reversing row.
 */
export const fundVouchers = pgTable(
  'fund_vouchers',
  {
    id: text('id').primaryKey(),
    paymentAccountId: text('payment_account_id')
      .notNull()
      .references(() => paymentAccounts.id),
    providerTxnId: text('provider_txn_id').notNull(),
    kind: text('kind').notNull(),
    orderId: text('order_id').references(() => orders.id),
    attemptId: text('attempt_id').references(() => paymentAttempts.id),
    refundId: text('refund_id'),
    reversesId: text('reverses_id'),
    merchantTradeNo: text('merchant_trade_no').notNull(),
    /** Signed minor units: payments positive, refunds and reversals negative. */
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    fee: money('fee'),
    status: text('status').notNull(),
    providerStatus: text('provider_status').notNull(),
    source: text('source').notNull(),
    /** What the voucher meant for the order: applied, partial, mismatch, paid_after_cancel, … */
    disposition: text('disposition').notNull(),
    /** Set while a person has to act (refund a payment for a cancelled order, look at a mismatch). */
    exception: text('exception'),
    exceptionResolvedAt: tstz('exception_resolved_at'),
    providerTime: tstz('provider_time'),
    receivedAt: tstz('received_at').notNull(),
    /** Our clock minus the provider's stamp on the delivery, in ms. */
    skewMs: bigint('skew_ms', { mode: 'number' }),
    eventId: text('event_id'),
    raw: jsonb('raw'),
  },
  (t) => [
    uniqueIndex('fund_vouchers_account_txn_uq').on(t.paymentAccountId, t.providerTxnId),
    index('fund_vouchers_order_idx').on(t.orderId),
    index('fund_vouchers_exception_idx').on(t.exception).where(sql`${t.exceptionResolvedAt} IS NULL`),
  ],
);

/** A refund we asked for: the merchant refund number is the provider's idempotency key. */
export const paymentRefunds = pgTable(
  'payment_refunds',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    paymentAccountId: text('payment_account_id')
      .notNull()
      .references(() => paymentAccounts.id),
    attemptId: text('attempt_id')
      .notNull()
      .references(() => paymentAttempts.id),
    voucherId: text('voucher_id')
      .notNull()
      .references(() => fundVouchers.id),
    merchantRefundNo: text('merchant_refund_no').notNull(),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    lines: jsonb('lines'),
    /** requested → processing → succeeded | failed | closed */
    status: text('status').notNull(),
    providerRefundId: text('provider_refund_id'),
    providerStatus: text('provider_status'),
    lastError: text('last_error'),
    /** The last failed call as a reason code (REFUND_FAILED, REFUND_QUERY_FAILED) and its parameters. */
    lastErrorReason: text('last_error_reason'),
    lastErrorParams: jsonb('last_error_params'),
    queryCount: integer('query_count').notNull().default(0),
    requestedBy: text('requested_by').notNull(),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('payment_refunds_no_uq').on(t.merchantRefundNo),
    index('payment_refunds_order_idx').on(t.orderId),
  ],
);

/** Every callback, refusal, query and refund step, kept raw: what happened, and why it was refused. */
export const paymentEvents = pgTable(
  'payment_events',
  {
    id: text('id').primaryKey(),
    paymentAccountId: text('payment_account_id').references(() => paymentAccounts.id),
    accountCode: text('account_code').notNull(),
    /** callback | query | refund | refund_query */
    kind: text('kind').notNull(),
    /** received | applied | duplicate | refused | ignored | failed | pending */
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    /** The reason's parameters (a provider's error code, an event type), for the words people read. */
    params: jsonb('params'),
    message: text('message'),
    providerEventId: text('provider_event_id'),
    merchantTradeNo: text('merchant_trade_no'),
    orderId: text('order_id'),
    voucherId: text('voucher_id'),
    headers: jsonb('headers'),
    rawBody: bytea('raw_body'),
    decoded: jsonb('decoded'),
    sentAt: tstz('sent_at'),
    skewMs: bigint('skew_ms', { mode: 'number' }),
    receivedAt: tstz('received_at').notNull(),
  },
  (t) => [
    index('payment_events_received_idx').on(t.receivedAt, t.id),
    index('payment_events_order_idx').on(t.orderId),
    index('payment_events_trade_idx').on(t.merchantTradeNo),
  ],
);

/** The nightly health inspection: stuck orders, likely causes, fixes tried and their result. */
export const inspections = pgTable(
  'inspections',
  {
    id: text('id').primaryKey(),
    /** The inspection's day in the zone it ran for (YYYY-MM-DD); one scheduled run per day. */
    day: text('day').notNull(),
    zone: text('zone').notNull(),
    trigger: text('trigger').notNull(),
    startedAt: tstz('started_at').notNull(),
    finishedAt: tstz('finished_at').notNull(),
    stuckCount: integer('stuck_count').notNull(),
    findings: jsonb('findings').notNull(),
  },
  (t) => [index('inspections_started_idx').on(t.startedAt)],
);
