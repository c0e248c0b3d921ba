import PgBoss from 'pg-boss';
import type { Database, SqlExecutor } from './db.ts';
import type { Logger } from './log.ts';

/** How a queue retries and where its failures are parked. Modules declare theirs at wiring time. */
export interface QueueSpec {
  name: string;
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  expireInSeconds?: number;
  /** A dead-letter queue is created for every queue: failures stay visible, never dropped. */
}

export type JobHandler<T> = (data: T, job: { id: string; name: string }) => Promise<void>;

export interface Jobs {
  readonly boss: PgBoss;
  /**
   * Enqueue through `exec` — pass the business transaction so the job exists if and only if the
   * change commits. This is the outbox.
   */
  send(exec: SqlExecutor, queue: string, data: object, options?: PgBoss.SendOptions): Promise<string | null>;
  work<T extends object>(
    queue: string,
    handler: JobHandler<T>,
    options?: { batchSize?: number; concurrency?: number; pollingIntervalSeconds?: number },
  ): Promise<void>;
  /**
   * Wakes this process's idle fetch loops of `queue` at once, instead of at their next poll. Call it
   * after the transaction that sent a job commits, when someone is waiting on the job's result.
   */
  wake(queue: string): void;
  stop(): Promise<void>;
}

export function executorFor(exec: SqlExecutor): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      // Without values pg-boss may send several statements; the extended protocol refuses those.
      const rows = values && values.length > 0 ? await exec.query(text, values) : await exec.exec(text);
      return { rows };
    },
  };
}

export const deadLetterOf = (queue: string) => `${queue}__dead`;

/** PGlite's stand-in for autovacuum (`Database.maintain`), run each minute on PGlite only. */
export const DATABASE_MAINTENANCE_QUEUE = 'database-maintenance';

/**
 * pg-boss 10's own insert (plans.insertJob) for a job sent without options, given that startJobs
 * sets no job defaults on the PgBoss instance: the same row, with retry, expiry, retention, dead
 * letter and policy taken from the queue. pg-boss's general statement carries 19 parameters and is
 * parsed and planned on every send, which made it the costliest statement of an order ingest.
 * Revisit with any pg-boss upgrade (the major is pinned).
 */
const INSERT_JOB_WITHOUT_OPTIONS = `
  INSERT INTO pgboss.job (name, data, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
  SELECT q.name, $2::jsonb, q.dead_letter,
    COALESCE(q.expire_seconds * interval '1s', interval '15 minutes'),
    now() + CAST(COALESCE((q.retention_minutes * 60)::text, '14 days') AS interval),
    COALESCE(q.retry_limit, 2),
    CASE WHEN COALESCE(q.retry_backoff, false) THEN GREATEST(q.retry_delay, 1) ELSE COALESCE(q.retry_delay, 0) END,
    COALESCE(q.retry_backoff, false),
    q.policy
  FROM pgboss.queue q WHERE q.name = $1
  ON CONFLICT DO NOTHING
  RETURNING id`;

/** How seldom an idle fetch loop looks on its own, between the probe's wake-ups (see probeLoop). */
const LOOP_IDLE_SECONDS = 30;

/**
 * Which of the queues `$1` have a job ready to fetch — the condition of pg-boss 10's fetch
 * (plans.fetchNextJob) — one look at each queue's partition through its index on (name,
 * start_after) of jobs not yet active (job_i5), stopping at the first job found.
 */
const READY_QUEUES = `
  SELECT q AS name FROM unnest($1::text[]) AS q
  WHERE EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = q AND j.state < 'active' AND j.start_after < now())`;

export interface StartJobsOptions {
  /** Create pg-boss's schema (PGlite boot, `orderhub migrate`). On PostgreSQL `start` expects it. */
  migrate: boolean;
  /** Run maintenance and cron in this process. */
  supervise: boolean;
  queues: QueueSpec[];
  log: Logger;
}

export async function startJobs(database: Database, opts: StartJobsOptions): Promise<Jobs> {
  const boss = new PgBoss({
    db: executorFor(database),
    schema: 'pgboss',
    migrate: opts.migrate,
    supervise: opts.supervise,
    schedule: opts.supervise,
  });
  boss.on('error', (err) => opts.log.error({ err }, 'job queue error'));
  await boss.start();
  for (const q of opts.queues) {
    const dead = deadLetterOf(q.name);
    if (!(await boss.getQueue(dead))) await boss.createQueue(dead, { name: dead, retentionDays: 30 });
    const spec: PgBoss.Queue = {
      name: q.name,
      retryLimit: q.retryLimit ?? 8,
      retryDelay: q.retryDelaySeconds ?? 5,
      retryBackoff: q.retryBackoff ?? true,
      expireInSeconds: q.expireInSeconds ?? 300,
      deadLetter: dead,
    };
    if (await boss.getQueue(q.name)) await boss.updateQueue(q.name, spec);
    else await boss.createQueue(q.name, spec);
  }
  let stopping = false;
  const loops: Promise<void>[] = [];
  const sleepers = new Map<() => void, string>();
  const sleep = (seconds: number, queue: string) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, seconds * 1000);
      sleepers.set(wake, queue);
    });
  const wakeQueue = (queue: string) => {
    for (const [wake, q] of [...sleepers]) if (q === queue) wake();
  };

  /**
   * Idle fetch loops do not poll each on its own (twenty-odd loops at 0.5–2 s were about sixteen
   * fetch statements a second per process, each an UPDATE that locks; on PGlite every one of them
   * ran on the server's thread and waited for its one connection). One statement asks, every
   * `probeEvery` seconds (the shortest polling interval asked for), which of the queues whose
   * loops are asleep have a job ready — sent by any process, retried, scheduled — and wakes those
   * loops; a loop still looks on its own every `LOOP_IDLE_SECONDS`, should a probe fail.
   */
  let probeEvery = Number.POSITIVE_INFINITY;
  let prober: Promise<void> | null = null;
  let probeTimer: NodeJS.Timeout | null = null;
  let probeWake: (() => void) | null = null;
  async function probeLoop() {
    let failing = false;
    while (!stopping) {
      await new Promise<void>((resolve) => {
        probeWake = resolve;
        probeTimer = setTimeout(resolve, probeEvery * 1000);
      });
      probeWake = null;
      if (stopping) return;
      const asleep = [...new Set(sleepers.values())];
      if (asleep.length === 0) continue;
      try {
        // Prepared: planning it over every queue's partition took 10–31 ms a probe on PGlite (on
        // the server's thread, twice a second); its kept plan runs in about 1 ms.
        const ready = await database.tx((tx) => tx.prepared<{ name: string }>(READY_QUEUES, [asleep]));
        failing = false;
        for (const { name } of ready) wakeQueue(name);
      } catch (err) {
        if (stopping) return;
        if (!failing) opts.log.warn({ err }, 'could not ask which job queues have work; trying again');
        failing = true;
      }
    }
  }

  /**
   * One fetch loop: a batch per round trip, each job handled on its own (a failure fails that job
   * alone, to be retried and then dead-lettered), the successes completed together. A full batch
   * is followed by the next fetch at once, so a backlog drains as fast as the handler runs; after
   * a fetch that is not full the loop sleeps until the probe (or `wake`) finds work for it.
   */
  async function fetchLoop(queue: string, handler: JobHandler<never>, batchSize: number) {
    while (!stopping) {
      let batch: PgBoss.Job<object>[];
      try {
        batch = (await boss.fetch<object>(queue, { batchSize })) ?? [];
      } catch (err) {
        if (stopping) return;
        opts.log.warn({ err, queue }, 'could not fetch jobs; trying again');
        await sleep(Math.min(probeEvery, LOOP_IDLE_SECONDS), queue);
        continue;
      }
      const done: string[] = [];
      for (const job of batch) {
        try {
          await handler(job.data as never, { id: job.id, name: job.name });
          done.push(job.id);
        } catch (err) {
          opts.log.warn({ err, queue, jobId: job.id }, 'job failed; it will be retried, then dead-lettered');
          const reason =
            err instanceof Error ? { message: err.message, name: err.name } : { message: String(err) };
          await boss
            .fail(queue, job.id, reason)
            .catch((e: unknown) => opts.log.error({ err: e, queue }, 'could not record a job failure'));
        }
      }
      if (done.length)
        await boss
          .complete(queue, done)
          .catch((e: unknown) => opts.log.error({ err: e, queue }, 'could not complete jobs'));
      if (batch.length < batchSize && !stopping) await sleep(LOOP_IDLE_SECONDS, queue);
    }
  }

  return {
    boss,
    async send(exec, queue, data, options = {}) {
      if (Object.keys(options).length > 0)
        return boss.send(queue, data, { ...options, db: executorFor(exec) });
      const rows = await exec.query<{ id: string }>(INSERT_JOB_WITHOUT_OPTIONS, [
        queue,
        JSON.stringify(data),
      ]);
      return rows[0]?.id ?? null;
    },
    async work(queue, handler, options = {}) {
      const batchSize = Math.max(1, options.batchSize ?? 1);
      probeEvery = Math.min(probeEvery, options.pollingIntervalSeconds ?? 2);
      prober ??= probeLoop();
      for (let i = 0; i < Math.max(1, options.concurrency ?? 1); i++)
        loops.push(fetchLoop(queue, handler as JobHandler<never>, batchSize));
    },
    wake: wakeQueue,
    async stop() {
      // Let each loop finish the batch in hand, then stop pg-boss's own maintenance and cron.
      stopping = true;
      if (probeTimer) clearTimeout(probeTimer);
      probeWake?.();
      for (const wake of [...sleepers.keys()]) wake();
      await Promise.all([...loops, prober]);
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
    },
  };
}
