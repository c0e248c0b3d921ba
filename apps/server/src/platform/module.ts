import type { FastifyInstance } from 'fastify';
import type { Deps, HookLists, ModuleSettings } from './deps.ts';
import type { JobHandler, QueueSpec } from './jobs.ts';

/** A background worker a module runs on one of its queues. */
export interface WorkerSpec {
  queue: string;
  /** Built once, when the workers start. */
  handler(deps: Deps): JobHandler<never>;
  /** Jobs fetched per round trip (default 1); a full batch is followed by the next fetch at once. */
  batchSize?: number;
  /** Fetch loops running side by side in this process (default 1). */
  concurrency?: number;
  /**
   * The longest a ready job waits for this worker when its loops are idle (default 2 s): the
   * process asks in one statement, as often as its most eager worker wants, which idle queues
   * have jobs ready, and wakes their loops (platform/jobs.ts).
   */
  pollingIntervalSeconds?: number;
}

/** A cron schedule that sends a job to one of the module's queues (evaluated in UTC). */
export interface ScheduleSpec {
  queue: string;
  cron: string;
  data?: object;
  /** Leave out to always schedule. */
  enabled?(deps: Deps): boolean;
}

/**
 * Everything a module plugs into the server. app.ts composes a list of these and nothing else:
 * adding a module touches no other module's wiring.
 */
export interface ModuleDescriptor {
  name: string;
  /** Its queues, created (or updated) at start; each gets a dead-letter queue. */
  queues?: readonly QueueSpec[];
  /** Its settings, read once from the environment (overrides come from tests and benchmarks). */
  settings?(env: NodeJS.ProcessEnv, overrides: Partial<ModuleSettings>): Partial<ModuleSettings>;
  /** Contributions to other modules' hooks. */
  hooks?(deps: Deps): HookLists;
  /** Rows every installation needs (run after migrations, before the routes serve). */
  boot?(deps: Deps): Promise<void>;
  /** Its HTTP routes: a plugin over the shared server. */
  routes?(app: FastifyInstance, deps: Deps): void | Promise<void>;
  /** Workers and schedules run only where `ORDERHUB_WORKERS` is on. */
  workers?: readonly WorkerSpec[];
  schedules?: readonly ScheduleSpec[];
}

/** Identity, for type checking a descriptor where it is written. */
export function defineModule(m: ModuleDescriptor): ModuleDescriptor {
  return m;
}
