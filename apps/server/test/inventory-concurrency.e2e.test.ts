import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDue } from '../src/flows/order-inventory.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { onPostgres, startTestApp, type TestApp } from './helpers.ts';
import { assertInvariants, level, orderFor, setupStock } from './inventory-support.ts';

/**
 * Concurrency proofs. On PostgreSQL the requests really run in parallel over the pool (30
 * connections); on PGlite they interleave between statements of one connection.
 */
const clock = new ManualClock('2026-01-09T01:00:00Z');
let t: TestApp;
const SKUS = ['P-A', 'P-B', 'P-C'];
const WHS = ['WH-1', 'WH-2'];

beforeAll(async () => {
  t = await startTestApp({ clock, sampleSkus: false });
  await setupStock(
    t,
    ['HOT-1', 'HOT-2', 'RACE-1', ...SKUS],
    WHS.map((code, i) => ({ code, priority: 10 - i })),
    [
      { warehouse: 'WH-1', sku: 'HOT-1', quantity: 10 },
      { warehouse: 'WH-1', sku: 'HOT-2', quantity: 10 },
      { warehouse: 'WH-1', sku: 'RACE-1', quantity: 1000 },
      ...SKUS.flatMap((sku) => WHS.map((warehouse) => ({ warehouse, sku, quantity: 30 }))),
    ],
  );
});
afterAll(async () => {
  await t.close();
});

const deps = () => t.app.deps as Parameters<typeof expireDue>[1];

describe('200 concurrent orders for 10 units', () => {
  it('channel orders: exactly 10 reserved, 190 on hold OUT_OF_STOCK', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        t.as('admin').post('/api/orders', orderFor([{ sku: 'HOT-1', quantity: 1 }])),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const statuses = results.map((r) => `${r.body.order.status}:${r.body.order.holdReason ?? ''}`);
    expect(statuses.filter((s) => s === 'paid:').length).toBe(10);
    expect(statuses.filter((s) => s === 'on_hold:OUT_OF_STOCK').length).toBe(190);
    expect(await level(t, 'HOT-1', 'WH-1')).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    await assertInvariants(t.database);
  }, 180_000);

  it('checkouts: exactly 10 accepted, 190 refused INVENTORY_INSUFFICIENT', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.as('admin').post('/api/reservations', {
          externalOrderId: `HOT-CO-${i}`,
          lines: [{ sku: 'HOT-2', quantity: 1 }],
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201).length).toBe(10);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.length).toBe(190);
    expect(new Set(refused.map((r) => r.body.code))).toEqual(new Set(['INVENTORY_INSUFFICIENT']));
    expect(await level(t, 'HOT-2', 'WH-1')).toMatchObject({ reserved: 10, available: 0 });
    await assertInvariants(t.database);
  }, 180_000);
});

describe('payment timeout against a payment in the same second', () => {
  it('the payment wins or the cancel wins, never both, and stock is released at most once', async () => {
    const ids: string[] = [];
    const bodies = [];
    for (let i = 0; i < 20; i++) {
      const o = orderFor([{ sku: 'RACE-1', quantity: 2 }], { externalOrderId: `RACE-${i}` });
      delete o.paidAt;
      const r = await t.as('admin').post('/api/orders', o);
      expect(r.body.order.status).toBe('pending_payment');
      ids.push(r.body.order.id);
      bodies.push(o);
    }
    clock.advance(30 * 60_000 + 1000);
    const paidAt = new Date(clock.now().getTime() - 500).toISOString();
    await Promise.all([
      expireDue(t.database, deps(), clock.now()),
      ...bodies.map((o) =>
        t.as('admin').post('/api/orders', { ...o, status: 'paid', paidAt, sourceVersion: paidAt }),
      ),
      expireDue(t.database, deps(), clock.now()),
    ]);
    await expireDue(t.database, deps(), clock.now());
    let paid = 0;
    let cancelled = 0;
    for (const id of ids) {
      const o = await t.as('admin').get(`/api/orders/${id}`);
      const rs = await t.as('admin').get(`/api/orders/${id}/reservations`);
      const releases = await t.database.query(
        `SELECT 1 FROM stock_movements WHERE type = 'release' AND source_id = $1`,
        [id],
      );
      const events = o.body.timeline.map((e: { event: string }) => e.event);
      if (o.body.status === 'paid') {
        paid++;
        expect(rs.body.map((r: { status: string; quantity: number }) => [r.status, r.quantity])).toEqual([
          ['active', 2],
        ]);
        expect(releases).toHaveLength(0);
        expect(events).not.toContain('cancel');
      } else {
        cancelled++;
        expect(o.body.status).toBe('cancelled');
        expect(rs.body.map((r: { status: string }) => r.status)).toEqual(['expired']);
        expect(releases).toHaveLength(1);
        expect(events.filter((e: string) => e === 'cancel')).toHaveLength(1);
        expect(events).not.toContain('pay');
      }
    }
    expect(paid + cancelled).toBe(20);
    await assertInvariants(t.database);
  }, 180_000);
});

type Op =
  | { op: 'order'; lines: { sku: string; quantity: number }[]; paid: boolean }
  | { op: 'cancel'; pick: number }
  | { op: 'ship'; pick: number }
  | { op: 'checkout'; sku: string; quantity: number }
  | { op: 'expire' }
  | { op: 'freeze'; sku: string; wh: string; quantity: number }
  | { op: 'unfreeze'; pick: number }
  | { op: 'adjust'; sku: string; wh: string; delta: number }
  | { op: 'transfer'; sku: string; from: string; to: string; quantity: number }
  | { op: 'receive'; pick: number };

const sku = fc.constantFrom(...SKUS);
const wh = fc.constantFrom(...WHS);
const pick = fc.nat(1000);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('order' as const),
    lines: fc.uniqueArray(fc.record({ sku, quantity: fc.integer({ min: 1, max: 12 }) }), {
      minLength: 1,
      maxLength: 3,
      selector: (l) => l.sku,
    }),
    paid: fc.boolean(),
  }),
  fc.record({ op: fc.constant('cancel' as const), pick }),
  fc.record({ op: fc.constant('ship' as const), pick }),
  fc.record({ op: fc.constant('checkout' as const), sku, quantity: fc.integer({ min: 1, max: 15 }) }),
  fc.record({ op: fc.constant('expire' as const) }),
  fc.record({ op: fc.constant('freeze' as const), sku, wh, quantity: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ op: fc.constant('unfreeze' as const), pick }),
  fc.record({
    op: fc.constant('adjust' as const),
    sku,
    wh,
    delta: fc.integer({ min: -15, max: 15 }).filter((d) => d !== 0),
  }),
  fc.record({
    op: fc.constant('transfer' as const),
    sku,
    from: wh,
    to: wh,
    quantity: fc.integer({ min: 1, max: 10 }),
  }),
  fc.record({ op: fc.constant('receive' as const), pick }),
);

describe('random interleavings (property)', () => {
  it('never below zero; ledger sums equal counters; reservations, freezes and transfers add up', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 20, maxLength: 60 }),
        fc.integer({ min: 2, max: 12 }),
        async (ops, workers) => {
          run++;
          const orders: string[] = [];
          const freezes: string[] = [];
          const transfers: string[] = [];
          const serverErrors: unknown[] = [];
          const check = (r: { status: number; body: unknown }) => {
            if (r.status >= 500) serverErrors.push(r.body);
            return r;
          };
          const at = <T>(list: T[], i: number) => (list.length ? list[i % list.length] : undefined);
          const transitionTo = async (id: string, events: [string, string?][]) => {
            for (const [event, reasonCode] of events) {
              const o = await t.as('admin').get(`/api/orders/${id}`);
              const r = check(
                await t.as('admin').post(`/api/orders/${id}/transitions`, {
                  event,
                  version: o.body.version,
                  ...(reasonCode ? { reasonCode } : {}),
                }),
              );
              if (r.status !== 200) return;
            }
          };
          let seq = 0;
          const exec = async (op: Op) => {
            const n = seq++;
            switch (op.op) {
              case 'order': {
                const body = orderFor(op.lines, { externalOrderId: `PR-${run}-${n}` });
                if (!op.paid) delete body.paidAt;
                const r = check(await t.as('admin').post('/api/orders', body));
                if (r.status === 201) orders.push((r.body as { order: { id: string } }).order.id);
                return;
              }
              case 'cancel': {
                const id = at(orders, op.pick);
                if (id) await transitionTo(id, [['cancel', 'BUYER_REQUEST']]);
                return;
              }
              case 'ship': {
                const id = at(orders, op.pick);
                if (id) await transitionTo(id, [['approve'], ['start_fulfilment'], ['ship']]);
                return;
              }
              case 'checkout':
                check(
                  await t.as('admin').post('/api/reservations', {
                    externalOrderId: `PC-${run}-${n}`,
                    lines: [{ sku: op.sku, quantity: op.quantity }],
                    ttlSeconds: 10,
                  }),
                );
                return;
              case 'expire':
                await expireDue(t.database, deps(), new Date(clock.now().getTime() + 3600_000));
                return;
              case 'freeze': {
                const r = check(
                  await t.as('admin').post('/api/inventory/freezes', {
                    sku: op.sku,
                    warehouse: op.wh,
                    quantity: op.quantity,
                    reasonCode: 'MANUAL',
                  }),
                );
                if (r.status === 201) freezes.push((r.body as { id: string }).id);
                return;
              }
              case 'unfreeze': {
                const id = at(freezes, op.pick);
                if (id)
                  check(
                    await t
                      .as('admin')
                      .post(`/api/inventory/freezes/${id}/release`, { reasonCode: 'MANUAL' }),
                  );
                return;
              }
              case 'adjust':
                check(
                  await t.as('admin').post('/api/inventory/adjustments', {
                    warehouse: op.wh,
                    lines: [{ sku: op.sku, delta: op.delta }],
                    reasonCode: 'CORRECTION',
                  }),
                );
                return;
              case 'transfer': {
                const r = check(
                  await t.as('admin').post('/api/inventory/transfers', {
                    from: op.from,
                    to: op.to,
                    lines: [{ sku: op.sku, quantity: op.quantity }],
                  }),
                );
                if (r.status === 201) transfers.push((r.body as { id: string }).id);
                return;
              }
              case 'receive': {
                const id = at(transfers, op.pick);
                if (id) check(await t.as('admin').post(`/api/inventory/transfers/${id}/receive`, {}));
                return;
              }
            }
          };
          const queue = [...ops];
          await Promise.all(
            Array.from({ length: workers }, async () => {
              for (let op = queue.shift(); op; op = queue.shift()) await exec(op);
            }),
          );
          expect(serverErrors).toEqual([]);
          await assertInvariants(t.database);
        },
      ),
      { numRuns: onPostgres ? 12 : 6, endOnFailure: true },
    );
  }, 600_000);
});
