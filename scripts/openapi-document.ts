/**
 * The OpenAPI document as the server serves it at /docs/json, built in-process on an in-memory
 * database (nothing listens, nothing is written but the output file).
 *
 *   tsx scripts/openapi-document.ts [out.json]     (stdout without an argument)
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/platform/config.ts';
import { openDatabase } from '../apps/server/src/platform/db.ts';

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const database = await openDatabase({ dataDir: 'memory://' });
  const config = loadConfig(
    {
      ORDERHUB_MASTER_KEY: randomBytes(32).toString('base64'),
      ORDERHUB_DATA_DIR: '/nonexistent-orderhub-openapi-dir',
      ORDERHUB_ADMIN_PASSWORD: randomBytes(12).toString('hex'),
      ORDERHUB_WORKERS: 'false',
      LOG_LEVEL: 'silent',
    },
    {},
  );
  const app = await buildApp(config, { database, migrate: true });
  try {
    const res = await app.http.inject({ method: 'GET', url: '/docs/json' });
    if (res.statusCode !== 200) throw new Error(`/docs/json answered ${res.statusCode}`);
    return res.json();
  } finally {
    await app.close();
    await database.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const doc = JSON.stringify(await openApiDocument(), null, 2);
  const out = process.argv[2];
  if (out) await writeFile(out, `${doc}\n`);
  else process.stdout.write(`${doc}\n`);
}
