-- Payment callbacks: the attempt keeps its order's natural key (channel account, external order id),
-- so a callback locks the order in one statement instead of reading it first; payment events keep
-- the parameters of their reason code, so people read them in their own language.
ALTER TABLE "payment_attempts" ADD COLUMN "order_channel_account_id" text;
--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD COLUMN "order_external_id" text;
--> statement-breakpoint
UPDATE "payment_attempts" AS a SET "order_channel_account_id" = o."channel_account_id", "order_external_id" = o."external_order_id"
  FROM "orders" AS o WHERE o."id" = a."order_id";
--> statement-breakpoint
ALTER TABLE "payment_events" ADD COLUMN "params" jsonb;
