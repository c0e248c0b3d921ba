-- A previewed count's rows are stored a chunk at a time (up to a thousand rows per database row,
-- as JSON text) instead of one database row per sheet row: a 100,000-row sheet becomes about a
-- hundred inserts instead of a hundred thousand index entries and foreign-key checks, its totals
-- are summed over a hundred rows, and a page is cut from the one or two chunks it falls in.
-- `first_index` is the position of the chunk's first row among the count's rows (0-based),
-- `row_count` how many rows it holds and `differences` how many of them differ from what was on
-- hand. `data` holds one JSON array per row: [row, sku, warehouse, warehouse id, expected, counted].
CREATE TABLE "stock_count_chunks" (
	"count_id" text NOT NULL REFERENCES "stock_counts"("id") ON DELETE CASCADE,
	"chunk" integer NOT NULL,
	"first_index" integer NOT NULL,
	"row_count" integer NOT NULL,
	"differences" integer NOT NULL,
	"data" text NOT NULL,
	CONSTRAINT "stock_count_chunks_pk" PRIMARY KEY("count_id","chunk")
);
--> statement-breakpoint
INSERT INTO "stock_count_chunks" ("count_id", "chunk", "first_index", "row_count", "differences", "data")
SELECT "count_id", ("n" - 1) / 1000, min("n") - 1, count(*)::int,
  (count(*) FILTER (WHERE "counted" <> "expected"))::int,
  json_agg(json_build_array("row", "sku", "warehouse", "warehouse_id", "expected", "counted") ORDER BY "row")::text
FROM (SELECT r.*, row_number() OVER (PARTITION BY "count_id" ORDER BY "row") AS "n" FROM "stock_count_rows" r) numbered
GROUP BY "count_id", ("n" - 1) / 1000;
--> statement-breakpoint
DROP TABLE "stock_count_rows";
