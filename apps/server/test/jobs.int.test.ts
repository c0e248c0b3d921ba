/**
 * The job queues' fetch loops (platform/jobs.ts): idle loops sleep, one statement a probe interval
 * finds which queues have work — sent by anyone, delayed, retried — and wakes theirs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Tx } from '../src/platform/db.ts';
import { type Jobs, startJobs } from '../src/platform/jobs.ts';
import { createLogger } from '../src/platform/log.ts';
import { freshDatabase } from './helpers.ts';

let database: Database;
let drop: () => Promise<void>;
let jobs: Jobs;
let statements = 0;
const handled: { queue: string; n: number; at: number }[] = [];
let failFirst = true;
const QUEUES = ['t-plain', 't-later', 't-retry', 't-idle-1', 't-idle-2', 't-idle-3'];

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
};

/** Job loops of another server process on the same database, for one queue. */
const anotherProcess = (queue: string) =>
  startJobs(database, {
    migrate: false,
    supervise: false,
    log: createLogger('silent'),
    queues: [{ name: queue }],
  });

beforeAll(async () => {
  ({ database, drop } = await freshDatabase());
  // Counts what the loops send: the fetches go through the database's executor, the probe is one
  // prepared statement in a transaction of its own.
  const query = database.query.bind(database);
  const exec = database.exec.bind(database);
  const tx = database.tx.bind(database);
  Object.assign(database, {
    tx: <T>(fn: (t: Tx) => Promise<T>) => {
      statements++;
      return tx(fn);
    },
    query: (...args: Parameters<Database['query']>) => {
      statements++;
      return query(...args);
    },
    exec: (text: string) => {
      statements++;
      return exec(text);
    },
  });
  jobs = await startJobs(database, {
    migrate: true,
    supervise: false,
    log: createLogger('silent'),
    queues: QUEUES.map((name) => ({ name, retryLimit: 2, retryDelaySeconds: 1, retryBackoff: false })),
  });
  for (const queue of QUEUES)
    await jobs.work<{ n: number }>(
      queue,
      async ({ n }) => {
        if (queue === 't-retry' && failFirst) {
          failFirst = false;
          throw new Error('the first try fails');
        }
        handled.push({ queue, n, at: Date.now() });
      },
      { pollingIntervalSeconds: 0.25, concurrency: 2 },
    );
}, 60_000);

afterAll(async () => {
  await jobs?.stop();
  await drop?.();
});

describe('job fetch loops', () => {
  it('an idle process asks in one statement per probe interval, not one fetch per loop', async () => {
    // Twelve loops on six queues, all idle: their first fetches done, they sleep.
    await new Promise((r) => setTimeout(r, 500));
    const before = statements;
    await new Promise((r) => setTimeout(r, 2_000));
    // 2 s at one probe per 0.25 s: about 8 (polling loops would have sent 12 per 0.25 s: ~96).
    expect(statements - before).toBeLessThanOrEqual(12);
    expect(statements - before).toBeGreaterThanOrEqual(2);
  });

  it('a job sent without waking anyone (another process, say) is found by the probe', async () => {
    const sent = Date.now();
    await jobs.send(database, 't-plain', { n: 1 });
    expect(await until(() => handled.some((h) => h.queue === 't-plain'), 5_000)).toBe(true);
    // The probe looks every 0.25 s; a loop alone would look again only after 30 s.
    expect(handled.find((h) => h.queue === 't-plain')!.at - sent).toBeLessThan(10_000);
  });

  it('a job sent to start later is handled once it is due, not before', async () => {
    const sent = Date.now();
    await jobs.send(database, 't-later', { n: 2 }, { startAfter: 1 });
    expect(await until(() => handled.some((h) => h.queue === 't-later'), 6_000)).toBe(true);
    const at = handled.find((h) => h.queue === 't-later')!.at;
    expect(at - sent).toBeGreaterThanOrEqual(900);
    expect(at - sent).toBeLessThan(10_000);
  });

  it('a failed job is retried after its delay (the probe wakes the sleeping loop)', async () => {
    await jobs.send(database, 't-retry', { n: 3 });
    expect(await until(() => handled.some((h) => h.queue === 't-retry'), 8_000)).toBe(true);
    expect(failFirst).toBe(false);
    expect(handled.filter((h) => h.queue === 't-retry')).toHaveLength(1);
  });

  it('wake() hands a job to a sleeping loop at once, without waiting for the probe', async () => {
    // A process whose probe looks only every 20 s: within a few seconds only wake() can do it.
    const other = await anotherProcess('t-wake');
    let at = 0;
    await other.work(
      't-wake',
      async () => {
        at = Date.now();
      },
      { pollingIntervalSeconds: 20 },
    );
    await new Promise((r) => setTimeout(r, 300));
    const sent = Date.now();
    await database.tx(async (tx) => {
      await other.send(tx, 't-wake', { n: 4 });
    });
    other.wake('t-wake');
    expect(await until(() => at > 0, 8_000)).toBe(true);
    expect(at - sent).toBeLessThan(8_000);
    await other.stop();
  });

  it('stop() ends sleeping loops at once (they sleep up to 30 s between looks of their own)', async () => {
    const other = await anotherProcess('t-stop');
    await other.work('t-stop', async () => {}, { pollingIntervalSeconds: 0.25 });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await other.stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
