import { type Static, type TSchema, Type } from '@sinclair/typebox';

export const PAYMENT_PROVIDERS = ['wechatpay', 'alipay', 'stripe'] as const;
export type PaymentProviderCode = (typeof PAYMENT_PROVIDERS)[number];

export const PAYMENT_PROVIDER_LABELS: Record<PaymentProviderCode, { zh: string; en: string }> = {
  wechatpay: { zh: '微信支付', en: 'WeChat Pay' },
  alipay: { zh: '支付宝', en: 'Alipay' },
  stripe: { zh: 'Stripe', en: 'Stripe' },
};

/**
 * What a payment step wrote on the order's timeline (`event: "payment"`, `details.action`). The
 * console shows the label in the reader's language; `details` carries the amounts and the reason.
 */
export const PAYMENT_TIMELINE_ACTIONS = [
  'attempt_created',
  'callback_applied',
  'callback_partial',
  'callback_duplicate',
  'callback_refused',
  'query_applied',
  'query_pending',
  'query_failed',
  'amount_mismatch',
  'paid_after_cancel',
  'overpaid',
  'skew_warning',
  'refund_requested',
  'refund_processing',
  'refund_succeeded',
  'refund_failed',
] as const;
export type PaymentTimelineAction = (typeof PAYMENT_TIMELINE_ACTIONS)[number];

export const PAYMENT_TIMELINE_LABELS: Record<PaymentTimelineAction, { zh: string; en: string }> = {
  attempt_created: { zh: '发起支付', en: 'Payment started' },
  callback_applied: { zh: '支付回调已入账', en: 'Payment callback booked' },
  callback_partial: { zh: '收到部分付款', en: 'Partial payment received' },
  callback_duplicate: {
    zh: '重复的支付回调（未重复入账）',
    en: 'Duplicate payment callback (not counted again)',
  },
  callback_refused: { zh: '支付回调被拒绝', en: 'Payment callback refused' },
  query_applied: { zh: '主动查询确认已支付', en: 'Active query confirmed the payment' },
  query_pending: { zh: '主动查询：尚未支付', en: 'Active query: not paid yet' },
  query_failed: { zh: '主动查询失败', en: 'Active query failed' },
  amount_mismatch: { zh: '支付金额或币种不符', en: 'Payment amount or currency mismatch' },
  paid_after_cancel: { zh: '订单取消后收到付款，待退款', en: 'Payment for a cancelled order, to refund' },
  overpaid: { zh: '付款超过订单金额', en: 'Paid more than the order total' },
  skew_warning: { zh: '支付平台时间与本机时间偏差过大', en: 'Provider clock differs from ours' },
  refund_requested: { zh: '申请退款', en: 'Refund requested' },
  refund_processing: { zh: '退款处理中', en: 'Refund processing' },
  refund_succeeded: { zh: '退款成功', en: 'Refund succeeded' },
  refund_failed: { zh: '退款失败', en: 'Refund failed' },
};

/** Why a callback was refused (the provider port's `CallbackRefusal`, plus our own checks). */
export const PAYMENT_REFUSAL_REASONS = [
  'SIGNATURE_INVALID',
  'SERIAL_UNKNOWN',
  'SIGNTEST_PROBE',
  'DECRYPT_FAILED',
  'MALFORMED',
  'REPLAY_WINDOW',
  'ACCOUNT_MISMATCH',
  'ACCOUNT_INACTIVE',
  'TRADE_UNKNOWN',
  'SETTINGS_UNREADABLE',
] as const;
export type PaymentRefusalReason = (typeof PAYMENT_REFUSAL_REASONS)[number];

export const PAYMENT_REFUSAL_LABELS: Record<PaymentRefusalReason, { zh: string; en: string }> = {
  SIGNATURE_INVALID: { zh: '支付回调签名校验失败', en: 'Callback signature check failed' },
  SERIAL_UNKNOWN: { zh: '未知的平台证书序列号', en: 'Unknown platform certificate serial' },
  SIGNTEST_PROBE: { zh: '微信支付签名探测请求', en: 'WeChat Pay signature probe' },
  DECRYPT_FAILED: { zh: '回调内容解密失败', en: 'Callback content could not be decrypted' },
  MALFORMED: { zh: '回调内容格式错误', en: 'Callback content malformed' },
  REPLAY_WINDOW: { zh: '回调超出重放时间窗口', en: 'Callback older than the replay window' },
  ACCOUNT_MISMATCH: { zh: '回调商户号与账户不符', en: 'Callback is for another merchant account' },
  ACCOUNT_INACTIVE: { zh: '支付账户已停用', en: 'Payment account deactivated' },
  TRADE_UNKNOWN: { zh: '未知的商户订单号', en: 'Unknown merchant trade number' },
  SETTINGS_UNREADABLE: { zh: '支付账户密钥无法读取', en: 'Payment account secrets cannot be read' },
};

/** Vouchers a person has to act on. */
export const PAYMENT_EXCEPTIONS = ['PAID_AFTER_CANCEL', 'AMOUNT_MISMATCH', 'OVERPAID'] as const;
export type PaymentException = (typeof PAYMENT_EXCEPTIONS)[number];

export const PAYMENT_EXCEPTION_LABELS: Record<PaymentException, { zh: string; en: string }> = {
  PAID_AFTER_CANCEL: { zh: '取消后付款（待退款）', en: 'Paid after cancel (to refund)' },
  AMOUNT_MISMATCH: { zh: '金额或币种不符', en: 'Amount or currency mismatch' },
  OVERPAID: { zh: '多付款', en: 'Overpaid' },
};

export const INSPECTION_CAUSE_LABELS: Record<string, { zh: string; en: string }> = {
  PAYMENT_CALLBACK_MISSING: { zh: '支付回调未到达', en: 'Payment callback missing' },
  AWAITING_PAYMENT: { zh: '买家尚未付款', en: 'Buyer has not paid' },
  STOCK_NOT_RESERVED: { zh: '库存未预占', en: 'Stock not reserved' },
  ON_HOLD: { zh: '订单挂起未处理', en: 'Order held, nobody acted' },
  REVIEW_PENDING: { zh: '等待审核', en: 'Waiting for review' },
  FULFILMENT_STALLED: { zh: '发货停滞', en: 'Fulfilment stalled' },
  REFUND_PENDING: { zh: '退款未完成', en: 'Refund not finished' },
  UNKNOWN: { zh: '原因不明', en: 'Cause unknown' },
};

const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const PaymentAccountView = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  provider: Type.String(),
  baseUrl: Nullable(Type.String()),
  active: Type.Boolean(),
  replayWindowSeconds: Nullable(Type.Integer()),
  /** Which settings are stored (names only; values are never returned). */
  settingsFields: Type.Array(Type.String()),
  settingsVersion: Type.Integer(),
  settingsUpdatedAt: Instant,
  notifyUrl: Type.String({ description: 'the callback URL to give the provider' }),
  createdAt: Instant,
  updatedAt: Instant,
});
export type PaymentAccountView = Static<typeof PaymentAccountView>;

export const PaymentAttemptView = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  paymentAccount: Type.String(),
  provider: Type.String(),
  merchantTradeNo: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  status: Type.String(),
  mode: Nullable(Type.String()),
  providerRef: Nullable(Type.String()),
  client: Type.Record(Type.String(), Type.String()),
  expiresAt: Instant,
  queryCount: Type.Integer(),
  lastQueriedAt: Nullable(Instant),
  createdAt: Instant,
});
export type PaymentAttemptView = Static<typeof PaymentAttemptView>;

export const FundVoucherView = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'payment | refund | reversal' }),
  paymentAccount: Type.String(),
  providerTxnId: Type.String(),
  orderId: Nullable(Type.String()),
  attemptId: Nullable(Type.String()),
  refundId: Nullable(Type.String()),
  merchantTradeNo: Type.String(),
  amount: Type.Integer({ description: 'signed minor units: refunds are negative' }),
  currency: Type.String(),
  fee: Nullable(Type.Integer()),
  status: Type.String(),
  providerStatus: Type.String(),
  source: Type.String({ description: 'callback | query | refund' }),
  disposition: Type.String(),
  exception: Nullable(Type.String()),
  exceptionResolvedAt: Nullable(Instant),
  providerTime: Nullable(Instant),
  receivedAt: Instant,
  skewSeconds: Nullable(Type.Number({ description: 'our clock minus the provider’s, in seconds' })),
});
export type FundVoucherView = Static<typeof FundVoucherView>;

export const RefundView = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  merchantRefundNo: Type.String(),
  merchantTradeNo: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  reason: Type.String(),
  lines: Nullable(Type.Array(Type.Object({ lineNo: Type.Integer(), quantity: Type.Integer() }))),
  status: Type.String({ description: 'requested | processing | succeeded | failed | closed' }),
  providerRefundId: Nullable(Type.String()),
  providerStatus: Nullable(Type.String()),
  lastError: Nullable(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
});
export type RefundView = Static<typeof RefundView>;

export const OrderPaymentsView = Type.Object({
  currency: Type.String(),
  total: Type.Integer({ description: 'the order total' }),
  paid: Type.Integer({ description: 'confirmed payments minus confirmed refunds' }),
  refundable: Type.Integer({ description: 'what a new refund may take at most' }),
  attempts: Type.Array(PaymentAttemptView),
  vouchers: Type.Array(FundVoucherView),
  refunds: Type.Array(RefundView),
});
export type OrderPaymentsView = Static<typeof OrderPaymentsView>;

export const PaymentEventView = Type.Object({
  id: Type.String(),
  paymentAccount: Type.String(),
  kind: Type.String(),
  outcome: Type.String(),
  reason: Nullable(Type.String()),
  message: Nullable(Type.String()),
  providerEventId: Nullable(Type.String()),
  merchantTradeNo: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  voucherId: Nullable(Type.String()),
  skewSeconds: Nullable(Type.Number()),
  receivedAt: Instant,
});
export type PaymentEventView = Static<typeof PaymentEventView>;

export const InspectionFindingView = Type.Object({
  orderId: Type.String(),
  orderNo: Type.String(),
  status: Type.String(),
  since: Instant,
  cause: Type.String(),
  fixes: Type.Array(Type.Object({ fix: Type.String(), result: Type.String() })),
});

export const InspectionView = Type.Object({
  id: Type.String(),
  day: Type.String(),
  zone: Type.String(),
  trigger: Type.String(),
  startedAt: Instant,
  finishedAt: Instant,
  stuckCount: Type.Integer(),
  findings: Type.Array(InspectionFindingView),
});
export type InspectionView = Static<typeof InspectionView>;
