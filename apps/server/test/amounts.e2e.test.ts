import { ROLE_PERMISSIONS, ROLES } from '@orderhub/contracts';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from './helpers.ts';

const MONEY = ['goodsAmount', 'shippingFee', 'discount', 'tax', 'total'] as const;
const LINE_MONEY = ['unitPrice', 'discount', 'amount'] as const;

let t: TestApp;
let orderId: string;

describe('order amounts follow orders:amounts', () => {
  beforeAll(async () => {
    t = await startTestApp();
    const res = await t
      .as('admin')
      .post('/api/orders', sampleOrder({ externalOrderId: 'AMT-1', tags: ['发票'] }));
    expect(res.status).toBe(201);
    orderId = res.body.order.id;
  });
  afterAll(async () => t?.close());

  it('is held by every role except warehouse', () => {
    for (const role of ROLES) {
      expect(ROLE_PERMISSIONS[role].includes('orders:amounts'), role).toBe(role !== 'warehouse');
    }
  });

  it('gives the warehouse null money in the list and the detail', async () => {
    const list = await t.as('warehouse').get('/api/orders?orderNo=AMT-1');
    expect(list.status).toBe(200);
    const item = list.body.items[0];
    for (const f of MONEY) expect(item[f], f).toBeNull();
    expect(item.currency).toBe('CNY');
    expect(item.tags).toEqual(['发票']);

    const detail = await t.as('warehouse').get(`/api/orders/${orderId}`);
    expect(detail.status).toBe(200);
    for (const f of MONEY) expect(detail.body[f], f).toBeNull();
    expect(detail.body.lines).toHaveLength(2);
    for (const line of detail.body.lines) {
      for (const f of LINE_MONEY) expect(line[f], f).toBeNull();
      expect(line.quantity).toBeGreaterThan(0);
    }
    // Revealing personal data does not reveal money.
    const revealed = await t.as('warehouse').get(`/api/orders/${orderId}?reveal=true`);
    expect(revealed.status).toBe(200);
    expect(revealed.body.total).toBeNull();
  });

  it('gives operations (and finance) the numbers', async () => {
    for (const role of ['operations', 'finance'] as const) {
      const list = await t.as(role).get('/api/orders?orderNo=AMT-1');
      expect(list.body.items[0].total, role).toBe(8000);
      expect(list.body.items[0].goodsAmount, role).toBe(10000);
      expect(list.body.items[0].discount, role).toBe(2000);
      const detail = await t.as(role).get(`/api/orders/${orderId}`);
      expect(detail.body.total).toBe(8000);
      expect(detail.body.lines[0].unitPrice).toBe(8000);
      const line = detail.body.lines[1];
      expect(line.amount).toBe(line.quantity * line.unitPrice - line.discount);
    }
  });

  it('exports without money columns for the warehouse, with them for operations', async () => {
    const csv = (body: unknown) =>
      String(body)
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\n');
    const wh = csv((await t.as('warehouse').get('/api/exports/orders?orderNo=AMT-1&lang=en-US')).body);
    expect(wh[0]).not.toMatch(/Goods|Shipping|Discount|Total/);
    expect(wh[0]).toMatch(/^Order no\.,Channel order id,Channel,Shop,Status,Hold reason,Currency,Placed/);
    expect(wh[1]).not.toContain('80.00');
    expect(wh[0]!.split(',').length).toBe(wh[1]!.split(',').length);

    const ops = csv((await t.as('operations').get('/api/exports/orders?orderNo=AMT-1&lang=en-US')).body);
    expect(ops[0]).toContain('Goods,Shipping,Discount,Total');
    expect(ops[1]).toContain('80.00');

    const res = await t.app.http.inject({
      method: 'GET',
      url: '/api/exports/orders?format=xlsx&orderNo=AMT-1',
      headers: { authorization: `Bearer ${t.tokens.warehouse}` },
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const header = (book.worksheets[0]!.getRow(1).values as unknown[]).filter(Boolean);
    expect(header).not.toContain('实付金额');
    expect(header).toContain('币种');
  });
});
