import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CountBadRow, CountPreviewBody, CountView } from '@orderhub/contracts';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { decodeUpload, type ReadOptions, readSheetBatches, type SheetLimits } from '../../platform/sheet.ts';
import { recordAudit } from '../audit/index.ts';
import { skuCodesInStretch, skuStockFlags } from '../catalog/index.ts';
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
/**
 * Rows checked and stored per chunk (one database row, one statement) by default. On PGlite a
 * statement runs on the server's own thread, so one statement must stay short; on PostgreSQL the
 * round trip per chunk is what counts.
 */
const CHUNK_ROWS = 1_000;
/** Warehouses read at once at the first lookup of a sheet (more than that: per chunk). */
const WAREHOUSES_AT_ONCE = 1_000;
/** SKU codes looked up per statement by default. */
const LOOKUP_CODES = 250;

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

/** A count sheet's data rows through the bounded reader, by column meaning, a batch at a time. */
export async function* countSheetBatches(
  format: 'csv' | 'xlsx',
  bytes: Buffer,
  limits: SheetLimits,
  opts: ReadOptions & { warehouse?: string | undefined } = {},
): AsyncGenerator<CountSheetRow[]> {
  let col: Record<'sku' | 'warehouse' | 'counted', number> | null = null;
  const fallback = opts.warehouse ?? '';
  for await (const batch of readSheetBatches(format, bytes, limits, opts)) {
    const out: CountSheetRow[] = [];
    for (const { row, cells } of batch) {
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
      out.push({
        row,
        sku: cells[col.sku] ?? '',
        warehouse: (col.warehouse >= 0 ? cells[col.warehouse] : '') || fallback,
        counted: cells[col.counted] ?? '',
      });
    }
    if (out.length) yield out;
  }
  if (!col) throw headerError();
}

/**
 * Reads a count sheet into memory. With `stopAbove`, gives up (null) as soon as the sheet turns
 * out to hold more rows than that: the caller hands it to the import job instead.
 */
export async function readCountSheet(
  format: 'csv' | 'xlsx',
  bytes: Buffer,
  limits: SheetLimits,
  opts: ReadOptions & { warehouse?: string | undefined; stopAbove?: number } = {},
): Promise<CountSheetRow[] | null> {
  const rows: CountSheetRow[] = [];
  for await (const batch of countSheetBatches(format, bytes, limits, opts)) {
    for (const r of batch) {
      if (opts.stopAbove !== undefined && rows.length >= opts.stopAbove) return null;
      rows.push(r);
    }
  }
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
  const rows = countSheetBatches(input.format, bytes, limits, { warehouse: input.warehouse });
  return previewRows(ctx, rows, { format: input.format, note: input.note });
}

/**
 * Checks the rows against the SKU master and the warehouses and stores the preview as a new count,
 * all in the caller's transaction (a refusal leaves nothing).
 */
export async function previewRows(
  ctx: StockCtx,
  rows: CountSheetRow[] | AsyncIterable<CountSheetRow[]>,
  input: { format: string; note?: string | undefined },
): Promise<CountView> {
  const { tx, at } = ctx;
  const countId = newId('count');
  // The count first: its rows refer to it.
  await tx.query(
    `INSERT INTO stock_counts (id, status, note, created_at, created_by, format, rows_read)
     VALUES ($1,'previewed',$2,$3,$4,$5,0)`,
    [countId, input.note ?? null, at, ctx.actor.name, input.format],
  );
  const stored = await storeCountRows(tx, countId, Array.isArray(rows) ? [rows] : rows);
  await tx.query(`UPDATE stock_counts SET rows_read = $2 WHERE id = $1`, [countId, stored]);
  await recordAudit(tx, at, ctx.actor, {
    action: 'inventory.count_preview',
    entityType: 'stock_count',
    entityId: countId,
    summary: { rows: stored, format: input.format },
  });
  return (await getCount(tx, countId))!;
}

/**
 * Checks a count's rows and stores them in `stock_count_chunks`, chunk by chunk as they are read.
 * SKUs and warehouses are looked up once per import (each code the first time it appears, a
 * chunk's new codes in one statement); quantities, missing cells and duplicates are checked here.
 * Each chunk of good rows is then one statement: what is on hand now (the expected figure) joined
 * in and the chunk inserted as one database row. Any bad row refuses the whole sheet
 * (COUNT_SHEET_INVALID listing them); from the first one on, rows are only checked, no longer
 * stored, and the caller removes what was stored (a rollback, or `clearCountRows`).
 * Answers the number of rows stored.
 */
export async function storeCountRows(
  exec: SqlExecutor,
  countId: string,
  batches: Iterable<CountSheetRow[]> | AsyncIterable<CountSheetRow[]>,
  opts: {
    chunkRows?: number;
    lookupCodes?: number;
    pipeline?: boolean;
    /** `false`: the database finds a stretch's bounds whatever its collation (tests of that path). */
    boundsHere?: boolean;
  } = {},
): Promise<number> {
  const chunkRows = opts.chunkRows ?? CHUNK_ROWS;
  const lookupCodes = opts.lookupCodes ?? LOOKUP_CODES;
  const bad: CountBadRow[] = [];
  let badCount = 0;
  let total = 0;
  let stored = 0;
  let chunks = 0;
  /** Row of each (warehouse code, SKU code) seen so far, for duplicates. */
  const seen = new Map<string, Map<string, number>>();
  const skuKnown = new Map<string, boolean>();
  const warehouseIds = new Map<string, string | null>();
  let allWarehouses = false;
  let chunk: CountSheetRow[] = [];
  /**
   * The chunk being stored (with `pipeline`: its levels read and its insert, on other
   * connections) while the next chunk is received and checked. At most one is in flight, and
   * every path out of here waits for it, so nothing is written after the caller clears a refused
   * import.
   */
  let inFlight: Promise<void> | null = null;
  let storeFailed: { error: unknown } | null = null;
  const settle = async () => {
    const running = inFlight;
    inFlight = null;
    if (running) await running;
    if (storeFailed) throw storeFailed.error;
  };

  const lookUp = async (part: CountSheetRow[]) => {
    const skus = new Set<string>();
    const warehouses = new Set<string>();
    for (const r of part) {
      if (r.sku && !skuKnown.has(r.sku)) skus.add(r.sku);
      if (r.warehouse && !warehouseIds.has(r.warehouse)) warehouses.add(r.warehouse);
    }
    // New codes a slice per statement: the first chunks of a sheet bring only new codes. A sorted
    // sheet's slice is most of one stretch of the master, read in one pass like the levels below.
    const codes = [...skus];
    for (let k = 0; k < codes.length; k += lookupCodes) {
      const slice = codes.slice(k, k + lookupCodes);
      const bounds = skuRanges && (await inCodePointOrder()) ? codeBounds(slice) : null;
      const stretch = bounds
        ? await skuCodesInStretch(exec, bounds.lo, bounds.hi, slice.length * RANGE_SPREAD + 16)
        : null;
      if (bounds && !stretch) skuRanges = false;
      const found = stretch ?? (await skuStockFlags(exec, slice));
      for (const code of slice) skuKnown.set(code, found.has(code));
      if (k + lookupCodes < codes.length) await yieldToLoop();
    }
    if (skus.size) await yieldToLoop();
    if (warehouses.size && !allWarehouses) {
      // A merchant has a handful of warehouses: all of them at the first lookup, so that a sheet
      // over several warehouses costs one statement, not one per warehouse (a round trip each on
      // PostgreSQL). Past `WAREHOUSES_AT_ONCE` of them, the codes of each chunk are looked up.
      const every = await exec.query<{ code: string; id: string }>(
        `SELECT code, id FROM warehouses ORDER BY code LIMIT ${WAREHOUSES_AT_ONCE + 1}`,
      );
      if (every.length <= WAREHOUSES_AT_ONCE) {
        allWarehouses = true;
        for (const w of every) warehouseIds.set(w.code, w.id);
      }
    }
    if (warehouses.size) {
      const missing = [...warehouses].filter((code) => !warehouseIds.has(code));
      const found = allWarehouses
        ? []
        : await exec.query<{ code: string; id: string }>(
            `SELECT code, id FROM warehouses WHERE code = ANY($1::text[])`,
            [missing],
          );
      for (const code of missing) warehouseIds.set(code, null);
      for (const w of found) warehouseIds.set(w.code, w.id);
    }
  };

  /**
   * Sheets are usually exported sorted by SKU, so a chunk's SKUs of one warehouse are most of
   * the levels between its lowest and highest code: one pass over that stretch of the
   * (warehouse, SKU) index costs a fifth of probing the index for each code (2,000 codes on
   * PostgreSQL: 1.6 ms against 8 ms). The stretch is read with a limit of a few times the codes
   * asked for; a sheet in another order overruns it, and from then on the codes are probed one by
   * one (so an unsorted sheet pays for one wasted read, not one per chunk).
   */
  let ranges = true;
  /** The same for the SKU lookups: stretches of the master until one overruns. */
  let skuRanges = true;
  /**
   * Whether the database orders text by code point (collation C, as PGlite always does): then the
   * stretch's bounds are found here and only they are sent, not the chunk's codes (on PGlite every
   * byte of a statement passes its JavaScript).
   */
  let codePointOrder: boolean | null = opts.boundsHere === false ? false : null;
  const inCodePointOrder = async () => {
    codePointOrder ??= (
      await exec.query<{ c: boolean }>(
        `SELECT datcollate IN ('C', 'POSIX') AS c FROM pg_database WHERE datname = current_database()`,
      )
    )[0]!.c;
    return codePointOrder;
  };
  const levelsOf = async (warehouseId: string, list: [number, string, number][]) => {
    const codes = () => JSON.stringify(list.map((r) => r[1]));
    /** Runs `sql` with the lists joined, and again as JSON when a code holds the separator. */
    const levels = async (sql: (lists: string) => string, params: unknown[]) =>
      levelLists((await exec.query<Levels>(sql(LEVEL_LISTS), params))[0]) ??
      levelLists((await exec.query<Levels>(sql(LEVEL_JSON), params))[0], true)!;
    if (ranges) {
      const limit = list.length * RANGE_SPREAD + 16;
      const here = (await inCodePointOrder()) ? codeBounds(list.map((r) => r[1])) : null;
      // The stretch between the lowest and the highest code: bounds sent from here, or the codes
      // sent and the bounds taken by the database in its own collation.
      const [withCodes, bounds, params] = here
        ? ['', 'sku >= $2 AND sku <= $3', [warehouseId, here.lo, here.hi, limit]]
        : [
            'codes AS (SELECT json_array_elements_text($2::json) AS sku),',
            'sku >= (SELECT min(sku) FROM codes) AND sku <= (SELECT max(sku) FROM codes)',
            [warehouseId, codes(), limit],
          ];
      const found = await levels(
        (lists) => `WITH ${withCodes} stretch AS (
           SELECT sku, on_hand FROM stock_levels
           WHERE warehouse_id = $1 AND ${bounds} ORDER BY sku LIMIT $${params.length})
         SELECT ${lists} FROM stretch`,
        params,
      );
      if (found.skus.length < limit) return found;
      ranges = false;
    }
    // The codes go in as one JSON text, made an array for one ordered pass over the index
    // (`= ANY`: 1,000 separate probes through `IN (SELECT …)` took 3–5 times as long on PGlite).
    return levels(
      (lists) => `SELECT ${lists} FROM stock_levels
       WHERE warehouse_id = $1 AND sku = ANY(ARRAY(SELECT json_array_elements_text($2::json)))`,
      [warehouseId, codes()],
    );
  };

  /** Records a bad row (the first `BAD_ROWS_LISTED` are listed, all are counted). */
  const refuse = (r: CountSheetRow, problem: string, message: string) => {
    if (badCount++ < BAD_ROWS_LISTED)
      bad.push({ row: r.row, sku: r.sku || null, warehouse: r.warehouse || null, problem, message });
  };

  const flush = async () => {
    const part = chunk;
    chunk = [];
    await lookUp(part);
    // Good rows by warehouse id (a chunk usually holds one warehouse): [row, sku, counted].
    const good = new Map<string, { code: string; rows: [number, string, number][] }>();
    let goodRows = 0;
    for (const r of part) {
      const { sku, warehouse } = r;
      const warehouseId = warehouse ? warehouseIds.get(warehouse) : null;
      const counted = QUANTITY.test(r.counted) ? Number(r.counted) : null;
      let bySku = seen.get(warehouse);
      if (!bySku) {
        bySku = new Map();
        seen.set(warehouse, bySku);
      }
      const first = bySku.get(sku);
      if (first === undefined) bySku.set(sku, r.row);
      if (sku && skuKnown.get(sku) && warehouseId && counted !== null && first === undefined) {
        const list = good.get(warehouseId);
        if (list) list.rows.push([r.row, sku, counted]);
        else good.set(warehouseId, { code: warehouse, rows: [[r.row, sku, counted]] });
        goodRows++;
        continue;
      }
      if (!sku) refuse(r, 'SKU_MISSING', 'no SKU');
      else if (!skuKnown.get(sku)) refuse(r, 'SKU_UNKNOWN', `no SKU "${sku}" in the SKU master`);
      if (!warehouse) refuse(r, 'WAREHOUSE_MISSING', 'no warehouse');
      else if (!warehouseId) refuse(r, 'WAREHOUSE_UNKNOWN', `no warehouse "${warehouse}"`);
      if (counted === null) refuse(r, 'QUANTITY_INVALID', `"${r.counted}" is not a whole number ≥ 0`);
      if (first !== undefined) refuse(r, 'DUPLICATE_ROW', `${sku} in ${warehouse} is also on row ${first}`);
    }
    // Once the sheet is known to be refused, its remaining rows are only checked.
    if (badCount === 0 && goodRows) {
      const index = chunks++;
      const firstIndex = stored;
      stored += goodRows;
      // What is on hand now, per warehouse of the chunk (usually one): only levels that exist.
      const store = async () => {
        const data: StoredRow[] = [];
        let differences = 0;
        for (const [warehouseId, { code, rows: list }] of good) {
          const onHand = expectedOf(list, await levelsOf(warehouseId, list));
          for (let i = 0; i < list.length; i++) {
            const [row, sku, counted] = list[i]!;
            const expected = onHand[i]!;
            if (expected !== counted) differences++;
            data.push([row, sku, code, warehouseId, expected, counted]);
          }
          // On PGlite each statement runs on this thread: a turn for everything else between them.
          await yieldToLoop();
        }
        // The sheet's order within the chunk (rows of several warehouses were grouped above).
        if (good.size > 1) data.sort((a, b) => a[0] - b[0]);
        // A turn for everything else before the chunk is packed.
        await yieldToLoop();
        await exec.query(
          `INSERT INTO stock_count_chunks (count_id, chunk, first_index, row_count, differences, data)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [countId, index, firstIndex, data.length, differences, packRows(data)],
        );
      };
      await settle();
      if (opts.pipeline)
        inFlight = store().then(
          () => undefined,
          (error: unknown) => {
            storeFailed ??= { error };
          },
        );
      else await store();
    }
    // A turn for everything else between chunks (the reader yields too, but a fast one rarely does).
    await yieldToLoop();
  };

  try {
    for await (const batch of batches)
      for (const r of batch) {
        total++;
        chunk.push(r);
        if (chunk.length >= chunkRows) await flush();
      }
    if (chunk.length) await flush();
  } finally {
    // A refusal or a failed read waits for the chunk in flight too (its own error comes second).
    await (inFlight as Promise<void> | null);
  }
  await settle();
  if (total === 0) throw new DomainError('COUNT_SHEET_INVALID', 'the sheet has no rows', { badRows: [] });
  if (badCount)
    throw new DomainError(
      'COUNT_SHEET_INVALID',
      `${badCount} problem(s) in the count sheet; nothing was changed`,
      { badRows: bad, ...(badCount > bad.length ? { badRowCount: badCount } : {}) },
    );
  return total;
}

/** Removes a count's stored rows (a refused or re-run import): about a hundred chunks at most. */
export async function clearCountRows(exec: SqlExecutor, countId: string): Promise<void> {
  await exec.query(`DELETE FROM stock_count_chunks WHERE count_id = $1`, [countId]);
}

/** One stored row: [row, sku, warehouse, warehouse id, expected, counted]. */
type StoredRow = [number, string, string, string, number, number];

/** A quantity as a sheet may give it: a whole number of at most nine digits. */
const QUANTITY = /^\d{1,9}$/;

/** A chunk's SKU stretch is read whole while it holds at most this many levels per code asked. */
const RANGE_SPREAD = 4;

/**
 * The lowest and highest of `codes` as a database ordering text by code point (collation C)
 * sees them, or null when a code holds a character at or above U+D800, where JavaScript's order
 * (UTF-16 code units) differs from that.
 */
function codeBounds(codes: readonly string[]): { lo: string; hi: string } | null {
  let lo = codes[0]!;
  let hi = lo;
  for (const code of codes) {
    if (/[\ud800-\uffff]/.test(code)) return null;
    if (code < lo) lo = code;
    if (code > hi) hi = code;
  }
  return { lo, hi };
}

/**
 * Levels come back as two lists in the same order, one text value each instead of a thousand
 * result rows (which cost PGlite's reader more than the scan): the SKUs joined by U+001F and what
 * is on hand joined by commas. Joining costs PGlite 15–35% less than `json_agg` (50 reads of
 * 2,000 levels: 170–190 against 210–270 ms) and splitting less than `JSON.parse`; the count `n`
 * beside them tells a list that a code holding U+001F would cut wrongly, and then the levels are
 * read again as JSON.
 */
const LEVEL_LISTS = `coalesce(string_agg(sku, E'\\x1f'), '') AS skus, coalesce(string_agg(on_hand::text, ','), '') AS on_hand, count(*)::int AS n`;
const LEVEL_JSON = `coalesce(json_agg(sku), '[]')::text AS skus, coalesce(json_agg(on_hand), '[]')::text AS on_hand, count(*)::int AS n`;
type Levels = { skus: string; on_hand: string; n: number };

/** What is on hand per SKU: two lists in the same order. */
type LevelLists = { skus: string[]; onHand: (string | number)[] };

/** The levels' two lists, or null when the joined SKUs do not split into `n` codes. */
function levelLists(found: Levels | undefined, json = false): LevelLists | null {
  if (!found || found.n === 0) return { skus: [], onHand: [] };
  const skus = json ? (JSON.parse(found.skus) as string[]) : found.skus.split('\x1f');
  if (skus.length !== found.n) return null;
  return { skus, onHand: json ? (JSON.parse(found.on_hand) as number[]) : found.on_hand.split(',') };
}

/** Whether `at(i)` for i in [0, n) rises strictly in JavaScript's order of strings. */
function rising(n: number, at: (i: number) => string): boolean {
  for (let i = 1; i < n; i++) if (!(at(i - 1) < at(i))) return false;
  return true;
}

/**
 * What is on hand for each row of `list` (0 where the SKU has no level). A sorted sheet's chunk
 * and its stretch both rise in the same order: then the two are walked side by side instead of
 * building a map of the levels and looking each row up in it (a CPU profile of a 100,000-row
 * import on PGlite: 22 ms for splitting the lists and matching, against 56 ms for parsing them,
 * the map and the lookups); anything else (a scattered sheet, levels probed in no given order, a
 * collation other than code-point order) goes through a map.
 */
function expectedOf(list: [number, string, number][], levels: LevelLists): number[] {
  const { skus, onHand } = levels;
  const out = new Array<number>(list.length).fill(0);
  if (rising(list.length, (i) => list[i]![1]) && rising(skus.length, (i) => skus[i]!)) {
    let j = 0;
    for (let i = 0; i < list.length; i++) {
      const code = list[i]![1];
      while (j < skus.length && skus[j]! < code) j++;
      if (j < skus.length && skus[j] === code) out[i] = Number(onHand[j]);
    }
    return out;
  }
  const map = new Map<string, string | number>();
  for (let j = 0; j < skus.length; j++) map.set(skus[j]!, onHand[j]!);
  for (let i = 0; i < list.length; i++) {
    const found = map.get(list[i]![1]);
    if (found !== undefined) out[i] = Number(found);
  }
  return out;
}

/** The first byte of a chunk stored deflated (the deflated bytes follow); plain JSON starts with `[`. */
const PACKED = 0x7a; // 'z'

/**
 * A chunk's rows as stored: a mark and their JSON deflated, as bytes. A count sheet's rows repeat
 * themselves (codes with a common stem, one warehouse), so a chunk is a fifth of its JSON or less,
 * and the database is handed a fifth of the bytes: on PGlite every byte of a statement passes
 * through the server's thread (about 0.1 µs a byte under load: 0.6–1.7 s per 100,000 rows stored
 * as JSON, 0.12–0.25 s packed as base64 text, less as bytes, which also skip the base64 and the
 * text's compression attempt). Deflating a chunk takes 0.1–0.3 ms (level 1; the thread pool's
 * asynchronous form cost the server's thread more than that in hand-over).
 */
function packRows(rows: StoredRow[]): Buffer {
  const packed = deflateRawSync(Buffer.from(JSON.stringify(rows)), { level: 1 });
  return Buffer.concat([Buffer.of(PACKED), packed]);
}

/** A stored chunk's rows, packed or (stored before packing existed) plain JSON. */
function unpackRows(data: Uint8Array): StoredRow[] {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const json = bytes[0] === PACKED ? inflateRawSync(bytes.subarray(1)) : bytes;
  return JSON.parse(json.toString()) as StoredRow[];
}

/** The rows of a count at positions [offset, offset + limit) (all from offset when limit is null). */
async function countRows(
  exec: SqlExecutor,
  id: string,
  offset: number,
  limit: number | null,
): Promise<StoredRow[]> {
  const chunks = await exec.query<{ first_index: number; data: Uint8Array }>(
    `SELECT first_index, data FROM stock_count_chunks
     WHERE count_id = $1 AND first_index + row_count > $2 AND ($3::int IS NULL OR first_index < $2 + $3)
     ORDER BY chunk`,
    [id, offset, limit],
  );
  const out: StoredRow[] = [];
  for (const c of chunks) {
    const rows = unpackRows(c.data);
    const from = Math.max(0, offset - c.first_index);
    const to = limit === null ? rows.length : Math.min(rows.length, offset + limit - c.first_index);
    for (let k = from; k < to; k++) out.push(rows[k]!);
  }
  return out;
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
  const rows = (await countRows(tx, id, 0, null)).map(
    ([row, sku, warehouse, warehouseId, expected, counted]) => ({
      row,
      sku,
      warehouse,
      warehouseId,
      expected: Number(expected),
      counted: Number(counted),
    }),
  );
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
      `SELECT status, created_at, applied_at, rows_read, error FROM stock_counts WHERE id = $1`,
      [id],
    )
  )[0];
  if (!r) return null;
  // A count being read (or that failed) shows its progress, not its partly stored rows.
  const ready = r['status'] !== 'processing' && r['status'] !== 'failed';
  let total = 0;
  let differences = 0;
  if (ready) {
    const c = (
      await exec.query<{ n: number; d: number }>(
        `SELECT coalesce(sum(row_count), 0)::int AS n, coalesce(sum(differences), 0)::int AS d
         FROM stock_count_chunks WHERE count_id = $1`,
        [id],
      )
    )[0]!;
    total = c.n;
    differences = c.d;
  }
  const rows =
    limit === 0 || !ready
      ? []
      : (await countRows(exec, id, offset, limit)).map(([row, sku, warehouse, , expected, counted]) => ({
          row,
          sku,
          warehouse,
          expected,
          counted,
        }));
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
    differences,
    createdAt: new Date(r['created_at'] as string).toISOString(),
    appliedAt: r['applied_at'] ? new Date(r['applied_at'] as string).toISOString() : null,
    progress: { rowsRead: Number(r['rows_read']), rowsTotal: total },
    ...(status === 'processing' || status === 'failed' ? { error: error ?? null } : {}),
  };
}
