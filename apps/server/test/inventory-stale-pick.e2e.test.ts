import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserveCheckout, reserveLines, stockDepsOf } from '../src/modules/inventory/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import { ManualClock } from '../src/platform/clock.ts';
import type { Tx } from '../src/platform/db.ts';
import { onPostgres, startTestApp, type TestApp } from './helpers.ts';
import { assertInvariants, level, setupStock } from './inventory-support.ts';

/**
 * The whole-SKU statement inserts its ledger row and reservation before its guarded UPDATE (so the
 * row lock is not held while they are written). When the UPDATE takes nothing because another
 * transaction took the last units between the pick and the lock (a stale pick), those rows must
 * not survive: the reservation falls back to another warehouse or is refused, and the ledger,
 * counters and reservations still agree.
 *
 * Transaction A reserves the last unit and stays open; B reserves the same unit, picks the
 * warehouse A is taking from (A has not committed) and waits for the row lock; A commits; B's
 * UPDATE re-checks and refuses. On PostgreSQL the test waits until B really waits on a lock. PGlite
 * is one connection, so B runs after A and never sees a stale pick: there it checks the same
 * outcome by the plain path. With two waiting, the second starts while the first is inside the
 * whole-SKU reservation of the same SKU and takes the split shape (a statement of its own for the
 * UPDATE), so both shapes are covered.
 */
const clock = new ManualClock('2026-01-09T01:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock, sampleSkus: false });
  await setupStock(
    t,
    ['LAST-1', 'LAST-2', 'LAST-3', 'LAST-4', 'LAST-5'],
    [
      { code: 'WH-A', priority: 10 },
      { code: 'WH-B', priority: 5 },
    ],
    [
      { warehouse: 'WH-A', sku: 'LAST-1', quantity: 1 },
      { warehouse: 'WH-A', sku: 'LAST-2', quantity: 1 },
      { warehouse: 'WH-B', sku: 'LAST-2', quantity: 5 },
      { warehouse: 'WH-A', sku: 'LAST-3', quantity: 1 },
      { warehouse: 'WH-A', sku: 'LAST-4', quantity: 1 },
      { warehouse: 'WH-A', sku: 'LAST-5', quantity: 1 },
      { warehouse: 'WH-B', sku: 'LAST-5', quantity: 5 },
    ],
  );
});
afterAll(async () => {
  await t.close();
});

const actor = systemActor('test', 'cli');
const ctxOf = (tx: Tx) => ({ tx, deps: stockDepsOf(t.app.deps), at: clock.now(), actor });

const forOrder = (tx: Tx, sku: string, orderId: string) =>
  reserveLines(ctxOf(tx), [{ sku, quantity: 1, lineNo: 1 }], {
    mode: 'available',
    orderId,
    reason: 'order',
    expiresAt: null,
  });

/** Transactions waiting on a lock in this database (PostgreSQL). */
async function lockWaiters(): Promise<number> {
  const rows = await t.database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * A holds `sku`'s last unit open while each of `others` starts in turn and (on PostgreSQL) waits
 * on the row lock; then A commits.
 */
async function raceAll<T>(sku: string, others: (() => Promise<T>)[]): Promise<{ bs: T[]; waited: boolean }> {
  let taken!: () => void;
  const aTook = new Promise<void>((r) => {
    taken = r;
  });
  let commit!: () => void;
  const aMayCommit = new Promise<void>((r) => {
    commit = r;
  });
  const a = t.database.tx(async (tx) => {
    const r = await forOrder(tx, sku, `ord_a_${sku}`);
    expect(r.reserved.map((x) => x.warehouse)).toEqual(['WH-A']);
    taken();
    await aMayCommit;
  });
  await aTook;
  const bs: Promise<T>[] = [];
  let waited = true;
  for (const other of others) {
    bs.push(other());
    if (!onPostgres) continue;
    let now = false;
    for (let i = 0; i < 200 && !now; i++) {
      now = (await lockWaiters()) >= bs.length;
      if (!now) await new Promise((r) => setTimeout(r, 25));
    }
    waited &&= now;
  }
  commit();
  await a;
  return { bs: await Promise.all(bs), waited };
}

async function race<T>(sku: string, second: () => Promise<T>): Promise<{ b: T; waited: boolean }> {
  const { bs, waited } = await raceAll(sku, [second]);
  return { b: bs[0]!, waited };
}

async function rowsOf(sourceId: string) {
  const reservations = await t.database.query<{ warehouse_id: string; quantity: number }>(
    `SELECT r.warehouse_id, r.quantity FROM reservations r WHERE r.order_id = $1 OR r.checkout_ref = $1`,
    [sourceId],
  );
  const movements = await t.database.query<{ warehouse_id: string; reserved: number }>(
    `SELECT warehouse_id, reserved FROM stock_movements WHERE source_id = $1 OR source_id LIKE '%:' || $1`,
    [sourceId],
  );
  return { reservations: reservations.length, movements: movements.length };
}

describe('a stale pick leaves no ledger row or reservation behind', () => {
  it('refused: the last unit went to the other transaction', async () => {
    const { b, waited } = await race('LAST-1', () =>
      t.database.tx((tx) => forOrder(tx, 'LAST-1', 'ord_b_1')),
    );
    if (onPostgres) expect(waited).toBe(true);
    expect(b.reserved).toEqual([]);
    expect(b.short).toEqual([{ sku: 'LAST-1', requested: 1, reserved: 0 }]);
    expect(await rowsOf('ord_b_1')).toEqual({ reservations: 0, movements: 0 });
    expect(await rowsOf('ord_a_LAST-1')).toEqual({ reservations: 1, movements: 1 });
    expect(await level(t, 'LAST-1', 'WH-A')).toMatchObject({ onHand: 1, reserved: 1, available: 0 });
    await assertInvariants(t.database);
  });

  it('falls back to the next warehouse in the same transaction', async () => {
    const { b, waited } = await race('LAST-2', () =>
      t.database.tx((tx) => forOrder(tx, 'LAST-2', 'ord_b_2')),
    );
    if (onPostgres) expect(waited).toBe(true);
    expect(b.reserved.map((r) => [r.warehouse, r.quantity])).toEqual([['WH-B', 1]]);
    expect(b.short).toEqual([]);
    const wh = await t.database.query<{ code: string }>(
      `SELECT w.code FROM reservations r JOIN warehouses w ON w.id = r.warehouse_id WHERE r.order_id = 'ord_b_2'
       UNION ALL
       SELECT w.code FROM stock_movements m JOIN warehouses w ON w.id = m.warehouse_id WHERE m.source_id = 'ord_b_2'`,
    );
    expect(wh.map((r) => r.code)).toEqual(['WH-B', 'WH-B']);
    expect(await level(t, 'LAST-2', 'WH-A')).toMatchObject({ reserved: 1, available: 0 });
    expect(await level(t, 'LAST-2', 'WH-B')).toMatchObject({ reserved: 1, available: 4 });
    await assertInvariants(t.database);
  });

  it('a checkout is refused and writes nothing, its audit row included', async () => {
    const audits = await t.count('audit_log');
    const { b, waited } = await race('LAST-3', () =>
      t.database
        .tx((tx) =>
          reserveCheckout(ctxOf(tx), { externalOrderId: 'co_b_3', lines: [{ sku: 'LAST-3', quantity: 1 }] }),
        )
        .then(
          () => null,
          (e: unknown) => e,
        ),
    );
    if (onPostgres) expect(waited).toBe(true);
    expect(b).toMatchObject({ code: 'INVENTORY_INSUFFICIENT' });
    expect(await rowsOf('co_b_3')).toEqual({ reservations: 0, movements: 0 });
    expect(await t.count('audit_log')).toBe(audits);
    await assertInvariants(t.database);
  });

  // The second one starts while the first is waiting inside the whole-SKU reservation of the same
  // SKU, so it takes the split shape (its UPDATE is a statement of its own).
  it('refused on both shapes when two wait for the last unit', async () => {
    const { bs, waited } = await raceAll('LAST-4', [
      () => t.database.tx((tx) => forOrder(tx, 'LAST-4', 'ord_c_4')),
      () => t.database.tx((tx) => forOrder(tx, 'LAST-4', 'ord_b_4')),
    ]);
    if (onPostgres) expect(waited).toBe(true);
    for (const b of bs) {
      expect(b.reserved).toEqual([]);
      expect(b.short).toEqual([{ sku: 'LAST-4', requested: 1, reserved: 0 }]);
    }
    expect(await rowsOf('ord_c_4')).toEqual({ reservations: 0, movements: 0 });
    expect(await rowsOf('ord_b_4')).toEqual({ reservations: 0, movements: 0 });
    expect(await level(t, 'LAST-4', 'WH-A')).toMatchObject({ onHand: 1, reserved: 1, available: 0 });
    await assertInvariants(t.database);
  });

  it('both fall back to the next warehouse when two wait for the last unit', async () => {
    const { bs, waited } = await raceAll('LAST-5', [
      () => t.database.tx((tx) => forOrder(tx, 'LAST-5', 'ord_c_5')),
      () => t.database.tx((tx) => forOrder(tx, 'LAST-5', 'ord_b_5')),
    ]);
    if (onPostgres) expect(waited).toBe(true);
    for (const b of bs) expect(b.reserved.map((r) => [r.warehouse, r.quantity])).toEqual([['WH-B', 1]]);
    expect(await rowsOf('ord_c_5')).toEqual({ reservations: 1, movements: 1 });
    expect(await rowsOf('ord_b_5')).toEqual({ reservations: 1, movements: 1 });
    expect(await level(t, 'LAST-5', 'WH-A')).toMatchObject({ reserved: 1, available: 0 });
    expect(await level(t, 'LAST-5', 'WH-B')).toMatchObject({ reserved: 2, available: 3 });
    await assertInvariants(t.database);
  });
});
