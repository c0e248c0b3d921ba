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

let t: TestApp;
let base: string;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const contexts: BrowserContext[] = [];
const LOCALES = ['zh-CN', 'en-US'] as const;
type Locale = (typeof LOCALES)[number];

const WORDS = {
  'zh-CN': {
    receiverChanged: '修改收货信息',
    lineChanged: '修改第 2 行商品',
    giftAdded: '添加赠品',
    gift: '赠品',
    blocked: '只有待付款、已付款、待审核和挂起的订单可以修改',
    created: '已创建',
  },
  'en-US': {
    receiverChanged: 'Receiver changed',
    lineChanged: 'Line 2 changed',
    giftAdded: 'Gift added',
    gift: 'Gift',
    blocked: 'only unpaid, paid, under-review and held orders can be edited',
    created: 'created',
  },
} as const;

async function loginAs(role: string, locale: Locale, startPath: string, width = 1440): Promise<Page> {
  const { context, page } = await openLoggedIn(
    browser,
    base + startPath,
    {
      username: `${role}-user`,
      password: `${role}-password-123`,
    },
    { width, locale },
  );
  contexts.push(context);
  return page;
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 60_000, interval: 250 });
const dialog = (page: Page) => page.locator('.ant-modal-content:visible');

/**
 * Closes the open dialog and waits until none is visible. On a loaded machine a click during the
 * dialog's opening animation can be lost: the close is tried again until it took.
 */
async function closeDialog(page: Page) {
  for (let attempt = 0; attempt < 5; attempt++) {
    await dialog(page)
      .locator('.ant-modal-close')
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    let closed = false;
    for (let i = 0; i < 25 && !closed; i++) {
      closed = (await dialog(page).count()) === 0;
      if (!closed) await page.waitForTimeout(200);
    }
    if (closed) return;
  }
  throw new Error('the dialog did not close');
}

async function pickSku(page: Page, input: string, sku: string) {
  // The selected item lies over the search input: click through it, then type the search. A search
  // typed before the dropdown took focus is lost, and a dropdown re-rendered by a late answer can
  // close under the click on its option (a loaded machine): the whole step is tried again.
  const field = page.locator(input);
  const option = page.locator(`.ant-select-dropdown:visible [data-sku-option="${sku}"]`);
  for (let attempt = 0; ; attempt++) {
    try {
      await field.click({ force: true, timeout: 15_000 });
      await field.fill(sku, { timeout: 15_000 });
      await option.click({ timeout: 20_000 });
      return;
    } catch (e) {
      // No Escape here: with the dropdown already closed it would close the dialog. Typing the
      // search again opens the dropdown again.
      if (attempt >= 3) throw e;
    }
  }
}

/**
 * Submits the open line dialog and waits for it to close. A click swallowed while the SKU
 * dropdown was still closing (a loaded machine) leaves the dialog open with nothing sent: it is
 * clicked again; a refusal shown in the dialog is reported as it reads.
 */
async function submitLine(page: Page) {
  const ok = page.locator('[data-testid=line-ok]');
  for (let attempt = 0; ; attempt++) {
    await ok.click();
    const closed = await ok
      .waitFor({ state: 'hidden', timeout: 20_000 })
      .then(() => true)
      .catch(() => false);
    if (closed) return;
    const shown = await page
      .locator('.ant-modal-content:visible')
      .locator('.ant-alert, .ant-form-item-explain-error')
      .allTextContents();
    if (attempt >= 2 || shown.some((x) => x.trim()))
      throw new Error(`the line dialog stayed open: ${shown.join(' / ') || 'no message shown'}`);
  }
}

async function order(externalOrderId: string): Promise<string> {
  const res = await t.as('admin').post(
    '/api/orders',
    sampleOrder({
      externalOrderId,
      lines: [
        { channelSku: 'TEA-SET-01', sku: 'TEA-SET-01', title: '青瓷茶具', quantity: 1, unitPrice: 8000 },
        { channelSku: 'CUP-02', sku: 'CUP-02', title: '品茗杯', quantity: 2, unitPrice: 1000 },
      ],
    }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.order.id;
}

describe.skipIf(SKIP_BROWSER_TESTS)('order editing and manual orders', { timeout: 600_000 }, () => {
  if (!SKIP_BROWSER_TESTS) assertBrowserReady();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ sampleSkus: false });
    const admin = t.as('admin');
    for (const [code, name] of [
      ['TEA-SET-01', '青瓷茶具套装'],
      ['CUP-02', '品茗杯'],
      ['MUG-03', '马克杯'],
    ]) {
      const r = await admin.post('/api/skus', { code, name });
      expect(r.status).toBe(201);
    }
    expect((await admin.post('/api/warehouses', { code: 'WH-HZ', name: '杭州仓' })).status).toBe(201);
    for (const sku of ['TEA-SET-01', 'CUP-02', 'MUG-03']) {
      const r = await t.as('warehouse').post('/api/inventory/receipts', {
        warehouse: 'WH-HZ',
        lines: [{ sku, quantity: 50 }],
      });
      expect(r.status).toBe(201);
    }
    for (const l of LOCALES) {
      ids[`edit-${l}`] = await order(`EDIT-${l}`);
      ids[`approved-${l}`] = await order(`APPROVED-${l}`);
      const o = await admin.get(`/api/orders/${ids[`approved-${l}`]}`);
      const r = await admin.post(`/api/orders/${o.body.id}/transitions`, {
        event: 'approve',
        version: o.body.version,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
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
    const w = WORDS[locale];

    it(`${locale}: edits the address, replaces a line and adds a gift before approval`, async () => {
      const id = ids[`edit-${locale}`]!;
      const page = await loginAs('customer_service', locale, `/orders/${id}`);
      await page.waitForSelector('[data-testid=order-detail]');

      await page.click('[data-testid=edit-receiver]');
      await dialog(page).waitFor();
      await page.fill('#receiver-name', '王五');
      await page.fill('#receiver-phone-input', '13900001234');
      await page.fill('#receiver-province', '上海市');
      await page.fill('#receiver-city', '上海市');
      await page.fill('#receiver-district', '浦东新区');
      await page.fill('#receiver-detail', '世纪大道 100 号 8 楼');
      await page.fill('#receiver-reason', locale === 'zh-CN' ? '客户来电改地址' : 'customer called');
      await shot(page, `order-edit-receiver-${locale}-1440`);
      await page.click('[data-testid=receiver-ok]');
      await poll(() => page.textContent('[data-testid=receiver-phone]')).toBe('139****1234');
      await poll(() => page.textContent('[data-testid=order-detail]')).toContain(w.receiverChanged);
      // The timeline says what changed in words, masked, never as JSON.
      const text = (await page.textContent('[data-testid=order-detail]')) ?? '';
      expect(text).toContain('王*');
      expect(text).not.toMatch(/[{}"]receiver|"from"/);

      // Earlier receivers, masked.
      await page.click('[data-testid=receiver-history-open]');
      await poll(() => page.textContent('[data-testid=receiver-history]')).toContain('138****5678');
      await closeDialog(page);

      await page.click('[data-testid=edit-line-2]');
      await dialog(page).waitFor();
      await pickSku(page, '#line-sku', 'MUG-03');
      await page.fill('#line-quantity', '3');
      await shot(page, `order-edit-line-${locale}-1440`);
      await submitLine(page);
      await poll(() => page.textContent('[data-testid=order-detail]')).toContain(w.lineChanged);
      await poll(() => page.locator('tr:has-text("MUG-03")').count()).toBeGreaterThan(0);

      await page.click('[data-testid=add-gift]');
      await dialog(page).waitFor();
      await pickSku(page, '#line-sku', 'TEA-SET-01');
      await page.fill('#line-quantity', '1');
      await submitLine(page);
      await poll(() => page.locator('[data-gift-line="3"]').textContent()).toBe(w.gift);
      await poll(() => page.textContent('[data-testid=order-detail]')).toContain(w.giftAdded);
      await shot(page, `order-edit-detail-${locale}-1440`);

      // The server agrees: stock moved with the lines.
      const d = await t.as('admin').get(`/api/orders/${id}`);
      expect(
        d.body.lines.map((l: { sku: string; quantity: number; gift: boolean }) => [
          l.sku,
          l.quantity,
          l.gift,
        ]),
      ).toEqual([
        ['TEA-SET-01', 1, false],
        ['MUG-03', 3, false],
        ['TEA-SET-01', 1, true],
      ]);
      const r = await t.as('admin').get(`/api/orders/${id}/reservations`);
      const held = new Map<string, number>();
      for (const x of r.body as { sku: string; quantity: number; status: string }[])
        if (x.status === 'active') held.set(x.sku, (held.get(x.sku) ?? 0) + x.quantity);
      expect(Object.fromEntries(held)).toEqual({ 'TEA-SET-01': 2, 'MUG-03': 3 });

      // At 1024 px the detail and a dialog still fit.
      const narrow = await loginAs('customer_service', locale, `/orders/${id}`, 1024);
      await narrow.waitForSelector('[data-testid=order-detail]');
      await narrow.click('[data-testid=edit-receiver]');
      await dialog(narrow).waitFor();
      await shot(narrow, `order-edit-receiver-${locale}-1024`);
    });

    it(`${locale}: an approved order offers the edits disabled, with the reason`, async () => {
      const page = await loginAs('customer_service', locale, `/orders/${ids[`approved-${locale}`]}`);
      await page.waitForSelector('[data-testid=order-detail]');
      for (const b of ['edit-receiver', 'add-gift', 'edit-line-1'])
        expect(await page.locator(`[data-testid=${b}]`).isDisabled()).toBe(true);
      await page.hover('[data-edit-blocked=edit-receiver]');
      await poll(() => page.locator('.ant-tooltip:visible').textContent()).toContain(w.blocked);
      await shot(page, `order-edit-blocked-${locale}-1440`);
    });

    it(`${locale}: a manual order from the list goes through ingest`, async () => {
      const page = await loginAs('customer_service', locale, '/orders');
      await page.click('[data-testid=manual-order-open]');
      await page.waitForSelector('[data-testid=manual-form]');
      await poll(() =>
        page.locator('.ant-form-item:has(#manual-shop) .ant-select-selection-item').textContent(),
      ).toContain('default');
      await page.fill('#manual-name', '赵六');
      await page.fill('#manual-phone', '13700005678');
      await page.fill('#manual-province', '浙江省');
      await page.fill('#manual-city', '杭州市');
      await page.fill('#manual-district', '西湖区');
      await page.fill('#manual-detail', '文三路 100 号');
      await page.fill('#manual-buyer', locale === 'zh-CN' ? '电话客户' : 'phone customer');
      await pickSku(page, '#manual-sku-1', 'CUP-02');
      await page.fill('#manual-qty-1', '2');
      await page.fill('#manual-price-1', '15.5');
      await page.click('[data-testid=manual-add-line]');
      await pickSku(page, '#manual-sku-2', 'TEA-SET-01');
      await page.fill('#manual-price-2', '80');
      await page.fill('#manual-shipping', '8');
      await page.fill('#manual-discount', '1');
      await poll(() => page.textContent('[data-testid=manual-total]')).toContain('118.00');
      await shot(page, `order-manual-${locale}-1440`);
      await page.setViewportSize({ width: 1024, height: 900 });
      await shot(page, `order-manual-${locale}-1024`);
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.click('[data-testid=manual-submit]');
      await page.waitForSelector('[data-testid=order-detail]');
      const orderNo = (await page.textContent('[data-testid=detail-order-no]')) ?? '';
      expect(orderNo).toMatch(/^OH\d+/);
      const found = await t.as('admin').get(`/api/orders?orderNo=${orderNo}`);
      expect(found.body.items).toHaveLength(1);
      const o = await t.as('admin').get(`/api/orders/${found.body.items[0].id}`);
      expect(o.body).toMatchObject({
        status: 'paid',
        goodsAmount: 11100,
        shippingFee: 800,
        discount: 100,
        total: 11800,
      });
      expect(o.body.externalOrderId).toMatch(/^MANUAL-/);
      expect(o.body.timeline.map((e: { event: string }) => e.event)).toEqual(['created', 'stock']);
    });
  }
});
