import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processInboxMessage, runAccountSync } from '../../../server/src/flows/index.ts';
import { deliverStock, recordWantedStock } from '../../../server/src/modules/channels/index.ts';
import { ManualClock } from '../../../server/src/platform/clock.ts';
import { type Storefront, startStorefront, storeOrder } from '../../../server/test/channels-support.ts';
import { startTestApp, type TestApp } from '../../../server/test/helpers.ts';
import {
  assertBrowserReady,
  launchChromium,
  openLoggedIn,
  SCREENSHOT_DIR,
  SKIP_BROWSER_TESTS,
  tableOverflow,
} from './browser.ts';

// The server's clock starts at the real time and is moved forward by the drift and stock steps.
const clock = new ManualClock(new Date());
const MIN = 60_000;
let t: TestApp;
let base: string;
let store: Storefront;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let accountId: string;
const contexts: BrowserContext[] = [];

async function loginAs(role: string, startPath = '/', width = 1440): Promise<Page> {
  const { context, page } = await openLoggedIn(
    browser,
    base + startPath,
    {
      username: `${role}-user`,
      password: `${role}-password-123`,
    },
    { width },
  );
  contexts.push(context);
  return page;
}

async function shot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** A push as the storefront sends it, straight to the server's push URL (no session). */
async function push(p: { payload: string; headers: Record<string, string> }) {
  return fetch(`${base}/api/channels/push/mini-shop`, {
    method: 'POST',
    headers: p.headers,
    body: p.payload,
  });
}

async function inbox(query: string) {
  const res = await t.as('admin').get(`/api/inbox?account=${accountId}${query}`);
  expect(res.status).toBe(200);
  return res.body.items as { id: string; messageId: string; status: string; attempts: number }[];
}

describe.skipIf(SKIP_BROWSER_TESTS)('channels console in Chromium', { timeout: 300_000 }, () => {
  if (!SKIP_BROWSER_TESTS) assertBrowserReady();

  beforeAll(async () => {
    t = await startTestApp({ clock });
    store = await startStorefront(clock);
    base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    ({ browser, close: closeBrowser } = await launchChromium());
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await closeBrowser?.();
    await store?.close();
    await t?.close();
  });

  it('adds a shop with credentials that are never shown back, and shows its sync health', async () => {
    const page = await loginAs('operations', '/channels');
    await page.click('[data-action=add-account]');
    await page.waitForSelector('[data-testid=account-form]');
    await page.locator('[data-testid=account-form] .ant-select-selector').first().click();
    await page.locator('.ant-select-item-option[title="微信小程序"]').click();
    await page.fill('#account-code', 'mini-shop');
    await page.fill('#account-name', '小程序商城');
    await page.fill('[data-cred=webhookSecret]', store.secret);
    await page.fill('#account-base-url', store.url);
    expect(await page.textContent('[data-testid=push-url]')).toContain('/api/channels/push/mini-shop');
    await shot(page, 'channels-add-account-zh-CN-1440');
    await page.click('[data-action=save-account]');
    await page.waitForSelector('[data-account=mini-shop]');
    const list = await t.as('admin').get('/api/channel-accounts');
    accountId = list.body.find((a: { code: string }) => a.code === 'mini-shop').id;
    expect(list.body.find((a: { code: string }) => a.code === 'mini-shop').connection).toMatchObject({
      connector: 'webhook',
      credentialFields: ['webhookSecret'],
      baseUrlSet: true,
    });

    // Written, never read: neither the secret nor the base URL comes back to the page.
    await page.click('[data-account=mini-shop] [data-action=edit-account]');
    await page.waitForSelector('[data-testid=account-form]');
    expect(await page.inputValue('[data-cred=webhookSecret]')).toBe('');
    expect(await page.getAttribute('[data-cred=webhookSecret]', 'placeholder')).toBe('已保存，留空则不修改');
    expect(await page.inputValue('#account-base-url')).toBe('');
    expect(await page.content()).not.toContain(store.secret);
    expect(await page.content()).not.toContain(store.url);
    await page.keyboard.press('Escape');

    // Never synced: yellow, "never"; after a pull: green with a lag and the time of the success.
    await expect
      .poll(() => page.getAttribute('[data-account=mini-shop] [data-health]', 'data-health'))
      .toBe('yellow');
    for (let i = 0; i < 3; i++) store.put(storeOrder(), new Date(clock.now().getTime() - (30 - i) * MIN));
    expect((await runAccountSync(t.app.deps, accountId)).status).toBe('synced');
    await page.reload();
    await expect
      .poll(() => page.getAttribute('[data-account=mini-shop] [data-health]', 'data-health'))
      .toBe('green');
    const row = page.locator('[data-account=mini-shop]');
    expect(await row.textContent()).toContain('正常');
    expect(await row.locator('time').first().textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await page.content()).not.toContain(store.secret);
  });

  it('shows a signed push in the inbox and the order list, a forged one rejected with its reason', async () => {
    const o = storeOrder();
    store.put(o);
    const signed = store.signedPush(o.externalOrderId);
    expect((await push(signed)).status).toBe(200);
    const forged = store.signedPush(o.externalOrderId, {
      secret: 'someone-else-secret-0000',
      eventId: 'forged-1',
    });
    expect((await push(forged)).status).toBe(401);
    const [received] = await inbox('&status=received');
    expect(await processInboxMessage(t.app.deps, received!.id)).toBe('processed');

    const page = await loginAs('operations', '/channels?tab=inbox');
    const ok = page.locator(`[data-message="${signed.headers['x-orderhub-event-id']}"]`);
    await expect.poll(() => ok.getAttribute('data-inbox-status')).toBe('processed');
    expect(await ok.textContent()).toContain('已处理');
    await ok.locator('.ant-table-row-expand-icon').click();
    await page.waitForSelector('[data-testid=inbox-raw]');
    const raw = await page.textContent('[data-testid=inbox-raw]');
    expect(raw).toContain(o.externalOrderId);
    expect(raw).toContain('\n  "externalOrderId"'); // pretty JSON, not the one-line body
    await shot(page, 'channels-inbox-zh-CN-1440');

    // A rejected push is keyed by its body's hash (its own event id is not to be trusted).
    const bad = page.locator('[data-inbox-status=rejected]');
    expect(await bad.getAttribute('data-inbox-status')).toBe('rejected');
    expect(await bad.textContent()).toContain('已拒收');
    expect(await bad.locator('[data-testid=inbox-error]').textContent()).toContain('签名校验失败');
    expect(await bad.locator('[data-testid=inbox-error]').getAttribute('data-error-code')).toBe(
      'SIGNATURE_INVALID',
    );
    // A rejected message offers no replay.
    expect(await bad.locator('[data-action=replay]').count()).toBe(0);

    // The status filter keeps only rejected ones.
    await page.goto(`${base}/channels?tab=inbox&inboxStatus=rejected`);
    await page.waitForSelector('[data-inbox-status=rejected]');
    expect(await page.locator('[data-inbox-status=processed]').count()).toBe(0);

    await page.goto(`${base}/orders?orderNo=${o.externalOrderId}`);
    await page.waitForSelector('[data-order-link]');
    expect(await page.locator('[data-order-link]').count()).toBe(1);
  });

  it('replays a failed message after a confirmation', async () => {
    const o = storeOrder({ total: 7999 }); // lines add up to 8000: the ingest refuses it
    store.put(o);
    const p = store.signedPush(o.externalOrderId, { eventId: 'inconsistent-1' });
    expect((await push(p)).status).toBe(200);
    const [m] = await inbox('&status=received');
    expect(await processInboxMessage(t.app.deps, m!.id)).toBe('failed');

    const page = await loginAs('operations', '/channels?tab=inbox&inboxStatus=failed');
    const row = page.locator('[data-message="inconsistent-1"]');
    await row.waitFor();
    const error = await row.locator('[data-testid=inbox-error]').textContent();
    expect(error).toContain('订单金额对不上');
    expect(error!.replace(o.externalOrderId, '')).not.toMatch(/ORDER_AMOUNTS_INCONSISTENT|[a-z]{4,}/); // in words
    expect(await row.locator('[data-testid=inbox-error]').getAttribute('data-error-code')).toBe(
      'ORDER_AMOUNTS_INCONSISTENT',
    );
    await row.locator('[data-action=replay]').click();
    await page.waitForSelector('.ant-modal-confirm');
    expect(await page.textContent('.ant-modal-confirm')).toContain('inconsistent-1');
    await shot(page, 'channels-replay-confirm-zh-CN-1440');
    await page.click('[data-action=confirm-replay]');
    // The toast is brief on a loaded machine: the server's state is what counts.
    await expect
      .poll(async () => (await t.as('admin').get(`/api/inbox/${m!.id}`)).body.status, { timeout: 60_000 })
      .toBe('received');
    expect((await t.as('admin').get(`/api/inbox/${m!.id}`)).body.attempts).toBe(1);
    expect(await processInboxMessage(t.app.deps, m!.id)).toBe('failed');
    await page.reload();
    await expect
      .poll(() => page.locator('[data-message="inconsistent-1"] [data-attempts]').textContent())
      .toBe('2');
  });

  it('shows interface drift: a new field and a re-typed one, with an example and the first time seen', async () => {
    const at = clock.now().getTime();
    for (let i = 0; i < 3; i++)
      store.put(storeOrder({ raw: { order_id: `X${i}`, seq: i } }), new Date(at - MIN + i * 1000));
    clock.advance(6 * MIN);
    await runAccountSync(t.app.deps, accountId);
    store.put(storeOrder({ raw: { order_id: 'X9', seq: '9', order_id_suffix: 'ERR' } }), clock.now());
    clock.advance(6 * MIN);
    await runAccountSync(t.app.deps, accountId);

    const page = await loginAs('customer_service', '/channels?tab=drift');
    const suffix = page.locator('[data-drift-field="raw.order_id_suffix"]');
    await suffix.waitFor();
    expect(await suffix.textContent()).toContain('新增字段（文本）');
    expect(await suffix.locator('[data-testid=drift-example]').textContent()).toBe('ERR');
    expect(await suffix.locator('time').first().textContent()).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/,
    );
    expect(await suffix.locator('[data-testid=drift-first-seen]').textContent()).toMatch(
      /^首次发现 \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/,
    );
    expect(await suffix.locator('[data-occurrences]').textContent()).toBe('出现 1 次');
    const seq = page.locator('[data-drift-field="raw.seq"][data-drift-kind=drift_retyped_field]');
    expect(await seq.textContent()).toContain('类型变化：数字 → 文本');
    // customer service reads the channels but does not manage them
    expect(await page.locator('[data-testid=channels-read-only]').count()).toBe(1);
    expect(await page.locator('[data-action=add-account]').count()).toBe(0);
  });

  it('shows stock pushes per SKU (parked ones too) on the account and the inventory page', async () => {
    const at = clock.now();
    const msg = (sku: string, available: number) => ({
      account: 'mini-shop',
      sku,
      available,
      at: new Date(at.getTime() + 1000).toISOString(),
    });
    store.faults.refuseStock.add('CUP-02');
    await recordWantedStock(t.app.deps, msg('TEA-SET-01', 7));
    await recordWantedStock(t.app.deps, msg('CUP-02', 3));
    await deliverStock(t.app.deps, accountId);
    for (let i = 0; i < 6; i++) {
      clock.advance(60 * MIN);
      await deliverStock(t.app.deps, accountId);
    }
    const page = await loginAs('operations', '/channels');
    await page.click('[data-account-link=mini-shop]');
    await page.waitForSelector('[data-testid=account-drawer]');
    await page.click('[data-tab=stock-pushes]');
    const cup = page.locator('[data-testid=stock-push-table] [data-sku=CUP-02]');
    await cup.waitFor();
    expect(await cup.textContent()).toContain('已搁置');
    expect(await cup.textContent()).toContain('平台不认识这个 SKU');
    expect(await page.textContent('[data-testid=stock-push-table] [data-sku=TEA-SET-01]')).toContain(
      '已推送',
    );
    await shot(page, 'channels-account-drawer-zh-CN-1440');

    await page.goto(`${base}/inventory`);
    const inv = page.locator('[data-testid=inventory-channel-pushes]');
    await page.waitForSelector('[data-testid=inventory]');
    await inv.locator('[data-sku=CUP-02]').waitFor();
    expect(await inv.locator('[data-sku=CUP-02]').textContent()).toContain('已搁置');
    expect(await inv.locator('[data-sku=TEA-SET-01]').textContent()).toContain('7');
    await shot(page, 'inventory-channel-pushes-zh-CN-1440');
  });

  it('announces expiring and expired authorisation above every page', async () => {
    const admin = t.as('admin');
    const soon = await admin.post('/api/channel-accounts', {
      code: 'pos-soon',
      name: '门店收银',
      channel: 'pos',
      credentials: {
        webhookSecret: 'pos-secret-0123456789abcdef',
        accessTokenExpiresAt: new Date(clock.now().getTime() + 3 * 86_400_000).toISOString(),
      },
    });
    expect(soon.status, JSON.stringify(soon.body)).toBe(201);
    const gone = await admin.post('/api/channel-accounts', {
      code: 'app-gone',
      name: '自建 App',
      channel: 'api',
      credentials: {
        webhookSecret: 'app-secret-0123456789abcdef',
        accessTokenExpiresAt: new Date(clock.now().getTime() - 3_600_000).toISOString(),
      },
    });
    expect(gone.status, JSON.stringify(gone.body)).toBe(201);
    const page = await loginAs('operations', '/orders');
    const banner = page.locator('[data-testid=channel-auth-banner]');
    await banner.waitFor();
    expect(await banner.locator('[data-banner-account=app-gone]').textContent()).toContain('已过期');
    expect(await banner.locator('[data-banner-account=pos-soon]').textContent()).toContain('将于');
    expect(await banner.textContent()).not.toContain('mini-shop');
    await page.goto(`${base}/channels`);
    await banner.waitFor();
    await expect
      .poll(() => page.getAttribute('[data-account=app-gone] [data-health]', 'data-health'))
      .toBe('expired');
    await banner.locator('[data-banner-account=app-gone] a').click();
    await page.waitForSelector('[data-testid=account-form]');
    await page.keyboard.press('Escape');
  });

  it('takes a Shopify shop’s location and SKU to inventory item ids, refusing a line that is not one', async () => {
    const page = await loginAs('operations', '/channels');
    await page.click('[data-action=add-account]');
    await page.waitForSelector('[data-testid=account-form]');
    await page.locator('[data-testid=account-form] .ant-select-selector').first().click();
    await page.locator('.ant-select-item-option[title="Shopify"]').click();
    await page.fill('#account-location-id', '65000000041');
    await page.fill(
      '#account-inventory-items',
      'MUG-CER-350, 42000000041002\nTEE-ORG-BLK-M 42000000041000\nno id here',
    );
    await page.click('[data-action=save-account]');
    await expect
      .poll(() => page.locator('[data-testid=account-form]').textContent(), { timeout: 30_000 })
      .toContain('第 3 行不是“SKU，数字 ID”的格式');
    await shot(page, 'channels-shopify-settings-zh-CN-1440');
    await page.keyboard.press('Escape');
  });

  it('reads well in Chinese and English at 1440 and 1024 px', async () => {
    for (const width of [1440, 1024]) {
      const page = await loginAs('operations', '/channels', width);
      for (const locale of ['zh-CN', 'en-US'] as const) {
        await page.goto(`${base}/channels`);
        if (locale === 'en-US') {
          await page.locator('[data-testid=locale-switch]').getByText('EN').click();
          await page.mouse.move(600, 850); // away from the user menu, which opens on hover
        }
        await page.waitForSelector('[data-account=mini-shop] [data-health]');
        if (locale === 'en-US')
          expect(await page.textContent('[data-testid=channels]')).toContain('Sync health');
        else expect(await page.textContent('[data-testid=channels]')).toContain('同步健康');
        // Every column on screen, the buttons too: nothing to scroll sideways for, at 1024 px too.
        const wide = await tableOverflow(page);
        expect(wide, `shops at ${width} px`).toBeLessThanOrEqual(1);
        await shot(page, `channels-accounts-${locale}-${width}`);
        await page.goto(`${base}/channels?tab=inbox`);
        await page.waitForSelector('[data-inbox-status=rejected]');
        await page.locator('[data-inbox-status=rejected] .ant-table-row-expand-icon').click();
        await page.waitForSelector('[data-testid=inbox-raw]');
        // Every column on screen, replay too: nothing to scroll sideways for, at 1024 px too.
        const overflow = await tableOverflow(page);
        expect(overflow, `inbox at ${width} px`).toBeLessThanOrEqual(1);
        await shot(page, `channels-inbox-${locale}-${width}`);
        await page.goto(`${base}/channels?tab=drift`);
        await page.waitForSelector('[data-drift-field="raw.order_id_suffix"]');
        expect(await tableOverflow(page), `drift at ${width} px`).toBeLessThanOrEqual(1);
        await shot(page, `channels-drift-${locale}-${width}`);
        await page.goto(`${base}/channels?account=${accountId}&edit=1`);
        await page.waitForSelector('[data-testid=account-form]');
        expect(await page.inputValue('#account-code')).toBe('mini-shop');
        await shot(page, `channels-edit-${locale}-${width}`);
        await page.goto(`${base}/channels?account=${accountId}`);
        await page.waitForSelector('[data-testid=account-drawer]');
        await page.click('[data-tab=stock-pushes]');
        await page.waitForSelector('[data-testid=stock-push-table] [data-sku=CUP-02]');
        await shot(page, `channels-drawer-${locale}-${width}`);
        // The dashboard's sync figure counts the three connected shops: one expired, so it misses in red.
        await page.goto(`${base}/dashboard`);
        const panel = page.locator('[data-figure=channelSyncHealthPanel]');
        await expect.poll(() => panel.getAttribute('data-missed'), { timeout: 30_000 }).toBe('true');
        expect(await panel.locator('.ant-tag-red').count()).toBe(1);
        expect(await panel.textContent()).toMatch(
          locale === 'zh-CN'
            ? /3 个已接通店铺中 [0-2] 个同步正常/
            : /[0-2] of 3 connected shops synchronise normally/,
        );
        await shot(page, `dashboard-sync-health-${locale}-${width}`);
      }
    }
  });
});
