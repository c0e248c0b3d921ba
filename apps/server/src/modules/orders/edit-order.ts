import type { ReceiverEdit } from '@orderhub/contracts';
import { eq } from 'drizzle-orm';
import type { Actor } from '../../platform/actor.ts';
import { actorLabel } from '../../platform/actor.ts';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { Tx } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { maskAddress, maskName, maskPhone, normalisePhone } from '../../platform/pii.ts';
import { recordAudit } from '../audit/index.ts';
import { emitOrderEvent } from './events.ts';
import { assertEditable } from './machine.ts';
import { nameIndex, phoneIndex, phoneLast4Index } from './normalise.ts';
import * as schema from './schema.ts';
import { receiverFingerprint } from './source-merge.ts';
import { lockOrder, type OrderRow } from './store.ts';
import { appendTimeline } from './timeline.ts';

/** The order under its row lock, at the version the caller saw, in a status that may be edited. */
export async function lockForEdit(tx: Tx, orderId: string, version: number): Promise<OrderRow> {
  const order = await lockOrder(tx, orderId);
  if (!order) throw new DomainError('ORDER_NOT_FOUND', `no order ${orderId}`);
  if (version !== order.version)
    throw new DomainError(
      'ORDER_VERSION_CONFLICT',
      `the order changed since you saw it (version ${version}, now ${order.version}); reload and try again`,
      { currentVersion: order.version, status: order.status },
    );
  assertEditable(order.status);
  return order;
}

export interface ReceiverChange {
  orderId: string;
  version: number;
  receiver: ReceiverEdit;
  reason?: string | undefined;
}

const FIELDS = ['name', 'phone', 'province', 'city', 'district', 'detail', 'postalCode'] as const;
type Field = (typeof FIELDS)[number];
type Plain = Record<Field, string | null> & { country: string };

/** Trims what staff typed and refuses an address the carrier could not deliver to. */
function cleanReceiver(r: ReceiverEdit): Plain {
  const t = (v: string | undefined) => v?.trim() || null;
  const country = (r.country ?? 'CN').toUpperCase();
  const plain: Plain = {
    name: t(r.name),
    phone: null,
    country,
    province: t(r.province),
    city: t(r.city),
    district: t(r.district),
    detail: t(r.detail),
    postalCode: t(r.postalCode),
  };
  for (const f of ['name', 'province', 'city', 'detail'] as const)
    if (!plain[f]) throw new DomainError('ORDER_ADDRESS_INCOMPLETE', `receiver.${f} is empty`, { field: f });
  const phone = r.phone.includes('*') ? null : normalisePhone(r.phone, country);
  if (!phone?.e164)
    throw new DomainError('PHONE_INVALID', `receiver.phone is not a valid phone number for ${country}`, {
      field: 'receiver.phone',
    });
  plain.phone = phone.value;
  return plain;
}

/**
 * Changes the receiver of an order not yet approved, in the caller's transaction: the new name,
 * phone and address sealed like ingest seals them, the search hashes (phone, its last four, name)
 * recomputed, the receiver before kept sealed in `order_receiver_history`, and a timeline entry
 * naming each changed field masked (the console says it in words). A change that changes nothing
 * writes nothing. The platform's receiver reference is dropped: it names the receiver before.
 */
export async function changeReceiver(
  tx: Tx,
  deps: { jobs: Jobs; crypto: FieldCrypto },
  at: Date,
  actor: Actor,
  input: ReceiverChange,
): Promise<OrderRow> {
  const plain = cleanReceiver(input.receiver);
  const order = await lockForEdit(tx, input.orderId, input.version);
  const { crypto } = deps;
  const open = (v: string | null) => (v ? crypto.openOr(v, () => null) : null);
  const before: Plain = {
    name: open(order.receiverNameEnc),
    phone: open(order.receiverPhoneEnc),
    country: order.receiverCountry,
    province: order.receiverProvince,
    city: order.receiverCity,
    district: order.receiverDistrict,
    detail: open(order.receiverDetailEnc),
    postalCode: order.receiverPostalCode,
  };
  const changed = FIELDS.filter((f) => before[f] !== plain[f]);
  if (changed.length === 0 && before.country === plain.country) return order;

  await tx.db.insert(schema.orderReceiverHistory).values({
    id: newId('receiverHistory'),
    orderId: order.id,
    at,
    replacedBy: actorLabel(actor),
    receiverNameEnc: order.receiverNameEnc,
    receiverPhoneEnc: order.receiverPhoneEnc,
    receiverCountry: order.receiverCountry,
    receiverProvince: order.receiverProvince,
    receiverCity: order.receiverCity,
    receiverDistrict: order.receiverDistrict,
    receiverDetailEnc: order.receiverDetailEnc,
    receiverPostalCode: order.receiverPostalCode,
  });
  const rows = await tx.db
    .update(schema.orders)
    .set({
      receiverNameEnc: crypto.encrypt(plain.name!),
      receiverPhoneEnc: crypto.encrypt(plain.phone!),
      receiverPhoneIdx: phoneIndex(crypto, plain.phone!, plain.country),
      receiverPhoneLast4Idx: phoneLast4Index(crypto, plain.phone!),
      receiverNameIdx: nameIndex(crypto, plain.name!),
      receiverCountry: plain.country,
      receiverProvince: plain.province,
      receiverCity: plain.city,
      receiverDistrict: plain.district,
      receiverDetailEnc: crypto.encrypt(plain.detail!),
      receiverPostalCode: plain.postalCode,
      receiverPlatformRef: null,
      // The channel's receiver this edit departs from (kept from the first edit since its last
      // version): a newer version still carrying it keeps this edit (source-merge.ts).
      receiverEditedFrom:
        order.receiverEditedFrom ?? receiverFingerprint(crypto, before, order.receiverPlatformRef),
      version: order.version + 1,
      updatedAt: at,
    })
    .where(eq(schema.orders.id, order.id))
    .returning();
  const updated = rows[0]!;
  const masked = (f: Field, v: string | null) =>
    v === null
      ? null
      : f === 'name'
        ? maskName(v)
        : f === 'phone'
          ? maskPhone(v)
          : f === 'detail'
            ? maskAddress(v)
            : v;
  // Personal fields are written masked, as the order view shows them; the history table keeps them sealed.
  const receiver = Object.fromEntries(
    changed.map((f) => [f, { from: masked(f, before[f]), to: masked(f, plain[f]) }]),
  );
  await appendTimeline(tx, at, actor, {
    orderId: order.id,
    event: 'receiver_changed',
    fromStatus: order.status,
    toStatus: order.status,
    note: input.reason?.trim() || null,
    details: { receiver },
  });
  await recordAudit(tx, at, actor, {
    action: 'order.receiver_changed',
    entityType: 'order',
    entityId: order.id,
    summary: { fields: changed, reason: input.reason?.trim() || null, version: updated.version },
  });
  await emitOrderEvent(tx, deps.jobs, {
    type: 'order.updated',
    orderId: order.id,
    version: updated.version,
    status: updated.status,
    at: at.toISOString(),
    event: 'receiver_changed',
  });
  return updated;
}
