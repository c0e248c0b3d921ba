import type { OrderEvent } from '@orderhub/contracts';
import { skuStockFlags } from '../modules/catalog/index.ts';
import { type StockItem, stockByOrder } from '../modules/inventory/index.ts';
import { appendTimeline, loadLines, type TransitionGuard } from '../modules/orders/index.ts';
import type { Actor } from '../platform/actor.ts';
import type { DbReader, SqlExecutor } from '../platform/db.ts';
import { DomainError } from '../platform/errors.ts';

/** Events after which goods leave (or are promised to leave) the warehouse: every stocked unit must be held. */
const NEEDS_STOCK: readonly OrderEvent[] = ['approve', 'start_fulfilment', 'ship'];

/** A line short of stock, as the guard's refusal lists it. */
export interface LackingLine {
  lineNo: number;
  sku: string;
  quantity: number;
  reserved: number;
}

/**
 * How the order's lines are covered: lines whose SKU is not in the master (`unknown`), and stocked
 * lines not fully held (`lacking`). A SKU's held and already shipped units cover its lines in line
 * order; untracked SKUs (services, virtual goods) and lines without a SKU are not stocked.
 */
export async function stockCoverage(
  exec: DbReader,
  orderId: string,
): Promise<{ lacking: LackingLine[]; unknown: { lineNo: number; sku: string }[] }> {
  const lines = await loadLines(exec, orderId);
  const skus = lines.flatMap((l) => (l.sku ? [l.sku] : []));
  if (skus.length === 0) return { lacking: [], unknown: [] };
  const flags = await skuStockFlags(exec, skus);
  const stock = await stockByOrder(exec, orderId);
  const pool = new Map([...stock].map(([sku, s]) => [sku, s.held + s.consumed]));
  const lacking: LackingLine[] = [];
  const unknown: { lineNo: number; sku: string }[] = [];
  for (const l of lines) {
    if (!l.sku) continue;
    const flag = flags.get(l.sku);
    if (!flag) {
      unknown.push({ lineNo: l.lineNo, sku: l.sku });
      continue;
    }
    if (!flag.tracked) continue;
    const reserved = Math.min(l.quantity, pool.get(l.sku) ?? 0);
    pool.set(l.sku, (pool.get(l.sku) ?? 0) - reserved);
    if (reserved < l.quantity) lacking.push({ lineNo: l.lineNo, sku: l.sku, quantity: l.quantity, reserved });
  }
  return { lacking, unknown };
}

/** Per SKU, the units the lacking lines still need. */
export function missingOf(lacking: readonly LackingLine[]): { sku: string; quantity: number }[] {
  const by = new Map<string, number>();
  for (const l of lacking) by.set(l.sku, (by.get(l.sku) ?? 0) + l.quantity - l.reserved);
  return [...by].map(([sku, quantity]) => ({ sku, quantity }));
}

/** Lines naming a SKU the master does not know: as unmapped as a line without one. */
export function skuUnmapped(event: string, unknown: readonly { lineNo: number; sku: string }[]): DomainError {
  const message = `SKU_UNMAPPED on line ${unknown.map((l) => `${l.lineNo} (${l.sku})`).join(', ')}: not in the SKU master`;
  return new DomainError('ORDER_GUARD_FAILED', `cannot ${event}: ${message}`, {
    guard: 'SKU_UNMAPPED',
    message,
    lines: unknown,
  });
}

export function stockNotReserved(event: string, lacking: readonly LackingLine[]): DomainError {
  const list = lacking.map((l) => `line ${l.lineNo} (${l.sku} ${l.reserved}/${l.quantity})`).join(', ');
  return new DomainError('ORDER_STOCK_NOT_RESERVED', `cannot ${event}: stock not reserved for ${list}`, {
    lines: lacking,
  });
}

/**
 * Contributed to the order machine (hook `orderTransitionGuard`): approve, start_fulfilment and ship
 * need every stocked line fully reserved, and every SKU in the master (an unknown SKU is as
 * unmapped as a missing one). Reads only; a refusal writes nothing.
 */
export const stockGuard: TransitionGuard = async (exec, order, input) => {
  if (!NEEDS_STOCK.includes(input.event)) return null;
  const { lacking, unknown } = await stockCoverage(exec, order.id);
  if (unknown.length) return skuUnmapped(input.event, unknown);
  return lacking.length ? stockNotReserved(input.event, lacking) : null;
};

/**
 * One `stock` timeline entry for the units that moved, in the transaction that moved them (nothing
 * when nothing moved). The console renders `{ action, items: [{ sku, quantity, warehouse: { code,
 * name } }], reason? }`.
 */
export async function recordStock(
  tx: SqlExecutor,
  at: Date,
  actor: Actor,
  orderId: string,
  action: 'reserved' | 'released' | 'expired' | 'consumed',
  items: readonly StockItem[],
  reason?: string | null,
): Promise<void> {
  if (items.length === 0) return;
  await appendTimeline(tx, at, actor, {
    orderId,
    event: 'stock',
    fromStatus: null,
    toStatus: null,
    details: { action, items, ...(reason ? { reason } : {}) },
  });
}
