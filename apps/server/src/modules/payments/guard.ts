import { DomainError } from '../../platform/errors.ts';
import type { TransitionGuard, TransitionInput } from '../orders/index.ts';

/**
 * The `pay` inputs this module makes itself, right after writing the confirmed voucher under the
 * order's lock (apply.ts): the guard's question is answered already, so it is not asked again.
 * Only objects made here are in the set; nothing from a request can be.
 */
export const voucherPays = new WeakSet<TransitionInput>();

/**
 * Paid means a voucher: an order that has a payment attempt becomes paid only from confirmed
 * vouchers (covering its total, or booked as a mismatch to hold it), never by a manual or API `pay`.
 * Orders without an attempt (their channel collects the money) are not this guard's business.
 */
export const paidByVoucher: TransitionGuard = async (exec, order, input) => {
  if (input.event !== 'pay' || voucherPays.has(input as TransitionInput)) return null;
  const r = (
    await exec.query<{ attempts: string | number; paid: string | number | null; flagged: string | number }>(
      `SELECT (SELECT count(*) FROM payment_attempts WHERE order_id = $1) AS attempts,
              (SELECT COALESCE(sum(amount), 0) FROM fund_vouchers WHERE order_id = $1 AND currency = $2) AS paid,
              (SELECT count(*) FROM fund_vouchers WHERE order_id = $1 AND kind = 'payment' AND exception IS NOT NULL) AS flagged`,
      [order.id, order.currency],
    )
  )[0];
  if (!r || Number(r.attempts) === 0) return null;
  if (Number(r.paid ?? 0) >= Number(order.total) || Number(r.flagged) > 0) return null;
  return new DomainError(
    'PAYMENT_VOUCHER_REQUIRED',
    `order ${order.orderNo} is paid through a payment account: it becomes paid when the provider confirms the payment (${r.paid} of ${order.total} confirmed)`,
    { paid: Number(r.paid ?? 0), total: Number(order.total) },
  );
};
