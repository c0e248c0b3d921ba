import type { ReceiverHistoryView } from '@orderhub/contracts';
import type { FieldCrypto } from '../../platform/crypto.ts';
import type { DbReader, SqlExecutor, Tx } from '../../platform/db.ts';
import { resealValue, type SealedStore } from '../../platform/keys.ts';
import { maskAddress, maskName, maskPhone } from '../../platform/pii.ts';

type HistoryRow = {
  id: string;
  at: Date | string;
  replaced_by: string;
  receiver_name_enc: string | null;
  receiver_phone_enc: string | null;
  receiver_country: string;
  receiver_province: string | null;
  receiver_city: string | null;
  receiver_district: string | null;
  receiver_detail_enc: string | null;
  receiver_postal_code: string | null;
};

/**
 * The receivers an order had before each address edit, newest first, masked as the order view
 * masks the current one; in clear only with `reveal` (the route checks pii:read and audits it).
 */
export async function receiverHistory(
  exec: DbReader,
  crypto: FieldCrypto,
  orderId: string,
  reveal: boolean,
): Promise<ReceiverHistoryView> {
  const rows = await exec.query<HistoryRow>(
    `SELECT * FROM order_receiver_history WHERE order_id = $1 ORDER BY at DESC, id DESC`,
    [orderId],
  );
  const open = (sealed: string | null, mask: (s: string) => string) => {
    if (!sealed) return null;
    const plain = crypto.openOr(sealed, (p) =>
      p.reason === 'key-missing' ? `unreadable: key ${p.keyId} missing` : 'unreadable: damaged',
    );
    return reveal || plain.startsWith('unreadable:') ? plain : mask(plain);
  };
  return {
    items: rows.map((r) => ({
      id: r.id,
      at: new Date(r.at).toISOString(),
      replacedBy: r.replaced_by,
      receiver: {
        name: open(r.receiver_name_enc, maskName),
        phone: open(r.receiver_phone_enc, maskPhone),
        country: r.receiver_country,
        province: r.receiver_province,
        city: r.receiver_city,
        district: r.receiver_district,
        detail: open(r.receiver_detail_enc, maskAddress),
        postalCode: r.receiver_postal_code,
        platformRef: null,
        masked: !reveal,
      },
    })),
  };
}

const kid = (col: string) => `split_part(${col}, '.', 2)`;
const NEEDS_RESEAL = `(${kid('receiver_name_enc')} <> $1 OR ${kid('receiver_phone_enc')} <> $1 OR ${kid('receiver_detail_enc')} <> $1)`;

/** Re-seals up to `limit` kept receivers after `afterId` sealed under another key. */
async function resealHistory(
  tx: Tx,
  crypto: FieldCrypto,
  afterId: string | null,
  limit: number,
): Promise<{ lastId: string | null; resealed: number }> {
  const rows = await tx.query<{ id: string; n: string | null; p: string | null; d: string | null }>(
    `SELECT id, receiver_name_enc AS n, receiver_phone_enc AS p, receiver_detail_enc AS d
       FROM order_receiver_history WHERE id > $2 AND ${NEEDS_RESEAL} ORDER BY id LIMIT $3 FOR UPDATE`,
    [crypto.keyId, afterId ?? '', limit],
  );
  if (!rows.length) return { lastId: null, resealed: 0 };
  const re = (v: string | null, id: string) => (v ? resealValue(crypto, v, `receiver history ${id}`) : null);
  await tx.query(
    `UPDATE order_receiver_history h SET receiver_name_enc = u.n, receiver_phone_enc = u.p, receiver_detail_enc = u.d
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(id, n, p, d) WHERE h.id = u.id`,
    [
      rows.map((r) => r.id),
      rows.map((r) => re(r.n, r.id)),
      rows.map((r) => re(r.p, r.id)),
      rows.map((r) => re(r.d, r.id)),
    ],
  );
  return { lastId: rows.at(-1)!.id, resealed: rows.length };
}

async function count(db: SqlExecutor, keyId: string): Promise<number> {
  const r = await db.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM order_receiver_history WHERE ${NEEDS_RESEAL}`,
    [keyId],
  );
  return Number(r[0]?.n ?? 0);
}

/** For `orderhub keys rotate`: receivers kept from before address edits. */
export const receiverHistorySealedData: SealedStore = {
  name: 'order receiver history',
  pending: count,
  reseal: resealHistory,
  keyIds: async (db) =>
    (
      await db.query<{ k: string | null }>(
        `SELECT DISTINCT k FROM order_receiver_history, LATERAL (VALUES (${kid('receiver_name_enc')}), (${kid('receiver_phone_enc')}), (${kid('receiver_detail_enc')})) AS v(k)`,
      )
    )
      .map((r) => r.k)
      .filter((k): k is string => Boolean(k)),
};
