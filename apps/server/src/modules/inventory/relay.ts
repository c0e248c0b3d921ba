import type { Database } from '../../platform/db.ts';
import { STOCK_CHANGED_QUEUE, STOCK_RELAY_QUEUE, type StockDeps } from './settings.ts';

/**
 * The stock-push outbox relay. Stock changes only mark their SKU (`stock_push_marks`, written by
 * the same statement as the movement); this turns each mark older than the debounce window into
 * one `inventory-stock-changed` job. Enqueue and delete happen in one transaction, so a crash
 * loses no mark and enqueues no job twice; SKIP LOCKED lets several workers relay at once.
 */
export async function relayStockMarks(
  database: Database,
  deps: StockDeps,
  at: Date,
  limit = 500,
): Promise<{ relayed: number; pending: boolean }> {
  const dueBefore = new Date(at.getTime() - deps.inventory.pushDebounceSeconds * 1000);
  const relayed = await database.tx(async (tx) => {
    const due = await tx.query<{ sku: string }>(
      `SELECT sku FROM stock_push_marks WHERE marked_at <= $1 ORDER BY sku LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
      [dueBefore],
    );
    if (due.length === 0) return 0;
    for (const { sku } of due) await deps.jobs.send(tx, STOCK_CHANGED_QUEUE, { sku });
    await tx.query(`DELETE FROM stock_push_marks WHERE sku = ANY($1::text[])`, [due.map((d) => d.sku)]);
    return due.length;
  });
  const left = await database.query(`SELECT 1 FROM stock_push_marks LIMIT 1`);
  return { relayed, pending: left.length > 0 };
}

/**
 * The relay job: drains every due mark, then, while marks wait for their debounce window, comes
 * back once per window (one job per window at most). The minute schedule restarts it after a
 * quiet spell.
 */
export async function runStockRelay(database: Database, deps: StockDeps, at: Date): Promise<number> {
  const batch = 500;
  let total = 0;
  for (;;) {
    const r = await relayStockMarks(database, deps, at, batch);
    total += r.relayed;
    if (r.relayed === batch) continue;
    if (r.pending) {
      const window = Math.max(1, deps.inventory.pushDebounceSeconds);
      await deps.jobs.send(
        database,
        STOCK_RELAY_QUEUE,
        {},
        { startAfter: window, singletonKey: 'relay', singletonSeconds: window },
      );
    }
    return total;
  }
}
