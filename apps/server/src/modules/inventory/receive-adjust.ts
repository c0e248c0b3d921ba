import type { AdjustmentBody, MovementView, ReceiptBody, StockLevelView } from '@orderhub/contracts';
import { DomainError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { requireSkus } from '../catalog/index.ts';
import { ensureLevel, moveStock, type StockCtx } from './ledger.ts';
import { levelsOf, movementsBySource } from './levels.ts';
import { requireWarehouse } from './warehouses.ts';

export interface StockChangeResult {
  movements: MovementView[];
  levels: StockLevelView[];
}

function aggregate<T extends { sku: string }>(
  lines: readonly T[],
  qty: (l: T) => number,
): [string, number][] {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l.sku, (m.get(l.sku) ?? 0) + qty(l));
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Goods arrive (入库): on hand goes up. */
export async function receiveStock(ctx: StockCtx, input: ReceiptBody): Promise<StockChangeResult> {
  const { tx, at } = ctx;
  await requireSkus(
    tx,
    input.lines.map((l) => l.sku),
  );
  const wh = await requireWarehouse(tx, input.warehouse, true);
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.receipt',
    entityType: 'warehouse',
    entityId: wh.id,
    summary: input,
  });
  const ids: string[] = [];
  for (const [sku, quantity] of aggregate(input.lines, (l) => l.quantity)) {
    await ensureLevel(tx, at, sku, wh.id);
    const after = await moveStock(ctx, {
      type: 'receipt',
      sku,
      warehouseId: wh.id,
      onHand: quantity,
      reasonCode: 'RECEIPT',
      source: input.reference ? { type: 'receipt', id: input.reference } : null,
      note: input.note ?? null,
    });
    if (!after) throw new Error(`receipt of ${sku} refused by the stock guard`);
    ids.push(after.movementId!);
  }
  return stockChangeResult(
    ctx,
    input.lines.map((l) => ({ sku: l.sku, warehouseId: wh.id })),
    ids,
  );
}

/**
 * A correction with a reason (报损, 盘盈, …). Removing more than is free (on hand − reserved − frozen)
 * is refused: units promised to orders or frozen must be released first.
 */
export async function adjustStock(ctx: StockCtx, input: AdjustmentBody): Promise<StockChangeResult> {
  const { tx, at } = ctx;
  await requireSkus(
    tx,
    input.lines.map((l) => l.sku),
  );
  const wh = await requireWarehouse(tx, input.warehouse);
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.adjust',
    entityType: 'warehouse',
    entityId: wh.id,
    summary: input,
  });
  const refused: { sku: string; delta: number; available: number }[] = [];
  const ids: string[] = [];
  for (const [sku, delta] of aggregate(input.lines, (l) => l.delta)) {
    if (delta === 0) continue;
    await ensureLevel(tx, at, sku, wh.id);
    const after = await moveStock(ctx, {
      type: 'adjustment',
      sku,
      warehouseId: wh.id,
      onHand: delta,
      reasonCode: input.reasonCode,
      source: null,
      note: input.note ?? null,
    });
    if (!after) {
      const r = await tx.query<{ a: number }>(
        `SELECT on_hand - reserved - frozen AS a FROM stock_levels WHERE sku = $1 AND warehouse_id = $2`,
        [sku, wh.id],
      );
      refused.push({ sku, delta, available: Number(r[0]?.a ?? 0) });
    } else ids.push(after.movementId!);
  }
  if (refused.length)
    throw new DomainError(
      'ADJUSTMENT_BELOW_COMMITTED',
      `cannot remove more than is available: ${refused.map((r) => `${r.sku} (${r.delta}, ${r.available} available)`).join(', ')}`,
      { lines: refused },
    );
  return stockChangeResult(
    ctx,
    input.lines.map((l) => ({ sku: l.sku, warehouseId: wh.id })),
    ids,
  );
}

export async function stockChangeResult(
  ctx: StockCtx,
  keys: { sku: string; warehouseId: string }[],
  movementIds: string[],
): Promise<StockChangeResult> {
  return { levels: await levelsOf(ctx.tx, keys), movements: await movementsBySource(ctx.tx, movementIds) };
}
