import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { OrderDetailView } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { reserveLines, stockDepsOf } from '../modules/inventory/index.ts';
import {
  getOrderDetail,
  getOrderRow,
  lockOrderByKey,
  type OrderRow,
  transitionContext,
  transitionLocked,
} from '../modules/orders/index.ts';
import type { Actor } from '../platform/actor.ts';
import type { Tx } from '../platform/db.ts';
import type { Deps } from '../platform/deps.ts';
import { DomainError } from '../platform/errors.ts';
import type { FlowDeps } from './ingest-order.ts';
import { reservedItems } from './order-inventory.ts';
import { missingOf, recordStock, skuUnmapped, stockCoverage, stockNotReserved } from './stock-guard.ts';

/** Statuses in which an order may still take stock for its lines (not yet on its way). */
const RETRYABLE: readonly string[] = ['paid', 'under_review', 'on_hold', 'approved'];

/**
 * An order short of stock tries every active warehouse again for what its lines lack. Whole: the
 * units are reserved and an OUT_OF_STOCK hold is released (to under_review), in one transaction.
 * Still short: nothing is taken (ORDER_STOCK_NOT_RESERVED lists the lines) — the order keeps
 * waiting, and arriving stock reaches it first paid, first served.
 */
export async function retryOrderReservation(
  tx: Tx,
  deps: FlowDeps,
  at: Date,
  actor: Actor,
  orderId: string,
  expectedVersion?: number,
): Promise<OrderRow> {
  const head = await getOrderRow(tx, orderId);
  const order = (await lockOrderByKey(tx, head.channelAccountId, head.externalOrderId))!;
  if (expectedVersion !== undefined && expectedVersion !== order.version) {
    throw new DomainError(
      'ORDER_VERSION_CONFLICT',
      `the order changed since you saw it (version ${expectedVersion}, now ${order.version}); reload and try again`,
      { currentVersion: order.version, status: order.status },
    );
  }
  if (!RETRYABLE.includes(order.status)) {
    throw new DomainError(
      'ORDER_INVALID_TRANSITION',
      `an order that is ${order.status} takes no more stock`,
      { status: order.status, event: 'retry_reservation', allowed: [] },
    );
  }
  const { lacking, unknown } = await stockCoverage(tx, order.id);
  // An unknown SKU cannot be stocked from anywhere: say so as the approval would.
  if (unknown.length) throw skuUnmapped('take stock', unknown);
  if (lacking.length) {
    const ctx = { tx, deps: stockDepsOf(deps), at, actor };
    const { short, reserved } = await reserveLines(ctx, missingOf(lacking), {
      mode: 'available',
      orderId: order.id,
      reason: 'order',
      expiresAt: null,
    });
    // Thrown, the transaction rolls back: the lines stay as they were.
    if (short.length) throw stockNotReserved('take stock', lacking);
    await recordStock(tx, at, actor, order.id, 'reserved', reservedItems(reserved), 'RETRY');
  }
  if (order.status === 'on_hold' && order.holdReason === 'OUT_OF_STOCK') {
    return transitionLocked(tx, transitionContext(deps), at, actor, order, {
      orderId: order.id,
      event: 'release',
      note: 'stock taken again; every line is reserved',
    });
  }
  return order;
}

/** `POST /api/orders/{id}/reservations:retry`: what a merchant does for an order short of stock. */
export function stockRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock, crypto } = deps;
  r.post(
    '/api/orders/:id/reservations::retry',
    {
      config: {
        permission: 'orders:review',
        errors: [
          'ORDER_NOT_FOUND',
          'ORDER_VERSION_CONFLICT',
          'ORDER_INVALID_TRANSITION',
          'ORDER_GUARD_FAILED',
          'ORDER_STOCK_NOT_RESERVED',
        ],
      },
      schema: {
        operationId: 'retryOrderReservation',
        tags: ['orders'],
        summary: 'Take stock again for an order short of it, from any active warehouse',
        description:
          'Reserves what the lines lack from every active warehouse (highest priority first, split when no one warehouse has it). When every line is reserved an `OUT_OF_STOCK` hold is released (to under_review); otherwise nothing is taken and the answer is 409 `ORDER_STOCK_NOT_RESERVED` with the lines still short. The other ways out: wait (arriving stock is given to waiting orders first paid, first served) or cancel with reason `OUT_OF_STOCK`.',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Optional(
          Type.Object(
            { version: Type.Optional(Type.Integer({ minimum: 1, description: 'the version you saw' })) },
            { additionalProperties: false, examples: [{}] },
          ),
        ),
        response: { 200: OrderDetailView },
      },
    },
    async (req) => {
      const actor = req.actor!;
      await database.tx((tx) =>
        retryOrderReservation(tx, deps, clock.now(), actor, req.params.id, req.body?.version),
      );
      return getOrderDetail(database, crypto, actor, req.params.id, false, transitionContext(deps).guards);
    },
  );
}
