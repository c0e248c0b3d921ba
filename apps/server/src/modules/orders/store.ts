import { asc, eq, getTableColumns, inArray } from 'drizzle-orm';
import type { DbReader, Tx } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import type { CanonicalLine, CanonicalOrder } from './normalise.ts';
import { type OrderNoSettings, orderNoCtes, orderNoDay } from './order-no.ts';
import { orderLines, orders } from './schema.ts';

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
    receiverPhoneLast4Idx: o.receiverPhoneLast4Idx,
    receiverNameIdx: o.receiverNameIdx,
  };
}

/**
 * Inserts the order unless one with the same natural key exists (then returns null, and the caller
 * takes the update path). The status here is only the starting point: later changes are transitions.
 * The order number is allocated in the same statement (order-no.ts), and only for a new order.
 */
export async function insertOrder(
  tx: Tx,
  at: Date,
  accountId: string,
  o: CanonicalOrder,
  numbering: OrderNoSettings,
): Promise<OrderRow | null> {
  // Every column is known here, so the row is built rather than read back: RETURNING * and the
  // query builder cost more per ingest than the insert itself. Keys follow the table's column order.
  const h = headerValues(o);
  const row: OrderRow = {
    id: newId('order'),
    channelAccountId: accountId,
    externalOrderId: o.externalOrderId,
    orderNo: '', // allocated by the insert
    status: o.status,
    holdReason: null,
    version: 1,
    sourceVersion: h.sourceVersion,
    contentHash: h.contentHash,
    currency: h.currency,
    goodsAmount: h.goodsAmount,
    shippingFee: h.shippingFee,
    discount: h.discount,
    tax: h.tax,
    total: h.total,
    placedAt: h.placedAt,
    placedAtRaw: h.placedAtRaw,
    paidAt: h.paidAt,
    paidAtRaw: h.paidAtRaw,
    buyerId: h.buyerId,
    buyerNick: h.buyerNick,
    receiverNameEnc: h.receiverNameEnc,
    receiverPhoneEnc: h.receiverPhoneEnc,
    receiverPhoneIdx: h.receiverPhoneIdx,
    receiverCountry: h.receiverCountry,
    receiverProvince: h.receiverProvince,
    receiverCity: h.receiverCity,
    receiverDistrict: h.receiverDistrict,
    receiverDetailEnc: h.receiverDetailEnc,
    receiverPostalCode: h.receiverPostalCode,
    receiverPlatformRef: h.receiverPlatformRef,
    buyerRemark: h.buyerRemark,
    sellerRemark: h.sellerRemark,
    tags: h.tags,
    lineCount: h.lineCount,
    createdAt: at,
    updatedAt: at,
    receiverPhoneLast4Idx: h.receiverPhoneLast4Idx,
    receiverNameIdx: h.receiverNameIdx,
    sellerFlag: null,
    receiverEditedFrom: null,
    linesEditedFrom: null,
  };
  const { day, stem } = orderNoDay(at, numbering);
  // Prepared: parsing and planning the order-number CTEs cost more than running them.
  const inserted = await tx.prepared<{ order_no: string }>(INSERT_ORDER_SQL, [
    row.id,
    row.channelAccountId,
    row.externalOrderId,
    row.status,
    row.holdReason,
    row.version,
    row.sourceVersion,
    row.contentHash,
    row.currency,
    row.goodsAmount,
    row.shippingFee,
    row.discount,
    row.tax,
    row.total,
    row.placedAt,
    row.placedAtRaw,
    row.paidAt,
    row.paidAtRaw,
    row.buyerId,
    row.buyerNick,
    row.receiverNameEnc,
    row.receiverPhoneEnc,
    row.receiverPhoneIdx,
    row.receiverCountry,
    row.receiverProvince,
    row.receiverCity,
    row.receiverDistrict,
    row.receiverDetailEnc,
    row.receiverPostalCode,
    row.receiverPlatformRef,
    row.buyerRemark,
    row.sellerRemark,
    row.tags,
    row.lineCount,
    row.createdAt,
    row.updatedAt,
    day,
    stem,
    row.receiverPhoneLast4Idx,
    row.receiverNameIdx,
  ]);
  if (inserted.length === 0) return null;
  row.orderNo = inserted[0]!.order_no;
  await insertLines(tx, row.id, o.lines);
  return row;
}

// INSERT … SELECT (the number comes from a CTE) does not type its parameters from the columns as
// VALUES does, hence the casts.
const INSERT_ORDER_SQL = `WITH ${orderNoCtes({ day: '$37', stem: '$38', account: '$2::text', external: '$3::text' })}
  INSERT INTO orders (id, channel_account_id, external_order_id, status, hold_reason,
  version, source_version, content_hash, currency, goods_amount, shipping_fee, discount, tax, total, placed_at,
  placed_at_raw, paid_at, paid_at_raw, buyer_id, buyer_nick, receiver_name_enc, receiver_phone_enc,
  receiver_phone_idx, receiver_country, receiver_province, receiver_city, receiver_district, receiver_detail_enc,
  receiver_postal_code, receiver_platform_ref, buyer_remark, seller_remark, tags, line_count, created_at,
  updated_at, order_no, receiver_phone_last4_idx, receiver_name_idx)
  SELECT $1::text,$2::text,$3::text,$4::text,$5::text,$6::int,$7::timestamptz,$8::text,$9::text,$10::bigint,
  $11::bigint,$12::bigint,$13::bigint,$14::bigint,$15::timestamptz,$16::text,$17::timestamptz,$18::text,$19::text,
  $20::text,$21::text,$22::text,$23::text,$24::text,$25::text,$26::text,$27::text,$28::text,$29::text,$30::text,
  $31::text,$32::text,$33::text[],$34::int,$35::timestamptz,$36::timestamptz, order_no_alloc.no,
  $39::text, $40::text
  FROM order_no_alloc
  ON CONFLICT (channel_account_id, external_order_id) DO NOTHING RETURNING order_no`;

async function insertLines(tx: Tx, orderId: string, lines: CanonicalLine[]) {
  const params: unknown[] = [];
  const values = lines.map((l) => {
    const at = params.push(
      newId('orderLine'),
      orderId,
      l.lineNo,
      l.externalLineId,
      l.channelSku,
      l.sku,
      l.title,
      l.quantity,
      l.unitPrice,
      l.discount,
    );
    return `($${at - 9},$${at - 8},$${at - 7},$${at - 6},$${at - 5},$${at - 4},$${at - 3},$${at - 2},$${at - 1},$${at})`;
  });
  const text = `INSERT INTO order_lines (id, order_id, line_no, external_line_id, channel_sku, sku, title, quantity, unit_price, discount)
     VALUES ${values.join(',')}`;
  // One text per line count: the usual few are prepared, a long order's goes unprepared rather
  // than take a place in the bounded statement cache.
  await (lines.length <= PREPARED_LINE_COUNTS ? tx.prepared(text, params) : tx.query(text, params));
}

const PREPARED_LINE_COUNTS = 8;

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
  // Nobody reads the answer: it travels with the transaction's next statement (Tx.deferred).
  await tx.deferred.query(
    `INSERT INTO order_raw_payloads (id, order_id, source_version, content_hash, received_at, payload_enc)
     VALUES ($1,$2,$3,$4,$5,$6)`,
    [newId('rawPayload'), orderId, o.sourceVersion, o.contentHash, at, o.rawEnc],
  );
}

/**
 * The order's columns as drizzle maps them (name in SQL, key in `OrderRow`, the column's own
 * reading of a driver value): hand-written statements on the hot paths answer the same rows the
 * query builder would.
 */
const ORDER_COLUMNS = Object.entries(getTableColumns(orders)).map(([key, column]) => ({
  key,
  name: column.name,
  column,
}));
const ORDER_SELECT = ORDER_COLUMNS.map((c) => `"${c.name}"`).join(', ');

function orderOf(r: Record<string, unknown>): OrderRow {
  const row: Record<string, unknown> = {};
  for (const { key, name, column } of ORDER_COLUMNS) {
    const v = r[name];
    row[key] = v === null || v === undefined ? null : column.mapFromDriverValue(v);
  }
  return row as OrderRow;
}

const LOCK_BY_KEY = `SELECT ${ORDER_SELECT} FROM orders WHERE channel_account_id = $1 AND external_order_id = $2 FOR UPDATE`;
const LOCK_BY_ID = `SELECT ${ORDER_SELECT} FROM orders WHERE id = $1 FOR UPDATE`;

/** Locks the order by its natural key (a prepared statement: a payment callback and an ingest take it). */
export async function lockOrderByKey(
  tx: Tx,
  accountId: string,
  externalOrderId: string,
): Promise<OrderRow | undefined> {
  const r = (await tx.prepared(LOCK_BY_KEY, [accountId, externalOrderId]))[0];
  return r ? orderOf(r) : undefined;
}

const LOCK_BY_KEYS = `SELECT ${ORDER_SELECT} FROM orders
  WHERE (channel_account_id, external_order_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
  ORDER BY id FOR UPDATE`;

/**
 * Locks several orders by their natural keys in one statement, in the order of their ids (rows
 * are locked as sorted, so two such statements never wait on each other in a circle). Answers
 * the orders found, in id order.
 */
export async function lockOrdersByKeys(
  tx: Tx,
  keys: readonly { accountId: string; externalOrderId: string }[],
): Promise<OrderRow[]> {
  if (keys.length === 0) return [];
  const rows = await tx.prepared(LOCK_BY_KEYS, [
    keys.map((k) => k.accountId),
    keys.map((k) => k.externalOrderId),
  ]);
  return rows.map(orderOf);
}

/**
 * Locks the order by id. Usually the transaction's first statement: sent as a query (with BEGIN,
 * in one round trip) rather than prepared.
 */
export async function lockOrder(tx: Tx, id: string): Promise<OrderRow | undefined> {
  const r = (await tx.query(LOCK_BY_ID, [id]))[0];
  return r ? orderOf(r) : undefined;
}

const SET_STATUS = `UPDATE orders SET status = $2, hold_reason = $3, paid_at = $4, version = $5, updated_at = $6 WHERE id = $1`;

/**
 * A transition's change of the order it holds locked, and the row as it now is. Nobody reads the
 * statement's answer: it goes through `Tx.deferred` and travels with the transaction's next
 * statement or its COMMIT (any later read in the transaction is sent after it, so sees it). The
 * row is the locked one with the columns the statement sets, so no RETURNING is needed.
 */
export async function setOrderStatus(
  tx: Pick<Tx, 'deferred'>,
  order: OrderRow,
  change: Pick<OrderRow, 'status' | 'holdReason' | 'paidAt' | 'version' | 'updatedAt'>,
): Promise<OrderRow> {
  await tx.deferred.query(SET_STATUS, [
    order.id,
    change.status,
    change.holdReason,
    change.paidAt,
    change.version,
    change.updatedAt,
  ]);
  return { ...order, ...change };
}

export async function loadLines(tx: Pick<Tx, 'db'>, orderId: string): Promise<OrderLineRow[]> {
  return tx.db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(orderLines.lineNo);
}

/** The lines of many orders in one query (a page of a list or an export), by order id, in line order. */
export async function loadLinesOf(
  exec: Pick<DbReader, 'db'>,
  orderIds: readonly string[],
): Promise<Map<string, OrderLineRow[]>> {
  const byOrder = new Map<string, OrderLineRow[]>(orderIds.map((id) => [id, []]));
  if (!orderIds.length) return byOrder;
  const rows = await exec.db
    .select()
    .from(orderLines)
    .where(inArray(orderLines.orderId, [...orderIds]))
    .orderBy(asc(orderLines.orderId), asc(orderLines.lineNo));
  for (const l of rows) byOrder.get(l.orderId)?.push(l);
  return byOrder;
}
