import type {
  FundVoucherView,
  InspectionView,
  OrderPaymentsView,
  PaymentAccountView,
  PaymentAttemptView,
  PaymentEventView,
  PaymentExceptionView,
  RefundView,
} from '@orderhub/contracts';
import { ApiError, api, toApiError } from '../api.ts';

export type {
  FundVoucherView,
  InspectionView,
  OrderPaymentsView,
  PaymentAccountView,
  PaymentAttemptView,
  PaymentEventView,
  PaymentExceptionView,
  RefundView,
};

export const KEYS = {
  accounts: ['payments', 'accounts'] as const,
  exceptions: (exception: string) => ['payments', 'exceptions', exception] as const,
  events: (filter: Record<string, string | undefined>) => ['payments', 'events', filter] as const,
  inspections: ['payments', 'inspections'] as const,
  order: (id: string) => ['order-payments', id] as const,
};

export const listAccounts = () => api<PaymentAccountView[]>('/api/payment-accounts');

export const createAccount = (body: Record<string, unknown>) =>
  api<PaymentAccountView>('/api/payment-accounts', { method: 'POST', body });

export const updateAccount = (id: string, body: Record<string, unknown>) =>
  api<PaymentAccountView>(`/api/payment-accounts/${encodeURIComponent(id)}`, { method: 'PATCH', body });

export const listExceptions = (exception: string) =>
  api<PaymentExceptionView[]>('/api/payments/exceptions', { query: { exception } });

export const resolveException = (voucherId: string, note: string) =>
  api<FundVoucherView>(`/api/payments/vouchers/${encodeURIComponent(voucherId)}/resolve`, {
    method: 'POST',
    body: { note },
  });

export const listEvents = (q: { paymentAccount?: string; outcome?: string; orderId?: string }) =>
  api<PaymentEventView[]>('/api/payments/events', { query: { ...q, limit: 200 } });

export const listInspections = () => api<InspectionView[]>('/api/inspections', { query: { limit: 10 } });

export const runInspection = () => api<InspectionView>('/api/inspections', { method: 'POST', body: {} });

export const orderPayments = (orderId: string) =>
  api<OrderPaymentsView>(`/api/orders/${encodeURIComponent(orderId)}/payments`);

export const startPayment = (orderId: string, paymentAccount: string) =>
  api<PaymentAttemptView>(`/api/orders/${encodeURIComponent(orderId)}/payments`, {
    method: 'POST',
    body: { paymentAccount },
  });

export interface RefundRequest {
  amount: number;
  reason: string;
  lines?: { lineNo: number; quantity: number }[];
}

/** A refund with its Idempotency-Key: a retry of the same dialog never refunds twice. */
export async function requestRefund(orderId: string, key: string, body: RefundRequest): Promise<RefundView> {
  let res: Response;
  try {
    res = await fetch(`/api/orders/${encodeURIComponent(orderId)}/refunds`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json, application/problem+json',
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'the server could not be reached');
  }
  if (!res.ok) throw await toApiError(res);
  return (await res.json()) as RefundView;
}

/** A fresh key per refund dialog (crypto.randomUUID where the page is a secure context). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
