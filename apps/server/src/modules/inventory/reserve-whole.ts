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

/** Placeholders in the order their getters are pushed, each value bound once. */
function placeholders() {
  const getters: Getter[] = [];
  const p = (get: Getter, cast = '') => `$${getters.push(get)}${cast}`;
  return { getters, p };
}

/**
 * The audit row's insert, one row per row of `from` (so none when nothing was picked). Its id and
 * the actor's values are the statement's.
 */
function auditInsert(p: (get: Getter, cast?: string) => string, at: string, actor: string[], from: string) {
  return `${AUDIT_INSERT_HEAD}
         SELECT ${p(() => newId('audit'))}, ${at}, ${actor.join(', ')},
           ${p((a) => a.ctx.actor.ip)}, ${p((a) => a.ctx.actor.userAgent)}, ${p((a) => a.audit!.action)}, ${p((a) => a.audit!.entityType)},
           ${p((a) => a.audit!.entityId)}, ${p((a) => JSON.stringify(a.audit!.summary))}::jsonb
         FROM ${from}`;
}

/**
 * Locks every stock level of the SKU, in warehouse-id order, before anything else in the
 * statement reads or writes them. Every stock movement locks levels in one global order — SKU,
 * then warehouse id (`byLevelKey`, and the SKU order of `reserveLines`) — so two transactions
 * never hold what the other waits for. A reservation picks its warehouse by priority and by what
 * covers the quantity, not by id, and a guarded UPDATE that waited and then refused keeps the row
 * locked; locking the SKU's rows in id order first, and picking from the locked rows, keeps the
 * order whatever is picked and whatever the fall-back takes next (it takes only rows already held).
 * PostgreSQL's LockRows node sits above the ORDER BY, so the rows are locked in that order (an
 * UPDATE … FROM gives no such guarantee). The rows read are the latest versions (a row that was
 * updated while we waited is re-read once locked), so the pick is exact.
 */
export const LOCK_LEVELS = `SELECT l.warehouse_id, l.on_hand - l.reserved - l.frozen AS available
       FROM stock_levels l WHERE l.sku = $1 ORDER BY l.warehouse_id FOR NO KEY UPDATE`;

/**
 * The reservation statement. Everything it writes hangs off the pick in a chain — the ledger row
 * from the pick, the reservation from the ledger row, the audit row from the reservation, the
 * guarded UPDATE from the reservation and the audit row, the push mark from the UPDATE — so
 * PostgreSQL runs them in that order without the aggregates and sub-selects that used to force
 * it. Their primary keys are fresh ids and the tables have no other unique index, so the inserts
 * never wait on another transaction. The push mark stays after the UPDATE: `moveStock` takes the
 * row lock and then the mark, and an insert of a mark another transaction is inserting waits for
 * that transaction, so marking first could deadlock against it.
 *
 * Uncontended (one statement): the SKU's levels are locked first, in warehouse-id order
 * (`LOCK_LEVELS`), and the pick reads the locked rows, so it cannot go stale; the checks are
 * one-time filters of that lock (a refused checkout locks nothing). Split (a contended SKU), the
 * statement takes no lock: the pick reads the levels, the inserts go in, and `TAKE` then locks and
 * updates in the same order — the wait, and the re-check after it, is in that small statement,
 * while the inserts were written before the lock.
 *
 * A checkout of one SKU needs no master check: the pick found its stock level, whose SKU is in the
 * master by its foreign key. When nothing was picked the answer has no row, and `whole` asks
 * `diagnoseStatement` why (the refusal path only).
 */
function reserveStatement(
  withChecks: boolean,
  manySkus: boolean,
  withAudit: boolean,
  split: boolean,
): { text: string; getters: Getter[] } {
  const key = `${withChecks ? 'c' : ''}${manySkus ? 'm' : ''}${withAudit ? 'a' : ''}${split ? 's' : ''}`;
  const known = shapes.get(key);
  if (known) return known;
  const { getters, p } = placeholders();
  const $sku = p((a) => a.sku);
  const $q = p((a) => a.quantity, '::bigint');
  const $at = p((a) => a.ctx.at, '::timestamptz');
  const actor = [p((a) => a.ctx.actor.type), p((a) => a.ctx.actor.id), p((a) => a.actorName)];
  let checks = '';
  if (withChecks) {
    const $account = p((a) => a.checks!.account);
    checks = `
         AND ${accountActiveSql($account)} IS TRUE
         AND NOT EXISTS (SELECT 1 FROM reservations WHERE checkout_account = ${$account}
           AND checkout_ref = ${p((a) => a.checks!.ref)} AND status = 'active')`;
    if (manySkus)
      checks += `
         AND ${knownSkuCountSql(p((a) => a.distinctSkus))} = ${p((a) => a.distinctSkus.length, '::int')}`;
  }
  const pick = split
    ? `pick AS (
       SELECT l.warehouse_id, w.code, w.name FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
       WHERE l.sku = ${$sku} AND w.active AND l.on_hand - l.reserved - l.frozen >= ${$q}${checks}
       ORDER BY w.priority DESC, w.code LIMIT 1
     )`
    : `lk AS MATERIALIZED (
       ${LOCK_LEVELS.replace('l.sku = $1', `l.sku = ${$sku}${checks}`)}
     ), pick AS (
       SELECT lk.warehouse_id, w.code, w.name FROM lk JOIN warehouses w ON w.id = lk.warehouse_id
       WHERE w.active AND lk.available >= ${$q}
       ORDER BY w.priority DESC, w.code LIMIT 1
     )`;
  const text = `WITH ${pick}, mv AS (
       INSERT INTO stock_movements (id, at, type, sku, warehouse_id, on_hand, reserved, frozen, in_transit,
         reason_code, actor_type, actor_id, actor_name, source_type, source_id, note)
       SELECT ${p((a) => a.movementId)}, ${$at}, 'reserve', ${$sku}, warehouse_id, 0, ${$q}, 0, 0, ${p((a) => a.reasonCode)},
         ${actor.join(', ')}, ${p((a) => a.source.type)}, ${p((a) => a.source.id)}, NULL
       FROM pick
       RETURNING warehouse_id
     ), rsv AS (
       INSERT INTO reservations (id, order_id, checkout_account, checkout_ref, line_no, sku, warehouse_id,
         quantity, original, consumed, reason, status, expires_at, created_at, updated_at)
       SELECT ${p((a) => a.reservation.id)}, ${p((a) => a.reservation.orderId)}, ${p((a) => a.reservation.checkoutAccount)},
         ${p((a) => a.reservation.checkoutRef)}, ${p((a) => a.reservation.lineNo, '::int')}, ${$sku}, warehouse_id, ${$q}, ${$q}, 0,
         ${p((a) => a.reservation.reason)}, 'active', ${p((a) => a.reservation.expiresAt, '::timestamptz')}, ${$at}, ${$at}
       FROM mv
       RETURNING warehouse_id
     )${
       withAudit
         ? `, aud AS (
         ${auditInsert(p, $at, actor, 'rsv')}
         RETURNING 1
     )`
         : ''
     }${
       split
         ? `
     SELECT pick.code, pick.name AS warehouse_name, pick.warehouse_id AS picked FROM pick`
         : `, upd AS (
       UPDATE stock_levels l SET reserved = l.reserved + ${$q}, updated_at = ${$at}
       FROM rsv${withAudit ? ' CROSS JOIN aud' : ''}
       WHERE l.sku = ${$sku} AND l.warehouse_id = rsv.warehouse_id AND l.on_hand - l.reserved - l.frozen >= ${$q}
       RETURNING l.sku, l.warehouse_id, l.on_hand, l.reserved, l.frozen, l.in_transit, l.safety_stock
     ), mark AS (
       INSERT INTO stock_push_marks (sku, marked_at) SELECT sku, ${$at} FROM upd ON CONFLICT (sku) DO NOTHING
     )
     SELECT pick.code, pick.name AS warehouse_name, pick.warehouse_id AS picked, upd.*
     FROM pick LEFT JOIN upd ON true`
     }`;
  const shape = { text, getters };
  shapes.set(key, shape);
  return shape;
}

/**
 * Why a single statement picked nothing: the checks (when asked for) and the units available over
 * all active warehouses (0: nothing to split over either). Runs only on that path.
 */
function diagnoseStatement(withChecks: boolean): { text: string; getters: Getter[] } {
  const key = `d${withChecks ? 'c' : ''}`;
  const known = shapes.get(key);
  if (known) return known;
  const { getters, p } = placeholders();
  const $sku = p((a) => a.sku);
  let checks = '';
  if (withChecks) {
    const $account = p((a) => a.checks!.account);
    checks = `${accountActiveSql($account)} AS account_active,
       ${knownSkuCountSql(p((a) => a.distinctSkus))} AS known_skus,
       EXISTS (SELECT 1 FROM reservations WHERE checkout_account = ${$account}
         AND checkout_ref = ${p((a) => a.checks!.ref)} AND status = 'active') AS held, `;
  }
  const text = `SELECT ${checks}(
       SELECT coalesce(sum(greatest(l.on_hand - l.reserved - l.frozen, 0)), 0)::bigint
       FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id WHERE l.sku = ${$sku} AND w.active
     ) AS available`;
  const shape = { text, getters };
  shapes.set(key, shape);
  return shape;
}

/**
 * The second statement of the split shape: the guarded UPDATE of the picked level and the push
 * mark, after locking, in warehouse-id order, the SKU's levels whose warehouse id sorts before the
 * picked one (none when the SKU is stocked in one warehouse). So the locks are still taken in the
 * global order: those rows, then the picked one; if the UPDATE then refuses, the fall-back locks
 * the SKU's levels in the same order (`LOCK_LEVELS`), which only adds rows after these. Small on
 * purpose: after waiting for the row lock PostgreSQL re-checks the latest row version
 * (EvalPlanQual) and, for that, sets up every sub-plan of the statement again — for the
 * one-statement shape that is every CTE and every insert with its table's indexes, on each
 * contended reservation.
 */
const TAKE = `WITH lk AS MATERIALIZED (
    SELECT 1 FROM stock_levels WHERE sku = $1 AND warehouse_id < $2 ORDER BY warehouse_id FOR NO KEY UPDATE
  ), upd AS (
    UPDATE stock_levels l SET reserved = l.reserved + $3::bigint, updated_at = $4::timestamptz
    WHERE l.sku = $1 AND l.warehouse_id = $2 AND l.on_hand - l.reserved - l.frozen >= $3::bigint
      AND (SELECT count(*) FROM lk) >= 0
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
 * the order's timeline) from the pick's join. The single statement picks from the SKU's levels it
 * has locked (in warehouse-id order), so its pick is exact. The split shape picks without a lock:
 * there the UPDATE re-checks the guard on the latest row version after waiting for its lock, and a
 * stale pick makes it take nothing (null): the ledger row and the reservation, inserted before the
 * UPDATE, are then deleted by their ids, and the caller falls back to the warehouse-by-warehouse
 * path (or throws); either way the SKU's levels are locked in warehouse-id order.
 *
 * When another whole reservation of the same SKU is already running in this process, this one
 * will most likely wait for the row lock: it then runs split in two statements (everything up to
 * the inserts, then `TAKE`), one round trip more but a cheap re-check after the wait. Uncontended
 * SKUs keep the single statement. Both shapes write the same rows.
 *
 * The text has sixteen shapes (with or without checks, a master check, audit, split), each built
 * once, and runs as a prepared statement: planning it costs more than running it.
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
  picked?: string | null;
  available?: number | null;
};

async function run(
  args: WholeArgs,
  shape: { text: string; getters: Getter[] },
): Promise<WholeRow | undefined> {
  return (
    await args.ctx.tx.prepared<WholeRow>(
      shape.text,
      shape.getters.map((get) => get(args)),
    )
  )[0];
}

const outcomeOf = (row: WholeRow | undefined): CheckOutcome => ({
  accountActive: row?.account_active ?? null,
  knownSkus: Number(row?.known_skus ?? 0),
  held: row?.held === true,
});

async function whole(args: WholeArgs, split: boolean): Promise<WholeResult> {
  const { checks, ctx } = args;
  const withAudit = args.audit !== undefined;
  const manySkus =
    args.distinctSkus.length > 1 || (args.distinctSkus.length === 1 && args.distinctSkus[0] !== args.sku);
  const first = await run(args, reserveStatement(checks !== undefined, manySkus, withAudit, split));
  if (!first?.picked) {
    // Nothing picked, nothing written: say why.
    const why = await run(args, diagnoseStatement(checks !== undefined));
    return {
      checks: checks ? outcomeOf(why) : null,
      taken: null,
      audited: false,
      available: Number(why?.available ?? 0),
    };
  }
  // The checks passed (they gate the pick), and the inserts hang off the pick.
  const outcome: CheckOutcome | null = checks
    ? { accountActive: true, knownSkus: args.distinctSkus.length, held: false }
    : null;
  const audited = withAudit;
  let row: WholeRow | undefined = first;
  if (split) {
    const up = (await ctx.tx.prepared<LevelRow>(TAKE, [args.sku, first.picked, args.quantity, ctx.at]))[0];
    row = up ? { ...up, code: first.code, warehouse_name: first.warehouse_name } : undefined;
  }
  if (!row?.sku) {
    // A stale pick: the ledger row and the reservation went in before the UPDATE refused. The
    // statement saw the units, so the slower path is worth a try.
    await ctx.tx.query(DROP_UNTAKEN, [args.reservation.id, args.movementId]);
    return { checks: outcome, taken: null, audited, available: 1 };
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
