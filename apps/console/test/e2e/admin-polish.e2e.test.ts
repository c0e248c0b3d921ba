import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../server/test/helpers.ts';
import { orderFor, transition } from '../../../server/test/inventory-support.ts';
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
let shippedId = '';
let shippedNo = '';
let cancelledId = '';
let staffId = '';

async function loginAs(role: string, startPath = '/', width = 1440): Promise<Page> {
  const { context, page } = await openLoggedIn(
    browser,
    base + startPath,
    {
      username: `${role}-user`,
      password: `${role}-password-123`,
    },
    { width, timeout: 30_000 },
  );
  contexts.push(context);
  return page;
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

async function staff(): Promise<{ role: string; active: boolean }> {
  const res = await t.as('admin').get('/api/users');
  return res.body.find((u: { id: string }) => u.id === staffId);
}

/** The open confirmation dialog's buttons (antd spaces two-character Chinese labels: "取 消"). */
const dialog = (page: Page) => page.locator('.ant-modal-content:visible');

describe.skipIf(SKIP_BROWSER_TESTS)('admin and stock ledger polish in Chromium', { timeout: 180_000 }, () => {
  if (!SKIP_BROWSER_TESTS) assertBrowserReady();

  beforeAll(async () => {
    t = await startTestApp({ sampleSkus: false });
    const admin = t.as('admin');
    for (const code of ['TEA-SET-01', 'CUP-02'])
      expect((await admin.post('/api/skus', { code, name: `茶具 ${code}`, category: 'tea' })).status).toBe(
        201,
      );
    expect(
      (await admin.post('/api/warehouses', { code: 'WH-HZ', name: '杭州仓', priority: 10 })).status,
    ).toBe(201);
    const rc = await t.as('warehouse').post('/api/inventory/receipts', {
      warehouse: 'WH-HZ',
      lines: [
        { sku: 'TEA-SET-01', quantity: 10 },
        { sku: 'CUP-02', quantity: 5 },
      ],
    });
    expect(rc.status).toBe(201);
    const shipped = await admin.post('/api/orders', orderFor([{ sku: 'TEA-SET-01', quantity: 2 }]));
    expect(shipped.status).toBe(201);
    shippedId = shipped.body.order.id;
    shippedNo = shipped.body.order.orderNo || shipped.body.order.externalOrderId;
    for (const e of ['approve', 'start_fulfilment', 'ship']) await transition(t, shippedId, e);
    const cancelled = await admin.post('/api/orders', orderFor([{ sku: 'TEA-SET-01', quantity: 1 }]));
    cancelledId = cancelled.body.order.id;
    await transition(t, cancelledId, 'cancel', 'BUYER_REQUEST');
    const adj = await t.as('warehouse').post('/api/inventory/adjustments', {
      warehouse: 'WH-HZ',
      lines: [{ sku: 'TEA-SET-01', delta: -1 }],
      reasonCode: 'DAMAGED',
    });
    expect(adj.status).toBe(201);
    const u = await admin.post('/api/users', {
      username: 'zhang.san',
      displayName: '张三',
      role: 'customer_service',
      password: 'zhang-san-password-1',
    });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    staffId = u.body.id;
    base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launchChromium());
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await closeBrowser?.();
    await t?.close();
  });

  it('deactivating a user asks first, naming them; cancelling changes nothing', async () => {
    const page = await loginAs('admin', '/admin/users');
    const toggle = page.locator('[data-user-active="zhang.san"]');
    await toggle.click();
    const box = dialog(page);
    await box.locator('[data-testid=user-change]').waitFor();
    expect(await box.textContent()).toContain('停用 张三（zhang.san）？');
    expect(await box.textContent()).toContain('API 令牌全部吊销');
    await shot(page, 'admin-users-deactivate-zh-CN-1440');
    await box.locator('.ant-modal-footer .ant-btn').first().click();
    await box.waitFor({ state: 'hidden' });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    expect(await staff()).toMatchObject({ active: true, role: 'customer_service' });

    await toggle.click();
    const ok = page.locator('.ant-modal-content:visible [data-testid=user-change-ok]');
    await ok.waitFor();
    await clickUntilGone(ok);
    await expect.poll(async () => (await staff()).active, { timeout: 30_000 }).toBe(false);
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    // Switching back on is harmless and applies at once.
    await toggle.click();
    await expect.poll(async () => (await staff()).active, { timeout: 30_000 }).toBe(true);
  });

  it('a role change asks first, saying from what to what and which permissions go', async () => {
    const page = await loginAs('admin', '/admin/users');
    const select = page.locator('[data-user-role="zhang.san"]');
    await select.click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title=审计]').click();
    const box = dialog(page);
    await box.locator('[data-testid=user-change]').waitFor();
    const text = (await box.textContent()) ?? '';
    expect(text).toContain('把 张三（zhang.san） 的角色从「客服」改为「审计」？');
    expect(text).toContain('将失去的权限：');
    expect(text).not.toMatch(/[a-z]+:[a-z]+/);
    await box.locator('[data-testid=revoke-tokens-question]').waitFor();
    await shot(page, 'admin-users-role-zh-CN-1440');
    await box.locator('.ant-modal-footer .ant-btn').first().click();
    await box.waitFor({ state: 'hidden' });
    expect((await staff()).role).toBe('customer_service');
    expect(await select.textContent()).toContain('客服');

    await select.click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title=运营]').click();
    const again = dialog(page);
    await again.locator('[data-testid=user-change]').waitFor();
    expect(await again.textContent()).toContain('改为「运营」');
    await again.locator('[data-testid=user-change-ok]').click();
    await again.waitFor({ state: 'hidden' });
    await expect.poll(async () => (await staff()).role, { timeout: 30_000 }).toBe('operations');
  });

  it('token revocation asks first; cancelling keeps the token', async () => {
    const created = await t.as('admin').post('/api/tokens', { name: '店铺对接', username: 'zhang.san' });
    expect(created.status).toBe(201);
    const page = await loginAs('admin', '/admin/tokens');
    const row = page.locator('tr', { hasText: '店铺对接' });
    await row.locator('.ant-btn-dangerous').click();
    const pop = page.locator('.ant-popconfirm:visible');
    await pop.waitFor();
    expect(await pop.textContent()).toContain('吊销令牌「店铺对接」？');
    expect(await pop.textContent()).toContain('zhang.san');
    await pop.locator('.ant-btn').first().click();
    await pop.waitFor({ state: 'hidden' });
    const still = (await t.as('admin').get('/api/tokens')).body.find(
      (k: { name: string }) => k.name === '店铺对接',
    );
    expect(still.revokedAt).toBeNull();
    await row.locator('.ant-btn-dangerous').click();
    await page.locator('.ant-popconfirm:visible [data-testid=token-revoke-ok]').click();
    await expect
      .poll(
        async () =>
          (await t.as('admin').get('/api/tokens')).body.find((k: { name: string }) => k.name === '店铺对接')
            .revokedAt,
        { timeout: 30_000 },
      )
      .not.toBeNull();
  });

  it('the new-user form states its rules in words and refuses in words, never a pattern', async () => {
    const page = await loginAs('admin', '/admin/users');
    await page.locator('.ant-btn-primary', { hasText: '新建用户' }).click();
    const box = page.locator('[data-testid=new-user] .ant-modal-content, .ant-modal-content:visible').first();
    await page.waitForSelector('[data-testid=new-user-username]');
    expect(await box.textContent()).toContain('2–64 个字符：字母、数字及 . _ - @');
    await page.fill('[data-testid=new-user-username]', '张 三!');
    await page.fill('[data-testid=new-user-password]', 'short');
    await box.locator('.ant-btn-primary').click();
    await page.locator('.ant-form-item-explain-error', { hasText: '用户名须为' }).waitFor();
    const text = (await box.textContent()) ?? '';
    expect(text).toContain('密码须为 10–256 个字符');
    expect(text).toContain('请选择角色');
    expect(text).not.toMatch(/\^\[|\$\/|pattern|A-Za-z/);
    await shot(page, 'admin-users-new-zh-CN-1440');
    expect(
      (await t.as('admin').get('/api/users')).body.some((u: { username: string }) => u.username === '张 三!'),
    ).toBe(false);
  });

  it('the ledger shows reasons in words, the order number linking to the order, and the balance', async () => {
    const page = await loginAs('auditor', '/inventory?tab=movements');
    const table = page.locator('[data-testid=movements-table]');
    await table.locator(`[data-order-link="${shippedId}"]`).first().waitFor();
    await expect
      .poll(() => table.locator(`[data-order-link="${shippedId}"]`).first().textContent(), {
        timeout: 30_000,
      })
      .toBe(shippedNo);
    expect(await table.locator(`[data-order-link="${shippedId}"]`).first().getAttribute('href')).toBe(
      `/orders/${shippedId}`,
    );
    const text = (await table.textContent()) ?? '';
    for (const words of ['订单占用', '订单发货出库', '买家申请取消', '破损', '采购入库'])
      expect(text).toContain(words);
    expect(text).not.toMatch(/\b(ORDER|SHIPPED|BUYER_REQUEST|DAMAGED|RECEIPT)\b/);
    expect(await table.locator('[data-reason-code=SHIPPED]').first().textContent()).toBe('订单发货出库');
    expect(await page.textContent('[data-testid=movements-balance-hint]')).toContain(
      '选定一个 SKU 和一个仓库',
    );

    // One SKU in one warehouse: the balance after each movement, newest first, ends at the level.
    await page.getByPlaceholder('SKU').fill('TEA-SET-01');
    await page.locator('[data-testid=inventory] .ant-tabs-tabpane-active .ant-select').first().click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="WH-HZ 杭州仓"]').click();
    await page.locator('[data-testid=inventory] .ant-tabs-tabpane-active button[type=submit]').click();
    await expect
      .poll(() => page.textContent('[data-testid=movements-balance-hint]'))
      .toContain('TEA-SET-01 在 杭州仓 的流水');
    const ledger = (await t.as('auditor').get('/api/inventory/movements?sku=TEA-SET-01&warehouse=WH-HZ')).body
      .items as { id: string; balanceAfter: { onHand: number; available: number } }[];
    const level = (await t.as('auditor').get('/api/inventory/levels?sku=TEA-SET-01&warehouse=WH-HZ')).body
      .items[0];
    expect(ledger[0]!.balanceAfter.onHand).toBe(level.onHand);
    await expect
      .poll(() => page.textContent(`[data-balance-on-hand="${ledger[0]!.id}"]`), { timeout: 30_000 })
      .toBe(String(level.onHand));
    expect(await page.textContent(`[data-balance-available="${ledger.at(-1)!.id}"]`)).toBe('10');
    expect(await table.textContent()).toContain('变动后实物');

    await table.locator(`[data-order-link="${shippedId}"]`).first().click();
    await page.waitForURL((u) => u.pathname === `/orders/${shippedId}`);
  });

  it('permissions and ledger read in words in Chinese and English at 1440 and 1024 px', async () => {
    for (const width of [1440, 1024]) {
      const page = await loginAs('admin', '/admin/users', width);
      for (const locale of ['zh-CN', 'en-US'] as const) {
        await page.goto(`${base}/admin/users`);
        if (locale === 'en-US') {
          await page.locator('[data-testid=locale-switch]').getByText('EN').click();
          await page.mouse.move(600, 850); // away from the user menu, which opens on hover
        }
        const tag = page.locator('[data-permission="orders:read"]').first();
        await expect.poll(() => tag.textContent()).toBe(locale === 'zh-CN' ? '查看订单' : 'View orders');
        const tags = await page.locator('[data-permission]').allTextContents();
        expect(tags.length).toBeGreaterThan(20);
        for (const x of tags) expect(x).not.toMatch(/^[a-z]+:[a-z]+$/);
        if (locale === 'zh-CN') for (const x of tags) expect(x).toMatch(/[\u4e00-\u9fff]/);
        await shot(page, `admin-users-${locale}-${width}`);
        if (width === 1024) {
          await page
            .locator('.ant-btn-primary', { hasText: locale === 'zh-CN' ? '新建用户' : 'New user' })
            .click();
          await page.fill('[data-testid=new-user-username]', 'a b');
          await page.locator('.ant-modal-content:visible .ant-btn-primary').click();
          await page.locator('.ant-form-item-explain-error').first().waitFor();
          await shot(page, `admin-users-new-${locale}-${width}`);
          await page.keyboard.press('Escape');
        }

        await page.goto(`${base}/inventory?tab=movements`);
        const table = page.locator('[data-testid=movements-table]');
        await table.locator(`[data-order-link="${shippedId}"]`).first().waitFor();
        await expect
          .poll(() => table.locator(`[data-order-link="${shippedId}"]`).first().textContent())
          .toBe(shippedNo);
        const shippedReason = await table.locator('[data-reason-code=SHIPPED]').first().textContent();
        expect(shippedReason).toBe(locale === 'zh-CN' ? '订单发货出库' : 'Shipped with an order');
        await shot(page, `inventory-ledger-${locale}-${width}`);
        await page.getByPlaceholder('SKU').fill('TEA-SET-01');
        await page.locator('[data-testid=inventory] .ant-tabs-tabpane-active .ant-select').first().click();
        await page
          .locator('.ant-select-dropdown:visible .ant-select-item-option[title="WH-HZ 杭州仓"]')
          .click();
        await page.locator('[data-testid=inventory] .ant-tabs-tabpane-active button[type=submit]').click();
        await page.locator('[data-balance-on-hand]').first().waitFor();
        await shot(page, `inventory-ledger-balance-${locale}-${width}`);
      }
    }
  });
});
