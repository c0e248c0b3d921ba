import type { OrderView } from '@orderhub/contracts';

/**
 * How long an order may stay in a status before someone should look (the merchants' timers):
 * unpaid 30 min, payment without review 30 min, review 30 min, approved but not out 2 h,
 * fulfilling 2 h, in transit 48 h, on hold 72 h.
 */
export const STATUS_SLA_SECONDS: Record<string, number> = {
  pending_payment: 30 * 60,
  paid: 30 * 60,
  under_review: 30 * 60,
  on_hold: 72 * 3600,
  approved: 2 * 3600,
  fulfilling: 2 * 3600,
  shipped: 48 * 3600,
};

export interface Anomaly {
  code: 'STUCK' | 'ON_HOLD' | 'SKU_UNMAPPED' | 'PAYMENT_CALLBACK_FAILED' | 'ERROR';
  /** For ON_HOLD: the hold reason; for SKU_UNMAPPED: the line numbers; for ERROR: the error code. */
  detail?: string;
  /** Seconds in the status, for STUCK. */
  ageSeconds?: number;
  slaSeconds?: number;
}

export function stuck(status: string, since: string, now: Date): Anomaly | null {
  const sla = STATUS_SLA_SECONDS[status];
  if (!sla) return null;
  const age = Math.round((now.getTime() - Date.parse(since)) / 1000);
  return age > sla ? { code: 'STUCK', ageSeconds: age, slaSeconds: sla } : null;
}

/**
 * The one anomaly worth showing beside an order in a list: its hold, or that it has stayed too long
 * in its status (the last change stands in for when it entered it).
 */
export function listAnomaly(
  o: Pick<OrderView, 'status' | 'holdReason' | 'updatedAt'>,
  now: Date,
): Anomaly | null {
  if (o.status === 'on_hold') return { code: 'ON_HOLD', detail: o.holdReason ?? 'UNKNOWN' };
  return stuck(o.status, o.updatedAt, now);
}
