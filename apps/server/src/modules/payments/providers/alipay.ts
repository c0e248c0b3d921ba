/**
 * Alipay adapter (open platform, `gateway.do`, RSA2).
 *
 * - Requests: every parameter but `sign` (`sign_type` included), sorted by key, `k=v` joined by `&`
 *   with raw values, signed RSA-SHA256 with the app private key, base64.
 * - Responses: `{"<method>_response":{…},"sign":"…"}`, verified with the Alipay public key over the raw
 *   substring of the `_response` value exactly as received.
 * - Notifications (`notify_url`): the form body decoded once in its `charset`, `sign` and `sign_type`
 *   dropped, sorted, joined, RSA2-verified with the Alipay public key. Whether empty values are part of
 *   the signed string is not confirmed: the `notifyEmptyValues` setting decides (default: try with them,
 *   then without).
 * - Money is yuan strings with at most two decimals (decimal.js), times are Beijing time.
 */
import { createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';
import { Decimal } from 'decimal.js';
import {
  type CreatePaymentInput,
  type CreatePaymentResult,
  type IgnoredEvent,
  type PaymentEvent,
  type PaymentProvider,
  type ProviderAck,
  type ProviderContext,
  ProviderError,
  type RawCallback,
  type RefundEvent,
  type RefundInput,
  SettingsError,
  type VerifyResult,
} from '../provider.ts';

export type AlipayEmptyValueRule = 'try-both' | 'keep' | 'drop';

export interface AlipaySettings {
  appId: string;
  /** The app private key as a PKCS#8 PEM (PKCS#1 PEM and bare base64 are accepted and converted). */
  appPrivateKey: string;
  /** The Alipay public key as an SPKI PEM (bare base64 accepted and converted). */
  alipayPublicKey: string;
  /** The merchant's Alipay user id (2088…); when set, notifications for another seller are refused. */
  sellerId: string | null;
  /** Empty-valued notification parameters in the signed string: keep, drop, or try keep then drop. */
  notifyEmptyValues: AlipayEmptyValueRule;
}

export const ALIPAY_DEFAULT_GATEWAY = 'https://openapi.alipay.com/gateway.do';
const REQUEST_TIMEOUT_MS = 15_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

// ---------------------------------------------------------------------------------------------
// Keys

function der(b64: string): Buffer | null {
  const clean = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return null;
  return Buffer.from(clean, 'base64');
}

/** A private key from a PEM (PKCS#8 or PKCS#1) or bare base64 DER as Alipay's key tool gives it. */
export function loadPrivateKey(input: string): KeyObject {
  const text = input.trim();
  if (text.startsWith('-----BEGIN')) return createPrivateKey({ key: text, format: 'pem' });
  const body = der(text);
  if (!body) throw new Error('not PEM or base64');
  try {
    return createPrivateKey({ key: body, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: body, format: 'der', type: 'pkcs1' });
  }
}

/** A public key from a PEM (SPKI, PKCS#1 or a certificate) or bare base64 SPKI DER. */
export function loadPublicKey(input: string): KeyObject {
  const text = input.trim();
  if (text.startsWith('-----BEGIN')) return createPublicKey({ key: text, format: 'pem' });
  const body = der(text);
  if (!body) throw new Error('not PEM or base64');
  try {
    return createPublicKey({ key: body, format: 'der', type: 'spki' });
  } catch {
    return createPublicKey({ key: body, format: 'der', type: 'pkcs1' });
  }
}

const keyCache = new Map<string, KeyObject>();
function cachedKey(pem: string, kind: 'private' | 'public'): KeyObject {
  let k = keyCache.get(pem);
  if (!k) {
    k = kind === 'private' ? loadPrivateKey(pem) : loadPublicKey(pem);
    if (keyCache.size > 200) keyCache.clear();
    keyCache.set(pem, k);
  }
  return k;
}

export function rsa2Sign(content: string | Buffer, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(content).sign(cachedKey(privateKeyPem, 'private'), 'base64');
}

export function rsa2Verify(content: string | Buffer, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify('RSA-SHA256')
      .update(content)
      .verify(cachedKey(publicKeyPem, 'public'), signature, 'base64');
  } catch {
    return false;
  }
}

/** The request string-to-sign: all parameters but `sign`, sorted, `k=v` joined by `&`, raw values. */
export function requestSignContent(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== undefined)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** The notification string-to-sign from decoded parameters (without `sign` and `sign_type`). */
export function notifySignContent(
  params: Readonly<Record<string, string>>,
  emptyValues: 'keep' | 'drop',
): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && (emptyValues === 'keep' || params[k] !== ''))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

// ---------------------------------------------------------------------------------------------
// Money and time

class Malformed extends Error {}

/** A yuan string (`99.9`, `99.90`, `100`) → fen; null when not a non-negative amount with ≤ 2 decimals. */
export function yuanToFen(v: string): number | null {
  if (!/^\d{1,15}(\.\d{1,2})?$/.test(v)) return null;
  const fen = new Decimal(v).times(100);
  return fen.isInteger() && fen.lte(Number.MAX_SAFE_INTEGER) ? fen.toNumber() : null;
}

export function fenToYuan(fen: number): string {
  return new Decimal(fen).div(100).toFixed(2);
}

/**
 * `yyyy-MM-dd HH:mm:ss` Beijing time (optionally `.SSS`, as in `gmt_refund`) → UTC instant; null when
 * not that shape or not a real time.
 */
export function parseBeijing(v: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s) - BEIJING_OFFSET_MS;
  return formatBeijing(new Date(utc)) === v.slice(0, 19) ? new Date(utc + ms) : null;
}

export function formatBeijing(d: Date): string {
  return new Date(d.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

function fen(params: Readonly<Record<string, string | undefined>>, field: string): number {
  const v = params[field];
  const n = v === undefined ? null : yuanToFen(v);
  if (n === null) throw new Malformed(`${field} "${v ?? ''}" is not a yuan amount with at most two decimals`);
  return n;
}

function optionalTime(params: Readonly<Record<string, string | undefined>>, field: string): Date | null {
  const v = params[field];
  if (v === undefined || v === '') return null;
  const d = parseBeijing(v);
  if (!d) throw new Malformed(`${field} "${v}" is not yyyy-MM-dd HH:mm:ss`);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Notification body

/**
 * Decodes an `application/x-www-form-urlencoded` body once, in `charset` (the body's own `charset`
 * parameter, else the Content-Type's, else UTF-8). Keeps each value's raw bytes too, so the signed
 * string can be rebuilt in the charset Alipay signed it in.
 */
export function decodeNotifyBody(
  body: Buffer,
  contentType: string | undefined,
): { params: Record<string, string>; bytes: Record<string, Buffer>; charset: string } {
  const text = body.toString('latin1');
  const pairs = text.length === 0 ? [] : text.split('&');
  const rawPairs: Array<[Buffer, Buffer]> = [];
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    const v = eq < 0 ? '' : pair.slice(eq + 1);
    rawPairs.push([percentBytes(k), percentBytes(v)]);
  }
  const charsetPair = rawPairs.find(([k]) => k.toString('latin1') === 'charset');
  const headerCharset = /charset=([^;\s]+)/i.exec(contentType ?? '')?.[1];
  const charset = (charsetPair?.[1].toString('latin1') || headerCharset || 'utf-8').toLowerCase();
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw new Malformed(`unknown charset ${charset}`);
  }
  const params: Record<string, string> = {};
  const bytes: Record<string, Buffer> = {};
  for (const [kb, vb] of rawPairs) {
    let k: string;
    let v: string;
    try {
      k = decoder.decode(kb);
      v = decoder.decode(vb);
    } catch {
      throw new Malformed(`a parameter is not valid ${charset}`);
    }
    if (Object.hasOwn(params, k)) throw new Malformed(`parameter ${k} appears twice`);
    params[k] = v;
    bytes[k] = vb;
  }
  return { params, bytes, charset };
}

function percentBytes(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) out.push(0x20);
    else if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === 0x25) throw new Malformed('a stray % in the body');
    else out.push(c);
  }
  return Buffer.from(out);
}

function notifySignBytes(
  params: Record<string, string>,
  bytes: Record<string, Buffer>,
  emptyValues: 'keep' | 'drop',
): Buffer {
  const keys = Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && (emptyValues === 'keep' || params[k] !== ''))
    .sort();
  const parts: Buffer[] = [];
  keys.forEach((k, i) => {
    if (i > 0) parts.push(Buffer.from('&'));
    // Keys are ASCII; values keep the bytes they were sent in (UTF-8 or GBK).
    parts.push(Buffer.from(`${k}=`, 'latin1'), bytes[k] as Buffer);
  });
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// Notifications → events

const TRADE_STATUS: Record<string, PaymentEvent['status']> = {
  WAIT_BUYER_PAY: 'pending',
  TRADE_SUCCESS: 'succeeded',
  TRADE_FINISHED: 'succeeded',
  TRADE_CLOSED: 'closed',
};

function notifyToEvent(p: Readonly<Record<string, string>>): PaymentEvent | RefundEvent | IgnoredEvent {
  const tradeStatus = p['trade_status'] ?? '';
  const outTradeNo = p['out_trade_no'];
  if (!outTradeNo) throw new Malformed('no out_trade_no');
  const refundFee = p['refund_fee'] ? fen(p, 'refund_fee') : 0;
  const isRefund = Boolean(p['gmt_refund']) || (Boolean(p['out_biz_no']) && refundFee > 0);
  if (isRefund) {
    const refundNo = p['out_biz_no'];
    if (!refundNo)
      return {
        kind: 'ignored',
        code: 'FOREIGN_REFUND',
        params: { eventType: tradeStatus || 'refund' },
        reason: 'refund notice without out_biz_no (a refund orderhub did not request)',
      };
    const tradeNo = p['trade_no'] ?? null;
    return {
      kind: 'refund',
      providerRefundId: tradeNo ? `${tradeNo}:${refundNo}` : null,
      merchantRefundNo: refundNo,
      merchantTradeNo: outTradeNo,
      status: 'succeeded',
      // Alipay's refund_fee is the trade's refunded total so far, not this request's share.
      amount: refundFee,
      currency: 'CNY',
      providerTime: optionalTime(p, 'gmt_refund'),
      providerStatus: tradeStatus,
    };
  }
  const status = TRADE_STATUS[tradeStatus];
  if (!status)
    return {
      kind: 'ignored',
      code: 'TRADE_STATUS_NO_MONEY',
      params: { tradeStatus: tradeStatus || '—' },
      reason: `trade_status ${tradeStatus || '(none)'} carries no money`,
    };
  return {
    kind: 'payment',
    // TRADE_FINISHED after TRADE_SUCCESS names the same trade_no: the same transaction, counted once.
    providerTxnId: p['trade_no'] || null,
    merchantTradeNo: outTradeNo,
    status,
    amount: fen(p, 'total_amount'),
    currency: 'CNY',
    fee: null,
    providerTime:
      status === 'succeeded'
        ? optionalTime(p, 'gmt_payment')
        : status === 'closed'
          ? optionalTime(p, 'gmt_close')
          : optionalTime(p, 'gmt_create'),
    providerStatus: tradeStatus,
  };
}

// ---------------------------------------------------------------------------------------------
// Gateway calls

function gatewayUrl(baseUrl: string): string {
  const u = new URL(baseUrl);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/gateway.do';
  return u.toString();
}

function signedParams(
  settings: AlipaySettings,
  method: string,
  now: Date,
  biz: Record<string, unknown>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const params: Record<string, string> = {
    app_id: settings.appId,
    method,
    format: 'JSON',
    charset: 'utf-8',
    sign_type: 'RSA2',
    timestamp: formatBeijing(now),
    version: '1.0',
    ...extra,
    biz_content: JSON.stringify(biz),
  };
  params['sign'] = rsa2Sign(requestSignContent(params), settings.appPrivateKey);
  return params;
}

/**
 * The raw text of the value of `"<key>":` in a JSON document (the object as sent, byte for byte), or
 * null. Walks strings and nesting so a key inside a string value cannot confuse it.
 */
export function rawJsonMember(text: string, key: string): string | null {
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return null;
      if (depth === 1 && text.slice(i + 1, end) === key) {
        let j = end + 1;
        while (/\s/.test(text[j] ?? '')) j++;
        if (text[j] !== ':') return null;
        j++;
        while (/\s/.test(text[j] ?? '')) j++;
        const start = j;
        const stop = valueEnd(text, start);
        return stop < 0 ? null : text.slice(start, stop);
      }
      i = end + 1;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  }
  return null;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function valueEnd(text: string, start: number): number {
  const c = text[start];
  if (c === '"') {
    const e = stringEnd(text, start);
    return e < 0 ? -1 : e + 1;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') {
        i = stringEnd(text, i);
        if (i < 0) return -1;
      } else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  const m = /^[^,}\]\s]+/.exec(text.slice(start));
  return m ? start + m[0].length : -1;
}

/** Business sub_codes worth asking again for (the gateway's own advice). */
const RETRYABLE_SUB_CODES = new Set([
  'ACQ.SYSTEM_ERROR',
  'aop.ACQ.SYSTEM_ERROR',
  'isp.unknow-error',
  'ACQ.INVALID_PARAMETER_RETRY',
]);

async function gatewayCall(
  ctx: ProviderContext<AlipaySettings>,
  method: string,
  biz: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const params = signedParams(ctx.settings, method, ctx.now, biz);
  const url = `${gatewayUrl(ctx.baseUrl)}?charset=utf-8`;
  let res: Response;
  let text: string;
  try {
    res = await ctx.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
        accept: 'application/json',
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (err) {
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new ProviderError(
      timeout ? 'TIMEOUT' : 'NETWORK',
      `Alipay ${method}: ${err instanceof Error ? err.message : String(err)}`,
      true,
    );
  }
  if (res.status >= 500)
    throw new ProviderError(`HTTP_${res.status}`, `Alipay ${method}: HTTP ${res.status}`, true, res.status);
  if (res.status !== 200)
    throw new ProviderError(`HTTP_${res.status}`, `Alipay ${method}: HTTP ${res.status}`, false, res.status);
  const responseKey = `${method.replaceAll('.', '_')}_response`;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ProviderError('BAD_RESPONSE', `Alipay ${method}: the answer is not JSON`, true, res.status);
  }
  const rawBody = rawJsonMember(text, responseKey) ?? rawJsonMember(text, 'error_response');
  const body = (doc[responseKey] ?? doc['error_response']) as Record<string, unknown> | undefined;
  if (!rawBody || typeof body !== 'object' || body === null)
    throw new ProviderError('BAD_RESPONSE', `Alipay ${method}: no ${responseKey}`, false, res.status);
  const sign = typeof doc['sign'] === 'string' ? doc['sign'] : null;
  const code = String(body['code'] ?? '');
  if (sign !== null) {
    if (!rsa2Verify(Buffer.from(rawBody, 'utf8'), sign, ctx.settings.alipayPublicKey))
      throw new ProviderError(
        'RESPONSE_SIGNATURE_INVALID',
        `Alipay ${method}: the answer's signature does not verify with the Alipay public key`,
        false,
        res.status,
      );
  } else if (code === '10000') {
    // A success must be signed; only refusals of our own request come back unsigned.
    throw new ProviderError(
      'RESPONSE_UNSIGNED',
      `Alipay ${method}: a success answer without a signature`,
      false,
      res.status,
    );
  }
  if (code === '10000') return body;
  const subCode = typeof body['sub_code'] === 'string' ? body['sub_code'] : '';
  const message = [body['msg'], body['sub_msg']].filter((x) => typeof x === 'string' && x).join(': ');
  throw new ProviderError(
    subCode || `ALIPAY_${code || 'UNKNOWN'}`,
    `Alipay ${method}: ${code} ${message}`.trim(),
    code === '20000' || RETRYABLE_SUB_CODES.has(subCode),
    res.status,
  );
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function responseMalformed(method: string, err: unknown): never {
  if (err instanceof Malformed)
    throw new ProviderError('BAD_RESPONSE', `Alipay ${method}: ${err.message}`, false);
  throw err;
}

// ---------------------------------------------------------------------------------------------

const EMPTY_RULES: readonly AlipayEmptyValueRule[] = ['try-both', 'keep', 'drop'];

export const alipayProvider: PaymentProvider<AlipaySettings> = {
  name: 'alipay',
  defaultBaseUrl: ALIPAY_DEFAULT_GATEWAY,

  parseSettings(input: unknown): AlipaySettings {
    if (typeof input !== 'object' || input === null)
      throw new SettingsError('appId', 'Alipay settings need appId, appPrivateKey and alipayPublicKey');
    const s = input as Record<string, unknown>;
    if (typeof s['appId'] !== 'string' || !/^\d{8,32}$/.test(s['appId']))
      throw new SettingsError(
        'appId',
        'appId is the application id from the Alipay open platform (digits, e.g. 2021000000000001)',
      );
    if (typeof s['appPrivateKey'] !== 'string')
      throw new SettingsError('appPrivateKey', 'appPrivateKey is required');
    let priv: KeyObject;
    try {
      priv = loadPrivateKey(s['appPrivateKey']);
    } catch {
      throw new SettingsError(
        'appPrivateKey',
        'appPrivateKey is not an RSA private key (PEM, or the base64 text from Alipay’s key tool)',
      );
    }
    if (priv.asymmetricKeyType !== 'rsa' || (priv.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      throw new SettingsError(
        'appPrivateKey',
        'appPrivateKey must be an RSA key of at least 2048 bits (RSA2)',
      );
    if (typeof s['alipayPublicKey'] !== 'string')
      throw new SettingsError('alipayPublicKey', 'alipayPublicKey is required');
    let pub: KeyObject;
    try {
      pub = loadPublicKey(s['alipayPublicKey']);
    } catch {
      throw new SettingsError(
        'alipayPublicKey',
        'alipayPublicKey is not an RSA public key (PEM, or the base64 text shown by Alipay)',
      );
    }
    if (pub.asymmetricKeyType !== 'rsa')
      throw new SettingsError('alipayPublicKey', 'alipayPublicKey must be an RSA key');
    const appPublic = createPublicKey(priv).export({ type: 'spki', format: 'der' });
    if (appPublic.equals(pub.export({ type: 'spki', format: 'der' })))
      throw new SettingsError(
        'alipayPublicKey',
        'alipayPublicKey is your app’s own public key; paste the Alipay public key (支付宝公钥) instead',
      );
    const sellerId = s['sellerId'];
    if (
      sellerId !== undefined &&
      sellerId !== null &&
      sellerId !== '' &&
      (typeof sellerId !== 'string' || !/^\d{8,32}$/.test(sellerId))
    )
      throw new SettingsError('sellerId', 'sellerId is the merchant’s Alipay user id (digits, 2088…)');
    const rule = s['notifyEmptyValues'] ?? 'try-both';
    if (!EMPTY_RULES.includes(rule as AlipayEmptyValueRule))
      throw new SettingsError('notifyEmptyValues', 'notifyEmptyValues is try-both, keep or drop');
    return {
      appId: s['appId'],
      appPrivateKey: priv.export({ type: 'pkcs8', format: 'pem' }).toString().trim(),
      alipayPublicKey: pub.export({ type: 'spki', format: 'pem' }).toString().trim(),
      sellerId: typeof sellerId === 'string' && sellerId !== '' ? sellerId : null,
      notifyEmptyValues: rule as AlipayEmptyValueRule,
    };
  },

  verifyCallback(raw: RawCallback, settings: AlipaySettings): VerifyResult {
    let decoded: ReturnType<typeof decodeNotifyBody>;
    try {
      decoded = decodeNotifyBody(raw.body, raw.headers['content-type']);
    } catch (err) {
      if (err instanceof Malformed) return { ok: false, reason: 'MALFORMED', message: err.message };
      throw err;
    }
    const { params, bytes } = decoded;
    const sign = params['sign'];
    if (!sign) return { ok: false, reason: 'SIGNATURE_INVALID', message: 'no sign parameter' };
    const signType = params['sign_type'] ?? 'RSA2';
    if (signType !== 'RSA2')
      return {
        ok: false,
        reason: 'SIGNATURE_INVALID',
        message: `sign_type ${signType} is not accepted (RSA2 only)`,
      };
    const hasEmpty = Object.keys(params).some((k) => k !== 'sign' && k !== 'sign_type' && params[k] === '');
    const rules: Array<'keep' | 'drop'> =
      settings.notifyEmptyValues === 'try-both'
        ? hasEmpty
          ? ['keep', 'drop']
          : ['keep']
        : [settings.notifyEmptyValues];
    const verified = rules.some((rule) =>
      rsa2Verify(notifySignBytes(params, bytes, rule), sign, settings.alipayPublicKey),
    );
    if (!verified)
      return {
        ok: false,
        reason: 'SIGNATURE_INVALID',
        message: 'the RSA2 signature does not verify with the Alipay public key',
      };
    if (params['app_id'] !== settings.appId)
      return {
        ok: false,
        reason: 'ACCOUNT_MISMATCH',
        message: `app_id ${params['app_id'] ?? '(none)'} is not this account's ${settings.appId}`,
      };
    if (settings.sellerId && params['seller_id'] !== undefined && params['seller_id'] !== settings.sellerId)
      return {
        ok: false,
        reason: 'ACCOUNT_MISMATCH',
        message: `seller_id ${params['seller_id']} is not this account's ${settings.sellerId}`,
      };
    const notifyId = params['notify_id'];
    if (!notifyId) return { ok: false, reason: 'MALFORMED', message: 'no notify_id' };
    try {
      const sentAt = optionalTime(params, 'notify_time');
      return { ok: true, eventId: notifyId, event: notifyToEvent(params), sentAt, decoded: params };
    } catch (err) {
      if (err instanceof Malformed) return { ok: false, reason: 'MALFORMED', message: err.message };
      throw err;
    }
  },

  ack(ok: boolean): ProviderAck {
    return ok
      ? { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' }
      : { status: 400, contentType: 'text/plain; charset=utf-8', body: 'fail' };
  },

  async createPayment(ctx, input: CreatePaymentInput): Promise<CreatePaymentResult> {
    if (input.currency !== 'CNY')
      throw new ProviderError(
        'CURRENCY_UNSUPPORTED',
        `Alipay page pay charges CNY, not ${input.currency}`,
        false,
      );
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0)
      throw new ProviderError('AMOUNT_INVALID', `${input.amount} fen cannot be charged`, false);
    const params = signedParams(
      ctx.settings,
      'alipay.trade.page.pay',
      ctx.now,
      {
        out_trade_no: input.merchantTradeNo,
        product_code: 'FAST_INSTANT_TRADE_PAY',
        total_amount: fenToYuan(input.amount),
        subject: input.description.slice(0, 256) || input.merchantTradeNo,
        time_expire: formatBeijing(input.expiresAt),
      },
      ctx.notifyUrl ? { notify_url: ctx.notifyUrl } : {},
    );
    const url = new URL(gatewayUrl(ctx.baseUrl));
    const query = Object.entries(params)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    return { client: { payUrl: `${url.toString()}?${query}` }, providerRef: null };
  },

  async queryPayment(ctx, input): Promise<PaymentEvent | null> {
    const method = 'alipay.trade.query';
    let body: Record<string, unknown>;
    try {
      body = await gatewayCall(ctx, method, { out_trade_no: input.merchantTradeNo });
    } catch (err) {
      if (err instanceof ProviderError && err.code === 'ACQ.TRADE_NOT_EXIST') return null;
      throw err;
    }
    if (str(body['out_trade_no']) !== input.merchantTradeNo)
      throw new ProviderError(
        'TRADE_MISMATCH',
        `Alipay answered for trade ${String(body['out_trade_no'])}, not ${input.merchantTradeNo}`,
        false,
      );
    try {
      const tradeStatus = str(body['trade_status']) ?? '';
      const status = TRADE_STATUS[tradeStatus];
      if (!status) throw new Malformed(`unknown trade_status ${tradeStatus}`);
      const p = body as Record<string, string | undefined>;
      return {
        kind: 'payment',
        providerTxnId: str(body['trade_no']) || null,
        merchantTradeNo: input.merchantTradeNo,
        status,
        amount: fen(p, 'total_amount'),
        currency: 'CNY',
        fee: null,
        providerTime: status === 'succeeded' ? optionalTime(p, 'send_pay_date') : null,
        providerStatus: tradeStatus,
      };
    } catch (err) {
      return responseMalformed(method, err);
    }
  },

  async refund(ctx, input: RefundInput): Promise<RefundEvent> {
    if (input.currency !== 'CNY')
      throw new ProviderError('CURRENCY_UNSUPPORTED', `Alipay refunds CNY, not ${input.currency}`, false);
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0)
      throw new ProviderError('AMOUNT_INVALID', `${input.amount} fen cannot be refunded`, false);
    const method = 'alipay.trade.refund';
    const biz: Record<string, unknown> = {
      out_trade_no: input.merchantTradeNo,
      refund_amount: fenToYuan(input.amount),
      out_request_no: input.merchantRefundNo,
    };
    if (input.providerTxnId) biz['trade_no'] = input.providerTxnId;
    if (input.reason) biz['refund_reason'] = input.reason.slice(0, 256);
    const body = await gatewayCall(ctx, method, biz);
    const tradeNo = str(body['trade_no']) ?? input.providerTxnId;
    if (str(body['out_trade_no']) !== undefined && body['out_trade_no'] !== input.merchantTradeNo)
      throw new ProviderError(
        'TRADE_MISMATCH',
        `Alipay refunded trade ${String(body['out_trade_no'])}, not ${input.merchantTradeNo}`,
        false,
      );
    if (body['fund_change'] !== 'Y') {
      // No money moved by this call: either an earlier call with this refund number did it, or it has
      // not happened. The refund query says which.
      const found = await alipayProvider.queryRefund(ctx, {
        merchantTradeNo: input.merchantTradeNo,
        merchantRefundNo: input.merchantRefundNo,
        providerRefundId: null,
        currency: input.currency,
      });
      if (found) return found;
    }
    let providerTime: Date | null = null;
    try {
      providerTime = optionalTime(body as Record<string, string | undefined>, 'gmt_refund_pay');
    } catch (err) {
      responseMalformed(method, err);
    }
    return {
      kind: 'refund',
      providerRefundId: tradeNo ? `${tradeNo}:${input.merchantRefundNo}` : null,
      merchantRefundNo: input.merchantRefundNo,
      merchantTradeNo: input.merchantTradeNo,
      status: body['fund_change'] === 'Y' ? 'succeeded' : 'processing',
      amount: input.amount,
      currency: 'CNY',
      providerTime,
      providerStatus: body['fund_change'] === 'Y' ? 'REFUND_SUCCESS' : 'FUND_CHANGE_N',
    };
  },

  async queryRefund(ctx, input): Promise<RefundEvent | null> {
    const method = 'alipay.trade.fastpay.refund.query';
    let body: Record<string, unknown>;
    try {
      body = await gatewayCall(ctx, method, {
        out_trade_no: input.merchantTradeNo,
        out_request_no: input.merchantRefundNo,
        query_options: ['gmt_refund_pay'],
      });
    } catch (err) {
      if (err instanceof ProviderError && err.code === 'ACQ.TRADE_NOT_EXIST') return null;
      throw err;
    }
    // An empty answer means the refund did not happen.
    if (!body['refund_amount'] || str(body['out_request_no']) !== input.merchantRefundNo) return null;
    try {
      const p = body as Record<string, string | undefined>;
      const refundStatus = str(body['refund_status']) ?? '';
      const tradeNo = str(body['trade_no']);
      return {
        kind: 'refund',
        providerRefundId: tradeNo ? `${tradeNo}:${input.merchantRefundNo}` : null,
        merchantRefundNo: input.merchantRefundNo,
        merchantTradeNo: input.merchantTradeNo,
        // Documented: data returned with refund_status empty or REFUND_SUCCESS means the refund succeeded.
        status: refundStatus === '' || refundStatus === 'REFUND_SUCCESS' ? 'succeeded' : 'processing',
        amount: fen(p, 'refund_amount'),
        currency: 'CNY',
        providerTime: optionalTime(p, 'gmt_refund_pay'),
        providerStatus: refundStatus || 'REFUND_SUCCESS',
      };
    } catch (err) {
      return responseMalformed(method, err);
    }
  },
};
