import fs from 'node:fs';
import path from 'node:path';
import { MAX_ORDER_NOS_PER_SEARCH, ORDER_TABS } from '@orderhub/contracts';
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
const TAG = '列表测试';
const LOCALES = ['zh-CN', 'en-US'] as const;
type Locale = (typeof LOCALES)[number];

/** The seeded orders by name: id, orderNo, externalOrderId. */
const seeded: Record<string, { id: string; orderNo: string; externalOrderId: string; version: number }> = {};

async function loginAs(role: string, locale: Locale, startPath = '/', width = 1440): Promise<Page> {
  const { context, page } = await openLoggedIn(
    browser,
    base + startPath,
    { username: `${role}-user`, password: `${role}-password-123` },
    { width, locale },
  );
  contexts.push(context);
  if (startPath.startsWith('/orders') && !startPath.startsWith('/orders/')) {
    await page.waitForSelector('[data-tab-count=all]');
    await poll(() => page.textContent('[data-tab-count=all]')).toMatch(/^\d+$/);
  }
  if (process.env['DBG_E2E']) {
    page.on('response', async (r) => {
      if (r.url().includes('/api/orders'))
        console.log('RESP', r.status(), decodeURIComponent(r.url()).slice(0, 300));
    });
    page.on('console', (m) => console.log('CONSOLE', m.type(), m.text().slice(0, 300)));
  }
  return page;
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Polls with room for a loaded machine (vitest's default gives up after one second). */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 60_000, interval: 250 });

/**
 * Chooses a flag in the seller-note dialog and makes sure the choice took: a click that lands
 * while the dialog is still zooming in can hit the neighbouring choice on a loaded machine.
 */
async function chooseFlag(page: Page, flag: number) {
  const choice = page.locator(`.ant-modal-wrap:visible label:has([data-flag-choice="${flag}"])`);
  await poll(async () => {
    if (!/ant-radio-wrapper-checked/.test((await choice.getAttribute('class')) ?? '')) {
      await choice.click();
    }
    return /ant-radio-wrapper-checked/.test((await choice.getAttribute('class')) ?? '');
  }).toBe(true);
}

const rowIds = (page: Page) =>
  page
    .locator('[data-testid=order-table] tbody [data-order-link]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-order-link') ?? '').sort());

describe.skipIf(SKIP_BROWSER_TESTS)(
  'order list: tabs, staff search, notes, confirmations, layout',
  { timeout: 400_000 },
  () => {
    if (!SKIP_BROWSER_TESTS) assertBrowserReady();

    beforeAll(async () => {
      t = await startTestApp();
      const admin = t.as('admin');
      const now = Date.now();
      const ingest = async (name: string, over: Parameters<typeof sampleOrder>[0]) => {
        const at = new Date(now - (Object.keys(seeded).length + 1) * 3600_000).toISOString();
        const res = await admin.post(
          '/api/orders',
          sampleOrder({ externalOrderId: `LIST-${name}`, placedAt: at, paidAt: at, tags: [TAG], ...over }),
        );
        expect(res.status).toBe(201);
        const o = res.body.order;
        seeded[name] = {
          id: o.id,
          orderNo: o.orderNo,
          externalOrderId: o.externalOrderId,
          version: o.version,
        };
      };
      const receiver = (phone: string, name = '王五') => ({
        name,
        phone,
        province: '浙江省',
        city: '杭州市',
      });
      await ingest('a', { receiver: receiver('13912345678'), buyerRemark: '请发顺丰' });
      await ingest('b', { receiver: receiver('13712345678', '赵六') });
      await ingest('c', { receiver: receiver('13900001111') });
      await ingest('d', { receiver: receiver('13900002222') });
      await ingest('e', { receiver: receiver('13900003333') });
      await ingest('unpaid', {
        receiver: receiver('13900004444'),
        paidAt: undefined,
        status: 'pending_payment',
      });
      await ingest('unmapped', {
        receiver: receiver('13900005555'),
        lines: [{ channelSku: 'DY-SHOE-01', title: '婴儿鞋', quantity: 1, unitPrice: 8000 }],
        discount: 0,
      });
      await ingest('many', {
        receiver: receiver('13900006666'),
        lines: Array.from({ length: 7 }, (_, i) => ({
          channelSku: `CUP-${i}`,
          sku: `CUP-${i}`,
          title: `品茗杯 ${i}`,
          quantity: i + 1,
          unitPrice: 1000,
        })),
        discount: 0,
        total: 28000,
      });
      const move = async (name: string, event: string, reasonCode?: string) => {
        const o = seeded[name]!;
        const res = await admin.post(`/api/orders/${o.id}/transitions`, {
          event,
          version: o.version,
          ...(reasonCode ? { reasonCode } : {}),
        });
        expect(res.status).toBe(200);
        o.version = res.body.version;
      };
      await move('d', 'approve');
      await move('e', 'cancel', 'BUYER_REQUEST');
      await move('c', 'hold', 'CUSTOMER_REQUEST');
      base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
      ({ browser, close: closeBrowser } = await launchChromium());
    });

    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await closeBrowser?.();
      await t?.close();
    });

    it('shows every tab with its count under the other filters, and each count equals the tab’s list', async () => {
      for (const locale of LOCALES) {
        const page = await loginAs('operations', locale, `/orders?tag=${encodeURIComponent(TAG)}&limit=100`);
        await page.waitForSelector('[data-testid=order-table] [data-order-link]');
        await poll(() => page.textContent('[data-tab-count=all]')).toBe(String(Object.keys(seeded).length));
        const api = await t.as('admin').get(`/api/orders/counts?tag=${encodeURIComponent(TAG)}`);
        expect(api.status).toBe(200);
        for (const tab of ORDER_TABS) {
          const shown = Number(await page.textContent(`[data-tab-count=${tab.key}]`));
          expect(shown, tab.key).toBe(api.body.tabs[tab.key]);
          await page.click(`[data-tab=${tab.key}]`);
          if (tab.key !== 'all') await page.waitForURL(new RegExp(`tab=${tab.key}`));
          await poll(async () => (await rowIds(page)).length).toBe(shown);
          await poll(() => page.getAttribute('[data-testid=total-count]', 'data-total')).toBe(String(shown));
          const label = locale === 'zh-CN' ? tab.zh : tab.en;
          expect(await page.textContent(`[data-tab=${tab.key}]`)).toContain(label);
        }
        // The counts honour the other filters: a buyer-remark quick filter leaves one order in 待审核.
        await page.click('[data-tab=to_review]');
        await page.waitForURL(/tab=to_review/);
        await poll(async () => (await rowIds(page)).length).toBe(api.body.tabs['to_review']);
        await page.click('[data-quick=buyerRemark]');
        await page.waitForURL(/buyerRemark=1/);
        await poll(() => page.textContent('[data-tab-count=all]')).toBe('1');
        await poll(() => page.textContent('[data-tab-count=to_review]')).toBe('1');
        await poll(async () => rowIds(page)).toEqual([seeded['a']!.id]);
        expect(await page.textContent('[data-testid=total-count]')).toBe(
          locale === 'zh-CN' ? '共 1 单' : 'Total: 1',
        );
        // Filters stay in the URL: a reload shows the same.
        await page.reload();
        await poll(async () => rowIds(page)).toEqual([seeded['a']!.id]);
        await shot(page, `orders-tabs-${locale}`);
      }
    });

    it('finds exactly the orders whose phone ends in the last 4 digits, and refuses letters', async () => {
      for (const locale of LOCALES) {
        const page = await loginAs('customer_service', locale, '/orders');
        await page.waitForSelector('[data-order-link]');
        expect(await page.getAttribute('[data-testid=filter-phone]', 'placeholder')).toContain(
          locale === 'zh-CN' ? '后 4 位' : 'last 4 digits',
        );
        await page.fill('[data-testid=filter-phone]', '5678');
        await page.click('[data-testid=filter-submit]');
        await page.waitForURL(/phone=5678/);
        await poll(async () => rowIds(page)).toEqual([seeded['a']!.id, seeded['b']!.id].sort());
        await page.fill('[data-testid=filter-phone]', '56a8');
        await page.click('[data-testid=filter-submit]');
        await poll(() => page.locator('.ant-form-item-explain-error').first().textContent()).toContain(
          locale === 'zh-CN' ? '后 4 位数字' : 'last 4 digits',
        );
        expect(page.url()).toContain('phone=5678');
      }
    });

    it('finds several pasted order numbers at once, ours and the channel’s', async () => {
      for (const locale of LOCALES) {
        const page = await loginAs('operations', locale, '/orders');
        await page.waitForSelector('[data-order-link]');
        const pasted = `${seeded['a']!.orderNo}\n${seeded['c']!.externalOrderId}, ${seeded['many']!.orderNo}；${seeded['a']!.orderNo}`;
        await page.fill('[data-testid=filter-orderNos]', pasted);
        await poll(() => page.textContent('[data-testid=order-nos-count]')).toContain('3');
        await page.click('[data-testid=filter-submit]');
        await page.waitForURL(/orderNos=/);
        await poll(async () => rowIds(page)).toEqual(
          [seeded['a']!.id, seeded['c']!.id, seeded['many']!.id].sort(),
        );
        // Lines on the row: title, SKU × quantity, and "等 N 件" past the first five.
        const many = page.locator(`[data-lines="${seeded['many']!.id}"]`);
        const lines = (await many.textContent()) ?? '';
        expect(lines).toContain('品茗杯 0');
        expect(lines).toContain('CUP-4 × 5');
        expect(lines).not.toContain('CUP-5');
        expect(lines).toContain(locale === 'zh-CN' ? '等 7 件' : '7 items in all');
        // The buyer remark shows as a flag on its row.
        expect(await page.getAttribute(`[data-buyer-remark]`, 'data-buyer-remark')).toBe('请发顺丰');
      }
    });

    it('refuses more pasted numbers than one search takes, naming the limit, before sending', async () => {
      for (const locale of LOCALES) {
        const page = await loginAs('operations', locale, '/orders');
        await page.waitForSelector('[data-order-link]');
        const many = Array.from(
          { length: MAX_ORDER_NOS_PER_SEARCH + 1 },
          (_, i) => `OH2611300${String(i).padStart(4, '0')}`,
        );
        await page.fill('[data-testid=filter-orderNos]', many.join('\n'));
        await page.click('[data-testid=filter-submit]');
        const error = page.locator('.ant-form-item-explain-error').first();
        await poll(() => error.textContent()).toContain(String(MAX_ORDER_NOS_PER_SEARCH));
        const text = (await error.textContent()) ?? '';
        expect(text).toContain(String(MAX_ORDER_NOS_PER_SEARCH + 1));
        expect(text).toContain(locale === 'zh-CN' ? '一次最多查' : 'At most');
        expect(page.url()).not.toContain('orderNos');
        await shot(page, `orders-too-many-${locale}`);
      }
    });

    it('sets a seller note and flag from the list row; the row and the timeline say it in words', async () => {
      const notes = { 'zh-CN': '客户要求周末送达', 'en-US': 'Deliver at the weekend' } as const;
      for (const locale of LOCALES) {
        const o = seeded[locale === 'zh-CN' ? 'b' : 'many']!;
        const page = await loginAs('customer_service', locale, `/orders?orderNos=${o.orderNo}`);
        await page.click(`[data-edit-note="${o.id}"]`);
        await page.waitForSelector('[data-testid=seller-note-form]');
        await chooseFlag(page, 1);
        await page.fill('[data-testid=seller-note-input]', notes[locale]);
        await shot(page, `orders-seller-note-dialog-${locale}`);
        await page.click('[data-testid=seller-note-ok]');
        const flag = page.locator(`tr[data-row-key="${o.id}"] [data-seller-flag]`);
        await poll(() => flag.getAttribute('data-seller-flag')).toBe('1');
        expect(await flag.getAttribute('data-seller-note')).toBe(notes[locale]);
        // The quick filter finds it.
        await page.click('[data-quick=sellerRemark]');
        await poll(async () => rowIds(page)).toEqual([o.id]);

        await page.click(`[data-order-link="${o.id}"]`);
        await page.waitForSelector('[data-testid=system-timeline] [data-event=seller_note]');
        const entry =
          (await page.textContent('[data-testid=system-timeline] [data-event=seller_note]')) ?? '';
        expect(entry).not.toContain('{');
        expect(entry).not.toContain('seller_note');
        if (locale === 'zh-CN') {
          expect(entry).toContain(`添加卖家备注「${notes[locale]}」`);
          expect(entry).toContain('插红旗');
        } else {
          expect(entry).toContain(`Seller note added: “${notes[locale]}”`);
          expect(entry).toContain('Red flag set');
        }
        expect(await page.textContent('[data-testid=detail-seller-note]')).toContain(notes[locale]);
        // And from the detail: change the flag; the timeline says from what to what.
        await page.click('[data-testid=edit-seller-note]');
        await chooseFlag(page, 4);
        await page.click('[data-testid=seller-note-ok]');
        await poll(() =>
          page.locator('[data-testid=system-timeline] [data-event=seller_note]').allTextContents(),
        ).toContainEqual(
          expect.stringContaining(
            locale === 'zh-CN' ? '旗帜由红旗改为蓝旗' : 'Flag changed from Red to Blue',
          ),
        );
        await shot(page, `order-detail-seller-note-${locale}`);
      }
    });

    it('asks before a batch approve or cancel, with the count and what it skips and why', async () => {
      for (const locale of LOCALES) {
        const page = await loginAs('operations', locale, `/orders?tag=${encodeURIComponent(TAG)}&limit=100`);
        await page.waitForSelector('[data-order-link]');
        const pick = async (names: string[]) => {
          for (const n of names)
            await page.locator(`tr[data-row-key="${seeded[n]!.id}"]`).locator('input[type=checkbox]').check();
        };
        await pick(['c', 'unmapped', 'd']);
        await page.keyboard.press('a');
        await page.waitForSelector('[data-testid=approve-confirm]');
        const approve = (await page.textContent('[data-testid=approve-confirm]')) ?? '';
        // c is held by hand, unmapped is held for its SKU, d is already approved: nothing to approve.
        expect(await page.locator('[data-testid=approve-confirm] [data-skip]').count()).toBe(3);
        if (locale === 'zh-CN') {
          expect(approve).toContain('3 单将跳过');
          expect(approve).toContain('挂起中（商品未匹配）');
          expect(approve).toContain('挂起中（客户要求）');
          expect(approve).toContain('当前状态不能审核');
        } else {
          expect(approve).toContain('3 will be skipped');
          expect(approve).toContain('On hold (SKU not mapped)');
          expect(approve).toContain('Cannot be approved in its status');
        }
        expect(await page.isDisabled('[data-testid=approve-confirm-ok]')).toBe(true);
        await shot(page, `orders-approve-confirm-${locale}`);
        // The dialog's own cancel button (the first in its footer) closes it and changes nothing.
        await page.locator('.ant-modal-wrap:visible .ant-modal-footer button').first().click();
        await page.waitForSelector('[data-testid=approve-confirm]', { state: 'detached' });

        await pick(['e']);
        await page.click('[data-testid=batch-cancel]');
        await page.waitForSelector('[data-testid=cancel-confirm]');
        const cancel = (await page.textContent('[data-testid=cancel-confirm]')) ?? '';
        expect(cancel).toContain(locale === 'zh-CN' ? '将取消 3 单' : '3 orders will be cancelled');
        expect(cancel).toContain(seeded['e']!.orderNo);
        expect(cancel).toContain(
          locale === 'zh-CN' ? '当前为「已取消」，不能取消' : 'Cancelled: can no longer be cancelled',
        );
        // Nothing is cancelled without a reason, and the dialog's cancel keeps the orders.
        expect(await page.isDisabled('[data-testid=cancel-confirm-ok]')).toBe(true);
        await shot(page, `orders-cancel-confirm-${locale}`);
        await page.locator('.ant-modal-wrap:visible .ant-modal-footer button').first().click();
        await page.waitForSelector('[data-testid=cancel-confirm]', { state: 'detached' });
      }
      const still = await t.as('admin').get(`/api/orders/${seeded['d']!.id}`);
      expect(still.body.status).toBe('approved');
    });

    it('at 1024 px scrolls the table sideways with the selection and order number fixed, page sizes in words', async () => {
      for (const locale of LOCALES) {
        for (const width of [1440, 1024]) {
          const page = await loginAs('operations', locale, `/orders?tag=${encodeURIComponent(TAG)}`, width);
          await page.waitForSelector('[data-order-link]');
          const first = page.locator('[data-testid=order-table] tbody [data-order-link]').first();
          const tagsHeader = page.locator('[data-testid=order-table] thead th', {
            hasText: locale === 'zh-CN' ? '标签' : 'Tags',
          });
          // Page size reads in full.
          expect(await page.textContent('[data-testid=page-size]')).toBe(
            locale === 'zh-CN' ? '20 条/页' : '20 / page',
          );
          // The selection and order-number cells are fixed to the left.
          const fixed = page
            .locator('[data-testid=order-table] tbody tr.ant-table-row')
            .first()
            .locator('td.ant-table-cell-fix-left');
          expect(await fixed.count()).toBe(2);
          await shot(page, `orders-list-${locale}-${width}`);
          if (width === 1024) {
            const before = await first.boundingBox();
            const tagsBefore = await tagsHeader.boundingBox();
            expect(tagsBefore!.x + tagsBefore!.width).toBeGreaterThan(width);
            await page.locator('[data-testid=order-table] .ant-table-content').evaluate((el) => {
              el.scrollLeft = el.scrollWidth;
            });
            await poll(
              async () => (await tagsHeader.boundingBox())!.x + (await tagsHeader.boundingBox())!.width,
            ).toBeLessThanOrEqual(width);
            const after = await first.boundingBox();
            expect(Math.abs(after!.x - before!.x)).toBeLessThan(2);
            await shot(page, `orders-list-${locale}-${width}-scrolled`);
          }
        }
      }
    });
  },
);
