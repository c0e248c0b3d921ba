import type { SqlExecutor } from '../../platform/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { accountConnection } from './accounts.ts';
import { raiseAlert } from './alerts.ts';
import { ConnectorError, type StockPushResult } from './connector.ts';
import { connectorContext } from './context.ts';
import type { SqlRow } from './settings.ts';
import { CHANNEL_STOCK_DELIVER_QUEUE, type ChannelSettings, channelSettingsOf } from './settings.ts';

/** What inventory hands over: one account's sellable figure for one SKU, taken at `at`. */
export interface WantedStock {
  account: string;
  sku: string;
  available: number;
  at: string;
}

/**
 * Records the newest figure wanted on the channel for (account, SKU) and asks for delivery. A
 * figure taken before the one already recorded is dropped: an older value never replaces a newer.
 * Accounts without a connector or credentials have nothing to deliver to.
 */
export async function recordWantedStock(
  deps: Pick<Deps, 'database' | 'crypto' | 'jobs' | 'clock'>,
  msg: WantedStock,
): Promise<'recorded' | 'stale' | 'no-connector'> {
  const { database } = deps;
  const account = await accountConnection(database, deps.crypto, { code: msg.account });
  if (!account?.active || !account.credentials || !connectorContext(account, deps.clock.now()))
    return 'no-connector';
  const seq = Date.parse(msg.at);
  const at = deps.clock.now();
  return database.tx(async (tx) => {
    const rows = await tx.query(
      `INSERT INTO channel_stock_pushes (account_id, sku, wanted_value, wanted_sequence, wanted_at, status, attempts, next_attempt_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,'pending',0,$6,$6)
       ON CONFLICT (account_id, sku) DO UPDATE SET wanted_value = EXCLUDED.wanted_value,
         wanted_sequence = EXCLUDED.wanted_sequence, wanted_at = EXCLUDED.wanted_at,
         status = 'pending', attempts = 0, next_attempt_at = EXCLUDED.next_attempt_at, updated_at = EXCLUDED.updated_at
       WHERE channel_stock_pushes.wanted_sequence < EXCLUDED.wanted_sequence
       RETURNING sku`,
      [account.id, msg.sku, msg.available, seq, new Date(seq), at],
    );
    if (!rows.length) return 'stale';
    await deps.jobs.send(
      tx,
      CHANNEL_STOCK_DELIVER_QUEUE,
      { accountId: account.id },
      { singletonKey: `stock:${account.id}`, singletonSeconds: 1 },
    );
    return 'recorded';
  });
}

type Due = { sku: string; wanted_value: number; wanted_sequence: number; attempts: number };

const backoffMs = (s: ChannelSettings, attempts: number) =>
  s.stockPushBackoffSeconds * 1000 * 2 ** Math.max(0, attempts - 1);

/**
 * Delivers an account's due figures through its connector, in batches of the platform's size.
 * Rows are claimed (their next attempt moved ahead) so two deliveries never send the same SKU at
 * once; each result is recorded only if no newer figure was pushed meanwhile. Failures retry with
 * backoff; after the last attempt the row is parked and an alert raised.
 */
export async function deliverStock(
  deps: Pick<Deps, 'database' | 'crypto' | 'clock' | 'settings' | 'log'>,
  accountId: string,
): Promise<{ pushed: number; failed: number; parked: number; laterAt: Date | null }> {
  const { database } = deps;
  const s = channelSettingsOf(deps);
  const at = deps.clock.now();
  const account = await accountConnection(database, deps.crypto, { id: accountId });
  const c = account ? connectorContext(account, at) : null;
  const out = { pushed: 0, failed: 0, parked: 0, laterAt: null as Date | null };
  if (!account || !c) return out;
  const lease = new Date(at.getTime() + 5 * 60_000);
  for (;;) {
    const due = await database.tx((tx) =>
      tx.query<Due>(
        `UPDATE channel_stock_pushes SET next_attempt_at = $3 WHERE (account_id, sku) IN (
           SELECT account_id, sku FROM channel_stock_pushes
           WHERE account_id = $1 AND status IN ('pending', 'failed') AND next_attempt_at <= $2
             AND (pushed_sequence IS NULL OR wanted_sequence > pushed_sequence)
           ORDER BY sku LIMIT ${c.connector.stockBatchSize} FOR UPDATE SKIP LOCKED)
         RETURNING sku, wanted_value, wanted_sequence, attempts`,
        [accountId, at, lease],
      ),
    );
    if (!due.length) break;
    let results: StockPushResult[];
    try {
      results = await c.connector.pushStock(
        c.ctx,
        due.map((d) => ({ channelSku: d.sku, quantity: Number(d.wanted_value) })),
      );
    } catch (e) {
      const err = e instanceof ConnectorError ? e : null;
      results = due.map((d) => ({
        channelSku: d.sku,
        ok: false,
        error: err ? `${err.code}: ${err.message}` : String((e as Error).message ?? e),
        retryable: err ? err.retryable : true,
      }));
    }
    const byId = new Map(results.map((r) => [r.channelSku, r]));
    for (const d of due) {
      const r = byId.get(d.sku) ?? { ok: false, error: 'no result for this SKU', retryable: true };
      if (r.ok) {
        await recordPushed(database, accountId, d, at);
        out.pushed++;
        continue;
      }
      const attempts = Number(d.attempts) + 1;
      const park = !r.retryable || attempts >= s.stockPushAttempts;
      await database.query(
        `UPDATE channel_stock_pushes SET status = $3, attempts = $4, last_error = $5, next_attempt_at = $6, updated_at = $7
         WHERE account_id = $1 AND sku = $2 AND wanted_sequence = $8`,
        [
          accountId,
          d.sku,
          park ? 'parked' : 'failed',
          attempts,
          (r.error ?? 'refused').slice(0, 1000),
          park ? null : new Date(at.getTime() + backoffMs(s, attempts)),
          at,
          d.wanted_sequence,
        ],
      );
      if (park) {
        out.parked++;
        await raiseAlert(database, at, {
          kind: 'stock_push_parked',
          accountId,
          field: d.sku,
          details: {
            account: account.code,
            sku: d.sku,
            value: Number(d.wanted_value),
            attempts,
            error: r.error,
          },
        });
      } else out.failed++;
    }
  }
  const next = await database.query<{ at: Date | string | null }>(
    `SELECT min(next_attempt_at) AS at FROM channel_stock_pushes WHERE account_id = $1 AND status IN ('pending', 'failed')`,
    [accountId],
  );
  out.laterAt = next[0]?.at ? new Date(next[0].at) : null;
  return out;
}

/** The channel took the figure: recorded unless a newer figure was pushed in the meantime. */
async function recordPushed(exec: SqlExecutor, accountId: string, d: Due, at: Date) {
  await exec.query(
    `UPDATE channel_stock_pushes SET pushed_value = $3, pushed_sequence = $4::bigint, pushed_at = $5::timestamptz,
       last_error = NULL, attempts = 0, status = CASE WHEN wanted_sequence = $4::bigint THEN 'pushed' ELSE 'pending' END,
       next_attempt_at = CASE WHEN wanted_sequence = $4::bigint THEN NULL ELSE $5::timestamptz END, updated_at = $5::timestamptz
     WHERE account_id = $1 AND sku = $2 AND (pushed_sequence IS NULL OR pushed_sequence < $4)`,
    [accountId, d.sku, d.wanted_value, d.wanted_sequence, at],
  );
}

/** Accounts with figures due now (the minute sweep's catch-up for lost delivery jobs). */
export async function accountsWithDueStock(exec: SqlExecutor, at: Date): Promise<string[]> {
  return (
    await exec.query<{ account_id: string }>(
      `SELECT DISTINCT account_id FROM channel_stock_pushes WHERE status IN ('pending', 'failed') AND next_attempt_at <= $1`,
      [at],
    )
  ).map((r) => r.account_id);
}

/** Parked figures are tried again (after a fix on the channel's side). */
export async function retryParkedStock(exec: SqlExecutor, accountId: string, at: Date): Promise<number> {
  const rows = await exec.query(
    `UPDATE channel_stock_pushes SET status = 'pending', attempts = 0, next_attempt_at = $2, updated_at = $2
     WHERE account_id = $1 AND status = 'parked' RETURNING sku`,
    [accountId, at],
  );
  return rows.length;
}

export async function listStockPushes(
  exec: SqlExecutor,
  accountId: string,
  q: { status?: string; sku?: string },
) {
  const params: unknown[] = [accountId];
  const where = ['account_id = $1'];
  if (q.status) where.push(`status = $${params.push(q.status)}`);
  if (q.sku) where.push(`sku = $${params.push(q.sku)}`);
  const rows = await exec.query<SqlRow>(
    `SELECT * FROM channel_stock_pushes WHERE ${where.join(' AND ')} ORDER BY sku LIMIT 1000`,
    params,
  );
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return rows.map((r) => ({
    sku: r.sku as string,
    wantedValue: Number(r.wanted_value),
    wantedAt: iso(r.wanted_at)!,
    pushedValue: r.pushed_value === null ? null : Number(r.pushed_value),
    pushedAt: iso(r.pushed_at),
    status: r.status as 'pending' | 'pushed' | 'failed' | 'parked',
    attempts: Number(r.attempts),
    lastError: r.last_error as string | null,
    nextAttemptAt: iso(r.next_attempt_at),
  }));
}
