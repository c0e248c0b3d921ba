import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minorToDecimal } from '../src/modules/exports/index.ts';
import { sampleOrder, startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;

describe('order export', () => {
  beforeAll(async () => {
    t = await startTestApp();
    const orders = Array.from({ length: 230 }, (_, i) =>
      sampleOrder({
        externalOrderId: `EXP-${String(i).padStart(3, '0')}`,
        placedAt: new Date(Date.UTC(2026, 0, 9, 0, 0, 5) + i * 1000).toISOString(),
        paidAt: undefined,
        tags: i % 2 ? ['发票'] : [],
      }),
    );
    const res = await t.as('admin').post('/api/orders:batch', { orders });
    expect(res.body.created, JSON.stringify(res.body).slice(0, 300)).toBe(230);
  });
  afterAll(async () => t?.close());

  it('converts minor units by integer arithmetic', () => {
    expect(minorToDecimal(8000)).toBe('80.00');
    expect(minorToDecimal(5)).toBe('0.05');
    expect(minorToDecimal(-1234)).toBe('-12.34');
  });

  it('streams every order of the filter as CSV (past one page), masked, and audits it', async () => {
    const res = await t.as('customer_service').get('/api/exports/orders?tag=发票&tz=Asia/Shanghai');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="orders-.*\.csv"/);
    const lines = String(res.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^order_id,order_no,external_order_id,channel/);
    expect(lines).toHaveLength(1 + 115);
    const first = lines.find((l) => l.includes('EXP-001'))!;
    expect(first).toContain('80.00');
    expect(first).toContain('2026-01-09 08:00:06'); // local time in Asia/Shanghai
    expect(first).toContain('138****5678');
    expect(first).not.toContain('13812345678');
    const audit = await t.as('admin').get('/api/audit?action=order.export');
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].summary.filter.tag).toEqual(['发票']);
  });

  it('writes XLSX', async () => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: '/api/exports/orders?format=xlsx&orderNo=EXP-007',
      headers: { authorization: `Bearer ${t.tokens.admin}` },
    });
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('orders')!;
    expect(sheet.rowCount).toBe(2);
    expect(sheet.getRow(2).getCell(2).value).toMatch(/^OH\d{11}$/);
    expect(sheet.getRow(2).getCell(3).value).toBe('EXP-007');
  });

  it('refuses a bad filter before the first byte', async () => {
    const res = await t.as('admin').get('/api/exports/orders?phone=138****5678');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PHONE_INVALID');
  });
});
