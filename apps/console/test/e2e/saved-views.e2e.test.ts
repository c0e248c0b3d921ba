import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from '../../../server/test/helpers.ts';
import {
  assertBrowserReady,
  clickUntilGone,
  launchChromium,
  openLoggedIn,
  SCREENSHOT_DIR,
  SKIP_BROWSER_TESTS,
} from './browser.ts';

let t: TestApp;
let base: string;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const contexts: BrowserContext[] = [];
const LOCALES = ['zh-CN', 'en-US'] as const;
type Locale = (typeof LOCALES)[number];

/** The words each step looks for, per language. */
const W = {
  'zh-CN': {
    view: '待审核（运营）',
    renamed: '运营·待审核',
    rename: '重命名',
    share: '共享设置',
    overwrite: '用当前筛选更新',
    setDefault: '设为默认',
    delete: '删除',
    taken: '已有名为“运营·待审核”的视图',
    sharedBy: 'operations-user 共享',
    active: '视图：运营·待审核',
    none: '还没有保存的视图',
    legacy: '浏览器里的旧视图',
  },
  'en-US': {
    view: 'To review (ops)',
    renamed: 'Ops to review',
    rename: 'Rename',
    share: 'Sharing',
    overwrite: 'Update with current filters',
    setDefault: 'Set as default',
    delete: 'Delete',
    taken: 'You already have a view named “Ops to review”',
    sharedBy: 'shared by operations-user',
    active: 'View: Ops to review',
    none: 'No saved views yet',
    legacy: 'Old browser view',
  },
} as const;

/** Polls with room for a loaded machine (vitest's default gives up after one second). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 60_000, interval: 250 });

async function loginAs(role: string, locale: Locale, width = 1440): Promise<Page> {
  const { context, page } = await openLoggedIn(
    browser,
    `${base}/`,
    {
      username: `${role}-user`,
      password: `${role}-password-123`,
    },
    { width, locale },
  );
  contexts.push(context);
  return page;
}

async function openOrders(page: Page, search = '') {
  await page.goto(`${base}/orders${search}`);
  await page.waitForSelector('[data-tab-count=all]');
  await poll(() => page.textContent('[data-tab-count=all]')).toMatch(/^\d+$/);
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const serverViews = async (role: 'operations' | 'customer_service' | 'warehouse') =>
  (await t.as(role).get('/api/views?page=orders')).body as {
    items: { id: string; name: string; query: string; sharedWith: string[]; mine: boolean }[];
    defaultViewId: string | null;
  };

/** Presses the dialog's OK and waits for it to close; a refusal shown inside fails with its text. */
async function submitDialog(page: Page) {
  await page.click('[data-testid=view-dialog-ok]');
  const closed = await page
    .locator('[data-testid=view-dialog]')
    .waitFor({ state: 'detached' })
    .then(() => true)
    .catch(() => false);
  if (!closed) {
    const error = await page.locator('[data-testid=view-dialog] [data-testid=api-error-text]').textContent();
    throw new Error(`the view dialog stayed open: ${error ?? 'no error shown'}`);
  }
}

/**
 * Opens the views menu from closed, then the view's own actions, and picks one. Each attempt starts
 * from a closed menu (a menu still in its closing animation reads as visible, then vanishes under
 * the click); a step that does not take on a loaded machine starts the attempt again.
 */
async function viewAction(page: Page, name: string, action: string) {
  const actions = page.locator(`[data-view-actions="${name}"]`);
  const item = page.getByRole('menuitem', { name: action });
  for (let attempt = 0; ; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await actions.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
      await item.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
      await page.click('[data-testid=views]', { timeout: 15_000 });
      await actions.click({ timeout: 15_000 });
      await item.click({ timeout: 15_000 });
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

describe.skipIf(SKIP_BROWSER_TESTS)('saved views in the console', { timeout: 600_000 }, () => {
  if (!SKIP_BROWSER_TESTS) assertBrowserReady();

  beforeAll(async () => {
    t = await startTestApp();
    for (let i = 0; i < 3; i++) {
      const res = await t.as('admin').post('/api/orders', sampleOrder({ externalOrderId: `VIEWS-${i}` }));
      expect(res.status).toBe(201);
    }
    base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launchChromium());
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await closeBrowser?.();
    await t?.close();
  });

  it('saves, renames, shares, sets as default (applied on opening), updates and deletes, in both languages', async () => {
    const opsId = (await t.as('operations').get('/api/auth/me')).body.id as string;
    for (const locale of LOCALES) {
      const w = W[locale];
      const page = await loginAs('operations', locale);

      // A view kept in the browser before views moved to the server moves once, without the phone.
      const legacyKey = `orderhub.orders.views.${opsId}`;
      await page.evaluate(
        `localStorage.setItem(${JSON.stringify(legacyKey)}, ${JSON.stringify(
          JSON.stringify([{ name: w.legacy, search: 'tab=cancelled&phone=5678' }]),
        )})`,
      );
      await openOrders(page, '?tab=to_review');
      await poll(
        async () => (await serverViews('operations')).items.find((v) => v.name === w.legacy)?.query,
      ).toBe('tab=cancelled');
      await poll(() => page.evaluate(`localStorage.getItem(${JSON.stringify(legacyKey)})`)).toBeNull();

      // Save: name and a role to share with.
      await page.click('[data-testid=save-view]');
      await page.fill('[data-testid=view-name]', w.view);
      await page.click('[data-testid=view-roles] [data-role=customer_service]');
      await shot(page, `views-save-${locale}-1440`);
      await submitDialog(page);
      expect((await serverViews('operations')).items.find((v) => v.name === w.view)).toMatchObject({
        query: 'tab=to_review',
        sharedWith: ['customer_service'],
      });

      // Rename through the menu.
      await viewAction(page, w.view, w.rename);
      await page.fill('[data-testid=view-name]', w.renamed);
      await submitDialog(page);
      await poll(async () => (await serverViews('operations')).items.map((v) => v.name)).toContain(w.renamed);
      await poll(() => page.textContent('[data-testid=views]')).toContain(w.active);

      // A name that exists: the dialog says so in the reader's language and nothing is added.
      const before = (await serverViews('operations')).items.length;
      await page.click('[data-testid=save-view]');
      await page.fill('[data-testid=view-name]', w.renamed);
      await page.click('[data-testid=view-dialog-ok]');
      await poll(() =>
        page.locator('[data-testid=view-dialog] [data-testid=api-error-text]').textContent(),
      ).toBe(w.taken);
      await shot(page, `views-name-taken-${locale}`);
      expect((await serverViews('operations')).items.length).toBe(before);
      await page.keyboard.press('Escape');
      await page.locator('[data-testid=view-dialog]').waitFor({ state: 'detached' });

      // Sharing: add the warehouse, then take it away again.
      await viewAction(page, w.renamed, w.share);
      await page.click('[data-testid=view-roles] [data-role=warehouse]');
      await submitDialog(page);
      await poll(async () => (await serverViews('warehouse')).items.map((v) => v.name)).toContain(w.renamed);
      await viewAction(page, w.renamed, w.share);
      await page.click('[data-testid=view-roles] [data-role=warehouse]');
      await submitDialog(page);
      await poll(async () => (await serverViews('warehouse')).items.map((v) => v.name)).not.toContain(
        w.renamed,
      );

      // Default: opening 订单 with no query applies it.
      await viewAction(page, w.renamed, w.setDefault);
      await poll(async () => (await serverViews('operations')).defaultViewId).not.toBeNull();
      await openOrders(page);
      await page.waitForURL(/tab=to_review/);
      await poll(() => page.textContent('[data-testid=views]')).toContain(w.active);
      await page.click('[data-testid=views]');
      await page.locator(`[data-view="${w.renamed}"] [data-testid=view-default-tag]`).waitFor();
      await shot(page, `views-menu-${locale}-1440`);
      await page.keyboard.press('Escape');

      // A colleague of the shared role sees it, marked with who shared it, and may make it his default.
      const cs = await loginAs('customer_service', locale, 1024);
      await openOrders(cs);
      await cs.click('[data-testid=views]');
      await cs.locator(`[data-view="${w.renamed}"] [data-view-owner]`).waitFor();
      expect(await cs.textContent(`[data-view="${w.renamed}"] [data-view-owner]`)).toBe(w.sharedBy);
      await shot(cs, `views-shared-${locale}-1024`);
      await cs.click(`[data-view-actions="${w.renamed}"]`);
      await cs.getByRole('menuitem', { name: w.setDefault }).click();
      await poll(async () => (await serverViews('customer_service')).defaultViewId).not.toBeNull();
      await openOrders(cs);
      await cs.waitForURL(/tab=to_review/);
      // Another role does not see it.
      const wh = await loginAs('warehouse', locale, 1024);
      await openOrders(wh);
      await wh.click('[data-testid=views]');
      await wh.getByText(w.none).waitFor();
      // The save dialog at 1024 px.
      await cs.click('[data-testid=save-view]');
      await cs.locator('[data-testid=view-dialog]').waitFor();
      await shot(cs, `views-save-${locale}-1024`);
      await cs.keyboard.press('Escape');

      // Its filters replaced by the ones showing, after a confirmation.
      await openOrders(page, '?tab=cancelled');
      await viewAction(page, w.renamed, w.overwrite);
      const confirm = page.locator('.ant-modal-confirm:visible .ant-btn-primary');
      await confirm.waitFor();
      await clickUntilGone(confirm);
      await poll(
        async () => (await serverViews('operations')).items.find((v) => v.name === w.renamed)?.query,
      ).toBe('tab=cancelled');

      // Delete asks first, then the view is gone for everyone.
      await viewAction(page, w.renamed, w.delete);
      await shot(page, `views-delete-${locale}`);
      await page.click('[data-testid=view-delete-ok]');
      await poll(async () => (await serverViews('customer_service')).items.map((v) => v.name)).not.toContain(
        w.renamed,
      );
      expect((await serverViews('customer_service')).defaultViewId).toBeNull();
      expect((await serverViews('operations')).items.map((v) => v.name)).not.toContain(w.renamed);
    }
  });
});
