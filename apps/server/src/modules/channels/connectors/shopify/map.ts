import { Decimal } from 'decimal.js';
import { allocateLargestRemainder, minorUnitDigits } from '../../../../platform/money.ts';
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

/** A Shopify decimal string (major units of `currency`) → integer minor units, exactly. */
export function toMinor(amount: unknown, currency: string, what: string): number {
  if (amount === undefined || amount === null || amount === '') return 0;
  if (typeof amount !== 'string' && typeof amount !== 'number')
    throw bad(`${what}: amount ${JSON.stringify(amount)} is not a decimal`);
  let d: Decimal;
  try {
    d = new Decimal(String(amount).trim());
  } catch {
    throw bad(`${what}: "${amount}" is not a decimal amount`);
  }
  const m = d.times(new Decimal(10).pow(minorUnitDigits(currency)));
  if (!m.isInteger() || m.isNegative() || !m.lte(Number.MAX_SAFE_INTEGER))
    throw bad(`${what}: "${amount}" is not a whole number of ${currency} minor units`);
  return m.toNumber();
}

/** The shop-currency amount of a `*_set` field, falling back to the plain field. */
function shopMoney(o: Json, field: string, currency: string, what: string): number {
  const set = obj(o[`${field}_set`]);
  const shop = obj(set.shop_money);
  if (shop.amount !== undefined) {
    if (shop.currency_code !== undefined && shop.currency_code !== currency)
      throw bad(`${what}: shop money in ${String(shop.currency_code)}, order currency ${currency}`);
    return toMinor(shop.amount, currency, what);
  }
  return toMinor(o[field], currency, what);
}

/** ISO 8601 with offset → UTC instant (the raw string is kept beside it). */
export function parseShopifyTime(v: unknown, what: string): Date {
  if (
    typeof v !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)
  )
    throw bad(`${what} ${JSON.stringify(v)} is not an ISO 8601 time with an offset`);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw bad(`${what} "${v}" is not a valid time`);
  return d;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/**
 * Shopify REST order → canonical order. Goods are the lines at their unit price; each line's
 * discount is its `discount_allocations` (order-level codes included, as Shopify allocates them);
 * shipping is net of shipping discounts; tax is on top unless `taxes_included`. What the lines do
 * not explain of `total_price` is allocated over the lines by largest remainder; a total above
 * goods + shipping + tax cannot be explained and is refused.
 */
export function mapShopifyOrder(raw: unknown): ChannelOrder {
  const o = obj(raw);
  const id = str(o.id);
  if (!id || !/^\d+$/.test(id)) throw bad(`order id ${JSON.stringify(o.id)} is not a Shopify id`);
  const currency = str(o.currency);
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw bad(`order ${id}: currency ${String(o.currency)}`);
  try {
    minorUnitDigits(currency);
  } catch {
    throw bad(`order ${id}: unknown currency ${currency}`);
  }
  const createdRaw = str(o.created_at);
  const updatedRaw = str(o.updated_at);
  const placedAt = parseShopifyTime(createdRaw, `order ${id} created_at`);
  const modifiedAt = parseShopifyTime(updatedRaw, `order ${id} updated_at`);
  const processedRaw = str(o.processed_at);

  const items = arr(o.line_items);
  if (items.length === 0) throw bad(`order ${id} has no line items`);
  const lines = items.map((li, i) => {
    const lineId = str(li.id);
    const quantity = li.quantity;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1)
      throw bad(`order ${id} line ${i + 1}: quantity ${JSON.stringify(quantity)}`);
    const sku = str(li.sku)?.trim();
    const variant = str(li.variant_id);
    const channelSku = sku || (variant ? `variant:${variant}` : lineId ? `line:${lineId}` : undefined);
    if (!channelSku) throw bad(`order ${id} line ${i + 1} has neither SKU nor variant`);
    const unitPrice = shopMoney(li, 'price', currency, `order ${id} line ${i + 1} price`);
    const allocations = arr(li.discount_allocations);
    const allocated =
      allocations.length > 0
        ? sum(
            allocations.map((a, j) =>
              shopMoney(a, 'amount', currency, `order ${id} line ${i + 1} discount ${j}`),
            ),
          )
        : shopMoney(li, 'total_discount', currency, `order ${id} line ${i + 1} total_discount`);
    const title = [str(li.title), str(li.variant_title)].filter(Boolean).join(' / ');
    return {
      externalLineId: lineId,
      channelSku,
      title: title ? title.slice(0, 500) : undefined,
      quantity,
      unitPrice,
      allocated,
    };
  });
  const goods = sum(lines.map((l) => l.unitPrice * l.quantity));
  const shippingLines = arr(o.shipping_lines);
  const shippingGross = sum(
    shippingLines.map((s, i) => shopMoney(s, 'price', currency, `order ${id} shipping line ${i + 1}`)),
  );
  const shippingDiscount = sum(
    shippingLines.flatMap((s, i) =>
      arr(s.discount_allocations).map((a) =>
        shopMoney(a, 'amount', currency, `order ${id} shipping line ${i + 1} discount`),
      ),
    ),
  );
  const shippingFee = shippingLines.length
    ? Math.max(0, shippingGross - shippingDiscount)
    : shopMoney(obj(obj(o.total_shipping_price_set).shop_money), 'amount', currency, `order ${id} shipping`);
  const tax = o.taxes_included === true ? 0 : shopMoney(o, 'total_tax', currency, `order ${id} total_tax`);
  const total = shopMoney(o, 'total_price', currency, `order ${id} total_price`);
  const discount = goods + shippingFee + tax - total;
  if (discount < 0)
    throw bad(
      `order ${id}: total_price ${total} exceeds goods ${goods} + shipping ${shippingFee} + tax ${tax} (${currency} minor units)`,
    );
  let shares = lines.map((l) => Math.min(l.allocated, l.unitPrice * l.quantity));
  const explained = sum(shares);
  if (explained > discount) {
    // The lines' allocations say more than the totals do: trust the totals, split them again.
    shares = allocateLargestRemainder(
      discount,
      lines.map((l) => l.unitPrice * l.quantity),
    );
  } else if (explained < discount) {
    const room = lines.map((l, i) => l.unitPrice * l.quantity - shares[i]!);
    if (sum(room) < discount - explained)
      throw bad(`order ${id}: discount ${discount} exceeds the goods amount ${goods}`);
    const extra = allocateLargestRemainder(discount - explained, room);
    // Largest remainder over the room never gives a line more than its room.
    shares = shares.map((s, i) => s + extra[i]!);
  }

  const cancelled = str(o.cancelled_at) !== undefined;
  const financial = str(o.financial_status) ?? 'pending';
  const fulfilment = str(o.fulfillment_status) ?? 'unfulfilled';
  const status: 'pending_payment' | 'paid' | 'cancelled' =
    cancelled || financial === 'voided'
      ? 'cancelled'
      : ['pending', 'authorized', 'expired'].includes(financial)
        ? 'pending_payment'
        : 'paid';
  const paidRaw = status === 'paid' ? (processedRaw ?? createdRaw) : undefined;

  const ship = obj(o.shipping_address);
  const detail = [str(ship.address1), str(ship.address2)].filter(Boolean).join(', ');
  const receiverName =
    str(ship.name) ?? ([str(ship.first_name), str(ship.last_name)].filter(Boolean).join(' ') || undefined);
  const receiver = Object.keys(ship).length
    ? {
        name: receiverName?.slice(0, 100),
        phone: str(ship.phone)?.slice(0, 40),
        country: str(ship.country_code)?.toUpperCase(),
        province: (str(ship.province) ?? str(ship.province_code))?.slice(0, 50),
        city: str(ship.city)?.slice(0, 50),
        detail: detail ? detail.slice(0, 300) : undefined,
        postalCode: str(ship.zip)?.slice(0, 20),
      }
    : undefined;
  const customer = obj(o.customer);
  const customerId = str(customer.id);
  const nick = [str(customer.first_name), str(customer.last_name)].filter(Boolean).join(' ');
  const tags = [
    ...new Set(
      (str(o.tags) ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0 && t.length <= 32),
    ),
  ].slice(0, 20);

  const refunds: ChannelOrder['refunds'] = [];
  for (const r of arr(o.refunds)) {
    const rlis = arr(r.refund_line_items);
    if (rlis.length === 0) refunds.push({ externalLineId: null, status: 'refunded', refundOnly: true });
    for (const rli of rlis)
      refunds.push({
        externalLineId: str(rli.line_item_id) ?? null,
        status: 'refunded',
        refundOnly: rli.restock_type !== 'return',
      });
  }

  const drop = <T extends object>(x: T): T =>
    Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined && v !== '')) as T;
  return {
    externalOrderId: id,
    modifiedAt,
    platformStatus: `${financial}/${fulfilment}${cancelled ? '/cancelled' : ''}`,
    refunds,
    receiverEncrypted: false,
    raw,
    order: drop({
      externalOrderId: id,
      sourceVersion: modifiedAt.toISOString(),
      status,
      currency,
      placedAt: placedAt.toISOString(),
      placedAtRaw: createdRaw,
      paidAt: paidRaw ? parseShopifyTime(paidRaw, `order ${id} processed_at`).toISOString() : undefined,
      paidAtRaw: paidRaw,
      buyer: customerId ? drop({ id: customerId, nick: nick ? nick.slice(0, 128) : undefined }) : undefined,
      receiver: receiver ? drop(receiver) : undefined,
      lines: lines.map((l, i) =>
        drop({
          externalLineId: l.externalLineId,
          channelSku: l.channelSku.slice(0, 128),
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
      buyerRemark: str(o.note)?.slice(0, 1000),
      tags: tags.length ? tags : undefined,
      raw,
    }),
  };
}
