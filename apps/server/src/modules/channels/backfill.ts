import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Jobs } from '../../platform/jobs.ts';
import type { SqlRow } from './settings.ts';
import { CHANNEL_BACKFILL_QUEUE } from './settings.ts';

export interface Backfill {
  id: string;
  accountId: string;
  from: Date;
  to: Date;
  doneTo: Date;
  page: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  orders: number;
  error: string | null;
  createdAt: Date;
}

const backfillOf = (r: SqlRow): Backfill => ({
  id: r.id,
  accountId: r.account_id,
  from: new Date(r.range_from),
  to: new Date(r.range_to),
  doneTo: new Date(r.done_to),
  page: r.page ?? null,
  status: r.status,
  orders: Number(r.orders),
  error: r.error ?? null,
  createdAt: new Date(r.created_at),
});

export const backfillView = (b: Backfill) => ({
  id: b.id,
  accountId: b.accountId,
  from: b.from.toISOString(),
  to: b.to.toISOString(),
  doneTo: b.doneTo.toISOString(),
  status: b.status,
  orders: b.orders,
  error: b.error,
  createdAt: b.createdAt.toISOString(),
});

/** Longest range one backfill may cover (platforms keep about three months of changes). */
const MAX_RANGE_MS = 92 * 24 * 3600_000;

export async function createBackfill(
  tx: Tx,
  jobs: Jobs,
  at: Date,
  accountId: string,
  range: { from: Date; to: Date },
): Promise<Backfill> {
  if (range.from.getTime() >= range.to.getTime())
    throw new DomainError('VALIDATION_FAILED', '`from` must be before `to`', { field: 'from' });
  if (range.to.getTime() - range.from.getTime() > MAX_RANGE_MS)
    throw new DomainError('VALIDATION_FAILED', 'a backfill covers at most 92 days', { field: 'to' });
  if (range.to.getTime() > at.getTime())
    throw new DomainError('VALIDATION_FAILED', '`to` is in the future', { field: 'to' });
  const id = newId('backfill');
  const r = (
    await tx.query(
      `INSERT INTO channel_backfills (id, account_id, range_from, range_to, done_to, status, created_at, updated_at)
       VALUES ($1,$2,$3,$4,$3,'queued',$5,$5) RETURNING *`,
      [id, accountId, range.from, range.to, at],
    )
  )[0]!;
  await jobs.send(tx, CHANNEL_BACKFILL_QUEUE, { id });
  return backfillOf(r);
}

export async function getBackfill(exec: SqlExecutor, id: string): Promise<Backfill | null> {
  const r = (await exec.query(`SELECT * FROM channel_backfills WHERE id = $1`, [id]))[0];
  return r ? backfillOf(r) : null;
}

export async function listBackfills(exec: SqlExecutor, accountId: string): Promise<Backfill[]> {
  return (
    await exec.query(
      `SELECT * FROM channel_backfills WHERE account_id = $1 ORDER BY created_at DESC LIMIT 50`,
      [accountId],
    )
  ).map(backfillOf);
}

/** After a page of a backfill is stored: where it stands (same rule as the sync cursor). */
export async function saveBackfillPage(
  exec: SqlExecutor,
  id: string,
  at: Date,
  windowTo: Date,
  next: string | null,
  orders: number,
): Promise<void> {
  await exec.query(
    `UPDATE channel_backfills SET page = $3, done_to = CASE WHEN $3::text IS NULL THEN GREATEST(done_to, $2) ELSE done_to END,
       orders = orders + $4, status = 'running', updated_at = $5 WHERE id = $1`,
    [id, windowTo, next, orders, at],
  );
}

export async function finishBackfill(
  exec: SqlExecutor,
  id: string,
  at: Date,
  outcome: { ok: true } | { ok: false; error: string },
): Promise<void> {
  await exec.query(`UPDATE channel_backfills SET status = $2, error = $3, updated_at = $4 WHERE id = $1`, [
    id,
    outcome.ok ? 'done' : 'failed',
    outcome.ok ? null : outcome.error.slice(0, 2000),
    at,
  ]);
}
