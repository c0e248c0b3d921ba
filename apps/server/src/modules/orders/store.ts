import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import type { CanonicalLine, CanonicalOrder } from './normalise.ts';
import { orderLines, orderRawPayloads, orders } from './schema.ts';

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;

function headerValues(o: CanonicalOrder) {
  return {
    sourceVersion: o.sourceVersion,
    contentHash: o.contentHash,
    currency: o.currency,
    goodsAmount: o.goodsAmount,
    shippingFee: o.shippingFee,
    discount: o.discount,
    tax: o.tax,
    total: o.total,
    placedAt: o.placedAt,
    placedAtRaw: o.placedAtRaw,
    paidAt: o.paidAt,
    paidAtRaw: o.paidAtRaw,
    buyerId: o.buyerId,
    buyerNick: o.buyerNick,
    receiverNameEnc: o.receiverNameEnc,
    receiverPhoneEnc: o.receiverPhoneEnc,
    receiverPhoneIdx: o.receiverPhoneIdx,
    receiverCountry: o.receiverCountry,
    receiverProvince: o.receiverProvince,
    receiverCity: o.receiverCity,
    receiverDistrict: o.receiverDistrict,
    receiverDetailEnc: o.receiverDetailEnc,
    receiverPostalCode: o.receiverPostalCode,
    receiverPlatformRef: o.receiverPlatformRef,
    buyerRemark: o.buyerRemark,
    sellerRemark: o.sellerRemark,
    tags: o.tags,
    lineCount: o.lines.length,
  };
}

/**
 * Inserts the order unless one with the same natural key exists (then returns null, and the caller
 * takes the update path). The status here is only the starting point: later changes are transitions.
 */
export async function insertOrder(
  tx: Tx,
  at: Date,
  accountId: string,
  o: CanonicalOrder,
): Promise<OrderRow | null> {
  const id = newId('order');
  const rows = await tx.db
    .insert(orders)
    .values({
      id,
      channelAccountId: accountId,
      externalOrderId: o.externalOrderId,
      status: o.status,
      version: 1,
      ...headerValues(o),
      createdAt: at,
      updatedAt: at,
    })
    .onConflictDoNothing({ target: [orders.channelAccountId, orders.externalOrderId] })
    .returning();
  const row = rows[0];
  if (!row) return null;
  await insertLines(tx, id, o.lines);
  return row;
}

async function insertLines(tx: Tx, orderId: string, lines: CanonicalLine[]) {
  await tx.db.insert(orderLines).values(
    lines.map((l) => ({
      id: newId('orderLine'),
      orderId,
      lineNo: l.lineNo,
      externalLineId: l.externalLineId,
      channelSku: l.channelSku,
      sku: l.sku,
      title: l.title,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: l.discount,
    })),
  );
}

/** Newer data from the channel: header fields always, lines only while nothing was decided on them. */
export async function updateOrderFromSource(
  tx: Tx,
  at: Date,
  current: OrderRow,
  o: CanonicalOrder,
  replaceLines: boolean,
): Promise<OrderRow> {
  const values = headerValues(o);
  if (!replaceLines) values.lineCount = current.lineCount;
  const rows = await tx.db
    .update(orders)
    .set({ ...values, version: current.version + 1, updatedAt: at })
    .where(eq(orders.id, current.id))
    .returning();
  if (replaceLines) {
    await tx.db.delete(orderLines).where(eq(orderLines.orderId, current.id));
    await insertLines(tx, current.id, o.lines);
  }
  return rows[0]!;
}

export async function storeRawPayload(tx: Tx, at: Date, orderId: string, o: CanonicalOrder): Promise<void> {
  await tx.db.insert(orderRawPayloads).values({
    id: newId('rawPayload'),
    orderId,
    sourceVersion: o.sourceVersion,
    contentHash: o.contentHash,
    receivedAt: at,
    payloadEnc: o.rawEnc,
  });
}

export async function lockOrderByKey(
  tx: Tx,
  accountId: string,
  externalOrderId: string,
): Promise<OrderRow | undefined> {
  const rows = await tx.db
    .select()
    .from(orders)
    .where(and(eq(orders.channelAccountId, accountId), eq(orders.externalOrderId, externalOrderId)))
    .for('update');
  return rows[0];
}

export async function lockOrder(tx: Tx, id: string): Promise<OrderRow | undefined> {
  return (await tx.db.select().from(orders).where(eq(orders.id, id)).for('update'))[0];
}

export async function loadLines(tx: Pick<Tx, 'db'>, orderId: string): Promise<OrderLineRow[]> {
  return tx.db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(orderLines.lineNo);
}
