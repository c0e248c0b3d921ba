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
