/**
 * `npm run bench:console`: how long the console takes from navigation to a rendered order list and
 * order detail in Chromium, with 200,000 orders loaded, against an empty-database run in the same
 * process as the baseline; prints both and the ratio (target ≤ 2). Also prints the console's JS
 * bundle size for the first load (target < 1.5 MB gzip).
 *
 * Baseline: the list is measured on an empty database (its empty state rendered), the detail on the
 * same database once it holds exactly the one order that is opened. Loaded: that order plus
 * BENCH_ORDERS − 1 others. "Rendered" means the table rows (or the empty state) are visible with no
 * loading spinner left, web fonts are loaded and a frame has been painted. The browser and the server
 * are warmed first (untimed rounds); each figure is the median of BENCH_RUNS navigations.
 *
 * BENCH_QUICK=1: 5,000 orders and 3 runs (under a minute). BENCH_ORDERS / BENCH_RUNS override.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { ensureConsoleBuild } from '../apps/console/scripts/ensure-build.mjs';
import { launchChromium } from '../apps/console/test/e2e/browser.ts';
import { buildApp } from '../apps/server/src/app.ts';
import { createToken, createUser } from '../apps/server/src/modules/auth/index.ts';
import { systemActor } from '../apps/server/src/platform/actor.ts';
import { loadConfig } from '../apps/server/src/platform/config.ts';
import { openDatabase } from '../apps/server/src/platform/db.ts';

const QUICK = process.env['BENCH_QUICK'] === '1';
const ORDERS = Number(process.env['BENCH_ORDERS'] ?? (QUICK ? 5_000 : 200_000));
const RUNS = Number(process.env['BENCH_RUNS'] ?? (QUICK ? 3 : 7));
const WARMUP = QUICK ? 1 : 2;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'apps/console/dist');

interface Timing {
  list: number;
  detail: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The order list's rows or its empty state, visible, with no loading spinner left; which one it was.
 * (Strings, not functions: this file is type-checked without the DOM library.)
 */
const LIST_RENDERED = `(() => {
  const table = document.querySelector('[data-testid=order-table]');
  if (!table || table.querySelector('.ant-spin-spinning')) return false;
  const row = table.querySelector('[data-order-link]');
  if (row && row.offsetParent) return 'rows';
  const empty = table.querySelector('.ant-table-placeholder .ant-empty');
  return empty && empty.offsetParent ? 'empty' : false;
})()`;

const DETAIL_RENDERED = `(() => {
  const detail = document.querySelector('[data-testid=order-detail]');
  if (!detail || detail.querySelector('.ant-spin-spinning')) return false;
  const created = detail.querySelector('[data-testid=system-timeline] [data-event=created]');
  return Boolean(created && created.offsetParent);
})()`;

/** Fonts loaded and the next frame painted: what the user sees, not only what the DOM holds. */
const PAINTED = `document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))`;

/**
 * Navigates and waits until the page has its data (the API answer arrived) and shows it rendered.
 * Waiting for the answer first keeps a placeholder drawn before the request from counting as done.
 */
async function navigate(page: Page, url: string, apiPath: string, rendered: string): Promise<unknown> {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === apiPath, { timeout: 60_000 });
  await page.goto(url);
  await answered;
  const handle = await page.waitForFunction(rendered, undefined, { timeout: 60_000, polling: 'raf' });
  const shown = await handle.jsonValue();
  await page.evaluate(PAINTED);
  return shown;
}

/** Untimed rounds first (browser cache, JIT, database buffers), then the median of RUNS. */
async function measure(run: () => Promise<number>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await run());
  return median(times);
}

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
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  try {
    const now = new Date();
    const cli = systemActor('bench', 'cli');
    const token = await database.tx(async (tx) => {
      await createUser(tx, now, cli, { username: 'bench', role: 'admin', password: 'bench-password-1' });
      return (await createToken(tx, now, cli, { name: 'bench', username: 'bench' })).token;
    });
    const base = await app.http.listen({ port: 0, host: '127.0.0.1' });
    const api = async (url: string) => {
      const t0 = performance.now();
      const r = await fetch(base + url, { headers: { authorization: `Bearer ${token}` } });
      await r.arrayBuffer();
      return performance.now() - t0;
    };
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#login-username', 'bench');
    await page.fill('#login-password', 'bench-password-1');
    await page.click('[data-testid=login-submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));

    const timeList = (expect: 'rows' | 'empty') => async () => {
      const t0 = performance.now();
      const shown = await navigate(page, `${base}/orders?limit=50`, '/api/orders', LIST_RENDERED);
      const ms = performance.now() - t0;
      if (shown !== expect) throw new Error(`the order list showed ${shown}, expected ${expect}`);
      return ms;
    };
    const loadOrders = async () => {
      // The one order whose detail is opened goes through the API, the rest in bulk.
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
          lines: [
            { channelSku: 'TEA-SET-01', sku: 'TEA-SET-01', title: '茶具', quantity: 1, unitPrice: 8000 },
          ],
          total: 8000,
        }),
      });
      const id = ((await res.json()) as { order: { id: string } }).order.id;
      if (orders > 1) await bulkLoad(database, orders - 1, now);
      return id;
    };

    let list: number;
    let detailId: string;
    if (orders === 0) {
      // Baseline: the list on the empty database, then the detail once it holds that one order.
      await api('/api/orders?limit=50');
      list = await measure(timeList('empty'));
      detailId = await loadOrders();
    } else {
      detailId = await loadOrders();
      for (let i = 0; i < 3; i++) await api('/api/orders?limit=50');
      list = await measure(timeList('rows'));
    }
    for (let i = 0; i < 3; i++) await api(`/api/orders/${detailId}`);
    console.log(
      `  API: list ${(await api('/api/orders?limit=50')).toFixed(0)} ms, detail ${(await api(`/api/orders/${detailId}`)).toFixed(0)} ms`,
    );
    const detail = await measure(async () => {
      const t0 = performance.now();
      await navigate(page, `${base}/orders/${detailId}`, `/api/orders/${detailId}`, DETAIL_RENDERED);
      return performance.now() - t0;
    });
    return { list, detail };
  } finally {
    await ctx.close();
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
    console.log(
      `console bench${QUICK ? ' (quick)' : ''}: median of ${RUNS} navigations per figure after ${WARMUP} untimed, Chromium headless`,
    );
    console.log('baseline: empty database (list: empty state; detail: the database holding that one order)');
    const empty = await scenario(browser, 0);
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
    const r2 = (n: number) => Math.round(n * 100) / 100;
    console.log(
      JSON.stringify({
        bench: 'console',
        quick: QUICK,
        orders: ORDERS,
        runs: RUNS,
        baselineMs: { list: Math.round(empty.list), detail: Math.round(empty.detail) },
        loadedMs: { list: Math.round(full.list), detail: Math.round(full.detail) },
        ratio: { list: r2(full.list / empty.list), detail: r2(full.detail / empty.detail) },
        bundleGzipBytes: { firstLoad: size.shell, orderList: size.orderList, all: size.all },
      }),
    );
  } finally {
    await close();
  }
}

await main();
