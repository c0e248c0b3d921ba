import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserveCheckout, reserveLines, stockDepsOf } from '../src/modules/inventory/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import { ManualClock } from '../src/platform/clock.ts';
import type { Tx } from '../src/platform/db.ts';
import { onPostgres, startTestApp, type TestApp } from './helpers.ts';
import { assertInvariants, level, setupStock } from './inventory-support.ts';

/**
 * Stock levels are locked in one global order — SKU, then warehouse id — by every use case, so two
 * transactions never each hold a level the other waits for (a deadlock, which PostgreSQL ends by
 * failing one of them). A reservation picks warehouses by priority, which need not be id order:
 * here the warehouse with the larger id has the higher priority. Another transaction C, which
 * locks in the global order (as a transfer does), holds the first level of a SKU while a
 * reservation runs, then asks for the second. The reservation must not be holding the second while
 * it waits for the first. On PostgreSQL the two really overlap (the test waits until the
 * reservation waits on C's lock); PGlite is one connection, so there C runs first and the test
 * checks the same outcome.
 */
const clock = new ManualClock('2026-01-09T01:00:00Z');
let t: TestApp;
/** The warehouse with the smaller id (first in lock order, lower priority) and the other. */
let first: { id: string; code: string };
let second: { id: string; code: string };

beforeAll(async () => {
  t = await startTestApp({ clock, sampleSkus: false });
  await setupStock(t, ['LO-SPLIT', 'LO-WHOLE', 'LO-CHECKOUT'], [{ code: 'WH-P' }, { code: 'WH-Q' }]);
  const whs = await t.database.query<{ id: string; code: string }>(
    `SELECT id, code FROM warehouses WHERE code IN ('WH-P', 'WH-Q') ORDER BY id COLLATE "C"`,
  );
  [first, second] = [whs[0]!, whs[1]!];
  for (const [w, priority] of [
    [first, 1],
    [second, 10],
  ] as const) {
    const r = await t.as('admin').patch(`/api/warehouses/${w.id}`, { priority });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  for (const sku of ['LO-SPLIT', 'LO-WHOLE', 'LO-CHECKOUT'])
    for (const w of [first, second]) {
      const r = await t.as('warehouse').post('/api/inventory/receipts', {
        warehouse: w.code,
        lines: [{ sku, quantity: 5 }],
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
});
afterAll(async () => {
  await t.close();
});

const actor = systemActor('test', 'cli');
const ctxOf = (tx: Tx) => ({ tx, deps: stockDepsOf(t.app.deps), at: clock.now(), actor });

async function lockWaiters(): Promise<number> {
  const rows = await t.database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * C locks `sku`'s level in the first warehouse, lets `reserve` start and (on PostgreSQL) wait,
 * then takes a unit of the second warehouse's level and commits. Both must succeed.
 */
async function overlap<T>(sku: string, reserve: () => Promise<T>): Promise<{ r: T; waited: boolean }> {
  let locked!: () => void;
  const cLocked = new Promise<void>((res) => {
    locked = res;
  });
  let go!: () => void;
  const cMayGoOn = new Promise<void>((res) => {
    go = res;
  });
  const c = t.database.tx(async (tx) => {
    await tx.query(`SELECT 1 FROM stock_levels WHERE sku = $1 AND warehouse_id = $2 FOR NO KEY UPDATE`, [
      sku,
      first.id,
    ]);
    locked();
    await cMayGoOn;
    const moved = await tx.query(
      `UPDATE stock_levels SET on_hand = on_hand + 1, updated_at = $3 WHERE sku = $1 AND warehouse_id = $2
       RETURNING 1`,
      [sku, second.id, clock.now()],
    );
    await tx.query(
      `INSERT INTO stock_movements (id, at, type, sku, warehouse_id, on_hand, reserved, frozen, in_transit, actor_type, actor_name)
       VALUES ($1, $2, 'receipt', $3, $4, 1, 0, 0, 0, 'system', 'test')`,
      [`mov_lock_order_${sku}`, clock.now(), sku, second.id],
    );
    expect(moved).toHaveLength(1);
  });
  if (!onPostgres) {
    // One connection: C cannot wait for the reservation; it runs first.
    go();
    await c;
    return { r: await reserve(), waited: true };
  }
  await cLocked;
  const r = reserve();
  let waited = false;
  for (let i = 0; i < 200 && !waited; i++) {
    waited = (await lockWaiters()) >= 1;
    if (!waited) await new Promise((res) => setTimeout(res, 25));
  }
  go();
  const [done] = await Promise.allSettled([c]);
  if (done.status === 'rejected') {
    await r.catch(() => undefined);
    throw done.reason;
  }
  return { r: await r, waited };
}

describe('stock levels are locked in one global order (SKU, then warehouse id)', () => {
  it('a reservation split over two warehouses by priority does not deadlock with a transaction locking in id order', async () => {
    const { r, waited } = await overlap('LO-SPLIT', () =>
      t.database.tx((tx) =>
        reserveLines(ctxOf(tx), [{ sku: 'LO-SPLIT', quantity: 8, lineNo: 1 }], {
          mode: 'available',
          orderId: 'ord_lock_order_split',
          reason: 'order',
          expiresAt: null,
        }),
      ),
    );
    expect(waited).toBe(true);
    // Priority first: the second warehouse (5, plus C's unit) covers 6, the first the other 2.
    expect(r.short).toEqual([]);
    expect(r.reserved.map((x) => [x.warehouse, x.quantity])).toEqual([
      [second.code, 6],
      [first.code, 2],
    ]);
    expect(await level(t, 'LO-SPLIT', second.code)).toMatchObject({ onHand: 6, reserved: 6 });
    expect(await level(t, 'LO-SPLIT', first.code)).toMatchObject({ onHand: 5, reserved: 2 });
    await assertInvariants(t.database);
  });

  it('a whole reservation from the higher-priority warehouse waits for the first level instead of holding the second', async () => {
    const { r, waited } = await overlap('LO-WHOLE', () =>
      t.database.tx((tx) =>
        reserveLines(ctxOf(tx), [{ sku: 'LO-WHOLE', quantity: 4, lineNo: 1 }], {
          mode: 'all',
          orderId: 'ord_lock_order_whole',
          reason: 'order',
          expiresAt: null,
        }),
      ),
    );
    expect(waited).toBe(true);
    expect(r.reserved.map((x) => [x.warehouse, x.quantity])).toEqual([[second.code, 4]]);
    expect(await level(t, 'LO-WHOLE', second.code)).toMatchObject({ onHand: 6, reserved: 4 });
    await assertInvariants(t.database);
  });

  it('a checkout (checks, audit row) likewise', async () => {
    const audits = await t.count('audit_log');
    const { r, waited } = await overlap('LO-CHECKOUT', () =>
      t.database.tx((tx) =>
        reserveCheckout(ctxOf(tx), {
          externalOrderId: 'co_lock_order',
          lines: [{ sku: 'LO-CHECKOUT', quantity: 7 }],
        }),
      ),
    );
    expect(waited).toBe(true);
    expect(r.reservations.map((x) => [x.warehouse, x.quantity]).sort()).toEqual(
      [
        [second.code, 6],
        [first.code, 1],
      ].sort(),
    );
    expect(await t.count('audit_log')).toBe(audits + 1);
    await assertInvariants(t.database);
  });
});
