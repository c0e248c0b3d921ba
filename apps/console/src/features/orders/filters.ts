import { MAX_ORDER_NOS_PER_SEARCH, ORDER_TABS, SORTS, splitOrderNos } from '@orderhub/contracts';
import type { QueryValue } from '../../shared/api.ts';
import { addDays, localDayOf, startOfLocalDay } from '../../shared/format.ts';

/** Quick day ranges, resolved to local days in the user's zone when the query is sent. */
export const QUICK_DAYS = ['today', 'yesterday', '7d'] as const;
export type QuickDay = (typeof QUICK_DAYS)[number];
/** Quick yes-filters: orders with a buyer remark, with a seller note, paid and not shipped in time. */
export const QUICK_FLAGS = ['buyerRemark', 'sellerRemark', 'overdue'] as const;
export type QuickFlag = (typeof QUICK_FLAGS)[number];

export const TAB_KEYS: readonly string[] = ORDER_TABS.map((t) => t.key);

/** The order list's filter as the user set it; lives in the URL so links and reloads keep it. */
export interface OrderFilters {
  status: string[];
  channel: string[];
  account: string[];
  holdReason: string[];
  tag: string[];
  /** Seller flag colours, 1 red … 5 purple. */
  flag: string[];
  /** A status tab of ORDER_TABS (`all` is no tab). */
  tab?: string;
  sku?: string;
  title?: string;
  orderNo?: string;
  /** Many order numbers as pasted, normalised to one comma-separated list. */
  orderNos?: string;
  /** Full phone number or its last 4 digits. */
  phone?: string;
  receiverName?: string;
  buyerNick?: string;
  /** One local calendar day (YYYY-MM-DD) in the user's zone. */
  day?: string;
  /** An inclusive range of local days. */
  from?: string;
  to?: string;
  /** Today, yesterday or the last 7 days, in the user's zone at the time of the query. */
  when?: QuickDay;
  buyerRemark?: boolean;
  sellerRemark?: boolean;
  overdue?: boolean;
  sort?: string;
}

const LISTS = ['status', 'channel', 'account', 'holdReason', 'tag', 'flag'] as const;
const TEXTS = [
  'tab',
  'orderNo',
  'orderNos',
  'phone',
  'receiverName',
  'buyerNick',
  'sku',
  'title',
  'day',
  'from',
  'to',
  'when',
  'sort',
] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function emptyFilters(): OrderFilters {
  return { status: [], channel: [], account: [], holdReason: [], tag: [], flag: [] };
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
  f.flag = f.flag.filter((v) => /^[1-5]$/.test(v));
  for (const k of TEXTS) {
    const v = p.get(k)?.trim();
    if (!v) continue;
    if ((k === 'day' || k === 'from' || k === 'to') && !DAY.test(v)) continue;
    if (k === 'tab' && (!TAB_KEYS.includes(v) || v === 'all')) continue;
    if (k === 'when' && !(QUICK_DAYS as readonly string[]).includes(v)) continue;
    if (k === 'sort' && !(SORTS as readonly string[]).includes(v)) continue;
    if (k === 'orderNos') {
      const nos = splitOrderNos(v);
      if (nos.length) f.orderNos = nos.join(',');
      continue;
    }
    (f as unknown as Record<string, string>)[k] = v;
  }
  for (const k of QUICK_FLAGS) if (p.get(k) === '1') f[k] = true;
  return f;
}

/** The URL form of the filters: stable order, lists comma-joined, empty values left out. */
export function filtersToSearch(f: OrderFilters): string {
  const p = new URLSearchParams();
  for (const k of LISTS) if (f[k]?.length) p.set(k, [...f[k]].sort().join(','));
  for (const k of TEXTS) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  for (const k of QUICK_FLAGS) if (f[k]) p.set(k, '1');
  return p.toString();
}

export function isEmpty(f: OrderFilters): boolean {
  return filtersToSearch(f) === '';
}

/**
 * Why a pasted list of order numbers cannot be searched (more than the server takes), or null.
 * Checked before sending, so the user reads the limit in words instead of a refusal.
 */
export function orderNosProblem(text: string | undefined): { count: number; max: number } | null {
  if (!text) return null;
  const count = splitOrderNos(text).length;
  return count > MAX_ORDER_NOS_PER_SEARCH ? { count, max: MAX_ORDER_NOS_PER_SEARCH } : null;
}

/** A phone the search takes: its last 4 digits, or a full number (7 to 15 digits in any notation). */
export function phoneProblem(text: string | undefined): boolean {
  if (!text) return false;
  const v = text.trim();
  if (/^\d{4}$/.test(v)) return false;
  if (!/^[+\d][\d\s()-]*$/.test(v)) return true;
  const digits = v.replace(/\D/g, '').length;
  return digits < 7 || digits > 15;
}

/** The local days (inclusive) a quick day range covers, for `now` in `tz`. */
export function quickDays(when: QuickDay, tz: string, now: Date): { from: string; to: string } {
  const today = localDayOf(now, tz);
  if (when === 'today') return { from: today, to: today };
  if (when === 'yesterday') {
    const y = addDays(today, -1);
    return { from: y, to: y };
  }
  return { from: addDays(today, -6), to: today };
}

/**
 * The GET /api/orders/counts query for the filters: every filter but the status (the tabs are the
 * statuses), the sort and the paging. Day filters become instant ranges in the user's zone: a
 * single day is sent as localDay + tz (the server computes the range); a range of days and the
 * quick ranges as placedFrom/placedTo instants, `to` inclusive.
 */
export function toCountsQuery(f: OrderFilters, tz: string, now = new Date()): Record<string, QueryValue> {
  const q: Record<string, QueryValue> = {};
  for (const k of ['channel', 'account', 'holdReason', 'tag'] as const) if (f[k].length) q[k] = f[k];
  if (f.flag.length) q['sellerFlag'] = f.flag;
  if (f.sku) q['sku'] = f.sku;
  if (f.title) q['title'] = f.title;
  if (f.orderNo) q['orderNo'] = f.orderNo;
  if (f.orderNos) q['orderNos'] = f.orderNos;
  if (f.phone) q['phone'] = f.phone;
  if (f.receiverName) q['receiverName'] = f.receiverName;
  if (f.buyerNick) q['buyerNick'] = f.buyerNick;
  if (f.buyerRemark) q['hasBuyerRemark'] = true;
  if (f.sellerRemark) q['hasSellerRemark'] = true;
  if (f.overdue) q['overdue'] = true;
  const range = f.when ? quickDays(f.when, tz, now) : f.day ? null : { from: f.from, to: f.to };
  if (!range && f.day) {
    q['localDay'] = f.day;
    q['tz'] = tz;
  } else if (range) {
    if (range.from) q['placedFrom'] = startOfLocalDay(range.from, tz);
    if (range.to) q['placedTo'] = startOfLocalDay(addDays(range.to, 1), tz);
  }
  return q;
}

/** The statuses the list asks for: the tab's when a tab is chosen, else the status filter. */
export function statusesOf(f: OrderFilters): string[] {
  const tab = ORDER_TABS.find((t) => t.key === f.tab);
  return tab ? [...tab.statuses] : f.status;
}

/** The tab the filters show: the chosen one, or the one whose statuses the status filter names. */
export function activeTab(f: OrderFilters): string | undefined {
  if (f.tab) return f.tab;
  if (!f.status.length) return 'all';
  const set = [...f.status].sort().join(',');
  return ORDER_TABS.find((t) => t.statuses.length && [...t.statuses].sort().join(',') === set)?.key;
}

/** The GET /api/orders query for the filters (the counts' query plus status and sort). */
export function toApiQuery(f: OrderFilters, tz: string, now = new Date()): Record<string, QueryValue> {
  const q: Record<string, QueryValue> = {};
  const statuses = statusesOf(f);
  if (statuses.length) q['status'] = statuses;
  Object.assign(q, toCountsQuery(f, tz, now));
  if (f.sort) q['sort'] = f.sort;
  return q;
}
