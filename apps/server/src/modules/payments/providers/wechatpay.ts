/**
 * WeChat Pay API v3 adapter (PROTOCOLS.md B1): callbacks verified on their raw bytes with the key named
 * by `Wechatpay-Serial`, resources decrypted with the API v3 key, outbound calls signed with the merchant
 * key and their responses verified with the platform key. Never refuses a callback for clock difference.
 */
import type {
  CallbackRefusal,
  CreatePaymentInput,
  CreatePaymentResult,
  PaymentEvent,
  PaymentProvider,
  ProviderAck,
  ProviderContext,
  RawCallback,
  RefundEvent,
  RefundInput,
  VerifyResult,
} from '../provider.ts';
import { ProviderError } from '../provider.ts';
import {
  authorizationHeader,
  decryptResource,
  jsapiPaySigningString,
  parseRfc3339,
  requestSigningString,
  responseSigningBytes,
  rsaSign,
  rsaVerify,
  toBeijingRfc3339,
  WECHATPAY_AUTH_SCHEMA,
  WECHATPAY_SIGNTEST_PREFIX,
  wechatNonce,
} from './wechatpay-crypto.ts';
import {
  merchantKeyOf,
  parseWechatPaySettings,
  platformKeyOf,
  type WechatPaySettings,
} from './wechatpay-settings.ts';

export type { WechatPayPlatformKey, WechatPaySettings } from './wechatpay-settings.ts';

export const WECHATPAY_DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';
const DEFAULT_TIMEOUT_MS = 10_000;
const NOT_EXIST_CODES = new Set(['ORDER_NOT_EXIST', 'RESOURCE_NOT_EXISTS']);

// ---------------------------------------------------------------------------------------------
// Mapping of decrypted resources and query answers

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Malformed extends Error {}

function fen(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new Malformed(`${what} is not a whole number of fen`);
  return v;
}

function text(o: Json, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new Malformed(`${key} is missing`);
  return v;
}

function optText(o: Json, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

function time(o: Json, key: string): Date | null {
  const v = o[key];
  if (v === undefined || v === null || v === '') return null;
  const d = parseRfc3339(v);
  if (!d) throw new Malformed(`${key} is not an RFC 3339 time`);
  return d;
}

function currencyOf(amount: Json): string {
  const c = amount.currency;
  if (c === undefined) return 'CNY';
  if (typeof c !== 'string' || !/^[A-Za-z]{3}$/.test(c))
    throw new Malformed('amount.currency is not a currency');
  return c.toUpperCase();
}

const TRADE_STATES: Record<string, PaymentEvent['status']> = {
  SUCCESS: 'succeeded',
  // The money was received; a refund was (or is being) made against it and is counted on its own.
  REFUND: 'succeeded',
  NOTPAY: 'pending',
  USERPAYING: 'pending',
  ACCEPT: 'pending',
  CLOSED: 'closed',
  REVOKED: 'closed',
  PAYERROR: 'failed',
};

/** A transaction (notification resource or query answer) as a PaymentEvent. */
export function transactionToEvent(t: Json): PaymentEvent {
  const providerStatus = text(t, 'trade_state');
  const status = TRADE_STATES[providerStatus];
  if (!status) throw new Malformed(`unknown trade_state ${providerStatus}`);
  const amount = isObj(t.amount) ? t.amount : {};
  const total = amount.total;
  if (total === undefined && status === 'succeeded') throw new Malformed('amount.total is missing');
  return {
    kind: 'payment',
    providerTxnId: optText(t, 'transaction_id'),
    merchantTradeNo: text(t, 'out_trade_no'),
    status,
    amount: total === undefined ? 0 : fen(total, 'amount.total'),
    currency: currencyOf(amount),
    fee: null,
    providerTime: time(t, 'success_time'),
    providerStatus,
  };
}

const REFUND_STATES: Record<string, RefundEvent['status']> = {
  SUCCESS: 'succeeded',
  PROCESSING: 'processing',
  ABNORMAL: 'failed',
  CLOSED: 'closed',
};

/** A refund (notification resource: `refund_status`; API answer: `status`) as a RefundEvent. */
export function refundToEvent(r: Json): RefundEvent {
  const providerStatus = optText(r, 'refund_status') ?? text(r, 'status');
  const status = REFUND_STATES[providerStatus];
  if (!status) throw new Malformed(`unknown refund status ${providerStatus}`);
  if (!isObj(r.amount)) throw new Malformed('amount is missing');
  return {
    kind: 'refund',
    providerRefundId: optText(r, 'refund_id'),
    merchantRefundNo: text(r, 'out_refund_no'),
    merchantTradeNo: text(r, 'out_trade_no'),
    status,
    amount: fen(r.amount.refund, 'amount.refund'),
    currency: currencyOf(r.amount),
    providerTime: time(r, 'success_time'),
    providerStatus,
  };
}

// ---------------------------------------------------------------------------------------------
// Callbacks

const refuse = (reason: CallbackRefusal, message: string): VerifyResult => ({ ok: false, reason, message });

function header(raw: RawCallback, name: string): string | undefined {
  const v = raw.headers[name];
  return typeof v === 'string' ? v.trim() : undefined;
}

export function verifyWechatPayCallback(raw: RawCallback, settings: WechatPaySettings): VerifyResult {
  const signature = header(raw, 'wechatpay-signature');
  const serial = header(raw, 'wechatpay-serial');
  const timestamp = header(raw, 'wechatpay-timestamp');
  const nonce = header(raw, 'wechatpay-nonce');
  if (!signature || !serial || !timestamp || !nonce)
    return refuse('MALFORMED', 'Wechatpay-Signature, -Serial, -Timestamp and -Nonce headers are required');
  if (signature.startsWith(WECHATPAY_SIGNTEST_PREFIX))
    return refuse('SIGNTEST_PROBE', 'a WECHATPAY/SIGNTEST/ probe signature, refused as WeChat Pay expects');
  const signatureType = header(raw, 'wechatpay-signature-type');
  if (signatureType && signatureType !== WECHATPAY_AUTH_SCHEMA)
    return refuse('SIGNATURE_INVALID', `unsupported signature type ${signatureType}`);
  if (!/^\d{1,12}$/.test(timestamp)) return refuse('MALFORMED', 'Wechatpay-Timestamp is not Unix seconds');
  const key = platformKeyOf(settings, serial);
  if (!key) return refuse('SERIAL_UNKNOWN', `no platform certificate or public key with serial ${serial}`);
  if (!rsaVerify(key, responseSigningBytes(timestamp, nonce, raw.body), signature))
    return refuse('SIGNATURE_INVALID', `the signature does not verify with ${serial}`);

  // Signed by WeChat Pay from here on; what follows can only be a broken message or a wrong account.
  const sentAt = new Date(Number(timestamp) * 1000);
  let envelope: unknown;
  try {
    envelope = JSON.parse(raw.body.toString('utf8'));
  } catch {
    return refuse('MALFORMED', 'the body is not JSON');
  }
  if (!isObj(envelope) || typeof envelope.id !== 'string' || envelope.id === '' || !isObj(envelope.resource))
    return refuse('MALFORMED', 'the notification has no id or resource');
  const resource = envelope.resource;
  if (resource.algorithm !== 'AEAD_AES_256_GCM')
    return refuse('MALFORMED', `unsupported resource algorithm ${String(resource.algorithm)}`);
  if (typeof resource.ciphertext !== 'string' || typeof resource.nonce !== 'string')
    return refuse('MALFORMED', 'the resource has no ciphertext or nonce');
  const aad = typeof resource.associated_data === 'string' ? resource.associated_data : '';
  let plain: string;
  try {
    plain = decryptResource(settings.apiV3Key, resource.nonce, aad, resource.ciphertext);
  } catch {
    return refuse(
      'DECRYPT_FAILED',
      'the resource does not decrypt with the API v3 key (wrong key or altered)',
    );
  }
  let content: unknown;
  try {
    content = JSON.parse(plain);
  } catch {
    return refuse('MALFORMED', 'the decrypted resource is not JSON');
  }
  if (!isObj(content)) return refuse('MALFORMED', 'the decrypted resource is not an object');
  if (content.mchid !== undefined && content.mchid !== settings.mchId)
    return refuse(
      'ACCOUNT_MISMATCH',
      `mchid ${String(content.mchid)} is not this account's ${settings.mchId}`,
    );
  if (content.sp_mchid !== undefined && content.sp_mchid !== settings.mchId)
    return refuse('ACCOUNT_MISMATCH', `sp_mchid ${String(content.sp_mchid)} is not ${settings.mchId}`);
  if (content.appid !== undefined && content.appid !== settings.appId)
    return refuse(
      'ACCOUNT_MISMATCH',
      `appid ${String(content.appid)} is not this account's ${settings.appId}`,
    );
  if (content.mchid === undefined && content.sp_mchid === undefined)
    return refuse('ACCOUNT_MISMATCH', 'the resource names no merchant');

  const eventType = typeof envelope.event_type === 'string' ? envelope.event_type : '';
  const decoded = {
    id: envelope.id,
    create_time: envelope.create_time,
    event_type: envelope.event_type,
    resource_type: envelope.resource_type,
    summary: envelope.summary,
    original_type: resource.original_type,
    resource: content,
  };
  try {
    if (eventType.startsWith('TRANSACTION.'))
      return { ok: true, eventId: envelope.id, event: transactionToEvent(content), sentAt, decoded };
    if (eventType.startsWith('REFUND.'))
      return { ok: true, eventId: envelope.id, event: refundToEvent(content), sentAt, decoded };
  } catch (err) {
    if (err instanceof Malformed) return refuse('MALFORMED', err.message);
    throw err;
  }
  return {
    ok: true,
    eventId: envelope.id,
    event: {
      kind: 'ignored',
      code: 'EVENT_TYPE_NO_MONEY',
      params: { eventType: eventType || '—' },
      reason: `event type ${eventType || '(none)'} carries no payment`,
    },
    sentAt,
    decoded,
  };
}

/** WeChat decides by status alone: 2xx received; anything else is retried on its schedule. */
export function wechatPayAck(ok: boolean, message?: string): ProviderAck {
  if (ok)
    return {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ code: 'SUCCESS', message: message ?? '成功' }),
    };
  return {
    status: 400,
    contentType: 'application/json',
    body: JSON.stringify({ code: 'FAIL', message: message ?? '失败' }),
  };
}

// ---------------------------------------------------------------------------------------------
// Outbound API

interface ApiAnswer {
  status: number;
  body: Json | null;
}

/** The full URL, and the path with query exactly as the server will see it (what gets signed). */
function target(baseUrl: string, pathWithQuery: string): { href: string; signedPath: string } {
  const url = new URL(baseUrl.replace(/\/+$/, '') + pathWithQuery);
  return { href: url.href, signedPath: url.pathname + url.search };
}

/**
 * Signs a call, sends it through `ctx.fetch` and verifies the answer's signature. "Does not exist"
 * answers come back as status 404; other failures throw a ProviderError (retryable for 5xx, 429, timeouts).
 */
async function call(
  ctx: ProviderContext<WechatPaySettings>,
  method: 'GET' | 'POST',
  pathWithQuery: string,
  payload?: Json,
): Promise<ApiAnswer> {
  const s = ctx.settings;
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const timestamp = String(Math.floor(ctx.now.getTime() / 1000));
  const nonce = wechatNonce();
  let to: { href: string; signedPath: string };
  try {
    to = target(ctx.baseUrl, pathWithQuery);
  } catch {
    throw new ProviderError('BASE_URL_INVALID', `the account's base URL ${ctx.baseUrl} is not a URL`, false);
  }
  const signature = rsaSign(
    merchantKeyOf(s),
    requestSigningString(method, to.signedPath, timestamp, nonce, body),
  );
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: authorizationHeader({
      mchid: s.mchId,
      nonce_str: nonce,
      timestamp,
      serial_no: s.merchantSerialNo,
      signature,
    }),
    'User-Agent': 'orderhub-wechatpay/1',
  };
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  const what = `${method} ${pathWithQuery.split('?')[0]}`;

  let res: Response;
  let raw: Buffer;
  try {
    res = await ctx.fetch(to.href, {
      method,
      headers,
      ...(payload === undefined ? {} : { body }),
      signal: AbortSignal.timeout(s.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    raw = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new ProviderError('TIMEOUT', `WeChat Pay did not answer ${what} in time`, true);
    throw new ProviderError('NETWORK', `WeChat Pay unreachable for ${what}: ${(err as Error).message}`, true);
  }

  let parsed: Json | null = null;
  if (raw.length > 0) {
    try {
      const v = JSON.parse(raw.toString('utf8')) as unknown;
      parsed = isObj(v) ? v : null;
    } catch {
      parsed = null;
    }
  }
  const code = typeof parsed?.code === 'string' ? parsed.code : null;
  const message = typeof parsed?.message === 'string' ? parsed.message : null;

  if (res.status >= 500 || res.status === 429)
    throw new ProviderError(
      code ?? `HTTP_${res.status}`,
      `WeChat Pay ${what}: ${message ?? `HTTP ${res.status}`}`,
      true,
      res.status,
    );

  // Everything WeChat Pay answers is signed; an answer we act on (2xx, "does not exist") must verify.
  const success = res.status >= 200 && res.status < 300;
  const notExist = res.status >= 400 && code !== null && NOT_EXIST_CODES.has(code);
  if (success || notExist) {
    const serial = res.headers.get('wechatpay-serial');
    const sig = res.headers.get('wechatpay-signature');
    const ts = res.headers.get('wechatpay-timestamp');
    const rn = res.headers.get('wechatpay-nonce');
    if (!serial || !sig || !ts || !rn)
      throw new ProviderError(
        'RESPONSE_UNSIGNED',
        `WeChat Pay answer to ${what} is not signed`,
        false,
        res.status,
      );
    const key = platformKeyOf(s, serial);
    if (!key)
      throw new ProviderError(
        'SERIAL_UNKNOWN',
        `WeChat Pay answer to ${what} is signed with ${serial}, which the account does not list`,
        false,
        res.status,
      );
    if (!rsaVerify(key, responseSigningBytes(ts, rn, raw), sig))
      throw new ProviderError(
        'RESPONSE_SIGNATURE_INVALID',
        `WeChat Pay answer to ${what} does not verify`,
        false,
        res.status,
      );
    // "No such trade / refund" is an answer, not a failure; a bare 404 (wrong base URL) is a failure.
    return { status: success ? res.status : 404, body: parsed };
  }
  throw new ProviderError(
    code ?? `HTTP_${res.status}`,
    `WeChat Pay refused ${what}: ${message ?? `HTTP ${res.status}`}`,
    false,
    res.status,
  );
}

function answerBody(a: ApiAnswer, what: string): Json {
  if (!a.body)
    throw new ProviderError('MALFORMED', `WeChat Pay answered ${what} without a JSON body`, false, a.status);
  return a.body;
}

function mapped<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Malformed)
      throw new ProviderError('MALFORMED', `WeChat Pay answer to ${what}: ${err.message}`, false);
    throw err;
  }
}

function requireCny(currency: string): void {
  if (currency !== 'CNY')
    throw new ProviderError(
      'CURRENCY_UNSUPPORTED',
      `WeChat Pay (domestic) takes CNY, not ${currency}`,
      false,
    );
}

/** Characters, not bytes: WeChat limits `description` to 127 and refund `reason` to 80. */
const clip = (s: string, n: number) => Array.from(s).slice(0, n).join('');

async function createPayment(
  ctx: ProviderContext<WechatPaySettings>,
  input: CreatePaymentInput,
): Promise<CreatePaymentResult> {
  const s = ctx.settings;
  requireCny(input.currency);
  const mode = input.mode ?? 'native';
  if (mode === 'jsapi' && !input.payerOpenId)
    throw new ProviderError('PARAM_ERROR', 'a JSAPI payment needs the payer openid', false);
  const payload: Json = {
    appid: s.appId,
    mchid: s.mchId,
    description: clip(input.description || input.merchantTradeNo, 127),
    out_trade_no: input.merchantTradeNo,
    time_expire: toBeijingRfc3339(input.expiresAt),
    notify_url: ctx.notifyUrl,
    amount: { total: input.amount, currency: 'CNY' },
  };
  if (mode === 'jsapi') payload.payer = { openid: input.payerOpenId };
  const path = mode === 'jsapi' ? '/v3/pay/transactions/jsapi' : '/v3/pay/transactions/native';
  const answer = await call(ctx, 'POST', path, payload);
  if (answer.status === 404) throw new ProviderError('NOT_FOUND', `WeChat Pay has no ${path}`, false, 404);
  const body = answerBody(answer, path);
  if (mode === 'native') {
    if (typeof body.code_url !== 'string' || body.code_url === '')
      throw new ProviderError('MALFORMED', 'WeChat Pay answered without code_url', false);
    return { client: { codeUrl: body.code_url }, providerRef: null };
  }
  if (typeof body.prepay_id !== 'string' || body.prepay_id === '')
    throw new ProviderError('MALFORMED', 'WeChat Pay answered without prepay_id', false);
  const timeStamp = String(Math.floor(ctx.now.getTime() / 1000));
  const nonceStr = wechatNonce();
  const pkg = `prepay_id=${body.prepay_id}`;
  const paySign = rsaSign(merchantKeyOf(s), jsapiPaySigningString(s.appId, timeStamp, nonceStr, pkg));
  return {
    client: { appId: s.appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign },
    providerRef: body.prepay_id,
  };
}

async function queryPayment(
  ctx: ProviderContext<WechatPaySettings>,
  input: { merchantTradeNo: string; providerRef: string | null },
): Promise<PaymentEvent | null> {
  const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(input.merchantTradeNo)}?mchid=${encodeURIComponent(ctx.settings.mchId)}`;
  const answer = await call(ctx, 'GET', path);
  if (answer.status === 404) return null;
  const body = answerBody(answer, 'the payment query');
  if (body.mchid !== undefined && body.mchid !== ctx.settings.mchId)
    throw new ProviderError('ACCOUNT_MISMATCH', `the query answer names mchid ${String(body.mchid)}`, false);
  if (body.out_trade_no !== input.merchantTradeNo)
    throw new ProviderError('MALFORMED', `the query answer is about ${String(body.out_trade_no)}`, false);
  return mapped(() => transactionToEvent(body), 'the payment query');
}

async function refund(ctx: ProviderContext<WechatPaySettings>, input: RefundInput): Promise<RefundEvent> {
  requireCny(input.currency);
  const payload: Json = input.providerTxnId
    ? { transaction_id: input.providerTxnId }
    : { out_trade_no: input.merchantTradeNo };
  payload.out_refund_no = input.merchantRefundNo;
  if (input.reason) payload.reason = clip(input.reason, 80);
  payload.notify_url = ctx.notifyUrl;
  payload.amount = { refund: input.amount, total: input.total, currency: 'CNY' };
  const answer = await call(ctx, 'POST', '/v3/refund/domestic/refunds', payload);
  if (answer.status === 404)
    throw new ProviderError(
      'ORDER_NOT_EXIST',
      `WeChat Pay does not know ${input.merchantTradeNo}`,
      false,
      404,
    );
  const body = answerBody(answer, 'the refund');
  return mapped(() => refundToEvent(body), 'the refund');
}

async function queryRefund(
  ctx: ProviderContext<WechatPaySettings>,
  input: {
    merchantTradeNo: string;
    merchantRefundNo: string;
    providerRefundId: string | null;
    currency: string;
  },
): Promise<RefundEvent | null> {
  const path = `/v3/refund/domestic/refunds/${encodeURIComponent(input.merchantRefundNo)}`;
  const answer = await call(ctx, 'GET', path);
  if (answer.status === 404) return null;
  const body = answerBody(answer, 'the refund query');
  return mapped(() => refundToEvent(body), 'the refund query');
}

export const wechatpayProvider: PaymentProvider<WechatPaySettings> = {
  name: 'wechatpay',
  defaultBaseUrl: WECHATPAY_DEFAULT_BASE_URL,
  parseSettings: parseWechatPaySettings,
  // WeChat's timestamp is never a reason to refuse: the module records the skew from `sentAt`.
  verifyCallback: (raw, settings) => verifyWechatPayCallback(raw, settings),
  ack: wechatPayAck,
  createPayment,
  queryPayment,
  refund,
  queryRefund,
};
