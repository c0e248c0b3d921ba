import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { CountBadRow, CountPreviewBody, CountView } from '@orderhub/contracts';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { decodeUpload, type ReadOptions, readSheet, type SheetLimits } from '../../platform/sheet.ts';
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

/** A count sheet's row, by column meaning. */
export interface CountSheetRow {
  row: number;
  sku: string;
  warehouse: string;
  counted: string;
}

/** At most this many bad rows are listed in a refusal (all are counted). */
const BAD_ROWS_LISTED = 1_000;
/** Rows looked up per statement, so a large sheet never holds the database (or PGlite's thread) long. */
const LOOKUP_CHUNK = 2_000;

const headerError = () =>
  new DomainError(
    'COUNT_SHEET_INVALID',
    'the first row must name the columns sku, warehouse and counted (or 商品编码, 仓库, 实盘数量)',
    {
      badRows: [
        { row: 1, sku: null, warehouse: null, problem: 'HEADER_INVALID', message: 'missing columns' },
      ],
    },
  );

/**
 * Reads a count sheet through the bounded reader. With `stopAbove`, gives up (null) as soon as the
 * sheet turns out to hold more rows than that: the caller hands it to the import job instead.
 */
export async function readCountSheet(
  format: 'csv' | 'xlsx',
  bytes: Buffer,
  limits: SheetLimits,
  opts: ReadOptions & { warehouse?: string | undefined; stopAbove?: number } = {},
): Promise<CountSheetRow[] | null> {
  let col: Record<'sku' | 'warehouse' | 'counted', number> | null = null;
  const rows: CountSheetRow[] = [];
  for await (const { row, cells } of readSheet(format, bytes, limits, opts)) {
    if (!col) {
      const header = cells.map((h) => HEADERS[h.toLowerCase()] ?? HEADERS[h] ?? null);
      col = {
        sku: header.indexOf('sku'),
        warehouse: header.indexOf('warehouse'),
        counted: header.indexOf('counted'),
      };
      if (col.sku < 0 || col.counted < 0 || (col.warehouse < 0 && !opts.warehouse)) throw headerError();
      continue;
    }
    if (opts.stopAbove !== undefined && rows.length >= opts.stopAbove) return null;
    rows.push({
      row,
      sku: cells[col.sku] ?? '',
      warehouse: (col.warehouse >= 0 ? cells[col.warehouse] : '') || opts.warehouse || '',
      counted: cells[col.counted] ?? '',
    });
  }
  if (!col) throw headerError();
  return rows;
}

/**
 * Reads a count sheet (盘点表) and shows, per row, what the system holds and what was counted.
 * Nothing changes until it is applied. A sheet with any bad row is refused whole, listing every one.
 * Reads the whole sheet here (the CLI); the API hands large sheets to a job (count-import.ts).
 */
export async function previewCount(ctx: StockCtx, input: CountPreviewBody): Promise<CountView> {
  const limits = ctx.deps.inventory.countImport;
  const bytes = decodeUpload(input.content, limits);
  const rows = (await readCountSheet(input.format, bytes, limits, { warehouse: input.warehouse }))!;
  return previewRows(ctx, rows, { format: input.format, note: input.note });
}

/**
 * Checks the rows against the SKU master and the warehouses and stores the preview: a new count,
 * or `id`, the count a job was reading.
 */
export async function previewRows(
  ctx: StockCtx,
  rows: CountSheetRow[],
  input: { format: string; note?: string | undefined },
  id?: string,
): Promise<CountView> {
  const { tx, at } = ctx;
  if (rows.length === 0)
    throw new DomainError('COUNT_SHEET_INVALID', 'the sheet has no rows', { badRows: [] });
  const knownSkus = new Map<string, boolean>();
  const skuCodes = [...new Set(rows.map((r) => r.sku))];
  for (let i = 0; i < skuCodes.length; i += LOOKUP_CHUNK) {
    for (const [k, v] of await findSkus(tx, skuCodes.slice(i, i + LOOKUP_CHUNK))) knownSkus.set(k, v);
    await yieldToLoop();
  }
  const whRows = await tx.query<{ id: string; code: string }>(
    `SELECT id, code FROM warehouses WHERE code = ANY($1::text[])`,
    [[...new Set(rows.map((r) => r.warehouse))]],
  );
  const whs = new Map(whRows.map((w) => [w.code, w.id]));
  const bad: CountBadRow[] = [];
  let badCount = 0;
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
      if (badCount++ < BAD_ROWS_LISTED)
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
  if (badCount)
    throw new DomainError(
      'COUNT_SHEET_INVALID',
      `${badCount} problem(s) in the count sheet; nothing was changed`,
      { badRows: bad, ...(badCount > bad.length ? { badRowCount: badCount } : {}) },
    );
  const onHand = new Map<string, number>();
  for (let i = 0; i < good.length; i += LOOKUP_CHUNK) {
    for (const [k, v] of await onHandOf(tx, good.slice(i, i + LOOKUP_CHUNK))) onHand.set(k, v);
    await yieldToLoop();
  }
  const stored = good.map((g) => ({ ...g, expected: onHand.get(`${g.sku}\u0000${g.warehouseId}`) ?? 0 }));
  const countId = id ?? newId('count');
  if (id)
    await tx.query(
      `UPDATE stock_counts SET status = 'previewed', rows_read = $2, error = NULL WHERE id = $1`,
      [id, rows.length],
    );
  else
    await tx.query(
      `INSERT INTO stock_counts (id, status, note, created_at, created_by, format, rows_read)
       VALUES ($1,'previewed',$2,$3,$4,$5,$6)`,
      [countId, input.note ?? null, at, ctx.actor.name, input.format, rows.length],
    );
  for (let i = 0; i < stored.length; i += LOOKUP_CHUNK) {
    const part = stored.slice(i, i + LOOKUP_CHUNK);
    await tx.query(
      `INSERT INTO stock_count_rows (count_id, row, sku, warehouse, warehouse_id, expected, counted)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])`,
      [
        countId,
        part.map((r) => r.row),
        part.map((r) => r.sku),
        part.map((r) => r.warehouse),
        part.map((r) => r.warehouseId),
        part.map((r) => r.expected),
        part.map((r) => r.counted),
      ],
    );
    await yieldToLoop();
  }
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.count_preview',
    entityType: 'stock_count',
    entityId: countId,
    summary: { rows: stored.length, format: input.format },
  });
  return (await getCount(tx, countId, { rowsLimit: id ? 0 : undefined }))!;
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
    await tx.query<{ status: string }>(`SELECT status FROM stock_counts WHERE id = $1 FOR UPDATE`, [id])
  )[0];
  if (!count) throw new DomainError('NOT_FOUND', `no count ${id}`);
  if (count.status === 'processing' || count.status === 'failed')
    throw new DomainError('COUNT_NOT_READY', `count ${id} is ${count.status}; nothing to apply`, {
      status: count.status,
    });
  if (count.status !== 'previewed')
    throw new DomainError('COUNT_ALREADY_APPLIED', `count ${id} is already ${count.status}`, {
      status: count.status,
    });
  const rows = (
    await tx.query<{
      row: number;
      sku: string;
      warehouse: string;
      warehouse_id: string;
      expected: number;
      counted: number;
    }>(
      `SELECT row, sku, warehouse, warehouse_id, expected, counted FROM stock_count_rows WHERE count_id = $1 ORDER BY row`,
      [id],
    )
  ).map((r) => ({
    ...r,
    warehouseId: r.warehouse_id,
    expected: Number(r.expected),
    counted: Number(r.counted),
  }));
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

/**
 * A count with its rows (`rowsOffset`/`rowsLimit` page them; the default is all), the job's
 * progress and, for a failed one, why.
 */
export async function getCount(
  exec: SqlExecutor,
  id: string,
  page: { rowsOffset?: number | undefined; rowsLimit?: number | undefined } = {},
): Promise<CountView | null> {
  const offset = page.rowsOffset ?? 0;
  const limit = page.rowsLimit ?? null;
  const r = (
    await exec.query<Record<string, unknown>>(
      `SELECT status, created_at, applied_at, rows_read, error,
         (SELECT count(*) FROM stock_count_rows WHERE count_id = $1) AS total,
         (SELECT count(*) FROM stock_count_rows WHERE count_id = $1 AND counted <> expected) AS differences
       FROM stock_counts WHERE id = $1`,
      [id],
    )
  )[0];
  if (!r) return null;
  const rows =
    limit === 0
      ? []
      : await exec.query<{ row: number; sku: string; warehouse: string; expected: number; counted: number }>(
          `SELECT row, sku, warehouse, expected, counted FROM stock_count_rows WHERE count_id = $1
           ORDER BY row OFFSET $2 LIMIT $3`,
          [id, offset, limit],
        );
  const error = (typeof r['error'] === 'string' ? JSON.parse(r['error'] as string) : r['error']) as
    | CountView['error']
    | null;
  const status = r['status'] as string;
  return {
    id,
    status,
    rows: rows.map((x) => ({
      row: x.row,
      sku: x.sku,
      warehouse: x.warehouse,
      expected: Number(x.expected),
      counted: Number(x.counted),
      difference: Number(x.counted) - Number(x.expected),
    })),
    differences: Number(r['differences']),
    createdAt: new Date(r['created_at'] as string).toISOString(),
    appliedAt: r['applied_at'] ? new Date(r['applied_at'] as string).toISOString() : null,
    progress: { rowsRead: Number(r['rows_read']), rowsTotal: Number(r['total']) },
    ...(status === 'processing' || status === 'failed' ? { error: error ?? null } : {}),
  };
}
