import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { assertTimeZone, parseInstant } from '../../platform/time.ts';
import { funnel, ordersByChannel, waitingStages } from './dashboard.ts';
import { channelAttribution, exceptionClosure, notYetRecorded, stateDrift } from './order-health.ts';

const DAY = 86_400_000;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const RangeQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 30 days before now' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive; default: now' })),
    tz: Type.Optional(Type.String({ maxLength: 64, description: 'IANA zone for day buckets' })),
  },
  { additionalProperties: false },
);

const Figure = Type.Object({
  key: Type.String(),
  value: Nullable(Type.Number()),
  numerator: Nullable(Type.Number()),
  denominator: Nullable(Type.Number()),
  target: Type.Object({ op: Type.String(), value: Type.Number() }),
  reason: Nullable(Type.String()),
});

/** Dashboard figures, computed in SQL from the tables that exist; nothing is estimated in the browser. */
export function metricsRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock, config } = deps;

  function range(q: { from?: string | undefined; to?: string | undefined }, defaultDays = 30) {
    const now = clock.now();
    const to = q.to ? parseInstant(q.to, 'to') : now;
    const from = q.from ? parseInstant(q.from, 'from') : new Date(to.getTime() - defaultDays * DAY);
    if (from >= to) throw new DomainError('VALIDATION_FAILED', '`from` must be before `to`');
    if (to.getTime() - from.getTime() > 366 * DAY)
      throw new DomainError('VALIDATION_FAILED', 'a range covers at most 366 days');
    return { from, to };
  }

  r.get(
    '/api/metrics/orders-by-channel',
    {
      config: { permission: 'orders:read', errors: ['INVALID_TIME_ZONE'] },
      schema: {
        operationId: 'getOrdersByChannel',
        tags: ['metrics'],
        summary: 'Orders placed per local day and channel',
        querystring: RangeQuery,
        response: {
          200: Type.Object({
            tz: Type.String(),
            from: Type.String(),
            to: Type.String(),
            buckets: Type.Array(
              Type.Object({ day: Type.String(), channel: Type.String(), count: Type.Integer() }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const tz = req.query.tz ?? config.tzDefault;
      assertTimeZone(tz);
      const { from, to } = range(req.query, 14);
      const buckets = await ordersByChannel(database, from, to, tz);
      return { tz, from: from.toISOString(), to: to.toISOString(), buckets };
    },
  );

  r.get(
    '/api/metrics/stages',
    {
      config: { permission: 'orders:read', errors: ['INVALID_TIME_ZONE'] },
      schema: {
        operationId: 'getStageDurations',
        tags: ['metrics'],
        summary: 'Orders waiting per stage and how long they have waited (seconds)',
        response: {
          200: Type.Object({
            at: Type.String(),
            stages: Type.Array(
              Type.Object({
                status: Type.String(),
                count: Type.Integer(),
                avgAgeSeconds: Nullable(Type.Integer()),
                maxAgeSeconds: Nullable(Type.Integer()),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const now = clock.now();
      return { at: now.toISOString(), stages: await waitingStages(database, now) };
    },
  );

  r.get(
    '/api/metrics/funnel',
    {
      config: { permission: 'orders:read', errors: ['INVALID_TIME_ZONE'] },
      schema: {
        operationId: 'getOrderFunnel',
        tags: ['metrics'],
        summary: 'Fulfilment funnel: of the orders placed in the range, how many reached each step',
        querystring: RangeQuery,
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            placed: Type.Integer(),
            steps: Type.Array(Type.Object({ status: Type.String(), count: Type.Integer() })),
          }),
        },
      },
    },
    async (req) => {
      const { from, to } = range(req.query);
      return { from: from.toISOString(), to: to.toISOString(), ...(await funnel(database, from, to)) };
    },
  );

  r.get(
    '/api/metrics/health',
    {
      config: { permission: 'orders:read', errors: ['INVALID_TIME_ZONE'] },
      schema: {
        operationId: 'getOrderHealth',
        tags: ['metrics'],
        summary: 'Order-health figures; null with a reason where the data does not exist yet',
        querystring: RangeQuery,
        response: {
          200: Type.Object({ from: Type.String(), to: Type.String(), figures: Type.Array(Figure) }),
        },
      },
    },
    async (req) => {
      const { from, to } = range(req.query);
      const figures = [
        await stateDrift(database, { from, to }),
        await exceptionClosure(database, { from, to }, clock.now()),
        await channelAttribution(database, { from, to }),
        ...notYetRecorded(),
      ];
      return { from: from.toISOString(), to: to.toISOString(), figures };
    },
  );
}
