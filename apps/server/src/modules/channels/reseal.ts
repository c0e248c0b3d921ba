import type { SqlExecutor } from '../../platform/db.ts';
import { resealValue, type SealedStore } from '../../platform/keys.ts';

const kid = `split_part(credentials_enc, '.', 2)`;

/** Channel accounts' sealed credentials, for `orderhub keys rotate` (a retired key must not strand them). */
export const channelsSealedData: readonly SealedStore[] = [
  {
    name: 'channel account credentials',
    pending: async (db: SqlExecutor, keyId: string) =>
      Number(
        (
          await db.query<{ n: string | number }>(
            `SELECT count(*) AS n FROM channel_accounts WHERE credentials_enc IS NOT NULL AND ${kid} <> $1`,
            [keyId],
          )
        )[0]?.n ?? 0,
      ),
    reseal: async (tx, crypto, afterId, limit) => {
      const rows = await tx.query<{ id: string; code: string; credentials_enc: string }>(
        `SELECT id, code, credentials_enc FROM channel_accounts
          WHERE id > $2 AND credentials_enc IS NOT NULL AND ${kid} <> $1 ORDER BY id LIMIT $3 FOR UPDATE`,
        [crypto.keyId, afterId ?? '', limit],
      );
      if (!rows.length) return { lastId: null, resealed: 0 };
      for (const r of rows)
        await tx.query(`UPDATE channel_accounts SET credentials_enc = $2 WHERE id = $1`, [
          r.id,
          resealValue(crypto, r.credentials_enc, `channel account ${r.code}`),
        ]);
      return { lastId: rows.at(-1)!.id, resealed: rows.length };
    },
    keyIds: async (db) =>
      (
        await db.query<{ k: string | null }>(
          `SELECT DISTINCT ${kid} AS k FROM channel_accounts WHERE credentials_enc IS NOT NULL`,
        )
      )
        .map((r) => r.k)
        .filter((k): k is string => Boolean(k)),
  },
];
