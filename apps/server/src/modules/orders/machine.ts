import {
  CANCEL_REASONS,
  HOLD_REASONS,
  ORDER_EDITABLE_STATUSES,
  type OrderEvent,
  type OrderStatus,
  type Permission,
} from '@orderhub/contracts';
import { DomainError } from '../../platform/errors.ts';

export interface TransitionSpec {
  from: readonly OrderStatus[];
  to: OrderStatus;
  permission: Permission;
  /** When set, the transition needs a reason code from this list. */
  reasons?: readonly string[];
  /** Guards that look at the order's lines before the transition may happen. */
  guards?: readonly GuardName[];
}

export type GuardName = 'all_lines_mapped';

/**
 * The order lifecycle as one table. Shipments, payments and after-sales cases drive it through the
 * same events as people do; nothing writes `orders.status` except `transitionOrder`.
 */
export const ORDER_MACHINE: Record<OrderEvent, TransitionSpec> = {
  pay: { from: ['pending_payment'], to: 'paid', permission: 'orders:ingest' },
  submit_for_review: { from: ['paid'], to: 'under_review', permission: 'orders:review' },
  hold: {
    from: ['paid', 'under_review', 'approved', 'fulfilling'],
    to: 'on_hold',
    permission: 'orders:review',
    reasons: HOLD_REASONS,
  },
  release: { from: ['on_hold'], to: 'under_review', permission: 'orders:review' },
  approve: {
    from: ['paid', 'under_review', 'on_hold'],
    to: 'approved',
    permission: 'orders:review',
    guards: ['all_lines_mapped'],
  },
  start_fulfilment: {
    from: ['approved'],
    to: 'fulfilling',
    permission: 'orders:fulfil',
    guards: ['all_lines_mapped'],
  },
  ship: { from: ['fulfilling'], to: 'shipped', permission: 'orders:fulfil' },
  deliver: { from: ['shipped'], to: 'delivered', permission: 'orders:fulfil' },
  complete: { from: ['delivered'], to: 'completed', permission: 'orders:fulfil' },
  cancel: {
    from: ['pending_payment', 'paid', 'under_review', 'on_hold', 'approved'],
    to: 'cancelled',
    permission: 'orders:cancel',
    reasons: CANCEL_REASONS,
  },
  close: {
    from: ['pending_payment', 'shipped', 'delivered', 'completed'],
    to: 'closed',
    permission: 'orders:cancel',
    reasons: CANCEL_REASONS,
  },
};

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['cancelled', 'closed'];

/**
 * Receiver and lines may be edited only before approval (the statuses in which ingest still takes
 * new lines from the channel): from `approve` on, the warehouse works from what was approved.
 */
export const EDITABLE_STATUSES: readonly OrderStatus[] = ORDER_EDITABLE_STATUSES;

export function assertEditable(status: string): void {
  if (!EDITABLE_STATUSES.includes(status as OrderStatus))
    throw new DomainError('ORDER_NOT_EDITABLE', `an order that is ${status} can no longer be edited`, {
      status,
      editable: EDITABLE_STATUSES,
    });
}

export function eventsFrom(status: string): OrderEvent[] {
  return (Object.keys(ORDER_MACHINE) as OrderEvent[]).filter((e) =>
    ORDER_MACHINE[e].from.includes(status as OrderStatus),
  );
}

export interface GuardFailure {
  code: string;
  message: string;
  /** The lines the guard refused (line number and the channel's SKU). */
  lines?: { lineNo: number; channelSku: string }[];
}

export interface GuardInput {
  lines: { lineNo: number; sku: string | null; channelSku: string }[];
}

const GUARDS: Record<GuardName, (o: GuardInput) => GuardFailure | null> = {
  all_lines_mapped: (o) => {
    const unmapped = o.lines.filter((l) => !l.sku);
    if (unmapped.length === 0) return null;
    return {
      code: 'SKU_UNMAPPED',
      message: `SKU_UNMAPPED on line ${unmapped.map((l) => `${l.lineNo} (${l.channelSku})`).join(', ')}`,
      lines: unmapped.map((l) => ({ lineNo: l.lineNo, channelSku: l.channelSku })),
    };
  },
};

export function checkGuards(spec: TransitionSpec, input: GuardInput): GuardFailure | null {
  for (const g of spec.guards ?? []) {
    const failure = GUARDS[g](input);
    if (failure) return failure;
  }
  return null;
}
