-- Data scopes per user: the channel accounts and warehouses a user may see (empty = all).
ALTER TABLE users ADD COLUMN scope_accounts text[] NOT NULL DEFAULT '{}';
--> statement-breakpoint
ALTER TABLE users ADD COLUMN scope_warehouses text[] NOT NULL DEFAULT '{}';
