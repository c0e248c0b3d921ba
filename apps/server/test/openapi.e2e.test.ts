import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Res, sampleOrder, startTestApp, type TestApp } from './helpers.ts';

/** The password the login example uses; the test app's first admin gets it. */
const EXAMPLE_ADMIN_PASSWORD = 'the-one-time-password';
const BODY_LIMIT = 64 * 1024;

interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: {
    required?: boolean;
    content?: Record<
      string,
      { schema?: unknown; example?: unknown; examples?: Record<string, { value: unknown }> }
    >;
  };
  responses?: Record<string, unknown>;
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, Record<string, string>> };
}

interface Route {
  method: string;
  path: string;
  op: Operation;
}

/** Write routes that take no body at all; any other write route must document an example body. */
const BODILESS = ['POST /api/auth/logout'];

let t: TestApp;
let doc: OpenApiDoc;
let writes: Route[];

beforeAll(async () => {
  t = await startTestApp({
    config: { adminPassword: EXAMPLE_ADMIN_PASSWORD, bodyLimit: BODY_LIMIT },
    // The SKU example creates the sample order's SKU itself.
    sampleSkus: false,
  });
  const res = await t.as(null).get('/docs/json');
  expect(res.status).toBe(200);
  doc = res.body;
  writes = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      if (['post', 'put', 'patch', 'delete'].includes(method))
        writes.push({ method: method.toUpperCase(), path, op });
    }
  }
});
afterAll(async () => {
  await t?.close();
});

const name = (r: Route) => `${r.method} ${r.path}`;

function exampleOf(op: Operation): unknown {
  const media = op.requestBody?.content?.['application/json'];
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const first = Object.values(media.examples ?? {})[0];
  return first?.value;
}

type Created = Map<string, Res>;

/** The answer to an earlier example, which must have succeeded. */
function made(created: Created, route: string): Record<string, unknown> {
  const res = created.get(route);
  if (!res || res.status >= 300) throw new Error(`${route} made nothing to refer to`);
  return res.body;
}

/** A saved view of the admin's order list, for the routes that change one. */
async function freshView(name: string): Promise<string> {
  const res = await t.as('admin').post('/api/views', { page: 'orders', name, query: 'tab=to_review' });
  expect(res.status).toBe(201);
  return res.body.id;
}

/**
 * Real ids for the path parameters of each route: what the collection route's own example created
 * (examples run first, in order). A new route with a path parameter needs an entry here.
 */
const FIXTURES: Record<string, (created: Created) => Promise<Record<string, string>>> = {
  'PATCH /api/users/{id}': async (c) => ({ id: made(c, 'POST /api/users')['id'] as string }),
  'DELETE /api/tokens/{id}': async (c) => ({ id: made(c, 'POST /api/tokens')['id'] as string }),
  'PATCH /api/channel-accounts/{id}': async (c) => ({
    id: made(c, 'POST /api/channel-accounts')['id'] as string,
  }),
  'PATCH /api/skus/{id}': async (c) => ({ id: made(c, 'POST /api/skus')['id'] as string }),
  'PATCH /api/warehouses/{id}': async (c) => ({ id: made(c, 'POST /api/warehouses')['id'] as string }),
  // A count applies only to the stock it was previewed against: preview again right before.
  'POST /api/inventory/counts/{id}/apply': async () => {
    const preview = writes.find((r) => name(r) === 'POST /api/inventory/counts:preview')!;
    const res = await t.as('admin').post('/api/inventory/counts:preview', exampleOf(preview.op));
    expect(res.status).toBe(201);
    return { id: res.body.id };
  },
  'POST /api/inventory/freezes/{id}/release': async (c) => ({
    id: made(c, 'POST /api/inventory/freezes')['id'] as string,
  }),
  'POST /api/inventory/transfers/{id}/receive': async (c) => ({
    id: made(c, 'POST /api/inventory/transfers')['id'] as string,
  }),
  // A fresh order on an untracked SKU (no stock kept): paid, version 1, whatever the stock.
  'POST /api/orders/{id}/transitions': async () => ({ id: await untrackedOrder() }),
  // Nothing lacking: the retry has nothing to take and answers the order.
  'POST /api/orders/{id}/reservations:retry': async () => ({ id: await untrackedOrder() }),
  // A fresh order at version 1 carrying the tag the example removes.
  'POST /api/orders/{id}/tags': async () => ({ id: await untrackedOrder(['发票']) }),
  // A fresh order at version 1 (the example's version).
  'PUT /api/orders/{id}/seller-note': async () => ({ id: await untrackedOrder() }),
  // Edits before approval: a fresh paid order at version 1 (the examples' version).
  'PUT /api/orders/{id}/receiver': async () => ({ id: await untrackedOrder() }),
  'POST /api/orders/{id}/gift-lines': async () => ({ id: await untrackedOrder() }),
  'PUT /api/orders/{id}/lines/{lineId}': async () => {
    const id = await untrackedOrder();
    const d = await t.as('admin').get(`/api/orders/${id}`);
    return { id, lineId: d.body.lines[0].id };
  },
  'PATCH /api/payment-accounts/{id}': async (c) => ({
    id: made(c, 'POST /api/payment-accounts')['id'] as string,
  }),
  'PATCH /api/views/{id}': async (c) => ({ id: made(c, 'POST /api/views')['id'] as string }),
  // Sharing and deleting each take a view of their own, whatever order the document lists them in.
  'PUT /api/views/{id}/sharing': async () => ({ id: await freshView('to share') }),
  'DELETE /api/views/{id}': async () => ({ id: await freshView('to delete') }),
  'PUT /api/view-defaults/{page}': async () => ({ page: 'orders' }),
};

/**
 * Write routes whose example needs a live partner (a provider's or a platform's answer) or state only
 * a partner creates (a paid voucher, a stored push, a refund request): each runs for real against the
 * simulators in the file named. Here the example is posted to an id that does not exist: it must be
 * a valid body (the answer is a domain refusal such as the missing id's 404, never VALIDATION_FAILED).
 */
const ELSEWHERE: Record<string, string> = {
  'POST /api/channel-accounts/{id}/backfill': 'channels.e2e.test.ts',
  'POST /api/inbox/{id}/replay': 'channels.e2e.test.ts',
  'POST /api/channel-refund-reviews/{id}/decision': 'channels-refunds.e2e.test.ts',
  'POST /api/orders/{id}/payments': 'payments.e2e.test.ts',
  'POST /api/orders/{id}/refunds': 'payments.e2e.test.ts',
  'POST /api/payments/vouchers/{id}/resolve': 'payments.e2e.test.ts',
};

async function untrackedOrder(tags?: string[]): Promise<string> {
  const sku = await t.as('admin').post('/api/skus', { code: 'OPENAPI-1', name: '服务费', tracked: false });
  expect([201, 409]).toContain(sku.status);
  const res = await t.as('admin').post(
    '/api/orders',
    sampleOrder({
      lines: [{ channelSku: 'OPENAPI-1', sku: 'OPENAPI-1', quantity: 1, unitPrice: 500 }],
      discount: 0,
      total: 500,
      ...(tags ? { tags } : {}),
    }),
  );
  expect(res.status).toBe(201);
  expect(res.body.order).toMatchObject({ status: 'paid', version: 1 });
  return res.body.order.id;
}

/**
 * Examples that others refer to run first: the master data, then stock. The rest follow in the
 * document's order, and routes with path parameters last.
 */
const FIRST = [
  'POST /api/skus',
  'POST /api/warehouses',
  'POST /api/channel-accounts',
  'POST /api/users',
  'POST /api/inventory/receipts',
];

/** What examples refer to but no example creates: a second warehouse for the transfer example. */
async function prepareWorld(): Promise<void> {
  const wh = writes.find((r) => name(r) === 'POST /api/warehouses');
  if (!wh) return;
  const example = exampleOf(wh.op) as Record<string, unknown>;
  const res = await t.as('admin').post('/api/warehouses', { ...example, code: 'WH-SZ', name: '苏州仓' });
  expect(res.status).toBe(201);
}

function fill(path: string, params: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, p: string) => {
    const v = params[p];
    if (v === undefined) throw new Error(`no value for the path parameter ${p} of ${path}`);
    return encodeURIComponent(v);
  });
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with both ways to authenticate', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('orderhub API');
    expect(doc.components?.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer' },
      session: { type: 'apiKey', in: 'cookie', name: 'orderhub_session' },
    });
    expect(writes.length).toBeGreaterThanOrEqual(11);
  });

  it('gives every POST, PUT and PATCH route under /api an example request body', () => {
    const missing: string[] = [];
    const bodiless: string[] = [];
    for (const r of writes) {
      if (r.method === 'DELETE') continue;
      if (!r.op.requestBody) bodiless.push(name(r));
      else if (exampleOf(r.op) === undefined) missing.push(name(r));
    }
    expect(missing).toEqual([]);
    expect(bodiless.sort()).toEqual([...BODILESS].sort());
  });

  it('serves the docs UI at /docs', async () => {
    for (const url of ['/docs', '/docs/']) {
      const res = await t.as(null).get(url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(String(res.body)).toContain('Swagger UI');
    }
    const init = await t.as(null).get('/docs/static/swagger-initializer.js');
    expect(init.status).toBe(200);
    expect(String(init.body)).toContain('json');
  });
});

describe('the documented examples', () => {
  it('each succeeds when posted as the admin, ids substituted', async () => {
    await prepareWorld();
    const rank = (r: Route) => {
      const i = FIRST.indexOf(name(r));
      return i >= 0 ? i : r.path.includes('{') ? FIRST.length + 1 : FIRST.length;
    };
    const ordered = [...writes].sort((a, b) => rank(a) - rank(b));
    const created: Created = new Map();
    const results: { route: string; status: number; code?: string }[] = [];
    for (const r of ordered) {
      if (ELSEWHERE[name(r)]) {
        const example = exampleOf(r.op);
        const res = await t.request(r.method, r.path.replace(/\{[^}]+\}/g, 'no-such-id'), {
          as: 'admin',
          ...(example === undefined ? {} : { body: example }),
          ...(name(r) === 'POST /api/orders/{id}/refunds'
            ? { headers: { 'idempotency-key': 'openapi-example' } }
            : {}),
        });
        // A domain refusal (the missing order, account or voucher) means the body itself was valid.
        const valid = [404, 409, 422].includes(res.status) && res.body?.code !== 'VALIDATION_FAILED';
        results.push({
          route: name(r),
          status: valid ? 200 : res.status,
          ...(valid ? {} : { code: `${res.body?.code} (the example should be a valid body)` }),
        });
        continue;
      }
      const fixture = FIXTURES[name(r)];
      if (r.path.includes('{') && !fixture) {
        results.push({ route: name(r), status: 0, code: 'no fixture for its path parameters' });
        continue;
      }
      let url: string;
      try {
        url = fill(r.path, fixture ? await fixture(created) : {});
      } catch (e) {
        results.push({ route: name(r), status: 0, code: (e as Error).message });
        continue;
      }
      const example = exampleOf(r.op);
      const res = await t.request(r.method, url, {
        as: 'admin',
        ...(example === undefined ? {} : { body: example }),
      });
      created.set(name(r), res);
      results.push({
        route: name(r),
        status: res.status,
        ...(res.status >= 300 ? { code: res.body?.code } : {}),
      });
      if (res.status < 300 && typeof res.body?.failed === 'number') {
        // A batch answers 200 with per-item failures: the example's items must all succeed too.
        expect(res.body.failed, name(r)).toBe(0);
      }
    }
    const failures = results.filter((r) => r.status < 200 || r.status >= 300);
    expect(failures).toEqual([]);
    expect(results.length).toBe(writes.length);
  });

  it('created what they describe', async () => {
    const orders = await t.as('admin').get('/api/orders?orderNo=WEB-20260109-0001');
    expect(orders.body.items).toHaveLength(1);
    const users = await t.as('admin').get('/api/users');
    expect(users.body.map((u: { username: string }) => u.username)).toContain('kefu01');
    // The PATCH example changed the user the POST example created.
    expect(users.body.find((u: { username: string }) => u.username === 'kefu01').role).toBe('operations');
    const accounts = await t.as('admin').get('/api/channel-accounts');
    expect(accounts.body.map((a: { code: string }) => a.code)).toContain('tmall-flagship');
  });
});

describe('bad input on every write route', () => {
  const problem = (res: Res, status: number, code: string) => {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return { status: res.status, code: res.body?.code, want: { status, code } };
  };
  const bodied = () => writes.filter((r) => r.op.requestBody);
  /** Path parameters never reach a handler here: the body is refused first. */
  const urlOf = (r: Route) => r.path.replace(/\{[^}]+\}/g, 'zz_missing');

  async function expectAll(check: (r: Route) => Promise<ReturnType<typeof problem>>) {
    const before = await t.count('audit_log');
    const wrong: string[] = [];
    for (const r of bodied()) {
      const got = await check(r);
      if (got.status !== got.want.status || got.code !== got.want.code)
        wrong.push(`${name(r)}: ${got.status} ${got.code}, expected ${got.want.status} ${got.want.code}`);
    }
    expect(wrong).toEqual([]);
    expect(await t.count('audit_log')).toBe(before);
  }

  it('refuses malformed JSON with 400 MALFORMED_JSON', async () => {
    await expectAll(async (r) =>
      problem(
        await t.request(r.method, urlOf(r), { as: 'admin', payload: '{"username": "x",' }),
        400,
        'MALFORMED_JSON',
      ),
    );
  });

  it('refuses an empty JSON body with 400 MALFORMED_JSON', async () => {
    await expectAll(async (r) =>
      problem(await t.request(r.method, urlOf(r), { as: 'admin', payload: '' }), 400, 'MALFORMED_JSON'),
    );
  });

  it('refuses another media type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectAll(async (r) =>
      problem(
        await t.request(r.method, urlOf(r), {
          as: 'admin',
          payload: 'username=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ),
    );
  });

  it('refuses an unknown field in the example with 400 VALIDATION_FAILED naming it', async () => {
    await expectAll(async (r) => {
      const example = exampleOf(r.op) as Record<string, unknown>;
      const res = await t.request(r.method, urlOf(r), { as: 'admin', body: { ...example, zzUnknown: 1 } });
      const got = problem(res, 400, 'VALIDATION_FAILED');
      const named = (res.body?.details?.errors ?? []).some(
        (e: { unknownField?: string }) => e.unknownField === 'zzUnknown',
      );
      return named ? got : { ...got, code: `${got.code} without naming zzUnknown` };
    });
  });

  it('refuses a body that is not an object with 400 VALIDATION_FAILED', async () => {
    await expectAll(async (r) =>
      problem(await t.request(r.method, urlOf(r), { as: 'admin', body: [] }), 400, 'VALIDATION_FAILED'),
    );
  });

  it('refuses a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ note: 'x'.repeat(BODY_LIMIT + 10) });
    await expectAll(async (r) =>
      problem(await t.request(r.method, urlOf(r), { as: 'admin', payload: big }), 413, 'PAYLOAD_TOO_LARGE'),
    );
  });

  it('does not coerce types in bodies, and refuses unknown query parameters', async () => {
    const before = await t.count('orders');
    const asText = await t.as('admin').post('/api/orders', { ...sampleOrder(), total: '8000' });
    expect(asText.status).toBe(400);
    expect(asText.body.code).toBe('VALIDATION_FAILED');
    expect(asText.body.details.errors).toContainEqual(
      expect.objectContaining({ in: 'body', path: '/total' }),
    );
    expect(await t.count('orders')).toBe(before);

    const unknownQuery = await t.as('admin').get('/api/audit?bogus=1');
    expect(unknownQuery.status).toBe(400);
    expect(unknownQuery.body.code).toBe('VALIDATION_FAILED');
    const badLimit = await t.as('admin').get('/api/audit?limit=0');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.code).toBe('VALIDATION_FAILED');
    // Query strings are text: numbers in them are read as numbers.
    const ok = await t.as('admin').get('/api/audit?limit=2');
    expect(ok.status).toBe(200);
    expect(ok.body.items).toHaveLength(2);
  });

  it('answers an unknown /api route with 404 NOT_FOUND as problem+json', async () => {
    const res = await t.as('admin').get('/api/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
