import type { OrderDetailView, TimelineEntryView } from '@orderhub/contracts';
import { type Anomaly, stuck } from '../../shared/sla.ts';

/** When the order entered its current status: the last change into it, else its creation. */
export function enteredStatusAt(o: Pick<OrderDetailView, 'status' | 'timeline' | 'createdAt'>): string {
  for (let i = o.timeline.length - 1; i >= 0; i--) {
    const e = o.timeline[i]!;
    if (e.toStatus === o.status && e.fromStatus !== e.toStatus) return e.at;
  }
  return o.createdAt;
}

/** The error code a timeline entry carries, if it records a failure (jobs, callbacks, channel refusals). */
export function entryErrorCode(e: TimelineEntryView): string | null {
  const d = (e.details ?? null) as {
    error?: { code?: string } | string;
    code?: string;
    errorCode?: string;
  } | null;
  if (d && typeof d === 'object') {
    if (typeof d.error === 'object' && d.error?.code) return d.error.code;
    if (typeof d.error === 'string') return d.error;
    if (d.errorCode) return d.errorCode;
  }
  if (/fail|error|refused|rejected/i.test(e.event)) return e.reasonCode ?? d?.code ?? e.event.toUpperCase();
  return null;
}

export function isPaymentCallbackFailure(e: TimelineEntryView): boolean {
  return /payment|callback|pay_/i.test(e.event) && entryErrorCode(e) !== null;
}

/** Everything about the order that needs a person's eye, most urgent first. */
export function orderAnomalies(o: OrderDetailView, now: Date): Anomaly[] {
  const out: Anomaly[] = [];
  const unmapped = o.lines.filter((l) => !l.sku).map((l) => l.lineNo);
  if (unmapped.length) out.push({ code: 'SKU_UNMAPPED', detail: unmapped.join(', ') });
  if (o.timeline.some(isPaymentCallbackFailure)) out.push({ code: 'PAYMENT_CALLBACK_FAILED' });
  if (o.status === 'on_hold') out.push({ code: 'ON_HOLD', detail: o.holdReason ?? 'UNKNOWN' });
  const late = stuck(o.status, enteredStatusAt(o), now);
  if (late) out.push(late);
  return out;
}

/** The customer's view: only the changes of status, in order. */
export function statusFlow(timeline: readonly TimelineEntryView[]): TimelineEntryView[] {
  return timeline.filter((e) => e.toStatus !== null && e.fromStatus !== e.toStatus);
}
