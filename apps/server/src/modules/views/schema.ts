import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../auth/schema.ts';

const tstz = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A saved view of a console list: a name and the list's query string, owned by one user and shared
 * with none or some roles. Names are unique per owner and page, case ignored.
 */
export const savedViews = pgTable(
  'saved_views',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id),
    page: text('page').notNull(),
    name: text('name').notNull(),
    query: text('query').notNull(),
    sharedWith: text('shared_with').array().notNull().default(sql`'{}'::text[]`),
    createdAt: tstz('created_at').notNull(),
    updatedAt: tstz('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('saved_views_owner_page_name_idx').on(t.ownerId, t.page, sql`lower(${t.name})`),
    index('saved_views_shared_idx').using('gin', t.sharedWith),
  ],
);

/** Each user's default view per page: the list opens with it when the URL carries no filter. */
export const savedViewDefaults = pgTable(
  'saved_view_defaults',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    page: text('page').notNull(),
    viewId: text('view_id')
      .notNull()
      .references(() => savedViews.id, { onDelete: 'cascade' }),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.page] }), index('saved_view_defaults_view_idx').on(t.viewId)],
);
