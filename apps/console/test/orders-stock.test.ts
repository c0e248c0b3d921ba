import { describe, expect, it } from 'vitest';
import { shortcutFor } from '../src/features/orders/shortcuts.ts';
import { approvePlan, blockedText, refusalText, shortLines } from '../src/features/orders/stock.ts';
import { actorText } from '../src/features/orders/timeline.ts';

const order = (id: string, status: string, holdReason: string | null = null) => ({
  id,
  orderNo: `OH2611300000${id}`,
  externalOrderId: `E-${id}`,
  status,
  holdReason,
});

describe('stock guard in the console', () => {
  it('finds the lines whose stock is not fully reserved', () => {
    const lines = [
      { lineNo: 1, sku: 'CUP-02', quantity: 5 },
      { lineNo: 2, sku: 'TEA-01', quantity: 1 },
      { lineNo: 3, sku: null, quantity: 1 },
    ];
    const res = [
      { sku: 'CUP-02', quantity: 1, consumed: 0, status: 'active' },
      { sku: 'CUP-02', quantity: 4, consumed: 0, status: 'released' },
      { sku: 'TEA-01', quantity: 1, consumed: 0, status: 'active' },
    ];
    expect(shortLines(lines, res)).toEqual([{ lineNo: 1, sku: 'CUP-02', quantity: 5, reserved: 1 }]);
  });

  it('says why approve is blocked in the UI language', () => {
    const lines = [{ lineNo: 1, sku: null, quantity: 1 }];
    const unmapped = { code: 'SKU_UNMAPPED', message: 'SKU_UNMAPPED on line 1 (X)' };
    expect(blockedText(unmapped, { locale: 'zh-CN', lines })).toBe('商品未匹配：第 1 行');
    const stock = { code: 'ORDER_STOCK_NOT_RESERVED', message: 'not reserved' };
    const short = [{ lineNo: 1, sku: 'CUP-02', quantity: 5, reserved: 1 }];
    expect(blockedText(stock, { locale: 'zh-CN', lines: [], short })).toBe('库存未锁全：CUP-02 需 5 已锁 1');
    expect(refusalText('ORDER_STOCK_NOT_RESERVED', { lines: short }, 'x', 'en-US')).toBe(
      'Stock not fully reserved: CUP-02 needs 5, 1 reserved',
    );
  });

  it('says an action the role may not take in words, naming the permission it needs, never its code', () => {
    const forbidden = {
      code: 'FORBIDDEN',
      message: 'your role may not approve (needs orders:review)',
      details: { permission: 'orders:review' },
    };
    expect(blockedText(forbidden, { locale: 'zh-CN', lines: [] })).toBe(
      '您的角色无权操作（需要「审核、挂起、放行订单」权限）',
    );
    expect(blockedText(forbidden, { locale: 'en-US', lines: [] })).toBe(
      'Your role may not do this (needs “Approve, hold and release orders”)',
    );
    // Before the server named the permission: no English in the Chinese UI all the same.
    expect(
      blockedText({ code: 'FORBIDDEN', message: 'your role may not hold' }, { locale: 'zh-CN', lines: [] }),
    ).toBe('您的角色无权操作');
    // A code with a message of its own is said in it; one nobody has words for plainly.
    expect(
      blockedText({ code: 'ORDER_VERSION_CONFLICT', message: 'x' }, { locale: 'zh-CN', lines: [] }),
    ).toBe('订单刚被其他人修改过，请刷新后再试');
    expect(
      blockedText({ code: 'SOMETHING_NEW', message: 'cannot: new rule' }, { locale: 'zh-CN', lines: [] }),
    ).toBe('当前不能执行此操作');
    expect(
      blockedText({ code: 'SOMETHING_NEW', message: 'cannot: new rule' }, { locale: 'en-US', lines: [] }),
    ).toBe('cannot: new rule');
  });

  it('plans a batch approve: held and finished orders are skipped with a reason', () => {
    const plan = approvePlan(
      [
        order('1', 'paid'),
        order('2', 'on_hold', 'OUT_OF_STOCK'),
        order('3', 'shipped'),
        order('4', 'under_review'),
      ],
      'zh-CN',
    );
    expect(plan.approve).toEqual(['1', '4']);
    expect(plan.skip.map((s) => [s.orderNo, s.reason])).toEqual([
      ['OH26113000002', '挂起中（缺货），请先处理挂起'],
      ['OH26113000003', '当前状态不能审核'],
    ]);
  });

  it('keeps keys as shortcuts on a row checkbox but not in a text box', () => {
    expect(shortcutFor({ key: 'a', targetTag: 'INPUT', targetType: 'checkbox' })).toBe('approve');
    expect(shortcutFor({ key: 'a', targetTag: 'INPUT', targetType: 'text' })).toBeNull();
  });

  it('names a token actor without its id', () => {
    const e = {
      id: 't',
      at: '2026-11-30T00:00:00Z',
      event: 'created',
      fromStatus: null,
      toStatus: 'paid',
      actorType: 'token',
      actorId: 'u1',
      actorName: 'admin-user (token tok_01abc)',
      ip: null,
      source: 'api',
      reasonCode: null,
      note: null,
      details: null,
    };
    expect(actorText(e, 'zh-CN')).toBe('admin-user（接口令牌）');
  });
});
