import { allocateLargestRemainder } from '../../../../platform/money.ts';
import { type ChannelOrder, ConnectorError } from '../../connector.ts';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;

function bad(message: string): ConnectorError {
  return new ConnectorError('ORDER_UNMAPPABLE', message, false);
}

/** Douyin amounts are integer fen; a decimal or a string with a point is the wrong unit and refused. */
export function fen(v: unknown, what: string): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw bad(`${what}: ${JSON.stringify(v)} is not a whole number of fen`);
  return n;
}

/**
 * Douyin times: Unix seconds (number or digit string; current API) or a naive Beijing
 * `yyyy-MM-dd HH:mm:ss` (older payloads). Anything else — a string without a known zone — is refused.
 */
export function douyinTime(v: unknown, what: string): { at: Date; raw: string } {
  if (typeof v === 'number' || (typeof v === 'string' && /^\d{9,11}$/.test(v))) {
    const s = Number(v);
    if (!Number.isSafeInteger(s) || s <= 0) throw bad(`${what}: ${JSON.stringify(v)} is not a Unix time`);
    return { at: new Date(s * 1000), raw: String(v) };
  }
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(v) : null;
  if (!m) throw bad(`${what}: ${JSON.stringify(v)} is neither Unix seconds nor a Beijing time string`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (
    local.getUTCMonth() !== mo - 1 ||
    local.getUTCDate() !== d ||
    local.getUTCHours() !== h ||
    mi > 59 ||
    s > 59
  )
    throw bad(`${what}: "${v}" is not a calendar time`);
  // Beijing time: UTC+8 all year.
  return { at: new Date(local.getTime() - 8 * 3600_000), raw: v as string };
}

const optionalTime = (v: unknown, what: string) =>
  v === undefined || v === null || v === 0 || v === '0' || v === '' ? null : douyinTime(v, what);

/** Order statuses (digest A4): 1 unpaid, 105/2 paid, 101 partly shipped, 3 shipped, 5 completed, 4 cancelled. */
const PAID_LIKE = new Set([105, 2, 101, 3, 5]);

function refundOf(sku: Json): ChannelOrder['refunds'][number] | null {
  const info = obj(sku.after_sale_info);
  const refundStatus = Number(info.refund_status ?? 0);
  const afterSaleStatus = Number(info.after_sale_status ?? 0);
  const type = Number(info.after_sale_type ?? -1);
  const lineId = str(sku.order_id) ?? null;
  // after_sale_type 1: refund only (仅退款); 0: return and refund; 2: exchange (UNCONFIRMED codes).
  const refundOnly = type === 1;
  if (refundStatus === 3) return { externalLineId: lineId, status: 'refunded', refundOnly };
  if (
    refundStatus === 1 ||
    refundStatus === 2 ||
    (afterSaleStatus > 0 && afterSaleStatus !== 28 && afterSaleStatus !== 29)
  )
    return { externalLineId: lineId, status: 'requested', refundOnly };
  if (afterSaleStatus === 28 || afterSaleStatus === 29 || refundStatus === 4)
    return { externalLineId: lineId, status: 'closed', refundOnly };
  return null;
}

/**
 * Douyin shop order (order.searchList / order.orderDetail) → canonical order. Goods are the sku
 * orders at `origin_amount` × `item_num`; shipping is `post_amount` (+ `packing_amount`), tax
 * `tax_amount`, total `pay_amount`; the discount is what remains, per line from each sku order's own
 * paid amount and, where those do not add up, by largest remainder. Receiver ciphertext is kept as
 * given (never decrypted here); masked forms fill the readable fields.
 */
export function mapDouyinOrder(raw: unknown): ChannelOrder {
  const o = obj(raw);
  const id = str(o.order_id);
  if (!id || !/^\d{1,24}$/.test(id))
    throw bad(`order_id ${JSON.stringify(o.order_id)} is not a Douyin order id`);
  const created = douyinTime(o.create_time, `order ${id} create_time`);
  const updated = douyinTime(o.update_time, `order ${id} update_time`);
  const paid = optionalTime(o.pay_time, `order ${id} pay_time`);
  const status = Number(o.order_status);
  if (![1, 105, 2, 101, 3, 4, 5].includes(status))
    throw bad(`order ${id}: unknown order_status ${JSON.stringify(o.order_status)}`);

  const skus = arr(o.sku_order_list);
  if (skus.length === 0) throw bad(`order ${id} has no sku orders`);
  const lines = skus.map((s, i) => {
    const quantity = s.item_num;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1)
      throw bad(`order ${id} line ${i + 1}: item_num ${JSON.stringify(quantity)}`);
    const unitPrice = fen(s.origin_amount, `order ${id} line ${i + 1} origin_amount`);
    const code = str(s.code)?.trim() || str(s.out_sku_id)?.trim();
    const skuId = str(s.sku_id);
    const channelSku = code || (skuId ? `sku:${skuId}` : undefined);
    if (!channelSku) throw bad(`order ${id} line ${i + 1} has neither merchant code nor sku id`);
    const specs = arr(s.spec)
      .map((x) => [str(x.name), str(x.value)].filter(Boolean).join(':'))
      .filter(Boolean);
    const title = [str(s.product_name), specs.join(';')].filter(Boolean).join(' ');
    const amount = unitPrice * quantity;
    const linePaid =
      s.pay_amount === undefined ? null : fen(s.pay_amount, `order ${id} line ${i + 1} pay_amount`);
    return {
      externalLineId: str(s.order_id),
      channelSku: channelSku.slice(0, 128),
      title: title ? title.slice(0, 500) : undefined,
      quantity,
      unitPrice,
      own: linePaid === null ? 0 : Math.max(0, amount - linePaid),
      amount,
    };
  });
  const goods = lines.reduce((a, l) => a + l.amount, 0);
  const shippingFee =
    fen(o.post_amount, `order ${id} post_amount`) + fen(o.packing_amount, `order ${id} packing_amount`);
  const tax = fen(o.tax_amount, `order ${id} tax_amount`);
  const total = fen(o.pay_amount, `order ${id} pay_amount`);
  const discount = goods + shippingFee + tax - total;
  if (discount < 0)
    throw bad(
      `order ${id}: pay_amount ${total} fen exceeds goods ${goods} + post ${shippingFee} + tax ${tax}`,
    );
  if (discount > goods) throw bad(`order ${id}: discount ${discount} fen exceeds the goods amount ${goods}`);
  let shares = lines.map((l) => Math.min(l.own, l.amount));
  const explained = shares.reduce((a, b) => a + b, 0);
  if (explained > discount) {
    shares = allocateLargestRemainder(
      discount,
      lines.map((l) => l.amount),
    );
  } else if (explained < discount) {
    const room = lines.map((l, i) => l.amount - shares[i]!);
    const extra = allocateLargestRemainder(discount - explained, room);
    shares = shares.map((s, i) => s + extra[i]!);
  }

  // Receiver: ciphertext (encrypt_*) kept as given; masked forms (mask_*) or plaintext for reading.
  const addr = obj(o.post_addr);
  const maskAddr = obj(o.mask_post_addr);
  const cipher = {
    name: str(o.encrypt_post_receiver),
    tel: str(o.encrypt_post_tel),
    detail: str(addr.encrypt_detail),
  };
  const encrypted = Boolean(cipher.name || cipher.tel || cipher.detail);
  const compact = JSON.stringify(Object.fromEntries(Object.entries(cipher).filter(([, v]) => v)));
  const platformRef = encrypted
    ? compact.length <= 256
      ? compact
      : (cipher.tel ?? cipher.name ?? cipher.detail)!.slice(0, 256)
    : undefined;
  const name = encrypted ? (str(o.mask_post_receiver) ?? str(o.post_receiver)) : str(o.post_receiver);
  const phone = encrypted ? (str(o.mask_post_tel) ?? str(o.post_tel)) : str(o.post_tel);
  const detail = encrypted ? (str(maskAddr.detail) ?? str(addr.detail)) : str(addr.detail);
  const street = str(obj(addr.street).name);
  const receiver = {
    name: name?.slice(0, 100),
    // Only masked (`*`) phones are passed on when encrypted; a cipher never becomes a phone.
    phone: phone && (!encrypted || phone.includes('*')) ? phone.slice(0, 40) : undefined,
    country: 'CN',
    province: str(obj(addr.province).name)?.slice(0, 50),
    city: str(obj(addr.city).name)?.slice(0, 50),
    district: str(obj(addr.town).name)?.slice(0, 50),
    detail: [street, detail].filter(Boolean).join('').slice(0, 300) || undefined,
    platformRef,
  };

  const refunds = skus.map(refundOf).filter((r): r is NonNullable<typeof r> => r !== null);
  const statusCanonical: 'pending_payment' | 'paid' | 'cancelled' =
    status === 4 ? 'cancelled' : PAID_LIKE.has(status) ? 'paid' : 'pending_payment';
  const paidAt = statusCanonical === 'paid' ? (paid ?? created) : paid;
  const drop = <T extends object>(x: T): T =>
    Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined && v !== '')) as T;
  const desc = str(o.order_status_desc);
  const buyerId = str(o.doudian_open_id);
  return {
    externalOrderId: id,
    modifiedAt: updated.at,
    platformStatus: desc ? `${status} ${desc}` : String(status),
    refunds,
    receiverEncrypted: encrypted,
    raw,
    order: drop({
      externalOrderId: id,
      sourceVersion: updated.at.toISOString(),
      status: statusCanonical,
      currency: 'CNY',
      placedAt: created.at.toISOString(),
      placedAtRaw: created.raw,
      paidAt: paidAt?.at.toISOString(),
      paidAtRaw: paidAt?.raw,
      buyer: buyerId ? { id: buyerId.slice(0, 128) } : undefined,
      receiver: drop(receiver),
      lines: lines.map((l, i) =>
        drop({
          externalLineId: l.externalLineId,
          channelSku: l.channelSku,
          title: l.title,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          discount: shares[i]!,
        }),
      ),
      shippingFee,
      discount,
      tax,
      total,
      buyerRemark: str(o.buyer_words)?.slice(0, 1000),
      sellerRemark: str(o.seller_words)?.slice(0, 1000),
      raw,
    }),
  };
}
