import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { processInboxMessage, runAccountSync } from '../src/flows/index.ts';
import { signWebhook } from '../src/modules/channels/index.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { type Storefront, startStorefront, storeOrder } from './channels-support.ts';
import { startTestApp, type TestApp } from './helpers.ts';

/**
 * Interleavings of pulls, pushes, duplicate pushes, platform changes and restarts: whatever the
 * order, every order the platform holds ends in orderhub exactly once, at its latest version.
 */
const clock = new ManualClock('2026-11-30T08:00:00Z');
const MIN = 60_000;
let t: TestApp;
let app: App;
let store: Storefront;
let run = 0;

beforeAll(async () => {
  t = await startTestApp({ clock });
  app = t.app;
  store = await startStorefront(clock);
});
afterAll(async () => {
  if (app !== t.app) await app.close();
  await store?.close();
  await t?.close();
});

type Step =
  | { kind: 'change'; order: number }
  | { kind: 'advance'; minutes: number }
  | { kind: 'pull' }
  | { kind: 'push'; order: number }
  | { kind: 'duplicate' }
  | { kind: 'process' }
  | { kind: 'fault' }
  | { kind: 'restart' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('change' as const), order: fc.nat(5) }),
  fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 20 }) }),
  fc.constant({ kind: 'pull' as const }),
  fc.record({ kind: fc.constant('push' as const), order: fc.nat(5) }),
  fc.constant({ kind: 'duplicate' as const }),
  fc.constant({ kind: 'process' as const }),
  fc.constant({ kind: 'fault' as const }),
  fc.constant({ kind: 'restart' as const }),
);

async function push(code: string, p: { payload: string; headers: Record<string, string> }) {
  const res = await app.http.inject({
    method: 'POST',
    url: `/api/channels/push/${code}`,
    payload: p.payload,
    headers: p.headers,
  });
  expect(res.statusCode).toBe(200);
}

async function processAll(accountId: string) {
  const rows = await t.database.query<{ id: string }>(
    `SELECT id FROM channel_inbox WHERE account_id = $1 AND status IN ('received', 'failed') ORDER BY random()`,
    [accountId],
  );
  for (const r of rows) await processInboxMessage(app.deps, r.id);
}

describe('channel sync property', () => {
  it('every order ends in orderhub exactly once, at its latest version', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 14 }), async (steps) => {
        run++;
        const code = `prop-${run}`;
        const created = await app.http.inject({
          method: 'POST',
          url: '/api/channel-accounts',
          headers: { authorization: `Bearer ${t.tokens.admin}`, 'content-type': 'application/json' },
          payload: JSON.stringify({
            code,
            name: code,
            channel: 'pos',
            credentials: { webhookSecret: store.secret },
            baseUrl: store.url,
            connectorSettings: { pageSize: 2 },
          }),
        });
        expect(created.statusCode).toBe(201);
        const accountId = created.json().id as string;
        store.orders.clear();
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) {
          const o = storeOrder({ externalOrderId: `${code}-${i}` });
          store.put(o, new Date(clock.now().getTime() - (30 - i) * MIN));
          ids.push(o.externalOrderId);
        }
        let last: { payload: string; headers: Record<string, string> } | null = null;
        let version = 0;
        for (const s of steps) {
          switch (s.kind) {
            case 'change': {
              const cur = store.orders.get(ids[s.order]!)!;
              clock.advance(1000);
              store.put({ ...cur.body, buyerRemark: `v${++version}` }, clock.now());
              break;
            }
            case 'advance':
              clock.advance(s.minutes * MIN);
              break;
            case 'pull':
              await runAccountSync(app.deps, accountId);
              break;
            case 'push':
              last = store.signedPush(ids[s.order]!);
              await push(code, last);
              break;
            case 'duplicate':
              // The same message again (same event id and body), signed anew as a sender's retry is.
              if (last) {
                const ts = String(Math.floor(clock.now().getTime() / 1000));
                await push(code, {
                  payload: last.payload,
                  headers: {
                    ...last.headers,
                    'x-orderhub-timestamp': ts,
                    'x-orderhub-signature': signWebhook(store.secret, ts, last.payload),
                  },
                });
              }
              break;
            case 'process':
              await processAll(accountId);
              break;
            case 'fault':
              // The platform changes an order while the next pull pages, and then is down once.
              store.faults.shiftAfterPage = 1;
              store.faults.unavailable = 1;
              break;
            case 'restart':
              if (app !== t.app) await app.close();
              app = await buildApp(t.config, { database: t.database, migrate: true, clock });
              break;
          }
        }
        // The platform stops changing; once its indexing lag has passed, a pull and the inbox settle it.
        store.faults.shiftAfterPage = null;
        store.faults.unavailable = 0;
        clock.advance(10 * MIN);
        await processAll(accountId);
        const final = await runAccountSync(app.deps, accountId);
        expect(final.status).toBe('synced');
        const rows = await t.database.query<{
          external_order_id: string;
          source_version: Date;
          buyer_remark: string | null;
        }>(
          `SELECT external_order_id, source_version, buyer_remark FROM orders WHERE channel_account_id = $1`,
          [accountId],
        );
        expect(rows.map((r) => r.external_order_id).sort()).toEqual([...ids].sort());
        for (const r of rows) {
          const o = store.orders.get(r.external_order_id)!;
          expect(new Date(r.source_version).getTime()).toBe(o.modifiedAt.getTime());
          expect(r.buyer_remark ?? null).toBe(o.body.buyerRemark ?? null);
        }
      }),
      { numRuns: Number(process.env['CHANNEL_PROPERTY_RUNS'] ?? 8) },
    );
  }, 600_000);
});
