import type { TimelineEntryView } from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';
import {
  actorText,
  changedFieldsText,
  shortageText,
  timelineSentence,
} from '../src/features/orders/timeline.ts';

const entry = (over: Partial<TimelineEntryView>): TimelineEntryView => ({
  id: 'tl_1',
  at: '2026-11-30T02:00:00Z',
  event: 'created',
  fromStatus: null,
  toStatus: 'paid',
  actorType: 'user',
  actorId: null,
  actorName: '王五',
  ip: null,
  source: 'api',
  reasonCode: null,
  note: null,
  details: null,
  ...over,
});
const zh = { locale: 'zh-CN' as const, orderNo: 'OH26113000001' };
const en = { locale: 'en-US' as const, orderNo: 'OH26113000001' };

describe('timeline sentences', () => {
  it('says which staff edits a channel update kept and which it replaced, in words', () => {
    const kept = entry({
      event: 'updated',
      fromStatus: 'paid',
      details: { changed: ['buyerRemark'], staffEditsKept: ['receiver', 'lines'] },
    });
    expect(timelineSentence(kept, zh)).toContain('保留后台修改的收货信息、商品行（渠道未改动）');
    expect(timelineSentence(kept, en)).toContain(
      'the receiver and lines edited in orderhub kept (unchanged on the channel)',
    );
    const replaced = entry({
      event: 'updated',
      fromStatus: 'paid',
      details: { changed: ['receiverDistrict'], staffEditsReplaced: ['receiver'] },
    });
    const zhText = timelineSentence(replaced, zh);
    expect(zhText).toContain('收货信息在后台和渠道都有修改：已采用渠道版本，请核对');
    expect(zhText).not.toMatch(/receiver|staffEdits/);
    expect(timelineSentence(replaced, en)).toContain('receiver changed both in orderhub and on the channel');
  });

  it('says what was created, with lines and the amount from minor units', () => {
    const e = entry({ details: { externalOrderId: 'E-1', total: 4900, currency: 'CNY', lines: 3 } });
    expect(timelineSentence(e, zh)).toBe('创建订单 OH26113000001 · 3 行 · 金额 ¥49.00');
    expect(timelineSentence(e, en)).toBe('Order OH26113000001 created · 3 lines · amount CN¥49.00');
  });

  it('leaves the amount out when the server withholds it or the reader may not see it', () => {
    const withheld = entry({ details: { lines: 1, currency: 'CNY' } });
    expect(timelineSentence(withheld, zh)).toBe('创建订单 OH26113000001 · 1 行');
    const e = entry({ details: { total: 4900, currency: 'CNY', lines: 1 } });
    expect(timelineSentence(e, { ...zh, showAmounts: false })).toBe('创建订单 OH26113000001 · 1 行');
    const nullTotal = entry({ details: { total: null, currency: 'CNY', lines: 2 } });
    expect(timelineSentence(nullTotal, zh)).not.toContain('金额');
  });

  it('prefers the order number the entry carries', () => {
    const e = entry({ details: { orderNo: 'OH26120100007', lines: 1 } });
    expect(timelineSentence(e, zh)).toBe('创建订单 OH26120100007 · 1 行');
  });

  it('names the changed fields of a channel update in the UI language, once each', () => {
    const e = entry({
      event: 'updated',
      fromStatus: 'paid',
      details: {
        sourceVersion: ['2026-11-30T01:00:00.000Z', '2026-11-30T02:00:00.000Z'],
        changed: ['receiverCity', 'receiverDistrict', 'total', 'receiverDetailEnc'],
      },
    });
    expect(timelineSentence(e, zh)).toBe('渠道更新：收货地址、金额');
    expect(timelineSentence(e, en)).toBe('Updated from channel: address, amount');
    expect(changedFieldsText(['somethingNew'], 'zh-CN')).toBe('其他信息');
  });

  it('says a hold for missing stock with what is short', () => {
    const e = entry({
      event: 'hold',
      fromStatus: 'paid',
      toStatus: 'on_hold',
      reasonCode: 'OUT_OF_STOCK',
      actorType: 'system',
      actorName: 'inventory',
      source: 'system',
      note: 'short: CUP-02 1/5',
      details: { short: [{ sku: 'CUP-02', requested: 5, reserved: 1 }] },
    });
    expect(timelineSentence(e, zh)).toBe('挂起 · 缺货：CUP-02 需 5 已锁 1');
    expect(timelineSentence(e, en)).toBe('Hold · Short: CUP-02 needs 5, 1 reserved');
    expect(actorText(e, 'zh-CN')).toBe('系统（库存）');
    expect(shortageText([], 'zh-CN')).toBe('');
  });

  it('keeps a note a person wrote, with the reason in words', () => {
    const e = entry({
      event: 'cancel',
      fromStatus: 'on_hold',
      toStatus: 'cancelled',
      reasonCode: 'OUT_OF_STOCK',
      source: 'console',
      note: '客户同意取消',
    });
    expect(timelineSentence(e, zh)).toBe('取消：缺货 · 客户同意取消');
  });

  it('says stock movements with the SKU, quantity and warehouse name', () => {
    const items = [{ sku: 'CUP-02', quantity: 1, warehouse: { code: 'WH-HZ', name: '杭州仓' } }];
    const e = entry({
      event: 'stock',
      toStatus: 'paid',
      fromStatus: 'paid',
      details: { action: 'reserved', items },
    });
    expect(timelineSentence(e, zh)).toBe('锁定库存 CUP-02 ×1 @杭州仓');
    expect(timelineSentence(e, en)).toBe('Reserved CUP-02 ×1 @ 杭州仓');
    const released = entry({
      event: 'stock',
      details: {
        action: 'released',
        items: [...items, { sku: 'TEA-01', quantity: 2, warehouse: { code: 'WH-SH', name: '上海仓' } }],
        reason: 'ORDER_CHANGED',
      },
    });
    expect(timelineSentence(released, zh)).toBe('释放库存 CUP-02 ×1 @杭州仓、TEA-01 ×2 @上海仓 · 订单有变更');
    const consumed = entry({ event: 'stock', details: { action: 'consumed', items } });
    expect(timelineSentence(consumed, zh)).toBe('出库扣减 CUP-02 ×1 @杭州仓');
  });

  it('falls back to words for events and details it does not know, never JSON', () => {
    const e = entry({ event: 'something_new', details: { a: { b: 1 } }, note: 'see ticket 42' });
    const text = timelineSentence(e, zh);
    expect(text).toBe('系统事件 · see ticket 42');
    expect(text).not.toContain('{');
    const odd = entry({ event: 'stock', details: { action: 'teleported', items: 'x' } });
    expect(timelineSentence(odd, zh)).toBe('库存变动');
  });

  it('says tag changes', () => {
    const e = entry({ event: 'tags_changed', details: { added: ['加急'], removed: [], tags: ['加急'] } });
    expect(timelineSentence(e, zh)).toBe('添加标签：加急');
  });
});
