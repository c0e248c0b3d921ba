import { HOLD_REASONS } from '@orderhub/contracts';
import type { SqlExecutor } from '../../platform/db.ts';

const num = (v: unknown) => Number(v ?? 0);

/** Orders placed per local calendar day (in `tz`) and channel. */
export async function ordersByChannel(exec: SqlExecutor, from: Date, to: Date, tz: string) {
  const rows = await exec.query(
    `SELECT to_char(o.placed_at AT TIME ZONE $3, 'YYYY-MM-DD') AS day, ca.channel, count(*) AS n
       FROM orders o JOIN channel_accounts ca ON ca.id = o.channel_account_id
      WHERE o.placed_at >= $1 AND o.placed_at < $2
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [from, to, tz],
  );
  return rows.map((r) => ({ day: String(r['day']), channel: String(r['channel']), count: num(r['n']) }));
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
export async function waitingStages(exec: SqlExecutor, now: Date) {
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
      WHERE o.status = ANY($2::text[])
      GROUP BY o.status`,
    [now, WAITING_STATUSES],
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
export async function funnel(exec: SqlExecutor, from: Date, to: Date) {
  const rows = await exec.query(
    `SELECT t.to_status AS status, count(DISTINCT t.order_id) AS n
       FROM order_timeline t JOIN orders o ON o.id = t.order_id
      WHERE o.placed_at >= $1 AND o.placed_at < $2 AND t.to_status = ANY($3::text[])
      GROUP BY t.to_status`,
    [from, to, [...FUNNEL_STEPS]],
  );
  const placed = await exec.query(
    `SELECT count(*) AS n FROM orders WHERE placed_at >= $1 AND placed_at < $2`,
    [from, to],
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
export async function holdQueues(exec: SqlExecutor, now: Date) {
  const rows = await exec.query(
    `SELECT o.hold_reason AS reason, count(*) AS n, min(o.updated_at) AS oldest
       FROM orders o WHERE o.status = 'on_hold'
      GROUP BY o.hold_reason`,
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
