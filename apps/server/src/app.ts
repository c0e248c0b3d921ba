import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { expireDue, onStockChanged, orderStockEffect } from './flows/order-inventory.ts';
import { listAudit } from './modules/audit/index.ts';
import { authRoutes, bootstrapAdmin, resolveCredentials, SESSION_COOKIE } from './modules/auth/index.ts';
import { catalogRoutes } from './modules/catalog/index.ts';
import { channelRoutes, ensureDefaultAccount } from './modules/channels/index.ts';
import { exportRoutes } from './modules/exports/index.ts';
import {
  CHANNEL_STOCK_PUSH_QUEUE,
  type ChannelStockPushMessage,
  INVENTORY_QUEUES,
  type InventorySettings,
  inventoryRoutes,
  inventorySettingsFromEnv,
  runStockRelay,
  STOCK_ALERTS_QUEUE,
  STOCK_CHANGED_QUEUE,
  STOCK_EXPIRY_QUEUE,
  STOCK_RELAY_QUEUE,
  STOCK_VERIFY_QUEUE,
  type StockAlertMessage,
  type StockDeps,
  verifyLedger,
} from './modules/inventory/index.ts';
import { metricsRoutes } from './modules/metrics/index.ts';
import { ORDER_EVENTS_QUEUE, type OrderEventMessage } from './modules/orders/index.ts';
import { orderRoutes } from './modules/orders/routes.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import { serveConsole } from './platform/console.ts';
import { createFieldCrypto, loadMasterKey, parseKey } from './platform/crypto.ts';
import { type Database, openDatabase } from './platform/db.ts';
import type { Deps } from './platform/deps.ts';
import { createHttp } from './platform/http.ts';
import { DATABASE_MAINTENANCE_QUEUE, startJobs } from './platform/jobs.ts';
import { createLogger, type Logger } from './platform/log.ts';
import { registerOpenApi } from './platform/openapi.ts';

export const VERSION = '0.1.0';

export interface BuildOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use this database instead of opening one from the config (tests share a prepared one). */
  database?: Database;
  /** Run pending migrations even on PostgreSQL (tests, `orderhub migrate`). */
  migrate?: boolean;
  /** Stock settings over the environment's (ORDERHUB_PAYMENT_TIMEOUT_MINUTES, …). */
  inventory?: Partial<InventorySettings>;
}

export interface App {
  http: FastifyInstance;
  deps: Deps;
  /** Set when this start created the first admin with a generated password: print it once. */
  firstAdmin: { username: string; password: string | null } | null;
  close(): Promise<void>;
}

/** Everything but `listen`: tests drive the result with inject(), `orderhub start` listens. */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<App> {
  const log = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const database =
    opts.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const ownsDatabase = !opts.database;
  try {
    const migrate = database.kind === 'pglite' || opts.migrate === true;
    if (migrate) await database.migrate();
    else {
      const pending = await database.pendingMigrations();
      if (pending.length)
        throw new Error(
          `the database lacks ${pending.length} migration(s) (${pending.join(', ')}): run \`orderhub migrate\` first`,
        );
    }
    const crypto = createFieldCrypto(
      loadMasterKey(config.masterKey, config.dataDir),
      config.retiredKeys.map((k) => parseKey(k, 'ORDERHUB_RETIRED_KEYS')),
    );
    const jobs = await startJobs(database, {
      migrate,
      supervise: config.workers,
      log,
      queues: [
        { name: ORDER_EVENTS_QUEUE },
        { name: DATABASE_MAINTENANCE_QUEUE, retryLimit: 0 },
        ...INVENTORY_QUEUES,
      ],
    });
    const inventory: InventorySettings = { ...inventorySettingsFromEnv(process.env), ...opts.inventory };
    const deps: Deps & StockDeps = {
      config,
      database,
      jobs,
      crypto,
      clock,
      log,
      orderEffects: [],
      inventory,
    };
    // Cancel/close releases an order's stock, ship consumes it, pay stops its payment timeout.
    deps.orderEffects.push(orderStockEffect({ jobs, inventory }));

    await ensureDefaultAccount(database, clock.now());
    const firstAdmin = await bootstrapAdmin(database, clock.now(), config.adminPassword);

    if (config.workers) {
      // Order events leave through here; outbound webhooks and channel pushes subscribe in later modules.
      await jobs.work<OrderEventMessage>(ORDER_EVENTS_QUEUE, async (msg) => {
        log.debug({ orderId: msg.orderId, type: msg.type, version: msg.version }, 'order event');
      });
      await jobs.work<{ sku: string }>(STOCK_CHANGED_QUEUE, async (msg) => {
        await onStockChanged(database, deps, clock.now(), msg.sku);
      });
      await jobs.work(STOCK_EXPIRY_QUEUE, async () => {
        await expireDue(database, deps, clock.now());
      });
      // Stock changes mark their SKU; the relay turns marks into debounced stock-changed jobs.
      await jobs.work(STOCK_RELAY_QUEUE, async () => {
        await runStockRelay(database, deps, clock.now());
      });
      // Channel connectors subscribe here to deliver stock; until then the push is logged.
      await jobs.work<ChannelStockPushMessage>(CHANNEL_STOCK_PUSH_QUEUE, async (msg) => {
        log.debug(msg, 'channel stock push');
      });
      await jobs.work<StockAlertMessage>(STOCK_ALERTS_QUEUE, async (msg) => {
        log.warn(msg, msg.type === 'stock.below_safety' ? 'stock below safety stock' : 'stock recovered');
      });
      await jobs.work(STOCK_VERIFY_QUEUE, async () => {
        const result = await verifyLedger(database);
        if (result.differences.length)
          log.error(
            { differences: result.differences.slice(0, 50) },
            'stock counters disagree with the ledger',
          );
        else log.info({ levels: result.levels }, 'stock ledger verified');
      });
      // Holds expire by the minute sweep; the push relay restarts each minute; the ledger is re-checked nightly.
      await jobs.boss.schedule(STOCK_EXPIRY_QUEUE, '* * * * *', { kind: 'sweep' });
      await jobs.boss.schedule(STOCK_RELAY_QUEUE, '* * * * *', {});
      await jobs.boss.schedule(STOCK_VERIFY_QUEUE, '17 3 * * *', {});
      if (database.kind === 'pglite') {
        // PGlite has no autovacuum: without statistics the planner guesses, and prepared plans go stale.
        await jobs.work(DATABASE_MAINTENANCE_QUEUE, async () => {
          const done = await database.maintain();
          if (done.analyzed.length) log.debug(done, 'database statistics gathered');
        });
        await jobs.boss.schedule(DATABASE_MAINTENANCE_QUEUE, '* * * * *', {});
      }
    }

    const http = await createHttp({
      logger: log,
      bodyLimit: config.bodyLimit,
      trustProxy: config.trustProxy,
      resolveActor: async (req) => {
        const auth = req.headers.authorization;
        const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
        const sessionToken = req.cookies?.[SESSION_COOKIE];
        if (!bearer && !sessionToken) return null;
        return resolveCredentials(database, clock.now(), {
          bearer,
          sessionToken,
          ip: req.ip,
          userAgent: req.headers['user-agent'] ?? null,
        });
      },
    });
    await registerOpenApi(http, { version: VERSION, sessionCookie: SESSION_COOKIE });

    http.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok', version: VERSION }));
    http.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
      try {
        await database.query('SELECT 1');
        await jobs.boss.getQueue(ORDER_EVENTS_QUEUE);
        return { status: 'ready', database: database.kind };
      } catch (err) {
        log.warn({ err }, 'not ready');
        return reply.status(503).send({ status: 'unavailable', database: database.kind });
      }
    });

    authRoutes(http, deps);
    channelRoutes(http, deps);
    orderRoutes(http, deps);
    catalogRoutes(http, deps);
    inventoryRoutes(http, deps, inventory);
    auditRoutes(http, deps);
    metricsRoutes(http, deps);
    exportRoutes(http, deps);
    await serveConsole(http);

    await http.ready();
    return {
      http,
      deps,
      firstAdmin,
      async close() {
        await http.close();
        await jobs.stop();
        if (ownsDatabase) await database.close();
      },
    };
  } catch (e) {
    if (ownsDatabase) await database.close().catch(() => undefined);
    throw e;
  }
}

function auditRoutes(app: FastifyInstance, { database }: Deps) {
  app.get(
    '/api/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        operationId: 'listAuditLog',
        tags: ['audit'],
        summary: 'The audit log, newest first',
        querystring: Type.Object(
          {
            actorId: Type.Optional(Type.String({ maxLength: 64 })),
            action: Type.Optional(
              Type.String({ maxLength: 64, description: 'prefix, e.g. `order.` or `user.create`' }),
            ),
            entityType: Type.Optional(Type.String({ maxLength: 64 })),
            entityId: Type.Optional(Type.String({ maxLength: 64 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => listAudit(database, req.query as Parameters<typeof listAudit>[1]),
  );
}
