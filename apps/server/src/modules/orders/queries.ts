import type { SqlExecutor } from '../../platform/db.ts';

/**
 * Orders on hold for `reason` with a line of `sku`, first paid first (the restock queue), at most
 * `limit`.
 */
export async function heldOrdersWithSku(
  exec: SqlExecutor,
  reason: string,
  sku: string,
  limit = 1000,
): Promise<string[]> {
  const rows = await exec.query<{ id: string }>(
    `SELECT o.id FROM orders o WHERE o.status = 'on_hold' AND o.hold_reason = $1
       AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.sku = $2)
     ORDER BY o.paid_at NULLS LAST, o.id LIMIT ${Math.trunc(limit)}`,
    [reason, sku],
  );
  return rows.map((r) => r.id);
}

/** The orders' numbers (`OH…`, what people know an order by), by id; ids of no order are left out. */
export async function orderNumbers(exec: SqlExecutor, ids: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  if (!wanted.length) return new Map();
  const rows = await exec.query<{ id: string; order_no: string }>(
    `SELECT id, order_no FROM orders WHERE id = ANY($1::text[])`,
    [wanted],
  );
  return new Map(rows.map((r) => [r.id, r.order_no]));
}
