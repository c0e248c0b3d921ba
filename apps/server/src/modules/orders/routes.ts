import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  ChangeTagsBody,
  OrderCountsQuery,
  OrderCountsResponse,
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
import { countOrders, listOrders } from './list-orders.ts';
import { requireOrderInScope } from './scope.ts';
import { changeSellerNote } from './seller-note.ts';
import { holdQueues } from './stats.ts';
import { transitionContext, transitionOrder } from './transition.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export function orderRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock, crypto, config } = deps;
  const guards = transitionContext(deps).guards ?? [];
  // Data scopes: every /api/orders/:id route, whichever module declares it, reads and writes only
  // orders of the actor's shops; any other order answers 404 as if it did not exist.
  app.addHook('preHandler', async (req) => {
    if (!req.actor?.scope?.accounts || !req.routeOptions.url?.startsWith('/api/orders/:id')) return;
    const id = (req.params as { id?: unknown }).id;
    if (typeof id === 'string') await requireOrderInScope(database, req.actor, id);
  });

  r.get(
    '/api/orders',
    {
      config: {
        permission: 'orders:read',
        errors: ['INVALID_TIME_ZONE', 'PHONE_INVALID', 'TIME_INVALID', 'ORDER_NOS_TOO_MANY'],
      },
      schema: {
        operationId: 'listOrders',
        tags: ['orders'],
        summary: 'Find orders',
        description:
          'Filters combine. `orderNo` is one number, `orderNos` many as pasted; `phone` is a full number or its last 4 digits, matched through keyed hashes (never in clear); `receiverName` exact with spaces and case ignored; `buyerNick`, `sku` and `title` by prefix, case-insensitive. Each item carries its first lines (`linesPreview`).',
        querystring: OrderListQuery,
        response: { 200: OrderListResponse },
      },
    },
    async (req) => listOrders(database, crypto, req.query, config.tzDefault, req.actor!, clock.now()),
  );

  r.get(
    '/api/orders/counts',
    {
      config: {
        permission: 'orders:read',
        errors: ['INVALID_TIME_ZONE', 'PHONE_INVALID', 'TIME_INVALID', 'ORDER_NOS_TOO_MANY'],
      },
      schema: {
        operationId: 'countOrders',
        tags: ['orders'],
        summary: 'Orders per status tab for the list’s filters (the tabs over the order list)',
        description:
          'Takes the filters of GET /api/orders except status, sort and paging. `tabs` follows ORDER_TABS (all, to_pay, to_review, to_ship, fulfilling, shipped, exception, cancelled); `statuses` counts each order status.',
        querystring: OrderCountsQuery,
        response: { 200: OrderCountsResponse },
      },
    },
    async (req) => countOrders(database, crypto, req.query, config.tzDefault, clock.now(), req.actor),
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
    async (req) => holdQueues(database, clock.now(), req.actor),
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
  r.put(
    '/api/orders/:id/seller-note',
    {
      config: { permission: 'orders:review', errors: ['ORDER_NOT_FOUND', 'ORDER_VERSION_CONFLICT'] },
      schema: {
        operationId: 'updateSellerNote',
        tags: ['orders'],
        summary: 'Set the seller note and flag (卖家备注/旗帜) of an order',
        description:
          'Leave `note` or `flag` out to keep it; `note: ""` and `flag: null` clear them. Versioned (a stale `version` is refused with 409 ORDER_VERSION_CONFLICT); kept on the timeline as `seller_note` with the old and new value, audited and published as `order.updated`.',
        params: IdParams,
        body: Type.Object(
          {
            version: Type.Integer({ minimum: 1 }),
            note: Type.Optional(Type.String({ maxLength: 1000 })),
            flag: Type.Optional(
              Nullable(
                Type.Integer({
                  minimum: 1,
                  maximum: 5,
                  description: '1 red, 2 yellow, 3 green, 4 blue, 5 purple',
                }),
              ),
            ),
          },
          { additionalProperties: false, examples: [{ version: 1, note: '客户要求发顺丰', flag: 1 }] },
        ),
        response: { 200: OrderDetailView },
      },
    },
    async (req) => {
      const actor = req.actor!;
      await database.tx((tx) =>
        changeSellerNote(tx, deps.jobs, clock.now(), actor, {
          orderId: req.params.id,
          version: req.body.version,
          ...(req.body.note !== undefined ? { note: req.body.note } : {}),
          ...(req.body.flag !== undefined ? { flag: req.body.flag } : {}),
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
