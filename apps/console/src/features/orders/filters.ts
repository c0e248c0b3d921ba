import type { QueryValue } from '../../shared/api.ts';
import { addDays, startOfLocalDay } from '../../shared/format.ts';

/** The order list's filter as the user set it; lives in the URL so links and reloads keep it. */
export interface OrderFilters {
  status: string[];
  channel: string[];
  account: string[];
  holdReason: string[];
  tag: string[];
  sku?: string;
  orderNo?: string;
  phone?: string;
  /** One local calendar day (YYYY-MM-DD) in the user's zone. */
  day?: string;
  /** An inclusive range of local days. */
  from?: string;
  to?: string;
}

const LISTS = ['status', 'channel', 'account', 'holdReason', 'tag'] as const;
const TEXTS = ['sku', 'orderNo', 'phone', 'day', 'from', 'to'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function emptyFilters(): OrderFilters {
  return { status: [], channel: [], account: [], holdReason: [], tag: [] };
}

/** Reads filters from a query string; lists may be repeated keys or comma-separated. */
export function parseFilters(search: string | URLSearchParams): OrderFilters {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  const f = emptyFilters();
  for (const k of LISTS) {
    f[k] = [
      ...new Set(
        p
          .getAll(k)
          .flatMap((v) => v.split(','))
          .map((v) => v.trim())
          .filter(Boolean),
      ),
    ];
  }
  for (const k of TEXTS) {
    const v = p.get(k)?.trim();
    if (!v) continue;
    if ((k === 'day' || k === 'from' || k === 'to') && !DAY.test(v)) continue;
    f[k] = v;
  }
  return f;
}

/** The URL form of the filters: stable order, lists comma-joined, empty values left out. */
export function filtersToSearch(f: OrderFilters): string {
  const p = new URLSearchParams();
  for (const k of LISTS) if (f[k].length) p.set(k, [...f[k]].sort().join(','));
  for (const k of TEXTS) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  return p.toString();
}

export function isEmpty(f: OrderFilters): boolean {
  return filtersToSearch(f) === '';
}

/**
 * The GET /api/orders query for the filters. Day filters become instant ranges in the user's zone:
 * a single day is sent as localDay + tz (the server computes the range); a range of days as
 * placedFrom/placedTo instants, `to` inclusive.
 */
export function toApiQuery(f: OrderFilters, tz: string): Record<string, QueryValue> {
  const q: Record<string, QueryValue> = {};
  for (const k of LISTS) if (f[k].length) q[k] = f[k];
  if (f.sku) q['sku'] = f.sku;
  if (f.orderNo) q['orderNo'] = f.orderNo;
  if (f.phone) q['phone'] = f.phone;
  if (f.day) {
    q['localDay'] = f.day;
    q['tz'] = tz;
  } else {
    if (f.from) q['placedFrom'] = startOfLocalDay(f.from, tz);
    if (f.to) q['placedTo'] = startOfLocalDay(addDays(f.to, 1), tz);
  }
  return q;
}
