/**
 * The port every payment provider adapter implements (WeChat Pay v3, Alipay, Stripe). Adapters are
 * pure protocol code: they sign, verify, decrypt and parse, and call the provider over HTTP through
 * `ctx.fetch`; they never touch the database. The payments module owns vouchers, attempts and the
 * order's paid status; it only ever sees the `ProviderEvent`s an adapter returns.
 *
 * Amounts are integer minor units (fen/cents) as `number` (safe integers); currencies upper-case ISO 4217.
 */

export type PaymentProviderName = 'wechatpay' | 'alipay' | 'stripe';

/** A callback exactly as it arrived: header names lower-cased, the body's raw bytes untouched. */
export interface RawCallback {
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

/** What the provider told us about one money movement. */
export type ProviderEvent = PaymentEvent | RefundEvent | IgnoredEvent;

export interface PaymentEvent {
  kind: 'payment';
  /** The provider's transaction id (WeChat `transaction_id`, Alipay `trade_no`, Stripe `pi_…`); null before the buyer paid. */
  providerTxnId: string | null;
  /** Our number: WeChat/Alipay `out_trade_no`, Stripe `metadata.orderhub_trade_no`. */
  merchantTradeNo: string;
  /** succeeded = money received; pending = not yet (NOTPAY, WAIT_BUYER_PAY, requires_*, processing); closed/failed = never. */
  status: 'succeeded' | 'pending' | 'closed' | 'failed';
  amount: number;
  currency: string;
  /** Fee the provider keeps, when the message says it. */
  fee: number | null;
  /** The provider's own time of the event (success_time, gmt_payment, event.created), UTC. */
  providerTime: Date | null;
  /** The provider's status word as sent (`SUCCESS`, `TRADE_SUCCESS`, `succeeded`). */
  providerStatus: string;
}

export interface RefundEvent {
  kind: 'refund';
  /** The provider's refund id (WeChat `refund_id`, Alipay trade_no+out_request_no, Stripe `re_…`). */
  providerRefundId: string | null;
  /** Our idempotent refund number (WeChat `out_refund_no`, Alipay `out_request_no`/`out_biz_no`, Stripe metadata). */
  merchantRefundNo: string;
  merchantTradeNo: string;
  status: 'succeeded' | 'processing' | 'failed' | 'closed';
  amount: number;
  currency: string;
  providerTime: Date | null;
  providerStatus: string;
}

/** A genuine, verified message that carries no money (Stripe `payment_intent.created`, Alipay TRADE_FINISHED with refund_fee 0.00). */
export interface IgnoredEvent {
  kind: 'ignored';
  /** Why, as a code people read in their language (contracts `PAYMENT_EVENT_REASON_LABELS`), with its parameters. */
  code: 'EVENT_TYPE_NO_MONEY' | 'TRADE_STATUS_NO_MONEY' | 'FOREIGN_PAYMENT' | 'FOREIGN_REFUND';
  params: Record<string, string>;
  /** The same in English technical words, kept as the event's message. */
  reason: string;
}

export type CallbackRefusal =
  | 'SIGNATURE_INVALID'
  | 'SERIAL_UNKNOWN'
  | 'SIGNTEST_PROBE'
  | 'DECRYPT_FAILED'
  | 'MALFORMED'
  | 'REPLAY_WINDOW'
  | 'ACCOUNT_MISMATCH';

export type VerifyResult =
  | {
      ok: true;
      /** The provider's delivery/event id (WeChat `id`, Alipay `notify_id`, Stripe `evt_…`). */
      eventId: string;
      event: ProviderEvent;
      /** The time the provider stamped on the delivery (Wechatpay-Timestamp, notify_time, Stripe t=), for skew. */
      sentAt: Date | null;
      /** The decrypted / decoded content, kept raw beside the voucher (never re-serialised for verification). */
      decoded: unknown;
    }
  | { ok: false; reason: CallbackRefusal; message: string };

/** What to answer the provider (WeChat 200/204 or 4xx JSON; Alipay the literal `success`; Stripe 2xx). */
export interface ProviderAck {
  status: number;
  contentType: string;
  body: string;
}

export interface ProviderContext<S> {
  settings: S;
  /** Base URL of the provider's API; an account may point it at a simulator. */
  baseUrl: string;
  now: Date;
  fetch: typeof fetch;
  /** Our callback URL for this account (`…/api/payments/notify/{code}`). */
  notifyUrl: string;
}

export interface CreatePaymentInput {
  merchantTradeNo: string;
  amount: number;
  currency: string;
  description: string;
  expiresAt: Date;
  /** WeChat: `native` (code_url) or `jsapi` (needs payerOpenId); others ignore it. */
  mode?: 'native' | 'jsapi';
  payerOpenId?: string;
  /** Our idempotency key for the provider call (Stripe Idempotency-Key). */
  idempotencyKey: string;
}

export interface CreatePaymentResult {
  /** What the buyer's client needs: `{ codeUrl }`, JSAPI prepay parameters, `{ payUrl }`, `{ clientSecret }`. */
  client: Record<string, string>;
  /** The provider's id for the attempt when it gives one now (Stripe `pi_…`). */
  providerRef: string | null;
}

export interface RefundInput {
  merchantTradeNo: string;
  providerTxnId: string | null;
  providerRef: string | null;
  merchantRefundNo: string;
  amount: number;
  /** What was paid on this transaction (WeChat needs it). */
  total: number;
  currency: string;
  reason: string;
}

/** A provider call failed: `retryable` for timeouts, 5xx, Alipay 20000; not for signature or business refusals. */
export class ProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface PaymentProvider<S = unknown> {
  readonly name: PaymentProviderName;
  /**
   * Checks the settings a user gives for an account; throws `SettingsError` naming the field.
   * Returns the normalised settings (PEMs trimmed, secrets kept exactly).
   */
  parseSettings(input: unknown): S;
  /** Default API base URL. */
  readonly defaultBaseUrl: string;
  /**
   * Verifies a callback on its raw bytes and decodes it. Never refuses for clock difference alone,
   * except Stripe's replay window (`replayWindowSeconds`).
   */
  verifyCallback(
    raw: RawCallback,
    settings: S,
    opts: { now: Date; replayWindowSeconds: number },
  ): VerifyResult;
  ack(ok: boolean, message?: string): ProviderAck;
  createPayment(ctx: ProviderContext<S>, input: CreatePaymentInput): Promise<CreatePaymentResult>;
  /** Active query; `null` when the provider does not know the trade yet (ACQ.TRADE_NOT_EXIST, ORDER_NOT_EXIST). */
  queryPayment(
    ctx: ProviderContext<S>,
    input: { merchantTradeNo: string; providerRef: string | null },
  ): Promise<PaymentEvent | null>;
  refund(ctx: ProviderContext<S>, input: RefundInput): Promise<RefundEvent>;
  queryRefund(
    ctx: ProviderContext<S>,
    input: {
      merchantTradeNo: string;
      merchantRefundNo: string;
      providerRefundId: string | null;
      currency: string;
    },
  ): Promise<RefundEvent | null>;
}

/** Bad account settings: `field` names the setting (e.g. `merchantPrivateKey`). */
export class SettingsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}
