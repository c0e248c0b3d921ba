import type { OrderEvent, OrderView } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { FieldCrypto, Unreadable } from '../../platform/crypto.ts';
import type { DomainError } from '../../platform/errors.ts';
import { maskAddress, maskName, maskPhone } from '../../platform/pii.ts';
import { checkGuards, eventsFrom, ORDER_MACHINE } from './machine.ts';
import type { OrderLineRow, OrderRow } from './store.ts';

export interface AccountInfo {
  code: string;
  channel: string;
  /** The shop's name as the merchant named it (what staff read; the code is for integrations). */
  name: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Whoever reads an order view; only its permissions matter here. */
export type Reader = Pick<Actor, 'type' | 'permissions'>;

/**
 * Money on orders is finance data: a reader without `orders:amounts` (warehouse staff) gets null in
 * every money field, so no client can show what the server never sent. Internal (system) readers see all.
 */
export function seesAmounts(reader: Reader): boolean {
  return reader.type === 'system' || reader.permissions.has('orders:amounts');
}

/** Keys that hold money wherever they appear (timeline details, summaries, nested lines). */
const MONEY_KEYS = new Set([
  'total',
  'subtotal',
  'goodsAmount',
  'shippingFee',
  'discount',
  'tax',
  'amount',
  'amounts',
  'unitPrice',
  'price',
  'cost',
  'fee',
]);
/** …and keys beginning with these (paidAmount, refundTotal, …); `paidAt` and the like are instants, kept. */
const MONEY_PREFIXES = ['paid', 'refund'];
const isMoneyKey = (k: string) =>
  MONEY_KEYS.has(k) ||
  (MONEY_PREFIXES.some((p) => k.startsWith(p)) && !k.endsWith('At') && !k.endsWith('AtRaw'));

/**
 * `value` as `reader` may see it: for a reader without `orders:amounts`, every money key is removed
 * at any depth (a timeline's `created` entry carries `total`); others get it unchanged. The one
 * filter for free-form details; typed views null their money fields (orderView, lineView).
 */
export function amountsFor<T>(reader: Reader, value: T): T {
  return seesAmounts(reader) ? value : (withoutMoney(value, 0) as T);
}

function withoutMoney(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32) return null; // deeper than any detail we write: dropped rather than walked unfiltered
  if (Array.isArray(value)) return value.map((v) => withoutMoney(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!isMoneyKey(k)) out[k] = withoutMoney(v, depth + 1);
  return out;
}

/** What a sealed field shows when it cannot be opened. */
const unreadable = (p: Unreadable) => ({
  text: p.reason === 'key-missing' ? `unreadable: key ${p.keyId} missing` : 'unreadable: damaged',
});

/** An order for an API answer. Personal data is masked unless `reveal` (the caller audits reveals). */
export function orderView(
  o: OrderRow,
  account: AccountInfo,
  crypto: FieldCrypto,
  reveal: boolean,
  reader: Reader,
): OrderView {
  const money = seesAmounts(reader) ? (v: number | bigint | string) => Number(v) : () => null;
  const open = (sealed: string | null, mask: (s: string) => string) => {
    if (!sealed) return null;
    // One row sealed under a key this process lacks must not fail a whole list or export.
    const plain = crypto.openOr(sealed, unreadable);
    if (typeof plain !== 'string') return plain.text;
    return reveal ? plain : mask(plain);
  };
  return {
    id: o.id,
    orderNo: o.orderNo,
    channelAccountId: o.channelAccountId,
    channelAccount: account.code,
    channelAccountName: account.name,
    channel: account.channel,
    externalOrderId: o.externalOrderId,
    status: o.status,
    holdReason: o.holdReason,
    version: o.version,
    sourceVersion: o.sourceVersion.toISOString(),
    currency: o.currency,
    goodsAmount: money(o.goodsAmount),
    shippingFee: money(o.shippingFee),
    discount: money(o.discount),
    tax: money(o.tax),
    total: money(o.total),
    placedAt: o.placedAt.toISOString(),
    placedAtRaw: o.placedAtRaw,
    paidAt: iso(o.paidAt),
    paidAtRaw: o.paidAtRaw,
    buyerId: o.buyerId,
    buyerNick: o.buyerNick,
    receiver: {
      name: open(o.receiverNameEnc, maskName),
      phone: open(o.receiverPhoneEnc, maskPhone),
      country: o.receiverCountry,
      province: o.receiverProvince,
      city: o.receiverCity,
      district: o.receiverDistrict,
      detail: open(o.receiverDetailEnc, maskAddress),
      postalCode: o.receiverPostalCode,
      platformRef: o.receiverPlatformRef,
      masked: !reveal,
    },
    buyerRemark: o.buyerRemark,
    sellerRemark: o.sellerRemark,
    tags: o.tags,
    sellerFlag: o.sellerFlag ?? null,
    lineCount: o.lineCount,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

export function lineView(l: OrderLineRow, reader: Reader) {
  const shown = seesAmounts(reader);
  const unitPrice = Number(l.unitPrice);
  const discount = Number(l.discount);
  return {
    id: l.id,
    lineNo: l.lineNo,
    externalLineId: l.externalLineId,
    channelSku: l.channelSku,
    sku: l.sku,
    title: l.title,
    quantity: l.quantity,
    unitPrice: shown ? unitPrice : null,
    discount: shown ? discount : null,
    amount: shown ? unitPrice * l.quantity - discount : null,
    status: l.status,
    gift: l.gift,
  };
}

/**
 * What the actor could do next, and if not, why not: the console shows disabled buttons with the
 * reason. `refusals` are what other modules' guards answered for each event (see get-order.ts).
 */
export function nextEvents(
  o: OrderRow,
  lines: OrderLineRow[],
  actor: Actor,
  refusals: ReadonlyMap<OrderEvent, DomainError> = new Map(),
) {
  return eventsFrom(o.status).map((event: OrderEvent) => {
    const spec = ORDER_MACHINE[event];
    const guard = checkGuards(spec, { lines });
    const permitted = actor.permissions.has(spec.permission);
    const refusal = refusals.get(event);
    const blockedBy = !permitted
      ? {
          code: 'FORBIDDEN',
          message: `your role may not ${event} (needs ${spec.permission})`,
          details: { permission: spec.permission },
        }
      : guard
        ? { code: guard.code, message: `cannot ${event}: ${guard.message}` }
        : refusal
          ? {
              // A failed guard of the kind the order's own table has (SKU_UNMAPPED) is named like them.
              code: guardCode(refusal),
              message: refusal.message,
              ...(refusal.details === undefined ? {} : { details: refusal.details }),
            }
          : null;
    return {
      event,
      to: spec.to,
      allowed: blockedBy === null,
      blockedBy,
      needsReason: spec.reasons ? [...spec.reasons] : null,
    };
  });
}

function guardCode(e: DomainError): string {
  const guard = (e.details as { guard?: unknown } | undefined)?.guard;
  return e.code === 'ORDER_GUARD_FAILED' && typeof guard === 'string' ? guard : e.code;
}
