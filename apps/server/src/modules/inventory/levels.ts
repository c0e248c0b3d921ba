import type { LevelsQuery, MovementsQuery, MovementView, StockLevelView } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { warehouseScopeCond } from './scope.ts';

const iso = (v: unknown) => new Date(v as string).toISOString();

export function levelView(r: Record<string, unknown>): StockLevelView {
  const onHand = Number(r['on_hand']);
  const reserved = Number(r['reserved']);
  const frozen = Number(r['frozen']);
  const safetyStock = Number(r['safety_stock']);
  const available = onHand - reserved - frozen;
  return {
    sku: r['sku'] as string,
    warehouse: r['warehouse'] as string,
    onHand,
    reserved,
    frozen,
    inTransit: Number(r['in_transit']),
    safetyStock,
    available,
    sellable: Math.max(0, available - safetyStock),
    belowSafety: available < safetyStock,
    updatedAt: iso(r['updated_at']),
  };
}

/** Levels by SKU then warehouse code, keyset-paged. */
export async function listLevels(
  exec: SqlExecutor,
  q: LevelsQuery,
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<{ items: StockLevelView[]; nextCursor: string | null }> {
  const limit = q.limit ?? 100;
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  const scoped = warehouseScopeCond(reader, params, 'l.warehouse_id');
  if (scoped) where.push(scoped);
  if (q.sku) where.push(`l.sku = ${p(q.sku)}`);
  if (q.warehouse) where.push(`w.code = ${p(q.warehouse)}`);
  if (q.belowSafety !== undefined)
    where.push(`${q.belowSafety ? '' : 'NOT '}(l.on_hand - l.reserved - l.frozen < l.safety_stock)`);
  if (q.cursor) {
    const [sku, wh] = decodeCursor(q.cursor, ['text', 'text']);
    where.push(`(l.sku, w.code) > (${p(sku)}, ${p(wh)})`);
  }
  const rows = await exec.query(
    `SELECT l.*, w.code AS warehouse FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY l.sku, w.code LIMIT ${limit + 1}`,
    params,
  );
  const items = rows.slice(0, limit).map(levelView);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.sku, last.warehouse]) : null };
}

export function movementView(r: Record<string, unknown>): MovementView {
  return {
    id: r['id'] as string,
    at: iso(r['at']),
    type: r['type'] as string,
    sku: r['sku'] as string,
    warehouse: r['warehouse'] as string,
    onHand: Number(r['on_hand']),
    reserved: Number(r['reserved']),
    frozen: Number(r['frozen']),
    inTransit: Number(r['in_transit']),
    reasonCode: (r['reason_code'] as string | null) ?? null,
    actor: {
      type: r['actor_type'] as string,
      id: (r['actor_id'] as string | null) ?? null,
      name: (r['actor_name'] as string | null) ?? null,
    },
    source: r['source_type']
      ? { type: r['source_type'] as string, id: (r['source_id'] as string | null) ?? null }
      : null,
    note: (r['note'] as string | null) ?? null,
  };
}

/**
 * The ledger, newest first, keyset-paged on the movement id. Filtered to one SKU and one warehouse,
 * each movement carries the counters right after it: a running sum over that SKU × warehouse's whole
 * ledger (which adds up to the counters, see verify.ts), taken before the other filters and the page.
 */
export async function listMovements(
  exec: SqlExecutor,
  q: MovementsQuery,
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<{ items: MovementView[]; nextCursor: string | null }> {
  const limit = q.limit ?? 100;
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const running = !!(q.sku && q.warehouse);
  const base: string[] = [];
  const scoped = warehouseScopeCond(reader, params, 'm.warehouse_id');
  if (scoped) base.push(scoped);
  if (q.sku) base.push(`m.sku = ${p(q.sku)}`);
  if (q.warehouse) base.push(`w.code = ${p(q.warehouse)}`);
  const where: string[] = [];
  if (q.type) where.push(`m.type = ${p(q.type)}`);
  if (q.from) where.push(`m.at >= ${p(new Date(q.from))}`);
  if (q.to) where.push(`m.at < ${p(new Date(q.to))}`);
  if (q.cursor) where.push(`m.id < ${p(decodeCursor(q.cursor, ['id'])[0])}`);
  const rows = running
    ? await exec.query(
        `SELECT m.* FROM (
           SELECT m.*, w.code AS warehouse,
                  sum(m.on_hand) OVER run AS bal_on_hand, sum(m.reserved) OVER run AS bal_reserved,
                  sum(m.frozen) OVER run AS bal_frozen, sum(m.in_transit) OVER run AS bal_in_transit
           FROM stock_movements m JOIN warehouses w ON w.id = m.warehouse_id
           WHERE ${base.join(' AND ')}
           WINDOW run AS (ORDER BY m.id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
         ) m ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY m.id DESC LIMIT ${limit + 1}`,
        params,
      )
    : await exec.query(
        `SELECT m.*, w.code AS warehouse FROM stock_movements m JOIN warehouses w ON w.id = m.warehouse_id
         ${[...base, ...where].length ? `WHERE ${[...base, ...where].join(' AND ')}` : ''} ORDER BY m.id DESC LIMIT ${limit + 1}`,
        params,
      );
  const items = rows.slice(0, limit).map((r) => {
    const v = movementView(r);
    if (!running) return v;
    const onHand = Number(r['bal_on_hand']);
    const reserved = Number(r['bal_reserved']);
    const frozen = Number(r['bal_frozen']);
    const balanceAfter = {
      onHand,
      reserved,
      frozen,
      inTransit: Number(r['bal_in_transit']),
      available: onHand - reserved - frozen,
    };
    return { ...v, balanceAfter };
  });
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
}

export async function levelsOf(
  exec: SqlExecutor,
  keys: readonly { sku: string; warehouseId: string }[],
): Promise<StockLevelView[]> {
  if (keys.length === 0) return [];
  const rows = await exec.query(
    `SELECT l.*, w.code AS warehouse FROM stock_levels l JOIN warehouses w ON w.id = l.warehouse_id
     WHERE (l.sku, l.warehouse_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY l.sku, w.code`,
    [keys.map((k) => k.sku), keys.map((k) => k.warehouseId)],
  );
  return rows.map(levelView);
}

export async function movementsBySource(exec: SqlExecutor, ids: readonly string[]): Promise<MovementView[]> {
  const rows = await exec.query(
    `SELECT m.*, w.code AS warehouse FROM stock_movements m JOIN warehouses w ON w.id = m.warehouse_id
     WHERE m.id = ANY($1::text[]) ORDER BY m.id`,
    [ids],
  );
  return rows.map(movementView);
}
