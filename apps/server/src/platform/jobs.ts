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
    options?: { batchSize?: number; pollingIntervalSeconds?: number },
  ): Promise<void>;
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
  const workers: string[] = [];
  return {
    boss,
    send(exec, queue, data, options = {}) {
      return boss.send(queue, data, { ...options, db: executorFor(exec) });
    },
    async work(queue, handler, options = {}) {
      const id = await boss.work<object>(
        queue,
        { batchSize: options.batchSize ?? 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
        async (batch) => {
          for (const job of batch) {
            try {
              await handler(job.data as never, { id: job.id, name: job.name });
            } catch (err) {
              opts.log.warn(
                { err, queue, jobId: job.id },
                'job failed; it will be retried, then dead-lettered',
              );
              throw err;
            }
          }
        },
      );
      workers.push(id);
    },
    async stop() {
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
    },
  };
}
