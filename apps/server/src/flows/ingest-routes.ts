import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IngestBatchBody, IngestOrderBody, IngestResult } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type CanonicalOrder, orderView } from '../modules/orders/index.ts';
import type { Actor } from '../platform/actor.ts';
import type { Tx } from '../platform/db.ts';
import type { Deps } from '../platform/deps.ts';
import { DomainError, isUniqueViolation } from '../platform/errors.ts';
import { IDEMPOTENCY_KEY_PATTERN, requestHash, withIdempotencyKey } from '../platform/idempotency.ts';
import { countIngestOutcomes } from './ingest-metrics.ts';
import { type IngestOutcome, ingestOrder, prepareIngest } from './ingest-order.ts';

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'retry-safe key: the same key and body return the first answer',
    }),
  ),
});

/**
 * A batch is cut into chunks of at most BATCH_CHUNK orders, one transaction each (short enough to
 * hold stock rows briefly), and runs BATCH_LANES of them at once on PostgreSQL: one connection
 * alone would wait on its round trips (PGlite runs one transaction at a time anyway). A small
 * batch is cut finer, down to BATCH_CHUNK_MIN, so that it still uses its lanes.
 */
const BATCH_CHUNK = 10;
const BATCH_CHUNK_MIN = 5;
const BATCH_LANES = 8;

type BatchItem = {
  index: number;
  externalOrderId: string;
  outcome: IngestOutcome | 'failed';
  orderId?: string;
  status?: string;
  error?: { code: string; message: string };
};

/**
 * How long an order of a batch (but the first of its transaction) may wait for a lock held by
 * another transaction before the orders before it are committed to let the other one go on.
 */
const LOCK_WAIT_MS = 20;
const YIELD = Symbol('yield');
const SAVEPOINT = 'batch_order';

const sqlState = (e: unknown) => (e as { code?: string } | undefined)?.code;
/** Lock wait over LOCK_WAIT_MS, or a deadlock. */
const lockConflict = (e: unknown) => sqlState(e) === '55P03' || sqlState(e) === '40P01';
/** Races another transaction can make an order lose: retried, the order then finds the winner's row. */
const retryable = (e: unknown) => isUniqueViolation(e) || sqlState(e) === '40P01';

/** A failed order's entry: a DomainError keeps its code; anything else is INTERNAL, and logged. */
function failure(req: FastifyRequest, index: number, body: IngestOrderBody, e: unknown): BatchItem {
  if (e instanceof DomainError) {
    return {
      index,
      externalOrderId: body.externalOrderId,
      outcome: 'failed',
      error: { code: e.code, message: e.message },
    };
  }
  req.log.error({ err: e, index, externalOrderId: body.externalOrderId }, 'batch order failed unexpectedly');
  return {
    index,
    externalOrderId: body.externalOrderId,
    outcome: 'failed',
    error: {
      code: 'INTERNAL',
      message: `not stored: something went wrong on our side; the request id is ${req.id}`,
    },
  };
}

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

  /**
   * One order of a batch under its savepoint (already open): on failure, back to the savepoint,
   * which stays open for the next order; on success, released and opened anew.
   * An order that waits too long for a lock another transaction holds (`yieldOnLock`, any but the
   * first of its transaction) answers YIELD: the caller commits the orders before it, which frees
   * what they hold — two batches each holding what the other waits for would otherwise deadlock —
   * and starts the next transaction with this order, which may then wait as a single ingest does.
   */
  async function ingestOne(
    tx: Tx,
    actor: Actor,
    item: { index: number; body: IngestOrderBody; canonical: CanonicalOrder },
    req: FastifyRequest,
    yieldOnLock: boolean,
  ): Promise<BatchItem | typeof YIELD> {
    const { index, body } = item;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await ingestIn(tx, actor, body, item.canonical);
        // The order's held-back writes go with this (Tx.deferred), so their errors are its own.
        // Then the next order's savepoint; past a first stored order, lock waits are bounded.
        await tx.exec(
          `RELEASE SAVEPOINT ${SAVEPOINT}; SET LOCAL lock_timeout = '${LOCK_WAIT_MS}ms'; SAVEPOINT ${SAVEPOINT}`,
        );
        return {
          index,
          externalOrderId: body.externalOrderId,
          outcome: res.outcome,
          orderId: res.order.id,
          status: res.order.status,
        };
      } catch (e) {
        await tx.exec(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
        if (yieldOnLock && lockConflict(e)) return YIELD;
        if (attempt < 2 && retryable(e)) continue;
        return failure(req, index, body, e);
      }
    }
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
      const answer = (res: Awaited<ReturnType<typeof ingestIn>>) => ({
        status: (res.outcome === 'created' ? 201 : 200) as 200 | 201,
        body: { outcome: res.outcome, order: orderView(res.order, res.account, crypto, false, actor) },
      });
      const run = async (tx: Tx) => answer(await ingestIn(tx, actor, req.body, canonical));
      if (key === undefined) {
        // The answer is made after the commit: no row stays locked while it is.
        const res = answer(await inTx((tx) => ingestIn(tx, actor, req.body, canonical)));
        return reply.status(res.status).send(res.body as never);
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
        description:
          "Answers 200 with every order's outcome. A failed order carries its error code (`INTERNAL` for a fault on our side) and nothing of it is stored; every other order listed is stored.",
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
      const actor = req.actor!;
      const orders = req.body.orders;
      const results: BatchItem[] = new Array(orders.length);
      // Checks and conversion first, outside any transaction: an order refused here takes no lock.
      const ready: { index: number; body: IngestOrderBody; canonical: CanonicalOrder }[] = [];
      for (const [index, body] of orders.entries()) {
        try {
          ready.push({ index, body, canonical: prepareIngest(deps, body, body) });
        } catch (e) {
          results[index] = failure(req, index, body, e);
        }
      }
      const lanes = database.kind === 'pglite' ? 1 : BATCH_LANES;
      const size = Math.max(BATCH_CHUNK_MIN, Math.min(BATCH_CHUNK, Math.ceil(ready.length / lanes)));
      const chunks: (typeof ready)[] = [];
      for (let i = 0; i < ready.length; i += size) chunks.push(ready.slice(i, i + size));
      let next = 0;
      const lane = async () => {
        while (next < chunks.length) {
          const chunk = chunks[next++]!;
          let pos = 0;
          while (pos < chunk.length) {
            const done: BatchItem[] = [];
            try {
              await database.tx(async (tx) => {
                // One savepoint per order: a failure rolls back that order alone.
                await tx.exec(`SAVEPOINT ${SAVEPOINT}`);
                for (let k = 0; pos + k < chunk.length; k++) {
                  const item = await ingestOne(tx, actor, chunk[pos + k]!, req, k > 0);
                  if (item === YIELD) break;
                  done.push(item);
                }
              });
              pos += done.length;
            } catch (e) {
              // The transaction failed as a whole (commit, connection): none of it is stored, and
              // the rest of the chunk is not tried.
              req.log.error({ err: e }, 'batch transaction failed; none of its orders stored');
              done.length = 0;
              for (const item of chunk.slice(pos)) done.push(failure(req, item.index, item.body, e));
              pos = chunk.length;
            }
            for (const d of done) results[d.index] = d;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(lanes, chunks.length) }, lane));
      const counts = { created: 0, updated: 0, duplicate: 0, stale: 0, failed: 0 };
      for (const r of results) counts[r.outcome]++;
      return { ...counts, results };
    },
  );
}
