import type { ReservationBody, ReservationView } from '@orderhub/contracts';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { requireSkus } from '../catalog/index.ts';
import { requireActiveAccount } from '../channels/index.ts';
import type { StockCtx } from './ledger.ts';
import { reserveLines } from './reserve.ts';
import { STOCK_EXPIRY_QUEUE } from './settings.ts';

/**
 * A storefront's checkout (下单即锁库): every line in full or nothing, refused with
 * INVENTORY_INSUFFICIENT when short. The hold times out unless an order with the same external id
 * takes it over and is paid.
 */
export async function reserveCheckout(
  ctx: StockCtx,
  body: ReservationBody,
): Promise<{ expiresAt: string; reservations: ReservationView[] }> {
  const { tx, at } = ctx;
  const account = await requireActiveAccount(tx, body.channelAccount ?? 'default');
  await requireSkus(
    tx,
    body.lines.map((l) => l.sku),
  );
  const existing = await tx.query(
    `SELECT 1 FROM reservations WHERE checkout_account = $1 AND checkout_ref = $2 AND status = 'active' LIMIT 1`,
    [account.code, body.externalOrderId],
  );
  if (existing.length)
    throw new DomainError(
      'RESERVATION_EXISTS',
      `checkout ${body.externalOrderId} already holds stock; create the order, or let the hold expire`,
      { externalOrderId: body.externalOrderId },
    );
  const expiresAt = new Date(
    at.getTime() + (body.ttlSeconds ?? ctx.deps.inventory.paymentTimeoutSeconds) * 1000,
  );
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.reserve',
    entityType: 'checkout',
    entityId: `${account.code}:${body.externalOrderId}`,
    summary: { lines: body.lines, expiresAt: expiresAt.toISOString() },
  });
  await ctx.deps.jobs.send(tx, STOCK_EXPIRY_QUEUE, { kind: 'checkout' }, { startAfter: expiresAt });
  const { reservationIds } = await reserveLines(ctx, body.lines, {
    mode: 'all',
    orderId: null,
    checkout: { account: account.code, ref: body.externalOrderId },
    reason: 'checkout',
    expiresAt,
  });
  return {
    expiresAt: expiresAt.toISOString(),
    reservations: await reservationViews(tx, 'r.id = ANY($1::text[])', [reservationIds]),
  };
}

interface ReservationRow {
  id: string;
  order_id: string | null;
  checkout_account: string | null;
  checkout_ref: string | null;
  sku: string;
  warehouse: string;
  quantity: number;
  original: number;
  consumed: number;
  status: string;
  reason: string;
  expires_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  [k: string]: unknown;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export async function reservationViews(
  exec: SqlExecutor,
  where: string,
  params: unknown[],
): Promise<ReservationView[]> {
  const rows = await exec.query<ReservationRow>(
    `SELECT r.*, w.code AS warehouse FROM reservations r JOIN warehouses w ON w.id = r.warehouse_id
     WHERE ${where} ORDER BY r.sku, w.code, r.id`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    checkout:
      r.checkout_account && r.checkout_ref
        ? { channelAccount: r.checkout_account, externalOrderId: r.checkout_ref }
        : null,
    sku: r.sku,
    warehouse: r.warehouse,
    quantity: Number(r.quantity),
    original: Number(r.original),
    consumed: Number(r.consumed),
    status: r.status,
    reason: r.reason,
    expiresAt: iso(r.expires_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  }));
}

export function orderReservations(exec: SqlExecutor, orderId: string): Promise<ReservationView[]> {
  return reservationViews(exec, 'r.order_id = $1', [orderId]);
}
