import { describe, expect, it } from 'vitest';
import { emptyFilters, filtersToSearch, parseFilters, toApiQuery } from '../src/features/orders/filters.ts';
import { toQueryString } from '../src/shared/api.ts';

describe('order list filter ↔ URL ↔ API query', () => {
  it('round-trips through the query string', () => {
    const f = {
      ...emptyFilters(),
      status: ['paid', 'on_hold'],
      channel: ['taobao'],
      holdReason: ['OUT_OF_STOCK'],
      tag: ['发票'],
      phone: '138-1234-5678',
      day: '2026-01-09',
    };
    const search = filtersToSearch(f);
    expect(parseFilters(search)).toEqual({ ...f, status: ['on_hold', 'paid'] });
    expect(filtersToSearch(parseFilters(search))).toBe(search);
  });
  it('accepts repeated keys and commas, drops bad days and blanks', () => {
    const f = parseFilters('status=paid&status=approved,paid&day=09/01/2026&orderNo=%20&sku=TEA');
    expect(f.status).toEqual(['paid', 'approved']);
    expect(f.day).toBeUndefined();
    expect(f.orderNo).toBeUndefined();
    expect(f.sku).toBe('TEA');
    expect(filtersToSearch(emptyFilters())).toBe('');
  });
  it('sends a local day with its zone, and a day range as instants', () => {
    expect(toApiQuery({ ...emptyFilters(), day: '2026-01-09' }, 'Asia/Shanghai')).toEqual({
      localDay: '2026-01-09',
      tz: 'Asia/Shanghai',
    });
    expect(toApiQuery({ ...emptyFilters(), from: '2026-01-09', to: '2026-01-10' }, 'Asia/Shanghai')).toEqual({
      placedFrom: '2026-01-08T16:00:00.000Z',
      placedTo: '2026-01-10T16:00:00.000Z',
    });
  });
  it('encodes lists as repeated keys for the server', () => {
    const q = toApiQuery({ ...emptyFilters(), status: ['paid', 'on_hold'], phone: '13812345678' }, 'UTC');
    expect(toQueryString(q)).toBe('?status=paid&status=on_hold&phone=13812345678');
  });
});
