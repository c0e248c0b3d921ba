-- Order editing before approval: every receiver an order had before an edit, sealed as the order's
-- own receiver columns (the timeline shows it masked), and gift lines at zero price.
CREATE TABLE "order_receiver_history" (
  "id" text PRIMARY KEY NOT NULL,
  "order_id" text NOT NULL REFERENCES "orders"("id"),
  "at" timestamptz NOT NULL,
  "replaced_by" text NOT NULL,
  "receiver_name_enc" text,
  "receiver_phone_enc" text,
  "receiver_country" text NOT NULL,
  "receiver_province" text,
  "receiver_city" text,
  "receiver_district" text,
  "receiver_detail_enc" text,
  "receiver_postal_code" text
);
--> statement-breakpoint
CREATE INDEX "order_receiver_history_order_idx" ON "order_receiver_history" ("order_id", "at");
--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "gift" boolean NOT NULL DEFAULT false;
