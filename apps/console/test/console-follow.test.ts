import { PERMISSIONS } from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';
import { importErrorText } from '../src/features/inventory/sheet.ts';
import { shortFromEvents } from '../src/features/orders/stock.ts';
import { PERMISSION_LABELS, permissionsLost } from '../src/features/users/labels.ts';
import { shortLinesOf, shortText } from '../src/shared/stock.ts';

describe('count sheet refusals in words', () => {
  it('names the limit from the details, in both languages', () => {
    expect(importErrorText('IMPORT_ROW_LIMIT', { limit: 'maxRows', max: 100000 }, 'zh-CN')).toBe(
      '表格超过 100000 行，请拆成几个文件分别导入',
    );
    expect(
      importErrorText('IMPORT_CELL_LIMIT', { limit: 'maxColumns', max: 64, row: 3, column: 70 }, 'en-US'),
    ).toContain('Row 3 has a value in column 70; at most 64 columns');
    expect(importErrorText('IMPORT_TOO_LARGE', { limit: 'maxBytes', max: 6 * 1024 * 1024 }, 'zh-CN')).toBe(
      '文件超过 6 MB，请拆成几个文件分别导入',
    );
    expect(importErrorText('IMPORT_ENCODING_INVALID', undefined, 'zh-CN')).toContain('CSV UTF-8');
    expect(importErrorText('IMPORT_ENCODING_INVALID', { empty: true }, 'zh-CN')).toBe(
      '文件是空的，请选择填好的盘点表',
    );
    expect(importErrorText('IMPORT_ENCODING_INVALID', { empty: true }, 'en-US')).toBe(
      'The file is empty; choose a filled-in count sheet',
    );
    expect(importErrorText('COUNT_NOT_READY', { status: 'processing' }, 'en-US')).toContain(
      'still being read',
    );
    expect(importErrorText('COUNT_SHEET_INVALID', { badRows: [] }, 'zh-CN')).toBeNull();
  });
});

describe('short lines', () => {
  const lines = [{ lineNo: 1, sku: 'CUP-02', quantity: 5, reserved: 1 }];
  it('reads the lines from details and says them', () => {
    expect(shortLinesOf({ lines })).toEqual(lines);
    expect(shortLinesOf({})).toBeNull();
    expect(shortText(lines, 'zh-CN', 'stillShort')).toBe('库存仍不足：CUP-02 需 5 已锁 1');
    expect(shortText(lines, 'en-US')).toBe('Stock not fully reserved: CUP-02 needs 5, 1 reserved');
  });
  it('prefers the server’s blocked details', () => {
    expect(
      shortFromEvents([
        { blockedBy: null },
        { blockedBy: { code: 'ORDER_STOCK_NOT_RESERVED', details: { lines } } },
      ]),
    ).toEqual(lines);
    expect(shortFromEvents([{ blockedBy: { code: 'ORDER_STOCK_NOT_RESERVED' } }])).toBeNull();
  });
});

describe('permissions in words', () => {
  it('has words for every permission and sees a reduction', () => {
    for (const p of PERMISSIONS) expect(PERMISSION_LABELS[p]?.zh, p).toBeTruthy();
    expect(permissionsLost('operations', 'finance')).toContain('orders:ingest');
    // Finance moving to operations keeps its order rights and gives up refunds and payment accounts.
    expect(permissionsLost('finance', 'operations')).toEqual(expect.arrayContaining(['payments:refund']));
    expect(permissionsLost('finance', 'operations')).not.toContain('orders:read');
  });
});
