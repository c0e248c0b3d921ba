import { boolean, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** A shop on a channel (渠道店铺): orders are unique per account, never per channel. */
export const channelAccounts = pgTable('channel_accounts', {
  id: text('id').primaryKey(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  channel: text('channel').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
