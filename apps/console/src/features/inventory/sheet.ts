/** Count sheets picked in the browser, and the heat map's grid: pure, so they are unit-tested. */

export type SheetFormat = 'csv' | 'xlsx';

/** The format the server should read a picked file as, from its name; null for anything else. */
export function sheetFormatOf(fileName: string): SheetFormat | null {
  const ext = fileName.toLowerCase().split('.').pop();
  return ext === 'csv' ? 'csv' : ext === 'xlsx' ? 'xlsx' : null;
}

/** Bytes to base64 in chunks (a large sheet would overflow the argument list of one call). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

export interface BadRow {
  row: number;
  sku: string | null;
  warehouse: string | null;
  problem: string;
  message: string;
}

/** The bad rows a refused sheet carries in its error details (COUNT_SHEET_INVALID), if any. */
export function badRowsOf(details: unknown): BadRow[] {
  const rows = (details as { badRows?: unknown } | null | undefined)?.badRows;
  return Array.isArray(rows) ? (rows as BadRow[]) : [];
}

export interface HeatmapData {
  warehouses: { code: string; name: string }[];
  categories: (string | null)[];
  cells: { warehouse: string; category: string | null; value: number; skus: number; belowSafety: number }[];
}

/**
 * The heat map as ECharts wants it: categories on x, warehouses on y, `[x, y, value]` triples.
 * Empty cells stay out (blank, not a misleading 0).
 */
export function heatmapGrid(d: HeatmapData, uncategorised: string) {
  const x = d.categories.map((c) => c ?? uncategorised);
  const y = d.warehouses.map((w) => w.code);
  const xi = new Map(d.categories.map((c, i) => [c, i]));
  const yi = new Map(y.map((c, i) => [c, i]));
  const points: [number, number, number][] = [];
  let max = 0;
  for (const c of d.cells) {
    const i = xi.get(c.category);
    const j = yi.get(c.warehouse);
    if (i === undefined || j === undefined) continue;
    points.push([i, j, c.value]);
    max = Math.max(max, c.value);
  }
  return { x, y, points, max };
}

// ---- Why a sheet was refused, in words -----------------------------------------------------

type Lang = 'zh-CN' | 'en-US';

const IMPORT_WORDS: Record<Lang, Record<string, string>> = {
  'zh-CN': {
    maxRows: '表格超过 {max} 行，请拆成几个文件分别导入',
    maxColumns: '第 {row} 行第 {column} 列有内容，最多只读 {max} 列：请删掉多余的列',
    maxCellChars: '第 {row} 行第 {column} 列超过 {max} 个字符',
    maxCellCharsAnywhere: '有一行的内容太长（每格最多 {max} 个字符）',
    maxBytes: '文件超过 {size}，请拆成几个文件分别导入',
    maxUncompressedBytes: 'XLSX 解压后超过 {size}，请另存为 CSV 或拆分后导入',
    tooLarge: '文件太大，请拆成几个文件分别导入',
    IMPORT_FORMAT_INVALID: '无法读取文件：不是有效的 CSV 或 XLSX 表格（可能已损坏或加密）',
    IMPORT_ENCODING_INVALID: '文件编码无法识别：CSV 请另存为“CSV UTF-8”格式后再上传',
    empty: '文件是空的，请选择填好的盘点表',
    COUNT_NOT_READY: '盘点表还在读取中，读完后才能入账',
    COUNT_SHEET_STALE: '预览之后库存有变动，请重新上传盘点表',
    COUNT_ALREADY_APPLIED: '这份盘点已经入账',
    failed: '表格读取失败，请重新上传；仍失败请联系管理员',
  },
  'en-US': {
    maxRows: 'The sheet has more than {max} rows; split it into several files',
    maxColumns:
      'Row {row} has a value in column {column}; at most {max} columns are read: remove the extra columns',
    maxCellChars: 'Row {row}, column {column} holds more than {max} characters',
    maxCellCharsAnywhere: 'A row is too long (at most {max} characters per cell)',
    maxBytes: 'The file is over {size}; split it into several files',
    maxUncompressedBytes: 'The XLSX unpacks to more than {size}; save it as CSV or split it',
    tooLarge: 'The file is too large; split it into several files',
    IMPORT_FORMAT_INVALID: 'The file cannot be read: not a valid CSV or XLSX sheet (damaged or encrypted?)',
    IMPORT_ENCODING_INVALID:
      'The file’s encoding is not recognised: save a CSV as “CSV UTF-8” and upload it again',
    empty: 'The file is empty; choose a filled-in count sheet',
    COUNT_NOT_READY: 'The sheet is still being read; apply it once it is read',
    COUNT_SHEET_STALE: 'Stock moved since the preview; upload the count sheet again',
    COUNT_ALREADY_APPLIED: 'This count is already applied',
    failed: 'The sheet could not be read; upload it again, and ask an administrator if it fails again',
  },
};

/** 6291456 → "6 MB", 65536 → "64 KB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} B`;
}

const fillIn = (s: string, v: Record<string, string | number | undefined>) =>
  s.replace(/\{(\w+)\}/g, (m, k: string) => (v[k] !== undefined ? String(v[k]) : m));

/**
 * A refused or failed count sheet in words, with the limit from the error's `details`
 * (`{ limit, max, row?, column? }`); null for codes the console shows otherwise (bad rows, others).
 */
export function importErrorText(code: string, details: unknown, locale: Lang): string | null {
  const w = IMPORT_WORDS[locale];
  const d = (details ?? {}) as {
    limit?: string;
    max?: number;
    row?: number;
    column?: number;
    empty?: boolean;
  };
  const max = typeof d.max === 'number' ? d.max : undefined;
  if (code === 'IMPORT_ROW_LIMIT' && max !== undefined) return fillIn(w.maxRows!, { max });
  if (code === 'IMPORT_CELL_LIMIT' && max !== undefined) {
    if (d.limit === 'maxColumns')
      return fillIn(w.maxColumns!, { max, row: d.row ?? '?', column: d.column ?? '?' });
    return d.row !== undefined
      ? fillIn(w.maxCellChars!, { max, row: d.row, column: d.column ?? '?' })
      : fillIn(w.maxCellCharsAnywhere!, { max });
  }
  if (code === 'IMPORT_TOO_LARGE') {
    if (max === undefined) return w.tooLarge!;
    return fillIn(d.limit === 'maxUncompressedBytes' ? w.maxUncompressedBytes! : w.maxBytes!, {
      size: formatBytes(max),
    });
  }
  if (code === 'IMPORT_ROW_LIMIT' || code === 'IMPORT_CELL_LIMIT') return w.tooLarge!;
  if (code === 'IMPORT_ENCODING_INVALID' && d.empty === true) return w.empty!;
  if (w[code]) return w[code]!;
  if (code === 'INTERNAL') return w.failed!;
  return null;
}
