-- Channels: connections, sync state, inbox, drift, stock push status.
ALTER TABLE channel_accounts ADD COLUMN credentials_enc text;
--> statement-breakpoint
ALTER TABLE channel_accounts ADD COLUMN credential_fields jsonb NOT NULL DEFAULT '[]'::jsonb;
--> statement-breakpoint
ALTER TABLE channel_accounts ADD COLUMN credentials_updated_at timestamptz;
--> statement-breakpoint
ALTER TABLE channel_accounts ADD COLUMN base_url text;
--> statement-breakpoint
ALTER TABLE channel_accounts ADD COLUMN sync_interval_seconds integer NOT NULL DEFAULT 300;
--> statement-breakpoint
ALTER TABLE channel_accounts ADD COLUMN connector_settings jsonb NOT NULL DEFAULT '{}'::jsonb;
--> statement-breakpoint
ALTER TABLE channel_accounts ADD CONSTRAINT channel_accounts_sync_interval CHECK (sync_interval_seconds BETWEEN 30 AND 86400);
--> statement-breakpoint
CREATE TABLE channel_sync_state (
  account_id text PRIMARY KEY REFERENCES channel_accounts(id),
  synced_to timestamptz,
  window_from timestamptz,
  window_to timestamptz,
  page text,
  next_run_at timestamptz,
  running_since timestamptz,
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  consecutive_failures integer NOT NULL DEFAULT 0,
  auth_expired boolean NOT NULL DEFAULT false,
  orders_pulled bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL
);
--> statement-breakpoint
CREATE TABLE channel_backfills (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES channel_accounts(id),
  range_from timestamptz NOT NULL,
  range_to timestamptz NOT NULL,
  done_to timestamptz NOT NULL,
  page text,
  status text NOT NULL,
  orders bigint NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT channel_backfills_status CHECK (status IN ('queued', 'running', 'done', 'failed')),
  CONSTRAINT channel_backfills_range CHECK (range_from < range_to)
);
--> statement-breakpoint
CREATE INDEX channel_backfills_account_idx ON channel_backfills (account_id, created_at);
--> statement-breakpoint
CREATE TABLE channel_inbox (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES channel_accounts(id),
  message_id text NOT NULL,
  topic text,
  headers jsonb NOT NULL,
  raw_body bytea NOT NULL,
  status text NOT NULL,
  error text,
  attempts integer NOT NULL DEFAULT 0,
  order_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  received_at timestamptz NOT NULL,
  processed_at timestamptz,
  updated_at timestamptz NOT NULL,
  CONSTRAINT channel_inbox_status CHECK (status IN ('received', 'processed', 'failed', 'rejected'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX channel_inbox_message_uq ON channel_inbox (account_id, message_id);
--> statement-breakpoint
CREATE INDEX channel_inbox_list_idx ON channel_inbox (received_at, id);
--> statement-breakpoint
CREATE INDEX channel_inbox_status_idx ON channel_inbox (status, received_at);
--> statement-breakpoint
CREATE TABLE channel_shapes (
  platform text NOT NULL,
  api text NOT NULL,
  field text NOT NULL,
  type text NOT NULL,
  seen integer NOT NULL DEFAULT 1,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  PRIMARY KEY (platform, api, field)
);
--> statement-breakpoint
CREATE TABLE channel_shape_samples (
  platform text NOT NULL,
  api text NOT NULL,
  samples integer NOT NULL DEFAULT 0,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  PRIMARY KEY (platform, api)
);
--> statement-breakpoint
CREATE TABLE channel_alerts (
  id text PRIMARY KEY,
  kind text NOT NULL,
  account_id text REFERENCES channel_accounts(id),
  platform text,
  api text,
  field text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  example jsonb,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  occurrences integer NOT NULL DEFAULT 1,
  resolved_at timestamptz
);
--> statement-breakpoint
CREATE INDEX channel_alerts_open_idx ON channel_alerts (kind, first_seen_at) WHERE resolved_at IS NULL;
--> statement-breakpoint
CREATE TABLE channel_stock_pushes (
  account_id text NOT NULL REFERENCES channel_accounts(id),
  sku text NOT NULL,
  wanted_value bigint NOT NULL,
  wanted_sequence bigint NOT NULL,
  wanted_at timestamptz NOT NULL,
  pushed_value bigint,
  pushed_sequence bigint,
  pushed_at timestamptz,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  next_attempt_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, sku),
  CONSTRAINT channel_stock_pushes_status CHECK (status IN ('pending', 'pushed', 'failed', 'parked'))
);
--> statement-breakpoint
CREATE INDEX channel_stock_pushes_due_idx ON channel_stock_pushes (next_attempt_at) WHERE status IN ('pending', 'failed');
--> statement-breakpoint
CREATE TABLE channel_refund_reviews (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES channel_accounts(id),
  order_id text NOT NULL,
  external_order_id text NOT NULL,
  external_line_id text,
  freeze_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  status text NOT NULL,
  due_at timestamptz NOT NULL,
  decided_at timestamptz,
  decided_by text,
  created_at timestamptz NOT NULL,
  CONSTRAINT channel_refund_reviews_status CHECK (status IN ('open', 'approved', 'rejected', 'escalated', 'withdrawn'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX channel_refund_reviews_line_uq ON channel_refund_reviews (order_id, COALESCE(external_line_id, '')) WHERE status IN ('open', 'escalated');
--> statement-breakpoint
CREATE INDEX channel_refund_reviews_due_idx ON channel_refund_reviews (due_at) WHERE status = 'open';
