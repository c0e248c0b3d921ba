import {
  EXPORT_FIELDS,
  PERMISSIONS,
  type Permission,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
  roleHas,
} from '@orderhub/contracts';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRoute } from '../src/platform/http.ts';
import { type Res, sampleOrder, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let routes: readonly ApiRoute[];

beforeAll(async () => {
  t = await startTestApp();
  routes = t.app.http.apiRoutes;
});
afterAll(async () => {
  await t?.close();
});

/** A request URL for a route pattern: `::` is a literal colon, `:name` a path parameter. */
function concrete(url: string): string {
  return url
    .split('::')
    .map((part) => part.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, 'zz_$1_missing'))
    .join(':');
}

/** The same route as the OpenAPI document names it. */
function documented(url: string): string {
  return url
    .split('::')
    .map((part) => part.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}'))
    .join(':');
}

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

function send(route: ApiRoute, auth: { as: Role | null } | { token: string }): Promise<Res> {
  const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
  return t.request(route.method, concrete(route.url), { ...auth, ...(withBody ? { body: {} } : {}) });
}

describe('the route table', () => {
  it('declares a known permission (or public) for every /api route, and documents every one', async () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) {
      if (r.public) expect(r.permission, key(r.method, r.url)).toBeNull();
      else expect(PERMISSIONS, key(r.method, r.url)).toContain(r.permission);
    }
    const registered = new Set(
      routes.filter((r) => r.method !== 'HEAD').map((r) => key(r.method, documented(r.url))),
    );

    const doc = (await t.as(null).get('/docs/json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const inDoc = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const method of Object.keys(ops)) inDoc.add(key(method, path));
    }
    // Partners' callbacks are public (their signature is the proof) and left out of the document:
    // they speak the partner's protocol, not this API's, and each is tested against its simulator.
    const partnerCallbacks = ['POST /api/channels/push/{accountCode}', 'POST /api/payments/notify/{code}'];
    for (const k of partnerCallbacks) {
      const r = routes.find((x) => key(x.method, documented(x.url)) === k);
      expect(r?.public, k).toBe(true);
      registered.delete(k);
    }
    expect([...registered].sort()).toEqual([...inDoc].sort());

    // The routes this suite was written against are all there (new ones join the matrix by themselves).
    for (const k of [
      'POST /api/auth/login',
      'POST /api/auth/logout',
      'GET /api/auth/me',
      'GET /api/users',
      'POST /api/users',
      'PATCH /api/users/:id',
      'GET /api/tokens',
      'POST /api/tokens',
      'DELETE /api/tokens/:id',
      'GET /api/channel-accounts',
      'POST /api/channel-accounts',
      'PATCH /api/channel-accounts/:id',
      'POST /api/orders',
      'POST /api/orders::batch',
      'GET /api/orders',
      'GET /api/orders/:id',
      'POST /api/orders/:id/transitions',
      'GET /api/audit',
    ]) {
      expect(routes.map((r) => key(r.method, r.url))).toContain(k);
    }
    // Only logging in and out work without credentials — and the partners' signed callbacks.
    expect(
      routes
        .filter((r) => r.public)
        .map((r) => key(r.method, r.url))
        .sort(),
    ).toEqual([
      'POST /api/auth/login',
      'POST /api/auth/logout',
      'POST /api/channels/push/:accountCode',
      'POST /api/payments/notify/:code',
    ]);
    const declared = (m: string, u: string) => routes.find((r) => r.method === m && r.url === u)?.permission;
    expect(declared('GET', '/api/audit')).toBe('audit:read');
    expect(declared('POST', '/api/users')).toBe('users:manage');
    expect(declared('POST', '/api/orders')).toBe('orders:ingest');
  });
});

describe('role × route', () => {
  it('answers 403 FORBIDDEN exactly when the role lacks the route’s permission', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    let forbidden = 0;
    for (const role of ROLES) {
      for (const route of routes) {
        const res = await send(route, { as: role });
        checked++;
        const denied = route.permission !== null && !roleHas(role, route.permission);
        const where = `${role} ${key(route.method, route.url)} → ${res.status} ${res.body?.code ?? ''}`;
        if (denied) {
          forbidden++;
          if (res.status !== 403) mismatches.push(`${where}: expected 403`);
          else if (route.method !== 'HEAD') {
            if (res.body?.code !== 'FORBIDDEN' || res.body?.details?.permission !== route.permission)
              mismatches.push(`${where}: expected FORBIDDEN for ${route.permission}`);
          }
        } else if (res.status === 401 || res.status === 403) {
          mismatches.push(`${where}: the role holds ${route.permission ?? 'public'}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(ROLES.length * routes.length);
    // Every role but admin is refused somewhere, and admin nowhere.
    expect(forbidden).toBeGreaterThan(0);
    for (const role of ROLES) {
      const refused = routes.filter((r) => r.permission && !roleHas(role, r.permission));
      if (role === 'admin') expect(refused).toEqual([]);
      else expect(refused.length, role).toBeGreaterThan(0);
    }
  });

  it('answers 401 UNAUTHENTICATED on every non-public route without credentials', async () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      const res = await send(route, { as: null });
      const where = `${key(route.method, route.url)} → ${res.status} ${res.body?.code ?? ''}`;
      if (route.public) {
        // A partner callback without a valid signature is refused in the partner's own form (401).
        const partner =
          route.url.startsWith('/api/channels/push/') || route.url.startsWith('/api/payments/notify/');
        if (!partner && (res.status === 401 || res.status === 403))
          mismatches.push(`${where}: the route is public`);
      } else if (res.status !== 401 || (route.method !== 'HEAD' && res.body?.code !== 'UNAUTHENTICATED')) {
        mismatches.push(`${where}: expected 401 UNAUTHENTICATED`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('answers 401 to a revoked token on every non-public route', async () => {
    const created = await t.as('admin').post('/api/tokens', { name: 'to-revoke' });
    expect(created.status).toBe(201);
    expect((await t.as('admin').delete(`/api/tokens/${created.body.id}`)).status).toBe(200);
    for (const route of routes.filter((r) => !r.public)) {
      const res = await send(route, { token: created.body.token });
      expect(res.status, key(route.method, route.url)).toBe(401);
    }
  });

  it('gives each role the permissions of the contract, as /api/auth/me reports', async () => {
    for (const role of ROLES) {
      const me = await t.as(role).get('/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.role).toBe(role);
      expect(me.body.permissions).toEqual([...ROLE_PERMISSIONS[role]]);
    }
  });
});

describe('per-event permissions on POST /api/orders/:id/transitions', () => {
  async function move(role: Role, id: string, event: string, version: number, reasonCode?: string) {
    return t
      .as(role)
      .post(`/api/orders/${id}/transitions`, { event, version, ...(reasonCode ? { reasonCode } : {}) });
  }

  function expectForbidden(res: Res, permission: Permission) {
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(res.body.details).toEqual({ permission });
  }

  it('lets each role take only the events its permissions allow', async () => {
    const ingested = await t.as('operations').post('/api/orders', sampleOrder());
    expect(ingested.status).toBe(201);
    const id = ingested.body.order.id as string;
    expect(ingested.body.order).toMatchObject({ status: 'paid', version: 1 });

    // Warehouse may read the order but not approve it; the refusal changes nothing.
    expectForbidden(await move('warehouse', id, 'approve', 1), 'orders:review');
    expectForbidden(await move('finance', id, 'hold', 1, 'CUSTOMER_REQUEST'), 'orders:review');
    expectForbidden(await move('auditor', id, 'cancel', 1, 'BUYER_REQUEST'), 'orders:cancel');
    const unchanged = await t.as('warehouse').get(`/api/orders/${id}`);
    expect(unchanged.body).toMatchObject({ status: 'paid', version: 1 });
    const approve = unchanged.body.nextEvents.find((e: { event: string }) => e.event === 'approve');
    expect(approve).toMatchObject({ allowed: false, blockedBy: { code: 'FORBIDDEN' } });

    // Customer service may hold, release and approve.
    const held = await move('customer_service', id, 'hold', 1, 'CUSTOMER_REQUEST');
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ status: 'on_hold', holdReason: 'CUSTOMER_REQUEST', version: 2 });
    const released = await move('customer_service', id, 'release', 2);
    expect(released.body).toMatchObject({ status: 'under_review', version: 3 });
    const approved = await move('customer_service', id, 'approve', 3);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', version: 4 });

    // Fulfilment belongs to the warehouse, not to customer service nor operations.
    expectForbidden(await move('customer_service', id, 'start_fulfilment', 4), 'orders:fulfil');
    expectForbidden(await move('operations', id, 'start_fulfilment', 4), 'orders:fulfil');
    const started = await move('warehouse', id, 'start_fulfilment', 4);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ status: 'fulfilling', version: 5 });

    const timeline = started.body.timeline.map((e: { event: string; actorName: string }) => [
      e.event,
      e.actorName.split(' ')[0],
    ]);
    expect(timeline).toEqual([
      ['created', 'operations-user'],
      ['hold', 'customer_service-user'],
      ['release', 'customer_service-user'],
      ['approve', 'customer_service-user'],
      ['start_fulfilment', 'warehouse-user'],
    ]);
    // The refused attempts left no audit rows.
    const audit = await t.as('admin').get(`/api/audit?entityType=order&entityId=${id}&limit=100`);
    expect(audit.body.items.map((r: { action: string }) => r.action).sort()).toEqual(
      ['order.approve', 'order.hold', 'order.ingest', 'order.release', 'order.start_fulfilment'].sort(),
    );
  });
});

describe('amounts follow orders:amounts in every answer', () => {
  /** Keys that carry money in any answer; the warehouse may see them only as null. */
  const MONEY_KEYS = new Set([
    'goodsAmount',
    'shippingFee',
    'discount',
    'tax',
    'total',
    'subtotal',
    'unitPrice',
    'amount',
    'price',
  ]);

  function moneyFields(value: unknown, path = '$', out: string[] = []): string[] {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) moneyFields(v, `${path}[${i}]`, out);
    } else if (value && typeof value === 'object') {
      // Money sits beside a currency (orders, timeline details) or a quantity (lines); a `total`
      // elsewhere is a count (e.g. the hold queues).
      const priced = 'currency' in value || 'quantity' in value;
      for (const [k, v] of Object.entries(value)) {
        if (priced && MONEY_KEYS.has(k) && v !== null) out.push(`${path}.${k}=${JSON.stringify(v)}`);
        moneyFields(v, `${path}.${k}`, out);
      }
    }
    return out;
  }

  it('gives the warehouse no amount field and none of the order’s amounts, on any route', async () => {
    // Amounts that appear nowhere else: goods 739.11 + 2 × 41.27, shipping 9.77, discount 12.34.
    const ingested = await t.as('admin').post(
      '/api/orders',
      sampleOrder({
        externalOrderId: 'ROLES-AMOUNTS-1',
        lines: [
          { channelSku: 'TEA-SET-01', sku: 'TEA-SET-01', title: '茶具', quantity: 1, unitPrice: 73_911 },
          { channelSku: 'CUP-02', sku: 'CUP-02', title: '杯', quantity: 2, unitPrice: 4_127 },
        ],
        shippingFee: 977,
        discount: 1_234,
        total: 81_908,
      }),
    );
    expect(ingested.status).toBe(201);
    const id = ingested.body.order.id as string;
    // Move it on so the timeline holds more than its creation (a guard may refuse: the answer counts too).
    const answers: { what: string; res: Res }[] = [];
    const version = async () => (await t.as('admin').get(`/api/orders/${id}`)).body.version as number;
    await t.as('admin').post(`/api/orders/${id}/transitions`, { event: 'approve', version: await version() });
    answers.push({
      what: 'start_fulfilment (warehouse)',
      res: await t
        .as('warehouse')
        .post(`/api/orders/${id}/transitions`, { event: 'start_fulfilment', version: await version() }),
    });

    // What those who may see money see: the amounts to look for, and a `created` entry that has them.
    const full = await t.as('admin').get(`/api/orders/${id}`);
    expect(full.body.total).toBe(81_908);
    expect(full.body.timeline[0].details).toMatchObject({ total: 81_908, currency: 'CNY' });
    const known = new Set<number>();
    for (const f of moneyFields(full.body)) {
      const n = Number(f.split('=')[1]);
      if (Number.isInteger(n) && n >= 1000) known.add(n);
    }
    expect(known).toContain(73_911);
    expect(known).toContain(81_908);
    const patterns = [...known].flatMap((n) => [
      new RegExp(`(?<![\\w.])${n}(?![\\w])`),
      new RegExp(`(?<![\\w.])${Math.trunc(n / 100)}\\.${String(n % 100).padStart(2, '0')}(?!\\d)`),
    ]);

    // Every route as the warehouse, with the order's id where a route takes one.
    for (const route of routes) {
      if (route.method === 'HEAD') continue;
      const url = concrete(route.url.replace(/^\/api\/orders\/:id/, `/api/orders/${id}`));
      answers.push({
        what: key(route.method, url),
        res: await t.request(route.method, url, {
          as: 'warehouse',
          ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { body: {} } : {}),
        }),
      });
    }
    for (const url of [
      `/api/orders/${id}?reveal=true`,
      '/api/orders?orderNo=ROLES-AMOUNTS-1',
      '/api/orders?limit=200',
      '/api/exports/orders?orderNo=ROLES-AMOUNTS-1',
    ]) {
      answers.push({ what: url, res: await t.as('warehouse').get(url) });
    }
    const detail = answers.find((a) => a.what === `GET /api/orders/${id}`)!.res;
    expect(detail.status).toBe(200);
    expect(detail.body.timeline[0].event).toBe('created');
    expect(detail.body.timeline[0].details).not.toHaveProperty('total');
    expect(detail.body.timeline[0].details).toMatchObject({ currency: 'CNY' });

    // The XLSX export, read back as text.
    const xlsx = await t.app.http.inject({
      method: 'GET',
      // Every field there is, line level: none of the money fields may come through.
      url: `/api/exports/orders?format=xlsx&orderNo=ROLES-AMOUNTS-1&level=line&fields=${EXPORT_FIELDS.map((f) => f.key).join(',')}`,
      headers: { authorization: `Bearer ${t.tokens.warehouse}` },
    });
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const cells: unknown[] = [];
    book.worksheets[0]!.eachRow((row) => cells.push((row.values as unknown[]).slice(1)));
    answers.push({ what: 'xlsx export', res: { status: 200, body: cells, headers: {} } });

    const leaks: string[] = [];
    for (const { what, res } of answers) {
      const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      for (const f of moneyFields(res.body)) leaks.push(`${what}: ${f}`);
      for (const p of patterns) if (p.test(text)) leaks.push(`${what}: matches ${p}`);
      if (typeof res.body === 'string' && /goods_amount|shipping_fee|,total/.test(text))
        leaks.push(`${what}: money columns`);
    }
    expect(leaks).toEqual([]);
    expect(answers.length).toBeGreaterThan(routes.length / 2);
  });
});
