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
