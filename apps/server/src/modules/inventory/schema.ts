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
import { skus } from '../catalog/schema.ts';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

const tstz = (name: string) => timestamp(name, { withTimezone: true });
/** Stock quantities are 64-bit, read as numbers: counters stay below 2^53 (see docs/inventory.md). */
const units = (name: string) => bigint(name, { mode: 'number' });
const qty = (name: string) => units(name).notNull().default(0);

/** A place that holds stock (仓库). Priority decides which warehouse reserves first. */
export const warehouses = pgTable('warehouses', {
  id: text('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  province: text('province'),
  city: text('city'),
  active: boolean('active').notNull().default(true),
  priority: integer('priority').notNull().default(0),
  createdAt: tstz('created_at').notNull(),
  updatedAt: tstz('updated_at').notNull(),
});

/**
 * Counters per (SKU, warehouse): a cache of the movement ledger, changed only together with a
 * movement row. The checks are the last line of defence; every write is a guarded update that
 * refuses before they would fire.
 */
export const stockLevels = pgTable(
  'stock_levels',
  {
    sku: text('sku')
      .notNull()
      .references(() => skus.code),
    warehouseId: text('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    onHand: qty('on_hand'),
    reserved: qty('reserved'),
    frozen: qty('frozen'),
    inTransit: qty('in_transit'),
    safetyStock: qty('safety_stock'),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sku, t.warehouseId] }),
    index('stock_levels_warehouse_idx').on(t.warehouseId, t.sku),
    check(
      'stock_levels_nonnegative',
      sql`${t.onHand} >= 0 AND ${t.reserved} >= 0 AND ${t.frozen} >= 0 AND ${t.inTransit} >= 0 AND ${t.safetyStock} >= 0`,
    ),
    check('stock_levels_available_nonnegative', sql`${t.onHand} - ${t.reserved} - ${t.frozen} >= 0`),
    check(
      'stock_levels_counter_limit',
      sql`${t.onHand} <= 9007199254740991 AND ${t.inTransit} <= 9007199254740991`,
    ),
  ],
);

/** The append-only ledger (库存流水): each row changes the counters by its four deltas. */
export const stockMovements = pgTable(
  'stock_movements',
  {
    id: text('id').primaryKey(),
    at: tstz('at').notNull(),
    type: text('type').notNull(),
    sku: text('sku').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    onHand: units('on_hand').notNull(),
    reserved: units('reserved').notNull(),
    frozen: units('frozen').notNull(),
    inTransit: units('in_transit').notNull(),
    reasonCode: text('reason_code'),
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    actorName: text('actor_name'),
    sourceType: text('source_type'),
    sourceId: text('source_id'),
    note: text('note'),
  },
  (t) => [
    index('stock_movements_sku_idx').on(t.sku, t.warehouseId, t.id),
    index('stock_movements_at_idx').on(t.at, t.id),
  ],
);

/** Units held for an order or a checkout (占用). Active rows add up to `stock_levels.reserved`. */
export const reservations = pgTable(
  'reservations',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id'),
    checkoutAccount: text('checkout_account'),
    checkoutRef: text('checkout_ref'),
    lineNo: integer('line_no'),
    sku: text('sku').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    quantity: units('quantity').notNull(),
    original: units('original').notNull(),
    consumed: qty('consumed'),
    reason: text('reason').notNull(),
    status: text('status').notNull(),
    expiresAt: tstz('expires_at'),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [
    // Partial: a reservation belongs to an order or to a checkout, never both (migration 0008).
    index('reservations_order_idx').on(t.orderId).where(sql`${t.orderId} IS NOT NULL`),
    index('reservations_checkout_idx')
      .on(t.checkoutAccount, t.checkoutRef)
      .where(sql`${t.checkoutAccount} IS NOT NULL`),
    index('reservations_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'active' AND ${t.expiresAt} IS NOT NULL`),
    check('reservations_quantity', sql`${t.quantity} >= 0 AND ${t.consumed} >= 0`),
  ],
);

/** Units held back from sale by after-sales or by hand (冻结). Active rows add up to `frozen`. */
export const stockFreezes = pgTable(
  'stock_freezes',
  {
    id: text('id').primaryKey(),
    sku: text('sku').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    quantity: units('quantity').notNull(),
    reasonCode: text('reason_code').notNull(),
    status: text('status').notNull(),
    expiresAt: tstz('expires_at'),
    sourceType: text('source_type'),
    sourceId: text('source_id'),
    note: text('note'),
    createdAt: tstz('created_at').notNull(),
    releasedAt: tstz('released_at'),
    releaseReason: text('release_reason'),
  },
  (t) => [
    index('stock_freezes_active_idx').on(t.expiresAt).where(sql`${t.status} = 'active'`),
    index('stock_freezes_source_idx').on(t.sourceType, t.sourceId),
  ],
);

/** Stock on its way between warehouses (调拨). Lines in transit add up to the target's `in_transit`. */
export const stockTransfers = pgTable('stock_transfers', {
  id: text('id').primaryKey(),
  fromWarehouseId: text('from_warehouse_id').notNull(),
  toWarehouseId: text('to_warehouse_id').notNull(),
  status: text('status').notNull(),
  lines: jsonb('lines').$type<{ sku: string; quantity: number }[]>().notNull(),
  note: text('note'),
  createdAt: tstz('created_at').notNull(),
  receivedAt: tstz('received_at'),
});

/** An imported count sheet (盘点表): previewed first, applied once. */
export const stockCounts = pgTable('stock_counts', {
  id: text('id').primaryKey(),
  status: text('status').notNull(),
  /** Empty since the rows moved to stock_count_chunks. */
  rows: jsonb('rows')
    .default([])
    .$type<
      {
        row: number;
        sku: string;
        warehouse: string;
        warehouseId: string;
        expected: number;
        counted: number;
      }[]
    >()
    .notNull(),
  note: text('note'),
  createdAt: tstz('created_at').notNull(),
  createdBy: text('created_by'),
  appliedAt: tstz('applied_at'),
  /** Large sheets are read by a job (status `processing`): what it needs and how far it got. */
  format: text('format'),
  defaultWarehouse: text('default_warehouse'),
  rowsRead: integer('rows_read').notNull().default(0),
  error: jsonb('error').$type<{ code: string; message: string; details?: unknown }>(),
});

/** The uploaded sheet of a count still being read, in parts; deleted once read. */
export const stockCountUploads = pgTable(
  'stock_count_uploads',
  {
    countId: text('count_id')
      .notNull()
      .references(() => stockCounts.id, { onDelete: 'cascade' }),
    part: integer('part').notNull(),
    content: bytea('content').notNull(),
  },
  (t) => [primaryKey({ name: 'stock_count_uploads_pk', columns: [t.countId, t.part] })],
);

/**
 * A previewed count's rows, up to a thousand per chunk: what was counted against on hand at the
 * preview. `data` is JSON text, one array per row: [row, sku, warehouse, warehouse id, expected,
 * counted]; `firstIndex` is the position of the chunk's first row among the count's rows.
 */
export const stockCountChunks = pgTable(
  'stock_count_chunks',
  {
    countId: text('count_id')
      .notNull()
      .references(() => stockCounts.id, { onDelete: 'cascade' }),
    chunk: integer('chunk').notNull(),
    firstIndex: integer('first_index').notNull(),
    rowCount: integer('row_count').notNull(),
    differences: integer('differences').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ name: 'stock_count_chunks_pk', columns: [t.countId, t.chunk] })],
);

/** One open alert per (SKU, warehouse) while available stock is below its safety stock. */
export const stockAlerts = pgTable(
  'stock_alerts',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    sku: text('sku').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    available: units('available').notNull(),
    safetyStock: units('safety_stock').notNull(),
    raisedAt: tstz('raised_at').notNull(),
    clearedAt: tstz('cleared_at'),
  },
  (t) => [
    uniqueIndex('stock_alerts_open_uq').on(t.type, t.sku, t.warehouseId).where(sql`${t.clearedAt} IS NULL`),
    index('stock_alerts_raised_idx').on(t.raisedAt),
  ],
);

/** The share of sellable stock a channel account may offer; `sku = '*'` is the account's default. */
export const channelStockShares = pgTable(
  'channel_stock_shares',
  {
    accountCode: text('account_code').notNull(),
    sku: text('sku').notNull(),
    percent: integer('percent').notNull(),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountCode, t.sku] }),
    check('channel_stock_shares_percent', sql`${t.percent} BETWEEN 0 AND 100`),
  ],
);

/**
 * SKUs whose stock changed since channels were last told. The first change inserts the mark and
 * enqueues one delayed job; later changes find the mark and enqueue nothing (the debounce).
 */
export const stockPushMarks = pgTable('stock_push_marks', {
  sku: text('sku').primaryKey(),
  markedAt: tstz('marked_at').notNull(),
});
