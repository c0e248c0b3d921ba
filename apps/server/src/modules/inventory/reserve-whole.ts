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
  movementId: string;
  checks: CheckoutChecks | undefined;
  audit: AuditInsert | undefined;
  actorName: string;
  distinctSkus: string[];
}

type Getter = (a: WholeArgs) => unknown;

/** The text of each shape, built once, and the values it takes in placeholder order. */
const shapes = new Map<string, { text: string; getters: Getter[] }>();

function statementFor(
  withChecks: boolean,
  withAudit: boolean,
  split: boolean,
): { text: string; getters: Getter[] } {
  const key = `${withChecks ? 'c' : ''}${withAudit ? 'a' : ''}${split ? 's' : ''}`;
  const known = shapes.get(key);
  if (known) return known;
  const getters: Getter[] = [];
  const p = (get: Getter, cast = '') => `$${getters.push(get)}${cast}`;
  const $sku = p((a) => a.sku);
  const $q = p((a) => a.quantity, '::bigint');
  const $at = p((a) => a.ctx.at, '::timestamptz');
  const $account = withChecks ? p((a) => a.checks!.account) : '';
  const $actorType = p((a) => a.ctx.actor.type);
  const $actorId = p((a) => a.ctx.actor.id);
  const $actorName = p((a) => a.actorName);
  const chk = `chk AS MATERIALIZED (
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
  // Read by the pick: nothing is picked, so nothing is written, unless the checks pass.
  const pre = `pre AS (SELECT chk.*, ${ok} AS ok FROM chk), `;
  // The audit row, the ledger row and the reservation do not depend on the update: they are
  // inserted from the pick (so not at all when no warehouse covers the quantity), before the
  // UPDATE takes the row lock — the UPDATE's one-time filter reads them, which forces the order —
  // so the lock is held only for the UPDATE, the push mark and the COMMIT. Their primary keys are
  // fresh ids and the tables have no other unique index, so the inserts never wait on another
  // transaction. If the UPDATE then takes nothing (the pick went stale while it waited for the
  // lock), `reserveWhole` deletes the ledger row and the reservation by their ids; the caller then
  // throws (the transaction rolls back) or reserves by the slower path, which the audit row also
  // describes. The push mark stays after the UPDATE: `moveStock` takes the row lock and then the
  // mark, and an insert of a mark another transaction is inserting waits for that transaction, so
  // marking first here could deadlock against it.
  const aud = withAudit
    ? `aud AS (
         ${AUDIT_INSERT_HEAD}
         SELECT ${p(() => newId('audit'))}, ${$at}, ${$actorType}, ${$actorId}, ${$actorName},
           ${p((a) => a.ctx.actor.ip)}, ${p((a) => a.ctx.actor.userAgent)}, ${p((a) => a.audit!.action)}, ${p((a) => a.audit!.entityType)},
           ${p((a) => a.audit!.entityId)}, ${p((a) => JSON.stringify(a.audit!.summary))}::jsonb
         FROM pick
         RETURNING 1
       ), `
    : '';
  const text = `WITH ${chk}${pre}pick AS (
       SELECT l.warehouse_id, w.code, w.name FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
       WHERE l.sku = ${$sku} AND w.active AND l.on_hand - l.reserved - l.frozen >= ${$q} AND (SELECT ok FROM pre)
       ORDER BY w.priority DESC, w.code LIMIT 1
     ), ${aud}mv AS (
       INSERT INTO stock_movements (id, at, type, sku, warehouse_id, on_hand, reserved, frozen, in_transit,
         reason_code, actor_type, actor_id, actor_name, source_type, source_id, note)
       SELECT ${p((a) => a.movementId)}, ${$at}, 'reserve', ${$sku}, warehouse_id, 0, ${$q}, 0, 0, ${p((a) => a.reasonCode)},
         ${$actorType}, ${$actorId}, ${$actorName}, ${p((a) => a.source.type)},
         ${p((a) => a.source.id)}, NULL
       FROM pick
       RETURNING 1
     ), rsv AS (
       INSERT INTO reservations (id, order_id, checkout_account, checkout_ref, line_no, sku, warehouse_id,
         quantity, original, consumed, reason, status, expires_at, created_at, updated_at)
       SELECT ${p((a) => a.reservation.id)}, ${p((a) => a.reservation.orderId)}, ${p((a) => a.reservation.checkoutAccount)},
         ${p((a) => a.reservation.checkoutRef)}, ${p((a) => a.reservation.lineNo, '::int')}, ${$sku}, warehouse_id, ${$q}, ${$q}, 0,
         ${p((a) => a.reservation.reason)}, 'active', ${p((a) => a.reservation.expiresAt, '::timestamptz')}, ${$at}, ${$at}
       FROM pick
       RETURNING 1
     ), ins AS (
       SELECT (SELECT count(*) FROM mv)::int + (SELECT count(*) FROM rsv)::int AS n,
         ${withAudit ? '(SELECT count(*) FROM aud)::int' : '0'} AS audited
     )${
       split
         ? `
     SELECT pre.account_active, pre.known_skus, pre.held, ins.audited, ins.n AS inserted, pick.warehouse_id,
       pick.code, pick.name AS warehouse_name,
       CASE WHEN pick.warehouse_id IS NULL THEN (
         SELECT coalesce(sum(greatest(l.on_hand - l.reserved - l.frozen, 0)), 0)::bigint
         FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id WHERE l.sku = ${$sku} AND w.active
       ) END AS available
     FROM pre CROSS JOIN ins LEFT JOIN pick ON true`
         : `, upd AS (
       UPDATE stock_levels l SET reserved = l.reserved + ${$q}, updated_at = ${$at}
       FROM pick WHERE l.sku = ${$sku} AND l.warehouse_id = pick.warehouse_id
         AND l.on_hand - l.reserved - l.frozen >= ${$q} AND (SELECT n >= 0 FROM ins)
       RETURNING l.sku, l.warehouse_id, l.on_hand, l.reserved, l.frozen, l.in_transit, l.safety_stock, pick.code,
         pick.name AS warehouse_name
     ), mark AS (
       INSERT INTO stock_push_marks (sku, marked_at) SELECT sku, ${$at} FROM upd ON CONFLICT (sku) DO NOTHING
     )
     SELECT pre.account_active, pre.known_skus, pre.held, ins.audited, ins.n AS inserted, upd.*,
       CASE WHEN upd.sku IS NULL THEN (
         SELECT coalesce(sum(greatest(l.on_hand - l.reserved - l.frozen, 0)), 0)::bigint
         FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id WHERE l.sku = ${$sku} AND w.active
       ) END AS available
     FROM pre CROSS JOIN ins LEFT JOIN upd ON true`
     }`;
  const shape = { text, getters };
  shapes.set(key, shape);
  return shape;
}

/**
 * The second statement of the split shape: the guarded UPDATE of the picked level and the push
 * mark. Small on purpose: after waiting for the row lock PostgreSQL re-checks the latest row version
 * (EvalPlanQual) and, for that, sets up every sub-plan of the statement again — for the one-statement
 * shape that is every CTE and every insert with its table's indexes, on each contended reservation.
 */
const TAKE = `WITH upd AS (
    UPDATE stock_levels l SET reserved = l.reserved + $3::bigint, updated_at = $4::timestamptz
    WHERE l.sku = $1 AND l.warehouse_id = $2 AND l.on_hand - l.reserved - l.frozen >= $3::bigint
    RETURNING l.sku, l.warehouse_id, l.on_hand, l.reserved, l.frozen, l.in_transit, l.safety_stock
  ), mark AS (
    INSERT INTO stock_push_marks (sku, marked_at) SELECT sku, $4::timestamptz FROM upd ON CONFLICT (sku) DO NOTHING
  )
  SELECT * FROM upd`;

/** Whole reservations of each SKU running in this process now (to tell a contended SKU). */
const inFlight = new Map<string, number>();

/** Removes the rows a whole reservation inserted before its UPDATE took nothing. */
const DROP_UNTAKEN = `WITH r AS (DELETE FROM reservations WHERE id = $1)
  DELETE FROM stock_movements WHERE id = $2`;

/**
 * The common case in ONE statement: the best-priority active warehouse that covers `quantity`
 * whole, its guarded UPDATE (available cannot go below zero), the ledger movement, the reservation
 * row, the push mark and, if given, the audit row; it answers the warehouse's code and name (for
 * the order's timeline) from the pick's join. The pick is only where to try: the UPDATE
 * re-checks the guard on the latest row version after waiting for its lock, so a stale pick makes
 * it take nothing (null): the ledger row and the reservation, inserted before the UPDATE, are then
 * deleted by their ids, and the caller falls back to the warehouse-by-warehouse path (or throws).
 *
 * When another whole reservation of the same SKU is already running in this process, this one
 * will most likely wait for the row lock: it then runs split in two statements (everything up to
 * the inserts, then `TAKE`), one round trip more but a cheap re-check after the wait. Uncontended
 * SKUs keep the single statement. Both shapes write the same rows.
 *
 * The text has eight shapes (with or without checks, audit, split), each built once, and runs as a
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
    movementId: newId('movement'),
    checks,
    audit,
    actorName: actorLabel(actor),
    distinctSkus: checks ? [...new Set(checks.skus)] : [],
  };
  const running = inFlight.get(sku) ?? 0;
  inFlight.set(sku, running + 1);
  try {
    return await whole(args, running > 0);
  } finally {
    const left = (inFlight.get(sku) ?? 1) - 1;
    if (left > 0) inFlight.set(sku, left);
    else inFlight.delete(sku);
  }
}

type WholeRow = Partial<LevelRow> & {
  account_active?: boolean | null;
  known_skus?: number;
  held?: boolean;
  code?: string;
  warehouse_name?: string;
  audited?: number;
  inserted?: number;
  available?: number | null;
};

async function whole(args: WholeArgs, split: boolean): Promise<WholeResult> {
  const { ctx, checks } = args;
  const { text: sql, getters } = statementFor(checks !== undefined, args.audit !== undefined, split);
  const params = getters.map((get) => get(args));
  const first = (await ctx.tx.prepared<WholeRow>(sql, params))[0];
  const outcome: CheckOutcome | null = checks
    ? {
        accountActive: first?.account_active ?? null,
        knownSkus: Number(first?.known_skus ?? 0),
        held: first?.held === true,
      }
    : null;
  const audited = Number(first?.audited ?? 0) > 0;
  let row: WholeRow | undefined = first;
  if (split && first?.warehouse_id) {
    const up = (
      await ctx.tx.prepared<LevelRow>(TAKE, [args.sku, first.warehouse_id, args.quantity, ctx.at])
    )[0];
    row = up ? { ...up, code: first.code, warehouse_name: first.warehouse_name } : undefined;
  }
  if (!row?.sku) {
    // A stale pick: the ledger row and the reservation went in before the UPDATE refused.
    if (Number(first?.inserted ?? 0) > 0)
      await ctx.tx.query(DROP_UNTAKEN, [args.reservation.id, args.movementId]);
    // Split, the first statement saw the units (it picked), so the slower path is worth a try.
    const available = split && first?.warehouse_id ? 1 : Number(first?.available ?? 0);
    return { checks: outcome, taken: null, audited, available };
  }
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
