import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { Tx } from '../../platform/db.ts';
import { newId } from '../../platform/ids.ts';
import type { CanonicalOrder } from './normalise.ts';
import * as schema from './schema.ts';
import type { OrderLineRow, OrderRow } from './store.ts';

/**
 * Staff edits against newer channel versions.
 *
 * Staff change an order's receiver or lines before approval (the buyer phoned, a SKU was wrong).
 * A channel sends a newer version of the same order for many reasons — the buyer paid, a remark, a
 * status — and that version still carries the receiver and lines the channel knows. Taken as it
 * comes, it would silently undo the edit and the parcel would go to the old address.
 *
 * So the first edit of a part since the channel's last version remembers a fingerprint of the
 * channel's value then (`receiver_edited_from`, `lines_edited_from`). A newer version whose value is
 * still that one has not changed it: the staff's edit stays. A version whose value is another one
 * was changed on the channel too (the buyer changed the address there): the channel's value is
 * taken — it is the buyer's latest word and what the platform will check the shipment against —,
 * the staff's receiver is kept in the receiver history, and the order is held `CHANNEL_CHANGED` so
 * that a person looks before it ships. Equal to the staff's own value, both agree: nothing to hold.
 */

const RECEIVER_PURPOSE = 'receiver_version';

interface PlainReceiver {
  name: string | null;
  phone: string | null;
  country: string;
  province: string | null;
  city: string | null;
  district: string | null;
  detail: string | null;
  postalCode: string | null;
}

/** A keyed fingerprint of a receiver (it names a person: never a bare hash). */
export function receiverFingerprint(
  crypto: FieldCrypto,
  r: PlainReceiver,
  platformRef: string | null = null,
): string {
  return crypto.blindIndex(
    RECEIVER_PURPOSE,
    JSON.stringify([
      r.name,
      r.phone,
      r.country,
      r.province,
      r.city,
      r.district,
      r.detail,
      r.postalCode,
      platformRef,
    ]),
  );
}

type LineShape = Pick<
  OrderLineRow,
  'externalLineId' | 'channelSku' | 'sku' | 'quantity' | 'unitPrice' | 'discount'
>;

/** A fingerprint of lines as the channel sent them (no personal data). */
export function linesFingerprint(lines: readonly LineShape[]): string {
  const shape = lines.map((l) => [
    l.externalLineId,
    l.channelSku,
    l.sku,
    l.quantity,
    Number(l.unitPrice),
    Number(l.discount),
  ]);
  return createHash('sha256').update(JSON.stringify(shape)).digest('base64url');
}

/** The order's receiver in clear (null where a field is empty or sealed under a missing key). */
export function storedReceiver(crypto: FieldCrypto, o: OrderRow): PlainReceiver {
  const open = (v: string | null) => (v ? crypto.openOr(v, () => null) : null);
  return {
    name: open(o.receiverNameEnc),
    phone: open(o.receiverPhoneEnc),
    country: o.receiverCountry,
    province: o.receiverProvince,
    city: o.receiverCity,
    district: o.receiverDistrict,
    detail: open(o.receiverDetailEnc),
    postalCode: o.receiverPostalCode,
  };
}

/** The channel's receiver of a canonical order in clear, for its fingerprint. */
function incomingReceiver(crypto: FieldCrypto, o: CanonicalOrder): PlainReceiver {
  const open = (v: string | null) => (v ? crypto.openOr(v, () => null) : null);
  return {
    name: open(o.receiverNameEnc),
    phone: open(o.receiverPhoneEnc),
    country: o.receiverCountry,
    province: o.receiverProvince,
    city: o.receiverCity,
    district: o.receiverDistrict,
    detail: open(o.receiverDetailEnc),
    postalCode: o.receiverPostalCode,
  };
}

export interface SourceMerge {
  /** The version to store: the channel's, with the staff's receiver and/or amounts where kept. */
  order: CanonicalOrder;
  /** False when the staff's lines stay (the caller then leaves the lines as they are). */
  replaceLines: boolean;
  /** Parts where the staff's edit stays because the channel did not change them. */
  kept: ('receiver' | 'lines')[];
  /** Parts changed both in orderhub and on the channel: the channel's value was taken. */
  conflicts: ('receiver' | 'lines')[];
}

/**
 * Decides, for a newer channel version of an order staff edited, which parts keep the edit. Reads
 * nothing and writes nothing for an order nobody edited (both marks null: the usual case).
 */
export async function mergeStaffEdits(
  tx: Tx,
  crypto: FieldCrypto,
  current: OrderRow,
  o: CanonicalOrder,
  replaceLines: boolean,
): Promise<SourceMerge> {
  const result: SourceMerge = { order: o, replaceLines, kept: [], conflicts: [] };
  if (current.receiverEditedFrom === null && current.linesEditedFrom === null) return result;
  let order = o;
  if (current.receiverEditedFrom !== null) {
    const incoming = incomingReceiver(crypto, o);
    if (receiverFingerprint(crypto, incoming, o.receiverPlatformRef) === current.receiverEditedFrom) {
      order = {
        ...order,
        receiverNameEnc: current.receiverNameEnc,
        receiverPhoneEnc: current.receiverPhoneEnc,
        receiverPhoneIdx: current.receiverPhoneIdx,
        receiverPhoneLast4Idx: current.receiverPhoneLast4Idx,
        receiverNameIdx: current.receiverNameIdx,
        receiverCountry: current.receiverCountry,
        receiverProvince: current.receiverProvince,
        receiverCity: current.receiverCity,
        receiverDistrict: current.receiverDistrict,
        receiverDetailEnc: current.receiverDetailEnc,
        receiverPostalCode: current.receiverPostalCode,
        receiverPlatformRef: current.receiverPlatformRef,
      };
      result.kept.push('receiver');
    } else if (
      receiverFingerprint(crypto, incoming) !== receiverFingerprint(crypto, storedReceiver(crypto, current))
    ) {
      result.conflicts.push('receiver');
    }
  }
  if (current.linesEditedFrom !== null && replaceLines) {
    if (linesFingerprint(o.lines) === current.linesEditedFrom) {
      // The channel's lines are those the staff edited away from: the edited lines and the amounts
      // they were priced at stay (shipping and tax still follow the channel).
      const goodsAmount = Number(current.goodsAmount);
      const discount = Number(current.discount);
      order = {
        ...order,
        goodsAmount,
        discount,
        total: goodsAmount + order.shippingFee + order.tax - discount,
      };
      result.replaceLines = false;
      result.kept.push('lines');
    } else {
      const now = await tx.db
        .select()
        .from(schema.orderLines)
        .where(eq(schema.orderLines.orderId, current.id))
        .orderBy(schema.orderLines.lineNo);
      if (linesFingerprint(o.lines) !== linesFingerprint(now)) result.conflicts.push('lines');
    }
  }
  result.order = order;
  return result;
}

/**
 * After a newer channel version was stored: the staff's receiver it replaced goes to the receiver
 * history (replaced by the channel), and the marks of the parts the channel now decides are
 * cleared. Parts kept keep their marks: the channel's value they were edited from is still theirs.
 */
export async function settleStaffEdits(
  tx: Tx,
  at: Date,
  current: OrderRow,
  merge: SourceMerge,
  replacedLines: boolean,
): Promise<void> {
  const clearReceiver = current.receiverEditedFrom !== null && !merge.kept.includes('receiver');
  const clearLines = current.linesEditedFrom !== null && replacedLines && !merge.kept.includes('lines');
  if (!clearReceiver && !clearLines) return;
  if (clearReceiver && merge.conflicts.includes('receiver')) {
    await tx.db.insert(schema.orderReceiverHistory).values({
      id: newId('receiverHistory'),
      orderId: current.id,
      at,
      replacedBy: 'channel',
      receiverNameEnc: current.receiverNameEnc,
      receiverPhoneEnc: current.receiverPhoneEnc,
      receiverCountry: current.receiverCountry,
      receiverProvince: current.receiverProvince,
      receiverCity: current.receiverCity,
      receiverDistrict: current.receiverDistrict,
      receiverDetailEnc: current.receiverDetailEnc,
      receiverPostalCode: current.receiverPostalCode,
    });
  }
  await tx.db
    .update(schema.orders)
    .set({
      ...(clearReceiver ? { receiverEditedFrom: null } : {}),
      ...(clearLines ? { linesEditedFrom: null } : {}),
    })
    .where(eq(schema.orders.id, current.id));
}
