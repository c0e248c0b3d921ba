import type { IngestOrderBody } from '@orderhub/contracts';
import { expect } from 'vitest';
import { verifyLedger } from '../src/modules/inventory/index.ts';
import type { Database } from '../src/platform/db.ts';
import { sampleOrder, type TestApp } from './helpers.ts';

/** A channel order for the given lines (SKU codes are master codes). */
export function orderFor(
  lines: { sku: string; quantity: number }[],
  overrides: Partial<IngestOrderBody> = {},
): IngestOrderBody {
  const total = lines.reduce((s, l) => s + l.quantity * 1000, 0);
  return sampleOrder({
    lines: lines.map((l) => ({ channelSku: l.sku, sku: l.sku, quantity: l.quantity, unitPrice: 1000 })),
    discount: 0,
    total,
    ...overrides,
  });
}

export async function setupStock(
  t: TestApp,
  skus: string[],
  warehouses: { code: string; priority?: number }[],
  receipts: { warehouse: string; sku: string; quantity: number }[] = [],
): Promise<void> {
  for (const code of skus) {
    const r = await t.as('admin').post('/api/skus', { code, name: `Goods ${code}`, category: 'test' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  for (const w of warehouses) {
    const r = await t
      .as('admin')
      .post('/api/warehouses', { code: w.code, name: w.code, priority: w.priority ?? 0 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  for (const rc of receipts) {
    const r = await t.as('warehouse').post('/api/inventory/receipts', {
      warehouse: rc.warehouse,
      lines: [{ sku: rc.sku, quantity: rc.quantity }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
}

export async function level(t: TestApp, sku: string, warehouse: string) {
  const r = await t
    .as('auditor')
    .get(`/api/inventory/levels?sku=${encodeURIComponent(sku)}&warehouse=${warehouse}`);
  expect(r.status).toBe(200);
  return r.body.items[0] as {
    onHand: number;
    reserved: number;
    frozen: number;
    inTransit: number;
    available: number;
    sellable: number;
    safetyStock: number;
    belowSafety: boolean;
  };
}

export async function transition(t: TestApp, orderId: string, event: string, reasonCode?: string) {
  const o = await t.as('admin').get(`/api/orders/${orderId}`);
  const r = await t.as('admin').post(`/api/orders/${orderId}/transitions`, {
    event,
    version: o.body.version,
    ...(reasonCode ? { reasonCode } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** The invariants every test ends with: nothing below zero, ledger = counters = documents. */
export async function assertInvariants(database: Database): Promise<void> {
  const negative = await database.query(
    `SELECT * FROM stock_levels WHERE on_hand < 0 OR reserved < 0 OR frozen < 0 OR in_transit < 0 OR on_hand - reserved - frozen < 0`,
  );
  expect(negative).toEqual([]);
  const v = await verifyLedger(database);
  expect(v.differences).toEqual([]);
}
