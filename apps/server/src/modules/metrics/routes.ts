import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { assertTimeZone, parseInstant } from '../../platform/time.ts';
import { seesAmounts } from '../orders/index.ts';
import { channelSyncHealth, funnel, ordersByChannel, salesByChannel, waitingStages } from './dashboard.ts';
import {
  channelAttribution,
  exceptionClosure,
  type HealthFigure,
  notYetRecorded,
  stateDrift,
} from './order-health.ts';

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
  missed: Type.Boolean({ description: 'true when the figure has a value on the wrong side of its target' }),
  reason: Nullable(Type.String()),
});

const missed = (f: HealthFigure) =>
  f.value !== null && !(f.target.op === '<' ? f.value < f.target.value : f.value > f.target.value);

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
      const buckets = await ordersByChannel(database, from, to, tz, req.actor);
      return { tz, from: from.toISOString(), to: to.toISOString(), buckets };
    },
  );

  r.get(
    '/api/metrics/sales',
    {
      config: { permission: 'orders:read', errors: ['INVALID_TIME_ZONE'] },
      schema: {
        operationId: 'getSales',
        tags: ['metrics'],
        summary: 'Sales per local day and channel: orders placed, GMV and paid amount, per currency',
        description:
          'One definition everywhere: `orders` are the orders placed on the local day (any status); `gmv` the sum of their totals; `paid` the totals of those of them that were paid (minor units of `currency`). Money is null for readers without orders:amounts. `totals` sums the range per currency.',
        querystring: RangeQuery,
        response: {
          200: Type.Object({
            tz: Type.String(),
            from: Type.String(),
            to: Type.String(),
            buckets: Type.Array(
              Type.Object({
                day: Type.String(),
                channel: Type.String(),
                currency: Type.String(),
                orders: Type.Integer(),
                paidOrders: Type.Integer(),
                gmv: Nullable(Type.Integer()),
                paid: Nullable(Type.Integer()),
              }),
            ),
            totals: Type.Array(
              Type.Object({
                currency: Type.String(),
                orders: Type.Integer(),
                paidOrders: Type.Integer(),
                gmv: Nullable(Type.Integer()),
                paid: Nullable(Type.Integer()),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const tz = req.query.tz ?? config.tzDefault;
      assertTimeZone(tz);
      const { from, to } = range(req.query, 14);
      const money = seesAmounts(req.actor!);
      const buckets = (await salesByChannel(database, from, to, tz, req.actor)).map((b) => ({
        ...b,
        gmv: money ? b.gmv : null,
        paid: money ? b.paid : null,
      }));
      const totals = new Map<
        string,
        { currency: string; orders: number; paidOrders: number; gmv: number | null; paid: number | null }
      >();
      for (const b of buckets) {
        const t = totals.get(b.currency) ?? {
          currency: b.currency,
          orders: 0,
          paidOrders: 0,
          gmv: money ? 0 : null,
          paid: money ? 0 : null,
        };
        t.orders += b.orders;
        t.paidOrders += b.paidOrders;
        if (money) {
          t.gmv = (t.gmv ?? 0) + (b.gmv ?? 0);
          t.paid = (t.paid ?? 0) + (b.paid ?? 0);
        }
        totals.set(b.currency, t);
      }
      return { tz, from: from.toISOString(), to: to.toISOString(), buckets, totals: [...totals.values()] };
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
    async (req) => {
      const now = clock.now();
      return { at: now.toISOString(), stages: await waitingStages(database, now, req.actor) };
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
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        ...(await funnel(database, from, to, req.actor)),
      };
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
        await stateDrift(database, { from, to, reader: req.actor }),
        await exceptionClosure(database, { from, to, reader: req.actor }, clock.now()),
        await channelAttribution(database, { from, to, reader: req.actor }),
        await channelSyncHealth(deps, req.actor),
        ...notYetRecorded(),
      ];
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        figures: figures.map((f) => ({ ...f, missed: missed(f) })),
      };
    },
  );
}
