import { DateTime } from 'luxon';

/**
 * Human order numbers (系统单号): prefix + local date `yymmdd` in TZ_DEFAULT + a daily sequence of
 * at least five digits, e.g. `OH26113000001`. Unique, with gaps.
 *
 * Why not one counter row per day: every ingest would lock it until its transaction commits, so
 * concurrent ingests would queue behind each other. Instead a day has up to SLOTS counter rows
 * (`order_no_counters`, key (day, slot)); an ingest takes the lowest slot no other transaction holds
 * (`FOR UPDATE SKIP LOCKED`: it never waits for a held one) and only creates a new slot when all
 * existing ones are held. Slot s hands out blocks of BLOCK numbers interleaved with the other slots:
 * its k-th number (k = 0, 1, …) is
 *
 *     seq = (k div BLOCK) · SLOTS · BLOCK + s · BLOCK + (k mod BLOCK) + 1
 *
 * Why it is unique: within (day, slot) k only grows, under the row lock of an atomic
 * `UPDATE … SET next = next + 1` or `INSERT … ON CONFLICT DO UPDATE`, so no k is handed out twice;
 * across slots, (k div BLOCK, s, k mod BLOCK) is a mixed-radix representation of seq − 1 (s < SLOTS,
 * k mod BLOCK < BLOCK), so different (s, k) give different seq. The day is part of the number, and
 * the prefix is fixed text ending in a letter, so the whole string is unique too; `orders.order_no`
 * is also UNIQUE as a last line of defence. Gaps come from rolled-back ingests and from blocks
 * a slot has not used up.
 *
 * What people see: with one writer at a time (PGlite, a quiet shop) everything comes from slot 0:
 * 00001, 00002, … up to 01000, then 32001… Concurrent ingests spread over slots (01001…, 02001…).
 * An ingest waits only when all SLOTS rows are held at once (then on the slot its connection's
 * process id picks, so waits are spread too) or when two ingests create the same new slot at the
 * same moment (the first orders of a day all create slot 0, so a burst right at midnight queues
 * briefly until more slots exist).
 */
export const ORDER_NO_SLOTS = 32;
export const ORDER_NO_BLOCK = 1000;

export interface OrderNoSettings {
  /** ORDERHUB_ORDER_NO_PREFIX, default `OH`: 1–6 of A–Z, 0–9, ending in a letter (checked in config). */
  orderNoPrefix: string;
  /** TZ_DEFAULT: whose calendar day the number carries. */
  tzDefault: string;
}

/** The counter key (local calendar day) and the number's fixed part for an order created at `at`. */
export function orderNoDay(at: Date, s: OrderNoSettings): { day: string; stem: string } {
  const local = DateTime.fromJSDate(at, { zone: s.tzDefault });
  return { day: local.toISODate()!, stem: `${s.orderNoPrefix}${local.toFormat('yyMMdd')}` };
}

/** The daily sequence for slot `slot`'s k-th number; mirrors ORDER_NO_SQL (for tests and docs). */
export function orderNoSeq(slot: number, k: number): number {
  return (
    Math.floor(k / ORDER_NO_BLOCK) * ORDER_NO_SLOTS * ORDER_NO_BLOCK +
    slot * ORDER_NO_BLOCK +
    (k % ORDER_NO_BLOCK) +
    1
  );
}

/**
 * CTEs that allocate one number for the day `$day` unless the order (`$account`, `$external`)
 * already exists (then nothing is allocated and `order_no_alloc` is empty). Yields `order_no_alloc(no)`.
 * Written to be folded into the order's INSERT: no extra round trip.
 */
export function orderNoCtes(p: { day: string; stem: string; account: string; external: string }): string {
  const S = ORDER_NO_SLOTS;
  const B = ORDER_NO_BLOCK;
  return `order_no_fresh AS (
    SELECT NOT EXISTS (SELECT 1 FROM orders WHERE channel_account_id = ${p.account} AND external_order_id = ${p.external}) AS ok
  ), order_no_claim AS (
    UPDATE order_no_counters c SET next = c.next + 1
    WHERE (c.day, c.slot) = (
      SELECT day, slot FROM order_no_counters WHERE day = ${p.day}::date AND (SELECT ok FROM order_no_fresh)
      ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING c.slot, c.next
  ), order_no_grow AS (
    INSERT INTO order_no_counters AS c (day, slot, next)
    SELECT ${p.day}::date, COALESCE((
        SELECT g FROM generate_series(0, ${S - 1}) g
        WHERE NOT EXISTS (SELECT 1 FROM order_no_counters e WHERE e.day = ${p.day}::date AND e.slot = g)
        ORDER BY CASE WHEN g = 0 THEN -1 ELSE (g + ${S} - pg_backend_pid() % ${S}) % ${S} END
        LIMIT 1), pg_backend_pid() % ${S}), 0
    WHERE (SELECT ok FROM order_no_fresh) AND NOT EXISTS (SELECT 1 FROM order_no_claim)
    ON CONFLICT (day, slot) DO UPDATE SET next = c.next + 1
    RETURNING c.slot, c.next
  ), order_no_alloc AS (
    SELECT ${p.stem}::text || lpad(s.seq, greatest(5, length(s.seq)), '0') AS no
    FROM (SELECT slot, next FROM order_no_claim UNION ALL SELECT slot, next FROM order_no_grow) a,
      LATERAL (SELECT ((a.next / ${B}) * ${S * B} + a.slot * ${B} + a.next % ${B} + 1)::text AS seq) s
  )`;
}
