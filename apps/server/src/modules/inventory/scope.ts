import { type Actor, scopedWarehouses } from '../../platform/actor.ts';

type Scoped = Pick<Actor, 'scope'> | null | undefined;

/**
 * The one condition that limits inventory reads to the actor's warehouses (data scope):
 * `<column> = ANY($n)` with the ids pushed on `params`, or null when the actor sees every warehouse.
 */
export function warehouseScopeCond(reader: Scoped, params: unknown[], column = 'w.id'): string | null {
  const ids = scopedWarehouses(reader);
  if (!ids) return null;
  return `${column} = ANY($${params.push([...ids])}::text[])`;
}

/** Whether a warehouse (by id) is in the actor's scope. */
export function warehouseInScope(reader: Scoped, warehouseId: string): boolean {
  const ids = scopedWarehouses(reader);
  return !ids || ids.includes(warehouseId);
}
