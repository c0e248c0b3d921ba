-- Log-in limits (modules/auth/login-limits.ts). One row per limited key: a source address, an
-- account name, an (account, address) pair or a known device, each stored as a SHA-256 so that no
-- address or typed name sits here in clear. The fixed per-account lock-out it replaces is dropped:
-- anyone could use it to lock a real user out.
CREATE TABLE "login_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL DEFAULT 0,
	"blocked_until" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "login_limits_updated_idx" ON "login_limits" USING btree ("updated_at");
--> statement-breakpoint
-- Browsers that logged in before (the orderhub_device cookie): the password from one of them still
-- passes while its account is under attack from elsewhere.
CREATE TABLE "login_devices" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL REFERENCES "users"("id"),
	"created_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "login_devices_user_idx" ON "login_devices" USING btree ("user_id");
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "failed_logins";
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "locked_until";
