import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SHEET_LIMITS,
  readSheetRowBatches,
  readSheetRows,
  SheetReadError,
  type SheetRow,
} from '../src/platform/sheet-read.ts';

/**
 * The two ways of reading a CSV — row by row on the caller's thread, a batch at a time on the
 * reader's thread — give the same rows and the same refusals.
 */
const limits = { ...DEFAULT_SHEET_LIMITS, maxRows: 5_000, maxColumns: 4, maxCellChars: 50 };

async function rowsOf(text: string) {
  const bytes = Buffer.from(text);
  const one: SheetRow[] = [];
  for await (const r of readSheetRows('csv', bytes, limits)) one.push(r);
  const batched: SheetRow[] = [];
  for await (const b of readSheetRowBatches('csv', bytes, limits, 7)) {
    expect(b.length).toBeLessThanOrEqual(7);
    batched.push(...b);
  }
  expect(batched).toEqual(one);
  return one;
}

async function refusalOf(text: string, within = limits): Promise<SheetReadError> {
  const out: unknown[] = [];
  for (const read of [
    async () => {
      for await (const _ of readSheetRows('csv', Buffer.from(text), within));
    },
    async () => {
      for await (const _ of readSheetRowBatches('csv', Buffer.from(text), within, 7));
    },
  ])
    out.push(
      await read().then(
        () => null,
        (e: unknown) => e,
      ),
    );
  const [a, b] = out as [SheetReadError, SheetReadError];
  expect(a).toBeInstanceOf(SheetReadError);
  expect(b).toBeInstanceOf(SheetReadError);
  expect(b.code).toBe(a.code);
  return a;
}

describe('CSV rows, row by row and in batches', () => {
  it('numbers rows as a spreadsheet does, across slice edges, with quoted line breaks and no final newline', async () => {
    // Over 64 KiB so that the reader's slices split rows and quoted cells.
    const lines = ['sku,warehouse,counted'];
    for (let i = 0; i < 4_000; i++)
      lines.push(i % 500 === 7 ? `"SKU\n${i}", WH-1 ,${i}` : i % 300 === 3 ? '' : `SKU-${i},WH-1,${i},,`);
    const rows = await rowsOf(lines.join('\n'));
    expect(rows[0]).toEqual({ row: 1, cells: ['sku', 'warehouse', 'counted'] });
    const quoted = rows.find((r) => r.cells[0] === 'SKU\n7');
    expect(quoted).toEqual({ row: 9, cells: ['SKU\n7', 'WH-1', '7'] });
    const last = rows.at(-1)!;
    expect(last.cells).toEqual(['SKU-3999', 'WH-1', '3999']);
    // One quoted line break per 500 rows does not change numbering; empty lines count.
    expect(last.row).toBe(4_001);
    expect(rows).toHaveLength(4_001 - 14);
  });

  it('keeps a character outside the BMP whole where a slice of text ends inside it', async () => {
    // 😀 and 𠀀 are two UTF-16 units each. Cells are placed so that one of them straddles every
    // slice edge a reader may use (multiples of 4 Ki units); split there and written to the parser
    // as two strings, each half would become U+FFFD.
    const lines = ['sku,warehouse,counted'];
    let units = lines[0]!.length + 1;
    const wide: string[] = [];
    for (let i = 0; units < 140_000; i++) {
      const edge = Math.ceil((units + 1) / 4096) * 4096;
      // A row whose wide character starts one unit before the next edge, when that fits.
      const pad = edge - 1 - units;
      const code =
        pad >= 0 && pad <= 40 ? `${'P'.repeat(pad)}${i % 2 ? '😀' : '𠀀'}${i}` : `S${i}`.padEnd(30, 'x');
      if (code.length > 50) continue;
      if (/[\ud800-\udfff]/.test(code)) wide.push(code);
      const line = `${code},WH-1,${i}`;
      lines.push(line);
      units += line.length + 1;
    }
    expect(wide.length).toBeGreaterThan(30);
    const rows = await rowsOf(lines.join('\n'));
    const codes = new Set(rows.map((r) => r.cells[0]));
    for (const code of wide) expect(codes.has(code), code).toBe(true);
    expect(rows.some((r) => r.cells.some((c) => c.includes('\ufffd')))).toBe(false);
  });

  it('refuses alike: an unclosed quote, a runaway quoted cell, a long cell, too many rows', async () => {
    expect((await refusalOf('sku,warehouse,counted\n"A,WH,1\n')).code).toBe('IMPORT_FORMAT_INVALID');
    expect((await refusalOf(`sku,warehouse,counted\n"${'x'.repeat(2_000)}`)).code).toBe('IMPORT_CELL_LIMIT');
    const long = await refusalOf(`sku,warehouse,counted\nA,${'W'.repeat(60)},1\n`);
    expect(long.code).toBe('IMPORT_CELL_LIMIT');
    expect(long.details).toMatchObject({ row: 2, column: 2 });
    const many = ['sku,warehouse,counted', ...Array.from({ length: 1_000 }, (_, i) => `S${i},W,1`)];
    const cap = await refusalOf(many.join('\n'), { ...limits, maxRows: 1_000 });
    expect(cap.code).toBe('IMPORT_ROW_LIMIT');
    expect(cap.details).toMatchObject({ row: 1_001 });
  });
});
