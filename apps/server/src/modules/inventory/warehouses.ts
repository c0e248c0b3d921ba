import type { CreateWarehouseBody, UpdateWarehouseBody, WarehouseView } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError, isUniqueViolation } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';

interface WarehouseRow {
  id: string;
  code: string;
  name: string;
  province: string | null;
  city: string | null;
  active: boolean;
  priority: number;
  created_at: Date | string;
  updated_at: Date | string;
  [k: string]: unknown;
}

const view = (r: WarehouseRow): WarehouseView => ({
  id: r.id,
  code: r.code,
  name: r.name,
  province: r.province,
  city: r.city,
  active: r.active,
  priority: r.priority,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export async function listWarehouses(exec: SqlExecutor): Promise<WarehouseView[]> {
  return (
    await exec.query<WarehouseRow>(`SELECT * FROM warehouses ORDER BY active DESC, priority DESC, code`)
  ).map(view);
}

export async function createWarehouse(
  tx: Tx,
  at: Date,
  actor: Actor,
  input: CreateWarehouseBody,
): Promise<WarehouseView> {
  const id = newId('warehouse');
  try {
    const rows = await tx.query<WarehouseRow>(
      `INSERT INTO warehouses (id, code, name, province, city, active, priority, created_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING *`,
      [
        id,
        input.code,
        input.name,
        input.province ?? null,
        input.city ?? null,
        input.active ?? true,
        input.priority ?? 0,
        at,
      ],
    );
    await recordAudit(tx, at, actor, {
      action: 'warehouse.create',
      entityType: 'warehouse',
      entityId: id,
      summary: input,
    });
    return view(rows[0]!);
  } catch (e) {
    if (isUniqueViolation(e))
      throw new DomainError('WAREHOUSE_CODE_TAKEN', `a warehouse "${input.code}" exists`, {
        warehouse: input.code,
      });
    throw e;
  }
}

export async function updateWarehouse(
  tx: Tx,
  at: Date,
  actor: Actor,
  id: string,
  input: UpdateWarehouseBody,
): Promise<WarehouseView> {
  const rows = await tx.query<WarehouseRow>(
    `UPDATE warehouses SET name = COALESCE($2, name),
       province = CASE WHEN $3::boolean THEN $4 ELSE province END,
       city = CASE WHEN $5::boolean THEN $6 ELSE city END,
       priority = COALESCE($7, priority), active = COALESCE($8, active), updated_at = $9
     WHERE id = $1 OR code = $1 RETURNING *`,
    [
      id,
      input.name ?? null,
      input.province !== undefined,
      input.province ?? null,
      input.city !== undefined,
      input.city ?? null,
      input.priority ?? null,
      input.active ?? null,
      at,
    ],
  );
  if (!rows[0]) throw new DomainError('NOT_FOUND', `no warehouse ${id}`);
  await recordAudit(tx, at, actor, {
    action: 'warehouse.update',
    entityType: 'warehouse',
    entityId: rows[0].id,
    summary: input,
  });
  return view(rows[0]);
}

export interface WarehouseRef {
  id: string;
  code: string;
  active: boolean;
  [k: string]: unknown;
}

/** Warehouses by code; refuses with WAREHOUSE_UNKNOWN listing every unknown code. */
export async function requireWarehouses(
  exec: SqlExecutor,
  codes: readonly string[],
  opts: { active?: boolean } = {},
): Promise<Map<string, WarehouseRef>> {
  const unique = [...new Set(codes)];
  const rows = await exec.query<WarehouseRef>(
    `SELECT id, code, active FROM warehouses WHERE code = ANY($1::text[])`,
    [unique],
  );
  const found = new Map(rows.map((r) => [r.code, r]));
  const unknown = unique.filter((c) => !found.has(c));
  if (unknown.length)
    throw new DomainError('WAREHOUSE_UNKNOWN', `no warehouse ${unknown.map((c) => `"${c}"`).join(', ')}`, {
      warehouses: unknown,
    });
  if (opts.active) {
    const inactive = unique.filter((c) => !found.get(c)!.active);
    if (inactive.length)
      throw new DomainError('WAREHOUSE_INACTIVE', `warehouse ${inactive.join(', ')} is deactivated`, {
        warehouses: inactive,
      });
  }
  return found;
}

export async function requireWarehouse(
  exec: SqlExecutor,
  code: string,
  active = false,
): Promise<WarehouseRef> {
  return (await requireWarehouses(exec, [code], { active })).get(code)!;
}
