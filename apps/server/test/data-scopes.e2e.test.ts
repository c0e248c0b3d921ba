import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefusedUnwritten, type Res, sampleOrder, startTestApp, type TestApp } from './helpers.ts';

/**
 * Data scopes per user: a user limited to shop A and warehouse A never sees anything of shop B or
 * warehouse B, through any read route. The walk is derived from the OpenAPI document, so a new GET
 * route fails here until it is classified below.
 */

let t: TestApp;
let scopedToken: string;
let scopedUserId: string;
const ids = {} as Record<
  'shopA' | 'shopB' | 'whA' | 'whB' | 'orderA' | 'orderB' | 'countA' | 'countB' | 'inboxA' | 'inboxB',
  string
>;
let orderB: { id: string; orderNo: string; externalOrderId: string; version: number };
/** Text that names shop B, its order or warehouse B: none of it may reach the scoped user. */
let markers: string[];

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function ok(res: Res, status = 201) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

beforeAll(async () => {
  t = await startTestApp();
  const admin = t.as('admin');
  ids.shopA = (
    await ok(await admin.post('/api/channel-accounts', { code: 'shop-a', name: '甲店', channel: 'taobao' }))
  ).id;
  ids.shopB = (
    await ok(
      await admin.post('/api/channel-accounts', { code: 'shop-b', name: 'Zeta乙店', channel: 'douyin' }),
    )
  ).id;
  ids.whA = (await ok(await admin.post('/api/warehouses', { code: 'WH-A', name: '甲仓', priority: 10 }))).id;
  ids.whB = (
    await ok(await admin.post('/api/warehouses', { code: 'WH-B', name: 'Zeta乙仓', priority: 5 }))
  ).id;
  await ok(await admin.post('/api/skus', { code: 'SCOPE-A', name: '甲货' }));
  await ok(await admin.post('/api/skus', { code: 'SCOPE-B', name: '乙货' }));
  await ok(
    await admin.post('/api/inventory/receipts', {
      warehouse: 'WH-A',
      lines: [{ sku: 'SCOPE-A', quantity: 20 }],
    }),
  );
  await ok(
    await admin.post('/api/inventory/receipts', {
      warehouse: 'WH-B',
      lines: [{ sku: 'SCOPE-B', quantity: 20 }],
    }),
  );
  const line = (sku: string) => [{ channelSku: sku, sku, title: sku, quantity: 1, unitPrice: 5000 }];
  const a = await ok(
    await admin.post(
      '/api/orders',
      sampleOrder({
        channelAccount: 'shop-a',
        externalOrderId: 'EXT-A-0001',
        lines: line('SCOPE-A'),
        discount: 0,
        total: 5000,
      }),
    ),
  );
  ids.orderA = a.order.id;
  const b = await ok(
    await admin.post(
      '/api/orders',
      sampleOrder({
        channelAccount: 'shop-b',
        externalOrderId: 'EXT-B-0001',
        lines: line('SCOPE-B'),
        discount: 0,
        total: 5000,
      }),
    ),
  );
  ids.orderB = b.order.id;
  orderB = b.order;
  // A second order of shop B on hold, so that the hold queues have something of B to hide.
  const held = await ok(
    await admin.post(
      '/api/orders',
      sampleOrder({
        channelAccount: 'shop-b',
        externalOrderId: 'EXT-B-0002',
        lines: line('SCOPE-B'),
        discount: 0,
        total: 5000,
      }),
    ),
  );
  await ok(
    await admin.post(`/api/orders/${held.order.id}/transitions`, {
      event: 'hold',
      version: held.order.version,
      reasonCode: 'MANUAL',
    }),
    200,
  );
  ids.countA = (
    await ok(
      await admin.post('/api/inventory/counts:preview', {
        format: 'csv',
        content: b64('sku,warehouse,counted\nSCOPE-A,WH-A,19\n'),
      }),
    )
  ).id;
  ids.countB = (
    await ok(
      await admin.post('/api/inventory/counts:preview', {
        format: 'csv',
        content: b64('sku,warehouse,counted\nSCOPE-B,WH-B,18\n'),
      }),
    )
  ).id;
  for (const [key, account] of [
    ['inboxA', ids.shopA],
    ['inboxB', ids.shopB],
  ] as const) {
    ids[key] = `inb_scope_${key}`;
    await t.database.query(
      `INSERT INTO channel_inbox (id, account_id, message_id, topic, headers, raw_body, status, error, received_at, updated_at)
       VALUES ($1, $2, $3, 'orders/create', '{}'::jsonb, $4, 'rejected', 'bad signature', now(), now())`,
      [ids[key], account, `msg-${key}`, Buffer.from('{}')],
    );
  }
  // The scoped user: every permission (admin), but only shop A and warehouse A; through a token.
  const user = await ok(
    await admin.post('/api/users', {
      username: 'scoped-a',
      role: 'admin',
      password: 'scoped-password-123',
      scope: { channelAccounts: [ids.shopA], warehouses: [ids.whA] },
    }),
  );
  scopedUserId = user.id;
  expect(user.scope).toEqual({ channelAccounts: [ids.shopA], warehouses: [ids.whA] });
  scopedToken = (await ok(await admin.post('/api/tokens', { name: 'scoped', username: 'scoped-a' }))).token;
  markers = [
    ids.shopB,
    'shop-b',
    'douyin',
    'Zeta乙店',
    ids.orderB,
    orderB.orderNo,
    'EXT-B-',
    ids.whB,
    'WH-B',
    'Zeta乙仓',
    ids.countB,
    ids.inboxB,
  ];
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const asScoped = (method: string, url: string, body?: unknown) =>
  t.request(method, url, { token: scopedToken, ...(body !== undefined ? { body } : {}) });

function leaks(res: Res): string[] {
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  return markers.filter((m) => text.includes(m));
}

type Rule =
  /** A list or figure: answered, with nothing of shop B or warehouse B in it. */
  | { kind: 'list'; query?: string }
  /** One thing by id: ours is answered, theirs is 404 (not 403: its existence is not told). */
  | { kind: 'byId'; own: () => string; other: () => string; query?: string }
  /** Not shop or warehouse data (or administration over users); why is said. */
  | { kind: 'unscoped'; why: string; query?: string };

/** Every GET route of the API document, classified. A new route must be added here. */
const RULES: Record<string, Rule> = {
  'GET /api/auth/me': { kind: 'list' },
  'GET /api/users': {
    kind: 'unscoped',
    why: 'administration: users:manage sees every user and their scopes',
  },
  'GET /api/tokens': { kind: 'list' },
  'GET /api/audit': { kind: 'list' },
  'GET /api/channel-accounts': { kind: 'list' },
  'GET /api/channel-accounts/{id}/health': { kind: 'byId', own: () => ids.shopA, other: () => ids.shopB },
  'GET /api/channel-accounts/{id}/backfills': { kind: 'byId', own: () => ids.shopA, other: () => ids.shopB },
  'GET /api/channel-accounts/{id}/stock-pushes': {
    kind: 'byId',
    own: () => ids.shopA,
    other: () => ids.shopB,
  },
  'GET /api/inbox': { kind: 'list' },
  'GET /api/inbox/{id}': { kind: 'byId', own: () => ids.inboxA, other: () => ids.inboxB },
  'GET /api/channels/drift': { kind: 'list' },
  'GET /api/channels/alerts': { kind: 'list' },
  'GET /api/skus': { kind: 'unscoped', why: 'the SKU master is shared by every shop and warehouse' },
  'GET /api/orders': { kind: 'list' },
  'GET /api/orders/counts': { kind: 'list' },
  'GET /api/orders/holds': { kind: 'list' },
  'GET /api/orders/{id}': { kind: 'byId', own: () => ids.orderA, other: () => ids.orderB },
  'GET /api/orders/{id}/reservations': { kind: 'byId', own: () => ids.orderA, other: () => ids.orderB },
  'GET /api/orders/{id}/payments': { kind: 'byId', own: () => ids.orderA, other: () => ids.orderB },
  'GET /api/orders/{id}/receiver-history': { kind: 'byId', own: () => ids.orderA, other: () => ids.orderB },
  'GET /api/warehouses': { kind: 'list' },
  'GET /api/inventory/levels': { kind: 'list' },
  'GET /api/inventory/movements': { kind: 'list' },
  'GET /api/inventory/heatmap': { kind: 'list' },
  'GET /api/inventory/counts/{id}': { kind: 'byId', own: () => ids.countA, other: () => ids.countB },
  'GET /api/inventory/alerts': { kind: 'list' },
  'GET /api/inventory/available': {
    kind: 'byId',
    own: () => '',
    other: () => '',
    query: 'account=',
  },
  'GET /api/payment-accounts': {
    kind: 'unscoped',
    why: 'payment provider accounts are the merchant’s, not a shop’s (no order data)',
  },
  'GET /api/payment-accounts/{id}': {
    kind: 'unscoped',
    why: 'payment provider accounts are the merchant’s, not a shop’s (no order data)',
  },
  'GET /api/payments/exceptions': { kind: 'list' },
  'GET /api/payments/events': { kind: 'list' },
  'GET /api/inspections': { kind: 'list' },
  'GET /api/channel-refund-reviews': { kind: 'list' },
  'GET /api/metrics/orders-by-channel': {
    kind: 'list',
    query: 'from=2025-06-01T00:00:00Z&to=2026-05-01T00:00:00Z',
  },
  'GET /api/metrics/sales': { kind: 'list', query: 'from=2025-06-01T00:00:00Z&to=2026-05-01T00:00:00Z' },
  'GET /api/metrics/stages': { kind: 'list' },
  'GET /api/metrics/funnel': { kind: 'list', query: 'from=2025-06-01T00:00:00Z&to=2026-05-01T00:00:00Z' },
  'GET /api/metrics/health': { kind: 'list', query: 'from=2025-06-01T00:00:00Z&to=2026-05-01T00:00:00Z' },
  'GET /api/exports/orders': { kind: 'list', query: 'format=csv' },
  // Saved views are filters (query strings), not orders: a view naming another shop finds nothing.
  'GET /api/views': { kind: 'list', query: 'page=orders' },
};

/** Routes whose path takes something other than an id of the table above. */
function fill(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, encodeURIComponent(value));
}

describe('a user with a data scope', () => {
  it('walks every GET route of the API document and sees nothing of the other shop or warehouse', async () => {
    const doc = (await t.as(null).get('/docs/json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths)
      .filter(([p, ops]) => p.startsWith('/api/') && 'get' in ops)
      .map(([p]) => `GET ${p}`);
    const unclassified = routes.filter((r) => !(r in RULES));
    expect(unclassified, 'classify each new GET route in RULES').toEqual([]);
    const problems: string[] = [];
    for (const route of routes) {
      const rule = RULES[route]!;
      const path = route.slice(4);
      const q = rule.query ? `?${rule.query}` : '';
      if (route === 'GET /api/inventory/available') {
        const mine = await asScoped('GET', `${path}?account=shop-a`);
        const theirs = await asScoped('GET', `${path}?account=shop-b`);
        if (mine.status !== 200) problems.push(`${route} own: ${mine.status}`);
        if (theirs.status !== 422 || theirs.body.code !== 'CHANNEL_ACCOUNT_UNKNOWN')
          problems.push(`${route} other shop: ${theirs.status} ${JSON.stringify(theirs.body).slice(0, 200)}`);
        continue;
      }
      if (rule.kind === 'unscoped') {
        const res = await asScoped('GET', fill(path, 'x') + q);
        if (!path.includes('{') && res.status !== 200) problems.push(`${route}: ${res.status}`);
        continue;
      }
      if (rule.kind === 'list') {
        const res = await asScoped('GET', path + q);
        if (res.status !== 200)
          problems.push(`${route}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        const found = leaks(res);
        if (found.length) problems.push(`${route} shows ${found.join(', ')}`);
        continue;
      }
      const own = await asScoped('GET', fill(path, rule.own()) + q);
      if (own.status !== 200)
        problems.push(`${route} own: ${own.status} ${JSON.stringify(own.body).slice(0, 200)}`);
      const ownLeaks = leaks(own);
      if (ownLeaks.length) problems.push(`${route} own shows ${ownLeaks.join(', ')}`);
      const other = await asScoped('GET', fill(path, rule.other()) + q);
      if (other.status !== 404) problems.push(`${route} other: ${other.status} (expected 404)`);
      const otherLeaks = leaks({ ...other, body: other.body?.detail === undefined ? other.body : {} });
      if (otherLeaks.length) problems.push(`${route} other shows ${otherLeaks.join(', ')}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('the same walk unscoped does show the other shop (the markers are real)', async () => {
    const all = await t.as('admin').get('/api/orders');
    expect(leaks(all)).toEqual(expect.arrayContaining([ids.orderB, 'EXT-B-']));
    const levels = await t.as('admin').get('/api/inventory/levels');
    expect(leaks(levels)).toContain('WH-B');
  });

  it('counts only his shops’ orders: the tab counts equal his list and differ from everyone’s', async () => {
    const mine = await asScoped('GET', '/api/orders/counts');
    const all = await t.as('admin').get('/api/orders/counts');
    expect(mine.status).toBe(200);
    const list = await asScoped('GET', '/api/orders?limit=200');
    expect(mine.body.total).toBe(list.body.items.length);
    expect(mine.body.total).toBe(1);
    expect(all.body.total).toBe(3);
    // Filtered counts (not from the kept totals) honour the scope too.
    const filtered = await asScoped('GET', '/api/orders/counts?buyerNick=zz-nobody');
    expect(filtered.body.total).toBe(0);
    const byPhone = await asScoped('GET', '/api/orders/counts?phone=5678');
    expect(byPhone.body.total).toBe(1);
    // Asking for the other shop by name gives nothing, not its orders.
    const other = await asScoped('GET', '/api/orders/counts?account=shop-b');
    expect(other.body.total).toBe(0);
    expect((await asScoped('GET', '/api/orders?account=shop-b')).body.items).toEqual([]);
    expect((await asScoped('GET', `/api/orders?orderNos=${orderB.orderNo}`)).body.items).toEqual([]);
  });

  it('cannot change an order of another shop: 404, and the order is untouched', async () => {
    const before = (await t.as('admin').get(`/api/orders/${ids.orderB}`)).body;
    const attempts = [
      await asScoped('POST', `/api/orders/${ids.orderB}/transitions`, {
        event: 'hold',
        version: before.version,
        reasonCode: 'MANUAL',
      }),
      await asScoped('POST', `/api/orders/${ids.orderB}/tags`, { version: before.version, add: ['x'] }),
      await asScoped('PUT', `/api/orders/${ids.orderB}/seller-note`, { version: before.version, note: 'x' }),
    ];
    for (const res of attempts) {
      expect(res.status, JSON.stringify(res.body)).toBe(404);
      expect(res.body.code).toBe('ORDER_NOT_FOUND');
    }
    // Nor take orders into another shop.
    const ingest = await asScoped('POST', '/api/orders', sampleOrder({ channelAccount: 'shop-b' }));
    expect(ingest.status).toBe(422);
    expect(ingest.body.code).toBe('CHANNEL_ACCOUNT_UNKNOWN');
    const after = (await t.as('admin').get(`/api/orders/${ids.orderB}`)).body;
    expect(after.version).toBe(before.version);
    expect(after.tags).toEqual(before.tags);
  });

  it('a console session carries the same scope as the token', async () => {
    const login = await t.request('POST', '/api/auth/login', {
      as: null,
      body: { username: 'scoped-a', password: 'scoped-password-123' },
    });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const res = await t.request('GET', '/api/orders', { as: null, headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([ids.orderA]);
    const me = await t.request('GET', '/api/auth/me', { as: null, headers: { cookie } });
    expect(me.body.scope).toEqual({ channelAccounts: [ids.shopA], warehouses: [ids.whA] });
  });
});

describe('setting a scope', () => {
  it('is audited with the old and new scope, and applies at the next request', async () => {
    const res = await t.as('admin').patch(`/api/users/${scopedUserId}`, {
      scope: { channelAccounts: [ids.shopA, ids.shopB], warehouses: [] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.scope.channelAccounts.sort()).toEqual([ids.shopA, ids.shopB].sort());
    const audit = await t.as('admin').get(`/api/audit?entityId=${scopedUserId}&action=user.update`);
    expect(audit.body.items[0].summary.scope).toEqual([
      { channelAccounts: [ids.shopA], warehouses: [ids.whA] },
      { channelAccounts: [ids.shopA, ids.shopB].sort(), warehouses: [] },
    ]);
    expect((await asScoped('GET', '/api/orders/counts')).body.total).toBe(3);
    const back = await t.as('admin').patch(`/api/users/${scopedUserId}`, {
      scope: { channelAccounts: [ids.shopA], warehouses: [ids.whA] },
    });
    expect(back.status).toBe(200);
    expect((await asScoped('GET', '/api/orders/counts')).body.total).toBe(1);
  });

  it('refuses a scope naming an unknown shop or warehouse, with the ids, and changes nothing', async () => {
    const tables = ['users', 'audit_log', 'sessions', 'api_tokens'];
    const body = await expectRefusedUnwritten(
      t,
      tables,
      () =>
        t.as('admin').patch(`/api/users/${scopedUserId}`, {
          displayName: 'half-changed?',
          scope: { channelAccounts: [ids.shopA, 'cha_nope'], warehouses: [] },
        }),
      422,
      'USER_SCOPE_UNKNOWN_ACCOUNT',
    );
    expect(body.details.ids).toEqual(['cha_nope']);
    await expectRefusedUnwritten(
      t,
      tables,
      () =>
        t.as('admin').post('/api/users', {
          username: 'scoped-bad',
          role: 'operations',
          password: 'scoped-password-123',
          scope: { channelAccounts: [], warehouses: ['whs_nope'] },
        }),
      422,
      'USER_SCOPE_UNKNOWN_WAREHOUSE',
    );
    const user = (await t.as('admin').get('/api/users')).body.find(
      (u: { id: string }) => u.id === scopedUserId,
    );
    expect(user.displayName).not.toBe('half-changed?');
    expect(user.scope).toEqual({ channelAccounts: [ids.shopA], warehouses: [ids.whA] });
  });

  it('a shop id of the wrong kind (a warehouse id as a shop) is unknown too', async () => {
    const res = await t
      .as('admin')
      .patch(`/api/users/${scopedUserId}`, { scope: { channelAccounts: [ids.whA], warehouses: [] } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('USER_SCOPE_UNKNOWN_ACCOUNT');
  });
});
