import type { FieldCrypto } from '../../platform/crypto.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { resealValue, type SealedStore } from '../../platform/keys.ts';
import { nameIndex, phoneIndex, phoneLast4Index } from './normalise.ts';
import { receiverHistorySealedData } from './receiver-history.ts';

/** A sealed column's key id (`v1.<key id>.…`); NULL for NULL. */
const kid = (col: string) => `split_part(${col}, '.', 2)`;

const ORDER_NEEDS_RESEAL = `(${kid('receiver_name_enc')} <> $1 OR ${kid('receiver_phone_enc')} <> $1 OR ${kid('receiver_detail_enc')} <> $1)`;

/**
 * Re-seals the receiver's name, phone and address of up to `limit` orders after `afterId` that hold
 * one under another key, and recomputes the blind indexes (phone, its last four, name): they are keyed by the master key too,
 * so without this an order sealed under the earlier key could not be found by phone.
 * The order's version is not bumped: nothing a reader sees has changed.
 */
export async function resealOrders(
  tx: Tx,
  crypto: FieldCrypto,
  afterId: string | null,
  limit: number,
): Promise<{ lastId: string | null; resealed: number }> {
  const rows = await tx.query<{
    id: string;
    receiver_name_enc: string | null;
    receiver_phone_enc: string | null;
    receiver_detail_enc: string | null;
  }>(
    `SELECT id, receiver_name_enc, receiver_phone_enc, receiver_detail_enc FROM orders
      WHERE id > $2 AND ${ORDER_NEEDS_RESEAL} ORDER BY id LIMIT $3 FOR UPDATE`,
    [crypto.keyId, afterId ?? '', limit],
  );
  if (!rows.length) return { lastId: null, resealed: 0 };
  const cols: (string | null)[][] = [[], [], [], [], [], [], []];
  for (const r of rows) {
    const where = `order ${r.id}`;
    const phone = r.receiver_phone_enc ? resealValue(crypto, r.receiver_phone_enc, where) : null;
    const name = r.receiver_name_enc ? resealValue(crypto, r.receiver_name_enc, where) : null;
    const phoneText = phone ? crypto.decrypt(phone) : null;
    cols[0]!.push(r.id);
    cols[1]!.push(name);
    cols[2]!.push(phone);
    cols[3]!.push(r.receiver_detail_enc ? resealValue(crypto, r.receiver_detail_enc, where) : null);
    cols[4]!.push(phoneText ? phoneIndex(crypto, phoneText) : null);
    cols[5]!.push(phoneText ? phoneLast4Index(crypto, phoneText) : null);
    cols[6]!.push(name ? nameIndex(crypto, crypto.decrypt(name)) : null);
  }
  await tx.query(
    `UPDATE orders o SET receiver_name_enc = u.n, receiver_phone_enc = u.p, receiver_detail_enc = u.d,
            receiver_phone_idx = u.i, receiver_phone_last4_idx = u.l4, receiver_name_idx = u.ni
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS u(id, n, p, d, i, l4, ni)
      WHERE o.id = u.id`,
    cols,
  );
  return { lastId: rows.at(-1)!.id, resealed: rows.length };
}

/** Re-seals up to `limit` raw payloads after `afterId` that are sealed under another key. */
export async function resealRawPayloads(
  tx: Tx,
  crypto: FieldCrypto,
  afterId: string | null,
  limit: number,
): Promise<{ lastId: string | null; resealed: number }> {
  const rows = await tx.query<{ id: string; order_id: string; payload_enc: string }>(
    `SELECT id, order_id, payload_enc FROM order_raw_payloads
      WHERE id > $2 AND ${kid('payload_enc')} <> $1 ORDER BY id LIMIT $3 FOR UPDATE`,
    [crypto.keyId, afterId ?? '', limit],
  );
  if (!rows.length) return { lastId: null, resealed: 0 };
  const sealed = rows.map((r) => resealValue(crypto, r.payload_enc, `a raw payload of order ${r.order_id}`));
  await tx.query(
    `UPDATE order_raw_payloads p SET payload_enc = u.s
       FROM unnest($1::text[], $2::text[]) AS u(id, s) WHERE p.id = u.id`,
    [rows.map((r) => r.id), sealed],
  );
  return { lastId: rows.at(-1)!.id, resealed: rows.length };
}

async function count(db: SqlExecutor, sql: string, keyId: string): Promise<number> {
  const r = await db.query<{ n: string | number }>(sql, [keyId]);
  return Number(r[0]?.n ?? 0);
}

async function keyIdsOf(db: SqlExecutor, sql: string): Promise<string[]> {
  const rows = await db.query<{ k: string | null }>(sql);
  return rows.map((r) => r.k).filter((k): k is string => Boolean(k));
}

/** The orders module's sealed data, for `orderhub keys rotate`. */
export const ordersSealedData: readonly SealedStore[] = [
  {
    name: 'orders',
    pending: (db, keyId) => count(db, `SELECT count(*) AS n FROM orders WHERE ${ORDER_NEEDS_RESEAL}`, keyId),
    reseal: resealOrders,
    keyIds: (db) =>
      keyIdsOf(
        db,
        `SELECT DISTINCT k FROM orders, LATERAL (VALUES (${kid('receiver_name_enc')}), (${kid('receiver_phone_enc')}), (${kid('receiver_detail_enc')})) AS v(k)`,
      ),
  },
  {
    name: 'order raw payloads',
    pending: (db, keyId) =>
      count(db, `SELECT count(*) AS n FROM order_raw_payloads WHERE ${kid('payload_enc')} <> $1`, keyId),
    reseal: resealRawPayloads,
    keyIds: (db) => keyIdsOf(db, `SELECT DISTINCT ${kid('payload_enc')} AS k FROM order_raw_payloads`),
  },
  receiverHistorySealedData,
];

/**
 * Fills the search hashes (phone's last four, receiver name) of orders stored before they existed,
 * `batch` orders per transaction. Runs at start; on a fresh or current database it is one query.
 */
export async function backfillSearchIndexes(
  db: { tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> },
  crypto: FieldCrypto,
  batch = 1000,
): Promise<number> {
  let done = 0;
  let after = '';
  for (;;) {
    const n = await db.tx(async (tx) => {
      const rows = await tx.query<{ id: string; n: string | null; p: string | null }>(
        `SELECT id, receiver_name_enc AS n, receiver_phone_enc AS p FROM orders
          WHERE id > $1 AND ((receiver_name_enc IS NOT NULL AND receiver_name_idx IS NULL)
             OR (receiver_phone_enc IS NOT NULL AND receiver_phone_last4_idx IS NULL))
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [after, batch],
      );
      if (!rows.length) return 0;
      const open = (v: string | null) => {
        if (!v) return null;
        try {
          return crypto.decrypt(v);
        } catch {
          return null; // sealed under a key this server lacks: `orderhub keys status` tells
        }
      };
      const ids: string[] = [];
      const l4: (string | null)[] = [];
      const ni: (string | null)[] = [];
      for (const r of rows) {
        const phone = open(r.p);
        const name = open(r.n);
        ids.push(r.id);
        l4.push(phone ? phoneLast4Index(crypto, phone) : null);
        ni.push(name ? nameIndex(crypto, name) : null);
      }
      await tx.query(
        `UPDATE orders o SET receiver_phone_last4_idx = COALESCE(u.l4, o.receiver_phone_last4_idx),
                receiver_name_idx = COALESCE(u.ni, o.receiver_name_idx)
           FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, l4, ni) WHERE o.id = u.id`,
        [ids, l4, ni],
      );
      after = rows.at(-1)!.id;
      return rows.length;
    });
    if (!n) return done;
    done += n;
  }
}
