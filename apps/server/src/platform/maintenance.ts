import { DATABASE_MAINTENANCE_QUEUE } from './jobs.ts';
import { defineModule } from './module.ts';

/**
 * PGlite has no autovacuum: without statistics the planner guesses, and prepared plans go stale.
 * This runs `Database.maintain` each minute there (a no-op on PostgreSQL, where it is not scheduled).
 */
export const databaseMaintenance = defineModule({
  name: 'database-maintenance',
  queues: [{ name: DATABASE_MAINTENANCE_QUEUE, retryLimit: 0 }],
  workers: [
    {
      queue: DATABASE_MAINTENANCE_QUEUE,
      handler:
        ({ database, log }) =>
        async () => {
          const done = await database.maintain();
          if (done.analyzed.length) log.debug(done, 'database statistics gathered');
        },
    },
  ],
  schedules: [
    {
      queue: DATABASE_MAINTENANCE_QUEUE,
      cron: '* * * * *',
      enabled: ({ database }) => database.kind === 'pglite',
    },
  ],
});
