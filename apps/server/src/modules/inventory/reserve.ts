import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { checkSafetyCrossing, moveStock, type ReservationInsert, type StockCtx } from './ledger.ts';
import {
  type AuditInsert,
  type CheckOutcome,
  type CheckoutChecks,
  LOCK_LEVELS,
  reserveWhole,
} from './reserve-whole.ts';

export interface ReserveLine {
  sku: string;
  quantity: number;
  lineNo?: number | null;
}

export interface ReserveOptions {
  /** `all`: every line in full or nothing (throws INVENTORY_INSUFFICIENT); `available`: what exists. */
  mode: 'all' | 'available';
  orderId: string | null;
  checkout?: { account: string; ref: string } | null;
  reason: 'order' | 'checkout';
  expiresAt: Date | null;
  /** Checked by the first statement; on failure nothing is written and `rejected` says why. */
  checks?: CheckoutChecks;
  /** The use case's audit row, written with the first stock movement (or on its own at the end). */
  audit?: AuditInsert;
}

export interface Shortfall {
  sku: string;
  requested: number;
  reserved: number;
}

export interface Reserved {
  id: string;
  sku: string;
  warehouseId: string;
  warehouse: string;
  warehouseName: string;
  quantity: number;
}

/** Units of one SKU that moved at one warehouse (for the order's timeline). */
export interface StockItem {
  sku: string;
  quantity: number;
  warehouse: { code: string; name: string };
}

/** Adds up items of the same SKU and warehouse, in SKU then warehouse order. */
export function mergeItems(items: readonly StockItem[]): StockItem[] {
  const by = new Map<string, StockItem>();
  for (const i of items) {
    if (i.quantity <= 0) continue;
    const key = `${i.sku}\u0000${i.warehouse.code}`;
    const cur = by.get(key);
    if (cur) cur.quantity += i.quantity;
    else by.set(key, { sku: i.sku, quantity: i.quantity, warehouse: { ...i.warehouse } });
  }
  return [...by.values()].sort((a, b) => cmp(a.sku, b.sku) || cmp(a.warehouse.code, b.warehouse.code));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What a reservation's units are, as timeline items. */
const itemOf = (r: ActiveReservation, quantity: number): StockItem => ({
  sku: r.sku,
  quantity,
  warehouse: { code: r.warehouse_code, name: r.warehouse_name },
});

interface Candidate {
  sku: string;
  warehouse_id: string;
  code: string;
  name: string;
  available: number;
  [k: string]: unknown;
}

/**
 * Reserves each SKU (lines of one SKU are added up) in SKU order. Which warehouse: the
 * highest-priority active warehouse that can cover the SKU whole; if none can, several in priority
 * order (a split shipment). Every unit is taken by a guarded update — the whole-SKU statement of
 * `reserveWhole` first, `moveStock` per warehouse when that took nothing; reads only pick where to
 * try, a stale read just makes the update refuse and the next one is tried.
 */
export async function reserveLines(
  ctx: StockCtx,
  lines: readonly ReserveLine[],
  opts: ReserveOptions,
): Promise<{ reservationIds: string[]; reserved: Reserved[]; short: Shortfall[]; rejected?: CheckOutcome }> {
  const need = new Map<string, { quantity: number; lineNo: number | null }>();
  for (const l of lines) {
    const cur = need.get(l.sku);
    need.set(l.sku, { quantity: (cur?.quantity ?? 0) + l.quantity, lineNo: cur?.lineNo ?? l.lineNo ?? null });
  }
  const skus = [...need.keys()].sort();
  const reserved: Reserved[] = [];
  const short: Shortfall[] = [];
  const reasonCode = opts.reason === 'checkout' ? 'CHECKOUT' : 'ORDER';
  const source = opts.orderId
    ? { type: 'order', id: opts.orderId }
    : { type: 'checkout', id: `${opts.checkout?.account}:${opts.checkout?.ref}` };
  const rsv = (id: string, lineNo: number | null): ReservationInsert => ({
    id,
    orderId: opts.orderId,
    checkoutAccount: opts.checkout?.account ?? null,
    checkoutRef: opts.checkout?.ref ?? null,
    lineNo,
    reason: opts.reason,
    expiresAt: opts.expiresAt,
  });
  let checks = opts.checks;
  let audit = opts.audit;
  for (const sku of skus) {
    const { quantity, lineNo } = need.get(sku)!;
    const id = newId('reservation');
    const whole = await reserveWhole(ctx, sku, quantity, source, reasonCode, rsv(id, lineNo), {
      checks,
      audit,
    });
    const c = whole.checks;
    if (c && (c.accountActive !== true || c.knownSkus !== new Set(checks!.skus).size || c.held))
      return { reservationIds: [], reserved: [], short: [], rejected: c };
    checks = undefined;
    if (whole.audited) audit = undefined;
    if (whole.taken) {
      const { level, warehouseCode, warehouseName } = whole.taken;
      reserved.push({
        id,
        sku,
        warehouseId: level.warehouse_id,
        warehouse: warehouseCode,
        warehouseName,
        quantity,
      });
      if (level.safety_stock > 0) {
        const now = level.on_hand - level.reserved - level.frozen;
        await checkSafetyCrossing(ctx, level, now + quantity, now);
      }
      continue;
    }
    let left = quantity;
    if (whole.available === 0) {
      short.push({ sku, requested: quantity, reserved: 0 });
      continue;
    }
    const take = async (c: Candidate, q: number) => {
      const id = newId('reservation');
      const after = await moveStock(
        ctx,
        { type: 'reserve', sku, warehouseId: c.warehouse_id, reserved: q, reasonCode, source },
        rsv(id, lineNo),
      );
      if (after)
        reserved.push({
          id,
          sku,
          warehouseId: c.warehouse_id,
          warehouse: c.code,
          warehouseName: c.name,
          quantity: q,
        });
      return after !== null;
    };
    const options = await candidatesFor(ctx.tx, sku);
    // Whole from one warehouse, best priority first (the stock may have moved since the first try).
    for (const c of options) {
      if (c.available >= left && (await take(c, left))) {
        left = 0;
        break;
      }
    }
    // Otherwise split over warehouses in priority order, re-reading a warehouse that refused.
    for (const c of left > 0 ? options : []) {
      let available = c.available;
      for (let attempt = 0; left > 0 && available > 0 && attempt < 5; attempt++) {
        const q = Math.min(left, available);
        if (await take(c, q)) left -= q;
        else available = await availableAt(ctx.tx, sku, c.warehouse_id);
      }
      if (left === 0) break;
    }
    if (left > 0) short.push({ sku, requested: quantity, reserved: quantity - left });
  }
  if (short.length && opts.mode === 'all') {
    throw new DomainError(
      'INVENTORY_INSUFFICIENT',
      `not enough stock for ${short.map((s) => `${s.sku} (wanted ${s.requested}, ${s.reserved} available)`).join(', ')}`,
      { short: short.map((s) => ({ sku: s.sku, requested: s.requested, available: s.reserved })) },
    );
  }
  if (audit) await recordAudit(ctx.tx, ctx.at, ctx.actor, audit);
  return { reservationIds: reserved.map((r) => r.id), reserved, short };
}

/**
 * The SKU's levels in active warehouses, best priority first, read from the rows locked in
 * warehouse-id order (`LOCK_LEVELS`: the global lock order; a reservation that already holds them
 * waits for nothing here). The figures are the latest, so a take from them does not refuse.
 */
async function candidatesFor(exec: SqlExecutor, sku: string): Promise<Candidate[]> {
  const rows = await exec.query<Candidate>(
    `WITH lk AS MATERIALIZED (${LOCK_LEVELS})
     SELECT $1 AS sku, lk.warehouse_id, w.code, w.name, lk.available
     FROM lk JOIN warehouses w ON w.id = lk.warehouse_id
     WHERE w.active
     ORDER BY w.priority DESC, w.code`,
    [sku],
  );
  return rows.map((r) => ({ ...r, available: Number(r.available) }));
}

async function availableAt(exec: SqlExecutor, sku: string, warehouseId: string): Promise<number> {
  const r = await exec.query<{ a: number }>(
    `SELECT on_hand - reserved - frozen AS a FROM stock_levels WHERE sku = $1 AND warehouse_id = $2`,
    [sku, warehouseId],
  );
  return Number(r[0]?.a ?? 0);
}

export interface ActiveReservation {
  id: string;
  order_id: string | null;
  sku: string;
  warehouse_id: string;
  quantity: number;
  warehouse_code: string;
  warehouse_name: string;
  [k: string]: unknown;
}

/**
 * Locks the active reservations matching `where` (in level order: SKU, then warehouse id, compared
 * byte by byte like `byLevelKey` and the SKU order of `reserveLines`, whatever the database's
 * collation, so the stock levels moved next are locked in the one global order) so that each is
 * ended exactly once. Only the reservations are locked; their warehouse's code and name come along for the
 * order's timeline.
 */
export async function lockActiveReservations(
  exec: SqlExecutor,
  where: string,
  params: unknown[],
): Promise<ActiveReservation[]> {
  const rows = await exec.query<ActiveReservation>(
    `SELECT id, order_id, sku, warehouse_id, quantity,
       (SELECT w.code FROM warehouses w WHERE w.id = reservations.warehouse_id) AS warehouse_code,
       (SELECT w.name FROM warehouses w WHERE w.id = reservations.warehouse_id) AS warehouse_name
     FROM reservations
     WHERE status = 'active' AND (${where})
     ORDER BY sku COLLATE "C", warehouse_id COLLATE "C", id FOR UPDATE OF reservations`,
    params,
  );
  return rows.map((r) => ({ ...r, quantity: Number(r.quantity) }));
}

/**
 * Ends reservations: their units go back to available. `status` says why (released on cancel,
 * expired on timeout). Idempotent: a reservation already ended is not in `rows` (they were locked
 * and filtered on `status = 'active'`).
 */
export async function endReservations(
  ctx: StockCtx,
  rows: readonly ActiveReservation[],
  status: 'released' | 'expired',
  reasonCode: string,
): Promise<{ units: number; items: StockItem[] }> {
  let units = 0;
  const items: StockItem[] = [];
  for (const r of rows) {
    if (r.quantity > 0) {
      const after = await moveStock(ctx, {
        type: 'release',
        sku: r.sku,
        warehouseId: r.warehouse_id,
        reserved: -r.quantity,
        reasonCode,
        source: r.order_id ? { type: 'order', id: r.order_id } : { type: 'reservation', id: r.id },
      });
      if (!after)
        throw new Error(
          `reservation ${r.id}: reserved counter below its reservations (run inventory verify)`,
        );
      units += r.quantity;
      items.push(itemOf(r, r.quantity));
    }
    await ctx.tx.query(`UPDATE reservations SET status = $2, quantity = 0, updated_at = $3 WHERE id = $1`, [
      r.id,
      status,
      ctx.at,
    ]);
  }
  return { units, items: mergeItems(items) };
}

/**
 * Ships reserved units: on hand and reserved both go down. Without `items`, everything the order
 * still holds; with `items`, those quantities per SKU (partial shipments). Never more than the
 * order holds: asking for more is refused (INVENTORY_INSUFFICIENT) before anything moves, and each
 * reservation gives at most its own quantity.
 */
export async function consumeReservations(
  ctx: StockCtx,
  orderId: string,
  items?: readonly { sku: string; quantity: number }[],
): Promise<{ units: number; items: StockItem[] }> {
  const rows = await lockActiveReservations(ctx.tx, 'order_id = $1', [orderId]);
  const want = new Map<string, number>();
  if (items) for (const i of items) want.set(i.sku, (want.get(i.sku) ?? 0) + i.quantity);
  else for (const r of rows) want.set(r.sku, (want.get(r.sku) ?? 0) + r.quantity);
  const short = [...want].filter(
    ([sku, q]) => rows.filter((r) => r.sku === sku).reduce((s, r) => s + r.quantity, 0) < q,
  );
  if (short.length)
    throw new DomainError(
      'INVENTORY_INSUFFICIENT',
      `order ${orderId} holds fewer units than shipped for ${short.map(([s]) => s).join(', ')}`,
      { short: short.map(([sku, quantity]) => ({ sku, quantity })) },
    );
  let units = 0;
  const moved: StockItem[] = [];
  for (const r of rows) {
    const q = Math.min(r.quantity, want.get(r.sku) ?? 0);
    if (q === 0) continue;
    want.set(r.sku, want.get(r.sku)! - q);
    const after = await moveStock(ctx, {
      type: 'ship',
      sku: r.sku,
      warehouseId: r.warehouse_id,
      onHand: -q,
      reserved: -q,
      reasonCode: 'SHIPPED',
      source: { type: 'order', id: orderId },
    });
    if (!after)
      throw new Error(`reservation ${r.id}: counters disagree with reservations (run inventory verify)`);
    const done = await ctx.tx.query(
      `UPDATE reservations SET quantity = quantity - $2, consumed = consumed + $2,
         status = CASE WHEN quantity - $2 = 0 THEN 'consumed' ELSE status END, updated_at = $3
       WHERE id = $1 AND status = 'active' AND quantity >= $2 RETURNING id`,
      [r.id, q, ctx.at],
    );
    if (done.length === 0)
      throw new Error(
        `reservation ${r.id}: holds fewer units than it was locked with (run inventory verify)`,
      );
    units += q;
    moved.push(itemOf(r, q));
  }
  return { units, items: mergeItems(moved) };
}

/**
 * Paid: the order's hold no longer times out. Nobody reads the answer: it travels with the
 * transaction's next statement (`Tx.deferred`).
 */
export async function clearExpiry(ctx: StockCtx, orderId: string): Promise<void> {
  await ctx.tx.deferred.query(
    `UPDATE reservations SET expires_at = NULL, updated_at = $2 WHERE order_id = $1 AND status = 'active' AND expires_at IS NOT NULL`,
    [orderId, ctx.at],
  );
}

/** The storefront's checkout hold becomes the order's. Returns the units taken over. */
export async function attachCheckout(
  ctx: StockCtx,
  orderId: string,
  account: string,
  ref: string,
  expiresAt: Date | null,
): Promise<StockItem[]> {
  const rows = await ctx.tx.query<{ sku: string; quantity: number; code: string; name: string }>(
    `UPDATE reservations SET order_id = $1, reason = 'order', expires_at = $4, updated_at = $5
     WHERE checkout_account = $2 AND checkout_ref = $3 AND status = 'active' AND order_id IS NULL
     RETURNING sku, quantity,
       (SELECT w.code FROM warehouses w WHERE w.id = reservations.warehouse_id) AS code,
       (SELECT w.name FROM warehouses w WHERE w.id = reservations.warehouse_id) AS name`,
    [orderId, account, ref, expiresAt, ctx.at],
  );
  return mergeItems(
    rows.map((r) => ({
      sku: r.sku,
      quantity: Number(r.quantity),
      warehouse: { code: r.code, name: r.name },
    })),
  );
}

/**
 * Per SKU, the units the order holds now and those already shipped from its reservations: what
 * covers its lines (the stock guards read this).
 */
export async function stockByOrder(
  exec: SqlExecutor,
  orderId: string,
): Promise<Map<string, { held: number; consumed: number }>> {
  const rows = await exec.query<{ sku: string; held: number; consumed: number }>(
    `SELECT sku, sum(CASE WHEN status = 'active' THEN quantity ELSE 0 END)::bigint AS held,
       sum(consumed)::bigint AS consumed
     FROM reservations WHERE order_id = $1 GROUP BY sku`,
    [orderId],
  );
  return new Map(rows.map((r) => [r.sku, { held: Number(r.held), consumed: Number(r.consumed) }]));
}

/** Units each SKU holds for the order now. */
export async function heldByOrder(exec: SqlExecutor, orderId: string): Promise<Map<string, number>> {
  const rows = await exec.query<{ sku: string; q: number }>(
    `SELECT sku, sum(quantity)::bigint AS q FROM reservations WHERE order_id = $1 AND status = 'active' GROUP BY sku`,
    [orderId],
  );
  return new Map(rows.map((r) => [r.sku, Number(r.q)]));
}

/** Gives back `quantity` units of one reservation (a changed order needs fewer). */
export async function releaseUnits(
  ctx: StockCtx,
  r: ActiveReservation,
  quantity: number,
  reasonCode: string,
): Promise<StockItem> {
  const after = await moveStock(ctx, {
    type: 'release',
    sku: r.sku,
    warehouseId: r.warehouse_id,
    reserved: -quantity,
    reasonCode,
    source: r.order_id ? { type: 'order', id: r.order_id } : { type: 'reservation', id: r.id },
  });
  if (!after)
    throw new Error(`reservation ${r.id}: reserved counter below its reservations (run inventory verify)`);
  await ctx.tx.query(
    `UPDATE reservations SET quantity = quantity - $2,
       status = CASE WHEN quantity - $2 = 0 THEN 'released' ELSE status END, updated_at = $3 WHERE id = $1`,
    [r.id, quantity, ctx.at],
  );
  return itemOf(r, quantity);
}
