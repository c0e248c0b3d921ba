-- A previewed count's chunk is stored as bytes: a `z` and the deflated JSON of its rows (or, for
-- chunks stored before packing existed, the plain JSON, which starts with `[`). As text it went in
-- base64, a third more bytes through the statement, and on PGlite each insert paid for the text's
-- compression attempt and its TOAST rows (50 inserts of a 100,000-row sheet: 155–190 ms as text,
-- 45–55 ms as uncompressed bytes). The rows live until the count is applied or discarded.
ALTER TABLE "stock_count_chunks" ALTER COLUMN "data" SET DATA TYPE bytea USING (
  CASE WHEN left("data", 1) = 'z' THEN '\x7a'::bytea || decode(substr("data", 2), 'base64')
       ELSE convert_to("data", 'UTF8') END);
--> statement-breakpoint
ALTER TABLE "stock_count_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
