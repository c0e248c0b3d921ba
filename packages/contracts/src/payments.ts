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

/**
 * Why a payment event was not booked, beside the callback refusals: each a code whose parameters
 * travel in the event's `params` (and a timeline entry's details), said in the reader's language
 * by `paymentReasonText`. `{cause}` is the provider's error in words (`providerErrorText`).
 */
export const PAYMENT_EVENT_REASON_LABELS: Record<string, { zh: string; en: string }> = {
  QUERY_FAILED: { zh: '查询支付平台失败：{cause}', en: 'Query to the provider failed: {cause}' },
  CREATE_FAILED: { zh: '向支付平台下单失败：{cause}', en: 'Creating the payment failed: {cause}' },
  REFUND_FAILED: { zh: '向支付平台申请退款失败：{cause}', en: 'The refund call failed: {cause}' },
  REFUND_QUERY_FAILED: { zh: '查询退款结果失败：{cause}', en: 'Querying the refund failed: {cause}' },
  APPLY_FAILED: {
    zh: '入账时出错，未应答成功，等待支付平台重发',
    en: 'Could not be booked; not acknowledged, so the provider sends it again',
  },
  NOT_AT_PROVIDER: { zh: '支付平台暂无此单', en: 'The provider does not know it yet' },
  EVENT_TYPE_NO_MONEY: {
    zh: '该类通知不涉及资金（{eventType}）',
    en: 'This kind of notice carries no money ({eventType})',
  },
  TRADE_STATUS_NO_MONEY: {
    zh: '交易状态 {tradeStatus} 不涉及资金变动',
    en: 'Trade status {tradeStatus} moves no money',
  },
  FOREIGN_PAYMENT: {
    zh: '不是本系统发起的支付（{eventType}）',
    en: 'A payment this system did not start ({eventType})',
  },
  FOREIGN_REFUND: {
    zh: '不是本系统发起的退款（{eventType}）',
    en: 'A refund this system did not make ({eventType})',
  },
  // Older events, written before reasons carried parameters.
  PROVIDER_ERROR: { zh: '支付平台返回错误', en: 'The provider answered with an error' },
  PROVIDER_UNREACHABLE: { zh: '支付平台无法连接', en: 'The provider could not be reached' },
  ERROR: { zh: '调用支付平台出错', en: 'Calling the provider failed' },
};

/** A provider call's failure (`ProviderError.code`) in words; a provider's own code is named as a parameter. */
export const PROVIDER_ERROR_LABELS: Record<string, { zh: string; en: string }> = {
  TIMEOUT: { zh: '支付平台响应超时', en: 'the provider did not answer in time' },
  NETWORK: { zh: '无法连接支付平台', en: 'the provider could not be reached' },
  BAD_RESPONSE: { zh: '支付平台的应答无法识别', en: 'the provider’s answer could not be read' },
  MALFORMED: { zh: '支付平台的应答格式不对', en: 'the provider’s answer was malformed' },
  NOT_FOUND: { zh: '支付平台查无此单', en: 'the provider does not know it' },
  PARAM_ERROR: { zh: '支付平台认为请求参数有误', en: 'the provider refused the request’s parameters' },
  AMOUNT_INVALID: { zh: '金额不被支付平台接受', en: 'the provider refused the amount' },
  CURRENCY_UNSUPPORTED: { zh: '支付平台不支持该币种', en: 'the provider does not take this currency' },
  ACCOUNT_MISMATCH: { zh: '应答的商户号与账户不符', en: 'the answer is for another merchant account' },
  BASE_URL_INVALID: { zh: '支付账户的平台地址无效', en: 'the account’s provider address is not valid' },
  SIGNATURE_INVALID: {
    zh: '支付平台应答的签名校验失败',
    en: 'the provider’s answer failed its signature check',
  },
  HTTP: { zh: '支付平台返回 HTTP {status}', en: 'the provider answered HTTP {status}' },
  OTHER: { zh: '支付平台返回错误码 {code}', en: 'the provider answered with code {code}' },
  UNKNOWN: { zh: '调用支付平台出错', en: 'calling the provider failed' },
};

/**
 * The providers' own error codes (Stripe error types and codes, WeChat Pay v3 codes, Alipay
 * `sub_code`s) and orderhub's own checks of an answer, in words. A code not listed is named as a
 * code (`OTHER`): staff can look it up in the provider's documentation.
 */
export const PROVIDER_CODE_LABELS: Record<string, { zh: string; en: string }> = {
  // orderhub's checks of a provider's answer
  RESPONSE_SIGNATURE_INVALID: {
    zh: '支付平台应答的签名校验失败',
    en: 'the provider’s answer failed its signature check',
  },
  RESPONSE_UNSIGNED: { zh: '支付平台的成功应答没有签名', en: 'the provider’s success answer was not signed' },
  TRADE_MISMATCH: { zh: '支付平台应答的交易不是本单的', en: 'the provider answered about another trade' },
  PAYMENT_UNKNOWN: { zh: '支付平台查无此笔支付', en: 'the provider has no such payment' },
  // Stripe error types
  api_error: { zh: '支付平台内部出错', en: 'the provider had an internal error' },
  card_error: { zh: '银行卡被拒绝', en: 'the card was declined' },
  idempotency_error: {
    zh: '同一请求号对应了不同的请求内容',
    en: 'the same request key came with a different request',
  },
  invalid_request_error: { zh: '支付平台认为请求无效', en: 'the provider found the request invalid' },
  authentication_error: { zh: '支付账户的密钥无效', en: 'the account’s key was not accepted' },
  permission_error: { zh: '支付账户无权执行此操作', en: 'the account may not do this' },
  rate_limit_error: { zh: '请求过于频繁，支付平台限流', en: 'too many requests: the provider is throttling' },
  // Stripe error codes
  rate_limit: { zh: '请求过于频繁，支付平台限流', en: 'too many requests: the provider is throttling' },
  charge_already_refunded: { zh: '该笔付款已全额退款', en: 'the payment was refunded in full already' },
  charge_disputed: { zh: '该笔付款有争议，不能退款', en: 'the payment is disputed and cannot be refunded' },
  amount_too_large: { zh: '金额超过支付平台上限', en: 'the amount is above the provider’s limit' },
  amount_too_small: { zh: '金额低于支付平台下限', en: 'the amount is below the provider’s minimum' },
  balance_insufficient: { zh: '支付账户余额不足', en: 'the account’s balance is not enough' },
  resource_missing: { zh: '支付平台查无此对象', en: 'the provider has no such object' },
  parameter_missing: { zh: '请求缺少必填参数', en: 'the request lacks a required parameter' },
  api_key_expired: { zh: '支付账户的密钥已过期', en: 'the account’s key has expired' },
  // WeChat Pay (API v3)
  SYSTEM_ERROR: { zh: '支付平台系统繁忙', en: 'the provider’s system is busy' },
  FREQUENCY_LIMITED: {
    zh: '请求过于频繁，支付平台限流',
    en: 'too many requests: the provider is throttling',
  },
  NOT_ENOUGH: { zh: '商户账户余额不足', en: 'the merchant account’s balance is not enough' },
  NO_AUTH: { zh: '商户无此接口权限', en: 'the merchant may not use this call' },
  INVALID_REQUEST: { zh: '请求不符合支付平台规则', en: 'the request breaks the provider’s rules' },
  SIGN_ERROR: { zh: '请求签名校验失败', en: 'the request’s signature was refused' },
  USER_ACCOUNT_ABNORMAL: { zh: '买家账户异常', en: 'the buyer’s account is abnormal' },
  RESOURCE_NOT_EXISTS: { zh: '支付平台查无此单', en: 'the provider does not know it' },
  ORDER_NOT_EXIST: { zh: '支付平台查无此单', en: 'the provider does not know it' },
  MCH_NOT_EXISTS: { zh: '商户号不存在', en: 'the merchant id does not exist' },
  APPID_MCHID_NOT_MATCH: { zh: '应用号与商户号不匹配', en: 'the app id and merchant id do not match' },
  ORDERPAID: { zh: '该单已支付', en: 'the trade is paid already' },
  ORDER_CLOSED: { zh: '该单已关闭', en: 'the trade is closed' },
  OUT_TRADE_NO_USED: { zh: '商户单号重复', en: 'the merchant trade number was used already' },
  BIZERR_NEED_RETRY: { zh: '支付平台要求稍后重试', en: 'the provider asks to try again later' },
  // Alipay sub_codes
  'ACQ.SYSTEM_ERROR': { zh: '支付平台系统错误', en: 'the provider had a system error' },
  'ACQ.INVALID_PARAMETER': {
    zh: '支付平台认为请求参数有误',
    en: 'the provider refused the request’s parameters',
  },
  'ACQ.TRADE_NOT_EXIST': { zh: '支付平台查无此交易', en: 'the provider has no such trade' },
  'ACQ.TRADE_STATUS_ERROR': { zh: '交易状态不允许此操作', en: 'the trade’s status does not allow this' },
  'ACQ.TRADE_HAS_FINISHED': { zh: '交易已完结', en: 'the trade is finished' },
  'ACQ.TRADE_HAS_CLOSE': { zh: '交易已关闭', en: 'the trade is closed' },
  'ACQ.TRADE_HAS_SUCCESS': { zh: '交易已支付', en: 'the trade is paid already' },
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': {
    zh: '商户账户余额不足',
    en: 'the merchant account’s balance is not enough',
  },
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': {
    zh: '退款金额超过可退金额',
    en: 'the refund is more than can be refunded',
  },
  'ACQ.REFUND_FEE_ERROR': { zh: '退款金额无效', en: 'the refund amount is not valid' },
  'ACQ.REASON_TRADE_BEEN_FREEZEN': { zh: '交易已被冻结', en: 'the trade is frozen' },
  'ACQ.DISCORDANT_REPEAT_REQUEST': {
    zh: '同一请求号对应了不同的请求内容',
    en: 'the same request number came with a different request',
  },
  'ACQ.ACCESS_FORBIDDEN': { zh: '商户无此接口权限', en: 'the merchant may not use this call' },
  'ACQ.TOTAL_FEE_EXCEED': { zh: '金额超过支付平台上限', en: 'the amount is above the provider’s limit' },
  'isv.invalid-signature': { zh: '请求签名校验失败', en: 'the request’s signature was refused' },
  ALIPAY_20000: { zh: '支付平台服务暂不可用', en: 'the provider’s service is unavailable' },
};

type Params = Record<string, unknown>;
const pickWords = (l: { zh: string; en: string }, locale: 'zh-CN' | 'en-US') =>
  locale === 'zh-CN' ? l.zh : l.en;
const fillWords = (text: string, vars: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? vars[k]! : m));

/** `{ providerCode, httpStatus }` (an event's params, a timeline entry's details) as words. */
export function providerErrorText(params: Params | null | undefined, locale: 'zh-CN' | 'en-US'): string {
  const code = typeof params?.['providerCode'] === 'string' ? (params['providerCode'] as string) : null;
  const status = typeof params?.['httpStatus'] === 'number' ? String(params['httpStatus']) : null;
  const http = code ? /^HTTP_(\d{3})$/i.exec(code) : null;
  if (http) return fillWords(pickWords(PROVIDER_ERROR_LABELS['HTTP']!, locale), { status: http[1]! });
  if (code && Object.hasOwn(PROVIDER_ERROR_LABELS, code) && code !== 'HTTP' && code !== 'OTHER')
    return pickWords(PROVIDER_ERROR_LABELS[code]!, locale);
  if (code && Object.hasOwn(PROVIDER_CODE_LABELS, code))
    return pickWords(PROVIDER_CODE_LABELS[code]!, locale);
  if (code) return fillWords(pickWords(PROVIDER_ERROR_LABELS['OTHER']!, locale), { code });
  if (status) return fillWords(pickWords(PROVIDER_ERROR_LABELS['HTTP']!, locale), { status });
  return pickWords(PROVIDER_ERROR_LABELS['UNKNOWN']!, locale);
}

/**
 * A payment event's reason (a refusal, a failed call, a message with no money) in the reader's
 * language, its parameters filled in; null for a code nobody has words for.
 */
export function paymentReasonText(
  reason: string | null | undefined,
  params: Params | null | undefined,
  locale: 'zh-CN' | 'en-US',
): string | null {
  if (!reason) return null;
  const l =
    (PAYMENT_REFUSAL_LABELS as Record<string, { zh: string; en: string }>)[reason] ??
    PAYMENT_EVENT_REASON_LABELS[reason];
  if (!l) return null;
  const vars: Record<string, string> = { cause: providerErrorText(params, locale) };
  for (const [k, v] of Object.entries(params ?? {}))
    if (typeof v === 'string' || typeof v === 'number') vars[k] = String(v);
  return fillWords(pickWords(l, locale), vars);
}

/** The nightly inspection's reservation check, as a result code with `params`. */
export const RESERVATION_CHECK_LABELS: Record<string, { zh: string; en: string }> = {
  held: { zh: '已预占 {units} 件（{skus} 个商品）', en: '{units} unit(s) of {skus} SKU(s) held' },
  nothing_held: { zh: '没有预占库存', en: 'nothing held' },
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

/** A voucher in the exception queues, with the number people know its order by. */
export const PaymentExceptionView = Type.Composite([
  FundVoucherView,
  Type.Object({
    orderNo: Nullable(
      Type.String({ description: 'the order’s number (OH…); null when the payment matched no order' }),
    ),
  }),
]);
export type PaymentExceptionView = Static<typeof PaymentExceptionView>;

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
  lastError: Nullable(
    Type.String({ description: 'the last failed provider call, English technical detail' }),
  ),
  lastErrorReason: Nullable(
    Type.String({ description: 'that failure as a reason code (REFUND_FAILED, REFUND_QUERY_FAILED)' }),
  ),
  lastErrorParams: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        'its parameters ({ providerCode, httpStatus, retryable }); paymentReasonText says it in words',
    }),
  ),
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
  params: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        'the reason’s parameters (a provider’s error code, an event type) for the words people read',
    }),
  ),
  message: Nullable(
    Type.String({
      description: 'technical detail in English, for integrators; people read `reason` + `params`',
    }),
  ),
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
  fixes: Type.Array(
    Type.Object({
      fix: Type.String(),
      result: Type.String({
        description:
          'a result code (payment_query: applied, pending, …; reservation_check: held, nothing_held)',
      }),
      params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
    }),
  ),
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
