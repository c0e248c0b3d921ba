-- No query reads active reservations by (SKU, warehouse): orders find theirs by order id, checkouts
-- by (account, ref), expiry by its own partial index, and the nightly ledger check scans them all.
-- One index entry fewer on every reservation written.
DROP INDEX IF EXISTS "reservations_level_idx";
