CREATE TABLE "skus" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"category" text,
	"barcode" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "skus_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "channel_stock_shares" (
	"account_code" text NOT NULL,
	"sku" text NOT NULL,
	"percent" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "channel_stock_shares_account_code_sku_pk" PRIMARY KEY("account_code","sku"),
	CONSTRAINT "channel_stock_shares_percent" CHECK ("channel_stock_shares"."percent" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text,
	"checkout_account" text,
	"checkout_ref" text,
	"line_no" integer,
	"sku" text NOT NULL,
	"warehouse_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"original" integer NOT NULL,
	"consumed" integer DEFAULT 0 NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "reservations_quantity" CHECK ("reservations"."quantity" >= 0 AND "reservations"."consumed" >= 0)
);
--> statement-breakpoint
CREATE TABLE "stock_alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"sku" text NOT NULL,
	"warehouse_id" text NOT NULL,
	"available" integer NOT NULL,
	"safety_stock" integer NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"cleared_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "stock_counts" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"rows" jsonb NOT NULL,
	"note" text,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text,
	"applied_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "stock_freezes" (
	"id" text PRIMARY KEY NOT NULL,
	"sku" text NOT NULL,
	"warehouse_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"reason_code" text NOT NULL,
	"status" text NOT NULL,
	"expires_at" timestamp with time zone,
	"source_type" text,
	"source_id" text,
	"note" text,
	"created_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone,
	"release_reason" text
);
--> statement-breakpoint
CREATE TABLE "stock_levels" (
	"sku" text NOT NULL,
	"warehouse_id" text NOT NULL,
	"on_hand" integer DEFAULT 0 NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"frozen" integer DEFAULT 0 NOT NULL,
	"in_transit" integer DEFAULT 0 NOT NULL,
	"safety_stock" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "stock_levels_sku_warehouse_id_pk" PRIMARY KEY("sku","warehouse_id"),
	CONSTRAINT "stock_levels_nonnegative" CHECK ("stock_levels"."on_hand" >= 0 AND "stock_levels"."reserved" >= 0 AND "stock_levels"."frozen" >= 0 AND "stock_levels"."in_transit" >= 0 AND "stock_levels"."safety_stock" >= 0),
	CONSTRAINT "stock_levels_available_nonnegative" CHECK ("stock_levels"."on_hand" - "stock_levels"."reserved" - "stock_levels"."frozen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "stock_movements" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"sku" text NOT NULL,
	"warehouse_id" text NOT NULL,
	"on_hand" integer NOT NULL,
	"reserved" integer NOT NULL,
	"frozen" integer NOT NULL,
	"in_transit" integer NOT NULL,
	"reason_code" text,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"actor_name" text,
	"source_type" text,
	"source_id" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "stock_push_marks" (
	"sku" text PRIMARY KEY NOT NULL,
	"marked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_transfers" (
	"id" text PRIMARY KEY NOT NULL,
	"from_warehouse_id" text NOT NULL,
	"to_warehouse_id" text NOT NULL,
	"status" text NOT NULL,
	"lines" jsonb NOT NULL,
	"note" text,
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "warehouses" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"province" text,
	"city" text,
	"active" boolean DEFAULT true NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "warehouses_code_unique" UNIQUE("code")
);
--> statement-breakpoint
ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_sku_skus_code_fk" FOREIGN KEY ("sku") REFERENCES "public"."skus"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_warehouse_id_warehouses_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "public"."warehouses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "skus_category_idx" ON "skus" USING btree ("category");--> statement-breakpoint
CREATE INDEX "skus_barcode_idx" ON "skus" USING btree ("barcode");--> statement-breakpoint
CREATE INDEX "reservations_order_idx" ON "reservations" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "reservations_checkout_idx" ON "reservations" USING btree ("checkout_account","checkout_ref");--> statement-breakpoint
CREATE INDEX "reservations_expiry_idx" ON "reservations" USING btree ("expires_at") WHERE "reservations"."status" = 'active' AND "reservations"."expires_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "reservations_level_idx" ON "reservations" USING btree ("sku","warehouse_id") WHERE "reservations"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "stock_alerts_open_uq" ON "stock_alerts" USING btree ("type","sku","warehouse_id") WHERE "stock_alerts"."cleared_at" IS NULL;--> statement-breakpoint
CREATE INDEX "stock_alerts_raised_idx" ON "stock_alerts" USING btree ("raised_at");--> statement-breakpoint
CREATE INDEX "stock_freezes_active_idx" ON "stock_freezes" USING btree ("expires_at") WHERE "stock_freezes"."status" = 'active';--> statement-breakpoint
CREATE INDEX "stock_freezes_source_idx" ON "stock_freezes" USING btree ("source_type","source_id");--> statement-breakpoint
CREATE INDEX "stock_levels_warehouse_idx" ON "stock_levels" USING btree ("warehouse_id","sku");--> statement-breakpoint
CREATE INDEX "stock_movements_sku_idx" ON "stock_movements" USING btree ("sku","warehouse_id","id");--> statement-breakpoint
CREATE INDEX "stock_movements_at_idx" ON "stock_movements" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "stock_movements_source_idx" ON "stock_movements" USING btree ("source_type","source_id");