import { createHash } from 'node:crypto';
import type { IngestOrderBody } from '@orderhub/contracts';
import stringify from 'safe-stable-stringify';
import type { FieldCrypto } from '../../platform/crypto.ts';
import { DomainError } from '../../platform/errors.ts';
import { allocateLargestRemainder, assertCurrency } from '../../platform/money.ts';
import { normalisePhone } from '../../platform/pii.ts';
import { parseInstant } from '../../platform/time.ts';

export interface CanonicalLine {
  lineNo: number;
  externalLineId: string | null;
  channelSku: string;
  sku: string | null;
  title: string | null;
  quantity: number;
  unitPrice: number;
  discount: number;
}

/** The order as orderhub stores it: fen, UTC instants, E.164 phones, personal data sealed. */
export interface CanonicalOrder {
  externalOrderId: string;
  status: 'pending_payment' | 'paid' | 'cancelled';
  sourceVersion: Date;
  contentHash: string;
  currency: string;
  goodsAmount: number;
  shippingFee: number;
  discount: number;
  tax: number;
  total: number;
  placedAt: Date;
  placedAtRaw: string | null;
  paidAt: Date | null;
  paidAtRaw: string | null;
  buyerId: string | null;
  buyerNick: string | null;
  receiverNameEnc: string | null;
  receiverPhoneEnc: string | null;
  receiverPhoneIdx: string | null;
  receiverPhoneLast4Idx: string | null;
  receiverNameIdx: string | null;
  receiverCountry: string;
  receiverProvince: string | null;
  receiverCity: string | null;
  receiverDistrict: string | null;
  receiverDetailEnc: string | null;
  receiverPostalCode: string | null;
  receiverPlatformRef: string | null;
  buyerRemark: string | null;
  sellerRemark: string | null;
  tags: string[];
  lines: CanonicalLine[];
  rawEnc: string;
}

export const PHONE_INDEX = 'receiver_phone';

export function phoneIndex(crypto: FieldCrypto, phone: string, country = 'CN'): string | null {
  const n = normalisePhone(phone, country);
  return n?.e164 ? crypto.blindIndex(PHONE_INDEX, n.value) : null;
}

export const PHONE_LAST4_INDEX = 'receiver_phone_last4';
export const NAME_INDEX = 'receiver_name';

/**
 * The keyed hash of a phone's last four digits — of a full number, or of a platform's masked one
 * (`138****5678` keeps `5678`) — or null when it does not end in four digits.
 */
export function phoneLast4Index(crypto: FieldCrypto, phone: string): string | null {
  const m = /(\d{4})\D*$/.exec(phone);
  return m ? crypto.blindIndex(PHONE_LAST4_INDEX, m[1]!) : null;
}

/** A name as staff type it: width-folded (NFKC), case-folded, inner spaces removed. */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/** The keyed hash of a receiver name (exact after normalising), or null for an empty one. */
export function nameIndex(crypto: FieldCrypto, name: string): string | null {
  const n = normaliseName(name);
  return n ? crypto.blindIndex(NAME_INDEX, n) : null;
}

/**
 * Currencies already checked: the check builds an Intl.NumberFormat, which cost more than the rest
 * of normalising. Only real ISO 4217 codes get in, so the set stays small.
 */
const knownCurrencies = new Set<string>();

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function assertSafe(value: number, what: string) {
  if (!Number.isSafeInteger(value)) {
    throw new DomainError(
      'ORDER_AMOUNTS_INCONSISTENT',
      `${what} is beyond what can be counted exactly (2^53 minor units)`,
    );
  }
}

/**
 * Checks and converts an incoming order. Money must add up to the fen: the total is goods +
 * shipping + tax − discount, and the lines' discount shares add up to the discount (left out, the
 * server allocates it over the lines by largest remainder on their amounts).
 */
export function normaliseOrder(
  input: IngestOrderBody,
  crypto: FieldCrypto,
  rawBody: unknown,
): CanonicalOrder {
  if (!knownCurrencies.has(input.currency)) {
    assertCurrency(input.currency);
    knownCurrencies.add(input.currency);
  }
  const placedAt = parseInstant(input.placedAt, 'placedAt');
  const paidAt = input.paidAt ? parseInstant(input.paidAt, 'paidAt') : null;
  const sourceVersion = input.sourceVersion ? parseInstant(input.sourceVersion, 'sourceVersion') : placedAt;
  const status = input.status ?? (paidAt ? 'paid' : 'pending_payment');
  if (status === 'paid' && !paidAt) {
    throw new DomainError('VALIDATION_FAILED', 'a paid order needs paidAt', { field: 'paidAt' });
  }
  const lineGoods = input.lines.map((l, i) => {
    const g = l.unitPrice * l.quantity;
    assertSafe(g, `line ${i + 1} amount`);
    return g;
  });
  // The sums are checked in BigInt: past 2^53 a float sum rounds, and a rounded sum less the
  // discount can land on the total the channel sent although the fen do not add up.
  const goodsExact = lineGoods.reduce((a, g) => a + BigInt(g), 0n);
  const goodsAmount = Number(goodsExact);
  assertSafe(goodsAmount, 'the goods amount');
  const discount = input.discount ?? 0;
  const shippingFee = input.shippingFee ?? 0;
  const tax = input.tax ?? 0;
  const exactTotal = goodsExact + BigInt(shippingFee) + BigInt(tax) - BigInt(discount);
  const expectedTotal = Number(exactTotal);
  assertSafe(expectedTotal, 'the total');
  if (exactTotal !== BigInt(input.total)) {
    throw new DomainError(
      'ORDER_AMOUNTS_INCONSISTENT',
      `total ${input.total} ≠ goods ${goodsAmount} + shipping ${shippingFee} + tax ${tax} − discount ${discount} = ${expectedTotal}`,
      { goodsAmount, shippingFee, tax, discount, total: input.total, expectedTotal },
    );
  }
  const given = input.lines.map((l) => l.discount);
  let shares: number[];
  if (given.every((d) => d === undefined)) {
    if (discount > goodsAmount) {
      throw new DomainError(
        'ORDER_AMOUNTS_INCONSISTENT',
        `discount ${discount} exceeds the goods amount ${goodsAmount}`,
      );
    }
    shares = allocateLargestRemainder(discount, lineGoods);
  } else if (given.every((d) => d !== undefined)) {
    shares = given as number[];
    if (sum(shares) !== discount) {
      throw new DomainError(
        'ORDER_AMOUNTS_INCONSISTENT',
        `the lines' discounts add up to ${sum(shares)}, the order's discount is ${discount}`,
      );
    }
  } else {
    throw new DomainError('ORDER_AMOUNTS_INCONSISTENT', 'give a discount share on every line or on none');
  }
  shares.forEach((d, i) => {
    if (d > (lineGoods[i] ?? 0)) {
      throw new DomainError(
        'ORDER_AMOUNTS_INCONSISTENT',
        `line ${i + 1}: discount ${d} exceeds its amount ${lineGoods[i]}`,
      );
    }
  });

  const r = input.receiver ?? {};
  const country = r.country?.toUpperCase() ?? 'CN';
  let phoneEnc: string | null = null;
  let phoneIdx: string | null = null;
  if (r.phone) {
    const phone = normalisePhone(r.phone, country);
    if (!phone)
      throw new DomainError('PHONE_INVALID', `receiver.phone is not a valid phone number for ${country}`, {
        field: 'receiver.phone',
      });
    phoneEnc = crypto.encrypt(phone.value);
    phoneIdx = phone.e164 ? crypto.blindIndex(PHONE_INDEX, phone.value) : null;
  }
  const { raw: _raw, ...content } = input;
  return {
    externalOrderId: input.externalOrderId,
    status,
    sourceVersion,
    contentHash: createHash('sha256')
      .update(stringify(content) ?? '')
      .digest('base64url'),
    currency: input.currency,
    goodsAmount,
    shippingFee,
    discount,
    tax,
    total: input.total,
    placedAt,
    placedAtRaw: input.placedAtRaw ?? null,
    paidAt,
    paidAtRaw: input.paidAtRaw ?? null,
    buyerId: input.buyer?.id ?? null,
    buyerNick: input.buyer?.nick ?? null,
    receiverNameEnc: r.name ? crypto.encrypt(r.name) : null,
    receiverPhoneEnc: phoneEnc,
    receiverPhoneIdx: phoneIdx,
    receiverPhoneLast4Idx: r.phone ? phoneLast4Index(crypto, r.phone) : null,
    receiverNameIdx: r.name ? nameIndex(crypto, r.name) : null,
    receiverCountry: country,
    receiverProvince: r.province ?? null,
    receiverCity: r.city ?? null,
    receiverDistrict: r.district ?? null,
    receiverDetailEnc: r.detail ? crypto.encrypt(r.detail) : null,
    receiverPostalCode: r.postalCode ?? null,
    receiverPlatformRef: r.platformRef ?? null,
    buyerRemark: input.buyerRemark ?? null,
    sellerRemark: input.sellerRemark ?? null,
    tags: input.tags ?? [],
    lines: input.lines.map((l, i) => ({
      lineNo: i + 1,
      externalLineId: l.externalLineId ?? null,
      channelSku: l.channelSku,
      sku: l.sku ?? null,
      title: l.title ?? null,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: shares[i] ?? 0,
    })),
    rawEnc: crypto.encrypt(JSON.stringify(input.raw ?? rawBody)),
  };
}
