import { VIEW_FILTER_KEYS, VIEW_PERSONAL_KEYS } from '@orderhub/contracts';
import { describe, expect, it } from 'vitest';
import { emptyFilters, filtersToSearch, type OrderFilters } from '../src/features/orders/filters.ts';
import { viewQuery } from '../src/features/orders/views.ts';

/** Every filter of the order list set, so that the URL carries every key the list writes. */
const everything: OrderFilters = {
  ...emptyFilters(),
  status: ['paid'],
  channel: ['taobao'],
  account: ['tmall-flagship'],
  holdReason: ['OUT_OF_STOCK'],
  tag: ['发票'],
  flag: ['1'],
  tab: 'to_review',
  sku: 'TEA',
  title: '茶具',
  orderNo: 'OH26113000001',
  orderNos: 'OH26113000001,OH26113000002',
  phone: '5678',
  receiverName: '王五',
  buyerNick: 'tb_buyer',
  day: '2026-01-09',
  from: '2026-01-01',
  to: '2026-01-09',
  when: 'today',
  buyerRemark: true,
  sellerRemark: true,
  overdue: true,
  sort: 'placed_desc',
};

describe('saved views of the order list', () => {
  it('knows every key the list writes in its URL, except the personal-data searches', () => {
    const keys = [...new URLSearchParams(filtersToSearch(everything)).keys()];
    const known = [...VIEW_FILTER_KEYS.orders, ...VIEW_PERSONAL_KEYS];
    expect(keys.filter((k) => !known.includes(k))).toEqual([]);
  });

  it('keeps the filters, sort and page size and leaves out phone and receiver', () => {
    const search = `${filtersToSearch(everything)}&limit=50&cursor=abc`;
    const { query, dropped } = viewQuery(search);
    const kept = new URLSearchParams(query);
    expect(kept.get('tab')).toBe('to_review');
    expect(kept.get('limit')).toBe('50');
    expect(kept.has('phone')).toBe(false);
    expect(kept.has('receiverName')).toBe(false);
    expect(kept.has('cursor')).toBe(false);
    expect(dropped.sort()).toEqual(['phone', 'receiverName']);
    expect(viewQuery('').query).toBe('');
  });
});
