import { HOLD_REASON_LABELS } from '@orderhub/contracts';
import { ApiError } from '../../shared/api.ts';
import { type Blocked, blockedGeneric } from '../../shared/blocked.ts';
import type { Locale } from '../../shared/format.ts';
import { errorText } from '../../shared/hooks.ts';
import type { TFunction } from '../../shared/i18n.tsx';
import { errorKey } from './decide.ts';

/** An error in the UI language where the console knows its code; else the server's code and message. */
export function errorWords(e: unknown, t: TFunction): string {
  const code = e instanceof ApiError ? e.code : (e as { code?: string } | null)?.code;
  const key = errorKey(code);
  if (key) return t(key);
  return errorText(e);
}

/**
 * Why an event is blocked: this page's words for the codes it knows, else the words every page
 * shares (a permission named, a code's own message, a plain sentence in the Chinese UI).
 */
export function blockedWords(b: Blocked | null | undefined, t: TFunction, locale: Locale): string {
  if (!b) return '';
  // A refusal for want of permission names the permission the server names.
  if (b.code === 'FORBIDDEN') return blockedGeneric(b, locale);
  const key = errorKey(b.code);
  return key ? t(key) : blockedGeneric(b, locale);
}

/** Reasons an event may ask for: hold reasons and cancel / close reasons. */
export const REASON_LABELS: Record<string, { zh: string; en: string }> = {
  ...HOLD_REASON_LABELS,
  BUYER_REQUEST: { zh: '买家申请取消', en: 'Buyer asked to cancel' },
  PAYMENT_TIMEOUT: { zh: '超时未支付', en: 'Payment timed out' },
  RISK_REJECTED: { zh: '风控拒绝', en: 'Rejected by risk review' },
  DUPLICATE_ORDER: { zh: '重复订单', en: 'Duplicate order' },
  CHANNEL_CANCELLED: { zh: '渠道已取消', en: 'Cancelled on the channel' },
  ADDRESS_UNREACHABLE: { zh: '地址无法送达', en: 'Address unreachable' },
  REFUNDED: { zh: '已退款', en: 'Refunded' },
  MERCHANT_DECISION: { zh: '商家决定', en: "Merchant's decision" },
};
