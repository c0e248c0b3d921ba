/** Codes the payments API answers with, in words (zh/en). Contracts hold the provider, refusal, exception and cause labels. */
type Labels = Record<string, { zh: string; en: string }>;

export const ATTEMPT_STATUS_LABELS: Labels = {
  pending: { zh: '待支付', en: 'Waiting for payment' },
  paid: { zh: '已支付', en: 'Paid' },
  closed: { zh: '已关闭', en: 'Closed' },
  failed: { zh: '失败', en: 'Failed' },
  expired: { zh: '已过期', en: 'Expired' },
};

export const VOUCHER_KIND_LABELS: Labels = {
  payment: { zh: '收款', en: 'Payment' },
  refund: { zh: '退款', en: 'Refund' },
  reversal: { zh: '冲正', en: 'Reversal' },
};

export const VOUCHER_STATUS_LABELS: Labels = {
  confirmed: { zh: '已确认', en: 'Confirmed' },
  pending: { zh: '待确认', en: 'Pending' },
  reversed: { zh: '已冲正', en: 'Reversed' },
};

export const VOUCHER_SOURCE_LABELS: Labels = {
  callback: { zh: '支付回调', en: 'Callback' },
  query: { zh: '主动查询', en: 'Active query' },
  refund: { zh: '退款结果', en: 'Refund result' },
};

export const DISPOSITION_LABELS: Labels = {
  applied: { zh: '已入账', en: 'Booked' },
  partial: { zh: '部分付款', en: 'Partial payment' },
  overpaid: { zh: '多付款', en: 'Overpaid' },
  mismatch: { zh: '金额或币种不符', en: 'Amount or currency mismatch' },
  paid_after_cancel: { zh: '取消后付款', en: 'Paid after cancel' },
  refunded: { zh: '已退款', en: 'Refunded' },
  refunded_outside: { zh: '在支付平台直接退款', en: 'Refunded at the provider' },
};

export const REFUND_STATUS_LABELS: Labels = {
  requested: { zh: '已申请', en: 'Requested' },
  processing: { zh: '退款处理中', en: 'Processing' },
  succeeded: { zh: '退款成功', en: 'Succeeded' },
  failed: { zh: '退款失败', en: 'Failed' },
  closed: { zh: '已关闭', en: 'Closed' },
};

export const EVENT_KIND_LABELS: Labels = {
  callback: { zh: '支付回调', en: 'Callback' },
  query: { zh: '主动查询', en: 'Active query' },
  refund: { zh: '退款请求', en: 'Refund request' },
  refund_query: { zh: '退款查询', en: 'Refund query' },
};

export const EVENT_OUTCOME_LABELS: Labels = {
  received: { zh: '已收到', en: 'Received' },
  applied: { zh: '已入账', en: 'Booked' },
  duplicate: { zh: '重复（未重复入账）', en: 'Duplicate, not counted' },
  pending: { zh: '尚未完成', en: 'Not finished yet' },
  ignored: { zh: '无需处理', en: 'Nothing to book' },
  refused: { zh: '已拒绝', en: 'Refused' },
  failed: { zh: '失败', en: 'Failed' },
  unknown_trade: { zh: '未知的商户订单号', en: 'Unknown trade number' },
};

/** Reasons the server gives for failed queries and refund calls, beside the callback refusals. */
export const EVENT_REASON_LABELS: Labels = {
  QUERY_FAILED: { zh: '查询支付平台失败', en: 'Query to the provider failed' },
  PROVIDER_ERROR: { zh: '支付平台返回错误', en: 'The provider answered with an error' },
  PROVIDER_UNREACHABLE: { zh: '支付平台无法连接', en: 'The provider could not be reached' },
  ERROR: { zh: '调用支付平台出错', en: 'Calling the provider failed' },
};

/** What a query found (the inspection's payment_query result). */
export const QUERY_RESULT_LABELS: Labels = {
  applied: { zh: '查到已支付，已补记资金凭证', en: 'found paid: the voucher was booked' },
  duplicate: { zh: '查到已支付，凭证早已入账', en: 'found paid: the voucher was already booked' },
  pending: { zh: '买家仍未付款', en: 'still not paid' },
  ignored: { zh: '支付已关闭或失败', en: 'payment closed or failed' },
  unknown: { zh: '支付平台查无此单', en: 'the provider does not know this payment' },
  failed: { zh: '查询失败', en: 'the query failed' },
};

export const FIX_LABELS: Labels = {
  payment_query: { zh: '主动查询支付', en: 'Payment query' },
  reservation_check: { zh: '检查库存预占', en: 'Reservation check' },
};

export const TRIGGER_LABELS: Labels = {
  manual: { zh: '手动巡检', en: 'Run by hand' },
  schedule: { zh: '定时巡检', en: 'Nightly run' },
  scheduled: { zh: '定时巡检', en: 'Nightly run' },
  nightly: { zh: '定时巡检', en: 'Nightly run' },
};

/** Reasons offered in the refund dialog; the code is sent, and shown back in words. */
export const REFUND_REASONS = [
  'BUYER_REQUEST',
  'OUT_OF_STOCK',
  'MISSING_ITEM',
  'DAMAGED',
  'PRICE_ADJUSTMENT',
  'PAID_AFTER_CANCEL',
  'DUPLICATE_PAYMENT',
  'OTHER',
] as const;

export const REFUND_REASON_LABELS: Labels = {
  BUYER_REQUEST: { zh: '买家申请退款', en: 'Buyer asked for a refund' },
  OUT_OF_STOCK: { zh: '缺货无法发货', en: 'Out of stock' },
  MISSING_ITEM: { zh: '少发漏发', en: 'Item missing from the parcel' },
  DAMAGED: { zh: '商品破损或质量问题', en: 'Damaged or faulty goods' },
  PRICE_ADJUSTMENT: { zh: '价格调整（补差价）', en: 'Price adjustment' },
  PAID_AFTER_CANCEL: { zh: '订单取消后付款', en: 'Paid after the order was cancelled' },
  DUPLICATE_PAYMENT: { zh: '重复付款', en: 'Paid twice' },
  OTHER: { zh: '其他', en: 'Other' },
};

/**
 * The providers' notice types (Stripe event types, WeChat Pay event types) and Alipay trade
 * statuses that an event names when it books no money (`params.eventType`, `params.tradeStatus`),
 * in words. A type not listed is said as "a notice type not recognised", its code on hover.
 */
export const PROVIDER_EVENT_TYPE_LABELS: Labels = {
  // Stripe
  'payment_intent.created': { zh: 'Stripe 支付单已创建', en: 'Stripe payment created' },
  'payment_intent.succeeded': { zh: 'Stripe 支付成功', en: 'Stripe payment succeeded' },
  'payment_intent.payment_failed': { zh: 'Stripe 支付失败', en: 'Stripe payment failed' },
  'payment_intent.canceled': { zh: 'Stripe 支付已取消', en: 'Stripe payment cancelled' },
  'payment_intent.processing': { zh: 'Stripe 支付处理中', en: 'Stripe payment processing' },
  'payment_intent.requires_action': {
    zh: 'Stripe 支付待买家验证',
    en: 'Stripe payment waiting for the buyer to confirm',
  },
  'payment_intent.amount_capturable_updated': {
    zh: 'Stripe 可扣款金额变更',
    en: 'Stripe amount to capture changed',
  },
  'charge.succeeded': { zh: 'Stripe 扣款成功', en: 'Stripe charge succeeded' },
  'charge.pending': { zh: 'Stripe 扣款处理中', en: 'Stripe charge pending' },
  'charge.failed': { zh: 'Stripe 扣款失败', en: 'Stripe charge failed' },
  'charge.captured': { zh: 'Stripe 扣款已确认', en: 'Stripe charge captured' },
  'charge.updated': { zh: 'Stripe 扣款信息更新', en: 'Stripe charge updated' },
  'charge.refunded': { zh: 'Stripe 扣款已退款', en: 'Stripe charge refunded' },
  'charge.refund.updated': { zh: 'Stripe 退款更新', en: 'Stripe refund updated' },
  'charge.dispute.created': { zh: 'Stripe 买家发起争议', en: 'Stripe dispute opened' },
  'charge.dispute.closed': { zh: 'Stripe 争议已结案', en: 'Stripe dispute closed' },
  'refund.created': { zh: 'Stripe 退款已创建', en: 'Stripe refund created' },
  'refund.updated': { zh: 'Stripe 退款更新', en: 'Stripe refund updated' },
  'refund.failed': { zh: 'Stripe 退款失败', en: 'Stripe refund failed' },
  'payout.created': { zh: 'Stripe 提现已发起', en: 'Stripe payout created' },
  'payout.paid': { zh: 'Stripe 提现已到账', en: 'Stripe payout paid' },
  'payout.failed': { zh: 'Stripe 提现失败', en: 'Stripe payout failed' },
  'balance.available': { zh: 'Stripe 可用余额变动', en: 'Stripe balance available' },
  'customer.created': { zh: 'Stripe 新建客户', en: 'Stripe customer created' },
  'checkout.session.completed': { zh: 'Stripe 收银台已完成', en: 'Stripe checkout completed' },
  // WeChat Pay
  'TRANSACTION.SUCCESS': { zh: '微信支付成功', en: 'WeChat Pay payment succeeded' },
  'REFUND.SUCCESS': { zh: '微信支付退款成功', en: 'WeChat Pay refund succeeded' },
  'REFUND.ABNORMAL': { zh: '微信支付退款异常', en: 'WeChat Pay refund abnormal' },
  'REFUND.CLOSED': { zh: '微信支付退款关闭', en: 'WeChat Pay refund closed' },
  // Alipay trade statuses
  WAIT_BUYER_PAY: { zh: '支付宝交易待付款', en: 'Alipay trade waiting for payment' },
  TRADE_CLOSED: { zh: '支付宝交易已关闭', en: 'Alipay trade closed' },
  TRADE_SUCCESS: { zh: '支付宝交易成功', en: 'Alipay trade succeeded' },
  TRADE_FINISHED: { zh: '支付宝交易完结', en: 'Alipay trade finished' },
  refund: { zh: '支付宝退款', en: 'Alipay refund' },
};

const UNRECOGNISED_EVENT_TYPE = { zh: '未识别的通知类型', en: 'a notice type not recognised' };

/** A provider's notice type or trade status in words (see PROVIDER_EVENT_TYPE_LABELS). */
export function eventTypeText(code: string, locale: 'zh-CN' | 'en-US'): string {
  const l = PROVIDER_EVENT_TYPE_LABELS[code] ?? UNRECOGNISED_EVENT_TYPE;
  return locale === 'zh-CN' ? l.zh : l.en;
}

/** An event's parameters with the notice type and trade status it names said in words. */
export function paramsInWords(
  params: Record<string, unknown> | null,
  locale: 'zh-CN' | 'en-US',
): Record<string, unknown> | null {
  if (!params) return params;
  const said = { ...params };
  for (const k of ['eventType', 'tradeStatus'])
    if (typeof said[k] === 'string') said[k] = eventTypeText(said[k] as string, locale);
  return said;
}
