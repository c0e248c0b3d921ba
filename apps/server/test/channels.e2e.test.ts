import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelTick, processInboxMessage, runAccountSync, runBackfill } from '../src/flows/index.ts';
import { deliverStock, recordWantedStock } from '../src/modules/channels/index.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { type Storefront, startStorefront, storeOrder } from './channels-support.ts';
import { startTestApp, type TestApp } from './helpers.ts';

const clock = new ManualClock('2026-11-30T10:00:00Z');
let t: TestApp;
let store: Storefront;
let accountId: string;

const MIN = 60_000;

async function ordersOf(account: string) {
  return t.database.query<{
    external_order_id: string;
    source_version: Date;
    buyer_remark: string | null;
    status: string;
    hold_reason: string | null;
  }>(
    `SELECT external_order_id, source_version, buyer_remark, status, hold_reason FROM orders WHERE channel_account_id = $1`,
    [account],
  );
}

/** The dashboard's channel sync health figure (computed from the same health as the account route). */
async function syncFigure() {
  const res = await t.as('admin').get('/api/metrics/health');
  expect(res.status).toBe(200);
  return res.body.figures.find((f: { key: string }) => f.key === 'channelSyncHealth');
}

async function inbox(query = '') {
  const res = await t.as('admin').get(`/api/inbox?account=${accountId}${query}`);
  expect(res.status).toBe(200);
  return res.body.items as any[];
}

beforeAll(async () => {
  t = await startTestApp({ clock });
  store = await startStorefront(clock);
  const res = await t.as('admin').post('/api/channel-accounts', {
    code: 'mini-shop',
    name: '小程序商城',
    channel: 'wechat_mini',
    credentials: { webhookSecret: store.secret },
    baseUrl: store.url,
    connectorSettings: { pageSize: 20 },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  accountId = res.body.id;
});

afterAll(async () => {
  await store?.close();
  await t?.close();
});

describe('channel accounts carry their connection', () => {
  it('stores credentials sealed and never returns them; refuses bad ones with the field named', async () => {
    const list = await t.as('admin').get('/api/channel-accounts');
    const a = list.body.find((x: any) => x.code === 'mini-shop');
    expect(a.connection).toMatchObject({
      connector: 'webhook',
      credentialFields: ['webhookSecret'],
      baseUrlSet: true,
      syncIntervalSeconds: 300,
    });
    expect(JSON.stringify(list.body)).not.toContain(store.secret);
    expect(JSON.stringify(list.body)).not.toContain(store.url);
    const raw = await t.database.query<{ credentials_enc: string }>(
      `SELECT credentials_enc FROM channel_accounts WHERE id = $1`,
      [accountId],
    );
    expect(raw[0]!.credentials_enc).not.toContain(store.secret);
    const audit = await t.database.query<{ summary: unknown }>(
      `SELECT summary FROM audit_log WHERE entity_id = $1`,
      [accountId],
    );
    expect(JSON.stringify(audit)).not.toContain(store.secret);

    const bad = await t.as('admin').post('/api/channel-accounts', {
      code: 'weak',
      name: 'weak',
      channel: 'pos',
      credentials: { webhookSecret: 'short' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('CHANNEL_CREDENTIALS_INVALID');
    expect(bad.body.details.field).toBe('credentials.webhookSecret');
  });

  it('audits a credential rotation by field names only', async () => {
    const res = await t.as('admin').patch(`/api/channel-accounts/${accountId}`, {
      credentials: { accessTokenExpiresAt: '2030-01-01T00:00:00Z' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.connection.credentialFields).toEqual(['accessTokenExpiresAt', 'webhookSecret']);
    const rows = await t.database.query<{ summary: any }>(
      `SELECT summary FROM audit_log WHERE entity_id = $1 AND action = 'channel_account.credentials_rotated'`,
      [accountId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.summary.fieldsChanged).toEqual(['accessTokenExpiresAt']);
  });
});

describe('pull sync', () => {
  it('overlapping windows over a page that shifts while read lose and double nothing', async () => {
    // 70 orders modified over the last 90 minutes: pages of 20, windows of at most an hour.
    for (let i = 0; i < 70; i++) store.put(storeOrder(), new Date(clock.now().getTime() - (90 - i) * MIN));
    store.faults.shiftAfterPage = 1;
    const first = await runAccountSync(t.app.deps, accountId);
    expect(first.status).toBe('synced');
    // The order that moved while paging is caught by the next run's window.
    clock.advance(10 * MIN);
    const second = await runAccountSync(t.app.deps, accountId);
    expect(second.status).toBe('synced');
    const rows = await ordersOf(accountId);
    expect(rows).toHaveLength(70);
    expect(new Set(rows.map((r) => r.external_order_id)).size).toBe(70);
    const moved = rows.filter((r) => r.buyer_remark?.startsWith('changed while paging'));
    expect(moved).toHaveLength(1);
    for (const r of rows)
      expect(new Date(r.source_version).getTime()).toBe(
        store.orders.get(r.external_order_id)!.modifiedAt.getTime(),
      );
    const health = await t.as('admin').get(`/api/channel-accounts/${accountId}/health`);
    expect(health.body).toMatchObject({ status: 'green', consecutiveFailures: 0 });
    expect(health.body.lagSeconds).toBeGreaterThanOrEqual(180);
    // The one connected account is green: the dashboard figure is 1 of 1, on target.
    expect(await syncFigure()).toMatchObject({ value: 1, numerator: 1, denominator: 1, missed: false });
    // A person limited to another shop (the built-in one, not connected) gets the figure over his
    // shops only: nothing connected, no value.
    const shops = (await t.as('admin').get('/api/channel-accounts')).body as { id: string; code: string }[];
    const own = shops.find((a) => a.code === 'default')!;
    const made = await t.as('admin').post('/api/users', {
      username: 'scoped-sync',
      role: 'operations',
      password: 'scoped-sync-password-1',
      scope: { channelAccounts: [own.id], warehouses: [] },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const token = (await t.as('admin').post('/api/tokens', { name: 'scoped', username: 'scoped-sync' })).body
      .token as string;
    const scoped = await t.request('GET', '/api/metrics/health', { token });
    expect(scoped.status).toBe(200);
    expect(scoped.body.figures.find((f: { key: string }) => f.key === 'channelSyncHealth')).toMatchObject({
      value: null,
      denominator: 0,
    });
  });

  it('an HTTP 200 with an error envelope is a failure; three in a row turn the account red with an alert', async () => {
    store.faults.errorEnvelope = 3;
    for (let i = 0; i < 3; i++) {
      clock.advance(6 * MIN);
      const r = await runAccountSync(t.app.deps, accountId);
      expect(r.status).toBe('failed');
      expect(r.error).toContain('ISP_SERVICE_ERROR');
    }
    const health = await t.as('admin').get(`/api/channel-accounts/${accountId}/health`);
    expect(health.body).toMatchObject({ status: 'red', consecutiveFailures: 3 });
    const alerts = await t.as('admin').get(`/api/channels/alerts?open=true&account=${accountId}`);
    expect(alerts.body.map((a: any) => a.kind)).toContain('sync_failing');
    expect(await syncFigure()).toMatchObject({ value: 0, numerator: 0, denominator: 1, missed: true });
    clock.advance(6 * MIN);
    expect((await runAccountSync(t.app.deps, accountId)).status).toBe('synced');
    const after = await t.as('admin').get(`/api/channel-accounts/${accountId}/health`);
    expect(after.body.status).toBe('green');
    expect(await syncFigure()).toMatchObject({ value: 1, missed: false });
    const open = await t.as('admin').get(`/api/channels/alerts?open=true&account=${accountId}`);
    expect(open.body.filter((a: any) => a.kind === 'sync_failing')).toHaveLength(0);
  });

  it('an expired token stops the pulls with status expired until new credentials come', async () => {
    store.faults.expired = true;
    clock.advance(6 * MIN);
    expect((await runAccountSync(t.app.deps, accountId)).status).toBe('expired');
    const health = await t.as('admin').get(`/api/channel-accounts/${accountId}/health`);
    expect(health.body.status).toBe('expired');
    expect(await syncFigure()).toMatchObject({ value: 0, missed: true });
    const before = store.requests;
    clock.advance(60 * MIN);
    await channelTick(t.app.deps);
    expect((await runAccountSync(t.app.deps, accountId)).status).toBe('expired');
    expect(store.requests).toBe(before);
    store.faults.expired = false;
    const renewed = await t.as('admin').patch(`/api/channel-accounts/${accountId}`, {
      credentials: { webhookSecret: store.secret },
    });
    expect(renewed.status).toBe(200);
    expect((await runAccountSync(t.app.deps, accountId)).status).toBe('synced');
  });

  it('backfills a range on demand', async () => {
    const old = storeOrder();
    store.put(old, new Date(clock.now().getTime() - 5 * 24 * 60 * MIN));
    const res = await t.as('admin').post(`/api/channel-accounts/${accountId}/backfill`, {
      from: new Date(clock.now().getTime() - 6 * 24 * 60 * MIN).toISOString(),
      to: new Date(clock.now().getTime() - 4 * 24 * 60 * MIN).toISOString(),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await runBackfill(t.app.deps, res.body.id);
    const list = await t.as('admin').get(`/api/channel-accounts/${accountId}/backfills`);
    expect(list.body[0]).toMatchObject({ status: 'done', orders: 1 });
    expect((await ordersOf(accountId)).some((r) => r.external_order_id === old.externalOrderId)).toBe(true);
  });
});

describe('inbox', () => {
  it('stores a signed push, acknowledges it, and processes it by job', async () => {
    const o = storeOrder();
    store.put(o);
    const push = store.signedPush(o.externalOrderId);
    const res = await t.request('POST', '/api/channels/push/mini-shop', {
      as: null,
      payload: push.payload,
      headers: push.headers,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ ok: true });
    const [m] = await inbox('&status=received');
    expect(m).toMatchObject({ messageId: push.headers['x-orderhub-event-id'], attempts: 0 });
    expect(m.rawBody).toBe(push.payload);
    expect(await processInboxMessage(t.app.deps, m.id)).toBe('processed');
    expect((await ordersOf(accountId)).some((r) => r.external_order_id === o.externalOrderId)).toBe(true);
  });

  it('a duplicate push changes nothing', async () => {
    const o = storeOrder();
    store.put(o);
    const push = store.signedPush(o.externalOrderId);
    await t.request('POST', '/api/channels/push/mini-shop', {
      as: null,
      payload: push.payload,
      headers: push.headers,
    });
    const stored = await t.count('channel_inbox');
    const jobs = async () =>
      t.app.deps.database.query<{ id: string | null }>(
        `SELECT j.data->>'id' AS id FROM pgboss.job j WHERE j.name = 'channel-inbox'
          AND j.data->>'id' IN (SELECT id FROM channel_inbox WHERE message_id = $1)`,
        [push.headers['x-orderhub-event-id']],
      );
    expect(await jobs()).toHaveLength(1);
    const queued = await t.count(`pgboss.job WHERE name = 'channel-inbox'`);
    const again = await t.request('POST', '/api/channels/push/mini-shop', {
      as: null,
      payload: push.payload,
      headers: push.headers,
    });
    expect(again.status).toBe(200);
    expect(await t.count('channel_inbox')).toBe(stored);
    // The repeat's own job went back with its refused row: the stored message keeps its one job.
    expect(await t.count(`pgboss.job WHERE name = 'channel-inbox'`)).toBe(queued);
    expect(await jobs()).toHaveLength(1);
  });

  it('a forged push is answered 401, stored as rejected with the reason, and never processed', async () => {
    const o = storeOrder();
    store.put(o);
    const push = store.signedPush(o.externalOrderId, { secret: 'someone-else-secret-0000' });
    const before = await t.count('orders');
    const res = await t.request('POST', '/api/channels/push/mini-shop', {
      as: null,
      payload: push.payload,
      headers: push.headers,
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('CHANNEL_PUSH_REJECTED');
    const [m] = await inbox('&status=rejected');
    expect(m.error).toContain('SIGNATURE_INVALID');
    expect(await processInboxMessage(t.app.deps, m.id)).toBe('skipped');
    const replay = await t.as('admin').post(`/api/inbox/${m.id}/replay`);
    expect(replay.status).toBe(409);
    expect(replay.body.code).toBe('INBOX_NOT_REPLAYABLE');
    expect(await t.count('orders')).toBe(before);
    // A stale signature is refused the same way.
    const stale = store.signedPush(o.externalOrderId, {
      at: new Date(clock.now().getTime() - 20 * MIN),
      eventId: 'stale-1',
    });
    const res2 = await t.request('POST', '/api/channels/push/mini-shop', {
      as: null,
      payload: stale.payload,
      headers: stale.headers,
    });
    expect(res2.status).toBe(401);
  });

  it('an older version never overwrites a newer one', async () => {
    const o = storeOrder({ buyerRemark: 'v1' });
    store.put(o, new Date(clock.now().getTime() - 2 * MIN));
    const v1 = store.signedPush(o.externalOrderId);
    store.put({ ...o, buyerRemark: 'v2' }, clock.now());
    const v2 = store.signedPush(o.externalOrderId);
    for (const p of [v2, v1]) {
      const res = await t.request('POST', '/api/channels/push/mini-shop', {
        as: null,
        payload: p.payload,
        headers: p.headers,
      });
      expect(res.status).toBe(200);
    }
    for (const m of await inbox('&status=received')) await processInboxMessage(t.app.deps, m.id);
    const row = (await ordersOf(accountId)).find((r) => r.external_order_id === o.externalOrderId)!;
    expect(row.buyer_remark).toBe('v2');
  });

  it('a message that fails keeps its error and attempts, and can be replayed', async () => {
    const o = storeOrder({ total: 7999 });
    store.put(o);
    const push = store.signedPush(o.externalOrderId);
    await t.request('POST', '/api/channels/push/mini-shop', {
      as: null,
      payload: push.payload,
      headers: push.headers,
    });
    const [m] = await inbox('&status=received');
    expect(await processInboxMessage(t.app.deps, m.id)).toBe('failed');
    const [failed] = await inbox('&status=failed');
    expect(failed).toMatchObject({ id: m.id, attempts: 1 });
    expect(failed.error).toContain('ORDER_AMOUNTS_INCONSISTENT');
    const replay = await t
      .as('admin')
      .post(`/api/inbox/${m.id}/replay`, { note: 'amounts fixed on the storefront' });
    expect(replay.status).toBe(202);
    expect(replay.body.status).toBe('received');
    expect(await processInboxMessage(t.app.deps, m.id)).toBe('failed');
    const again = await t.as('admin').get(`/api/inbox/${m.id}`);
    expect(again.body.attempts).toBe(2);
  });
});

describe('drift watch', () => {
  it('raises an alert for a new and a re-typed field, with an example and the first time seen', async () => {
    const base = clock.now().getTime() - MIN;
    for (let i = 0; i < 3; i++)
      store.put(storeOrder({ raw: { order_id: `X${i}`, seq: i } }), new Date(base + i * 1000));
    clock.advance(6 * MIN);
    await runAccountSync(t.app.deps, accountId);
    store.put(storeOrder({ raw: { order_id: 'X9', seq: '9', order_id_suffix: 'ERR' } }), clock.now());
    clock.advance(6 * MIN);
    await runAccountSync(t.app.deps, accountId);
    const res = await t.as('admin').get('/api/channels/drift');
    expect(res.status).toBe(200);
    const byField = new Map(res.body.alerts.map((a: any) => [`${a.kind}:${a.field}`, a]));
    const suffix = byField.get('drift_new_field:raw.order_id_suffix') as any;
    expect(suffix).toMatchObject({ platform: 'webhook', api: 'orders' });
    expect(suffix.example.raw.order_id_suffix).toBe('ERR');
    expect(suffix.firstSeenAt).toBe(new Date(clock.now()).toISOString());
    expect(byField.get('drift_retyped_field:raw.seq')).toMatchObject({
      details: { was: 'number', now: 'string' },
    });
  });
});

describe('stock back to the channel', () => {
  it('delivers the newest figure, never an older one, and parks a refused SKU after its retries', async () => {
    const at = clock.now();
    const msg = (sku: string, available: number, ms: number) => ({
      account: 'mini-shop',
      sku,
      available,
      at: new Date(at.getTime() + ms).toISOString(),
    });
    expect(await recordWantedStock(t.app.deps, msg('TEA-SET-01', 7, 2000))).toBe('recorded');
    expect(await recordWantedStock(t.app.deps, msg('TEA-SET-01', 9, 1000))).toBe('stale');
    store.faults.refuseStock.add('CUP-02');
    await recordWantedStock(t.app.deps, msg('CUP-02', 3, 1000));
    const r = await deliverStock(t.app.deps, accountId);
    expect(r.pushed).toBe(1);
    expect(store.stock.map((s) => [s.sku, s.quantity])).toEqual([['TEA-SET-01', 7]]);
    for (let i = 0; i < 6; i++) {
      clock.advance(60 * MIN);
      await deliverStock(t.app.deps, accountId);
    }
    const view = await t.as('admin').get(`/api/channel-accounts/${accountId}/stock-pushes`);
    const bySku = new Map(view.body.map((v: any) => [v.sku, v]));
    expect(bySku.get('TEA-SET-01')).toMatchObject({ status: 'pushed', pushedValue: 7 });
    expect(bySku.get('CUP-02')).toMatchObject({ status: 'parked', pushedValue: null, attempts: 5 });
    expect((bySku.get('CUP-02') as any).lastError).toContain('unknown sku');
    const alerts = await t.as('admin').get(`/api/channels/alerts?open=true&account=${accountId}`);
    expect(alerts.body.map((a: any) => a.kind)).toContain('stock_push_parked');
    // Pushing an older figure after a newer one was sent: nothing goes out.
    const sent = store.stock.length;
    await recordWantedStock(t.app.deps, msg('TEA-SET-01', 1, 500));
    await deliverStock(t.app.deps, accountId);
    expect(store.stock.length).toBe(sent);
  });
});
