-- The start-up back-fill of the receiver search hashes looks for orders that lack them. Without an
-- index that lookup read the whole orders table at every start (about a second at a million
-- orders); this partial index holds only the orders still waiting, so on a current database it is
-- empty and the lookup costs nothing.
CREATE INDEX IF NOT EXISTS "orders_search_backfill_idx" ON "orders" ("id")
  WHERE ("receiver_name_enc" IS NOT NULL AND "receiver_name_idx" IS NULL)
     OR ("receiver_phone_enc" IS NOT NULL AND "receiver_phone_last4_idx" IS NULL);
