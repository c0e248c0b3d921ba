import type { ReservationBody, ReservationView } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { countRefusal } from '../../platform/metrics.ts';
import { requireSkus } from '../catalog/index.ts';
import { requireActiveAccount } from '../channels/index.ts';
import type { StockCtx } from './ledger.ts';
import { reserveLines } from './reserve.ts';
import { warehouseScopeCond } from './scope.ts';

const refused = countRefusal('orderhub_reservation_refusals_total', 'Checkout reservations refused, by code');

/**
 * A storefront's checkout (下单即锁库): every line in full or nothing, refused with
 * INVENTORY_INSUFFICIENT when short. The hold times out (the minute sweep, `expireCheckouts`)
 * unless an order with the same external id takes it over and is paid.
 *
 * The common case is one statement: the checks (account, SKUs, no hold yet), the guarded update,
 * ledger movement, reservation, push mark and audit row together; the response is built from what
 * it returned.
 */
export async function reserveCheckout(
  ctx: StockCtx,
  body: ReservationBody,
): Promise<{ expiresAt: string; reservations: ReservationView[] }> {
  const { tx, at } = ctx;
  const account = body.channelAccount ?? 'default';
  const skus = body.lines.map((l) => l.sku);
  const expiresAt = new Date(
    at.getTime() + (body.ttlSeconds ?? ctx.deps.inventory.paymentTimeoutSeconds) * 1000,
  );
  const { reserved, rejected } = await reserveLines(ctx, body.lines, {
    mode: 'all',
    orderId: null,
    checkout: { account, ref: body.externalOrderId },
    reason: 'checkout',
    expiresAt,
    checks: { account, ref: body.externalOrderId, skus },
    audit: {
      action: 'inventory.reserve',
      entityType: 'checkout',
      entityId: `${account}:${body.externalOrderId}`,
      summary: { lines: body.lines, expiresAt: expiresAt.toISOString() },
    },
  }).catch(refused);
  if (rejected) {
    // Nothing was written; these say precisely what is wrong.
    await requireActiveAccount(tx, account);
    await requireSkus(tx, skus);
    throw new DomainError(
      'RESERVATION_EXISTS',
      `checkout ${body.externalOrderId} already holds stock; create the order, or let the hold expire`,
      { externalOrderId: body.externalOrderId },
    );
  }
  const stamp = at.toISOString();
  const views: ReservationView[] = reserved.map((r) => ({
    id: r.id,
    orderId: null,
    checkout: { channelAccount: account, externalOrderId: body.externalOrderId },
    sku: r.sku,
    warehouse: r.warehouse,
    quantity: r.quantity,
    original: r.quantity,
    consumed: 0,
    status: 'active',
    reason: 'checkout',
    expiresAt: expiresAt.toISOString(),
    createdAt: stamp,
    updatedAt: stamp,
  }));
  views.sort((a, b) => cmp(a.sku, b.sku) || cmp(a.warehouse, b.warehouse) || cmp(a.id, b.id));
  return { expiresAt: expiresAt.toISOString(), reservations: views };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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

export function orderReservations(
  exec: SqlExecutor,
  orderId: string,
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<ReservationView[]> {
  const params: unknown[] = [orderId];
  const scoped = warehouseScopeCond(reader, params, 'r.warehouse_id');
  return reservationViews(exec, `r.order_id = $1${scoped ? ` AND ${scoped}` : ''}`, params);
}
