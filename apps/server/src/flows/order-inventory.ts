import { skuStockFlags } from '../modules/catalog/index.ts';
import { listAccounts } from '../modules/channels/index.ts';
import {
  attachCheckout,
  CHANNEL_STOCK_PUSH_QUEUE,
  type ChannelStockPushMessage,
  channelAvailability,
  clearExpiry,
  consumeReservations,
  dueFreezes,
  endReservations,
  expireCheckouts,
  expireFreeze,
  hasDueReservation,
  heldByOrder,
  lockActiveReservations,
  mergeItems,
  ordersWithDueReservations,
  type Reserved,
  releaseUnits,
  reserveLines,
  type Shortfall,
  type StockCtx,
  type StockDeps,
  type StockItem,
  stockDepsOf,
} from '../modules/inventory/index.ts';
import {
  getOrderRow,
  heldOrdersWithSku,
  loadLines,
  lockOrderByKey,
  type OrderRow,
  type TransitionEffect,
  transitionContext,
  transitionLocked,
} from '../modules/orders/index.ts';
import { type Actor, systemActor } from '../platform/actor.ts';
import type { Database, Tx } from '../platform/db.ts';
import type { FlowDeps } from './ingest-order.ts';
import { missingOf, recordStock, stockCoverage } from './stock-guard.ts';

/** What the stock sync needs of an order line. */
type OrderLineLike = { lineNo: number; sku: string | null; quantity: number };

/** Statuses in which an order holds stock for its lines. */
const HOLDS_STOCK: readonly string[] = [
  'pending_payment',
  'paid',
  'under_review',
  'on_hold',
  'approved',
  'fulfilling',
];
/** Statuses from which a short order is put on hold (OUT_OF_STOCK). */
const HOLDABLE: readonly string[] = ['paid', 'under_review'];

const stockDeps = stockDepsOf;

/** Reservations as timeline items. */
export const reservedItems = (reserved: readonly Reserved[]): StockItem[] =>
  mergeItems(
    reserved.map((r) => ({
      sku: r.sku,
      quantity: r.quantity,
      warehouse: { code: r.warehouse, name: r.warehouseName },
    })),
  );

/**
 * Makes the order's reservations match its lines, in the ingest transaction. Only tracked SKUs of
 * the master are stocked; an order with an unmapped line — no SKU, or one the master does not
 * know — reserves nothing, and a paid one is held SKU_UNMAPPED.
 * Unpaid own-storefront orders get all or nothing (INVENTORY_INSUFFICIENT rolls the order back);
 * anything sold on a channel takes what exists, and a paid order left short goes on hold
 * OUT_OF_STOCK until stock arrives. What moves is written to the order's timeline (`stock`), held
 * back to travel with the next statement (`tx.deferred`).
 *
 * `created` carries the lines of an order created in this transaction: they are the ones just
 * inserted and are not read back. Such an order holds nothing unless a storefront checkout under
 * its key (account, external id) held stock for it: the first reservation statement checks that no
 * such hold exists; when one does, it writes nothing, the order takes the hold over and what it
 * holds is exactly what it took. An existing order's lines and holds are read.
 */
export async function syncOrderStock(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  actor: Actor,
  order: OrderRow,
  account: { code: string; channel: string },
  created: { lines: readonly OrderLineLike[] } | null,
): Promise<OrderRow> {
  if (!HOLDS_STOCK.includes(order.status)) return order;
  const settings = stockDepsOf(deps).inventory;
  const ctx: StockCtx = { tx, deps: stockDeps(deps), at, actor };
  const pending = order.status === 'pending_payment';
  const expiresAt = pending ? new Date(at.getTime() + settings.paymentTimeoutSeconds * 1000) : null;
  const lines = created ? created.lines : await loadLines(tx, order.id);
  const desired = new Map<string, number>();
  let unknown: OrderLineLike[] = [];
  if (lines.every((l) => l.sku)) {
    const flags = await skuStockFlags(
      tx,
      lines.map((l) => l.sku!),
    );
    unknown = lines.filter((l) => !flags.has(l.sku!));
    if (unknown.length === 0)
      for (const l of lines)
        if (flags.get(l.sku!)!.tracked) desired.set(l.sku!, (desired.get(l.sku!) ?? 0) + l.quantity);
  }
  const own = settings.ownStorefrontChannels.includes(account.channel);
  const options: Parameters<typeof reserveLines>[2] = {
    mode: pending && own ? 'all' : 'available',
    orderId: order.id,
    reason: 'order',
    expiresAt,
  };

  let held: Map<string, number>;
  if (created) {
    if (desired.size > 0) {
      // A new order holds nothing, unless a storefront checkout under its key holds stock for it.
      // The first reservation statement checks for such a hold (and writes nothing if there is
      // one): without one, what the lines want is what to reserve, and no statement is spent on it.
      const wanted = [...desired.keys()].sort().map((sku) => ({ sku, quantity: desired.get(sku)! }));
      const outcome = await reserveLines(ctx, wanted, {
        ...options,
        checks: { account: account.code, ref: order.externalOrderId, skus: wanted.map((w) => w.sku) },
      });
      if (!outcome.rejected) return afterReserve(tx, deps, at, actor, order, outcome);
    }
    const taken = await attachCheckout(ctx, order.id, account.code, order.externalOrderId, expiresAt);
    await recordStock(tx.deferred, at, actor, order.id, 'reserved', taken, 'CHECKOUT');
    held = new Map();
    for (const t of taken) held.set(t.sku, (held.get(t.sku) ?? 0) + t.quantity);
  } else {
    held = await heldByOrder(tx, order.id);
  }

  const toReserve: { sku: string; quantity: number }[] = [];
  const released: StockItem[] = [];
  for (const sku of [...new Set([...desired.keys(), ...held.keys()])].sort()) {
    const diff = (desired.get(sku) ?? 0) - (held.get(sku) ?? 0);
    if (diff > 0) toReserve.push({ sku, quantity: diff });
    if (diff < 0) {
      let excess = -diff;
      for (const r of await lockActiveReservations(tx, 'order_id = $1 AND sku = $2', [order.id, sku])) {
        const q = Math.min(excess, r.quantity);
        if (q > 0) released.push(await releaseUnits(ctx, r, q, 'ORDER_CHANGED'));
        excess -= q;
      }
    }
  }
  await recordStock(tx.deferred, at, actor, order.id, 'released', mergeItems(released), 'ORDER_CHANGED');
  if (unknown.length && order.status === 'paid') {
    // As a line without a SKU (applyAutomaticHolds): nobody can pick a SKU the master does not know.
    return transitionLocked(tx, transitionContext(deps), at, systemActor('ingest'), order, {
      orderId: order.id,
      event: 'hold',
      reasonCode: 'SKU_UNMAPPED',
      note: `not in the SKU master: ${unknown.map((l) => `line ${l.lineNo} (${l.sku})`).join(', ')}`,
    });
  }
  if (toReserve.length === 0) return order;
  return afterReserve(tx, deps, at, actor, order, await reserveLines(ctx, toReserve, options));
}

/** Writes what was reserved to the timeline; a paid order left short goes on hold OUT_OF_STOCK. */
async function afterReserve(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  actor: Actor,
  order: OrderRow,
  { short, reserved }: { short: Shortfall[]; reserved: Reserved[] },
): Promise<OrderRow> {
  await recordStock(tx.deferred, at, actor, order.id, 'reserved', reservedItems(reserved));
  if (short.length === 0 || !HOLDABLE.includes(order.status)) return order;
  return transitionLocked(tx, transitionContext(deps), at, systemActor('inventory'), order, {
    orderId: order.id,
    event: 'hold',
    reasonCode: 'OUT_OF_STOCK',
    note: `short: ${short.map((s) => `${s.sku} ${s.reserved}/${s.requested}`).join(', ')}`,
    details: { short },
  });
}

/**
 * The order's transitions move its stock in the same transaction: paid stops the timeout,
 * cancel/close release what is held, ship consumes it (the stock guard let it ship only whole);
 * each move is written to the order's timeline.
 */
export function orderStockEffect(deps: StockDeps): TransitionEffect {
  return async (tx, at, actor, { before, after, input }) => {
    const ctx: StockCtx = { tx, deps, at, actor };
    if (input.event === 'pay') await clearExpiry(ctx, after.id);
    else if (input.event === 'ship') {
      const { items } = await consumeReservations(ctx, after.id);
      await recordStock(tx.deferred, at, actor, after.id, 'consumed', items);
    } else if (after.status === 'cancelled' || after.status === 'closed') {
      const rows = await lockActiveReservations(tx, 'order_id = $1', [after.id]);
      const timeout = input.reasonCode === 'PAYMENT_TIMEOUT';
      const reason = input.reasonCode ?? before.status;
      const { items } = await endReservations(ctx, rows, timeout ? 'expired' : 'released', reason);
      await recordStock(tx.deferred, at, actor, after.id, timeout ? 'expired' : 'released', items, reason);
    }
  };
}

/** Per tracked SKU, the units the order's lines still lack. */
export async function missingUnits(tx: Tx, orderId: string): Promise<{ sku: string; quantity: number }[]> {
  return missingOf((await stockCoverage(tx, orderId)).lacking);
}

/**
 * The minute sweep (an indexed `expires_at` scan, no job per hold): checkout holds and unpaid
 * orders past their expiry, and freezes past theirs. Each order
 * is cancelled in its own transaction under its row lock, after checking it is still unpaid: a
 * payment that got the lock first wins, and the cancel then finds nothing to do (and vice versa).
 */
export async function expireDue(
  database: Database,
  deps: FlowDeps,
  at: Date,
): Promise<{ checkouts: number; orders: number; freezes: number }> {
  const sd = stockDeps(deps);
  const job = systemActor('payment-timeout', 'job');
  const checkouts = await database.tx((tx) => expireCheckouts({ tx, deps: sd, at, actor: job }));
  let orders = 0;
  for (const orderId of await ordersWithDueReservations(database, at)) {
    const head = await getOrderRow(database, orderId);
    orders += await database.tx(async (tx) => {
      const order = await lockOrderByKey(tx, head.channelAccountId, head.externalOrderId);
      if (!order) return 0;
      if (order.status !== 'pending_payment') {
        await clearExpiry({ tx, deps: sd, at, actor: job }, order.id);
        return 0;
      }
      if (!(await hasDueReservation(tx, order.id, at))) return 0;
      await transitionLocked(tx, transitionContext(deps), at, job, order, {
        orderId: order.id,
        event: 'cancel',
        reasonCode: 'PAYMENT_TIMEOUT',
        note: 'not paid in time; stock released',
      });
      return 1;
    });
  }
  let freezes = 0;
  for (const id of await dueFreezes(database, at)) {
    if (
      await database.tx((tx) =>
        expireFreeze({ tx, deps: sd, at, actor: systemActor('freeze-expiry', 'job') }, id),
      )
    )
      freezes++;
  }
  return { checkouts, orders, freezes };
}

/**
 * After stock of a SKU changed (relayed from its push mark, debounced): first come, first served by paid time, orders on hold
 * OUT_OF_STOCK take what they lack and are released when whole; then every active channel account
 * is sent what it may sell now.
 */
export async function onStockChanged(
  database: Database,
  deps: FlowDeps,
  at: Date,
  sku: string,
): Promise<{ released: string[]; pushed: number }> {
  const sd = stockDeps(deps);
  const actor = systemActor('restock', 'job');
  const waiting = await heldOrdersWithSku(database, 'OUT_OF_STOCK', sku);
  const released: string[] = [];
  for (const id of waiting) {
    const head = await getOrderRow(database, id);
    const done = await database.tx(async (tx) => {
      const order = await lockOrderByKey(tx, head.channelAccountId, head.externalOrderId);
      if (order?.status !== 'on_hold' || order.holdReason !== 'OUT_OF_STOCK') return false;
      const missing = await missingUnits(tx, order.id);
      const ctx: StockCtx = { tx, deps: sd, at, actor };
      const { short, reserved } = await reserveLines(ctx, missing, {
        mode: 'available',
        orderId: order.id,
        reason: 'order',
        expiresAt: null,
      });
      await recordStock(tx.deferred, at, actor, order.id, 'reserved', reservedItems(reserved), 'RESTOCK');
      if (short.length) return false;
      await transitionLocked(tx, transitionContext(deps), at, actor, order, {
        orderId: order.id,
        event: 'release',
        note: 'stock arrived; every line is reserved',
      });
      return true;
    });
    if (done) released.push(id);
  }
  const pushed = await database.tx(async (tx) => {
    const accounts = (await listAccounts(tx)).filter((a) => a.active);
    const figures = await channelAvailability(
      tx,
      [sku],
      accounts.map((a) => a.code),
    );
    const byCode = new Map(figures.map((f) => [f.account, f]));
    for (const a of accounts) {
      const msg: ChannelStockPushMessage = {
        account: a.code,
        channel: a.channel,
        sku,
        available: byCode.get(a.code)?.available ?? 0,
        at: at.toISOString(),
      };
      await deps.jobs.send(tx, CHANNEL_STOCK_PUSH_QUEUE, msg);
    }
    return accounts.length;
  });
  return { released, pushed };
}

/**
 * Partial or whole shipment of an order's reserved units outside the order machine (fulfilment);
 * never more than the order holds (INVENTORY_INSUFFICIENT). Returns the units shipped.
 */
export async function shipOrderUnits(
  tx: Tx,
  deps: StockDeps,
  at: Date,
  actor: Actor,
  orderId: string,
  items?: { sku: string; quantity: number }[],
): Promise<number> {
  const moved = await consumeReservations({ tx, deps, at, actor }, orderId, items);
  await recordStock(tx, at, actor, orderId, 'consumed', moved.items);
  return moved.units;
}
