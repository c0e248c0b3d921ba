import {
  startDouyinSimulator,
  startJdSimulator,
  startPinduoduoSimulator,
  startShopifySimulator,
  startTaobaoSimulator,
} from '@orderhub/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processInboxMessage, runAccountSync } from '../src/flows/index.ts';
import { createSku } from '../src/modules/catalog/index.ts';
import {
  accountConnection,
  connectorContext,
  deliverStock,
  recordWantedStock,
} from '../src/modules/channels/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { startTestApp, type TestApp } from './helpers.ts';

/**
 * Pinduoduo, Douyin shop and Shopify end to end through their simulators (Taobao and JD are in
 * channels-platforms.e2e.test.ts): pulls over pages that shift while read, pushes forged,
 * duplicated and out of order, and an order with a suffix glued on its id that must not hold up
 * the rest of its page.
 */
const clock = new ManualClock('2026-11-30T10:00:00Z');
const MIN = 60_000;
let t: TestApp;
let pushBase: string;

beforeAll(async () => {
  t = await startTestApp({ clock });
  await t.database.tx(async (tx) => {
    for (const code of [
      'TEA-LJ-250',
      'KETTLE-03',
      'SCARF-SILK-R',
      'BT-001',
      'DY-BT-002',
      'BABY-SH-01',
      'TEE-ORG-BLK-M',
      'TEE-ORG-WHT-L',
      'MUG-CER-350',
      'TEA-SEN-100G',
      'BAG-CNV-TOTE',
      'SOCK-WOOL-3P',
    ])
      await createSku(tx, clock.now(), systemActor('test', 'cli'), { code, name: code, tracked: false });
  });
  pushBase = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
});

async function account(
  code: string,
  channel: string,
  sim: { url: string; credentials: object },
  connectorSettings: Record<string, unknown> = {},
) {
  const res = await t.as('admin').post('/api/channel-accounts', {
    code,
    name: code,
    channel,
    credentials: sim.credentials,
    baseUrl: sim.url,
    connectorSettings,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function rowsOf(accountId: string) {
  return t.database.query<{ id: string; external_order_id: string; source_version: Date; updated_at: Date }>(
    `SELECT id, external_order_id, source_version, updated_at FROM orders WHERE channel_account_id = $1`,
    [accountId],
  );
}

/**
 * The check's own reads of the platform: a platform that throttles them (Shopify's leaky bucket,
 * after the sync's reads) is waited for as it asks (`retryAfterMs`), as the sync itself does.
 */
async function throttled<T>(read: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await read();
    } catch (e) {
      const wait = (e as { retryAfterMs?: unknown }).retryAfterMs;
      if (typeof wait !== 'number' || i >= 20) throw e;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Every order the simulator holds is in orderhub exactly once, at the platform's latest version. */
async function expectMirrored(accountId: string, ids: readonly string[]) {
  const rows = await rowsOf(accountId);
  expect(rows.map((r) => r.external_order_id).sort()).toEqual([...ids].sort());
  const a = (await accountConnection(t.database, t.app.deps.crypto, { id: accountId }))!;
  const c = connectorContext(a, clock.now())!;
  for (const r of rows) {
    const latest = await throttled(() => c.connector.fetchOrder(c.ctx, r.external_order_id));
    expect(new Date(r.source_version).getTime(), r.external_order_id).toBe(latest!.modifiedAt.getTime());
  }
}

async function inboxOf(accountId: string) {
  const res = await t.as('admin').get(`/api/inbox?account=${accountId}&limit=200`);
  expect(res.status).toBe(200);
  return res.body.items as {
    id: string;
    messageId: string;
    status: string;
    error: string | null;
    topic: string | null;
    rawBody: string;
    orderIds: string[];
  }[];
}

async function processReceived(accountId: string) {
  for (const m of await inboxOf(accountId))
    if (m.status === 'received') await processInboxMessage(t.app.deps, m.id);
  const after = await inboxOf(accountId);
  expect(
    after.filter((m) => m.status !== 'processed' && m.status !== 'rejected').map((m) => m.error),
  ).toEqual([]);
  return after;
}

/** A push sent again with one byte of its body changed: the signature no longer matches. */
async function forge(url: string, headers: Record<string, string>, body: string) {
  const tampered = body.replace(/"(\d)/, (_m, d: string) => `"${(Number(d) + 1) % 10}`);
  expect(tampered).not.toBe(body);
  return fetch(url, { method: 'POST', headers, body: tampered });
}

type CnStart = typeof startPinduoduoSimulator | typeof startTaobaoSimulator | typeof startJdSimulator;

describe('Pinduoduo end to end through its simulator', { timeout: 180_000 }, () => {
  it('pulls over windows while pages shift and orders change, losing and doubling nothing', async () => {
    const sim = await startPinduoduoSimulator({ now: () => clock.now(), seed: 21 });
    try {
      const id = await account('pdd-shop', 'pinduoduo', sim, { pageSize: 10 });
      const ids: string[] = [];
      for (let i = 0; i < 45; i++)
        ids.push(sim.addOrder({ at: new Date(clock.now().getTime() - (80 - i) * MIN) }));
      sim.faults.shiftWhilePaging(3);
      clock.advance(4 * MIN);
      expect(await runAccountSync(t.app.deps, id)).toMatchObject({ status: 'synced' });
      sim.changeAddress(ids[3]!);
      sim.changeAddress(ids[10]!);
      clock.advance(10 * MIN);
      expect(await runAccountSync(t.app.deps, id)).toMatchObject({ status: 'synced' });
      await expectMirrored(id, ids);
    } finally {
      await sim.close();
    }
  });

  it('stores each push once, refuses a forged one (recorded, never processed), and never lets an older version win', async () => {
    const sim = await startPinduoduoSimulator({ now: () => clock.now(), seed: 22 });
    try {
      const id = await account('pdd-push', 'pinduoduo', sim);
      const url = `${pushBase}/api/channels/push/pdd-push`;
      sim.setPushUrl(url);
      sim.faults.duplicatePushes(true);
      sim.faults.outOfOrderPushes(true);
      const ids = [sim.addOrder(), sim.addOrder(), sim.addOrder()];
      clock.advance(MIN);
      sim.changeAddress(ids[0]!);
      clock.advance(MIN);
      sim.changeAddress(ids[1]!);
      await sim.flushPushes();
      const first = await inboxOf(id);
      expect(first.length).toBeGreaterThan(0);
      expect(new Set(first.map((m) => m.messageId)).size).toBe(first.length);
      await processReceived(id);
      await expectMirrored(id, ids);

      // A duplicate of a stored push changes nothing.
      const before = await rowsOf(id);
      const sent = sim.pushes().find((p) => p.status === 200)!;
      const again = await fetch(sent.url, { method: 'POST', headers: sent.headers, body: sent.body });
      expect(again.status).toBe(200);
      expect((await inboxOf(id)).length).toBe(first.length);
      expect(await rowsOf(id)).toEqual(before);

      // A forged one is refused in the platform's form, stored rejected with the reason, never processed.
      const forged = await forge(sent.url, sent.headers, sent.body);
      expect(forged.status).toBe(400);
      expect(await forged.json()).toMatchObject({ success: false });
      const rejected = (await inboxOf(id)).filter((m) => m.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.error).toMatch(/SIGNATURE_INVALID/);
      expect(await processInboxMessage(t.app.deps, rejected[0]!.id)).toBe('skipped');
      expect(await rowsOf(id)).toEqual(before);
    } finally {
      await sim.close();
    }
  });
});

describe('Douyin shop end to end through its simulator', { timeout: 180_000 }, () => {
  it('pulls over windows while pages shift and orders change, losing and doubling nothing', async () => {
    const sim = await startDouyinSimulator({ now: () => clock.now(), seed: 31 });
    try {
      const id = await account('dy-shop', 'douyin', sim, { ...sim.settings, pageSize: 10 });
      const ids: string[] = [];
      for (let i = 0; i < 45; i++)
        ids.push(sim.addOrder({ at: new Date(clock.now().getTime() - (80 - i) * MIN) }));
      sim.faults.shiftWhilePaging(3);
      clock.advance(4 * MIN);
      expect(await runAccountSync(t.app.deps, id)).toMatchObject({ status: 'synced' });
      sim.changeAddress(ids[3]!);
      sim.changeAddress(ids[10]!);
      clock.advance(10 * MIN);
      expect(await runAccountSync(t.app.deps, id)).toMatchObject({ status: 'synced' });
      await expectMirrored(id, ids);
    } finally {
      await sim.close();
    }
  });

  it('stores each push once, refuses a forged one (recorded, never processed), and never lets an older version win', async () => {
    const sim = await startDouyinSimulator({ now: () => clock.now(), seed: 32 });
    try {
      const id = await account('dy-push', 'douyin', sim, sim.settings);
      const url = `${pushBase}/api/channels/push/dy-push`;
      sim.setPushUrl(url);
      sim.faults.duplicatePushes(true);
      sim.faults.outOfOrderPushes(true);
      const ids = [sim.addOrder(), sim.addOrder(), sim.addOrder()];
      clock.advance(MIN);
      sim.changeAddress(ids[0]!);
      clock.advance(MIN);
      sim.changeAddress(ids[1]!);
      await sim.flushPushes();
      const first = await inboxOf(id);
      expect(first.length).toBeGreaterThan(0);
      expect(new Set(first.map((m) => m.messageId)).size).toBe(first.length);
      await processReceived(id);
      await expectMirrored(id, ids);

      const before = await rowsOf(id);
      const sent = sim.pushes().find((p) => p.status === 200)!;
      const again = await fetch(sent.url, { method: 'POST', headers: sent.headers, body: sent.body });
      expect(await again.json()).toMatchObject({ code: 0 });
      expect((await inboxOf(id)).length).toBe(first.length);
      expect(await rowsOf(id)).toEqual(before);

      // Douyin's form: HTTP 200 with a non-zero code (it redelivers); stored rejected, never processed.
      const forged = await forge(sent.url, sent.headers, sent.body);
      expect(await forged.json()).toMatchObject({ code: 1 });
      const rejected = (await inboxOf(id)).filter((m) => m.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.error).toMatch(/SIGNATURE_INVALID/);
      expect(await processInboxMessage(t.app.deps, rejected[0]!.id)).toBe('skipped');
      expect(await rowsOf(id)).toEqual(before);
    } finally {
      await sim.close();
    }
  });
});

describe('Shopify end to end through its simulator', { timeout: 180_000 }, () => {
  it('pulls over windows while pages shift and orders change, losing and doubling nothing', async () => {
    const sim = await startShopifySimulator({ now: () => clock.now(), seed: 41 });
    try {
      const id = await account('shopify-shop', 'shopify', sim, { ...sim.settings, pageLimit: 10 });
      const ids: string[] = [];
      for (let i = 0; i < 35; i++) {
        ids.push(sim.addOrder());
        clock.advance(MIN);
      }
      sim.faults.shiftDuringPaging = 2;
      clock.advance(4 * MIN);
      expect(await runAccountSync(t.app.deps, id)).toMatchObject({ status: 'synced' });
      sim.updateOrder(ids[3]!);
      sim.updateOrder(ids[10]!);
      clock.advance(10 * MIN);
      expect(await runAccountSync(t.app.deps, id)).toMatchObject({ status: 'synced' });
      await expectMirrored(id, ids);
    } finally {
      await sim.close();
    }
  });

  it('stores each webhook once, refuses a forged one with 401 (recorded, never processed), and never lets an older version win', async () => {
    const sim = await startShopifySimulator({ now: () => clock.now(), seed: 42, retryBaseMs: 10 });
    try {
      const id = await account('shopify-push', 'shopify', sim, sim.settings);
      const url = `${pushBase}/api/channels/push/shopify-push`;
      sim.setWebhookUrl(url);
      sim.faults.duplicatePushes = 3;
      const ids = [sim.addOrder(), sim.addOrder()];
      clock.advance(MIN);
      // orders/updated of a newer version delivered before the older one.
      sim.faults.outOfOrderPushes = 1;
      sim.updateOrder(ids[0]!);
      clock.advance(MIN);
      sim.updateOrder(ids[0]!);
      await sim.settle();
      const first = await inboxOf(id);
      expect(first.length).toBeGreaterThan(0);
      expect(new Set(first.map((m) => m.messageId)).size).toBe(first.length);
      await processReceived(id);
      await expectMirrored(id, ids);

      const before = await rowsOf(id);
      const sent = sim.pushes().find((p) => p.delivered)!;
      const again = await fetch(url, { method: 'POST', headers: sent.headers, body: sent.body });
      expect(again.status).toBe(200);
      expect((await inboxOf(id)).length).toBe(first.length);
      expect(await rowsOf(id)).toEqual(before);

      const forged = await forge(url, sent.headers, sent.body);
      expect(forged.status).toBe(401);
      const rejected = (await inboxOf(id)).filter((m) => m.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]!.error).toMatch(/SIGNATURE_INVALID/);
      expect(await processInboxMessage(t.app.deps, rejected[0]!.id)).toBe('skipped');
      expect(await rowsOf(id)).toEqual(before);
    } finally {
      await sim.close();
    }
  });

  it('takes the inventory item ids through the account settings, refuses bad ones, and pushes stock with them', async () => {
    const sim = await startShopifySimulator({ now: () => clock.now(), seed: 43 });
    try {
      const bad = await t.as('admin').post('/api/channel-accounts', {
        code: 'shopify-bad',
        name: 'bad',
        channel: 'shopify',
        credentials: sim.credentials,
        baseUrl: sim.url,
        connectorSettings: { ...sim.settings, inventoryItemIds: { 'MUG-CER-350': 'not-a-number' } },
      });
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('CHANNEL_SETTINGS_INVALID');
      expect(bad.body.details.field).toBe('connectorSettings.inventoryItemIds.MUG-CER-350');

      const { inventoryItemIds, ...rest } = sim.settings;
      const id = await account('shopify-stock', 'shopify', sim, rest);
      const patched = await t.as('admin').patch(`/api/channel-accounts/${id}`, {
        connectorSettings: { ...rest, inventoryItemIds: { 'MUG-CER-350': inventoryItemIds['MUG-CER-350']! } },
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body.connection.connectorSettings.inventoryItemIds).toEqual({
        'MUG-CER-350': inventoryItemIds['MUG-CER-350'],
      });
      const at = clock.now().toISOString();
      for (const [sku, available] of [
        ['MUG-CER-350', 17],
        ['BAG-CNV-TOTE', 5],
      ] as const)
        expect(await recordWantedStock(t.app.deps, { account: 'shopify-stock', sku, available, at })).toBe(
          'recorded',
        );
      await deliverStock(t.app.deps, id);
      expect(sim.inventory()[inventoryItemIds['MUG-CER-350']!]).toBe(17);
      // A SKU with no inventory item id is not guessed: the push says what is missing.
      const pushes = await t.as('admin').get(`/api/channel-accounts/${id}/stock-pushes`);
      const tote = pushes.body.find((p: { sku: string }) => p.sku === 'BAG-CNV-TOTE');
      expect(tote.lastError).toMatch(/inventoryItemIds/);
      expect(pushes.body.find((p: { sku: string }) => p.sku === 'MUG-CER-350')).toMatchObject({
        status: 'pushed',
        pushedValue: 17,
      });
    } finally {
      await sim.close();
    }
  });
});

describe.each([
  ['Taobao', 'taobao', startTaobaoSimulator],
  ['JD', 'jd', startJdSimulator],
  ['Pinduoduo', 'pinduoduo', startPinduoduoSimulator],
] as [string, string, CnStart][])(
  '%s: an order id with a suffix glued on',
  { timeout: 180_000 },
  (_n, channel, start) => {
    it('is set aside with its raw payload and error, replayable, while the rest of the page and the cursor move on', async () => {
      const sim = await start({ now: () => clock.now(), seed: 51 });
      try {
        const id = await account(`${channel}-glued`, channel, sim, { pageSize: 10 });
        const ids: string[] = [];
        for (let i = 0; i < 25; i++)
          ids.push(sim.addOrder({ at: new Date(clock.now().getTime() - (40 - i) * MIN) }));
        const bad = ids[12]!;
        sim.glueIdSuffix(bad, 'ERR');
        clock.advance(4 * MIN);
        expect(await runAccountSync(t.app.deps, id)).toMatchObject({ status: 'synced' });
        const rows = await rowsOf(id);
        expect(rows.map((r) => r.external_order_id).sort()).toEqual(ids.filter((x) => x !== bad).sort());
        expect(rows.some((r) => r.external_order_id.endsWith('ERR'))).toBe(false);
        const parked = (await inboxOf(id)).filter((m) => m.topic === 'pull');
        expect(parked).toHaveLength(1);
        expect(parked[0]).toMatchObject({ status: 'failed', orderIds: [`${bad}ERR`] });
        expect(parked[0]!.error).toMatch(/ORDER_ID_MALFORMED/);
        expect(parked[0]!.rawBody).toContain(`${bad}ERR`);
        const health = await t.as('admin').get(`/api/channel-accounts/${id}/health`);
        expect(health.body).toMatchObject({ status: 'green', consecutiveFailures: 0 });
        expect(new Date(health.body.syncedTo).getTime()).toBe(clock.now().getTime() - 180_000);
        // The next run's overlapping window sees it again: one message, one more attempt, never an order.
        clock.advance(6 * MIN);
        expect(await runAccountSync(t.app.deps, id)).toMatchObject({ status: 'synced' });
        const again = (await inboxOf(id)).filter((m) => m.topic === 'pull');
        expect(again).toHaveLength(1);
        // Replayable: it is fetched again by the id it came with (refused again until fixed upstream).
        const replay = await t.as('admin').post(`/api/inbox/${again[0]!.id}/replay`, {});
        expect(replay.status, JSON.stringify(replay.body)).toBe(202);
        expect(await processInboxMessage(t.app.deps, again[0]!.id)).toBe('failed');
        expect((await rowsOf(id)).length).toBe(24);
      } finally {
        await sim.close();
      }
    });
  },
);
