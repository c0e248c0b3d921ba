import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IngestBatchBody, IngestOrderBody, IngestResult } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type CanonicalOrder, orderView } from '../modules/orders/index.ts';
import type { Actor } from '../platform/actor.ts';
import type { Tx } from '../platform/db.ts';
import type { Deps } from '../platform/deps.ts';
import { DomainError, isUniqueViolation } from '../platform/errors.ts';
import { IDEMPOTENCY_KEY_PATTERN, requestHash, withIdempotencyKey } from '../platform/idempotency.ts';
import { countIngestOutcomes } from './ingest-metrics.ts';
import { ingestOrder, prepareIngest } from './ingest-order.ts';

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'retry-safe key: the same key and body return the first answer',
    }),
  ),
});

/** `POST /api/orders` and `POST /api/orders:batch`: the doors through which orders come in. */
export function ingestRoutes(app: FastifyInstance, deps: Deps): void {
  countIngestOutcomes(app);
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock, crypto } = deps;

  /** Runs `fn` in a transaction; two first deliveries of one order can race, the loser retries and finds the winner. */
  async function inTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await database.tx(fn);
      } catch (e) {
        if (attempt < 2 && isUniqueViolation(e)) continue;
        throw e;
      }
    }
  }

  function ingestIn(tx: Tx, actor: Actor, body: IngestOrderBody, canonical: CanonicalOrder) {
    return ingestOrder(tx, deps, clock.now(), actor, body.channelAccount, canonical);
  }

  r.post(
    '/api/orders',
    {
      config: {
        permission: 'orders:ingest',
        errors: [
          'CHANNEL_ACCOUNT_UNKNOWN',
          'CHANNEL_ACCOUNT_INACTIVE',
          'CURRENCY_UNKNOWN',
          'ORDER_AMOUNTS_INCONSISTENT',
          'PHONE_INVALID',
          'TIME_INVALID',
          'ORDER_VERSION_CONFLICT',
        ],
      },
      schema: {
        operationId: 'ingestOrder',
        tags: ['orders'],
        summary: 'Ingest one order (idempotent on channel account + external order id)',
        description:
          'Creates the order, or updates it when `sourceVersion` is newer than the stored one. A repeat returns the stored order with outcome `duplicate` and writes nothing.',
        headers: IdempotencyHeaders,
        body: IngestOrderBody,
        response: { 200: IngestResult, 201: IngestResult },
      },
    },
    async (req, reply) => {
      const actor = req.actor!;
      const key = req.headers['idempotency-key'];
      if (key !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
        throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1–128 visible ASCII characters');
      }
      const canonical = prepareIngest(deps, req.body, req.body);
      const run = async (tx: Tx) => {
        const res = await ingestIn(tx, actor, req.body, canonical);
        return {
          status: (res.outcome === 'created' ? 201 : 200) as 200 | 201,
          body: { outcome: res.outcome, order: orderView(res.order, res.account, crypto, false, actor) },
        };
      };
      if (key === undefined) {
        const res = await inTx(run);
        return reply.status(res.status as 200 | 201).send(res.body as never);
      }
      const route = 'POST /api/orders';
      const scope = { principal: actor.id ?? actor.name, key, route, hash: requestHash(route, req.body) };
      // The key record is written in the ingest's own transaction: both exist, or neither.
      const res = await inTx((tx) => withIdempotencyKey(tx, clock.now(), scope, () => run(tx)));
      if (res.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(res.status as 200 | 201).send(res.body as never);
    },
  );

  r.post(
    '/api/orders::batch',
    {
      config: { permission: 'orders:ingest' },
      schema: {
        operationId: 'ingestOrderBatch',
        tags: ['orders'],
        summary: 'Ingest up to 1,000 orders; each succeeds or fails on its own',
        body: IngestBatchBody,
        response: {
          200: Type.Object({
            created: Type.Integer(),
            updated: Type.Integer(),
            duplicate: Type.Integer(),
            stale: Type.Integer(),
            failed: Type.Integer(),
            results: Type.Array(
              Type.Object({
                index: Type.Integer(),
                externalOrderId: Type.String(),
                outcome: Type.String(),
                orderId: Type.Optional(Type.String()),
                status: Type.Optional(Type.String()),
                error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const counts = { created: 0, updated: 0, duplicate: 0, stale: 0, failed: 0 };
      const results = [];
      for (const [index, body] of req.body.orders.entries()) {
        try {
          const canonical = prepareIngest(deps, body, body);
          const res = await inTx((tx) => ingestIn(tx, req.actor!, body, canonical));
          counts[res.outcome]++;
          results.push({
            index,
            externalOrderId: body.externalOrderId,
            outcome: res.outcome,
            orderId: res.order.id,
            status: res.order.status,
          });
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          counts.failed++;
          results.push({
            index,
            externalOrderId: body.externalOrderId,
            outcome: 'failed',
            error: { code: e.code, message: e.message },
          });
        }
      }
      return { ...counts, results };
    },
  );
}
