import type { FastifyInstance } from 'fastify';
import { metrics } from '../platform/metrics.ts';

const ROUTES = new Set(['/api/orders', '/api/orders:batch']);
const OUTCOMES = ['created', 'updated', 'duplicate', 'stale', 'failed'] as const;

const ingested = metrics.counter(
  'orderhub_ingest_orders_total',
  'Orders through POST /api/orders and /api/orders:batch, by outcome (refused: the whole request got a 4xx)',
  ['outcome'],
);

/**
 * Counts ingest outcomes from the answers of the ingest routes, so that the routes themselves stay
 * free of metrics: one order per single answer, each order of a batch by the batch's counts.
 */
export function countIngestOutcomes(app: FastifyInstance): void {
  app.addHook('preSerialization', async (req, reply, payload) => {
    if (req.method !== 'POST' || !ROUTES.has(req.routeOptions.url ?? '')) return payload;
    const body = payload as Record<string, unknown> | null;
    if (reply.statusCode >= 400) ingested.inc({ outcome: 'refused' });
    else if (typeof body?.['outcome'] === 'string') ingested.inc({ outcome: body['outcome'] });
    else
      for (const outcome of OUTCOMES) {
        const n = body?.[outcome];
        if (typeof n === 'number' && n > 0) ingested.inc({ outcome }, n);
      }
    return payload;
  });
}
