/**
 * The stock guard as the console explains it: which lines lack stock, why an action is blocked, and
 * which orders a batch approve will skip. Pure, so it can be tested without a browser.
 */
import { HOLD_REASON_LABELS, ORDER_STATUS_LABELS, type OrderView } from '@orderhub/contracts';
import { blockedGeneric } from '../../shared/blocked.ts';
import type { Locale } from '../../shared/format.ts';
import { type ShortLine, shortLinesOf, shortText } from '../../shared/stock.ts';

export type { ShortLine } from '../../shared/stock.ts';

interface LineLike {
  lineNo: number;
  sku: string | null;
  channelSku?: string;
  quantity: number;
}
interface ReservationLike {
  sku: string;
  quantity: number;
  consumed: number;
  status: string;
}

/** Lines whose SKU holds fewer units than ordered (active holds and shipped units count). */
export function shortLines(
  lines: readonly LineLike[],
  reservations: readonly ReservationLike[],
): ShortLine[] {
  const held = new Map<string, number>();
  for (const r of reservations) {
    const units = (r.status === 'active' ? r.quantity : 0) + r.consumed;
    held.set(r.sku, (held.get(r.sku) ?? 0) + units);
  }
  const out: ShortLine[] = [];
  for (const l of [...lines].sort((a, b) => a.lineNo - b.lineNo)) {
    if (!l.sku) continue;
    const left = held.get(l.sku) ?? 0;
    const reserved = Math.min(left, l.quantity);
    held.set(l.sku, left - reserved);
    if (reserved < l.quantity) out.push({ lineNo: l.lineNo, sku: l.sku, quantity: l.quantity, reserved });
  }
  return out;
}

const T = {
  'zh-CN': {
    unmapped: '商品未匹配：第 {lines} 行',
    onHold: '挂起中（{reason}），请先处理挂起',
    status: '当前状态不能审核',
    cancelStatus: '当前为「{status}」，不能取消',
    cancelFulfilling: '正在发货，不能直接取消：请先拦截包裹',
    sep: '、',
  },
  'en-US': {
    unmapped: 'SKU not mapped on line {lines}',
    onHold: 'On hold ({reason}): deal with the hold first',
    status: 'Cannot be approved in its status',
    cancelStatus: '{status}: can no longer be cancelled',
    cancelFulfilling: 'Being fulfilled: intercept the parcel before cancelling',
    sep: ', ',
  },
} as const;

const fill = (s: string, v: Record<string, string | number>) =>
  s.replace(/\{(\w+)\}/g, (m, k: string) => (k in v ? String(v[k]) : m));

/** "库存未锁全：CUP-02 需 5 已锁 1" (lines from the guard's details or from the reservations). */
export function notReservedText(short: readonly ShortLine[], locale: Locale): string {
  return shortText(short, locale, 'notReserved');
}

/**
 * The lines the order is short on as the server says them in a blocked event's details (approve,
 * start fulfilment), else null: the console then works them out from the reservations.
 */
export function shortFromEvents(
  nextEvents: readonly { blockedBy?: { code: string; details?: unknown } | null }[],
): ShortLine[] | null {
  for (const ev of nextEvents)
    if (ev.blockedBy?.code === 'ORDER_STOCK_NOT_RESERVED') {
      const lines = shortLinesOf(ev.blockedBy.details);
      if (lines?.length) return lines;
    }
  return null;
}

/**
 * Why an action is blocked, in the UI language. The server's own message (English, for integrators)
 * is kept for codes the console does not know.
 */
export function blockedText(
  blockedBy: { code: string; message: string; details?: unknown } | null | undefined,
  ctx: { locale: Locale; lines: readonly LineLike[]; short?: readonly ShortLine[] },
): string {
  if (!blockedBy) return '';
  const w = T[ctx.locale];
  if (blockedBy.code === 'SKU_UNMAPPED') {
    const unmapped = ctx.lines.filter((l) => !l.sku).map((l) => l.lineNo);
    return fill(w.unmapped, { lines: unmapped.join(w.sep) || '?' });
  }
  if (blockedBy.code === 'ORDER_STOCK_NOT_RESERVED') {
    const fromDetails = shortLinesOf(blockedBy.details);
    return notReservedText(fromDetails?.length ? fromDetails : (ctx.short ?? []), ctx.locale);
  }
  // A permission, a code with words of its own, or a plain sentence (shared/blocked.ts).
  return blockedGeneric(blockedBy, ctx.locale);
}

/** Statuses the order machine lets `approve` leave from (on hold is skipped on purpose, see below). */
const APPROVABLE = ['paid', 'under_review'];

export interface BatchSkip {
  id: string;
  orderNo: string;
  externalOrderId: string;
  reason: string;
}

/**
 * Which selected orders a batch approve will leave alone and why: held orders (a hold is dealt with
 * one order at a time — an OUT_OF_STOCK one lacks stock) and orders past review. Orders whose stock
 * is short without a hold are refused by the server's guard and reported in the result.
 */
export function approvePlan(
  orders: readonly Pick<OrderView, 'id' | 'orderNo' | 'externalOrderId' | 'status' | 'holdReason'>[],
  locale: Locale,
): { approve: string[]; skip: BatchSkip[] } {
  const w = T[locale];
  const approve: string[] = [];
  const skip: BatchSkip[] = [];
  for (const o of orders) {
    const base = { id: o.id, orderNo: o.orderNo || o.externalOrderId, externalOrderId: o.externalOrderId };
    if (o.status === 'on_hold') {
      const l = HOLD_REASON_LABELS[o.holdReason as keyof typeof HOLD_REASON_LABELS];
      const reason = l ? (locale === 'zh-CN' ? l.zh : l.en) : (o.holdReason ?? '');
      skip.push({ ...base, reason: fill(w.onHold, { reason }) });
    } else if (!APPROVABLE.includes(o.status)) skip.push({ ...base, reason: w.status });
    else approve.push(o.id);
  }
  return { approve, skip };
}

/** A refusal in the batch result, in words where the console knows the code. */
export function refusalText(code: string, details: unknown, message: string, locale: Locale): string {
  if (code === 'ORDER_STOCK_NOT_RESERVED') return notReservedText(shortLinesOf(details) ?? [], locale);
  if (code === 'SKU_UNMAPPED' || /SKU_UNMAPPED/.test(message)) {
    const lines = /line ([\d, ()A-Za-z0-9_-]+)/.exec(message)?.[1];
    return fill(T[locale].unmapped, { lines: lines?.replace(/\s*\([^)]*\)/g, '') ?? '?' });
  }
  return message;
}

/** Statuses the order machine lets `cancel` leave from (the server's machine, `cancel.from`). */
const CANCELLABLE = ['pending_payment', 'paid', 'under_review', 'on_hold', 'approved'];

/**
 * Which selected orders a batch cancel will leave alone and why: orders being fulfilled (the parcel
 * must be intercepted first) and orders past the point of cancelling (shipped, completed, already
 * cancelled or closed). What the server still refuses is reported in the result.
 */
export function cancelPlan(
  orders: readonly Pick<OrderView, 'id' | 'orderNo' | 'externalOrderId' | 'status'>[],
  locale: Locale,
): { cancel: string[]; skip: BatchSkip[] } {
  const w = T[locale];
  const cancel: string[] = [];
  const skip: BatchSkip[] = [];
  for (const o of orders) {
    const base = { id: o.id, orderNo: o.orderNo || o.externalOrderId, externalOrderId: o.externalOrderId };
    if (CANCELLABLE.includes(o.status)) cancel.push(o.id);
    else if (o.status === 'fulfilling') skip.push({ ...base, reason: w.cancelFulfilling });
    else {
      const l = ORDER_STATUS_LABELS[o.status as keyof typeof ORDER_STATUS_LABELS];
      skip.push({
        ...base,
        reason: fill(w.cancelStatus, { status: l ? (locale === 'zh-CN' ? l.zh : l.en) : o.status }),
      });
    }
  }
  return { cancel, skip };
}
