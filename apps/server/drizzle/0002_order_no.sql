-- Human order numbers (系统单号): prefix + local yymmdd + daily sequence, e.g. OH26113000001.
-- Numbers come from order_no_counters: up to 32 counter rows (slots) per day, each handing out
-- blocks of 1000 numbers, so concurrent ingests take different rows (see modules/orders/order-no.ts).
CREATE TABLE "order_no_counters" (
	"day" date NOT NULL,
	"slot" integer NOT NULL,
	"next" bigint NOT NULL,
	CONSTRAINT "order_no_counters_day_slot_pk" PRIMARY KEY("day","slot"),
	CONSTRAINT "order_no_counters_slot" CHECK ("order_no_counters"."slot" BETWEEN 0 AND 31)
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "order_no" text;
--> statement-breakpoint
-- Backfill. A migration cannot read the environment, so orders that exist before this migration are
-- numbered with the default prefix OH and their creation day in the fixed zone Asia/Shanghai (the
-- default TZ_DEFAULT), in creation order, through slot 0 exactly as order-no.ts numbers them.
-- Slot 0 of each such day then continues after them, so later numbers never repeat these whatever
-- prefix or zone is configured.
WITH numbered AS (
	SELECT id, (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
		row_number() OVER (PARTITION BY (created_at AT TIME ZONE 'Asia/Shanghai')::date ORDER BY created_at, id) - 1 AS n
	FROM orders
)
UPDATE orders o SET order_no = 'OH' || to_char(numbered.day, 'YYMMDD') || lpad(s.seq, greatest(5, length(s.seq)), '0')
FROM numbered, LATERAL (SELECT ((numbered.n / 1000) * 32000 + numbered.n % 1000 + 1)::text AS seq) s
WHERE numbered.id = o.id;
--> statement-breakpoint
INSERT INTO "order_no_counters" ("day", "slot", "next")
SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date, 0, count(*) - 1 FROM orders GROUP BY 1;
--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "order_no" SET NOT NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX "orders_order_no_uq" ON "orders" USING btree ("order_no");
