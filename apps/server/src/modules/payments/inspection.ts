import type { InspectionView } from '@orderhub/contracts';
import type { Deps } from '../../platform/deps.ts';
import { newUlid } from '../../platform/ids.ts';
import { heldByOrder } from '../inventory/index.ts';
import { listOrders } from '../orders/index.ts';
import { queryAttempt } from './query.ts';
import { paymentSettingsOf } from './settings.ts';

// biome-ignore lint/suspicious/noExplicitAny: rows of hand-written SQL, read field by field
type DbRow = Record<string, any>;

/** Statuses where an order waits for a person or for us, with no timer of its own expected to move it. */
const INSPECTED = ['pending_payment', 'paid', 'under_review', 'on_hold', 'approved', 'fulfilling'] as const;
const MAX_ORDERS = 2000;

interface Finding {
  orderId: string;
  orderNo: string;
  status: string;
  since: string;
  cause: string;
  fixes: { fix: string; result: string; params?: Record<string, string | number> }[];
}

/** `YYYY-MM-DD` and `HH:MM` of an instant in a zone. */
export function localParts(at: Date, zone: string): { day: string; time: string } {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => f.find((p) => p.type === t)?.value ?? '00';
  return { day: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

/**
 * The health inspection: every order more than `stuckAfterSeconds` in a non-final state, with its
 * likely cause and the automatic fixes tried — an active query for its pending payment attempts, a
 * look at its stock reservation — and their result. Stored, listed by `GET /api/inspections`.
 */
export async function runInspection(
  deps: Deps,
  trigger: 'schedule' | 'manual',
  opts: { stuckAfterSeconds?: number } = {},
): Promise<InspectionView> {
  const { database, crypto, clock, config, log } = deps;
  const s = paymentSettingsOf(deps);
  const zone = s.inspectionZone ?? config.tzDefault;
  const startedAt = clock.now();
  const cutoff = startedAt.getTime() - (opts.stuckAfterSeconds ?? s.stuckAfterSeconds) * 1000;
  const findings: Finding[] = [];
  let cursor: string | undefined;
  let seen = 0;
  outer: for (;;) {
    const page = await listOrders(
      database,
      crypto,
      { status: [...INSPECTED], sort: 'updatedAt:asc', limit: 200, ...(cursor ? { cursor } : {}) },
      zone,
      { type: 'system', permissions: new Set(['orders:amounts']) },
    );
    for (const o of page.items) {
      if (new Date(o.updatedAt).getTime() > cutoff || ++seen > MAX_ORDERS) break outer;
      const finding = await inspectOrder(deps, o.id, o.orderNo, o.status, o.holdReason ?? null, o.updatedAt);
      if (finding) findings.push(finding);
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const finishedAt = clock.now();
  const id = `ins_${newUlid()}`;
  const { day } = localParts(startedAt, zone);
  await database.query(
    `INSERT INTO inspections (id, day, zone, trigger, started_at, finished_at, stuck_count, findings) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
    [id, day, zone, trigger, startedAt, finishedAt, findings.length, JSON.stringify(findings)],
  );
  if (findings.length)
    log.warn(
      { inspection: id, stuck: findings.length, causes: countBy(findings) },
      'health inspection found stuck orders',
    );
  else log.info({ inspection: id }, 'health inspection: nothing stuck');
  return {
    id,
    day,
    zone,
    trigger,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    stuckCount: findings.length,
    findings,
  };
}

function countBy(findings: Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.cause] = (out[f.cause] ?? 0) + 1;
  return out;
}

async function inspectOrder(
  deps: Deps,
  orderId: string,
  orderNo: string,
  status: string,
  holdReason: string | null,
  since: string,
): Promise<Finding | null> {
  const fixes: Finding['fixes'] = [];
  const attempts = await deps.database.query<{ id: string; status: string }>(
    `SELECT id, status FROM payment_attempts WHERE order_id = $1 ORDER BY created_at`,
    [orderId],
  );
  let cause = 'UNKNOWN';
  if (status === 'pending_payment') {
    // Without an attempt the order waits for its channel or its payment timeout: a timer is expected.
    if (!attempts.length) return null;
    const pending = attempts.filter((a) => a.status === 'pending');
    for (const a of pending) fixes.push({ fix: 'payment_query', result: await queryAttempt(deps, a.id) });
    const nowPaid = fixes.some((f) => f.result === 'applied');
    cause = nowPaid ? 'PAYMENT_CALLBACK_MISSING' : 'AWAITING_PAYMENT';
  } else {
    const held = await heldByOrder(deps.database, orderId);
    const units = [...held.values()].reduce((a, b) => a + b, 0);
    fixes.push(
      units > 0
        ? { fix: 'reservation_check', result: 'held', params: { units, skus: held.size } }
        : { fix: 'reservation_check', result: 'nothing_held' },
    );
    const refunds = await deps.database.query(
      `SELECT 1 FROM payment_refunds WHERE order_id = $1 AND status IN ('requested','processing') LIMIT 1`,
      [orderId],
    );
    if (refunds.length) cause = 'REFUND_PENDING';
    else if (status === 'on_hold')
      cause = holdReason === 'OUT_OF_STOCK' && units === 0 ? 'STOCK_NOT_RESERVED' : 'ON_HOLD';
    else if (status === 'paid' || status === 'under_review') cause = 'REVIEW_PENDING';
    else cause = 'FULFILMENT_STALLED';
  }
  return { orderId, orderNo, status, since, cause, fixes };
}

/** The scheduled run: at most once per local day, at or after `inspectionAt` in the zone. */
export async function maybeRunNightly(deps: Deps): Promise<InspectionView | null> {
  const s = paymentSettingsOf(deps);
  const zone = s.inspectionZone ?? deps.config.tzDefault;
  const now = deps.clock.now();
  const { day, time } = localParts(now, zone);
  if (time < s.inspectionAt) return null;
  const done = await deps.database.query(
    `SELECT 1 FROM inspections WHERE day = $1 AND zone = $2 AND trigger = 'schedule' LIMIT 1`,
    [day, zone],
  );
  if (done.length) return null;
  return runInspection(deps, 'schedule');
}

export async function listInspections(
  deps: Pick<Deps, 'database'>,
  limit: number,
): Promise<InspectionView[]> {
  const rows = await deps.database.query<DbRow>(
    `SELECT * FROM inspections ORDER BY started_at DESC, id DESC LIMIT ${Math.max(1, Math.min(100, Math.floor(limit)))}`,
  );
  return rows.map((r) => ({
    id: r['id'],
    day: r['day'],
    zone: r['zone'],
    trigger: r['trigger'],
    startedAt: new Date(r['started_at']).toISOString(),
    finishedAt: new Date(r['finished_at']).toISOString(),
    stuckCount: r['stuck_count'],
    findings: r['findings'],
  }));
}
