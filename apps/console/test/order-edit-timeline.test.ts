import type { TimelineEntryView } from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';
import { eventLabel, timelineSentence } from '../src/features/orders/timeline.ts';

const entry = (over: Partial<TimelineEntryView>): TimelineEntryView => ({
  id: 'tl_1',
  at: '2026-11-30T02:00:00Z',
  event: 'receiver_changed',
  fromStatus: 'paid',
  toStatus: 'paid',
  actorType: 'user',
  actorId: null,
  actorName: '王五',
  ip: null,
  source: 'console',
  reasonCode: null,
  note: null,
  details: null,
  ...over,
});
const zh = { locale: 'zh-CN' as const };
const en = { locale: 'en-US' as const };

describe('order edits on the timeline, in words', () => {
  it('names each changed receiver field with its masked values and the reason', () => {
    const e = entry({
      note: '客户来电改地址',
      details: {
        receiver: {
          phone: { from: '138****5678', to: '139****1234' },
          province: { from: '浙江省', to: '上海市' },
          district: { from: null, to: '浦东新区' },
        },
      },
    });
    expect(timelineSentence(e, zh)).toBe(
      '修改收货信息：手机号由「138****5678」改为「139****1234」、省份由「浙江省」改为「上海市」、区县填为「浦东新区」 · 客户来电改地址',
    );
    expect(timelineSentence(e, en)).toBe(
      'Receiver changed: Mobile changed from “138****5678” to “139****1234”, Province changed from “浙江省” to “上海市”, District set to “浦东新区” · 客户来电改地址',
    );
    expect(eventLabel('receiver_changed', 'zh-CN')).toBe('修改收货信息');
  });

  it('says how a line changed, with money only for those who see it', () => {
    const e = entry({
      event: 'lines_changed',
      details: {
        action: 'replace',
        lineNo: 2,
        title: '马克杯',
        sku: { from: 'CUP-02', to: 'MUG-03' },
        quantity: { from: 2, to: 3 },
        unitPrice: {},
        currency: 'CNY',
        goodsAmount: { from: 5333, to: 6333 },
        total: { from: 4333, to: 5333 },
      },
    });
    expect(timelineSentence(e, zh)).toBe(
      '修改第 2 行商品「马克杯」 · 商品由 CUP-02 改为 MUG-03 · 数量由 2 改为 3 · 订单金额由 ¥43.33 改为 ¥53.33',
    );
    expect(timelineSentence(e, en)).toBe(
      'Line 2 changed: “马克杯” · item CUP-02 → MUG-03 · quantity 2 → 3 · order amount CN¥43.33 → CN¥53.33',
    );
    expect(timelineSentence(e, { ...zh, showAmounts: false })).toBe(
      '修改第 2 行商品「马克杯」 · 商品由 CUP-02 改为 MUG-03 · 数量由 2 改为 3',
    );
  });

  it('says which gift was added, never as JSON', () => {
    const e = entry({
      event: 'lines_changed',
      details: {
        action: 'gift',
        lineNo: 3,
        gift: true,
        title: '茶具',
        sku: { to: 'TEA-SET-01' },
        quantity: { to: 1 },
      },
    });
    expect(timelineSentence(e, zh)).toBe('添加赠品「茶具」（TEA-SET-01）×1');
    expect(timelineSentence(e, en)).toBe('Gift added: “茶具” (TEA-SET-01) ×1');
    expect(timelineSentence(entry({ event: 'lines_changed', details: null }), zh)).toBe('修改商品');
  });
});
