import { boolean, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** The SKU master (商品主数据): order lines, stock and channel mappings name these codes. */
export const skus = pgTable(
  'skus',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    /** For the warehouse × category views of the console. */
    category: text('category'),
    barcode: text('barcode'),
    active: boolean('active').notNull().default(true),
    /** False for goods that carry no stock (services, virtual goods): their lines reserve nothing. */
    tracked: boolean('tracked').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('skus_category_idx').on(t.category), index('skus_barcode_idx').on(t.barcode)],
);
