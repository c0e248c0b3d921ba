import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listRefundReviews, refundReviewView } from '../modules/channels/index.ts';
import { keepOrdersInScope } from '../modules/orders/index.ts';
import type { Deps } from '../platform/deps.ts';
import { decideRefundReview } from './channel-refunds.ts';

const STATUSES = ['open', 'approved', 'rejected', 'escalated', 'withdrawn'] as const;
const Iso = Type.String({ format: 'date-time' });
const ReviewView = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  orderId: Type.String(),
  externalOrderId: Type.String(),
  externalLineId: Type.Union([Type.String(), Type.Null()]),
  freezeIds: Type.Array(Type.String()),
  status: Type.Union(STATUSES.map((s) => Type.Literal(s))),
  dueAt: Iso,
  decidedAt: Type.Union([Iso, Type.Null()]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Iso,
});

/** Refund-only requests (仅退款) waiting for a decision, and the decision. */
export function channelRefundRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/channel-refund-reviews',
    {
      config: { permission: 'orders:read' },
      schema: {
        operationId: 'listChannelRefundReviews',
        tags: ['channels'],
        summary: 'Refund-only requests from the channels, with their frozen units and decision',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
            orderId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(ReviewView) },
      },
    },
    async (req) =>
      (
        await keepOrdersInScope(
          deps.database,
          req.actor,
          await listRefundReviews(deps.database, req.query),
          (r) => r.orderId,
        )
      ).map(refundReviewView),
  );
  r.post(
    '/api/channel-refund-reviews/:id/decision',
    {
      config: {
        permission: 'orders:review',
        errors: ['REFUND_REVIEW_CLOSED', 'NOT_FOUND', 'ORDER_NOT_FOUND'],
      },
      schema: {
        operationId: 'decideChannelRefundReview',
        tags: ['channels'],
        summary:
          'Decide a refund-only request: approve puts the frozen units back on sale, reject gives them back to the order',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object(
          { decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]) },
          { additionalProperties: false, examples: [{ decision: 'approve' }] },
        ),
        response: { 200: ReviewView },
      },
    },
    async (req) =>
      refundReviewView(await decideRefundReview(deps, req.params.id, req.body.decision, req.actor!)),
  );
}
