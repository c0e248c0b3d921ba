import { createServer } from 'node:net';
import type { Role } from '@orderhub/contracts';
import { ROLES } from '@orderhub/contracts';
import { expect } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { createToken, createUser } from '../src/modules/auth/index.ts';
import { createSku } from '../src/modules/catalog/index.ts';
import type { PaymentSettings } from '../src/modules/payments/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import type { Clock } from '../src/platform/clock.ts';
import type { Database } from '../src/platform/db.ts';
import { freshDatabase, type Res, SAMPLE_SKUS, sampleOrder, testConfig } from './helpers.ts';

/** A clock that runs with the system's, shifted by `skewMs` (our server's clock being wrong). */
export class SkewedClock implements Clock {
  constructor(public skewMs = 0) {}
  now(): Date {
    return new Date(Date.now() + this.skewMs);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PaymentsApp {
  app: App;
  database: Database;
  url: string;
  clock: SkewedClock;
  tokens: Record<Role, string>;
  request(
    method: string,
    url: string,
    opts?: { as?: Role; body?: unknown; headers?: Record<string, string> },
  ): Promise<Res>;
  count(table: string, where?: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

/**
 * The server listening on a loopback port (providers' simulators deliver callbacks to it), on a fresh
 * database, with one API token per role and the sample SKUs untracked.
 */
export async function startPaymentsApp(settings: Partial<PaymentSettings> = {}): Promise<PaymentsApp> {
  const { database, drop } = await freshDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const clock = new SkewedClock();
  const app = await buildApp(testConfig(), {
    database,
    migrate: true,
    clock,
    settings: { payments: { publicUrl: url, ...settings } },
  });
  await app.http.listen({ port, host: '127.0.0.1' });
  const cli = systemActor('test', 'cli');
  const now = new Date();
  await database.tx(async (tx) => {
    for (const code of SAMPLE_SKUS)
      await createSku(tx, now, cli, { code, name: `Sample ${code}`, tracked: false });
  });
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES)
    await database.tx(async (tx) => {
      await createUser(tx, now, cli, { username: `${role}-user`, role, password: `${role}-password-123` });
      tokens[role] = (await createToken(tx, now, cli, { name: 'tests', username: `${role}-user` })).token;
    });
  const request: PaymentsApp['request'] = async (method, path, o = {}) => {
    const res = await app.http.inject({
      method: method as 'GET',
      url: path,
      headers: {
        authorization: `Bearer ${tokens[o.as ?? 'admin']}`,
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      ...(o.body !== undefined ? { payload: JSON.stringify(o.body) } : {}),
    });
    let body: unknown = res.body;
    try {
      body = res.body ? JSON.parse(res.body) : null;
    } catch {
      // not JSON
    }
    return { status: res.statusCode, body, headers: res.headers };
  };
  return {
    app,
    database,
    url,
    clock,
    tokens,
    request,
    async count(table, where, params) {
      const rows = await database.query<{ n: string | number }>(
        `SELECT count(*) AS n FROM ${table}${where ? ` WHERE ${where}` : ''}`,
        params ?? [],
      );
      return Number(rows[0]?.n ?? 0);
    },
    async close() {
      await app.close();
      await drop();
    },
  };
}

/** A paying simulator as the tests drive it. */
export interface PaySim {
  url: string;
  accountSettings: unknown;
  pay(client: Record<string, string>, opts?: { amount?: number }): unknown;
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function addAccount(
  t: PaymentsApp,
  code: string,
  provider: 'wechatpay' | 'alipay' | 'stripe',
  sim: { url: string; accountSettings: unknown },
  extra: Record<string, unknown> = {},
) {
  const res = await t.request('POST', '/api/payment-accounts', {
    as: 'finance',
    body: {
      code,
      name: `${provider} ${code}`,
      provider,
      baseUrl: sim.url,
      settings: sim.accountSettings,
      ...extra,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; notifyUrl: string };
}

/** An order waiting for payment (80.00 CNY unless told). */
export async function pendingOrder(t: PaymentsApp, overrides: Record<string, unknown> = {}) {
  const { paidAt: _p, ...base } = sampleOrder();
  const res = await t.request('POST', '/api/orders', {
    body: { ...base, status: 'pending_payment', ...overrides },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.order as { id: string; orderNo: string; status: string; total: number };
}

export async function startPayment(t: PaymentsApp, orderId: string, account: string) {
  const res = await t.request('POST', `/api/orders/${orderId}/payments`, {
    body: { paymentAccount: account },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; merchantTradeNo: string; client: Record<string, string>; amount: number };
}

export async function orderStatus(
  t: PaymentsApp,
  orderId: string,
): Promise<{ status: string; holdReason: string | null }> {
  const res = await t.request('GET', `/api/orders/${orderId}`);
  return { status: res.body.status, holdReason: res.body.holdReason };
}

export async function waitFor(check: () => Promise<boolean>, ms = 20_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
