/**
 * Payment timeline entries (`event: "payment"`, `details.action`) as sentences in the UI language:
 * "微信支付回调已入账 ¥80.00（交易号 4200…）". Pure, so the order timeline can use it and tests can read it.
 */
import {
  PAYMENT_PROVIDER_LABELS,
  PAYMENT_TIMELINE_LABELS,
  paymentReasonText,
  providerErrorText,
} from '@orderhub/contracts';
import { formatMoney, type Locale } from '../format.ts';
import type { PaymentEventView } from './api.ts';
import { EVENT_REASON_LABELS, paramsInWords, REFUND_REASON_LABELS } from './words.ts';

type Labels = Record<string, { zh: string; en: string }>;

const pick = (labels: Labels, code: string | null, locale: Locale): string | null => {
  if (!code) return null;
  const l = labels[code];
  return l ? (locale === 'zh-CN' ? l.zh : l.en) : null;
};

const WORDS = {
  'zh-CN': {
    attempt_created: '通过{provider}发起收款 {amount}',
    callback_applied: '{provider}支付回调已入账 {amount}，订单已付清',
    query_applied: '主动查询{provider}确认已支付 {amount}，订单已付清',
    callback_partial: '收到{provider}部分付款 {amount}（已付 {paidNow} / 应付 {total}）',
    callback_duplicate: '{provider}重复通知 {amount}，未重复入账',
    callback_refused: '{provider}支付回调被拒绝：{reason}',
    query_pending: '主动查询{provider}：买家尚未付款',
    query_failed: '主动查询{provider}失败：{cause}',
    amount_mismatch: '{provider}付款 {amount} 与订单金额 {total} 的币种或金额不符，订单已挂起',
    paid_after_cancel: '订单取消后收到{provider}付款 {amount}，已列入待退款队列',
    overpaid: '{provider}付款 {amount} 超过订单应付（已付 {paidBefore} / 应付 {total}），请核对退款',
    skew_warning: '{provider}的时间与本机相差 {minutes} 分钟（超过 {threshold} 分钟的告警线），回调照常入账',
    refund_requested: '申请退款 {amount}：{reason}',
    refund_processing: '退款 {amount} 处理中',
    refund_succeeded: '退款 {amount} 成功，已记冲正凭证',
    refund_failed: '退款 {amount} 失败：{cause}',
    providerStatus: '支付平台状态为 {status}',
    callFailed: '调用支付平台出错',
    tradeNo: '商户单号 {no}',
    txn: '交易号 {no}',
    refundNo: '退款单号 {no}',
    lines: '退 {n} 个商品行',
    provider: '支付平台',
    open: '（',
    close: '）',
    sep: '，',
    unknown: '支付事件',
  },
  'en-US': {
    attempt_created: 'Payment of {amount} started through {provider}',
    callback_applied: '{provider} callback booked {amount}: the order is paid',
    query_applied: 'Active query to {provider} confirmed {amount}: the order is paid',
    callback_partial: 'Partial payment of {amount} through {provider} ({paidNow} of {total} paid)',
    callback_duplicate: 'Duplicate {provider} notice of {amount}, not counted again',
    callback_refused: '{provider} callback refused: {reason}',
    query_pending: 'Active query to {provider}: not paid yet',
    query_failed: 'Active query to {provider} failed: {cause}',
    amount_mismatch:
      '{provider} payment of {amount} does not match the order total {total} in amount or currency: order held',
    paid_after_cancel:
      '{provider} payment of {amount} arrived after the order was cancelled: queued for refund',
    overpaid:
      '{provider} payment of {amount} is more than the order owed ({paidBefore} of {total} paid before): check for a refund',
    skew_warning:
      '{provider} clock differs from ours by {minutes} min (alert above {threshold} min); the callback was booked as usual',
    refund_requested: 'Refund of {amount} requested: {reason}',
    refund_processing: 'Refund of {amount} processing',
    refund_succeeded: 'Refund of {amount} succeeded; reversing voucher booked',
    refund_failed: 'Refund of {amount} failed: {cause}',
    providerStatus: 'the provider says {status}',
    callFailed: 'calling the provider failed',
    tradeNo: 'trade no. {no}',
    txn: 'transaction {no}',
    refundNo: 'refund no. {no}',
    lines: '{n} line(s) refunded',
    provider: 'the provider',
    open: ' (',
    close: ')',
    sep: ', ',
    unknown: 'Payment event',
  },
} as const;

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** A refund reason: the dialog's codes in words, anything typed elsewhere as it was typed. */
export function refundReasonText(reason: string | null | undefined, locale: Locale): string {
  if (!reason) return '';
  return pick(REFUND_REASON_LABELS, reason, locale) ?? reason;
}

const RETRY_WORDS = {
  'zh-CN': { again: '系统会用同一退款单号自动重试', final: '不会自动重试' },
  'en-US': { again: 'it is tried again with the same refund number', final: 'it is not tried again' },
};

/**
 * A refund's last failed provider call in the reader's language: `text` for the table, `hover` with
 * whether it is tried again. The server keeps the failure as a reason code and its parameters
 * (`lastErrorReason`, `lastErrorParams`); its English `lastError` is technical detail for the
 * English UI's hover only. Refunds that failed before codes were kept have only that English text:
 * the Chinese UI says "the provider answered with an error" for them.
 */
export function refundErrorText(
  r: { lastError: string | null; lastErrorReason?: string | null; lastErrorParams?: unknown },
  locale: Locale,
): { text: string; hover: string | null } | null {
  if (!r.lastError && !r.lastErrorReason) return null;
  const params = (r.lastErrorParams ?? null) as Record<string, unknown> | null;
  const words =
    paymentReasonText(r.lastErrorReason, params, locale) ??
    (locale === 'zh-CN' ? '支付平台返回错误' : (r.lastError ?? ''));
  const retry =
    typeof params?.['retryable'] === 'boolean'
      ? RETRY_WORDS[locale][params['retryable'] ? 'again' : 'final']
      : null;
  const hover =
    locale === 'zh-CN'
      ? retry
        ? `${words}；${retry}`
        : null
      : [retry ? `${words}; ${retry}` : null, r.lastError].filter(Boolean).join(' — ') || null;
  return { text: words, hover };
}

/** Skew in minutes, one decimal when under ten ("18", "2.5"). */
export function skewMinutes(seconds: number): string {
  const m = Math.abs(seconds) / 60;
  return m >= 10 ? String(Math.round(m)) : String(Math.round(m * 10) / 10);
}

/** The sentence of one payment timeline entry. `showAmounts: false` leaves the money out. */
export function paymentSentence(
  details: Record<string, unknown> | null,
  locale: Locale,
  showAmounts = true,
): string {
  const w = WORDS[locale];
  const d = details ?? {};
  const action = str(d['action']);
  const currency = str(d['currency']) ?? str(d['orderCurrency']) ?? 'CNY';
  const money = (v: unknown, cur = currency) => {
    const n = num(v);
    return n === null || !showAmounts ? '' : formatMoney(n, cur, locale);
  };
  const provider = pick(PAYMENT_PROVIDER_LABELS, str(d['provider']), locale) ?? w.provider;
  const amount = money(d['amount']);
  const total = money(d['orderTotal'], str(d['orderCurrency']) ?? currency);
  const paidBefore = num(d['paidBefore']);
  const paidNow =
    paidBefore !== null && num(d['amount']) !== null ? money(paidBefore + (num(d['amount']) as number)) : '';
  const refusal = str(d['reason']);
  const reason =
    action === 'callback_refused'
      ? (paymentReasonText(refusal, d, locale) ??
        pick(EVENT_REASON_LABELS, refusal, locale) ??
        (locale === 'zh-CN' ? w.callFailed : (str(d['message']) ?? refusal ?? '')))
      : refundReasonText(refusal, locale);
  // Why a provider call failed: its error code in words; entries from before codes were kept
  // carry only English text, said in the English UI and as words in the Chinese one.
  const legacy = str(d['message']) ?? (action === 'refund_failed' ? refusal : null);
  const cause = str(d['providerCode'])
    ? providerErrorText(d, locale)
    : str(d['providerStatus']) && action === 'refund_failed'
      ? fill(w.providerStatus, { status: str(d['providerStatus'])! })
      : locale === 'zh-CN' || !legacy
        ? w.callFailed
        : legacy;
  const skew = num(d['skewSeconds']);
  const threshold = num(d['thresholdSeconds']);
  const template = action && action in w ? (w as Record<string, string>)[action] : null;
  if (!template || !action) return pick(PAYMENT_TIMELINE_LABELS, action, locale) ?? w.unknown;
  let text = fill(template, {
    provider,
    amount,
    total,
    paidNow,
    paidBefore: money(paidBefore),
    reason,
    cause,
    minutes: skew === null ? '?' : skewMinutes(skew),
    threshold: threshold === null ? '?' : skewMinutes(threshold),
  });
  // Without amounts (no orders:amounts) the sentence must still read: drop the empty slots.
  text = text
    .replace(/\s{2,}/g, ' ')
    .replace(/\s+([，,:：)）])/g, '$1')
    .trim();
  if (locale === 'zh-CN') text = text.replace(/(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])/g, '');
  const refs: string[] = [];
  const tradeNo = str(d['merchantTradeNo']);
  const txn = str(d['providerTxnId']);
  const refundNo = str(d['merchantRefundNo']);
  if (refundNo) refs.push(fill(w.refundNo, { no: refundNo }));
  else if (txn && action !== 'attempt_created') refs.push(fill(w.txn, { no: txn }));
  else if (tradeNo) refs.push(fill(w.tradeNo, { no: tradeNo }));
  if (Array.isArray(d['lines']) && d['lines'].length) refs.push(fill(w.lines, { n: d['lines'].length }));
  return refs.length ? `${text}${w.open}${refs.join(w.sep)}${w.close}` : text;
}

/**
 * A payment event's refusal, failure or message without money, in words: the server sends a
 * reason code and its parameters (a provider's error code; an event type or trade status, said in
 * words as well). The server's own message is English technical detail: shown in the English UI
 * beside words it adds to, and in the Chinese UI only as a hover title (never as the text).
 */
export function eventReasonText(e: PaymentEventView, locale: Locale): string {
  const params = (e.params ?? null) as Record<string, unknown> | null;
  // A notice type (`charge.succeeded`) or trade status is said in words too, not in code.
  const words =
    paymentReasonText(e.reason, paramsInWords(params, locale), locale) ??
    pick(EVENT_REASON_LABELS, e.reason ?? null, locale);
  // Events written before reasons carried parameters.
  const ignored = e.message ? /^event type (\S+) carries no (?:money|payment)$/.exec(e.message) : null;
  if (!params && ignored && (!e.reason || e.reason === e.message))
    return (
      paymentReasonText('EVENT_TYPE_NO_MONEY', paramsInWords({ eventType: ignored[1] }, locale), locale) ?? ''
    );
  if (locale === 'zh-CN') return words ?? (e.reason ? '支付平台返回错误' : '');
  if (!words) return e.message ?? e.reason ?? '';
  return e.message && !params && e.reason !== 'SIGNATURE_INVALID' ? `${words}: ${e.message}` : words;
}
