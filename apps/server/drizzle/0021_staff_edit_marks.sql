-- An order edited in orderhub remembers what the channel's version was when the edit was made (a
-- keyed fingerprint of the receiver, a fingerprint of the lines), so a newer version from the
-- channel that leaves that part as it was keeps the staff's edit, and one that changes it too is
-- taken, held for a person and said on the timeline (docs/orders.md "Editing before approval").
ALTER TABLE "orders" ADD COLUMN IF NOT EXISTS "receiver_edited_from" text;
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN IF NOT EXISTS "lines_edited_from" text;
