-- Stock counters and quantities are 64-bit: a warehouse may receive 10^9 units a line, and three
-- such receipts overflowed the 32-bit counters. Counters stay within 2^53 - 1 so that the server
-- reads them as exact JavaScript numbers; a change that would pass it is refused (INVENTORY_LIMIT)
-- before this check fires.
ALTER TABLE "stock_levels" ALTER COLUMN "on_hand" SET DATA TYPE bigint, ALTER COLUMN "reserved" SET DATA TYPE bigint, ALTER COLUMN "frozen" SET DATA TYPE bigint, ALTER COLUMN "in_transit" SET DATA TYPE bigint, ALTER COLUMN "safety_stock" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_counter_limit" CHECK ("stock_levels"."on_hand" <= 9007199254740991 AND "stock_levels"."in_transit" <= 9007199254740991);--> statement-breakpoint
ALTER TABLE "stock_movements" ALTER COLUMN "on_hand" SET DATA TYPE bigint, ALTER COLUMN "reserved" SET DATA TYPE bigint, ALTER COLUMN "frozen" SET DATA TYPE bigint, ALTER COLUMN "in_transit" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "quantity" SET DATA TYPE bigint, ALTER COLUMN "original" SET DATA TYPE bigint, ALTER COLUMN "consumed" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "stock_freezes" ALTER COLUMN "quantity" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "stock_alerts" ALTER COLUMN "available" SET DATA TYPE bigint, ALTER COLUMN "safety_stock" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "stock_count_rows" ALTER COLUMN "expected" SET DATA TYPE bigint, ALTER COLUMN "counted" SET DATA TYPE bigint;
