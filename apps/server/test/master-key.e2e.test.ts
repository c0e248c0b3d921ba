import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { createToken, createUser } from '../src/modules/auth/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createFieldCrypto } from '../src/platform/crypto.ts';
import { type Database, openDatabase } from '../src/platform/db.ts';
import { MissingKeysError } from '../src/platform/keys.ts';
import { withDatabase } from './global-setup.ts';
import { onPostgres, sampleOrder } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'apps/server/bin/orderhub.js');
const SLOW = { timeout: 300_000 };

const keyOf = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const kidOf = (b64: string) =>
  createHash('sha256').update('orderhub-kid').update(Buffer.from(b64, 'base64')).digest('hex').slice(0, 8);
const KEY_A = keyOf(11);
const KEY_B = keyOf(22);
const KEY_C = keyOf(33);
const KID_A = kidOf(KEY_A);
const KID_B = kidOf(KEY_B);
const KID_C = kidOf(KEY_C);

let dir: string;
let url: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
let database: Database | undefined;
let token = '';
const orderIds: string[] = [];

function env(master: string, retired: string[] = []): Record<string, string> {
  return {
    ORDERHUB_MASTER_KEY: master,
    ...(retired.length ? { ORDERHUB_RETIRED_KEYS: retired.join(',') } : {}),
    ORDERHUB_ADMIN_PASSWORD: 'admin-password-for-tests',
    ORDERHUB_DATA_DIR: dir,
    ORDERHUB_WORKERS: 'false',
    LOG_LEVEL: 'warn',
    ...(url ? { DATABASE_URL: url } : {}),
  };
}

async function open(): Promise<Database> {
  database ??= await openDatabase(url ? { databaseUrl: url, poolSize: 4 } : { dataDir: dir });
  return database;
}

/** PGlite is one process per folder: the in-process database is closed before the CLI runs. */
async function release() {
  if (!onPostgres && database) {
    await database.close();
    database = undefined;
  }
}

async function boot(master: string, retired: string[] = [], lines?: string[]): Promise<App> {
  const logger = lines
    ? pino(
        { level: 'warn' },
        new Writable({
          write(chunk, _enc, cb) {
            lines.push(String(chunk));
            cb();
          },
        }),
      )
    : undefined;
  return buildApp(loadConfig(env(master, retired), { logLevel: 'silent' }), {
    database: await open(),
    migrate: true,
    ...(logger ? { logger } : {}),
  });
}

async function call(app: App, method: 'GET' | 'POST', u: string, body?: unknown) {
  const res = await app.http.inject({
    method,
    url: u,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  let parsed: any = res.body;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    // CSV
  }
  return { status: res.statusCode, body: parsed };
}

/** Rows in every table of the application and of the job queue. */
async function rowCounts(db: Database): Promise<Record<string, number>> {
  const tables = await db.query<{ t: string }>(
    `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS t FROM information_schema.tables
      WHERE table_schema IN ('public', 'pgboss') AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { t } of tables)
    counts[t] = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`))[0]!.n);
  return counts;
}

function run(args: string[], e: Record<string, string>) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base))
    if (k.startsWith('ORDERHUB_') || ['DATABASE_URL', 'PORT', 'HOST'].includes(k)) delete base[k];
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...base, PORT: '0', ...e },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sealedKeyIds = async (db: Database) =>
  (
    await db.query<{ k: string }>(
      `SELECT DISTINCT split_part(v, '.', 2) AS k FROM (
         SELECT receiver_name_enc AS v FROM orders UNION ALL SELECT receiver_phone_enc FROM orders
         UNION ALL SELECT receiver_detail_enc FROM orders UNION ALL SELECT payload_enc FROM order_raw_payloads) s
        WHERE v IS NOT NULL ORDER BY 1`,
    )
  ).map((r) => r.k);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orderhub-keys-'));
  if (onPostgres) {
    const base = process.env['DATABASE_URL']!;
    const name = `orderhub_keys_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${process.env['ORDERHUB_TEST_TEMPLATE']}`);
    url = withDatabase(base, name);
    dropDatabase = async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    };
  }
  // Three orders sealed under key A.
  const app = await boot(KEY_A);
  try {
    await database!.tx(async (tx) => {
      const cli = systemActor('test', 'cli');
      await createUser(tx, new Date(), cli, {
        username: 'keys-admin',
        role: 'admin',
        password: 'keys-admin-pw-1',
      });
      token = (await createToken(tx, new Date(), cli, { name: 'tests', username: 'keys-admin' })).token;
    });
    for (let i = 0; i < 3; i++) {
      const res = await call(app, 'POST', '/api/orders', sampleOrder());
      expect(res.status).toBe(201);
      orderIds.push(res.body.order.id);
    }
  } finally {
    await app.close();
  }
}, SLOW.timeout);

afterAll(async () => {
  await database?.close();
  await dropDatabase?.();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('master key safety', () => {
  it(
    'records the key id of the data and refuses a start with another key, writing nothing',
    SLOW,
    async () => {
      const db = await open();
      expect(await sealedKeyIds(db)).toEqual([KID_A]);
      const keys = await db.query<{ key_id: string; retired_at: Date | null }>(
        `SELECT key_id, retired_at FROM sealing_keys`,
      );
      expect(keys).toEqual([{ key_id: KID_A, retired_at: null }]);

      const before = await rowCounts(db);
      expect(before['public.orders']).toBe(3);
      const refused = boot(KEY_B);
      await expect(refused).rejects.toBeInstanceOf(MissingKeysError);
      await expect(refused).rejects.toThrow(new RegExp(`key id ${KID_A}.*ORDERHUB_RETIRED_KEYS`));
      expect(await rowCounts(db)).toEqual(before);

      // The command line: start, migrate and one-shot commands refuse with exit code 78.
      await release();
      for (const args of [
        ['start'],
        ['migrate'],
        ['user', 'create', '--username', 'x1', '--role', 'finance'],
      ]) {
        const res = await run(args, env(KEY_B));
        expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(78);
        expect(res.stderr).toContain(`key id ${KID_A}`);
        expect(res.stderr).toContain(`gives key id ${KID_B}`);
        expect(res.stderr).toContain('ORDERHUB_RETIRED_KEYS');
        expect(res.stdout).not.toContain('one-time password');
      }
      expect(await rowCounts(await open())).toEqual(before);
    },
  );

  it(
    'reads the old rows with the retired key given, and seals new ones under the new key',
    SLOW,
    async () => {
      const app = await boot(KEY_B, [KEY_A]);
      try {
        const list = await call(app, 'GET', '/api/orders?limit=100');
        expect(list.status).toBe(200);
        expect(list.body.items).toHaveLength(3);
        for (const o of list.body.items)
          expect(o.receiver).toMatchObject({ name: '李*', phone: '138****5678' });
        const revealed = await call(app, 'GET', `/api/orders/${orderIds[0]}?reveal=true`);
        expect(revealed.body.receiver).toMatchObject({ name: '李四', phone: '+8613812345678' });

        const created = await call(app, 'POST', '/api/orders', sampleOrder());
        expect(created.status).toBe(201);
        orderIds.push(created.body.order.id);
        const row = await database!.query<{ receiver_name_enc: string }>(
          `SELECT receiver_name_enc FROM orders WHERE id = $1`,
          [created.body.order.id],
        );
        expect(row[0]!.receiver_name_enc.startsWith(`v1.${KID_B}.`)).toBe(true);
        const keys = await database!.query<{ key_id: string }>(
          `SELECT key_id FROM sealing_keys WHERE retired_at IS NULL ORDER BY key_id`,
        );
        expect(keys.map((k) => k.key_id).sort()).toEqual([KID_A, KID_B].sort());
      } finally {
        await app.close();
      }
    },
  );

  it('shows a row under a missing key as unreadable in lists and exports, logged once', SLOW, async () => {
    const lines: string[] = [];
    const app = await boot(KEY_B, [KEY_A], lines);
    const target = orderIds[1]!;
    const [original] = await database!.query<{ n: string; p: string }>(
      `SELECT receiver_name_enc AS n, receiver_phone_enc AS p FROM orders WHERE id = $1`,
      [target],
    );
    const stray = createFieldCrypto(Buffer.from(KEY_C, 'base64'));
    await database!.query(`UPDATE orders SET receiver_name_enc = $2, receiver_phone_enc = $3 WHERE id = $1`, [
      target,
      stray.encrypt('王五'),
      stray.encrypt('+8613900000000'),
    ]);
    try {
      const unreadable = `unreadable: key ${KID_C} missing`;
      for (let i = 0; i < 2; i++) {
        const list = await call(app, 'GET', '/api/orders?limit=100');
        expect(list.status).toBe(200);
        expect(list.body.items).toHaveLength(4);
        for (const o of list.body.items) {
          if (o.id === target) expect(o.receiver).toMatchObject({ name: unreadable, phone: unreadable });
          else expect(o.receiver).toMatchObject({ name: '李*', phone: '138****5678', detail: '文三路****' });
        }
      }
      const detail = await call(app, 'GET', `/api/orders/${target}?reveal=true`);
      expect(detail.status).toBe(200);
      expect(detail.body.receiver).toMatchObject({ name: unreadable, detail: '文三路 100 号' });

      const csv = await call(app, 'GET', '/api/exports/orders?format=csv');
      expect(csv.status).toBe(200);
      const rows = String(csv.body).trim().split('\n');
      expect(rows).toHaveLength(5);
      expect(rows.filter((r) => r.includes(unreadable))).toHaveLength(1);
      expect(rows.filter((r) => r.includes('李*'))).toHaveLength(3);

      // Logged once for the key id, however many times the row was shown.
      expect(lines.filter((l) => l.includes(KID_C))).toHaveLength(1);
      expect(lines.join('')).not.toContain('王五');
    } finally {
      await app.close();
      await database!.query(
        `UPDATE orders SET receiver_name_enc = $2, receiver_phone_enc = $3 WHERE id = $1`,
        [target, original!.n, original!.p],
      );
    }
  });

  it(
    'keys rotate re-seals everything, stops and carries on, and then the retired key can go',
    SLOW,
    async () => {
      await release();
      const first = await run(
        ['keys', 'rotate', '--batch-size', '1', '--max-batches', '1'],
        env(KEY_B, [KEY_A]),
      );
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(`re-sealing personal data under key id ${KID_B}`);
      expect(first.stdout).toContain('orders: 3 row(s) to re-seal');
      expect(first.stdout).toContain('orders: 1/3 re-sealed');
      expect(first.stdout).toContain('stopped after 1 batch(es)');
      expect(first.stdout).not.toContain('done');

      // Before the end, key A still holds data: a start without it is refused.
      const early = await run(['keys', 'status'], env(KEY_B));
      expect(early.code).toBe(78);
      expect(early.stdout).toMatch(new RegExp(`^${KID_A}\\tMISSING`, 'm'));

      const second = await run(['keys', 'rotate', '--batch-size', '2'], env(KEY_B, [KEY_A]));
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('orders: 2 row(s) to re-seal');
      expect(second.stdout).toContain('order raw payloads: 3 row(s) to re-seal');
      expect(second.stdout).toContain(
        `done: re-sealed 5 row(s); all personal data is sealed under key id ${KID_B}; key id(s) ${KID_A} hold no data any more and can be removed from ORDERHUB_RETIRED_KEYS`,
      );

      const status = await run(['keys', 'status'], env(KEY_B));
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^${KID_A}\\tnot needed`, 'm'));
      expect(status.stdout).toMatch(new RegExp(`^${KID_B}\\tcurrent`, 'm'));

      const db = await open();
      expect(await sealedKeyIds(db)).toEqual([KID_B]);

      // The server starts without the retired key and reads every order, old and new.
      const app = await boot(KEY_B);
      try {
        const list = await call(app, 'GET', '/api/orders?limit=100');
        expect(list.body.items).toHaveLength(4);
        for (const o of list.body.items)
          expect(o.receiver).toMatchObject({ name: '李*', phone: '138****5678' });
        const revealed = await call(app, 'GET', `/api/orders/${orderIds[0]}?reveal=true`);
        expect(revealed.body.receiver).toMatchObject({ name: '李四', detail: '文三路 100 号' });
        // The phone's blind index follows the key: the old orders are found by phone again.
        const byPhone = await call(app, 'GET', '/api/orders?phone=13812345678&limit=100');
        expect(byPhone.body.items).toHaveLength(4);
        // So do the last-four and name hashes.
        const byLast4 = await call(app, 'GET', '/api/orders?phone=5678&limit=100');
        expect(byLast4.body.items).toHaveLength(4);
        const byName = await call(
          app,
          'GET',
          `/api/orders?receiverName=${encodeURIComponent('李四')}&limit=100`,
        );
        expect(byName.body.items).toHaveLength(4);
      } finally {
        await app.close();
      }
      // And the old key alone is now the stray one.
      await expect(boot(KEY_A)).rejects.toThrow(`key id ${KID_B}`);
    },
  );
});
