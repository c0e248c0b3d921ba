import type { SqlExecutor } from '../../platform/db.ts';
import { minimalPathLengths } from './minimal-path.ts';

/** One health figure. `value` is null when the data behind it does not exist yet, and `reason` says why. */
export interface HealthFigure {
  key: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  /** The healthy side of the figure, as merchants track it. */
  target: { op: '<' | '>'; value: number };
  reason: string | null;
}

export interface HealthRange {
  from: Date;
  to: Date;
}

const num = (v: unknown) => Number(v ?? 0);
const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

/**
 * State drift: (status changes − minimal path changes) / orders, over orders placed in the range.
 * A status change is a timeline entry whose status differs from the one before it; the minimal path
 * is the fewest changes from the order's first status to its current one.
 */
export async function stateDrift(exec: SqlExecutor, r: HealthRange): Promise<HealthFigure> {
  const paths = minimalPathLengths();
  const params: unknown[] = [r.from, r.to];
  const values = paths
    .map((p) => {
      params.push(p.from, p.to, p.steps);
      const n = params.length;
      return `($${n - 2}::text, $${n - 1}::text, $${n}::int)`;
    })
    .join(', ');
  const rows = await exec.query(
    `WITH scope AS (
       SELECT o.id, o.status FROM orders o WHERE o.placed_at >= $1 AND o.placed_at < $2
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
  const orders = num(row['orders']);
  const extra = Math.max(0, num(row['changes']) - num(row['minimal']));
  return {
    key: 'stateDriftRate',
    value: ratio(extra, orders),
    numerator: extra,
    denominator: orders,
    target: { op: '<', value: 0.012 },
    reason: orders === 0 ? 'no orders placed in the range' : null,
  };
}

/**
 * Exception closure within 72 h: holds entered in the range that were left (released, approved or
 * cancelled) within 72 hours. Holds still open and younger than 72 h are not yet decided and are
 * left out of both sides.
 */
export async function exceptionClosure(exec: SqlExecutor, r: HealthRange, now: Date): Promise<HealthFigure> {
  const rows = await exec.query(
    `WITH holds AS (
       SELECT h.order_id, h.at,
              (SELECT min(x.at) FROM order_timeline x
                WHERE x.order_id = h.order_id AND x.from_status = 'on_hold' AND x.to_status <> 'on_hold'
                  AND x.at >= h.at) AS closed_at
         FROM order_timeline h
        WHERE h.to_status = 'on_hold' AND (h.from_status IS NULL OR h.from_status <> 'on_hold')
          AND h.at >= $1 AND h.at < $2
     )
     SELECT count(*) FILTER (WHERE closed_at IS NOT NULL AND closed_at <= at + interval '72 hours') AS closed,
            count(*) FILTER (WHERE closed_at IS NOT NULL OR at <= $3::timestamptz - interval '72 hours') AS decided
       FROM holds`,
    [r.from, r.to, now],
  );
  const closed = num(rows[0]?.['closed']);
  const decided = num(rows[0]?.['decided']);
  return {
    key: 'exceptionClosureRate72h',
    value: ratio(closed, decided),
    numerator: closed,
    denominator: decided,
    target: { op: '>', value: 0.85 },
    reason: decided === 0 ? 'no exception in the range has been closed or is older than 72 h' : null,
  };
}

/**
 * Channel attribution completeness: orders that came through a named shop on a real channel, rather
 * than the catch-all `default` account, among orders placed in the range.
 */
export async function channelAttribution(exec: SqlExecutor, r: HealthRange): Promise<HealthFigure> {
  const rows = await exec.query(
    `SELECT count(*) AS orders,
            count(*) FILTER (WHERE ca.code <> 'default' AND ca.channel <> 'api') AS attributed
       FROM orders o JOIN channel_accounts ca ON ca.id = o.channel_account_id
      WHERE o.placed_at >= $1 AND o.placed_at < $2`,
    [r.from, r.to],
  );
  const orders = num(rows[0]?.['orders']);
  const attributed = num(rows[0]?.['attributed']);
  return {
    key: 'channelAttributionCompleteness',
    value: ratio(attributed, orders),
    numerator: attributed,
    denominator: orders,
    target: { op: '>', value: 0.995 },
    reason: orders === 0 ? 'no orders placed in the range' : null,
  };
}

/** Figures whose data orderhub does not record yet: reported as missing, never estimated. */
export function notYetRecorded(): HealthFigure[] {
  return [
    {
      key: 'fundVoucherMatchRate',
      value: null,
      numerator: null,
      denominator: null,
      target: { op: '>', value: 0.9998 },
      reason: 'payment vouchers and bank statement lines are not recorded yet',
    },
    {
      key: 'channelSyncHealth',
      value: null,
      numerator: null,
      denominator: null,
      target: { op: '>', value: 0.99 },
      reason: 'channel synchronisation runs are not recorded yet',
    },
  ];
}
