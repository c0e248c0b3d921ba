import { startJdSimulator, startTaobaoSimulator } from '@orderhub/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processInboxMessage, runAccountSync } from '../src/flows/index.ts';
import { createSku } from '../src/modules/catalog/index.ts';
import { accountConnection, connectorContext } from '../src/modules/channels/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { startTestApp, type TestApp } from './helpers.ts';

const clock = new ManualClock('2026-11-30T10:00:00Z');
const MIN = 60_000;
let t: TestApp;
let pushBase: string;

beforeAll(async () => {
  t = await startTestApp({ clock });
  await t.database.tx(async (tx) => {
    for (const code of ['TEA-LJ-250', 'KETTLE-03', 'SCARF-SILK-R', 'BT-001', 'DY-BT-002', 'BABY-SH-01'])
      await createSku(tx, clock.now(), systemActor('test', 'cli'), { code, name: code, tracked: false });
  });
  pushBase = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
});

async function account(code: string, channel: string, sim: { url: string; credentials: object }) {
  const res = await t.as('admin').post('/api/channel-accounts', {
    code,
    name: code,
    channel,
    credentials: sim.credentials,
    baseUrl: sim.url,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** Every order the simulator holds is in orderhub exactly once, at the platform's latest version. */
async function expectMirrored(accountId: string, ids: readonly string[]) {
  const rows = await t.database.query<{ external_order_id: string; source_version: Date }>(
    `SELECT external_order_id, source_version FROM orders WHERE channel_account_id = $1`,
    [accountId],
  );
  expect(rows.map((r) => r.external_order_id).sort()).toEqual([...ids].sort());
  const a = (await accountConnection(t.database, t.app.deps.crypto, { id: accountId }))!;
  const c = connectorContext(a, clock.now())!;
  for (const r of rows) {
    const latest = await c.connector.fetchOrder(c.ctx, r.external_order_id);
    expect(new Date(r.source_version).getTime(), r.external_order_id).toBe(latest!.modifiedAt.getTime());
  }
}

describe.each([
  ['Taobao', 'taobao', startTaobaoSimulator],
  ['JD', 'jd', startJdSimulator],
] as const)('%s end to end through its simulator', (_name, channel, start) => {
  it('pulls over windows while pages shift and orders change, losing and doubling nothing', async () => {
    const sim = await start({ now: () => clock.now(), seed: 7 });
    try {
      const id = await account(`${channel}-shop`, channel, sim);
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

      // A 200 carrying the platform's error envelope is a failure, never an empty page.
      sim.faults.errorBody(3);
      for (let i = 0; i < 3; i++) {
        clock.advance(6 * MIN);
        expect((await runAccountSync(t.app.deps, id)).status).toBe('failed');
      }
      expect((await t.as('admin').get(`/api/channel-accounts/${id}/health`)).body.status).toBe('red');
      // The platform's expired-token answer stops the account.
      sim.faults.expireToken(true);
      clock.advance(6 * MIN);
      expect((await runAccountSync(t.app.deps, id)).status).toBe('expired');
      expect((await t.as('admin').get(`/api/channel-accounts/${id}/health`)).body.status).toBe('expired');
      sim.faults.expireToken(false);
    } finally {
      await sim.close();
    }
  });
});

describe('Taobao pushes (TMC) through the inbox', () => {
  it('stores each message once, processes it by fetching the trade, and never lets an older version win', async () => {
    const sim = await startTaobaoSimulator({ now: () => clock.now(), seed: 11 });
    try {
      const id = await account('tb-push', 'taobao', sim);
      sim.setPushUrl(`${pushBase}/api/channels/push/tb-push`);
      sim.faults.duplicatePushes(true);
      sim.faults.outOfOrderPushes(true);
      const ids = [sim.addOrder(), sim.addOrder(), sim.addOrder()];
      clock.advance(MIN);
      sim.changeAddress(ids[0]!);
      await sim.flushPushes();
      const res = await t.as('admin').get(`/api/inbox?account=${id}&limit=200`);
      const messages = res.body.items as { id: string; messageId: string; status: string }[];
      expect(messages.length).toBeGreaterThan(0);
      expect(new Set(messages.map((m) => m.messageId)).size).toBe(messages.length);
      for (const m of messages) await processInboxMessage(t.app.deps, m.id);
      const after = await t.as('admin').get(`/api/inbox?account=${id}&limit=200`);
      expect(after.body.items.filter((m: any) => m.status !== 'processed').map((m: any) => m.error)).toEqual(
        [],
      );
      await expectMirrored(id, ids);
    } finally {
      await sim.close();
    }
  });
});
