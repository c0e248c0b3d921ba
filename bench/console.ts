/**
 * `npm run bench:console`: how long the console takes from navigation to a rendered order list
 * (rows and the status tabs' counts) and order detail in Chromium, with 1,000,000 orders loaded
 * (realistic statuses over half a year), against a baseline database of 1,000 orders; prints both
 * and the ratios (targets: list with its tab counts ≤ 1.5, detail ≤ 2), and the counts' API answer
 * in ms at both sizes. Also prints the console's JS bundle size for the first load (< 1.5 MB gzip).
 *
 * Both servers run side by side in this process, and one browser navigates both (one context
 * each): after the same warm-up (untimed navigations of both pages on both servers), the timed
 * navigations interleave — baseline, loaded; the next round loaded, baseline — so neither side
 * gets the cold browser or a quieter minute of the machine. "Rendered" means the table rows are
 * visible with no loading spinner left, web fonts are loaded and a frame has been painted. Each
 * figure is the median of the rounds.
 *
 * Knobs (environment variables; nothing else is read here):
 *   BENCH_QUICK=1     20,000 orders, 3 rounds, 1 warm-up (under a minute)
 *   BENCH_SMOKE=1     200 orders (baseline 20), 1 round, no warm-up; correctness only (npm run bench:smoke)
 *   BENCH_ORDERS=n    orders in the loaded database (default 1,000,000)
 *   BENCH_BASELINE_ORDERS=n  orders in the baseline database (default 1,000)
 *   BENCH_RUNS=n      timed rounds (default 7)
 *   CHROMIUM_PATH     the browser (read by the shared browser helper; default /usr/bin/chromium)
 *
 * The last output line is one JSON object; `ok` is true when every navigation rendered what it
 * should (rows on both lists, the detail's timeline).
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
import { foldStatusCounts } from '../apps/server/src/modules/orders/list-orders.ts';
import { systemActor } from '../apps/server/src/platform/actor.ts';
import { loadConfig } from '../apps/server/src/platform/config.ts';
import { openDatabase } from '../apps/server/src/platform/db.ts';

const QUICK = process.env['BENCH_QUICK'] === '1';
const SMOKE = process.env['BENCH_SMOKE'] === '1';
const ORDERS = Number(process.env['BENCH_ORDERS'] ?? (SMOKE ? 200 : QUICK ? 20_000 : 1_000_000));
const BASELINE_ORDERS = Number(process.env['BENCH_BASELINE_ORDERS'] ?? (SMOKE ? 20 : 1_000));
const RUNS = Number(process.env['BENCH_RUNS'] ?? (SMOKE ? 1 : QUICK ? 3 : 7));
const WARMUP = SMOKE ? 0 : QUICK ? 1 : 2;
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
  // The tabs' counts are part of the page: '…' until their answer is shown.
  const count = document.querySelector('[data-tab-count=all]');
  if (!count || !/^\\d+$/.test(count.textContent || '')) return false;
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

/** One server on its own database, logged in from its own context of the shared browser. */
interface Side {
  name: 'baseline' | 'loaded';
  orders: number;
  /** Untimed API calls, then the navigation timed (ms). */
  warmApi(): Promise<void>;
  list(): Promise<number>;
  detail(): Promise<number>;
  apiMs(): Promise<{ list: number; detail: number; counts: number }>;
  close(): Promise<void>;
}

/** A database holding the order that is opened plus `orders − 1` others, its server and a logged-in page. */
async function openSide(browser: Browser, name: Side['name'], orders: number): Promise<Side> {
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
  const close = async () => {
    await ctx.close();
    await app.close();
    await database.close();
  };
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
        lines: [{ channelSku: 'TEA-SET-01', sku: 'TEA-SET-01', title: '茶具', quantity: 1, unitPrice: 8000 }],
        total: 8000,
      }),
    });
    if (res.status !== 201) throw new Error(`${name}: ingest answered ${res.status}: ${await res.text()}`);
    const detailId = ((await res.json()) as { order: { id: string } }).order.id;
    if (orders > 1) await bulkLoad(database, orders - 1, now);

    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.fill('#login-username', 'bench');
    await page.fill('#login-password', 'bench-password-1');
    await page.click('[data-testid=login-submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return {
      name,
      orders,
      async warmApi() {
        for (let i = 0; i < 3; i++) {
          await api('/api/orders?limit=50');
          await api('/api/orders/counts');
          await api(`/api/orders/${detailId}`);
        }
      },
      async list() {
        const t0 = performance.now();
        const shown = await navigate(page, `${base}/orders?limit=50`, '/api/orders', LIST_RENDERED);
        const ms = performance.now() - t0;
        if (shown !== 'rows') throw new Error(`${name}: the order list showed ${shown}, expected rows`);
        return ms;
      },
      async detail() {
        const t0 = performance.now();
        await navigate(page, `${base}/orders/${detailId}`, `/api/orders/${detailId}`, DETAIL_RENDERED);
        return performance.now() - t0;
      },
      async apiMs() {
        const counts: number[] = [];
        for (let i = 0; i < 5; i++) counts.push(await api('/api/orders/counts'));
        return {
          list: await api('/api/orders?limit=50'),
          detail: await api(`/api/orders/${detailId}`),
          counts: median(counts),
        };
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The same warm-up on both sides (API calls, then untimed navigations of both pages), then RUNS
 * rounds, each timing both sides' list and detail, the side that goes first alternating.
 */
async function measureBoth(sides: [Side, Side]): Promise<Record<Side['name'], Timing>> {
  for (const s of sides) await s.warmApi();
  for (let i = 0; i < WARMUP; i++) {
    for (const s of sides) {
      await s.list();
      await s.detail();
    }
  }
  const times: Record<Side['name'], { list: number[]; detail: number[] }> = {
    baseline: { list: [], detail: [] },
    loaded: { list: [], detail: [] },
  };
  for (let r = 0; r < RUNS; r++) {
    const order = r % 2 ? [sides[1], sides[0]] : sides;
    for (const s of order) times[s.name].list.push(await s.list());
    for (const s of order) times[s.name].detail.push(await s.detail());
  }
  const of = (n: Side['name']) => ({ list: median(times[n].list), detail: median(times[n].detail) });
  return { baseline: of('baseline'), loaded: of('loaded') };
}

/** Orders with one line and one timeline entry each, written by the database itself. */
async function bulkLoad(database: Awaited<ReturnType<typeof openDatabase>>, n: number, now: Date) {
  const t0 = performance.now();
  const account = (
    await database.query<{ id: string }>(`SELECT id FROM channel_accounts WHERE code = 'default'`)
  )[0]!.id;
  // Half a year of orders, newest first: the recent ones still moving, the older ones done.
  const spacing = Math.max(1, Math.floor((183 * 86_400) / n));
  const statuses = `(CASE WHEN i < $5::int / 200 THEN (ARRAY['pending_payment','paid','under_review','on_hold','approved','fulfilling'])[1 + i % 6]
     WHEN i < $5::int / 20 THEN (ARRAY['shipped','shipped','delivered','on_hold','cancelled'])[1 + i % 5]
     ELSE (ARRAY['completed','completed','completed','completed','delivered','cancelled','closed'])[1 + i % 7] END)`;
  const step = 50_000;
  for (let from = 1; from <= n; from += step) {
    const to = Math.min(n, from + step - 1);
    await database.query(
      `INSERT INTO orders (id, channel_account_id, external_order_id, status, hold_reason, version, source_version,
                           content_hash, currency, goods_amount, total, placed_at, paid_at, tags, line_count,
                           created_at, updated_at, order_no)
       SELECT 'ord_' || lpad(i::text, 26, '0'), $1, 'BULK-' || i, s.status,
              CASE WHEN s.status = 'on_hold' THEN 'OUT_OF_STOCK' END, 1, $2::timestamptz - (i * $6::int || ' seconds')::interval,
              md5(i::text), 'CNY', 8000, 8000, $2::timestamptz - (i * $6::int || ' seconds')::interval,
              CASE WHEN s.status <> 'pending_payment' THEN $2::timestamptz - (i * $6::int || ' seconds')::interval END,
              CASE WHEN i % 5 = 0 THEN ARRAY['发票'] ELSE '{}'::text[] END, 1,
              $2::timestamptz - (i * $6::int || ' seconds')::interval, $2::timestamptz - (i * $6::int || ' seconds')::interval,
              'OH' || to_char($2::timestamptz - (i * $6::int || ' seconds')::interval, 'YYMMDD') || lpad(i::text, 7, '0')
         FROM generate_series($3::int, $4::int) AS i, LATERAL (SELECT ${statuses} AS status) s`,
      [account, new Date(now.getTime() - 3600_000), from, to, n, spacing],
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
  // The tab counts' kept totals, as the minute job leaves them (the trigger appended one delta per order).
  await database.tx((tx) => foldStatusCounts(tx));
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
  const sides: Side[] = [];
  try {
    console.log(
      `console bench${SMOKE ? ' (smoke)' : QUICK ? ' (quick)' : ''}: median of ${RUNS} interleaved rounds per figure after ${WARMUP} untimed, one Chromium headless`,
    );
    console.log(
      `baseline: the opened order and ${(BASELINE_ORDERS - 1).toLocaleString('en-US')} others; loaded: that order and ${(ORDERS - 1).toLocaleString('en-US')} others`,
    );
    sides.push(await openSide(browser, 'baseline', BASELINE_ORDERS));
    sides.push(await openSide(browser, 'loaded', ORDERS));
    const got = await measureBoth([sides[0]!, sides[1]!]);
    const apiMs: Record<string, { list: number; detail: number; counts: number }> = {};
    for (const s of sides) {
      const a = await s.apiMs();
      apiMs[s.name] = a;
      console.log(
        `  API (${s.name}): list ${a.list.toFixed(0)} ms, tab counts ${a.counts.toFixed(0)} ms, detail ${a.detail.toFixed(0)} ms`,
      );
    }
    const empty = got.baseline;
    const full = got.loaded;
    const row = (name: string, a: number, b: number, target: number) =>
      console.log(
        `  ${name.padEnd(12)} baseline ${a.toFixed(0).padStart(6)} ms   loaded ${b.toFixed(0).padStart(6)} ms   ratio ${(b / a).toFixed(2)} ${b / a <= target ? `(≤ ${target}: ok)` : `(> ${target}: over target)`}`,
      );
    row('order list', empty.list, full.list, 1.5);
    row('order detail', empty.detail, full.detail, 2);
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
        smoke: SMOKE,
        orders: ORDERS,
        baselineOrders: BASELINE_ORDERS,
        runs: RUNS,
        warmup: WARMUP,
        baselineMs: { list: Math.round(empty.list), detail: Math.round(empty.detail) },
        loadedMs: { list: Math.round(full.list), detail: Math.round(full.detail) },
        ratio: { list: r2(full.list / empty.list), detail: r2(full.detail / empty.detail) },
        // The list page with its tab counts, loaded against baseline (target ≤ 1.5), and the counts'
        // API answer at both sizes (named for the full size; BENCH_ORDERS changes what "1m" holds).
        ratio_list_1m: r2(full.list / empty.list),
        counts_ms_1m: Math.round(apiMs['loaded']!.counts),
        counts_ms_1k: Math.round(apiMs['baseline']!.counts),
        bundleGzipBytes: { firstLoad: size.shell, orderList: size.orderList, all: size.all },
        // Every navigation rendered what it should (a wrong page throws before this line).
        ok: true,
      }),
    );
  } finally {
    for (const s of sides) await s.close().catch(() => undefined);
    await close();
  }
}

await main();
