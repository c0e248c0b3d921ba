import type { MovementType } from '@orderhub/contracts';
import { type Actor, actorLabel } from '../../platform/actor.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { STOCK_ALERTS_QUEUE, type StockAlertMessage, type StockDeps } from './settings.ts';

/** Who changes stock, when, and through which deps; passed to every stock use case. */
export interface StockCtx {
  tx: Tx;
  deps: StockDeps;
  at: Date;
  actor: Actor;
}

export interface Movement {
  type: MovementType;
  sku: string;
  warehouseId: string;
  onHand?: number;
  reserved?: number;
  frozen?: number;
  inTransit?: number;
  reasonCode?: string | null;
  source?: { type: string; id: string | null } | null;
  note?: string | null;
}

export interface LevelRow {
  sku: string;
  warehouse_id: string;
  on_hand: number;
  reserved: number;
  frozen: number;
  in_transit: number;
  safety_stock: number;
  movementId?: string;
  [k: string]: unknown;
}

/** A reservation row written by the same statement as its movement (it exists iff the stock moved). */
export interface ReservationInsert {
  id: string;
  orderId: string | null;
  checkoutAccount: string | null;
  checkoutRef: string | null;
  lineNo: number | null;
  reason: 'order' | 'checkout';
  expiresAt: Date | null;
}

/**
 * The most a counter (on hand, in transit) may hold: 2^53 − 1, so that every counter and every
 * sum of them is an exact JavaScript number. A change that would pass it is INVENTORY_LIMIT.
 */
export const MAX_STOCK_COUNTER = Number.MAX_SAFE_INTEGER;

/** Called when the guard refused an increase: names the limit if that is why. */
async function assertBelowLimit(tx: SqlExecutor, m: Movement, onHand: number, inTransit: number) {
  const r = await tx.query<{ on_hand: number | string; in_transit: number | string }>(
    `SELECT on_hand, in_transit FROM stock_levels WHERE sku = $1 AND warehouse_id = $2`,
    [m.sku, m.warehouseId],
  );
  const row = r[0];
  if (!row) return;
  const over =
    BigInt(row.on_hand) + BigInt(onHand) > BigInt(MAX_STOCK_COUNTER) ||
    BigInt(row.in_transit) + BigInt(inTransit) > BigInt(MAX_STOCK_COUNTER);
  if (over)
    throw new DomainError(
      'INVENTORY_LIMIT',
      `${m.sku} would hold more than ${MAX_STOCK_COUNTER} units in one warehouse`,
      {
        sku: m.sku,
        limit: MAX_STOCK_COUNTER,
        onHand: Number(row.on_hand),
        inTransit: Number(row.in_transit),
      },
    );
}

const LEVEL_COLUMNS = 'sku, warehouse_id, on_hand, reserved, frozen, in_transit, safety_stock';

/**
 * Applies one movement: ONE guarded UPDATE of the counters that cannot take any of them, nor
 * available, below zero, with the ledger row (and the reservation, if any) inserted by the same
 * statement, and its SKU marked for the channel push (see `relayStockMarks`). Returns the counters
 * after, or null when the guard refused (or the level does not exist).
 * Concurrent callers queue on the row lock and each re-checks the guard against the latest counters.
 */
export async function moveStock(
  ctx: StockCtx,
  m: Movement,
  reservation?: ReservationInsert,
): Promise<LevelRow | null> {
  const d = [m.onHand ?? 0, m.reserved ?? 0, m.frozen ?? 0, m.inTransit ?? 0];
  const { actor } = ctx;
  const params: unknown[] = [
    m.sku,
    m.warehouseId,
    ...d,
    ctx.at,
    newId('movement'),
    m.type,
    m.reasonCode ?? null,
    actor.type,
    actor.id,
    actorLabel(actor),
    m.source?.type ?? null,
    m.source?.id ?? null,
    m.note ?? null,
  ];
  let rsv = '';
  if (reservation) {
    params.push(
      reservation.id,
      reservation.orderId,
      reservation.checkoutAccount,
      reservation.checkoutRef,
      reservation.lineNo,
      reservation.reason,
      reservation.expiresAt,
    );
    rsv = `, rsv AS (
      INSERT INTO reservations (id, order_id, checkout_account, checkout_ref, line_no, sku, warehouse_id,
        quantity, original, consumed, reason, status, expires_at, created_at, updated_at)
      SELECT $17, $18, $19, $20, $21::int, sku, warehouse_id, $4::bigint, $4::bigint, 0, $22, 'active', $23::timestamptz, $7::timestamptz, $7::timestamptz
      FROM upd)`;
  }
  const rows = await ctx.tx.query<LevelRow>(
    `WITH upd AS (
       UPDATE stock_levels SET on_hand = on_hand + $3::bigint, reserved = reserved + $4::bigint,
         frozen = frozen + $5::bigint, in_transit = in_transit + $6::bigint, updated_at = $7::timestamptz
       WHERE sku = $1 AND warehouse_id = $2
         AND on_hand + $3::bigint >= 0 AND reserved + $4::bigint >= 0 AND frozen + $5::bigint >= 0
         AND in_transit + $6::bigint >= 0
         AND (on_hand + $3::bigint) - (reserved + $4::bigint) - (frozen + $5::bigint) >= 0
         AND on_hand + $3::bigint <= ${MAX_STOCK_COUNTER} AND in_transit + $6::bigint <= ${MAX_STOCK_COUNTER}
       RETURNING ${LEVEL_COLUMNS}
     ), mv AS (
       INSERT INTO stock_movements (id, at, type, sku, warehouse_id, on_hand, reserved, frozen, in_transit,
         reason_code, actor_type, actor_id, actor_name, source_type, source_id, note)
       SELECT $8, $7::timestamptz, $9, sku, warehouse_id, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $10, $11, $12, $13, $14, $15, $16
       FROM upd
     ), mark AS (
       INSERT INTO stock_push_marks (sku, marked_at) SELECT sku, $7::timestamptz FROM upd
       ON CONFLICT (sku) DO NOTHING
     )${rsv}
     SELECT upd.* FROM upd`,
    params,
  );
  const after = rows[0];
  if (!after) {
    if (d[0]! > 0 || d[3]! > 0) await assertBelowLimit(ctx.tx, m, d[0]!, d[3]!);
    return null;
  }
  const availableDelta = d[0]! - d[1]! - d[2]!;
  if (after.safety_stock > 0 && availableDelta !== 0) {
    const now = after.on_hand - after.reserved - after.frozen;
    await checkSafetyCrossing(ctx, after, now - availableDelta, now);
  }
  return { ...normalise(after), movementId: params[7] as string };
}

function normalise(r: LevelRow): LevelRow {
  return {
    ...r,
    on_hand: Number(r.on_hand),
    reserved: Number(r.reserved),
    frozen: Number(r.frozen),
    in_transit: Number(r.in_transit),
    safety_stock: Number(r.safety_stock),
  };
}

/** Raises one alert when available falls below safety stock, clears it when it recovers. */
export async function checkSafetyCrossing(
  ctx: StockCtx,
  level: LevelRow,
  availableBefore: number,
  availableAfter: number,
  safetyBefore = Number(level.safety_stock),
): Promise<void> {
  const safety = Number(level.safety_stock);
  const wasBelow = availableBefore < safetyBefore;
  const isBelow = availableAfter < safety;
  if (wasBelow === isBelow) return;
  const warehouse = await warehouseCode(ctx.tx, level.warehouse_id);
  if (isBelow) {
    const id = newId('alert');
    const raised = await ctx.tx.query(
      `INSERT INTO stock_alerts (id, type, sku, warehouse_id, available, safety_stock, raised_at)
       VALUES ($1, 'below_safety', $2, $3, $4, $5, $6)
       ON CONFLICT (type, sku, warehouse_id) WHERE cleared_at IS NULL DO NOTHING RETURNING id`,
      [id, level.sku, level.warehouse_id, availableAfter, safety, ctx.at],
    );
    if (raised.length) await sendAlert(ctx, 'stock.below_safety', id, level, warehouse, availableAfter);
  } else {
    const cleared = await ctx.tx.query<{ id: string }>(
      `UPDATE stock_alerts SET cleared_at = $4 WHERE type = 'below_safety' AND sku = $1 AND warehouse_id = $2
         AND cleared_at IS NULL AND $3::bigint >= 0 RETURNING id`,
      [level.sku, level.warehouse_id, availableAfter, ctx.at],
    );
    for (const c of cleared) await sendAlert(ctx, 'stock.recovered', c.id, level, warehouse, availableAfter);
  }
}

async function sendAlert(
  ctx: StockCtx,
  type: StockAlertMessage['type'],
  alertId: string,
  level: LevelRow,
  warehouse: string,
  available: number,
) {
  const msg: StockAlertMessage = {
    type,
    alertId,
    sku: level.sku,
    warehouse,
    available,
    safetyStock: Number(level.safety_stock),
    at: ctx.at.toISOString(),
  };
  await ctx.deps.jobs.send(ctx.tx, STOCK_ALERTS_QUEUE, msg);
}

async function warehouseCode(exec: SqlExecutor, id: string): Promise<string> {
  return (
    (await exec.query<{ code: string }>(`SELECT code FROM warehouses WHERE id = $1`, [id]))[0]?.code ?? id
  );
}

/** Creates the counters row for (SKU, warehouse) if there is none; stock then arrives by movements. */
export async function ensureLevel(
  tx: SqlExecutor,
  at: Date,
  sku: string,
  warehouseId: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO stock_levels (sku, warehouse_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [sku, warehouseId, at],
  );
}

/** Fixed order for every multi-row change: by SKU, then warehouse. Two transactions never wait on each other in a cycle. */
export function byLevelKey<T extends { sku: string; warehouseId: string }>(a: T, b: T): number {
  return a.sku < b.sku
    ? -1
    : a.sku > b.sku
      ? 1
      : a.warehouseId < b.warehouseId
        ? -1
        : a.warehouseId > b.warehouseId
          ? 1
          : 0;
}
