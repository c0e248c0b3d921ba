/**
 * `npm run bench:console`: how long the console takes from navigation to a rendered order list and
 * order detail in Chromium, on an otherwise empty database holding one page of orders (baseline) and with 200,000 orders loaded, in the
 * same process; prints both and the ratio (target ≤ 2). Also prints the console's JS bundle size for
 * the first load (target < 1.5 MB gzip).
 *
 * BENCH_ORDERS overrides the number of orders; BENCH_RUNS the navigations per measurement (median).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { ensureConsoleBuild } from '../apps/console/scripts/ensure-build.mjs';
import { launchChromium } from '../apps/console/test/e2e/browser.ts';
import { buildApp } from '../apps/server/src/app.ts';
import { createToken, createUser } from '../apps/server/src/modules/auth/index.ts';
import { systemActor } from '../apps/server/src/platform/actor.ts';
import { loadConfig } from '../apps/server/src/platform/config.ts';
import { openDatabase } from '../apps/server/src/platform/db.ts';

const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 200_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'apps/console/dist');

interface Timing {
  list: number;
  detail: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function scenario(browser: Browser, orders: number): Promise<Timing> {
  const database = await openDatabase({ dataDir: 'memory://' });
  const config = loadConfig({
    ORDERHUB_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    ORDERHUB_ADMIN_PASSWORD: 'bench-admin-password',
    ORDERHUB_DATA_DIR: '/nonexistent-orderhub-bench',
    LOG_LEVEL: 'silent',
    ORDERHUB_WORKERS: 'false',
  });
  const app = await buildApp(config, { database, migrate: true });
  try {
    const now = new Date();
    const cli = systemActor('bench', 'cli');
    const token = await database.tx(async (tx) => {
      await createUser(tx, now, cli, { username: 'bench', role: 'admin', password: 'bench-password-1' });
      return (await createToken(tx, now, cli, { name: 'bench', username: 'bench' })).token;
    });
    const base = await app.http.listen({ port: 0, host: '127.0.0.1' });
    // One order through the API (the one whose detail is opened), the rest in bulk.
    const res = await fetch(`${base}/api/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channelAccount: 'default',
        externalOrderId: 'BENCH-DETAIL',
        currency: 'CNY',
        placedAt: new Date(now.getTime() - 60_000).toISOString(),
        paidAt: new Date(now.getTime() - 50_000).toISOString(),
        receiver: { name: '张三', phone: '13812345678', province: '浙江省', city: '杭州市' },
        lines: [{ channelSku: 'TEA-SET-01', sku: 'TEA-SET-01', title: '茶具', quantity: 1, unitPrice: 8000 }],
        total: 8000,
      }),
    });
    const detailId = ((await res.json()) as { order: { id: string } }).order.id;
    if (orders > 1) await bulkLoad(database, orders - 1, now);

    const api = async (url: string) => {
      const t0 = performance.now();
      const r = await fetch(base + url, { headers: { authorization: `Bearer ${token}` } });
      await r.arrayBuffer();
      return performance.now() - t0;
    };
    await api('/api/orders?limit=50');
    console.log(
      `  API: list ${(await api('/api/orders?limit=50')).toFixed(0)} ms, detail ${(await api(`/api/orders/${detailId}`)).toFixed(0)} ms`,
    );
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#login-username', 'bench');
    await page.fill('#login-password', 'bench-password-1');
    await page.click('[data-testid=login-submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    const list: number[] = [];
    const detail: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      let t0 = performance.now();
      await page.goto(`${base}/orders?limit=50`);
      await page.waitForSelector('[data-order-link]', { timeout: 60_000 });
      const l = performance.now() - t0;
      t0 = performance.now();
      await page.goto(`${base}/orders/${detailId}`);
      await page.waitForSelector('[data-testid=system-timeline] [data-event=created]', { timeout: 60_000 });
      const d = performance.now() - t0;
      if (i > 0) {
        // The first round warms the browser cache and the database: not counted.
        list.push(l);
        detail.push(d);
      }
    }
    await ctx.close();
    return { list: median(list), detail: median(detail) };
  } finally {
    await app.close();
    await database.close();
  }
}

/** Orders with one line and one timeline entry each, written by the database itself. */
async function bulkLoad(database: Awaited<ReturnType<typeof openDatabase>>, n: number, now: Date) {
  const t0 = performance.now();
  const account = (
    await database.query<{ id: string }>(`SELECT id FROM channel_accounts WHERE code = 'default'`)
  )[0]!.id;
  const statuses = `(ARRAY['paid','approved','on_hold','shipped','delivered','completed','pending_payment','under_review'])`;
  const step = 50_000;
  for (let from = 1; from <= n; from += step) {
    const to = Math.min(n, from + step - 1);
    await database.query(
      `INSERT INTO orders (id, channel_account_id, external_order_id, status, hold_reason, version, source_version,
                           content_hash, currency, goods_amount, total, placed_at, paid_at, tags, line_count,
                           created_at, updated_at)
       SELECT 'ord_' || lpad(i::text, 26, '0'), $1, 'BULK-' || i, ${statuses}[1 + i % 8],
              CASE WHEN i % 8 = 2 THEN 'OUT_OF_STOCK' END, 1, $2::timestamptz - (i || ' seconds')::interval,
              md5(i::text), 'CNY', 8000, 8000, $2::timestamptz - (i || ' seconds')::interval,
              $2::timestamptz - (i || ' seconds')::interval, CASE WHEN i % 5 = 0 THEN ARRAY['发票'] ELSE '{}'::text[] END, 1,
              $2::timestamptz - (i || ' seconds')::interval, $2::timestamptz - (i || ' seconds')::interval
         FROM generate_series($3::int, $4::int) AS i`,
      [account, new Date(now.getTime() - 3600_000), from, to],
    );
    await database.query(
      `INSERT INTO order_lines (id, order_id, line_no, channel_sku, sku, title, quantity, unit_price)
       SELECT 'lin_' || lpad(i::text, 26, '0'), 'ord_' || lpad(i::text, 26, '0'), 1, 'TEA-SET-01', 'TEA-SET-01', '茶具', 1, 8000
         FROM generate_series($1::int, $2::int) AS i`,
      [from, to],
    );
    await database.query(
      `INSERT INTO order_timeline (id, order_id, at, event, from_status, to_status, actor_type, source)
       SELECT 'tim_' || lpad(i::text, 26, '0'), 'ord_' || lpad(i::text, 26, '0'),
              $1::timestamptz - (i || ' seconds')::interval, 'created', NULL, 'paid', 'system', 'api'
         FROM generate_series($2::int, $3::int) AS i`,
      [new Date(now.getTime() - 3600_000), from, to],
    );
  }
  await database.query('ANALYZE');
  console.log(
    `  loaded ${n.toLocaleString('en-US')} orders in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

/** gzip size of the JS the browser fetches before the first page renders (entry + its static imports). */
function bundleSizes() {
  const manifest = JSON.parse(fs.readFileSync(path.join(DIST, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    { file: string; imports?: string[]; dynamicImports?: string[]; isEntry?: boolean; css?: string[] }
  >;
  const gz = (file: string) => gzipSync(fs.readFileSync(path.join(DIST, file))).length;
  const closure = (keys: string[]) => {
    const seen = new Set<string>();
    const walk = (k: string) => {
      if (seen.has(k)) return;
      seen.add(k);
      for (const i of manifest[k]?.imports ?? []) walk(i);
    };
    for (const k of keys) walk(k);
    return seen;
  };
  const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  const first = closure([entry]);
  const listKey = Object.keys(manifest).find((k) => k.endsWith('OrderList.tsx'))!;
  const withList = closure([entry, listKey]);
  const sum = (keys: Set<string>) => [...keys].reduce((s, k) => s + gz(manifest[k]!.file), 0);
  const all = fs
    .readdirSync(path.join(DIST, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .reduce((s, f) => s + gz(`assets/${f}`), 0);
  return { shell: sum(first), orderList: sum(withList), all };
}

async function main() {
  ensureConsoleBuild({ quiet: true });
  const { browser, close } = await launchChromium();
  try {
    console.log(`console bench: ${RUNS} navigations per figure (median), Chromium headless`);
    // The baseline holds one page of orders, so that both runs render the same rows and the ratio
    // shows what the data volume costs, not what drawing 50 rows instead of 0 costs.
    console.log('baseline: an otherwise empty database with one page (50) of orders');
    const empty = await scenario(browser, 50);
    console.log(`loaded: ${ORDERS.toLocaleString('en-US')} orders`);
    const full = await scenario(browser, ORDERS);
    const row = (name: string, a: number, b: number) =>
      console.log(
        `  ${name.padEnd(12)} empty ${a.toFixed(0).padStart(6)} ms   loaded ${b.toFixed(0).padStart(6)} ms   ratio ${(b / a).toFixed(2)} ${b / a <= 2 ? '(≤ 2: ok)' : '(> 2: over target)'}`,
      );
    row('order list', empty.list, full.list);
    row('order detail', empty.detail, full.detail);
    const kb = (n: number) => `${(n / 1024).toFixed(0)} kB`;
    const size = bundleSizes();
    console.log(
      `bundle (gzip): first load ${kb(size.shell)}; first load of the order list ${kb(size.orderList)} ${size.orderList < 1.5 * 1024 * 1024 ? '(< 1.5 MB: ok)' : '(over 1.5 MB)'}; all routes ${kb(size.all)}`,
    );
  } finally {
    await close();
  }
}

await main();
