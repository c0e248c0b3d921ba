import { type Static, Type } from '@sinclair/typebox';
import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { skuCategorySql } from '../catalog/index.ts';
import { warehouseScopeCond } from './scope.ts';

export const HEATMAP_MEASURES = ['available', 'sellable'] as const;
export type HeatmapMeasure = (typeof HEATMAP_MEASURES)[number];

export const HeatmapQuery = Type.Object(
  {
    measure: Type.Optional(
      Type.Union(
        HEATMAP_MEASURES.map((m) => Type.Literal(m)),
        {
          description:
            'available = on hand − reserved − frozen; sellable = max(0, available − safety stock) per level. Default available',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type HeatmapQuery = Static<typeof HeatmapQuery>;

export const HeatmapView = Type.Object({
  measure: Type.String(),
  warehouses: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), active: Type.Boolean() })),
  categories: Type.Array(
    Type.Union([Type.String(), Type.Null()], { description: 'null: SKUs without a category' }),
  ),
  cells: Type.Array(
    Type.Object({
      warehouse: Type.String(),
      category: Type.Union([Type.String(), Type.Null()]),
      value: Type.Integer({ description: 'units of the measure, summed over the SKUs of the category' }),
      skus: Type.Integer({ description: 'stock levels (SKUs) in the cell' }),
      belowSafety: Type.Integer({ description: 'of them, below their safety stock' }),
    }),
  ),
});
export type HeatmapView = Static<typeof HeatmapView>;

const MEASURE_SQL: Record<HeatmapMeasure, string> = {
  available: 'l.on_hand - l.reserved - l.frozen',
  sellable: 'GREATEST(0, l.on_hand - l.reserved - l.frozen - l.safety_stock)',
};

/**
 * Units per warehouse × SKU category, summed in the database: one row per cell, however many SKUs.
 * Levels of SKUs missing from the master count under the null category rather than disappearing.
 */
export async function stockHeatmap(
  exec: SqlExecutor,
  q: HeatmapQuery,
  reader: Pick<Actor, 'scope'> | null = null,
): Promise<HeatmapView> {
  const measure = q.measure ?? 'available';
  const cellParams: unknown[] = [];
  const cellScope = warehouseScopeCond(reader, cellParams, 'w.id');
  const whParams: unknown[] = [];
  const whScope = warehouseScopeCond(reader, whParams, 'warehouses.id');
  const [cells, warehouses] = await Promise.all([
    exec.query(
      `SELECT w.code AS warehouse, ${skuCategorySql('l.sku')} AS category,
              SUM(${MEASURE_SQL[measure]})::bigint AS value,
              COUNT(*)::int AS skus,
              COUNT(*) FILTER (WHERE l.on_hand - l.reserved - l.frozen < l.safety_stock)::int AS below
         FROM stock_levels l
         JOIN warehouses w ON w.id = l.warehouse_id
        ${cellScope ? `WHERE ${cellScope}` : ''}
        GROUP BY 1, 2
        ORDER BY 1, 2 NULLS LAST`,
      cellParams,
    ),
    exec.query(
      `SELECT code, name, active FROM warehouses
        WHERE (active OR EXISTS (SELECT 1 FROM stock_levels l WHERE l.warehouse_id = warehouses.id))
          ${whScope ? `AND ${whScope}` : ''}
        ORDER BY priority DESC, code`,
      whParams,
    ),
  ]);
  const categories = [...new Set(cells.map((c) => (c['category'] as string | null) ?? null))].sort((a, b) =>
    a === null ? 1 : b === null ? -1 : a.localeCompare(b),
  );
  return {
    measure,
    warehouses: warehouses.map((w) => ({
      code: w['code'] as string,
      name: w['name'] as string,
      active: Boolean(w['active']),
    })),
    categories,
    cells: cells.map((c) => ({
      warehouse: c['warehouse'] as string,
      category: (c['category'] as string | null) ?? null,
      value: Number(c['value']),
      skus: Number(c['skus']),
      belowSafety: Number(c['below']),
    })),
  };
}
