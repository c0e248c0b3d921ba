import type { SqlExecutor } from '../../platform/db.ts';

export interface LedgerDifference {
  sku: string;
  warehouse: string;
  counter: 'on_hand' | 'reserved' | 'frozen' | 'in_transit';
  counterValue: number;
  /** What the movement ledger adds up to. */
  ledger: number;
  /** What the open reservations / freezes / transfers add up to (reserved, frozen, in_transit). */
  documents: number | null;
}

/**
 * Recomputes every counter from the ledger (and reserved, frozen, in transit from the open
 * reservations, freezes and transfers) and lists every disagreement. An empty list is the proof.
 */
export async function verifyLedger(
  exec: SqlExecutor,
): Promise<{ levels: number; differences: LedgerDifference[] }> {
  const rows = await exec.query<Record<string, string | number>>(
    `WITH led AS (
       SELECT sku, warehouse_id, sum(on_hand) AS on_hand, sum(reserved) AS reserved, sum(frozen) AS frozen,
              sum(in_transit) AS in_transit FROM stock_movements GROUP BY sku, warehouse_id
     ), rsv AS (
       SELECT sku, warehouse_id, sum(quantity) AS q FROM reservations WHERE status = 'active' GROUP BY sku, warehouse_id
     ), frz AS (
       SELECT sku, warehouse_id, sum(quantity) AS q FROM stock_freezes WHERE status = 'active' GROUP BY sku, warehouse_id
     ), trf AS (
       SELECT l->>'sku' AS sku, t.to_warehouse_id AS warehouse_id, sum((l->>'quantity')::bigint) AS q
       FROM stock_transfers t, jsonb_array_elements(t.lines) l WHERE t.status = 'in_transit' GROUP BY 1, 2
     ), keys AS (
       SELECT sku, warehouse_id FROM stock_levels UNION SELECT sku, warehouse_id FROM led
       UNION SELECT sku, warehouse_id FROM rsv UNION SELECT sku, warehouse_id FROM frz UNION SELECT sku, warehouse_id FROM trf
     )
     SELECT k.sku, COALESCE(w.code, k.warehouse_id) AS warehouse,
       COALESCE(s.on_hand, 0) AS c_on_hand, COALESCE(s.reserved, 0) AS c_reserved, COALESCE(s.frozen, 0) AS c_frozen,
       COALESCE(s.in_transit, 0) AS c_in_transit,
       COALESCE(led.on_hand, 0) AS l_on_hand, COALESCE(led.reserved, 0) AS l_reserved, COALESCE(led.frozen, 0) AS l_frozen,
       COALESCE(led.in_transit, 0) AS l_in_transit,
       COALESCE(rsv.q, 0) AS d_reserved, COALESCE(frz.q, 0) AS d_frozen, COALESCE(trf.q, 0) AS d_in_transit
     FROM keys k
     LEFT JOIN stock_levels s ON s.sku = k.sku AND s.warehouse_id = k.warehouse_id
     LEFT JOIN led ON led.sku = k.sku AND led.warehouse_id = k.warehouse_id
     LEFT JOIN rsv ON rsv.sku = k.sku AND rsv.warehouse_id = k.warehouse_id
     LEFT JOIN frz ON frz.sku = k.sku AND frz.warehouse_id = k.warehouse_id
     LEFT JOIN trf ON trf.sku = k.sku AND trf.warehouse_id = k.warehouse_id
     LEFT JOIN warehouses w ON w.id = k.warehouse_id
     ORDER BY k.sku, warehouse`,
  );
  const differences: LedgerDifference[] = [];
  for (const r of rows) {
    for (const counter of ['on_hand', 'reserved', 'frozen', 'in_transit'] as const) {
      const value = Number(r[`c_${counter}`]);
      const ledger = Number(r[`l_${counter}`]);
      const documents = counter === 'on_hand' ? null : Number(r[`d_${counter}`]);
      if (value !== ledger || (documents !== null && documents !== value))
        differences.push({
          sku: String(r['sku']),
          warehouse: String(r['warehouse']),
          counter,
          counterValue: value,
          ledger,
          documents,
        });
    }
  }
  return { levels: rows.length, differences };
}
