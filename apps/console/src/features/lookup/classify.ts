import { MAX_ORDER_NOS_PER_SEARCH, splitOrderNos } from '@orderhub/contracts';

/** What the agent looks a customer up by; `auto` tells a phone from order numbers by their form. */
export const LOOKUP_KINDS = [
  'auto',
  'orderNo',
  'phone',
  'receiverName',
  'buyerNick',
  'sku',
  'title',
] as const;
export type LookupBy = (typeof LOOKUP_KINDS)[number];

export type LookupInput =
  | { kind: 'phone'; value: string }
  | { kind: 'orderNo'; value: string }
  | { kind: 'orderNos'; value: string[] }
  | { kind: 'receiverName' | 'buyerNick' | 'sku' | 'title'; value: string };

/**
 * What the agent typed: a phone number (any notation, or its last 4 digits), one or many order
 * numbers (pasted, one per line or separated), or — when chosen — a receiver name, a buyer
 * nickname, a SKU or a product title.
 */
export function classifyLookup(input: string, by: LookupBy = 'auto'): LookupInput | null {
  const v = input.trim();
  if (!v) return null;
  if (by === 'receiverName' || by === 'buyerNick' || by === 'sku' || by === 'title')
    return { kind: by, value: v };
  const digits = v.replace(/[\s()+-]/g, '');
  const phoneLike = /^[+\d][\d\s()-]*$/.test(v) && (/^\d{7,15}$/.test(digits) || /^\d{4}$/.test(v));
  if (by === 'phone' || (by === 'auto' && phoneLike)) return { kind: 'phone', value: v };
  const nos = splitOrderNos(v);
  if (nos.length > 1) return { kind: 'orderNos', value: nos };
  return { kind: 'orderNo', value: nos[0] ?? v };
}

/** More pasted numbers than one search takes: the count and the limit, or null. */
export function tooManyNumbers(input: LookupInput | null): { n: number; max: number } | null {
  return input?.kind === 'orderNos' && input.value.length > MAX_ORDER_NOS_PER_SEARCH
    ? { n: input.value.length, max: MAX_ORDER_NOS_PER_SEARCH }
    : null;
}
