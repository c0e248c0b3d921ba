import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AddGiftLineBody,
  EditReceiverBody,
  ManualOrderBody,
  OrderDetailView,
  ReceiverHistoryView,
  ReplaceLineBody,
} from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../modules/audit/index.ts';
import {
  changeReceiver,
  getOrderDetail,
  type LineChange,
  receiverHistory,
  transitionContext,
} from '../modules/orders/index.ts';
import type { Actor } from '../platform/actor.ts';
import type { Deps } from '../platform/deps.ts';
import { DomainError } from '../platform/errors.ts';
import { createManualOrder, editOrderLines } from './order-edit.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const LineParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  lineId: Type.String({ minLength: 1, maxLength: 64 }),
});
const EDIT_ERRORS = ['ORDER_NOT_FOUND', 'ORDER_NOT_EDITABLE', 'ORDER_VERSION_CONFLICT'] as const;
const EDITABLE_NOTE =
  'Only before approval: pending_payment, paid, under_review or on_hold (409 ORDER_NOT_EDITABLE after). Versioned (a stale `version` is refused with 409 ORDER_VERSION_CONFLICT); one transaction with an audit row, a timeline entry and an `order.updated` event.';

/**
 * Order editing before approval and manual orders (手工建单). Whoever may approve orders
 * (orders:review) may edit them and enter them by hand.
 */
export function orderEditRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock, crypto } = deps;
  const guards = transitionContext(deps).guards ?? [];

  r.put(
    '/api/orders/:id/receiver',
    {
      config: {
        permission: 'orders:review',
        errors: [...EDIT_ERRORS, 'ORDER_ADDRESS_INCOMPLETE', 'PHONE_INVALID'],
      },
      schema: {
        operationId: 'editOrderReceiver',
        tags: ['orders'],
        summary: 'Change the receiver (name, phone, address) of an order before approval',
        description: `The new receiver is sealed like the original and the search hashes (phone, its last four, name) follow it; the receiver before is kept sealed (GET …/receiver-history) and the timeline names each changed field masked. ${EDITABLE_NOTE}`,
        params: IdParams,
        body: EditReceiverBody,
        response: { 200: OrderDetailView },
      },
    },
    async (req) => {
      const actor = req.actor!;
      await database.tx((tx) =>
        changeReceiver(tx, deps, clock.now(), actor, {
          orderId: req.params.id,
          version: req.body.version,
          receiver: req.body.receiver,
          reason: req.body.reason,
        }),
      );
      return getOrderDetail(database, crypto, actor, req.params.id, false, guards);
    },
  );

  r.get(
    '/api/orders/:id/receiver-history',
    {
      config: { permission: 'orders:read', errors: ['ORDER_NOT_FOUND'] },
      schema: {
        operationId: 'listOrderReceiverHistory',
        tags: ['orders'],
        summary: 'The receivers an order had before its address edits, newest first',
        description:
          'Masked like the order’s receiver; `reveal=true` shows them in clear, needs pii:read and is audited.',
        params: IdParams,
        querystring: Type.Object({ reveal: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: ReceiverHistoryView },
      },
    },
    async (req) => {
      const actor = req.actor!;
      const reveal = req.query.reveal === true;
      if (reveal && !actor.permissions.has('pii:read'))
        throw new DomainError(
          'FORBIDDEN',
          `your role (${actor.role}) may not reveal personal data (needs pii:read)`,
          {
            permission: 'pii:read',
          },
        );
      // Read through the order's detail first: whoever may not see the order does not see its history.
      const order = await getOrderDetail(database, crypto, actor, req.params.id, false);
      const history = await receiverHistory(database, crypto, order.id, reveal);
      if (reveal)
        await database.tx((tx) =>
          recordAudit(tx, clock.now(), actor, {
            action: 'order.pii_reveal',
            entityType: 'order',
            entityId: order.id,
            summary: { fields: ['receiver_history'], entries: history.items.length },
          }),
        );
      return history;
    },
  );

  async function editLines(
    actor: Actor,
    orderId: string,
    version: number,
    change: LineChange,
    reason: string | undefined,
  ) {
    await database.tx((tx) =>
      editOrderLines(tx, deps, clock.now(), actor, { orderId, version, change, reason }),
    );
    return getOrderDetail(database, crypto, actor, orderId, false, guards);
  }
  const LINE_ERRORS = [
    ...EDIT_ERRORS,
    'ORDER_LINE_UNKNOWN',
    'SKU_UNKNOWN',
    'SKU_INACTIVE',
    'ORDER_AMOUNTS_INCONSISTENT',
    'INVENTORY_INSUFFICIENT',
  ] as const;

  r.put(
    '/api/orders/:id/lines/:lineId',
    {
      config: { permission: 'orders:review', errors: LINE_ERRORS },
      schema: {
        operationId: 'replaceOrderLine',
        tags: ['orders'],
        summary: 'Replace a line’s SKU, quantity or price before approval',
        description: `Stock follows in the same transaction: what the line held beyond what the lines now want is released, what they lack is reserved (a paid order left short goes on hold OUT_OF_STOCK). The order’s discount is shared over the lines again by largest remainder and the total recomputed. ${EDITABLE_NOTE}`,
        params: LineParams,
        body: ReplaceLineBody,
        response: { 200: OrderDetailView },
      },
    },
    async (req) =>
      editLines(
        req.actor!,
        req.params.id,
        req.body.version,
        {
          kind: 'replace',
          lineId: req.params.lineId,
          ...(req.body.sku !== undefined ? { sku: req.body.sku } : {}),
          ...(req.body.quantity !== undefined ? { quantity: req.body.quantity } : {}),
          ...(req.body.unitPrice !== undefined ? { unitPrice: req.body.unitPrice } : {}),
        },
        req.body.reason,
      ),
  );

  r.post(
    '/api/orders/:id/gift-lines',
    {
      config: { permission: 'orders:review', errors: [...LINE_ERRORS, 'ORDER_LINES_TOO_MANY'] },
      schema: {
        operationId: 'addOrderGiftLine',
        tags: ['orders'],
        summary: 'Add a gift line (赠品) at zero price before approval; its stock is reserved',
        description: EDITABLE_NOTE,
        params: IdParams,
        body: AddGiftLineBody,
        response: { 200: OrderDetailView },
      },
    },
    async (req) =>
      editLines(
        req.actor!,
        req.params.id,
        req.body.version,
        { kind: 'gift', sku: req.body.sku, quantity: req.body.quantity },
        req.body.reason,
      ),
  );

  r.post(
    '/api/orders/manual',
    {
      config: {
        permission: 'orders:review',
        errors: [
          'CHANNEL_ACCOUNT_UNKNOWN',
          'CHANNEL_ACCOUNT_INACTIVE',
          'MANUAL_ORDER_ACCOUNT_NOT_OWN',
          'SKU_UNKNOWN',
          'SKU_INACTIVE',
          'PHONE_INVALID',
          'ORDER_ADDRESS_INCOMPLETE',
          'ORDER_AMOUNTS_INCONSISTENT',
          'INVENTORY_INSUFFICIENT',
        ],
      },
      schema: {
        operationId: 'createManualOrder',
        tags: ['orders'],
        summary: 'Enter an order taken by phone or over the counter (手工建单)',
        description:
          'For one of your own shops; stored through the same ingest as API orders (order number, stock reservation, timeline, outbox) under the external id `MANUAL-{requestId}`. The same `requestId` again returns the order already made (200 instead of 201). A paid order reserves what exists and goes on hold OUT_OF_STOCK when short; an unpaid one reserves all or nothing (409 INVENTORY_INSUFFICIENT) and waits for payment like any unpaid order.',
        body: ManualOrderBody,
        response: { 200: OrderDetailView, 201: OrderDetailView },
      },
    },
    async (req, reply) => {
      const actor = req.actor!;
      const { order, created } = await database.tx((tx) =>
        createManualOrder(tx, deps, clock.now(), actor, req.body),
      );
      const detail = await getOrderDetail(database, crypto, actor, order.id, false, guards);
      return reply.status(created ? 201 : 200).send(detail);
    },
  );
}
