-- Fewer index entries per stock reservation. A reservation belongs to an order or to a checkout,
-- so one of order_id and checkout_account is null; every query on either names a value (order_id
-- = …, checkout_account = … AND checkout_ref = …; holds of no order are found by their expiry),
-- so the null rows need no entry. No query reads the ledger by its source document.
DROP INDEX IF EXISTS "stock_movements_source_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "reservations_order_idx";--> statement-breakpoint
CREATE INDEX "reservations_order_idx" ON "reservations" USING btree ("order_id") WHERE "reservations"."order_id" IS NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS "reservations_checkout_idx";--> statement-breakpoint
CREATE INDEX "reservations_checkout_idx" ON "reservations" USING btree ("checkout_account","checkout_ref") WHERE "reservations"."checkout_account" IS NOT NULL;
