-- The key ids personal data is sealed under (platform/keys.ts). A start refuses to run while data
-- exists under a key id it was not given, so that one mistyped ORDERHUB_MASTER_KEY cannot mix two
-- keys in one database. `retired_at` is set once `orderhub keys rotate` leaves no data under the key.
CREATE TABLE IF NOT EXISTS "sealing_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"first_used_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
-- Backfill from the ciphertexts that exist (`v1.<key id>.<iv>.<data>.<tag>`).
INSERT INTO "sealing_keys" ("key_id", "first_used_at", "last_used_at")
SELECT kid, min(at), max(at2) FROM (
	SELECT split_part("receiver_name_enc", '.', 2) AS kid, "created_at" AS at, "updated_at" AS at2 FROM "orders" WHERE "receiver_name_enc" LIKE 'v1.%'
	UNION ALL
	SELECT split_part("receiver_phone_enc", '.', 2), "created_at", "updated_at" FROM "orders" WHERE "receiver_phone_enc" LIKE 'v1.%'
	UNION ALL
	SELECT split_part("receiver_detail_enc", '.', 2), "created_at", "updated_at" FROM "orders" WHERE "receiver_detail_enc" LIKE 'v1.%'
	UNION ALL
	SELECT split_part("payload_enc", '.', 2), "received_at", "received_at" FROM "order_raw_payloads" WHERE "payload_enc" LIKE 'v1.%'
) AS sealed
GROUP BY kid
ON CONFLICT ("key_id") DO NOTHING;
