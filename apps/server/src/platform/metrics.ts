import { timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import type { Database } from './db.ts';
import { DomainError } from './errors.ts';
import { problem } from './http.ts';
import type { Logger } from './log.ts';

/**
 * The process's metrics, served at /metrics in the Prometheus text format. One registry per process
 * (a Prometheus target is a process); modules add their own series through `metrics`:
 *
 *     metrics.counter('orderhub_ingest_orders_total', 'Orders ingested, by outcome', ['outcome']).inc({ outcome })
 *
 * Asking twice for the same name returns the same series, so a use site can name its metric inline.
 */
export const registry = new client.Registry();

type Labels = readonly string[];

function existing<T>(name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export const metrics = {
  counter(name: string, help: string, labelNames: Labels = []): client.Counter<string> {
    return (
      existing<client.Counter<string>>(name) ??
      new client.Counter({ name, help, labelNames: [...labelNames], registers: [registry] })
    );
  },
  gauge(name: string, help: string, labelNames: Labels = []): client.Gauge<string> {
    return (
      existing<client.Gauge<string>>(name) ??
      new client.Gauge({ name, help, labelNames: [...labelNames], registers: [registry] })
    );
  },
  histogram(
    name: string,
    help: string,
    labelNames: Labels = [],
    buckets?: number[],
  ): client.Histogram<string> {
    return (
      existing<client.Histogram<string>>(name) ??
      new client.Histogram({
        name,
        help,
        labelNames: [...labelNames],
        registers: [registry],
        ...(buckets ? { buckets } : {}),
      })
    );
  },
};

/**
 * For `.catch(...)` at a use site: counts a refusal (a DomainError) by its code on the counter
 * `name`, then rethrows it. Anything else passes uncounted.
 */
export function countRefusal(name: string, help: string): (e: unknown) => never {
  const counter = metrics.counter(name, help, ['code']);
  return (e) => {
    if (e instanceof DomainError) counter.inc({ code: e.code });
    throw e;
  };
}

// Process metrics: CPU, memory, handles, GC and the event loop's lag (nodejs_eventloop_lag_*).
client.collectDefaultMetrics({ register: registry });

const httpDuration = metrics.histogram(
  'http_request_duration_seconds',
  'HTTP answers by method, route pattern and status',
  ['method', 'route', 'status_code'],
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
);
const queueDepth = metrics.gauge(
  'orderhub_job_queue_depth',
  'Jobs waiting in each queue (state created or retry), at scrape time',
  ['queue', 'state'],
);
const queueOldest = metrics.gauge(
  'orderhub_job_queue_oldest_seconds',
  'Age of the oldest waiting job in each queue, at scrape time',
  ['queue'],
);
const pool = metrics.gauge(
  'orderhub_db_pool_connections',
  'Database connections: total, idle, and requests waiting for one (PGlite: one connection)',
  ['state'],
);

export interface MetricsOptions {
  database: Database;
  log: Logger;
  /** ORDERHUB_METRICS_TOKEN: `Authorization: Bearer <token>` opens /metrics from anywhere. */
  token: string | undefined;
  /** ORDERHUB_METRICS_ALLOW: addresses and CIDRs (or `loopback`) that may scrape without the token. */
  allow: readonly string[];
}

/** The allow list as one check; `loopback` stands for 127.0.0.0/8 and ::1. */
export function addressMatcher(allow: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const entry of allow) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [addr = '', bits] = entry.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(addr)) throw new Error(`ORDERHUB_METRICS_ALLOW: "${entry}" is not an address or CIDR`);
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (ip) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    const addr = mapped ? mapped[1]! : ip;
    const v = isIP(addr);
    return v !== 0 && list.check(addr, v === 6 ? 'ipv6' : 'ipv4');
  };
}

const WAITING_JOBS = `SELECT name, state::text AS state, count(*)::int AS n,
    COALESCE(extract(epoch FROM now() - min(created_on)), 0)::float8 AS oldest
  FROM pgboss.job WHERE state < 'active' GROUP BY name, state`;

/**
 * Times every answer by its route pattern (never the URL: ids would make a series each), and serves
 * /metrics to the token or the allowed addresses. Queue and pool figures are read at scrape time.
 */
export function installMetrics(http: FastifyInstance, opts: MetricsOptions): void {
  const allowed = addressMatcher(opts.allow);
  const token = opts.token ? Buffer.from(opts.token) : null;

  http.addHook('onResponse', async (req, reply) => {
    httpDuration.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? '(unmatched)',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  http.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? Buffer.from(auth.slice(7).trim()) : null;
    const tokenOk =
      token !== null && given !== null && given.length === token.length && timingSafeEqual(given, token);
    if (!tokenOk && !allowed(req.ip)) {
      return reply
        .status(401)
        .type('application/problem+json')
        .header('www-authenticate', 'Bearer')
        .send(
          problem(
            'UNAUTHENTICATED',
            'send Authorization: Bearer <ORDERHUB_METRICS_TOKEN>',
            undefined,
            req.url,
          ),
        );
    }
    try {
      const rows = await opts.database.query<{ name: string; state: string; n: number; oldest: number }>(
        WAITING_JOBS,
      );
      queueDepth.reset();
      queueOldest.reset();
      const oldest = new Map<string, number>();
      for (const r of rows) {
        queueDepth.set({ queue: r.name, state: r.state }, Number(r.n));
        oldest.set(r.name, Math.max(oldest.get(r.name) ?? 0, Number(r.oldest)));
      }
      for (const [queue, age] of oldest) queueOldest.set({ queue }, age);
    } catch (err) {
      // The rest of the figures are still worth serving; the queue gauges keep their last values.
      opts.log.warn({ err }, 'metrics: could not read the job queues');
    }
    const p = opts.database.poolStats();
    pool.set({ state: 'total' }, p.total);
    pool.set({ state: 'idle' }, p.idle);
    pool.set({ state: 'waiting' }, p.waiting);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
