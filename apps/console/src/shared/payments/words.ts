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
  duplicate: { zh: '重复（未重复入账）', en: 'Duplicate (not counted again)' },
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
