import type { TransferBody, TransferView } from '@orderhub/contracts';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { requireSkus } from '../catalog/index.ts';
import { byLevelKey, ensureLevel, type Movement, moveStock, type StockCtx } from './ledger.ts';
import { requireWarehouses } from './warehouses.ts';

/**
 * Sends stock to another warehouse (调拨): it leaves the source's on hand at once and shows as in
 * transit at the target until received. Refused when the source lacks available units.
 */
export async function createTransfer(ctx: StockCtx, input: TransferBody): Promise<TransferView> {
  const { tx, at } = ctx;
  if (input.from === input.to)
    throw new DomainError(
      'TRANSFER_SAME_WAREHOUSE',
      `a transfer needs two warehouses; both are ${input.from}`,
      {
        warehouse: input.from,
      },
    );
  await requireSkus(
    tx,
    input.lines.map((l) => l.sku),
  );
  const whs = await requireWarehouses(tx, [input.from, input.to], { active: true });
  const from = whs.get(input.from)!;
  const to = whs.get(input.to)!;
  const lines = aggregate(input.lines);
  const id = newId('transfer');
  await tx.query(
    `INSERT INTO stock_transfers (id, from_warehouse_id, to_warehouse_id, status, lines, note, created_at)
     VALUES ($1,$2,$3,'in_transit',$4,$5,$6)`,
    [id, from.id, to.id, JSON.stringify(lines), input.note ?? null, at],
  );
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.transfer',
    entityType: 'stock_transfer',
    entityId: id,
    summary: input,
  });
  const moves: Movement[] = [];
  for (const l of lines) {
    await ensureLevel(tx, at, l.sku, to.id);
    const source = { type: 'transfer', id };
    moves.push({
      type: 'transfer_out',
      sku: l.sku,
      warehouseId: from.id,
      onHand: -l.quantity,
      source,
      reasonCode: 'TRANSFER',
    });
    moves.push({
      type: 'transfer_out',
      sku: l.sku,
      warehouseId: to.id,
      inTransit: l.quantity,
      source,
      reasonCode: 'TRANSFER',
    });
  }
  const short: { sku: string; requested: number }[] = [];
  for (const m of moves.sort(byLevelKey)) {
    if (!(await moveStock(ctx, m))) short.push({ sku: m.sku, requested: -(m.onHand ?? 0) });
  }
  if (short.length)
    throw new DomainError(
      'INVENTORY_INSUFFICIENT',
      `${input.from} has not enough available for ${short.map((s) => `${s.sku} (${s.requested})`).join(', ')}`,
      { short },
    );
  return (await transferViews(tx, 't.id = $1', [id]))[0]!;
}

/** The target warehouse books the goods in: in transit becomes on hand. */
export async function receiveTransfer(ctx: StockCtx, id: string, note?: string): Promise<TransferView> {
  const { tx, at } = ctx;
  const row = (
    await tx.query<{
      status: string;
      to_warehouse_id: string;
      lines: { sku: string; quantity: number }[] | string;
    }>(`SELECT status, to_warehouse_id, lines FROM stock_transfers WHERE id = $1 FOR UPDATE`, [id])
  )[0];
  if (!row) throw new DomainError('NOT_FOUND', `no transfer ${id}`);
  if (row.status !== 'in_transit')
    throw new DomainError('TRANSFER_NOT_IN_TRANSIT', `transfer ${id} is ${row.status}`, {
      status: row.status,
    });
  const lines =
    typeof row.lines === 'string'
      ? (JSON.parse(row.lines) as { sku: string; quantity: number }[])
      : row.lines;
  for (const l of [...lines].sort((a, b) => (a.sku < b.sku ? -1 : 1))) {
    const after = await moveStock(ctx, {
      type: 'transfer_in',
      sku: l.sku,
      warehouseId: row.to_warehouse_id,
      inTransit: -l.quantity,
      onHand: l.quantity,
      reasonCode: 'TRANSFER',
      source: { type: 'transfer', id },
      note: note ?? null,
    });
    if (!after)
      throw new Error(`transfer ${id}: in-transit counter below its transfers (run inventory verify)`);
  }
  await tx.query(`UPDATE stock_transfers SET status = 'received', received_at = $2 WHERE id = $1`, [id, at]);
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.transfer_receive',
    entityType: 'stock_transfer',
    entityId: id,
    summary: { note: note ?? null },
  });
  return (await transferViews(tx, 't.id = $1', [id]))[0]!;
}

function aggregate(lines: readonly { sku: string; quantity: number }[]) {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l.sku, (m.get(l.sku) ?? 0) + l.quantity);
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([sku, quantity]) => ({ sku, quantity }));
}

export async function transferViews(
  exec: SqlExecutor,
  where: string,
  params: unknown[],
): Promise<TransferView[]> {
  const rows = await exec.query<Record<string, unknown>>(
    `SELECT t.*, f.code AS from_code, w.code AS to_code FROM stock_transfers t
     JOIN warehouses f ON f.id = t.from_warehouse_id JOIN warehouses w ON w.id = t.to_warehouse_id
     WHERE ${where} ORDER BY t.id DESC LIMIT 500`,
    params,
  );
  return rows.map((r) => ({
    id: r['id'] as string,
    from: r['from_code'] as string,
    to: r['to_code'] as string,
    status: r['status'] as string,
    lines: (typeof r['lines'] === 'string' ? JSON.parse(r['lines']) : r['lines']) as {
      sku: string;
      quantity: number;
    }[],
    note: (r['note'] as string | null) ?? null,
    createdAt: new Date(r['created_at'] as string).toISOString(),
    receivedAt: r['received_at'] ? new Date(r['received_at'] as string).toISOString() : null,
  }));
}
