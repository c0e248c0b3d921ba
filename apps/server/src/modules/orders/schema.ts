import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { channelAccounts } from '../channels/schema.ts';

const money = (name: string) => bigint(name, { mode: 'number' }).notNull().default(0);
const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    channelAccountId: text('channel_account_id')
      .notNull()
      .references(() => channelAccounts.id),
    externalOrderId: text('external_order_id').notNull(),
    /** The number people read and type (OH26113000001); see order-no.ts. `id` stays the API's key. */
    orderNo: text('order_no').notNull(),
    status: text('status').notNull(),
    holdReason: text('hold_reason'),
    /** Bumped by every change; a caller holding an older one is refused (optimistic concurrency). */
    version: integer('version').notNull().default(1),
    /** The channel's modification time of the data we hold; an older update never overwrites it. */
    sourceVersion: tstz('source_version').notNull(),
    contentHash: text('content_hash').notNull(),
    currency: text('currency').notNull(),
    goodsAmount: money('goods_amount'),
    shippingFee: money('shipping_fee'),
    discount: money('discount'),
    tax: money('tax'),
    total: money('total'),
    placedAt: tstz('placed_at').notNull(),
    placedAtRaw: text('placed_at_raw'),
    paidAt: tstz('paid_at'),
    paidAtRaw: text('paid_at_raw'),
    buyerId: text('buyer_id'),
    buyerNick: text('buyer_nick'),
    receiverNameEnc: text('receiver_name_enc'),
    receiverPhoneEnc: text('receiver_phone_enc'),
    /** HMAC of the E.164 phone: exact search without storing the number in clear. */
    receiverPhoneIdx: text('receiver_phone_idx'),
    receiverCountry: text('receiver_country').notNull().default('CN'),
    receiverProvince: text('receiver_province'),
    receiverCity: text('receiver_city'),
    receiverDistrict: text('receiver_district'),
    receiverDetailEnc: text('receiver_detail_enc'),
    receiverPostalCode: text('receiver_postal_code'),
    receiverPlatformRef: text('receiver_platform_ref'),
    buyerRemark: text('buyer_remark'),
    sellerRemark: text('seller_remark'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    lineCount: integer('line_count').notNull(),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
    /** HMAC of the phone's last four digits (masked platform numbers keep theirs): 尾号 search. */
    receiverPhoneLast4Idx: text('receiver_phone_last4_idx'),
    /** HMAC of the normalised receiver name: search by name without storing it in clear. */
    receiverNameIdx: text('receiver_name_idx'),
    /** 旗帜: the seller's flag colour (1 red, 2 yellow, 3 green, 4 blue, 5 purple), null when none. */
    sellerFlag: integer('seller_flag'),
    /**
     * Set by the first staff edit of the receiver since the channel's last version: the keyed
     * fingerprint of the channel's receiver then. A newer channel version with the same receiver
     * keeps the edit; one with another receiver replaces it and holds the order (source-merge.ts).
     */
    receiverEditedFrom: text('receiver_edited_from'),
    /** The same for the lines: the fingerprint of the channel's lines when staff first edited them. */
    linesEditedFrom: text('lines_edited_from'),
  },
  (t) => [
    uniqueIndex('orders_account_external_uq').on(t.channelAccountId, t.externalOrderId),
    uniqueIndex('orders_order_no_uq').on(t.orderNo),
    index('orders_placed_idx').on(t.placedAt, t.id),
    index('orders_paid_idx').on(t.paidAt, t.id),
    index('orders_updated_idx').on(t.updatedAt, t.id),
    index('orders_status_placed_idx').on(t.status, t.placedAt),
    index('orders_phone_idx').on(t.receiverPhoneIdx),
    index('orders_external_idx').on(t.externalOrderId),
    index('orders_hold_idx').on(t.holdReason).where(sql`${t.holdReason} IS NOT NULL`),
    index('orders_tags_idx').using('gin', t.tags),
    index('orders_phone_last4_idx').on(t.receiverPhoneLast4Idx),
    index('orders_name_idx').on(t.receiverNameIdx),
    index('orders_buyer_nick_prefix_idx').on(sql`lower(${t.buyerNick}) text_pattern_ops`),
    // Orders still waiting for their receiver search hashes (the start-up back-fill's lookup).
    index('orders_search_backfill_idx')
      .on(t.id)
      .where(
        sql`(${t.receiverNameEnc} IS NOT NULL AND ${t.receiverNameIdx} IS NULL) OR (${t.receiverPhoneEnc} IS NOT NULL AND ${t.receiverPhoneLast4Idx} IS NULL)`,
      ),
  ],
);

export const orderLines = pgTable(
  'order_lines',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    lineNo: integer('line_no').notNull(),
    externalLineId: text('external_line_id'),
    channelSku: text('channel_sku').notNull(),
    sku: text('sku'),
    title: text('title'),
    quantity: integer('quantity').notNull(),
    unitPrice: money('unit_price'),
    discount: money('discount'),
    status: text('status').notNull().default('open'),
    /** A gift line added at zero price (赠品), by an edit or a manual order. */
    gift: boolean('gift').notNull().default(false),
  },
  (t) => [
    uniqueIndex('order_lines_order_line_uq').on(t.orderId, t.lineNo),
    index('order_lines_sku_idx').on(t.sku),
    index('order_lines_channel_sku_idx').on(t.channelSku),
    index('order_lines_sku_prefix_idx').on(sql`lower(${t.sku}) text_pattern_ops`),
    index('order_lines_title_prefix_idx').on(sql`lower(${t.title}) text_pattern_ops`),
  ],
);

/**
 * The receivers an order had before each address edit, sealed like the order's own receiver columns
 * (re-sealed on key rotation); the timeline names the change masked.
 */
export const orderReceiverHistory = pgTable(
  'order_receiver_history',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    at: tstz('at').notNull(),
    replacedBy: text('replaced_by').notNull(),
    receiverNameEnc: text('receiver_name_enc'),
    receiverPhoneEnc: text('receiver_phone_enc'),
    receiverCountry: text('receiver_country').notNull(),
    receiverProvince: text('receiver_province'),
    receiverCity: text('receiver_city'),
    receiverDistrict: text('receiver_district'),
    receiverDetailEnc: text('receiver_detail_enc'),
    receiverPostalCode: text('receiver_postal_code'),
  },
  (t) => [index('order_receiver_history_order_idx').on(t.orderId, t.at)],
);

/** Every version of an order as it arrived, verbatim, before anything was read out of it. */
export const orderRawPayloads = pgTable(
  'order_raw_payloads',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    sourceVersion: tstz('source_version').notNull(),
    contentHash: text('content_hash').notNull(),
    receivedAt: tstz('received_at').notNull(),
    /** The payload encrypted as a whole: it carries personal data in clear as the channel sent it. */
    payloadEnc: text('payload_enc').notNull(),
  },
  (t) => [index('order_raw_order_idx').on(t.orderId, t.receivedAt)],
);

/** The explained history of an order: who did what, when, from where, and why. Append-only. */
export const orderTimeline = pgTable(
  'order_timeline',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    at: tstz('at').notNull(),
    event: text('event').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorName: text('actor_name'),
    ip: text('ip'),
    source: text('source').notNull(),
    reasonCode: text('reason_code'),
    note: text('note'),
    details: jsonb('details'),
  },
  (t) => [index('order_timeline_order_idx').on(t.orderId, t.at)],
);

/**
 * Order number counters: per local day up to ORDER_NO_SLOTS rows, each handing out its own blocks
 * of numbers, so concurrent ingests never queue on one row (see order-no.ts). `next` is the last
 * index the slot handed out.
 */
export const orderNoCounters = pgTable(
  'order_no_counters',
  {
    day: date('day').notNull(),
    slot: integer('slot').notNull(),
    next: bigint('next', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.day, t.slot] }),
    check('order_no_counters_slot', sql`${t.slot} BETWEEN 0 AND 31`),
  ],
);

/**
 * Orders per shop and status, for the list's tab counts at any size: totals folded by a job from
 * the deltas an `orders` trigger appends (migration 0014). A count is totals + pending deltas.
 */
export const orderStatusCounts = pgTable(
  'order_status_counts',
  {
    channelAccountId: text('channel_account_id').notNull(),
    status: text('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'order_status_counts_pk', columns: [t.channelAccountId, t.status] })],
);

/** Appended by the `orders_status_count` trigger (+1/−1 per order and status); folded and emptied by a job. */
export const orderStatusCountDeltas = pgTable('order_status_count_deltas', {
  channelAccountId: text('channel_account_id').notNull(),
  status: text('status').notNull(),
  delta: integer('delta').notNull(),
});
