import pg from 'pg';
import { openDatabase } from '../src/platform/db.ts';
import { startJobs } from '../src/platform/jobs.ts';
import { createLogger } from '../src/platform/log.ts';

/**
 * On PostgreSQL (DATABASE_URL set), migrate one template database once; each test file then gets
 * its own copy (CREATE DATABASE … TEMPLATE), so files never see each other's rows.
 */
export default async function setup() {
  const url = process.env['DATABASE_URL'];
  if (process.env['ORDERHUB_EXPECT_DB'] === 'postgres' && !url) {
    throw new Error(
      'ORDERHUB_EXPECT_DB=postgres but DATABASE_URL is not set: the PostgreSQL pass must not silently run on PGlite',
    );
  }
  if (!url) return;
  const template = `orderhub_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const tplUrl = withDatabase(url, template);
  const db = await openDatabase({ databaseUrl: tplUrl, poolSize: 2 });
  await db.migrate();
  const jobs = await startJobs(db, {
    migrate: true,
    supervise: false,
    queues: [],
    log: createLogger('silent'),
  });
  await jobs.stop();
  await db.close();
  process.env['ORDERHUB_TEST_TEMPLATE'] = template;
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`).catch(() => undefined);
    await admin.end();
  };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
