import { MAX_LINES_PER_ORDER } from '@orderhub/contracts';
import { eq } from 'drizzle-orm';
import type { Actor } from '../../platform/actor.ts';
import type { Tx } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { allocateLargestRemainder } from '../../platform/money.ts';
import { recordAudit } from '../audit/index.ts';
import { skuNames, skuStockFlags } from '../catalog/index.ts';
import { lockForEdit } from './edit-order.ts';
import { emitOrderEvent } from './events.ts';
import * as schema from './schema.ts';
import { linesFingerprint } from './source-merge.ts';
import { loadLines, type OrderLineRow, type OrderRow } from './store.ts';
import { appendTimeline } from './timeline.ts';

export type LineChange =
  | { kind: 'replace'; lineId: string; sku?: string; quantity?: number; unitPrice?: number }
  | { kind: 'gift'; sku: string; quantity: number };

export interface LinesEdit {
  orderId: string;
  version: number;
  change: LineChange;
  reason?: string | undefined;
}

/** The SKU's name in the master; refuses one it does not know or has deactivated. */
async function masterSku(tx: Tx, sku: string): Promise<string> {
  const flag = (await skuStockFlags(tx, [sku])).get(sku);
  if (!flag) throw new DomainError('SKU_UNKNOWN', `no SKU "${sku}" in the SKU master`, { skus: [sku] });
  if (!flag.active) throw new DomainError('SKU_INACTIVE', `SKU "${sku}" is deactivated`, { sku });
  return (await skuNames(tx, [sku])).get(sku) ?? sku;
}

const gross = (l: Pick<OrderLineRow, 'unitPrice' | 'quantity'>) => Number(l.unitPrice) * l.quantity;
const fromTo = <T>(from: T, to: T) => (from === to ? {} : { from, to });

/**
 * Replaces a line's SKU, quantity or price, or adds a gift line at zero price, on an order not yet
 * approved, in the caller's transaction. When the goods amount changes, the order's discount is
 * shared over the lines again by largest remainder on their amounts and the total recomputed
 * (goods + shipping + tax − discount). Timeline (`lines_changed`, each field before and after),
 * audit and outbox go with it. Stock follows in the same transaction: the caller makes the order's
 * reservations match its lines (flows/order-edit.ts). Returns null when nothing changes.
 */
export async function changeLines(
  tx: Tx,
  jobs: Jobs,
  at: Date,
  actor: Actor,
  input: LinesEdit,
): Promise<OrderRow | null> {
  const order = await lockForEdit(tx, input.orderId, input.version);
  const lines = await loadLines(tx, order.id);
  const c = input.change;
  let details: Record<string, unknown>;
  let next: OrderLineRow[];
  if (c.kind === 'replace') {
    const line = lines.find((l) => l.id === c.lineId);
    if (!line)
      throw new DomainError('ORDER_LINE_UNKNOWN', `order ${order.orderNo} has no line ${c.lineId}`, {
        lineId: c.lineId,
      });
    if (line.gift && c.unitPrice !== undefined && c.unitPrice !== 0)
      throw new DomainError('VALIDATION_FAILED', 'a gift line stays at zero price', { field: 'unitPrice' });
    const sku = c.sku ?? line.sku;
    const title = c.sku !== undefined && c.sku !== line.sku ? await masterSku(tx, c.sku) : line.title;
    const after: OrderLineRow = {
      ...line,
      sku,
      channelSku: sku !== line.sku && sku ? sku : line.channelSku,
      title,
      quantity: c.quantity ?? line.quantity,
      unitPrice: c.unitPrice ?? line.unitPrice,
    };
    if (after.sku === line.sku && after.quantity === line.quantity && after.unitPrice === line.unitPrice)
      return null;
    next = lines.map((l) => (l.id === line.id ? after : l));
    details = {
      action: 'replace',
      lineNo: line.lineNo,
      gift: line.gift,
      title: after.title,
      ...(line.title !== after.title ? { titleBefore: line.title } : {}),
      sku: fromTo(line.sku, after.sku),
      quantity: fromTo(line.quantity, after.quantity),
      unitPrice: fromTo(Number(line.unitPrice), Number(after.unitPrice)),
    };
  } else {
    if (lines.length >= MAX_LINES_PER_ORDER)
      throw new DomainError('ORDER_LINES_TOO_MANY', `an order holds at most ${MAX_LINES_PER_ORDER} lines`, {
        limit: MAX_LINES_PER_ORDER,
      });
    const title = await masterSku(tx, c.sku);
    const gift: OrderLineRow = {
      id: newId('orderLine'),
      orderId: order.id,
      lineNo: Math.max(0, ...lines.map((l) => l.lineNo)) + 1,
      externalLineId: null,
      channelSku: c.sku,
      sku: c.sku,
      title,
      quantity: c.quantity,
      unitPrice: 0,
      discount: 0,
      status: 'open',
      gift: true,
    };
    await tx.db.insert(schema.orderLines).values(gift);
    next = [...lines, gift];
    details = {
      action: 'gift',
      lineNo: gift.lineNo,
      gift: true,
      title,
      sku: { to: c.sku },
      quantity: { to: c.quantity },
    };
  }

  const goodsAmount = next.reduce((a, l) => a + gross(l), 0);
  if (!Number.isSafeInteger(goodsAmount))
    throw new DomainError(
      'ORDER_AMOUNTS_INCONSISTENT',
      'the goods amount is beyond what can be counted exactly',
    );
  const discount = Number(order.discount);
  if (goodsAmount !== Number(order.goodsAmount)) {
    if (discount > goodsAmount)
      throw new DomainError(
        'ORDER_AMOUNTS_INCONSISTENT',
        `the order's discount ${discount} would exceed its goods amount ${goodsAmount}`,
        { discount, goodsAmount },
      );
    const shares = allocateLargestRemainder(discount, next.map(gross));
    next = next.map((l, i) => ({ ...l, discount: shares[i] ?? 0 }));
  }
  const total = goodsAmount + Number(order.shippingFee) + Number(order.tax) - discount;
  if (c.kind === 'replace') {
    const changed = next.filter((l) => {
      const was = lines.find((o) => o.id === l.id)!;
      return l !== was && (l.id === c.lineId || l.discount !== was.discount);
    });
    for (const l of changed)
      await tx.db
        .update(schema.orderLines)
        .set({
          sku: l.sku,
          channelSku: l.channelSku,
          title: l.title,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          discount: l.discount,
        })
        .where(eq(schema.orderLines.id, l.id));
  }
  const rows = await tx.db
    .update(schema.orders)
    .set({
      goodsAmount,
      total,
      lineCount: next.length,
      // The channel's lines this edit departs from (kept from the first edit since its last version).
      linesEditedFrom: order.linesEditedFrom ?? linesFingerprint(lines),
      version: order.version + 1,
      updatedAt: at,
    })
    .where(eq(schema.orders.id, order.id))
    .returning();
  const updated = rows[0]!;
  details = {
    ...details,
    currency: order.currency,
    goodsAmount: fromTo(Number(order.goodsAmount), goodsAmount),
    total: fromTo(Number(order.total), total),
  };
  const reason = input.reason?.trim() || null;
  await appendTimeline(tx, at, actor, {
    orderId: order.id,
    event: 'lines_changed',
    fromStatus: order.status,
    toStatus: order.status,
    note: reason,
    details,
  });
  await recordAudit(tx, at, actor, {
    action: c.kind === 'gift' ? 'order.gift_line_added' : 'order.line_replaced',
    entityType: 'order',
    entityId: order.id,
    summary: { ...details, reason, version: updated.version },
  });
  await emitOrderEvent(tx, jobs, {
    type: 'order.updated',
    orderId: order.id,
    version: updated.version,
    status: updated.status,
    at: at.toISOString(),
    event: 'lines_changed',
  });
  return updated;
}
