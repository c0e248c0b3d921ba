import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../server/test/helpers.ts';
import {
  actUntilShown,
  assertBrowserReady,
  launchChromium,
  newConsoleContext,
  SCREENSHOT_DIR,
  SKIP_BROWSER_TESTS,
} from './browser.ts';

let t: TestApp;
let base: string;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const contexts: BrowserContext[] = [];
/** Every CSP violation a page reported, as console text or `securitypolicyviolation` events. */
const violations: string[] = [];

async function open(width = 1440, locale: 'zh-CN' | 'en-US' = 'zh-CN'): Promise<Page> {
  // With the animations on: their inline styles must pass the policy too.
  const ctx = await newConsoleContext(browser, { width, locale, timeout: 30_000, motion: true });
  contexts.push(ctx);
  await ctx.addInitScript(`
    document.addEventListener('securitypolicyviolation', (e) => {
      (window.__csp ??= []).push(e.violatedDirective + ' ' + e.blockedURI);
    });
  `);
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) violations.push(`${page.url()}: ${m.text()}`);
  });
  return page;
}

async function cspEvents(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__csp ?? []');
}

async function login(page: Page, role = 'admin') {
  await page.goto(`${base}/login`);
  await page.fill('#login-username', `${role}-user`);
  await page.fill('#login-password', `${role}-password-123`);
  await page.click('[data-testid=login-submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

describe.skipIf(SKIP_BROWSER_TESTS)('console under the Content-Security-Policy', { timeout: 120_000 }, () => {
  if (!SKIP_BROWSER_TESTS) assertBrowserReady();

  beforeAll(async () => {
    t = await startTestApp();
    base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launchChromium());
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await closeBrowser?.();
    await t?.close();
  });

  it('runs the console pages and /docs with no CSP violation', async () => {
    const page = await open();
    const res = await page.goto(`${base}/login`);
    expect(res?.headers()['content-security-policy']).toBeTruthy();
    await login(page);
    for (const p of [
      '/dashboard',
      '/orders',
      '/inventory',
      '/inventory?tab=heatmap',
      '/exceptions',
      '/admin/users',
      '/admin/tokens',
      '/admin/audit',
    ]) {
      await page.goto(base + p);
      await page.waitForSelector('.ant-layout-content');
      await page.waitForLoadState('networkidle');
      expect(await cspEvents(page), p).toEqual([]);
    }
    const docs = await page.goto(`${base}/docs`);
    expect(docs?.status()).toBe(200);
    expect(docs?.headers()['content-security-policy']).toBeTruthy();
    await page.waitForLoadState('networkidle');
    await page.waitForSelector('.swagger-ui, #swagger-ui, redoc, .scalar-app, body *');
    expect(await cspEvents(page)).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('asks before a role reduction whether to revoke the API tokens, in words', async () => {
    const ann = await t.as('admin').post('/api/users', {
      username: 'ops-ann',
      role: 'operations',
      password: 'ops-ann-password-1',
      displayName: '安妮',
    });
    for (const [width, locale] of [
      [1440, 'zh-CN'],
      [1024, 'en-US'],
    ] as const) {
      // Each round starts from the same role, whatever the previous round's dialog did.
      await t.as('admin').patch(`/api/users/${ann.body.id}`, { role: 'operations', keepTokens: true });
      const page = await open(width, locale);
      await login(page);
      await page.goto(`${base}/admin/users`);
      await page.waitForSelector('[data-permission="orders:read"]');
      const perms = await page.textContent('[data-permission="orders:read"]');
      expect(perms).toBe(locale === 'zh-CN' ? '查看订单' : 'View orders');
      await shot(page, `users-${locale}-${width}`);
      const finance = page.locator(
        `.ant-select-item-option[title="${locale === 'zh-CN' ? '财务' : 'Finance'}"]:visible`,
      );
      const question = page.locator('[data-testid=revoke-tokens-question]');
      // Open the role select unless it is open, then pick Finance, until the question shows.
      await actUntilShown(async () => {
        if ((await question.count()) > 0) return;
        if ((await finance.count()) === 0)
          await page.click('[data-user-role="ops-ann"]', { timeout: 10_000 });
        await finance.click({ timeout: 10_000 });
      }, question);
      expect(await page.textContent('[data-testid=revoke-tokens-question]')).toContain(
        locale === 'zh-CN' ? '同时吊销其 API 令牌？' : 'Also revoke their API tokens?',
      );
      await shot(page, `users-role-confirm-${locale}-${width}`);
      await page.keyboard.press('Escape');
      expect(await cspEvents(page)).toEqual([]);
    }
    expect(violations).toEqual([]);
  });

  it('says how long to wait after too many log-in attempts, without the code', async () => {
    for (const [width, locale] of [
      [1440, 'zh-CN'],
      [1024, 'en-US'],
    ] as const) {
      const page = await open(width, locale);
      await page.goto(`${base}/login`);
      await page.fill('#login-username', `locked-${locale}`);
      let limited = false;
      for (let i = 0; i < 8 && !limited; i++) {
        await page.fill('#login-password', `wrong-password-${i}`);
        await page.click('[data-testid=login-submit]');
        await page.waitForSelector('[data-testid=login-invalid], [data-testid=login-rate-limited]');
        limited = (await page.locator('[data-testid=login-rate-limited]').count()) > 0;
      }
      expect(limited).toBe(true);
      const text = await page.textContent('[data-testid=login-rate-limited]');
      expect(text).toMatch(
        locale === 'zh-CN' ? /尝试过多，请 \d+ 秒后再试/ : /Too many attempts; try again in \d+ s/,
      );
      expect(await page.textContent('body')).not.toContain('RATE_LIMITED');
      await shot(page, `login-limited-${locale}-${width}`);
    }
  });

  it('shows a large count sheet being read, with the rows read so far', async () => {
    const page = await open();
    await login(page);
    await t.as('admin').post('/api/warehouses', { code: 'WH-CSP', name: '测试仓' });
    await page.goto(`${base}/inventory?tab=count`);
    const rows = Array.from({ length: 2_100 }, (_, i) => `CSP-${String(i).padStart(5, '0')},WH-CSP,${i % 7}`);
    await page.locator('[data-testid=count-file]').setInputFiles({
      name: 'count-large.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`sku,warehouse,counted\n${rows.join('\n')}\n`),
    });
    await page.waitForSelector(
      '[data-testid=count-processing], [data-testid=count-refused], [data-testid=count-bad-rows], [data-testid=count-preview]',
    );
    await shot(page, 'inventory-count-large');
    const body = (await page.textContent('[data-testid=count-import]')) ?? '';
    expect(body).not.toMatch(/IMPORT_|COUNT_|\{"/);
    expect(await cspEvents(page)).toEqual([]);
  });
});
