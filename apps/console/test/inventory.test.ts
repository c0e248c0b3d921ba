import { describe, expect, it } from 'vitest';
import { badRowsOf, heatmapGrid, sheetFormatOf, toBase64 } from '../src/features/inventory/sheet.ts';

describe('count sheets', () => {
  it('reads the format from the file name', () => {
    expect(sheetFormatOf('盘点-2026-01.CSV')).toBe('csv');
    expect(sheetFormatOf('count.xlsx')).toBe('xlsx');
    expect(sheetFormatOf('count.xls')).toBeNull();
    expect(sheetFormatOf('count')).toBeNull();
  });

  it('encodes bytes as base64, also past one chunk', () => {
    const text = 'sku,warehouse,counted\nTEA-SET-01,WH-HZ,48\n';
    expect(toBase64(new TextEncoder().encode(text))).toBe(Buffer.from(text).toString('base64'));
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(toBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it('takes the bad rows out of a refused sheet’s error details', () => {
    const row = { row: 3, sku: 'X', warehouse: 'WH', problem: 'SKU_UNKNOWN', message: 'no SKU X' };
    expect(badRowsOf({ badRows: [row] })).toEqual([row]);
    expect(badRowsOf(undefined)).toEqual([]);
    expect(badRowsOf({ other: 1 })).toEqual([]);
  });
});

describe('inventory heat map grid', () => {
  it('places each cell at (category, warehouse) and leaves empty cells out', () => {
    const g = heatmapGrid(
      {
        warehouses: [
          { code: 'WH-A', name: 'A' },
          { code: 'WH-B', name: 'B' },
        ],
        categories: ['杯子', null],
        cells: [
          { warehouse: 'WH-A', category: '杯子', value: 7, skus: 1, belowSafety: 0 },
          { warehouse: 'WH-B', category: null, value: 12, skus: 2, belowSafety: 1 },
          { warehouse: 'WH-GONE', category: '杯子', value: 99, skus: 1, belowSafety: 0 },
        ],
      },
      '未分类',
    );
    expect(g.x).toEqual(['杯子', '未分类']);
    expect(g.y).toEqual(['WH-A', 'WH-B']);
    expect(g.points).toEqual([
      [0, 0, 7],
      [1, 1, 12],
    ]);
    expect(g.max).toBe(12);
  });
});
