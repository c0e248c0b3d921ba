import { HOLD_REASONS } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { orderScopeText } from './scope.ts';

/** Whose figures: a reader with a data scope counts only his shops' orders (scope.ts). */
type Scoped = Pick<Actor, 'scope'> | null;

// Read functions over the order tables for the dashboard and health figures (the metrics module
// composes them; it names no order table itself).

const num = (v: unknown) => Number(v ?? 0);

/** Orders placed per local calendar day (in `tz`) and channel account. */
export async function ordersPlacedPerDay(
  exec: SqlExecutor,
  from: Date,
  to: Date,
  tz: string,
  reader: Scoped = null,
) {
  const params: unknown[] = [from, to, tz];
  const rows = await exec.query(
    `SELECT to_char(o.placed_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day, o.channel_account_id AS account, count(*) AS n
       FROM orders o
      WHERE o.placed_at >= $1 AND o.placed_at < $2${orderScopeText(reader, params)}
      GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  return rows.map((r) => ({ day: String(r['day']), accountId: String(r['account']), count: num(r['n']) }));
}

/**
 * Orders placed in the range per channel account, and how many of them a channel connector brought
 * (their `created` timeline entry has source `channel`) rather than a person or an API client.
 */
export async function ordersPerAccount(exec: SqlExecutor, from: Date, to: Date, reader: Scoped = null) {
  const params: unknown[] = [from, to];
  const rows = await exec.query(
    `SELECT o.channel_account_id AS account, count(*) AS n,
            count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM order_timeline t
               WHERE t.order_id = o.id AND t.event = 'created' AND t.source = 'channel')) AS via_channel
       FROM orders o
      WHERE o.placed_at >= $1 AND o.placed_at < $2${orderScopeText(reader, params)} GROUP BY 1`,
    params,
  );
  return rows.map((r) => ({
    accountId: String(r['account']),
    count: num(r['n']),
    viaChannel: num(r['via_channel']),
  }));
}

/**
 * Sales per local day (in `tz`), channel account and currency, over orders placed in the range:
 * `orders` every order placed, `gmv` the sum of their totals, `paid` the totals of those paid
 * (a paid time set). The one definition the dashboard's sales figures use.
 */
export async function salesPerDay(
  exec: SqlExecutor,
  from: Date,
  to: Date,
  tz: string,
  reader: Scoped = null,
) {
  const params: unknown[] = [from, to, tz];
  const rows = await exec.query(
    `SELECT to_char(o.placed_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day, o.channel_account_id AS account,
            o.currency, count(*) AS n, sum(o.total) AS gmv,
            coalesce(sum(o.total) FILTER (WHERE o.paid_at IS NOT NULL), 0) AS paid,
            count(*) FILTER (WHERE o.paid_at IS NOT NULL) AS paid_n
       FROM orders o
      WHERE o.placed_at >= $1 AND o.placed_at < $2${orderScopeText(reader, params)}
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    params,
  );
  return rows.map((r) => ({
    day: String(r['day']),
    accountId: String(r['account']),
    currency: String(r['currency']),
    orders: num(r['n']),
    paidOrders: num(r['paid_n']),
    gmv: num(r['gmv']),
    paid: num(r['paid']),
  }));
}

/** The statuses where an order waits for someone. */
export const WAITING_STATUSES = [
  'pending_payment',
  'paid',
  'under_review',
  'on_hold',
  'approved',
  'fulfilling',
];

/** Orders waiting per stage, with how long they have been in it (since they entered their status). */
export async function waitingStages(exec: SqlExecutor, now: Date, reader: Scoped = null) {
  const params: unknown[] = [now, WAITING_STATUSES];
  const rows = await exec.query(
    `SELECT o.status, count(*) AS n,
            avg(extract(epoch FROM ($1::timestamptz - coalesce(e.entered, o.placed_at)))) AS avg_age,
            max(extract(epoch FROM ($1::timestamptz - coalesce(e.entered, o.placed_at)))) AS max_age
       FROM orders o
       LEFT JOIN LATERAL (
         SELECT max(t.at) AS entered FROM order_timeline t
          WHERE t.order_id = o.id AND t.to_status = o.status
            AND (t.from_status IS NULL OR t.from_status <> t.to_status)
       ) e ON true
      WHERE o.status = ANY($2::text[])${orderScopeText(reader, params)}
      GROUP BY o.status`,
    params,
  );
  const by = new Map(rows.map((r) => [String(r['status']), r]));
  return WAITING_STATUSES.map((status) => {
    const r = by.get(status);
    return {
      status,
      count: num(r?.['n']),
      avgAgeSeconds: r ? Math.round(num(r['avg_age'])) : null,
      maxAgeSeconds: r ? Math.round(num(r['max_age'])) : null,
    };
  });
}

export const FUNNEL_STEPS = ['paid', 'approved', 'shipped', 'delivered'] as const;

/** Of the orders placed in the range, how many ever reached each step (from their timelines). */
export async function funnel(exec: SqlExecutor, from: Date, to: Date, reader: Scoped = null) {
  const params: unknown[] = [from, to, [...FUNNEL_STEPS]];
  const rows = await exec.query(
    `SELECT t.to_status AS status, count(DISTINCT t.order_id) AS n
       FROM order_timeline t JOIN orders o ON o.id = t.order_id
      WHERE o.placed_at >= $1 AND o.placed_at < $2 AND t.to_status = ANY($3::text[])${orderScopeText(reader, params)}
      GROUP BY t.to_status`,
    params,
  );
  const placedParams: unknown[] = [from, to];
  const placed = await exec.query(
    `SELECT count(*) AS n FROM orders o WHERE o.placed_at >= $1 AND o.placed_at < $2${orderScopeText(reader, placedParams)}`,
    placedParams,
  );
  const by = new Map(rows.map((r) => [String(r['status']), num(r['n'])]));
  return {
    placed: num(placed[0]?.['n']),
    steps: FUNNEL_STEPS.map((status) => ({ status, count: by.get(status) ?? 0 })),
  };
}

/**
 * Orders on hold per reason. Every reason the back-end knows is listed (zero included), and any
 * reason found in the data that is not in that list too: a new reason shows up as a new queue.
 */
export async function holdQueues(exec: SqlExecutor, now: Date, reader: Scoped = null) {
  const params: unknown[] = [];
  const rows = await exec.query(
    `SELECT o.hold_reason AS reason, count(*) AS n, min(o.updated_at) AS oldest
       FROM orders o WHERE o.status = 'on_hold'${orderScopeText(reader, params)}
      GROUP BY o.hold_reason`,
    params,
  );
  const by = new Map(rows.map((r) => [r['reason'] === null ? 'UNKNOWN' : String(r['reason']), r]));
  const reasons = [...new Set<string>([...HOLD_REASONS, ...by.keys()])];
  const items = reasons.map((reason) => {
    const r = by.get(reason);
    const oldest = r?.['oldest'] ? new Date(r['oldest'] as string) : null;
    return {
      reason,
      count: num(r?.['n']),
      oldestAgeSeconds: oldest ? Math.round((now.getTime() - oldest.getTime()) / 1000) : null,
    };
  });
  return { total: items.reduce((s, i) => s + i.count, 0), reasons: items };
}

/** A path from an order's first status to its current one, with the fewest status changes it takes. */
export interface MinimalPath {
  from: string;
  to: string;
  steps: number;
}

/**
 * Over orders placed in the range: how many, how many status changes their timelines hold (an
 * entry whose status differs from the one before it), and how many the minimal paths would take.
 */
export async function statusChangeCounts(
  exec: SqlExecutor,
  from: Date,
  to: Date,
  paths: readonly MinimalPath[],
  reader: Scoped = null,
): Promise<{ orders: number; changes: number; minimal: number }> {
  const params: unknown[] = [from, to];
  const scoped = orderScopeText(reader, params);
  const values = paths
    .map((p) => {
      params.push(p.from, p.to, p.steps);
      const n = params.length;
      return `($${n - 2}::text, $${n - 1}::text, $${n}::int)`;
    })
    .join(', ');
  const rows = await exec.query(
    `WITH scope AS (
       SELECT o.id, o.status FROM orders o WHERE o.placed_at >= $1 AND o.placed_at < $2${scoped}
     ), firsts AS (
       SELECT DISTINCT ON (t.order_id) t.order_id, t.to_status
         FROM order_timeline t JOIN scope s ON s.id = t.order_id
        WHERE t.to_status IS NOT NULL
        ORDER BY t.order_id, t.at, t.id
     ), changes AS (
       SELECT t.order_id, count(*) AS n
         FROM order_timeline t JOIN scope s ON s.id = t.order_id
        WHERE t.from_status IS NOT NULL AND t.to_status IS NOT NULL AND t.from_status <> t.to_status
        GROUP BY t.order_id
     ), paths(from_status, to_status, steps) AS (VALUES ${values})
     SELECT count(*) AS orders,
            coalesce(sum(coalesce(c.n, 0)), 0) AS changes,
            coalesce(sum(coalesce(p.steps, coalesce(c.n, 0))), 0) AS minimal
       FROM scope s
       LEFT JOIN firsts f ON f.order_id = s.id
       LEFT JOIN changes c ON c.order_id = s.id
       LEFT JOIN paths p ON p.from_status = f.to_status AND p.to_status = s.status`,
    params,
  );
  const row = rows[0] ?? {};
  return { orders: num(row['orders']), changes: num(row['changes']), minimal: num(row['minimal']) };
}

/**
 * Holds entered in the range: how many were left (released, approved or cancelled) within 72
 * hours, and how many are decided — closed, or open for longer than 72 hours.
 */
export async function holdClosure(
  exec: SqlExecutor,
  from: Date,
  to: Date,
  now: Date,
  reader: Scoped = null,
): Promise<{ closed: number; decided: number }> {
  const params: unknown[] = [from, to, now];
  const scoped = orderScopeText(reader, params);
  const rows = await exec.query(
    `WITH holds AS (
       SELECT h.order_id, h.at,
              (SELECT min(x.at) FROM order_timeline x
                WHERE x.order_id = h.order_id AND x.from_status = 'on_hold' AND x.to_status <> 'on_hold'
                  AND x.at >= h.at) AS closed_at
         FROM order_timeline h
        WHERE h.to_status = 'on_hold' AND (h.from_status IS NULL OR h.from_status <> 'on_hold')
          AND h.at >= $1 AND h.at < $2
          ${scoped ? `AND EXISTS (SELECT 1 FROM orders o WHERE o.id = h.order_id${scoped})` : ''}
     )
     SELECT count(*) FILTER (WHERE closed_at IS NOT NULL AND closed_at <= at + interval '72 hours') AS closed,
            count(*) FILTER (WHERE closed_at IS NOT NULL OR at <= $3::timestamptz - interval '72 hours') AS decided
       FROM holds`,
    params,
  );
  return { closed: num(rows[0]?.['closed']), decided: num(rows[0]?.['decided']) };
}
