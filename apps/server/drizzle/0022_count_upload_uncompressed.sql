-- A large count sheet's upload is written once while someone waits for the preview and deleted
-- when the preview is stored: compressing it (PostgreSQL's pglz; on PGlite on the server's own
-- thread, about 0.1 s for a 2.4 MB CSV) buys nothing for a row that lives a few seconds.
ALTER TABLE "stock_count_uploads" ALTER COLUMN "content" SET STORAGE EXTERNAL;
