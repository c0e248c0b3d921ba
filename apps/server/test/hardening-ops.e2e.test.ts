import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/platform/config.ts';
import { sampleOrder, startTestApp, type TestApp, testConfig } from './helpers.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123';
/** An address outside the default allow list (loopback). */
const OUTSIDE = '198.51.100.20';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { metricsToken: METRICS_TOKEN } });
});
afterAll(async () => {
  await t?.close();
});

async function get(url: string, opts: { ip?: string; headers?: Record<string, string> } = {}) {
  const res = await t.app.http.inject({
    method: 'GET',
    url,
    remoteAddress: opts.ip ?? OUTSIDE,
    headers: opts.headers ?? {},
  });
  return res;
}

describe('security headers', () => {
  it('sends a CSP without framing, nosniff and a referrer policy on the console page and /docs', async () => {
    for (const url of ['/', '/orders/some-deep-link', '/docs']) {
      let res = await get(url);
      if (res.statusCode >= 300 && res.statusCode < 400) res = await get(String(res.headers.location));
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
    }
  });

  it('sends nosniff and a deny-all CSP on API answers too', async () => {
    const res = await t.request('GET', '/api/auth/me');
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('serves no /docs when ORDERHUB_API_DOCS=false: a 404 problem, not the console page', async () => {
    expect(loadConfig({ ORDERHUB_API_DOCS: 'false' }).apiDocs).toBe(false);
    expect(loadConfig({}).apiDocs).toBe(true);
    const app = await buildApp(testConfig({ apiDocs: false }), { database: t.database, migrate: true });
    try {
      for (const url of ['/docs', '/docs/', '/docs/json', '/docs/static/index.html']) {
        const res = await app.http.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
        expect(res.json().code, url).toBe('NOT_FOUND');
      }
    } finally {
      await app.close();
    }
  });
});

describe('paths that are not console pages', () => {
  it('answers an unknown /api path with a 404 problem, never the console page', async () => {
    for (const url of ['/api/nope', '/api', '/api/orders/x/y/z', '/metrics/x', '/healthz/x']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      expect(res.json().code, url).toBe('NOT_FOUND');
    }
  });
});

describe('/metrics', () => {
  it('refuses a scrape without the token from outside the allow list, 401 problem', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-wrong-token' },
      { authorization: `Bearer ${t.tokens.admin}` },
    ];
    for (const headers of attempts) {
      const res = await get('/metrics', { headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().code).toBe('UNAUTHENTICATED');
      expect(res.body).not.toContain('http_request_duration_seconds');
    }
  });

  it('serves the Prometheus text to the token, and to loopback by default', async () => {
    // Some traffic first: an order (its jobs wait, no workers run here), a refused checkout.
    expect((await t.as('admin').post('/api/orders', sampleOrder())).status).toBe(201);
    await t.as('admin').get('/api/orders/ord_doesnotexist');
    const refused = await t.as('admin').post('/api/reservations', {
      externalOrderId: 'CHK-NONE',
      lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }],
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);

    const res = await get('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    // Labelled by the route pattern, never the URL with its id.
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/orders\/:id",status_code="404"\} 1/,
    );
    expect(text).not.toContain('ord_doesnotexist');
    expect(text).toMatch(/orderhub_job_queue_depth\{queue="[^"]+",state="created"\} [1-9]/);
    expect(text).toContain('# TYPE orderhub_job_queue_oldest_seconds gauge');
    expect(text).toMatch(/orderhub_ingest_orders_total\{outcome="created"\} [1-9]/);
    expect(text).toContain('# TYPE orderhub_reservation_refusals_total counter');
    expect(text).toMatch(/orderhub_db_pool_connections\{state="total"\} [1-9]/);
    expect(text).toContain('nodejs_eventloop_lag_seconds');

    const local = await get('/metrics', { ip: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
  });

  it('reads the allow list: addresses, CIDRs and loopback; a bad entry stops the start', () => {
    expect(loadConfig({}).metricsAllow).toEqual(['loopback']);
    expect(loadConfig({ ORDERHUB_METRICS_ALLOW: '10.0.0.0/8, 192.0.2.7' }).metricsAllow).toEqual([
      '10.0.0.0/8',
      '192.0.2.7',
    ]);
    expect(() => loadConfig({ ORDERHUB_METRICS_ALLOW: 'everyone' })).toThrow(/ORDERHUB_METRICS_ALLOW/);
    expect(() => loadConfig({ ORDERHUB_METRICS_TOKEN: 'short' })).toThrow(/ORDERHUB_METRICS_TOKEN/);
  });
});

describe('/readyz', () => {
  it('fails with 503 while a migration is pending, and is ready again once it is applied', async () => {
    expect((await get('/readyz')).statusCode).toBe(200);
    const last = (
      await t.database.query<{ id: number; hash: string; created_at: string }>(
        `SELECT id, hash, created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
      )
    )[0]!;
    await t.database.query(`DELETE FROM drizzle.__drizzle_migrations WHERE id = $1`, [last.id]);
    try {
      const res = await get('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json().status).toBe('migrations pending');
      expect(res.json().pending).toHaveLength(1);
    } finally {
      await t.database.query(
        `INSERT INTO drizzle.__drizzle_migrations (id, hash, created_at) VALUES ($1, $2, $3)`,
        [last.id, last.hash, last.created_at],
      );
    }
    expect((await get('/readyz')).statusCode).toBe(200);
  });

  it('fails with 503 when the database cannot be reached', async () => {
    const original = t.database.query;
    (t.database as { query: typeof original }).query = async () => {
      throw new Error('connection refused');
    };
    try {
      expect((await get('/readyz')).statusCode).toBe(503);
    } finally {
      (t.database as { query: typeof original }).query = original;
    }
    expect((await get('/readyz')).statusCode).toBe(200);
  });
});
