import type { OrderDetailView } from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';
import { classifyLookup } from '../src/features/lookup/classify.ts';
import { orderAnomalies, statusFlow } from '../src/features/orders/anomalies.ts';
import { runBatch } from '../src/features/orders/batch.ts';
import { shortcutFor } from '../src/features/orders/shortcuts.ts';
import { listAnomaly } from '../src/shared/sla.ts';
import { safeNext } from '../src/shell/login-redirect.ts';

const entry = (
  at: string,
  event: string,
  fromStatus: string | null,
  toStatus: string | null,
  details: unknown = null,
) => ({
  id: `tl_${at}`,
  at,
  event,
  fromStatus,
  toStatus,
  actorType: 'user',
  actorId: null,
  actorName: 'x',
  ip: null,
  source: 'console',
  reasonCode: null,
  note: null,
  details,
});

function detail(over: Partial<OrderDetailView>): OrderDetailView {
  return {
    status: 'paid',
    holdReason: null,
    createdAt: '2026-01-09T00:00:00Z',
    lines: [],
    timeline: [],
    nextEvents: [],
    ...over,
  } as unknown as OrderDetailView;
}

describe('anomalies', () => {
  it('flags unmapped lines, failed payment callbacks, holds and orders past their SLA', () => {
    const o = detail({
      status: 'on_hold',
      holdReason: 'SKU_UNMAPPED',
      lines: [
        { lineNo: 1, sku: 'A' },
        { lineNo: 2, sku: null },
      ] as OrderDetailView['lines'],
      timeline: [
        entry('2026-01-09T00:00:00Z', 'created', null, 'paid'),
        entry('2026-01-09T00:01:00Z', 'payment_callback', 'paid', 'paid', {
          error: { code: 'SIGNATURE_INVALID' },
        }),
        entry('2026-01-09T00:02:00Z', 'hold', 'paid', 'on_hold'),
      ],
    });
    const codes = orderAnomalies(o, new Date('2026-01-13T00:00:00Z')).map((a) => [a.code, a.detail]);
    expect(codes).toEqual([
      ['SKU_UNMAPPED', '2'],
      ['PAYMENT_CALLBACK_FAILED', undefined],
      ['ON_HOLD', 'SKU_UNMAPPED'],
      ['STUCK', undefined],
    ]);
    expect(orderAnomalies(o, new Date('2026-01-09T01:00:00Z')).map((a) => a.code)).not.toContain('STUCK');
  });
  it('shows the customer only status changes', () => {
    const flow = statusFlow([
      entry('1', 'created', null, 'paid'),
      entry('2', 'updated', 'paid', 'paid'),
      entry('3', 'approve', 'paid', 'approved'),
    ]);
    expect(flow.map((e) => e.event)).toEqual(['created', 'approve']);
  });
  it('gives a list row its one anomaly', () => {
    const now = new Date('2026-01-09T03:00:00Z');
    expect(
      listAnomaly({ status: 'on_hold', holdReason: 'OUT_OF_STOCK', updatedAt: '2026-01-09T02:00:00Z' }, now),
    ).toEqual({
      code: 'ON_HOLD',
      detail: 'OUT_OF_STOCK',
    });
    expect(
      listAnomaly({ status: 'approved', holdReason: null, updatedAt: '2026-01-09T00:00:00Z' }, now)?.code,
    ).toBe('STUCK');
    expect(
      listAnomaly({ status: 'delivered', holdReason: null, updatedAt: '2025-01-01T00:00:00Z' }, now),
    ).toBeNull();
  });
});

describe('batch actions', () => {
  it('reports which orders failed and why, in selection order', async () => {
    const items = ['a', 'b', 'c', 'd'].map((id) => ({ id, label: id.toUpperCase() }));
    const progress: number[] = [];
    const res = await runBatch(
      items,
      async (it) => {
        await new Promise((r) => setTimeout(r, it.id === 'a' ? 20 : 1));
        if (it.id === 'b' || it.id === 'd')
          throw Object.assign(new Error('x'), {
            code: 'ORDER_GUARD_FAILED',
            detail: `cannot approve ${it.id}`,
          });
      },
      { concurrency: 2, onProgress: (d) => progress.push(d) },
    );
    expect(res.succeeded).toEqual(['a', 'c']);
    expect(res.failed).toEqual([
      { id: 'b', label: 'B', code: 'ORDER_GUARD_FAILED', message: 'cannot approve b' },
      { id: 'd', label: 'D', code: 'ORDER_GUARD_FAILED', message: 'cannot approve d' },
    ]);
    expect(progress).toEqual([1, 2, 3, 4]);
  });
});

describe('small decisions', () => {
  it('keyboard shortcuts never fire while typing', () => {
    expect(shortcutFor({ key: 'a' })).toBe('approve');
    expect(shortcutFor({ key: 'a', targetTag: 'input' })).toBeNull();
    expect(shortcutFor({ key: 'a', ctrlKey: true })).toBeNull();
    expect(shortcutFor({ key: '/', editable: true })).toBeNull();
    expect(shortcutFor({ key: 'z' })).toBeNull();
  });
  it('tells a phone number from an order number', () => {
    expect(classifyLookup('138-1234-5678')).toEqual({ kind: 'phone', value: '138-1234-5678' });
    expect(classifyLookup('+86 138 1234 5678')?.kind).toBe('phone');
    expect(classifyLookup('WEB-20260109-0001')?.kind).toBe('orderNo');
    expect(classifyLookup('ord_01m845as6vyxnebvbajprxkjn3')?.kind).toBe('orderNo');
    expect(classifyLookup('   ')).toBeNull();
  });
  it('returns after log-in only to paths inside the console', () => {
    expect(safeNext('/orders?status=paid')).toBe('/orders?status=paid');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
    expect(safeNext('/login?next=/x')).toBe('/');
  });
});
