import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  ChangeTagsBody,
  OrderDetailView,
  OrderListQuery,
  OrderListResponse,
  TransitionBody,
} from '@orderhub/contracts';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { changeOrderTags } from './change-tags.ts';
import { getOrderDetail } from './get-order.ts';
import { listOrders } from './list-orders.ts';
import { holdQueues } from './stats.ts';
import { transitionContext, transitionOrder } from './transition.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export function orderRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock, crypto, config } = deps;
  const guards = transitionContext(deps).guards ?? [];

  r.get(
    '/api/orders',
    {
      config: { permission: 'orders:read', errors: ['INVALID_TIME_ZONE', 'PHONE_INVALID', 'TIME_INVALID'] },
      schema: {
        operationId: 'listOrders',
        tags: ['orders'],
        summary: 'Find orders',
        querystring: OrderListQuery,
        response: { 200: OrderListResponse },
      },
    },
    async (req) => listOrders(database, crypto, req.query, config.tzDefault, req.actor!),
  );

  r.get(
    '/api/orders/holds',
    {
      config: { permission: 'orders:read' },
      schema: {
        operationId: 'countOrderHolds',
        tags: ['orders'],
        summary: 'Orders on hold, counted per hold reason (the exception queues)',
        response: {
          200: Type.Object({
            total: Type.Integer(),
            reasons: Type.Array(
              Type.Object({
                reason: Type.String(),
                count: Type.Integer(),
                oldestAgeSeconds: Nullable(Type.Integer()),
              }),
            ),
          }),
        },
      },
    },
    async () => holdQueues(database, clock.now()),
  );

  r.get(
    '/api/orders/:id',
    {
      config: { permission: 'orders:read', errors: ['ORDER_NOT_FOUND'] },
      schema: {
        operationId: 'getOrder',
        tags: ['orders'],
        summary: 'One order with its lines, timeline and next possible actions',
        description: '`reveal=true` shows the receiver in clear; it needs pii:read and is audited.',
        params: IdParams,
        querystring: Type.Object({ reveal: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: OrderDetailView },
      },
    },
    async (req) => {
      const actor = req.actor!;
      if (req.query.reveal) {
        await revealAllowed(req, actor);
        const detail = await getOrderDetail(database, crypto, actor, req.params.id, true, guards);
        await database.tx((tx) =>
          recordAudit(tx, clock.now(), actor, {
            action: 'order.pii_reveal',
            entityType: 'order',
            entityId: detail.id,
            summary: { fields: ['name', 'phone', 'detail'] },
          }),
        );
        return detail;
      }
      return getOrderDetail(database, crypto, actor, req.params.id, false, guards);
    },
  );

  r.post(
    '/api/orders/:id/transitions',
    {
      // Each event checks its own permission (see the order machine); reading is the floor.
      config: {
        permission: 'orders:read',
        errors: [
          'ORDER_NOT_FOUND',
          'ORDER_INVALID_TRANSITION',
          'ORDER_VERSION_CONFLICT',
          'ORDER_GUARD_FAILED',
          'ORDER_STOCK_NOT_RESERVED',
          'ORDER_REASON_REQUIRED',
          'ORDER_REASON_UNKNOWN',
        ],
      },
      schema: {
        operationId: 'transitionOrder',
        tags: ['orders'],
        summary: 'Move an order through its lifecycle (approve, hold, release, cancel, …)',
        params: IdParams,
        body: TransitionBody,
        response: { 200: OrderDetailView },
      },
    },
    async (req) => {
      const actor = req.actor!;
      await database.tx((tx) =>
        transitionOrder(tx, transitionContext(deps), clock.now(), actor, {
          orderId: req.params.id,
          event: req.body.event,
          expectedVersion: req.body.version,
          reasonCode: req.body.reasonCode,
          note: req.body.note,
        }),
      );
      return getOrderDetail(database, crypto, actor, req.params.id, false, guards);
    },
  );

  r.post(
    '/api/orders/:id/tags',
    {
      config: { permission: 'orders:review', errors: ['ORDER_NOT_FOUND', 'ORDER_VERSION_CONFLICT'] },
      schema: {
        operationId: 'updateOrderTags',
        tags: ['orders'],
        summary: 'Add and remove tags on an order',
        description:
          'Versioned like a transition (a stale `version` is refused with 409 ORDER_VERSION_CONFLICT); the change is kept on the timeline as `tags_changed`, audited and published as `order.updated`. Adding a tag the order carries, or removing one it does not, changes nothing.',
        params: IdParams,
        body: ChangeTagsBody,
        response: { 200: OrderDetailView },
      },
    },
    async (req) => {
      const actor = req.actor!;
      await database.tx((tx) =>
        changeOrderTags(tx, deps.jobs, clock.now(), actor, {
          orderId: req.params.id,
          add: req.body.add ?? [],
          remove: req.body.remove ?? [],
          version: req.body.version,
        }),
      );
      return getOrderDetail(database, crypto, actor, req.params.id, false, guards);
    },
  );
}

async function revealAllowed(_req: FastifyRequest, actor: Actor) {
  if (!actor.permissions.has('pii:read')) {
    throw new DomainError(
      'FORBIDDEN',
      `your role (${actor.role}) may not reveal personal data (needs pii:read)`,
      { permission: 'pii:read' },
    );
  }
}
