import type { SqlExecutor } from '../../platform/db.ts';
import { resealValue, type SealedStore } from '../../platform/keys.ts';

const kid = `split_part(settings_enc, '.', 2)`;

/** Payment accounts' sealed settings, for `orderhub keys rotate` (a retired key must not strand them). */
export const paymentsSealedData: readonly SealedStore[] = [
  {
    name: 'payment accounts',
    pending: async (db: SqlExecutor, keyId: string) =>
      Number(
        (
          await db.query<{ n: string | number }>(
            `SELECT count(*) AS n FROM payment_accounts WHERE ${kid} <> $1`,
            [keyId],
          )
        )[0]?.n ?? 0,
      ),
    reseal: async (tx, crypto, afterId, limit) => {
      const rows = await tx.query<{ id: string; code: string; settings_enc: string }>(
        `SELECT id, code, settings_enc FROM payment_accounts WHERE id > $2 AND ${kid} <> $1 ORDER BY id LIMIT $3 FOR UPDATE`,
        [crypto.keyId, afterId ?? '', limit],
      );
      if (!rows.length) return { lastId: null, resealed: 0 };
      for (const r of rows)
        await tx.query(`UPDATE payment_accounts SET settings_enc = $2 WHERE id = $1`, [
          r.id,
          resealValue(crypto, r.settings_enc, `payment account ${r.code}`),
        ]);
      return { lastId: rows.at(-1)!.id, resealed: rows.length };
    },
    keyIds: async (db) =>
      (await db.query<{ k: string | null }>(`SELECT DISTINCT ${kid} AS k FROM payment_accounts`))
        .map((r) => r.k)
        .filter((k): k is string => Boolean(k)),
  },
];
