-- Payments: accounts, attempts, fund vouchers, refunds, callback events, inspections.
CREATE TABLE IF NOT EXISTS "payment_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"provider" text NOT NULL,
	"base_url" text,
	"settings_enc" text NOT NULL,
	"settings_version" integer DEFAULT 1 NOT NULL,
	"replay_window_seconds" integer,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"settings_updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payment_accounts_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "payment_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL REFERENCES "orders"("id"),
	"payment_account_id" text NOT NULL REFERENCES "payment_accounts"("id"),
	"merchant_trade_no" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text NOT NULL,
	"mode" text,
	"provider_ref" text,
	"client" jsonb,
	"expires_at" timestamp with time zone NOT NULL,
	"query_count" integer DEFAULT 0 NOT NULL,
	"last_queried_at" timestamp with time zone,
	"last_query_result" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "payment_attempts_trade_no_uq" ON "payment_attempts" ("merchant_trade_no");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "payment_attempts_order_idx" ON "payment_attempts" ("order_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "payment_attempts_pending_idx" ON "payment_attempts" ("created_at") WHERE "status" = 'pending';
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "fund_vouchers" (
	"id" text PRIMARY KEY NOT NULL,
	"payment_account_id" text NOT NULL REFERENCES "payment_accounts"("id"),
	"provider_txn_id" text NOT NULL,
	"kind" text NOT NULL,
	"order_id" text REFERENCES "orders"("id"),
	"attempt_id" text REFERENCES "payment_attempts"("id"),
	"refund_id" text,
	"reverses_id" text,
	"merchant_trade_no" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"fee" bigint,
	"status" text NOT NULL,
	"provider_status" text NOT NULL,
	"source" text NOT NULL,
	"disposition" text NOT NULL,
	"exception" text,
	"exception_resolved_at" timestamp with time zone,
	"provider_time" timestamp with time zone,
	"received_at" timestamp with time zone NOT NULL,
	"skew_ms" bigint,
	"event_id" text,
	"raw" jsonb
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "fund_vouchers_account_txn_uq" ON "fund_vouchers" ("payment_account_id", "provider_txn_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "fund_vouchers_order_idx" ON "fund_vouchers" ("order_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "fund_vouchers_exception_idx" ON "fund_vouchers" ("exception") WHERE "exception_resolved_at" IS NULL;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "payment_refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL REFERENCES "orders"("id"),
	"payment_account_id" text NOT NULL REFERENCES "payment_accounts"("id"),
	"attempt_id" text NOT NULL REFERENCES "payment_attempts"("id"),
	"voucher_id" text NOT NULL REFERENCES "fund_vouchers"("id"),
	"merchant_refund_no" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"reason" text NOT NULL,
	"lines" jsonb,
	"status" text NOT NULL,
	"provider_refund_id" text,
	"provider_status" text,
	"last_error" text,
	"query_count" integer DEFAULT 0 NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "payment_refunds_no_uq" ON "payment_refunds" ("merchant_refund_no");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "payment_refunds_order_idx" ON "payment_refunds" ("order_id");
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "payment_events" (
	"id" text PRIMARY KEY NOT NULL,
	"payment_account_id" text REFERENCES "payment_accounts"("id"),
	"account_code" text NOT NULL,
	"kind" text NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"message" text,
	"provider_event_id" text,
	"merchant_trade_no" text,
	"order_id" text,
	"voucher_id" text,
	"headers" jsonb,
	"raw_body" bytea,
	"decoded" jsonb,
	"sent_at" timestamp with time zone,
	"skew_ms" bigint,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "payment_events_received_idx" ON "payment_events" ("received_at", "id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "payment_events_order_idx" ON "payment_events" ("order_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "payment_events_trade_idx" ON "payment_events" ("merchant_trade_no");
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "inspections" (
	"id" text PRIMARY KEY NOT NULL,
	"day" text NOT NULL,
	"zone" text NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"stuck_count" integer NOT NULL,
	"findings" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inspections_started_idx" ON "inspections" ("started_at");
