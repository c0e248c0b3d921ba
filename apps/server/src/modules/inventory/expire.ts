import type { SqlExecutor } from '../../platform/db.ts';
import { releaseFreeze } from './freezes.ts';
import type { StockCtx } from './ledger.ts';
import { endReservations, lockActiveReservations } from './reserve.ts';

/** Checkout holds no order took over by their expiry: released (status expired). */
export async function expireCheckouts(ctx: StockCtx): Promise<number> {
  const rows = await lockActiveReservations(ctx.tx, 'order_id IS NULL AND expires_at <= $1', [ctx.at]);
  return (await endReservations(ctx, rows, 'expired', 'PAYMENT_TIMEOUT')).units;
}

/** Orders whose unpaid hold is due; the order flow cancels each (which releases its stock). */
export async function ordersWithDueReservations(exec: SqlExecutor, at: Date, limit = 500): Promise<string[]> {
  const rows = await exec.query<{ order_id: string }>(
    `SELECT DISTINCT order_id FROM reservations
     WHERE status = 'active' AND order_id IS NOT NULL AND expires_at <= $1 LIMIT ${limit}`,
    [at],
  );
  return rows.map((r) => r.order_id);
}

/** Whether the order still holds stock whose payment timeout has passed (checked under its row lock). */
export async function hasDueReservation(exec: SqlExecutor, orderId: string, at: Date): Promise<boolean> {
  const rows = await exec.query(
    `SELECT 1 FROM reservations WHERE order_id = $1 AND status = 'active' AND expires_at <= $2 LIMIT 1`,
    [orderId, at],
  );
  return rows.length > 0;
}

export async function dueFreezes(exec: SqlExecutor, at: Date, limit = 500): Promise<string[]> {
  const rows = await exec.query<{ id: string }>(
    `SELECT id FROM stock_freezes WHERE status = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT ${limit}`,
    [at],
  );
  return rows.map((r) => r.id);
}

/** A freeze past its expiry ends (its units are available again), unless someone ended it first. */
export async function expireFreeze(ctx: StockCtx, id: string): Promise<boolean> {
  const row = (
    await ctx.tx.query<{ status: string; expires_at: Date | string | null }>(
      `SELECT status, expires_at FROM stock_freezes WHERE id = $1 FOR UPDATE`,
      [id],
    )
  )[0];
  if (row?.status !== 'active' || !row.expires_at || new Date(row.expires_at) > ctx.at) return false;
  await releaseFreeze(ctx, id, { reasonCode: 'EXPIRED' });
  return true;
}
