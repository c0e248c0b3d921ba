import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from '../../../server/test/helpers.ts';
import {
  assertBrowserReady,
  launchChromium,
  openLoggedIn,
  SCREENSHOT_DIR,
  SKIP_BROWSER_TESTS,
} from './browser.ts';

const LOCALES = ['zh-CN', 'en-US'] as const;
type Locale = (typeof LOCALES)[number];

let t: TestApp;
let base: string;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const contexts: BrowserContext[] = [];
let shopA = '';
const ordersA: string[] = [];
const ordersB: string[] = [];
const userIds: Record<string, string> = {};
const PASSWORD = 'scoped-password-123';

/** Polls with room for a loaded machine. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 60_000, interval: 250 });

async function loginAs(username: string, password: string, locale: Locale, width = 1440): Promise<Page> {
  const { context, page } = await openLoggedIn(
    browser,
    `${base}/`,
    { username, password },
    { width, locale },
  );
  contexts.push(context);
  return page;
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const rowIds = (page: Page) =>
  page
    .locator('[data-testid=order-table] tbody [data-order-link]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-order-link') ?? '').sort());

describe.skipIf(SKIP_BROWSER_TESTS)('data scopes per user in Chromium', { timeout: 400_000 }, () => {
  if (!SKIP_BROWSER_TESTS) assertBrowserReady();

  beforeAll(async () => {
    t = await startTestApp();
    const admin = t.as('admin');
    const a = await admin.post('/api/channel-accounts', { code: 'shop-a', name: '甲店', channel: 'taobao' });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    shopA = a.body.id;
    const b = await admin.post('/api/channel-accounts', { code: 'shop-b', name: '乙店', channel: 'douyin' });
    expect(b.status).toBe(201);
    expect((await admin.post('/api/warehouses', { code: 'WH-A', name: '甲仓', priority: 10 })).status).toBe(
      201,
    );
    for (const [shop, list, n] of [
      ['shop-a', ordersA, 2],
      ['shop-b', ordersB, 3],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const res = await admin.post('/api/orders', sampleOrder({ channelAccount: shop }));
        expect(res.status).toBe(201);
        list.push(res.body.order.id);
      }
    }
    for (const locale of LOCALES) {
      const username = `kefu-${locale === 'zh-CN' ? 'zh' : 'en'}`;
      const u = await admin.post('/api/users', {
        username,
        displayName: locale === 'zh-CN' ? '客服小甲' : 'Agent A',
        role: 'customer_service',
        password: PASSWORD,
      });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      userIds[locale] = u.body.id;
    }
    base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launchChromium());
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await closeBrowser?.();
    await t?.close();
  });

  for (const locale of LOCALES) {
    it(`admin limits a user to one shop; that user sees only its orders and counts (${locale})`, async () => {
      const short = locale === 'zh-CN' ? 'zh' : 'en';
      const username = `kefu-${short}`;
      const words =
        locale === 'zh-CN'
          ? { allShops: '全部店铺', allWarehouses: '全部仓库' }
          : { allShops: 'All shops', allWarehouses: 'All warehouses' };
      const admin = await loginAs('admin-user', 'admin-password-123', locale);
      await admin.goto(`${base}/admin/users`);
      const cell = admin.locator(`[data-user-scope="${username}"]`);
      await poll(() => cell.textContent()).toContain(words.allShops);
      expect(await cell.textContent()).toContain(words.allWarehouses);

      await admin.locator(`[data-user-set-scope="${username}"]`).click();
      const box = admin.locator('.ant-modal-content:visible');
      const shops = box.locator('[data-testid=scope-shops]');
      await shops.waitFor();
      // Chosen until the select shows it: on a loaded machine a click on an option that is still
      // sliding in can be lost, and the dialog would then save an empty scope.
      for (let attempt = 0; attempt < 5; attempt++) {
        if ((await shops.textContent())?.includes('甲店')) break;
        if ((await admin.locator('.ant-select-dropdown:visible').count()) === 0) await shops.click();
        await admin
          .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '甲店' })
          .click({ timeout: 10_000 })
          .catch(() => undefined);
        await expect
          .poll(() => shops.textContent(), { timeout: 3_000 })
          .toContain('甲店')
          .catch(() => undefined);
      }
      expect(await shops.textContent()).toContain('甲店');
      // Close the dropdown (a click on the dialog's title), so the screenshot shows the whole form.
      await box.locator('.ant-modal-title').click();
      await admin.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' });
      await shot(admin, `users-scope-dialog-${locale}-1440`);
      await box.locator('[data-testid=scope-ok]').click();
      await box.waitFor({ state: 'hidden' });
      await poll(async () => {
        const users = (await t.as('admin').get('/api/users')).body as { id: string; scope: unknown }[];
        return users.find((u) => u.id === userIds[locale])?.scope;
      }).toEqual({ channelAccounts: [shopA], warehouses: [] });
      // Shown in words: the shop's name, never its id.
      await poll(() => cell.textContent()).toContain('甲店');
      expect(await cell.textContent()).not.toContain(shopA);
      expect(await cell.textContent()).toContain(words.allWarehouses);
      for (const width of [1440, 1024]) {
        await admin.setViewportSize({ width, height: 900 });
        await shot(admin, `users-scope-${locale}-${width}`);
      }

      const staff = await loginAs(username, PASSWORD, locale);
      await staff.goto(`${base}/orders`);
      await staff.waitForSelector('[data-tab-count=all]');
      await poll(() => staff.textContent('[data-tab-count=all]')).toBe(String(ordersA.length));
      await poll(() => rowIds(staff)).toEqual([...ordersA].sort());
      await shot(staff, `orders-scoped-${locale}-1440`);
      // Another shop's order by its address: not found, as if it did not exist.
      const res = await staff.request.get(`${base}/api/orders/${ordersB[0]}`);
      expect(res.status()).toBe(404);
      // The admin, unscoped, still sees every shop.
      await admin.goto(`${base}/orders`);
      await poll(() => admin.textContent('[data-tab-count=all]')).toBe(
        String(ordersA.length + ordersB.length),
      );
    });
  }

  it('an unknown shop in the scope is refused in the reader’s language, nothing changed', async () => {
    const res = await t.as('admin').patch(`/api/users/${userIds['zh-CN']}`, {
      scope: { channelAccounts: ['cha_gone'], warehouses: [] },
    });
    expect(res.status).toBe(422);
    const { errorMessage } = await import('@orderhub/contracts');
    expect(errorMessage(res.body.code, res.body.details, 'zh-CN')).toBe('数据范围里有不存在的店铺：cha_gone');
    expect(errorMessage(res.body.code, res.body.details, 'en-US')).toBe(
      'The data scope names a shop that does not exist: cha_gone',
    );
    const users = (await t.as('admin').get('/api/users')).body as { id: string; scope: unknown }[];
    expect(users.find((u) => u.id === userIds['zh-CN'])?.scope).toEqual({
      channelAccounts: [shopA],
      warehouses: [],
    });
  });
});
