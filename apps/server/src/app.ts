import type { FastifyInstance } from 'fastify';
import { channelSyncFlow, ingestFlow, orderInventoryFlow } from './flows/index.ts';
import { auditModule } from './modules/audit/index.ts';
import { authModule, bootstrapAdmin, resolveCredentials, SESSION_COOKIE } from './modules/auth/index.ts';
import { catalogModule } from './modules/catalog/index.ts';
import { channelsModule } from './modules/channels/index.ts';
import { exportsModule } from './modules/exports/index.ts';
import { inventoryModule } from './modules/inventory/index.ts';
import { metricsModule } from './modules/metrics/index.ts';
import { ORDER_EVENTS_QUEUE, ordersModule } from './modules/orders/index.ts';
import { paymentsModule } from './modules/payments/index.ts';
import { viewsModule } from './modules/views/index.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import { serveConsole } from './platform/console.ts';
import { type Database, openDatabase } from './platform/db.ts';
import { addHooks, type Deps, type HookLists, type ModuleSettings } from './platform/deps.ts';
import { createHttp } from './platform/http.ts';
import { startJobs } from './platform/jobs.ts';
import { openSealing } from './platform/keys.ts';
import { createLogger, type Logger } from './platform/log.ts';
import { databaseMaintenance } from './platform/maintenance.ts';
import { installMetrics } from './platform/metrics.ts';
import type { ModuleDescriptor } from './platform/module.ts';
import { registerOpenApi } from './platform/openapi.ts';
import { securityHeaders } from './platform/security-headers.ts';

/**
 * Every module and flow the server runs, in order: hooks run in this order, routes register in it.
 * Adding a module is adding its descriptor here.
 */
export const MODULES: readonly ModuleDescriptor[] = [
  databaseMaintenance,
  authModule,
  auditModule,
  channelsModule,
  catalogModule,
  ordersModule,
  inventoryModule,
  paymentsModule,
  orderInventoryFlow,
  ingestFlow,
  channelSyncFlow,
  metricsModule,
  exportsModule,
  viewsModule,
];

export const VERSION = '0.1.0';

export interface BuildOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use this database instead of opening one from the config (tests share a prepared one). */
  database?: Database;
  /** Run pending migrations even on PostgreSQL (tests, `orderhub migrate`). */
  migrate?: boolean;
  /** Module settings over the environment's, per module (e.g. `inventory.paymentTimeoutSeconds`). */
  settings?: { [K in keyof ModuleSettings]?: Partial<ModuleSettings[K]> };
  /** The modules to run (tests); all of MODULES by default. */
  modules?: readonly ModuleDescriptor[];
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
    // Refuses a master key that does not open the data already sealed, before anything is written.
    const crypto = await openSealing(database, config, { log, at: clock.now() });
    const modules = opts.modules ?? MODULES;
    const settings: Partial<ModuleSettings> = {};
    for (const m of modules)
      Object.assign(settings, m.settings?.(process.env, (opts.settings ?? {}) as Partial<ModuleSettings>));
    const jobs = await startJobs(database, {
      migrate,
      supervise: config.workers,
      log,
      queues: modules.flatMap((m) => m.queues ?? []),
    });
    const hooks: HookLists = {};
    const deps: Deps = { config, database, jobs, crypto, clock, log, hooks, settings };
    for (const m of modules) if (m.hooks) addHooks(hooks, m.hooks(deps));
    for (const m of modules) await m.boot?.(deps);
    const firstAdmin = await bootstrapAdmin(database, clock.now(), config.adminPassword);

    if (config.workers) {
      for (const m of modules) {
        for (const w of m.workers ?? []) await jobs.work(w.queue, w.handler(deps), w);
        for (const sch of m.schedules ?? [])
          if (sch.enabled?.(deps) ?? true) await jobs.boss.schedule(sch.queue, sch.cron, sch.data ?? {});
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
    securityHeaders(http);
    installMetrics(http, {
      database,
      log,
      token: config.metricsToken,
      allow: config.metricsAllow,
    });
    await registerOpenApi(http, { version: VERSION, sessionCookie: SESSION_COOKIE, ui: config.apiDocs });

    http.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok', version: VERSION }));
    http.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
      try {
        await database.query('SELECT 1');
        await jobs.boss.getQueue(ORDER_EVENTS_QUEUE);
        // A database another process took back to an older state, or one restored from a backup.
        const pending = await database.pendingMigrations();
        if (pending.length)
          return reply.status(503).send({ status: 'migrations pending', database: database.kind, pending });
        return { status: 'ready', database: database.kind };
      } catch (err) {
        log.warn({ err }, 'not ready');
        return reply.status(503).send({ status: 'unavailable', database: database.kind });
      }
    });

    for (const m of modules) await m.routes?.(http, deps);
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
