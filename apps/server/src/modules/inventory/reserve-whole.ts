import { actorLabel } from '../../platform/actor.ts';
import { newId } from '../../platform/ids.ts';
import { AUDIT_INSERT_HEAD } from '../audit/index.ts';
import { knownSkuCountSql } from '../catalog/index.ts';
import { accountActiveSql } from '../channels/index.ts';
import type { LevelRow, ReservationInsert, StockCtx } from './ledger.ts';

/** Checks a checkout makes before it holds anything; evaluated by the same statement as the first write. */
export interface CheckoutChecks {
  account: string;
  ref: string;
  skus: readonly string[];
}

export interface CheckOutcome {
  accountActive: boolean | null;
  knownSkus: number;
  held: boolean;
}

/** The audit row of the whole use case, written by the first statement that moves stock. */
export interface AuditInsert {
  action: string;
  entityType: string;
  entityId: string | null;
  summary: unknown;
}

export interface WholeResult {
  /** The checks, when asked for; nothing was written if they failed. */
  checks: CheckOutcome | null;
  /** The counters after, the warehouse and the reservation; null when no single warehouse took it. */
  taken: { level: LevelRow; warehouseCode: string; warehouseName: string } | null;
  audited: boolean;
  /**
   * When nothing was taken: the units available over all active warehouses, as this statement
   * saw them (0 means there is nothing to split over either).
   */
  available: number | null;
}

/** Everything one call binds; the statement reads it through the getters recorded for its shape. */
interface WholeArgs {
  ctx: StockCtx;
  sku: string;
  quantity: number;
  source: { type: string; id: string };
  reasonCode: string;
  reservation: ReservationInsert;
  checks: CheckoutChecks | undefined;
  audit: AuditInsert | undefined;
  actorName: string;
  distinctSkus: string[];
}

type Getter = (a: WholeArgs) => unknown;

/** The text of each shape, built once, and the values it takes in placeholder order. */
const shapes = new Map<string, { text: string; getters: Getter[] }>();

function statementFor(withChecks: boolean, withAudit: boolean): { text: string; getters: Getter[] } {
  const key = `${withChecks ? 'c' : ''}${withAudit ? 'a' : ''}`;
  const known = shapes.get(key);
  if (known) return known;
  const getters: Getter[] = [];
  const p = (get: Getter, cast = '') => `$${getters.push(get)}${cast}`;
  const $sku = p((a) => a.sku);
  const $q = p((a) => a.quantity, '::bigint');
  const $at = p((a) => a.ctx.at, '::timestamptz');
  const $account = withChecks ? p((a) => a.checks!.account) : '';
  const chk = `chk AS (
       SELECT ${
         withChecks
           ? `${accountActiveSql($account)} AS account_active,
           ${knownSkuCountSql(p((a) => a.distinctSkus))} AS known_skus,
           EXISTS (SELECT 1 FROM reservations WHERE checkout_account = ${$account}
             AND checkout_ref = ${p((a) => a.checks!.ref)} AND status = 'active') AS held`
           : 'true AS account_active, 0 AS known_skus, false AS held'
       }
     ), `;
  const ok = withChecks
    ? `account_active IS TRUE AND known_skus = ${p((a) => a.distinctSkus.length, '::int')} AND NOT held`
    : 'true';
  // The audit row does not depend on the update: it is written (when the checks pass) before the
  // row lock is taken, so that the lock is held for as little work as possible. When nothing is
  // reserved the caller either throws (the transaction rolls back) or reserves by the slower
  // path, which the audit row then also describes.
  const aud = withAudit
    ? `aud AS (
         ${AUDIT_INSERT_HEAD}
         SELECT ${p(() => newId('audit'))}, ${$at}, ${p((a) => a.ctx.actor.type)}, ${p((a) => a.ctx.actor.id)}, ${p((a) => a.actorName)},
           ${p((a) => a.ctx.actor.ip)}, ${p((a) => a.ctx.actor.userAgent)}, ${p((a) => a.audit!.action)}, ${p((a) => a.audit!.entityType)},
           ${p((a) => a.audit!.entityId)}, ${p((a) => JSON.stringify(a.audit!.summary))}::jsonb
         FROM chk WHERE ${ok}
         RETURNING 1
       ), `
    : '';
  // Read by the pick before the UPDATE runs, so the checks and the audit insert come first.
  const pre = `pre AS (
       SELECT chk.*, ${ok} AS ok, ${withAudit ? '(SELECT count(*) FROM aud)::int' : '0'} AS audited FROM chk
     ), `;
  const gate = 'AND (SELECT ok AND audited >= 0 FROM pre)';
  const text = `WITH ${chk}${aud}${pre}pick AS (
       SELECT l.warehouse_id, w.code, w.name FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
       WHERE l.sku = ${$sku} AND w.active AND l.on_hand - l.reserved - l.frozen >= ${$q} ${gate}
       ORDER BY w.priority DESC, w.code LIMIT 1
     ), upd AS (
       UPDATE stock_levels l SET reserved = l.reserved + ${$q}, updated_at = ${$at}
       FROM pick WHERE l.sku = ${$sku} AND l.warehouse_id = pick.warehouse_id
         AND l.on_hand - l.reserved - l.frozen >= ${$q}
       RETURNING l.sku, l.warehouse_id, l.on_hand, l.reserved, l.frozen, l.in_transit, l.safety_stock, pick.code,
         pick.name AS warehouse_name
     ), mv AS (
       INSERT INTO stock_movements (id, at, type, sku, warehouse_id, on_hand, reserved, frozen, in_transit,
         reason_code, actor_type, actor_id, actor_name, source_type, source_id, note)
       SELECT ${p(() => newId('movement'))}, ${$at}, 'reserve', sku, warehouse_id, 0, ${$q}, 0, 0, ${p((a) => a.reasonCode)},
         ${p((a) => a.ctx.actor.type)}, ${p((a) => a.ctx.actor.id)}, ${p((a) => a.actorName)}, ${p((a) => a.source.type)},
         ${p((a) => a.source.id)}, NULL
       FROM upd
     ), mark AS (
       INSERT INTO stock_push_marks (sku, marked_at) SELECT sku, ${$at} FROM upd ON CONFLICT (sku) DO NOTHING
     ), rsv AS (
       INSERT INTO reservations (id, order_id, checkout_account, checkout_ref, line_no, sku, warehouse_id,
         quantity, original, consumed, reason, status, expires_at, created_at, updated_at)
       SELECT ${p((a) => a.reservation.id)}, ${p((a) => a.reservation.orderId)}, ${p((a) => a.reservation.checkoutAccount)},
         ${p((a) => a.reservation.checkoutRef)}, ${p((a) => a.reservation.lineNo, '::int')}, sku, warehouse_id, ${$q}, ${$q}, 0,
         ${p((a) => a.reservation.reason)}, 'active', ${p((a) => a.reservation.expiresAt, '::timestamptz')}, ${$at}, ${$at}
       FROM upd
     )
     SELECT pre.account_active, pre.known_skus, pre.held, pre.audited, upd.*,
       CASE WHEN upd.sku IS NULL THEN (
         SELECT coalesce(sum(greatest(l.on_hand - l.reserved - l.frozen, 0)), 0)::bigint
         FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id WHERE l.sku = ${$sku} AND w.active
       ) END AS available
     FROM pre LEFT JOIN upd ON true`;
  const shape = { text, getters };
  shapes.set(key, shape);
  return shape;
}

/**
 * The common case in ONE statement: the best-priority active warehouse that covers `quantity`
 * whole, its guarded UPDATE (available cannot go below zero), the ledger movement, the reservation
 * row, the push mark and, if given, the audit row; it answers the warehouse's code and name (for
 * the order's timeline) from the pick's join. The pick is only where to try: the UPDATE
 * re-checks the guard on the latest row version after waiting for its lock, so a stale pick makes
 * it take nothing (null), and the caller falls back to the warehouse-by-warehouse path.
 *
 * The text has four shapes (with or without checks and audit), each built once, and runs as a
 * prepared statement: planning it costs more than running it.
 */
export async function reserveWhole(
  ctx: StockCtx,
  sku: string,
  quantity: number,
  source: { type: string; id: string },
  reasonCode: string,
  reservation: ReservationInsert,
  extra: { checks?: CheckoutChecks | undefined; audit?: AuditInsert | undefined } = {},
): Promise<WholeResult> {
  const { actor } = ctx;
  const { checks, audit } = extra;
  const args: WholeArgs = {
    ctx,
    sku,
    quantity,
    source,
    reasonCode,
    reservation,
    checks,
    audit,
    actorName: actorLabel(actor),
    distinctSkus: checks ? [...new Set(checks.skus)] : [],
  };
  const { text: sql, getters } = statementFor(checks !== undefined, audit !== undefined);
  const params = getters.map((get) => get(args));
  const row = (
    await ctx.tx.prepared<
      Partial<LevelRow> & {
        account_active?: boolean | null;
        known_skus?: number;
        held?: boolean;
        code?: string;
        warehouse_name?: string;
        audited?: number;
        available?: number | null;
      }
    >(sql, params)
  )[0];
  const outcome: CheckOutcome | null = checks
    ? {
        accountActive: row?.account_active ?? null,
        knownSkus: Number(row?.known_skus ?? 0),
        held: row?.held === true,
      }
    : null;
  const audited = Number(row?.audited ?? 0) > 0;
  if (!row?.sku) return { checks: outcome, taken: null, audited, available: Number(row?.available ?? 0) };
  const level: LevelRow = {
    sku: row.sku,
    warehouse_id: row.warehouse_id!,
    on_hand: Number(row.on_hand),
    reserved: Number(row.reserved),
    frozen: Number(row.frozen),
    in_transit: Number(row.in_transit),
    safety_stock: Number(row.safety_stock),
  };
  return {
    checks: outcome,
    taken: { level, warehouseCode: row.code!, warehouseName: row.warehouse_name! },
    audited,
    available: null,
  };
}
