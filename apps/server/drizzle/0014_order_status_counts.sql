-- Tab counts that stay fast at millions of orders: orders per (shop, status), kept by a trigger
-- that only appends deltas (no row is updated, so concurrent ingests never wait on a counter),
-- folded into the totals by a job. A count reads totals + pending deltas: exact at any moment.
CREATE TABLE "order_status_counts" (
	"channel_account_id" text NOT NULL,
	"status" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "order_status_counts_pk" PRIMARY KEY("channel_account_id","status")
);--> statement-breakpoint
CREATE TABLE "order_status_count_deltas" (
	"channel_account_id" text NOT NULL,
	"status" text NOT NULL,
	"delta" integer NOT NULL
);--> statement-breakpoint
CREATE FUNCTION "order_status_count_delta"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO order_status_count_deltas VALUES (NEW.channel_account_id, NEW.status, 1);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO order_status_count_deltas VALUES (OLD.channel_account_id, OLD.status, -1);
  ELSIF NEW.status IS DISTINCT FROM OLD.status OR NEW.channel_account_id IS DISTINCT FROM OLD.channel_account_id THEN
    INSERT INTO order_status_count_deltas VALUES
      (OLD.channel_account_id, OLD.status, -1), (NEW.channel_account_id, NEW.status, 1);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "orders_status_count" AFTER INSERT OR DELETE OR UPDATE OF "status", "channel_account_id" ON "orders"
  FOR EACH ROW EXECUTE FUNCTION "order_status_count_delta"();--> statement-breakpoint
INSERT INTO "order_status_counts" ("channel_account_id", "status", "n")
  SELECT "channel_account_id", "status", count(*) FROM "orders" GROUP BY 1, 2;
