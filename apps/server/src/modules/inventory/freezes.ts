import type { FreezeBody, FreezeReleaseBody, FreezeView } from '@orderhub/contracts';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { requireSkus } from '../catalog/index.ts';
import { moveStock, type StockCtx } from './ledger.ts';
import { STOCK_EXPIRY_QUEUE } from './settings.ts';
import { requireWarehouse } from './warehouses.ts';

/**
 * Holds units back from sale (冻结), e.g. while a refund-only request is reviewed, so they cannot be
 * sold again meanwhile. Never more than is available: the guarded update refuses.
 */
export async function createFreeze(ctx: StockCtx, input: FreezeBody): Promise<FreezeView> {
  const { tx, at } = ctx;
  await requireSkus(tx, [input.sku]);
  const wh = await requireWarehouse(tx, input.warehouse);
  const expiresAt = input.expiresAt
    ? new Date(input.expiresAt)
    : new Date(at.getTime() + ctx.deps.inventory.freezeDefaultSeconds * 1000);
  if (expiresAt.getTime() <= at.getTime())
    throw new DomainError('VALIDATION_FAILED', 'expiresAt must be in the future', { field: 'expiresAt' });
  const id = newId('freeze');
  await tx.query(
    `INSERT INTO stock_freezes (id, sku, warehouse_id, quantity, reason_code, status, expires_at, source_type, source_id, note, created_at)
     VALUES ($1,$2,$3,$4,$5,'active',$6,$7,$8,$9,$10)`,
    [
      id,
      input.sku,
      wh.id,
      input.quantity,
      input.reasonCode,
      expiresAt,
      input.source?.type ?? null,
      input.source?.id ?? null,
      input.note ?? null,
      at,
    ],
  );
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.freeze',
    entityType: 'stock_freeze',
    entityId: id,
    summary: input,
  });
  const after = await moveStock(ctx, {
    type: 'freeze',
    sku: input.sku,
    warehouseId: wh.id,
    frozen: input.quantity,
    reasonCode: input.reasonCode,
    source: { type: 'freeze', id },
    note: input.note ?? null,
  });
  if (!after) {
    const level = await tx.query<{ a: number }>(
      `SELECT on_hand - reserved - frozen AS a FROM stock_levels WHERE sku = $1 AND warehouse_id = $2`,
      [input.sku, wh.id],
    );
    const available = Number(level[0]?.a ?? 0);
    throw new DomainError(
      'FREEZE_EXCEEDS_AVAILABLE',
      `cannot freeze ${input.quantity} of ${input.sku} in ${input.warehouse}: ${available} available`,
      { sku: input.sku, warehouse: input.warehouse, requested: input.quantity, available },
    );
  }
  await ctx.deps.jobs.send(tx, STOCK_EXPIRY_QUEUE, { kind: 'freeze' }, { startAfter: expiresAt });
  return (await freezeViews(tx, 'f.id = $1', [id]))[0]!;
}

/** Ends a freeze on a decision (APPROVED/REJECTED/MANUAL) or on expiry; its units are available again. */
export async function releaseFreeze(
  ctx: StockCtx,
  id: string,
  input: FreezeReleaseBody | { reasonCode: 'EXPIRED'; note?: string },
): Promise<FreezeView> {
  const { tx, at } = ctx;
  const row = (
    await tx.query<{ id: string; sku: string; warehouse_id: string; quantity: number; status: string }>(
      `SELECT id, sku, warehouse_id, quantity, status FROM stock_freezes WHERE id = $1 FOR UPDATE`,
      [id],
    )
  )[0];
  if (!row) throw new DomainError('NOT_FOUND', `no freeze ${id}`);
  if (row.status !== 'active')
    throw new DomainError('FREEZE_NOT_ACTIVE', `freeze ${id} is already ${row.status}`, {
      status: row.status,
    });
  const after = await moveStock(ctx, {
    type: 'unfreeze',
    sku: row.sku,
    warehouseId: row.warehouse_id,
    frozen: -Number(row.quantity),
    reasonCode: input.reasonCode,
    source: { type: 'freeze', id },
    note: input.note ?? null,
  });
  if (!after) throw new Error(`freeze ${id}: frozen counter below its freezes (run inventory verify)`);
  const status = input.reasonCode === 'EXPIRED' ? 'expired' : 'released';
  await tx.query(
    `UPDATE stock_freezes SET status = $2, released_at = $3, release_reason = $4 WHERE id = $1`,
    [id, status, at, input.reasonCode],
  );
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.unfreeze',
    entityType: 'stock_freeze',
    entityId: id,
    summary: { reasonCode: input.reasonCode, quantity: Number(row.quantity) },
  });
  return (await freezeViews(tx, 'f.id = $1', [id]))[0]!;
}

export async function freezeViews(
  exec: SqlExecutor,
  where: string,
  params: unknown[],
): Promise<FreezeView[]> {
  const rows = await exec.query<Record<string, unknown>>(
    `SELECT f.*, w.code AS warehouse FROM stock_freezes f JOIN warehouses w ON w.id = f.warehouse_id WHERE ${where} ORDER BY f.id DESC LIMIT 500`,
    params,
  );
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  return rows.map((r) => ({
    id: r['id'] as string,
    sku: r['sku'] as string,
    warehouse: r['warehouse'] as string,
    quantity: Number(r['quantity']),
    reasonCode: r['reason_code'] as string,
    status: r['status'] as string,
    expiresAt: iso(r['expires_at']),
    source: r['source_type']
      ? { type: r['source_type'] as string, id: (r['source_id'] as string) ?? '' }
      : null,
    note: (r['note'] as string | null) ?? null,
    createdAt: iso(r['created_at'])!,
    releasedAt: iso(r['released_at']),
    releaseReason: (r['release_reason'] as string | null) ?? null,
  }));
}
