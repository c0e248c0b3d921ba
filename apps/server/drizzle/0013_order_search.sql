-- Search as staff search: phone by its last four digits and receiver name by keyed hashes (never
-- in clear), buyer nickname, SKU and product title by case-insensitive prefix; the seller's flag.
ALTER TABLE "orders" ADD COLUMN "receiver_phone_last4_idx" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "receiver_name_idx" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "seller_flag" integer;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_seller_flag_check" CHECK ("seller_flag" BETWEEN 1 AND 5);--> statement-breakpoint
CREATE INDEX "orders_phone_last4_idx" ON "orders" ("receiver_phone_last4_idx");--> statement-breakpoint
CREATE INDEX "orders_name_idx" ON "orders" ("receiver_name_idx");--> statement-breakpoint
CREATE INDEX "orders_buyer_nick_prefix_idx" ON "orders" (lower("buyer_nick") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "order_lines_sku_prefix_idx" ON "order_lines" (lower("sku") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "order_lines_title_prefix_idx" ON "order_lines" (lower("title") text_pattern_ops);
