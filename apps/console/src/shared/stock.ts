/**
 * Lines an order is still short of stock on, as the server reports them (`ORDER_STOCK_NOT_RESERVED`
 * details and `nextEvents[].blockedBy.details`), and how every page says them. Pure.
 */
import type { Locale } from './format.ts';

export interface ShortLine {
  lineNo: number;
  sku: string;
  quantity: number;
  reserved: number;
}

/** The short lines in a refusal's or a blocked event's details, or null when it names none. */
export function shortLinesOf(details: unknown): ShortLine[] | null {
  const lines = (details as { lines?: unknown } | null | undefined)?.lines;
  if (!Array.isArray(lines)) return null;
  const out: ShortLine[] = [];
  for (const l of lines as Partial<ShortLine>[]) {
    if (typeof l?.sku !== 'string' || typeof l.quantity !== 'number') continue;
    out.push({
      lineNo: typeof l.lineNo === 'number' ? l.lineNo : 0,
      sku: l.sku,
      quantity: l.quantity,
      reserved: typeof l.reserved === 'number' ? l.reserved : 0,
    });
  }
  return out;
}

const W = {
  'zh-CN': {
    notReserved: '库存未锁全',
    stillShort: '库存仍不足',
    item: '{sku} 需 {quantity} 已锁 {reserved}',
    sep: '、',
    colon: '：',
  },
  'en-US': {
    notReserved: 'Stock not fully reserved',
    stillShort: 'Still short of stock',
    item: '{sku} needs {quantity}, {reserved} reserved',
    sep: ', ',
    colon: ': ',
  },
} as const;

/** "CUP-02 需 5 已锁 1、TEA-01 需 2 已锁 0". */
export function shortItemsText(short: readonly ShortLine[], locale: Locale): string {
  const w = W[locale];
  return short
    .map((s) =>
      w.item.replace(/\{(\w+)\}/g, (m, k: string) => (k in s ? String(s[k as keyof ShortLine]) : m)),
    )
    .join(w.sep);
}

/**
 * "库存未锁全：CUP-02 需 5 已锁 1" (`notReserved`, why an action is blocked) or "库存仍不足：…"
 * (`stillShort`, the answer to reserving again when stock is still missing).
 */
export function shortText(
  short: readonly ShortLine[],
  locale: Locale,
  lead: 'notReserved' | 'stillShort' = 'notReserved',
): string {
  const w = W[locale];
  return short.length ? w[lead] + w.colon + shortItemsText(short, locale) : w[lead];
}
