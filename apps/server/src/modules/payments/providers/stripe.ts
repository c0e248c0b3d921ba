/**
 * Stripe adapter: PaymentIntents, refunds and webhooks (`Stripe-Signature` v1, HMAC-SHA256 of
 * `{t}.{raw body}` keyed with the endpoint secret exactly as shown, `whsec_` prefix included).
 *
 * Amounts: Stripe's API counts in its own idea of a currency's smallest unit (zero-decimal currencies
 * such as JPY in whole units, ISK and HUF with two decimals that must be `00`); the port counts in ISO
 * 4217 minor units. `toStripeAmount`/`fromStripeAmount` convert exactly or refuse.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isCurrency, minorUnitDigits } from '../../../platform/money.ts';
import {
  type CreatePaymentInput,
  type CreatePaymentResult,
  type PaymentEvent,
  type PaymentProvider,
  type ProviderAck,
  type ProviderContext,
  ProviderError,
  type ProviderEvent,
  type RawCallback,
  type RefundEvent,
  type RefundInput,
  SettingsError,
  type VerifyResult,
} from '../provider.ts';

export interface StripeSettings {
  /** Secret API key `sk_live_…` / `sk_test_…` (or a restricted key `rk_…`), kept exactly. */
  secretKey: string;
  /** Webhook endpoint signing secret `whsec_…`, used exactly as given (prefix included). */
  webhookSecret: string;
}

export const STRIPE_DEFAULT_BASE_URL = 'https://api.stripe.com';
/** Metadata keys orderhub writes on PaymentIntents and refunds. */
export const STRIPE_TRADE_NO_KEY = 'orderhub_trade_no';
export const STRIPE_REFUND_NO_KEY = 'orderhub_refund_no';
const REQUEST_TIMEOUT_MS = 15_000;

// https://docs.stripe.com/currencies — zero-decimal and three-decimal presentment currencies; all
// others count in hundredths in the API (ISK and HUF included, as two-decimal values ending in 00).
const STRIPE_ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const STRIPE_THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

export function stripeDigits(currency: string): number {
  const c = currency.toUpperCase();
  if (STRIPE_ZERO_DECIMAL.has(c)) return 0;
  if (STRIPE_THREE_DECIMAL.has(c)) return 3;
  return 2;
}

function isoDigits(currency: string): number | null {
  const c = currency.toUpperCase();
  return isCurrency(c) ? minorUnitDigits(c) : null;
}

/** ISO minor units → Stripe API amount; null when the currency is unknown or the amount not representable. */
export function toStripeAmount(amount: number, currency: string): number | null {
  const iso = isoDigits(currency);
  if (iso === null || !Number.isSafeInteger(amount) || amount < 0) return null;
  const shift = stripeDigits(currency) - iso;
  if (shift >= 0) {
    const v = amount * 10 ** shift;
    return Number.isSafeInteger(v) ? v : null;
  }
  const div = 10 ** -shift;
  return amount % div === 0 ? amount / div : null;
}

/** Stripe API amount → ISO minor units; null when unknown currency or a fraction ISO cannot hold. */
export function fromStripeAmount(amount: unknown, currency: string): number | null {
  const iso = isoDigits(currency);
  if (iso === null || typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) return null;
  const shift = iso - stripeDigits(currency);
  if (shift >= 0) {
    const v = amount * 10 ** shift;
    return Number.isSafeInteger(v) ? v : null;
  }
  const div = 10 ** -shift;
  return amount % div === 0 ? amount / div : null;
}

// ---------------------------------------------------------------------------------------------
// Webhook signature

/** Hex HMAC-SHA256 of `{t}.{body}` over the raw body bytes. */
export function stripeSignature(secret: string, timestamp: string | number, body: Buffer | string): string {
  return createHmac('sha256', secret)
    .update(`${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
}

/** A `Stripe-Signature` header value (`t=…,v1=…`) for a body, as Stripe sends it. */
export function stripeSignatureHeader(secret: string, timestamp: number, body: Buffer | string): string {
  return `t=${timestamp},v1=${stripeSignature(secret, timestamp, body)}`;
}

interface ParsedHeader {
  t: string;
  v1: string[];
}

function parseSignatureHeader(header: string): ParsedHeader | null {
  let t: string | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't') t = v;
    else if (k === 'v1') v1.push(v);
  }
  if (t === null || !/^\d{1,12}$/.test(t) || v1.length === 0) return null;
  return { t, v1 };
}

// ---------------------------------------------------------------------------------------------
// Stripe objects → port events

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function unixDate(v: unknown): Date | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? new Date(v * 1000) : null;
}

function metadata(obj: Json, key: string): string | null {
  return isObj(obj['metadata']) ? str(obj['metadata'][key]) : null;
}

class Malformed extends Error {}

function currencyOf(obj: Json): string {
  const c = str(obj['currency']);
  if (!c || !/^[a-zA-Z]{3}$/.test(c) || isoDigits(c) === null)
    throw new Malformed(`unknown currency ${String(obj['currency'])}`);
  return c.toUpperCase();
}

function amountOf(obj: Json, field: string, currency: string): number {
  const v = fromStripeAmount(obj[field], currency);
  if (v === null) throw new Malformed(`${field} ${String(obj[field])} is not an amount in ${currency}`);
  return v;
}

const PI_STATUS: Record<string, PaymentEvent['status']> = {
  succeeded: 'succeeded',
  processing: 'pending',
  requires_payment_method: 'pending',
  requires_confirmation: 'pending',
  requires_action: 'pending',
  requires_capture: 'pending',
  canceled: 'closed',
};

/**
 * A PaymentIntent as a payment event. `eventStatus` overrides the mapping from the intent's own
 * status (a `payment_intent.payment_failed` event leaves the intent at `requires_payment_method`).
 */
export function paymentIntentToEvent(
  pi: Json,
  merchantTradeNo: string,
  opts: { eventStatus?: PaymentEvent['status']; providerTime: Date | null },
): PaymentEvent {
  const id = str(pi['id']);
  if (!id) throw new Malformed('PaymentIntent without id');
  const providerStatus = str(pi['status']) ?? 'unknown';
  const status = opts.eventStatus ?? PI_STATUS[providerStatus];
  if (!status) throw new Malformed(`unknown PaymentIntent status ${providerStatus}`);
  const currency = currencyOf(pi);
  // Money received is amount_received; before success the intent's amount says what is expected.
  const amount =
    status === 'succeeded' ? amountOf(pi, 'amount_received', currency) : amountOf(pi, 'amount', currency);
  return {
    kind: 'payment',
    providerTxnId: id,
    merchantTradeNo,
    status,
    amount,
    currency,
    fee: null,
    providerTime: opts.providerTime,
    providerStatus,
  };
}

const REFUND_STATUS: Record<string, RefundEvent['status']> = {
  succeeded: 'succeeded',
  pending: 'processing',
  requires_action: 'processing',
  failed: 'failed',
  canceled: 'closed',
};

/** A Stripe Refund as a refund event; null when the refund was not made through orderhub. */
export function refundToEvent(re: Json, fallbackTradeNo: string | null): RefundEvent | null {
  const merchantRefundNo = metadata(re, STRIPE_REFUND_NO_KEY);
  const merchantTradeNo = metadata(re, STRIPE_TRADE_NO_KEY) ?? fallbackTradeNo;
  if (!merchantRefundNo || !merchantTradeNo) return null;
  const providerStatus = str(re['status']) ?? 'unknown';
  const status = REFUND_STATUS[providerStatus];
  if (!status) throw new Malformed(`unknown refund status ${providerStatus}`);
  const currency = currencyOf(re);
  return {
    kind: 'refund',
    providerRefundId: str(re['id']),
    merchantRefundNo,
    merchantTradeNo,
    status,
    amount: amountOf(re, 'amount', currency),
    currency,
    providerTime: unixDate(re['created']),
    providerStatus,
  };
}

const PI_EVENTS: Record<string, PaymentEvent['status']> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'closed',
  'payment_intent.processing': 'pending',
};

function eventToProviderEvent(evt: Json): ProviderEvent {
  const type = str(evt['type']) ?? '';
  const data = evt['data'];
  const obj = isObj(data) && isObj(data['object']) ? data['object'] : null;
  const created = unixDate(evt['created']);
  const piStatus = PI_EVENTS[type];
  if (piStatus) {
    if (obj?.['object'] !== 'payment_intent') throw new Malformed(`${type} without a PaymentIntent`);
    const tradeNo = metadata(obj, STRIPE_TRADE_NO_KEY);
    if (!tradeNo)
      return {
        kind: 'ignored',
        code: 'FOREIGN_PAYMENT',
        params: { eventType: type },
        reason: `${type} for a PaymentIntent orderhub did not create (no ${STRIPE_TRADE_NO_KEY})`,
      };
    return paymentIntentToEvent(obj, tradeNo, { eventStatus: piStatus, providerTime: created });
  }
  if (type === 'refund.created' || type === 'refund.updated' || type === 'charge.refund.updated') {
    if (obj?.['object'] !== 'refund') throw new Malformed(`${type} without a refund`);
    return (
      refundToEvent(obj, null) ?? {
        kind: 'ignored',
        code: 'FOREIGN_REFUND',
        params: { eventType: type },
        reason: `${type} for a refund orderhub did not make (no ${STRIPE_REFUND_NO_KEY})`,
      }
    );
  }
  if (type === 'charge.refunded') {
    if (obj?.['object'] !== 'charge') throw new Malformed(`${type} without a charge`);
    // The charge snapshot lists its refunds (newest first) only when expanded (older API versions
    // always). The event says money went back: take the newest succeeded refund orderhub made (else
    // the newest), list order breaking ties within a second. Each refund also arrives on its own
    // refund.* events.
    const refunds =
      isObj(obj['refunds']) && Array.isArray(obj['refunds']['data']) ? obj['refunds']['data'] : [];
    const ours = refunds
      .filter(isObj)
      .filter((r) => metadata(r, STRIPE_REFUND_NO_KEY) !== null)
      .sort((a, b) => (Number(b['created']) || 0) - (Number(a['created']) || 0));
    const latest = ours.find((r) => r['status'] === 'succeeded') ?? ours[0];
    if (!latest)
      return {
        kind: 'ignored',
        code: 'FOREIGN_REFUND',
        params: { eventType: type },
        reason: 'charge.refunded without an orderhub refund in its snapshot',
      };
    return (
      refundToEvent(latest, metadata(obj, STRIPE_TRADE_NO_KEY)) ?? {
        kind: 'ignored',
        code: 'FOREIGN_REFUND',
        params: { eventType: type },
        reason: 'charge.refunded without trade number',
      }
    );
  }
  return {
    kind: 'ignored',
    code: 'EVENT_TYPE_NO_MONEY',
    params: { eventType: type || '—' },
    reason: `event type ${type || '(none)'} carries no money`,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function stripeCall(
  ctx: ProviderContext<StripeSettings>,
  method: 'GET' | 'POST',
  path: string,
  params: URLSearchParams | null,
  idempotencyKey?: string,
): Promise<{ status: number; body: Json }> {
  const base = ctx.baseUrl.replace(/\/+$/, '');
  const query = method === 'GET' && params ? `?${params.toString()}` : '';
  const headers: Record<string, string> = {
    authorization: `Bearer ${ctx.settings.secretKey}`,
    accept: 'application/json',
  };
  if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded';
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  let res: Response;
  let text: string;
  try {
    res = await ctx.fetch(`${base}${path}${query}`, {
      method,
      headers,
      body: method === 'POST' ? (params ?? new URLSearchParams()).toString() : null,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (err) {
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new ProviderError(
      timeout ? 'TIMEOUT' : 'NETWORK',
      `Stripe ${method} ${path}: ${err instanceof Error ? err.message : String(err)}`,
      true,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ProviderError(
      'BAD_RESPONSE',
      `Stripe ${method} ${path}: HTTP ${res.status}, not JSON`,
      res.status >= 500,
      res.status,
    );
  }
  if (!isObj(body))
    throw new ProviderError('BAD_RESPONSE', `Stripe ${method} ${path}: not an object`, false, res.status);
  if (res.status >= 200 && res.status < 300) return { status: res.status, body };
  const err = isObj(body['error']) ? body['error'] : {};
  const code =
    str(err['code']) ??
    (res.status === 401 ? 'authentication_failed' : (str(err['type']) ?? `http_${res.status}`));
  const message = str(err['message']) ?? `HTTP ${res.status}`;
  const shouldRetry = res.headers.get('stripe-should-retry');
  const retryable =
    shouldRetry === 'true'
      ? true
      : shouldRetry === 'false'
        ? false
        : res.status >= 500 || res.status === 429 || res.status === 409 || err['type'] === 'api_error';
  throw new ProviderError(code, `Stripe: ${message}`, retryable, res.status);
}

function badResponse(what: string, detail: string): ProviderError {
  return new ProviderError('BAD_RESPONSE', `Stripe ${what}: ${detail}`, false);
}

async function findPaymentIntent(
  ctx: ProviderContext<StripeSettings>,
  merchantTradeNo: string,
): Promise<Json | null> {
  const q = new URLSearchParams({
    query: `metadata['${STRIPE_TRADE_NO_KEY}']:'${merchantTradeNo.replace(/['\\]/g, '\\$&')}'`,
    limit: '10',
  });
  const { body } = await stripeCall(ctx, 'GET', '/v1/payment_intents/search', q);
  const data = Array.isArray(body['data']) ? body['data'].filter(isObj) : [];
  // Several intents for one trade number would be our own bug; prefer one that succeeded.
  return data.find((pi) => pi['status'] === 'succeeded') ?? data[0] ?? null;
}

async function retrievePaymentIntent(ctx: ProviderContext<StripeSettings>, id: string): Promise<Json | null> {
  try {
    return (await stripeCall(ctx, 'GET', `/v1/payment_intents/${encodeURIComponent(id)}`, null)).body;
  } catch (err) {
    if (err instanceof ProviderError && err.httpStatus === 404) return null;
    throw err;
  }
}

function wrapMalformed<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Malformed) throw badResponse(what, err.message);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------

export const stripeProvider: PaymentProvider<StripeSettings> = {
  name: 'stripe',
  defaultBaseUrl: STRIPE_DEFAULT_BASE_URL,

  parseSettings(input: unknown): StripeSettings {
    if (!isObj(input))
      throw new SettingsError('secretKey', 'Stripe settings need secretKey and webhookSecret');
    const { secretKey, webhookSecret } = input;
    if (typeof secretKey !== 'string' || !/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(secretKey))
      throw new SettingsError(
        'secretKey',
        'secretKey must be a Stripe secret key (sk_live_… or sk_test_…), without spaces',
      );
    if (typeof webhookSecret !== 'string' || !/^whsec_[A-Za-z0-9_+/=]+$/.test(webhookSecret))
      throw new SettingsError(
        'webhookSecret',
        'webhookSecret must be the endpoint signing secret (whsec_…), without spaces',
      );
    return { secretKey, webhookSecret };
  },

  verifyCallback(raw: RawCallback, settings: StripeSettings, opts): VerifyResult {
    const header = raw.headers['stripe-signature'];
    if (!header) return { ok: false, reason: 'SIGNATURE_INVALID', message: 'no Stripe-Signature header' };
    const parsed = parseSignatureHeader(header);
    if (!parsed)
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'Stripe-Signature has no t= and v1= values' };
    const expected = Buffer.from(stripeSignature(settings.webhookSecret, parsed.t, raw.body), 'hex');
    let matched = false;
    for (const v of parsed.v1) {
      const got = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : null;
      // Compare every candidate, so the time taken does not tell which one matched.
      if (got && got.length === expected.length && timingSafeEqual(got, expected)) matched = true;
    }
    if (!matched)
      return {
        ok: false,
        reason: 'SIGNATURE_INVALID',
        message: 'no v1 signature matches the webhook secret',
      };
    const t = Number(parsed.t);
    const sentAt = new Date(t * 1000);
    const age = Math.floor(opts.now.getTime() / 1000) - t;
    if (opts.replayWindowSeconds > 0 && age > opts.replayWindowSeconds)
      return {
        ok: false,
        reason: 'REPLAY_WINDOW',
        message: `signed ${age} s ago, beyond the replay window of ${opts.replayWindowSeconds} s`,
      };
    let evt: unknown;
    try {
      evt = JSON.parse(raw.body.toString('utf8'));
    } catch {
      return { ok: false, reason: 'MALFORMED', message: 'body is not JSON' };
    }
    if (!isObj(evt) || !str(evt['id']) || !str(evt['type']))
      return { ok: false, reason: 'MALFORMED', message: 'not a Stripe event (id, type)' };
    try {
      return {
        ok: true,
        eventId: str(evt['id']) as string,
        event: eventToProviderEvent(evt),
        sentAt,
        decoded: evt,
      };
    } catch (err) {
      if (err instanceof Malformed) return { ok: false, reason: 'MALFORMED', message: err.message };
      throw err;
    }
  },

  ack(ok: boolean, message?: string): ProviderAck {
    return ok
      ? { status: 200, contentType: 'application/json', body: '{"received":true}' }
      : {
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ error: message ?? 'refused' }),
        };
  },

  async createPayment(ctx, input: CreatePaymentInput): Promise<CreatePaymentResult> {
    const amount = toStripeAmount(input.amount, input.currency);
    if (amount === null || amount <= 0)
      throw new ProviderError(
        'AMOUNT_INVALID',
        `${input.amount} ${input.currency} cannot be charged through Stripe`,
        false,
      );
    const params = new URLSearchParams({
      amount: String(amount),
      currency: input.currency.toLowerCase(),
      description: input.description,
      [`metadata[${STRIPE_TRADE_NO_KEY}]`]: input.merchantTradeNo,
    });
    const { body } = await stripeCall(ctx, 'POST', '/v1/payment_intents', params, input.idempotencyKey);
    const id = str(body['id']);
    const clientSecret = str(body['client_secret']);
    if (!id || !clientSecret) throw badResponse('create PaymentIntent', 'no id or client_secret');
    return { client: { clientSecret }, providerRef: id };
  },

  async queryPayment(ctx, input): Promise<PaymentEvent | null> {
    const pi = input.providerRef
      ? await retrievePaymentIntent(ctx, input.providerRef)
      : await findPaymentIntent(ctx, input.merchantTradeNo);
    if (!pi) return null;
    const tradeNo = metadata(pi, STRIPE_TRADE_NO_KEY);
    if (tradeNo !== input.merchantTradeNo)
      throw new ProviderError(
        'TRADE_MISMATCH',
        `PaymentIntent ${String(pi['id'])} belongs to trade ${tradeNo ?? '(none)'}, not ${input.merchantTradeNo}`,
        false,
      );
    return wrapMalformed('PaymentIntent', () =>
      paymentIntentToEvent(pi, input.merchantTradeNo, { providerTime: null }),
    );
  },

  async refund(ctx, input: RefundInput): Promise<RefundEvent> {
    let pi = input.providerRef ?? input.providerTxnId;
    if (!pi) {
      const found = await findPaymentIntent(ctx, input.merchantTradeNo);
      pi = found ? str(found['id']) : null;
    }
    if (!pi)
      throw new ProviderError(
        'PAYMENT_UNKNOWN',
        `no PaymentIntent for trade ${input.merchantTradeNo}`,
        false,
      );
    const amount = toStripeAmount(input.amount, input.currency);
    if (amount === null || amount <= 0)
      throw new ProviderError(
        'AMOUNT_INVALID',
        `${input.amount} ${input.currency} cannot be refunded through Stripe`,
        false,
      );
    const params = new URLSearchParams({
      payment_intent: pi,
      amount: String(amount),
      [`metadata[${STRIPE_REFUND_NO_KEY}]`]: input.merchantRefundNo,
      [`metadata[${STRIPE_TRADE_NO_KEY}]`]: input.merchantTradeNo,
    });
    // Metadata values hold up to 500 characters.
    if (input.reason) params.set('metadata[orderhub_reason]', input.reason.slice(0, 500));
    const { body } = await stripeCall(ctx, 'POST', '/v1/refunds', params, input.merchantRefundNo);
    const evt = wrapMalformed('refund', () => refundToEvent(body, input.merchantTradeNo));
    if (!evt || evt.merchantRefundNo !== input.merchantRefundNo)
      throw badResponse(
        'refund',
        `refund ${String(body['id'])} does not carry refund number ${input.merchantRefundNo}`,
      );
    return evt;
  },

  async queryRefund(ctx, input): Promise<RefundEvent | null> {
    let re: Json | null = null;
    if (input.providerRefundId) {
      try {
        re = (await stripeCall(ctx, 'GET', `/v1/refunds/${encodeURIComponent(input.providerRefundId)}`, null))
          .body;
      } catch (err) {
        if (!(err instanceof ProviderError && err.httpStatus === 404)) throw err;
      }
    } else {
      const pi = await findPaymentIntent(ctx, input.merchantTradeNo);
      const piId = pi ? str(pi['id']) : null;
      if (!piId) return null;
      const { body } = await stripeCall(
        ctx,
        'GET',
        '/v1/refunds',
        new URLSearchParams({ payment_intent: piId, limit: '100' }),
      );
      const data = Array.isArray(body['data']) ? body['data'].filter(isObj) : [];
      re = data.find((r) => metadata(r, STRIPE_REFUND_NO_KEY) === input.merchantRefundNo) ?? null;
    }
    if (!re) return null;
    const found = re;
    const evt = wrapMalformed('refund', () => refundToEvent(found, input.merchantTradeNo));
    if (!evt || evt.merchantRefundNo !== input.merchantRefundNo)
      throw badResponse(
        'refund',
        `refund ${String(found['id'])} does not carry refund number ${input.merchantRefundNo}`,
      );
    return evt;
  },
};
