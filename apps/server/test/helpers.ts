import { randomBytes } from 'node:crypto';
import type { IngestOrderBody, Role } from '@orderhub/contracts';
import { ROLES } from '@orderhub/contracts';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { expect } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { createToken, createUser } from '../src/modules/auth/index.ts';
import { createSku } from '../src/modules/catalog/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import type { Clock } from '../src/platform/clock.ts';
import { type Config, loadConfig } from '../src/platform/config.ts';
import { type Database, openDatabase } from '../src/platform/db.ts';
import { withDatabase } from './global-setup.ts';

export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const onPostgres = Boolean(process.env['DATABASE_URL']);

/** A fresh, migrated database for one test file: in-memory PGlite, or a copy of the PostgreSQL template. */
export async function freshDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  const url = process.env['DATABASE_URL'];
  if (!url) {
    const database = await openDatabase({ dataDir: 'memory://' });
    return { database, drop: async () => database.close() };
  }
  const template = process.env['ORDERHUB_TEST_TEMPLATE'];
  if (!template) throw new Error('the test global setup did not prepare a template database');
  const name = `orderhub_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (e) {
      // Two copies started at the same instant can trip over each other; wait and retry.
      if (attempt > 10) throw e;
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
    }
  }
  const database = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 30 });
  return {
    database,
    drop: async () => {
      await database.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    },
  };
}

export interface Res<T = any> {
  status: number;
  body: T;
  headers: LightMyRequestResponse['headers'];
}

type Body = unknown;

export interface TestApp {
  app: App;
  database: Database;
  config: Config;
  tokens: Record<Role, string>;
  request(
    method: string,
    url: string,
    opts?: {
      as?: Role | null;
      token?: string;
      body?: Body;
      headers?: Record<string, string>;
      payload?: string;
    },
  ): Promise<Res>;
  as(role: Role | null): {
    get(url: string): Promise<Res>;
    post(url: string, body?: Body, headers?: Record<string, string>): Promise<Res>;
    patch(url: string, body?: Body): Promise<Res>;
    delete(url: string): Promise<Res>;
  };
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig(
    {
      ORDERHUB_MASTER_KEY: TEST_MASTER_KEY,
      ORDERHUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ORDERHUB_DATA_DIR: '/nonexistent-orderhub-test-dir',
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
      ORDERHUB_WORKERS: 'false',
      TZ_DEFAULT: 'Asia/Shanghai',
    },
    overrides,
  );
}

/** The master SKUs of `sampleOrder`, seeded untracked (no stock kept) unless a test asks otherwise. */
export const SAMPLE_SKUS = ['TEA-SET-01', 'CUP-02'] as const;

/**
 * The app on a fresh database, with one user and API token per role. `sampleSkus` (default true)
 * puts the SKUs of `sampleOrder` in the master as untracked goods, so that its orders are neither
 * held SKU_UNMAPPED nor short of stock; tests about stock pass false and create their own.
 */
export async function startTestApp(
  opts: { clock?: Clock; config?: Partial<Config>; sampleSkus?: boolean } = {},
): Promise<TestApp> {
  const { database, drop } = await freshDatabase();
  const config = testConfig(opts.config);
  const app = await buildApp(config, {
    database,
    migrate: true,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const tokens = {} as Record<Role, string>;
  const cli = systemActor('test', 'cli');
  const now = new Date();
  if (opts.sampleSkus !== false) {
    await database.tx(async (tx) => {
      for (const code of SAMPLE_SKUS)
        await createSku(tx, now, cli, { code, name: `Sample ${code}`, tracked: false });
    });
  }
  for (const role of ROLES) {
    const username = `${role}-user`;
    await database.tx(async (tx) => {
      await createUser(tx, now, cli, { username, role, password: `${role}-password-123` });
      tokens[role] = (await createToken(tx, now, cli, { name: 'tests', username })).token;
    });
  }
  const request: TestApp['request'] = async (method, url, o = {}) => {
    const token = o.token ?? (o.as === null ? undefined : tokens[o.as ?? 'admin']);
    const res = await app.http.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(o.body !== undefined || o.payload !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      ...(o.payload !== undefined
        ? { payload: o.payload }
        : o.body !== undefined
          ? { payload: JSON.stringify(o.body) }
          : {}),
    });
    const text = res.body;
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (docs pages)
    }
    return { status: res.statusCode, body, headers: res.headers };
  };
  return {
    app,
    database,
    config,
    tokens,
    request,
    as(role) {
      return {
        get: (url) => request('GET', url, { as: role }),
        post: (url, body, headers) =>
          request('POST', url, { as: role, body: body ?? {}, ...(headers ? { headers } : {}) }),
        patch: (url, body) => request('PATCH', url, { as: role, body: body ?? {} }),
        delete: (url) => request('DELETE', url, { as: role }),
      };
    },
    async count(table) {
      const rows = await database.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`);
      return Number(rows[0]?.n ?? 0);
    },
    async close() {
      await app.close();
      await drop();
    },
  };
}

let seq = 0;

/** A valid order; override what the test is about. Amounts add up. */
export function sampleOrder(overrides: Partial<IngestOrderBody> = {}): IngestOrderBody {
  seq++;
  return {
    channelAccount: 'default',
    externalOrderId: `T-${Date.now().toString(36)}-${seq}-${randomBytes(3).toString('hex')}`,
    currency: 'CNY',
    placedAt: '2026-01-09T00:00:05Z',
    paidAt: '2026-01-09T00:01:00Z',
    receiver: {
      name: '李四',
      phone: '13812345678',
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      detail: '文三路 100 号',
    },
    lines: [
      { channelSku: 'TEA-SET-01', sku: 'TEA-SET-01', title: '茶具', quantity: 1, unitPrice: 8000 },
      { channelSku: 'CUP-02', sku: 'CUP-02', title: '杯', quantity: 2, unitPrice: 1000 },
    ],
    discount: 2000,
    total: 8000,
    ...overrides,
  };
}

/**
 * Sends the request, expects a problem+json refusal with `status` and `code`, and proves that
 * none of `tables` gained or lost a row. Returns the problem body.
 */
export async function expectRefusedUnwritten(
  t: TestApp,
  tables: readonly string[],
  send: () => Promise<{ status: number; body: any }>,
  status: number,
  code: string,
) {
  const snapshot = async () =>
    Object.fromEntries(await Promise.all(tables.map(async (tb) => [tb, await t.count(tb)] as const)));
  const before = await snapshot();
  const res = await send();
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.code).toBe(code);
  expect(res.body.title).toBe(code);
  expect(typeof res.body.detail).toBe('string');
  expect(await snapshot()).toEqual(before);
  return res.body;
}
