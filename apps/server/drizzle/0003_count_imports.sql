-- Large count sheets are read by a job: the upload waits in stock_count_uploads (in parts, so no
-- single statement carries megabytes) until the job has read it, and the count shows the job's
-- progress and, when it fails, why. A count's rows move to stock_count_rows, written and read in
-- chunks; stock_counts.rows stays (empty) for now.
ALTER TABLE "stock_counts" ADD COLUMN "format" text;
--> statement-breakpoint
ALTER TABLE "stock_counts" ADD COLUMN "default_warehouse" text;
--> statement-breakpoint
ALTER TABLE "stock_counts" ADD COLUMN "rows_read" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "stock_counts" ADD COLUMN "error" jsonb;
--> statement-breakpoint
ALTER TABLE "stock_counts" ALTER COLUMN "rows" SET DEFAULT '[]'::jsonb;
--> statement-breakpoint
CREATE TABLE "stock_count_uploads" (
	"count_id" text NOT NULL REFERENCES "stock_counts"("id") ON DELETE CASCADE,
	"part" integer NOT NULL,
	"content" bytea NOT NULL,
	CONSTRAINT "stock_count_uploads_pk" PRIMARY KEY("count_id","part")
);
--> statement-breakpoint
CREATE TABLE "stock_count_rows" (
	"count_id" text NOT NULL REFERENCES "stock_counts"("id") ON DELETE CASCADE,
	"row" integer NOT NULL,
	"sku" text NOT NULL,
	"warehouse" text NOT NULL,
	"warehouse_id" text NOT NULL,
	"expected" integer NOT NULL,
	"counted" integer NOT NULL,
	CONSTRAINT "stock_count_rows_pk" PRIMARY KEY("count_id","row")
);
--> statement-breakpoint
INSERT INTO "stock_count_rows" ("count_id", "row", "sku", "warehouse", "warehouse_id", "expected", "counted")
SELECT c.id, (e->>'row')::int, e->>'sku', e->>'warehouse', e->>'warehouseId', (e->>'expected')::int, (e->>'counted')::int
FROM "stock_counts" c, jsonb_array_elements(c.rows) e;
--> statement-breakpoint
UPDATE "stock_counts" SET "rows" = '[]'::jsonb;
