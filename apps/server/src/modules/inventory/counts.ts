import type { CountBadRow, CountPreviewBody, CountView } from '@orderhub/contracts';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { findSkus } from '../catalog/index.ts';
import { ensureLevel, moveStock, type StockCtx } from './ledger.ts';

const HEADERS: Record<string, 'sku' | 'warehouse' | 'counted'> = {
  sku: 'sku',
  'sku code': 'sku',
  商品编码: 'sku',
  sku编码: 'sku',
  warehouse: 'warehouse',
  仓库: 'warehouse',
  仓库编码: 'warehouse',
  counted: 'counted',
  quantity: 'counted',
  实盘数量: 'counted',
  盘点数量: 'counted',
};

interface SheetRow {
  row: number;
  sku: string;
  warehouse: string;
  counted: string;
}

async function readSheet(format: 'csv' | 'xlsx', content: string): Promise<string[][]> {
  const bytes = Buffer.from(content, 'base64');
  if (format === 'csv') {
    try {
      return parse(bytes.toString('utf8').replace(/^\uFEFF/, ''), {
        relax_column_count: true,
        skip_empty_lines: false,
        trim: true,
      }) as string[][];
    } catch (e) {
      throw new DomainError('COUNT_SHEET_INVALID', `the CSV cannot be read: ${(e as Error).message}`);
    }
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw new DomainError('COUNT_SHEET_INVALID', `the XLSX cannot be read: ${(e as Error).message}`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new DomainError('COUNT_SHEET_INVALID', 'the workbook has no sheet');
  const out: string[][] = [];
  for (let i = 1; i <= ws.rowCount; i++) {
    const row = ws.getRow(i);
    const cells: string[] = [];
    for (let c = 1; c <= Math.max(ws.columnCount, row.cellCount); c++) {
      const v = row.getCell(c).value;
      cells.push(
        v === null || v === undefined
          ? ''
          : typeof v === 'object' && 'text' in v
            ? String(v.text)
            : String(v).trim(),
      );
    }
    out.push(cells);
  }
  return out;
}

/**
 * Reads a count sheet (盘点表) and shows, per row, what the system holds and what was counted.
 * Nothing changes until it is applied. A sheet with any bad row is refused whole, listing every one.
 */
export async function previewCount(ctx: StockCtx, input: CountPreviewBody): Promise<CountView> {
  const { tx, at } = ctx;
  const table = await readSheet(input.format, input.content);
  const header = (table[0] ?? []).map((h) => HEADERS[h.trim().toLowerCase()] ?? HEADERS[h.trim()] ?? null);
  const col = (name: 'sku' | 'warehouse' | 'counted') => header.indexOf(name);
  if (col('sku') < 0 || col('counted') < 0 || (col('warehouse') < 0 && !input.warehouse))
    throw new DomainError(
      'COUNT_SHEET_INVALID',
      'the first row must name the columns sku, warehouse and counted (or 商品编码, 仓库, 实盘数量)',
      {
        badRows: [
          { row: 1, sku: null, warehouse: null, problem: 'HEADER_INVALID', message: 'missing columns' },
        ],
      },
    );
  const rows: SheetRow[] = [];
  table.slice(1).forEach((cells, i) => {
    if (cells.every((c) => c === '')) return;
    rows.push({
      row: i + 2,
      sku: cells[col('sku')] ?? '',
      warehouse: (col('warehouse') >= 0 ? cells[col('warehouse')] : '') || input.warehouse || '',
      counted: cells[col('counted')] ?? '',
    });
  });
  if (rows.length === 0)
    throw new DomainError('COUNT_SHEET_INVALID', 'the sheet has no rows', { badRows: [] });
  const knownSkus = await findSkus(
    tx,
    rows.map((r) => r.sku),
  );
  const whRows = await tx.query<{ id: string; code: string }>(
    `SELECT id, code FROM warehouses WHERE code = ANY($1::text[])`,
    [[...new Set(rows.map((r) => r.warehouse))]],
  );
  const whs = new Map(whRows.map((w) => [w.code, w.id]));
  const bad: CountBadRow[] = [];
  const seen = new Map<string, number>();
  const good: { row: number; sku: string; warehouse: string; warehouseId: string; counted: number }[] = [];
  for (const r of rows) {
    const problems: [string, string][] = [];
    if (!r.sku) problems.push(['SKU_MISSING', 'no SKU']);
    else if (!knownSkus.has(r.sku)) problems.push(['SKU_UNKNOWN', `no SKU "${r.sku}" in the SKU master`]);
    if (!r.warehouse) problems.push(['WAREHOUSE_MISSING', 'no warehouse']);
    else if (!whs.has(r.warehouse)) problems.push(['WAREHOUSE_UNKNOWN', `no warehouse "${r.warehouse}"`]);
    if (!/^\d{1,9}$/.test(r.counted))
      problems.push(['QUANTITY_INVALID', `"${r.counted}" is not a whole number ≥ 0`]);
    const key = `${r.sku}\u0000${r.warehouse}`;
    const first = seen.get(key);
    if (first !== undefined)
      problems.push(['DUPLICATE_ROW', `${r.sku} in ${r.warehouse} is also on row ${first}`]);
    else seen.set(key, r.row);
    for (const [problem, message] of problems)
      bad.push({ row: r.row, sku: r.sku || null, warehouse: r.warehouse || null, problem, message });
    if (problems.length === 0)
      good.push({
        row: r.row,
        sku: r.sku,
        warehouse: r.warehouse,
        warehouseId: whs.get(r.warehouse)!,
        counted: Number(r.counted),
      });
  }
  if (bad.length)
    throw new DomainError(
      'COUNT_SHEET_INVALID',
      `${bad.length} problem(s) in the count sheet; nothing was changed`,
      {
        badRows: bad,
      },
    );
  const onHand = await onHandOf(tx, good);
  const stored = good.map((g) => ({ ...g, expected: onHand.get(`${g.sku}\u0000${g.warehouseId}`) ?? 0 }));
  const id = newId('count');
  await tx.query(
    `INSERT INTO stock_counts (id, status, rows, note, created_at, created_by) VALUES ($1,'previewed',$2,$3,$4,$5)`,
    [id, JSON.stringify(stored), input.note ?? null, at, ctx.actor.name],
  );
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.count_preview',
    entityType: 'stock_count',
    entityId: id,
    summary: { rows: stored.length, format: input.format },
  });
  return (await getCount(tx, id))!;
}

async function onHandOf(exec: SqlExecutor, rows: { sku: string; warehouseId: string }[]) {
  const found = await exec.query<{ sku: string; warehouse_id: string; on_hand: number }>(
    `SELECT sku, warehouse_id, on_hand FROM stock_levels WHERE (sku, warehouse_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [rows.map((r) => r.sku), rows.map((r) => r.warehouseId)],
  );
  return new Map(found.map((f) => [`${f.sku}\u0000${f.warehouse_id}`, Number(f.on_hand)]));
}

/**
 * Books the differences as count corrections. If stock moved since the preview, the differences
 * would be wrong: refused (COUNT_SHEET_STALE) and a new preview is needed.
 */
export async function applyCount(ctx: StockCtx, id: string, note?: string): Promise<CountView> {
  const { tx, at } = ctx;
  const count = (
    await tx.query<{ status: string; rows: unknown }>(
      `SELECT status, rows FROM stock_counts WHERE id = $1 FOR UPDATE`,
      [id],
    )
  )[0];
  if (!count) throw new DomainError('NOT_FOUND', `no count ${id}`);
  if (count.status !== 'previewed')
    throw new DomainError('COUNT_ALREADY_APPLIED', `count ${id} is already ${count.status}`, {
      status: count.status,
    });
  const rows = (typeof count.rows === 'string' ? JSON.parse(count.rows) : count.rows) as {
    row: number;
    sku: string;
    warehouse: string;
    warehouseId: string;
    expected: number;
    counted: number;
  }[];
  const sorted = [...rows].sort((a, b) =>
    a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.warehouseId < b.warehouseId ? -1 : 1,
  );
  for (const r of sorted) await ensureLevel(tx, at, r.sku, r.warehouseId);
  // Lock every counted level (in the fixed order) before comparing with the preview.
  const locked = await tx.query<{ sku: string; warehouse_id: string; on_hand: number }>(
    `SELECT sku, warehouse_id, on_hand FROM stock_levels WHERE (sku, warehouse_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY sku, warehouse_id FOR UPDATE`,
    [sorted.map((r) => r.sku), sorted.map((r) => r.warehouseId)],
  );
  const now = new Map(locked.map((l) => [`${l.sku}\u0000${l.warehouse_id}`, Number(l.on_hand)]));
  const stale = sorted.filter((r) => (now.get(`${r.sku}\u0000${r.warehouseId}`) ?? 0) !== r.expected);
  if (stale.length)
    throw new DomainError('COUNT_SHEET_STALE', 'stock moved since the preview; preview the sheet again', {
      rows: stale.map((r) => ({
        row: r.row,
        sku: r.sku,
        warehouse: r.warehouse,
        expected: r.expected,
        now: now.get(`${r.sku}\u0000${r.warehouseId}`) ?? 0,
      })),
    });
  const refused: { row: number; sku: string; warehouse: string }[] = [];
  for (const r of sorted) {
    const delta = r.counted - r.expected;
    if (delta === 0) continue;
    const after = await moveStock(ctx, {
      type: 'count_correction',
      sku: r.sku,
      warehouseId: r.warehouseId,
      onHand: delta,
      reasonCode: delta > 0 ? 'COUNT_GAIN' : 'COUNT_LOSS',
      source: { type: 'count', id },
      note: note ?? null,
    });
    if (!after) refused.push({ row: r.row, sku: r.sku, warehouse: r.warehouse });
  }
  if (refused.length)
    throw new DomainError(
      'ADJUSTMENT_BELOW_COMMITTED',
      'counted less than is reserved or frozen; release those first',
      { rows: refused },
    );
  await tx.query(`UPDATE stock_counts SET status = 'applied', applied_at = $2 WHERE id = $1`, [id, at]);
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.count_apply',
    entityType: 'stock_count',
    entityId: id,
    summary: { rows: rows.length },
  });
  return (await getCount(tx, id))!;
}

export async function getCount(exec: SqlExecutor, id: string): Promise<CountView | null> {
  const r = (await exec.query<Record<string, unknown>>(`SELECT * FROM stock_counts WHERE id = $1`, [id]))[0];
  if (!r) return null;
  const rows = (typeof r['rows'] === 'string' ? JSON.parse(r['rows'] as string) : r['rows']) as {
    row: number;
    sku: string;
    warehouse: string;
    expected: number;
    counted: number;
  }[];
  const view = rows.map((x) => ({
    row: x.row,
    sku: x.sku,
    warehouse: x.warehouse,
    expected: x.expected,
    counted: x.counted,
    difference: x.counted - x.expected,
  }));
  return {
    id,
    status: r['status'] as string,
    rows: view,
    differences: view.filter((x) => x.difference !== 0).length,
    createdAt: new Date(r['created_at'] as string).toISOString(),
    appliedAt: r['applied_at'] ? new Date(r['applied_at'] as string).toISOString() : null,
  };
}
