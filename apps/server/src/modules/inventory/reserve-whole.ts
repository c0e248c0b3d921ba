import { newId } from '../../platform/ids.ts';
import { prefixedId } from '../catalog/index.ts';
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
  taken: { level: LevelRow; warehouseCode: string } | null;
  audited: boolean;
  /**
   * When nothing was taken: the units available over all active warehouses, as this statement
   * saw them (0 means there is nothing to split over either).
   */
  available: number | null;
}

/**
 * The common case in ONE statement: the best-priority active warehouse that covers `quantity`
 * whole, its guarded UPDATE (available cannot go below zero), the ledger movement, the reservation
 * row, the push mark and, if given, the audit row. The pick is only where to try: the UPDATE
 * re-checks the guard on the latest row version after waiting for its lock, so a stale pick makes
 * it take nothing (null), and the caller falls back to the warehouse-by-warehouse path.
 *
 * The text has four shapes (with or without checks and audit) and runs as a prepared statement:
 * planning it costs more than running it.
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
  const { actor, at } = ctx;
  const params: unknown[] = [];
  const p = (v: unknown, cast = '') => `$${params.push(v)}${cast}`;
  const $sku = p(sku);
  const $q = p(quantity, '::int');
  const $at = p(at, '::timestamptz');
  const actorName = actor.tokenId ? `${actor.name} (token ${actor.tokenId})` : actor.name;
  const { checks, audit } = extra;
  const $account = checks ? p(checks.account) : '';
  const chk = checks
    ? `chk AS (
         SELECT (SELECT active FROM channel_accounts WHERE code = ${$account}) AS account_active,
           (SELECT count(*) FROM skus WHERE code = ANY(${p([...new Set(checks.skus)])}::text[]))::int AS known_skus,
           EXISTS (SELECT 1 FROM reservations WHERE checkout_account = ${$account}
             AND checkout_ref = ${p(checks.ref)} AND status = 'active') AS held
       ), `
    : '';
  const gate = checks
    ? `AND (SELECT account_active IS TRUE AND known_skus = ${p(new Set(checks.skus).size, '::int')} AND NOT held FROM chk)`
    : '';
  const aud = audit
    ? `, aud AS (
         INSERT INTO audit_log (id, at, actor_type, actor_id, actor_name, ip, user_agent, action, entity_type, entity_id, summary)
         SELECT ${p(newId('audit'))}, ${$at}, ${p(actor.type)}, ${p(actor.id)}, ${p(actorName)}, ${p(actor.ip)},
           ${p(actor.userAgent)}, ${p(audit.action)}, ${p(audit.entityType)}, ${p(audit.entityId)}, ${p(JSON.stringify(audit.summary))}::jsonb
         FROM upd RETURNING 1)`
    : '';
  const sql = `WITH ${chk}pick AS (
       SELECT l.warehouse_id, w.code FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
       WHERE l.sku = ${$sku} AND w.active AND l.on_hand - l.reserved - l.frozen >= ${$q} ${gate}
       ORDER BY w.priority DESC, w.code LIMIT 1
     ), upd AS (
       UPDATE stock_levels l SET reserved = l.reserved + ${$q}, updated_at = ${$at}
       FROM pick WHERE l.sku = ${$sku} AND l.warehouse_id = pick.warehouse_id
         AND l.on_hand - l.reserved - l.frozen >= ${$q}
       RETURNING l.sku, l.warehouse_id, l.on_hand, l.reserved, l.frozen, l.in_transit, l.safety_stock, pick.code
     ), mv AS (
       INSERT INTO stock_movements (id, at, type, sku, warehouse_id, on_hand, reserved, frozen, in_transit,
         reason_code, actor_type, actor_id, actor_name, source_type, source_id, note)
       SELECT ${p(prefixedId('mov'))}, ${$at}, 'reserve', sku, warehouse_id, 0, ${$q}, 0, 0, ${p(reasonCode)},
         ${p(actor.type)}, ${p(actor.id)}, ${p(actorName)}, ${p(source.type)}, ${p(source.id)}, NULL
       FROM upd
     ), mark AS (
       INSERT INTO stock_push_marks (sku, marked_at) SELECT sku, ${$at} FROM upd ON CONFLICT (sku) DO NOTHING
     ), rsv AS (
       INSERT INTO reservations (id, order_id, checkout_account, checkout_ref, line_no, sku, warehouse_id,
         quantity, original, consumed, reason, status, expires_at, created_at, updated_at)
       SELECT ${p(reservation.id)}, ${p(reservation.orderId)}, ${p(reservation.checkoutAccount)}, ${p(reservation.checkoutRef)},
         ${p(reservation.lineNo, '::int')}, sku, warehouse_id, ${$q}, ${$q}, 0, ${p(reservation.reason)}, 'active',
         ${p(reservation.expiresAt, '::timestamptz')}, ${$at}, ${$at}
       FROM upd
     )${aud}
     SELECT ${checks ? 'chk.account_active, chk.known_skus, chk.held, ' : ''}upd.*${audit ? ', (SELECT count(*) FROM aud)::int AS audited' : ''},
       CASE WHEN upd.sku IS NULL THEN (
         SELECT coalesce(sum(greatest(l.on_hand - l.reserved - l.frozen, 0)), 0)::int
         FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id WHERE l.sku = ${$sku} AND w.active
       ) END AS available
     FROM ${checks ? 'chk' : '(SELECT) one'} LEFT JOIN upd ON true`;
  const row = (
    await ctx.tx.prepared<
      Partial<LevelRow> & {
        account_active?: boolean | null;
        known_skus?: number;
        held?: boolean;
        code?: string;
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
  if (!row?.sku)
    return { checks: outcome, taken: null, audited: false, available: Number(row?.available ?? 0) };
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
    taken: { level, warehouseCode: row.code! },
    audited: Number(row.audited) > 0,
    available: null,
  };
}
