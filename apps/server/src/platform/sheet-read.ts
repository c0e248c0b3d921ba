import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createInflateRaw } from 'node:zlib';
import { type Options as CsvOptions, parse as csvParse } from 'csv-parse';
import type ExcelJS from 'exceljs';

/**
 * The sheet reader's core (see sheet.ts): CSV and XLSX row by row, bounded, in time linear in the
 * file's size. It depends on nothing of the server's, so that the reader's own thread loads it
 * quickly; its refusals are `SheetReadError`s, which sheet.ts turns into domain errors.
 */

export interface SheetLimits {
  /** Decoded upload size. */
  maxBytes: number;
  /** XLSX: everything inside the zip, uncompressed (zip bombs). */
  maxUncompressedBytes: number;
  /** Non-empty rows, header included. */
  maxRows: number;
  /** Columns per row: a non-empty cell beyond this column is refused. */
  maxColumns: number;
  /** Characters per cell. */
  maxCellChars: number;
}

export const DEFAULT_SHEET_LIMITS: SheetLimits = {
  maxBytes: 6 * 1024 * 1024,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxRows: 100_000,
  maxColumns: 64,
  maxCellChars: 1_000,
};

export const SETTING: Record<keyof SheetLimits, string> = {
  maxBytes: 'ORDERHUB_IMPORT_MAX_BYTES',
  maxUncompressedBytes: 'ORDERHUB_IMPORT_MAX_UNCOMPRESSED_BYTES',
  maxRows: 'ORDERHUB_IMPORT_MAX_ROWS',
  maxColumns: 'ORDERHUB_IMPORT_MAX_COLUMNS',
  maxCellChars: 'ORDERHUB_IMPORT_MAX_CELL_CHARS',
};

export type SheetReadCode =
  | 'IMPORT_TOO_LARGE'
  | 'IMPORT_ROW_LIMIT'
  | 'IMPORT_CELL_LIMIT'
  | 'IMPORT_FORMAT_INVALID'
  | 'IMPORT_ENCODING_INVALID';

/** A refusal of the reader: a code of the contracts, a message and details for the answer. */
export class SheetReadError extends Error {
  constructor(
    readonly code: SheetReadCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'SheetReadError';
  }
}

export function overLimit(
  code: 'IMPORT_TOO_LARGE' | 'IMPORT_ROW_LIMIT' | 'IMPORT_CELL_LIMIT',
  limit: keyof SheetLimits,
  max: number,
  message: string,
  extra: Record<string, unknown> = {},
): SheetReadError {
  return new SheetReadError(code, message, { limit, max, setting: SETTING[limit], ...extra });
}

const invalid = (message: string) => new SheetReadError('IMPORT_FORMAT_INVALID', message);

export interface SheetRow {
  /**
   * Row number in the sheet as a spreadsheet shows it (1 = the first row; empty rows count). In a
   * CSV a quoted cell may span several lines of text and is still one row.
   */
  row: number;
  /** Trimmed text of each cell, '' for empty; index 0 is column A. */
  cells: string[];
}

/** Longest stretch of synchronous work between two turns of the event loop. */
const SLICE_MS = 4;

/**
 * The reader itself, row by row, on the caller's thread (the reader's own thread reads with
 * `readSheetRowBatches`): the row cap, empty rows skipped, a turn for the event loop every few
 * milliseconds.
 */
export async function* readSheetRows(
  format: 'csv' | 'xlsx',
  bytes: Buffer,
  limits: SheetLimits,
): AsyncGenerator<SheetRow> {
  checkSize(bytes, limits);
  const source = format === 'csv' ? csvRows(bytes, limits) : xlsxRows(bytes, limits);
  const keep = rowGate(limits);
  let rows = 0;
  let slice = performance.now();
  for await (const r of source) {
    if (!keep(r)) continue;
    yield r;
    if ((++rows & 31) === 0 && performance.now() - slice > SLICE_MS) {
      await yieldToLoop();
      slice = performance.now();
    }
  }
}

/**
 * The same rows as `readSheetRows`, a batch at a time: the reader's own thread's way, with no
 * turn of an iterator per row (a CSV's rows come from the parser a slice of text at a time).
 */
export async function* readSheetRowBatches(
  format: 'csv' | 'xlsx',
  bytes: Buffer,
  limits: SheetLimits,
  batchRows: number,
): AsyncGenerator<SheetRow[]> {
  let batch: SheetRow[] = [];
  if (format === 'xlsx') {
    for await (const r of readSheetRows(format, bytes, limits)) {
      batch.push(r);
      if (batch.length >= batchRows) {
        yield batch;
        batch = [];
      }
    }
  } else {
    checkSize(bytes, limits);
    const keep = rowGate(limits);
    let first = true;
    for await (const rows of csvSlices(bytes, limits, CSV_THREAD_SLICE_CHARS)) {
      for (const r of rows) {
        if (!keep(r)) continue;
        batch.push(r);
        if (batch.length >= batchRows) {
          yield batch;
          batch = [];
        }
      }
      // The first slice's rows go at once: the consumer starts on them while the next are parsed.
      if (first && batch.length) {
        yield batch;
        batch = [];
      }
      first = false;
    }
  }
  if (batch.length) yield batch;
}

function checkSize(bytes: Buffer, limits: SheetLimits): void {
  if (bytes.length > limits.maxBytes)
    throw overLimit(
      'IMPORT_TOO_LARGE',
      'maxBytes',
      limits.maxBytes,
      `the file is over ${limits.maxBytes} bytes`,
    );
}

/** Skips empty rows and refuses the row past `maxRows`: whether to keep `r`. */
function rowGate(limits: SheetLimits): (r: SheetRow) => boolean {
  let rows = 0;
  return (r) => {
    if (r.cells.every((c) => c === '')) return false;
    if (++rows > limits.maxRows)
      throw overLimit(
        'IMPORT_ROW_LIMIT',
        'maxRows',
        limits.maxRows,
        `the sheet has more than ${limits.maxRows} rows`,
        { row: r.row },
      );
    return true;
  };
}

function checkCell(text: string, row: number, col: number, limits: SheetLimits): void {
  if (col > limits.maxColumns)
    throw overLimit(
      'IMPORT_CELL_LIMIT',
      'maxColumns',
      limits.maxColumns,
      `row ${row} has a value in column ${col}; at most ${limits.maxColumns} columns are read`,
      { row, column: col },
    );
  if (text.length > limits.maxCellChars)
    throw overLimit(
      'IMPORT_CELL_LIMIT',
      'maxCellChars',
      limits.maxCellChars,
      `row ${row} column ${col} holds more than ${limits.maxCellChars} characters`,
      { row, column: col },
    );
}

/** Characters handed to the CSV parser at a time (about 400 rows of a count sheet). */
const CSV_SLICE_CHARS = 8 * 1024;
/** The same on the reader's own thread, where no one else waits for a slice's parse. */
const CSV_THREAD_SLICE_CHARS = 64 * 1024;
/** The first slice of a read (about 150 rows of a count sheet); the next ones double. */
const FIRST_SLICE_CHARS = 4 * 1024;

async function* csvRows(bytes: Buffer, limits: SheetLimits): AsyncGenerator<SheetRow> {
  // Small slices so that parsing interleaves with the consumer instead of running in one go:
  // csv-parse turns a whole slice into records at once (a 64 KiB slice, ~2,500 rows, took over
  // 100 ms on a loaded machine).
  for await (const rows of csvSlices(bytes, limits, CSV_SLICE_CHARS)) yield* rows;
}

/**
 * The CSV's rows, a slice of text at a time: csv-parse is written to directly and hands each
 * slice's records over at once (its stream read through an async iterator cost a quarter more, a
 * turn of the iterator per record).
 */
async function* csvSlices(
  bytes: Buffer,
  limits: SheetLimits,
  sliceChars: number,
): AsyncGenerator<SheetRow[]> {
  const text = csvText(bytes);
  const parser = csvParse(csvOptions(limits));
  let records: string[][] = [];
  let row = 0;
  parser.on('data', (cells: string[]) => records.push(cells));
  // Seen through `errored` and `finished` below.
  parser.on('error', () => undefined);
  const take = () => {
    const out = new Array<SheetRow>(records.length);
    for (let i = 0; i < records.length; i++) out[i] = csvRecord(records[i]!, ++row, limits);
    records = [];
    return out;
  };
  try {
    // The first slices are smaller, so that the first rows reach the consumer soon after the
    // read begins (a whole 64 Ki-unit slice took the reader's thread 12–60 ms before any row
    // went out, while the consumer waited), then double up to `sliceChars`.
    let size = Math.min(sliceChars, FIRST_SLICE_CHARS);
    for (let i = 0; i < text.length; ) {
      let end = Math.min(text.length, i + size);
      // A slice never ends between the two halves of a character outside the BMP: each string
      // written to the parser is encoded on its own, and a lone half would become U+FFFD.
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      parser.write(text.slice(i, end));
      if (parser.errored) throw parser.errored;
      i = end;
      size = Math.min(sliceChars, size * 2);
      yield take();
    }
    parser.end();
    await finished(parser);
    yield take();
  } catch (e) {
    throw csvError(e, limits);
  } finally {
    parser.destroy();
  }
}

/** The upload as text: UTF-8 without NUL, or a refusal. */
function csvText(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new SheetReadError('IMPORT_ENCODING_INVALID', 'the CSV is not UTF-8 text; save it as "CSV UTF-8"');
  }
  if (text.includes('\u0000'))
    throw new SheetReadError('IMPORT_ENCODING_INVALID', 'the CSV holds a NUL character');
  return text;
}

function csvOptions(limits: SheetLimits): CsvOptions {
  return {
    relax_column_count: true,
    skip_empty_lines: false,
    trim: true,
    // No `info`: it builds an object of eleven fields per record (twice the parse's own time for a
    // count sheet). The row number is counted here instead: with empty lines kept, every line break
    // outside quotes ends one record, so a record's row is its position, as a spreadsheet numbers it.
    // A runaway quoted field stops here instead of growing without bound.
    max_record_size: limits.maxColumns * (limits.maxCellChars + 3) + 1024,
  };
}

/** A parsed record as a row: trailing empty cells dropped, every cell within the limits. */
function csvRecord(cells: string[], row: number, limits: SheetLimits): SheetRow {
  let last = cells.length;
  while (last > 0 && cells[last - 1] === '') last--;
  for (let c = 0; c < last; c++) checkCell(cells[c]!, row, c + 1, limits);
  return { row, cells: last === cells.length ? cells : cells.slice(0, last) };
}

function csvError(e: unknown, limits: SheetLimits): SheetReadError {
  if (e instanceof SheetReadError) return e;
  const err = e as Error & { code?: string; lines?: number };
  if (err.code === 'CSV_MAX_RECORD_SIZE')
    return overLimit(
      'IMPORT_CELL_LIMIT',
      'maxCellChars',
      limits.maxCellChars,
      `a row near line ${err.lines ?? '?'} is longer than ${limits.maxColumns} cells of ${limits.maxCellChars} characters`,
    );
  return invalid(`the CSV cannot be read: ${err.message}`);
}

// ---- XLSX -------------------------------------------------------------------------------------

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

/**
 * Checks the zip before exceljs unpacks it: entries listed in the central directory, laid out one
 * after the other (so the streaming unzip sees exactly these), stored or deflated, and their real
 * inflated size (counted, not trusted from the headers) within the limit.
 */
async function checkZip(bytes: Buffer, limits: SheetLimits): Promise<ZipEntry[]> {
  if (bytes.length < 22 || bytes.readUInt32LE(0) !== 0x04034b50)
    throw invalid('the file is not an XLSX workbook (not a zip archive)');
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--)
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw invalid('the XLSX is damaged (no zip directory)');
  const count = bytes.readUInt16LE(eocd + 10);
  const dirSize = bytes.readUInt32LE(eocd + 12);
  const dirOffset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirOffset === 0xffffffff || dirOffset + dirSize > eocd)
    throw invalid('the XLSX is damaged or uses zip64');
  if (count > 10_000) throw invalid('the XLSX holds too many parts');
  const entries: ZipEntry[] = [];
  let p = dirOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || bytes.readUInt32LE(p) !== 0x02014b50) throw invalid('the XLSX directory is damaged');
    const nameLen = bytes.readUInt16LE(p + 28);
    const entry: ZipEntry = {
      flags: bytes.readUInt16LE(p + 8),
      method: bytes.readUInt16LE(p + 10),
      compressedSize: bytes.readUInt32LE(p + 20),
      uncompressedSize: bytes.readUInt32LE(p + 24),
      localOffset: bytes.readUInt32LE(p + 42),
      name: bytes.toString('utf8', p + 46, p + 46 + nameLen),
    };
    if (entry.method !== 0 && entry.method !== 8)
      throw invalid(`the XLSX part ${entry.name} uses an unknown compression`);
    if (entry.flags & 1) throw invalid('the XLSX is encrypted');
    entries.push(entry);
    p += 46 + nameLen + bytes.readUInt16LE(p + 30) + bytes.readUInt16LE(p + 32);
  }
  // Contiguous layout: each local entry starts where the previous one (and its descriptor) ended.
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  let at = 0;
  let total = 0;
  for (const e of sorted) {
    if (e.localOffset !== at || at + 30 > dirOffset || bytes.readUInt32LE(at) !== 0x04034b50)
      throw invalid('the XLSX is damaged (its parts do not follow one another)');
    const dataStart = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
    let end = dataStart + e.compressedSize;
    if (end > dirOffset) throw invalid('the XLSX is damaged (a part runs past the end)');
    if (e.flags & 8) end += end + 4 <= dirOffset && bytes.readUInt32LE(end) === 0x08074b50 ? 16 : 12;
    total += await inflatedSize(
      bytes.subarray(dataStart, dataStart + e.compressedSize),
      e.method,
      limits,
      total,
    );
    at = end;
  }
  if (at !== dirOffset) throw invalid('the XLSX is damaged (data outside its parts)');
  return entries;
}

async function inflatedSize(
  data: Buffer,
  method: number,
  limits: SheetLimits,
  before: number,
): Promise<number> {
  const tooBig = () =>
    overLimit(
      'IMPORT_TOO_LARGE',
      'maxUncompressedBytes',
      limits.maxUncompressedBytes,
      `the XLSX unpacks to more than ${limits.maxUncompressedBytes} bytes`,
    );
  if (method === 0) {
    if (before + data.length > limits.maxUncompressedBytes) throw tooBig();
    return data.length;
  }
  let size = 0;
  const inflate = createInflateRaw();
  const done = new Promise<number>((resolve, reject) => {
    inflate.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (before + size > limits.maxUncompressedBytes) {
        inflate.destroy();
        reject(tooBig());
      }
    });
    inflate.on('end', () => resolve(size));
    inflate.on('error', () => reject(invalid('the XLSX is damaged (a part cannot be unpacked)')));
  });
  inflate.end(data);
  return done;
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return String(cell.text ?? '').trim();
}

async function* xlsxRows(bytes: Buffer, limits: SheetLimits): AsyncGenerator<SheetRow> {
  const entries = await checkZip(bytes, limits);
  // Loaded on the first XLSX only: a CSV never waits for exceljs (hundreds of ms to load).
  const { default: ExcelJS } = await import('exceljs');
  if (!entries.some((e) => /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name)))
    throw invalid('the file is not an XLSX workbook (no worksheet)');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const ws of reader) {
      for await (const row of ws as unknown as AsyncIterable<ExcelJS.Row>) {
        const cells: string[] = [];
        row.eachCell((cell, col) => {
          const text = cellText(cell);
          if (text === '') return;
          checkCell(text, row.number, col, limits);
          while (cells.length < col - 1) cells.push('');
          cells[col - 1] = text;
        });
        yield { row: row.number, cells };
      }
      return; // the first worksheet only
    }
  } catch (e) {
    if (e instanceof SheetReadError) throw e;
    throw invalid(`the XLSX cannot be read: ${(e as Error).message}`);
  }
}
