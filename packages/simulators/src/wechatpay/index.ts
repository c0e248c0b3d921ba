/**
 * A local WeChat Pay API v3 (PROTOCOLS.md B1): verifies the merchant's `Authorization` signatures,
 * signs its answers with its platform key, keeps trades and refunds, and delivers AES-256-GCM encrypted,
 * RSA-signed notifications on WeChat's retry schedule — with lost, duplicated, reordered, skewed,
 * tampered and probe deliveries on request.
 */
import {
  createCipheriv,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  randomInt,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { selfSignedCertificate } from './x509.ts';

/** WeChat's documented notification retry schedule (15 s … 6 h, about 24 h 4 min in all). */
export const WECHATPAY_RETRY_SCHEDULE_MS: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
].map((s) => s * 1000);

/** The same fifteen retries, compressed to a few milliseconds each. */
export const WECHATPAY_FAST_RETRY_SCHEDULE_MS: readonly number[] = [
  5, 5, 10, 10, 15, 15, 20, 20, 20, 25, 30, 30, 30, 40, 40,
];

export interface WechatPaySimulatorOptions {
  port?: number;
  host?: string;
  /** Delays before each retry of an unacknowledged notification (default: 15 retries of a few ms). */
  retryScheduleMs?: readonly number[];
  /** The simulator's true clock (default the system clock); `faults.clockSkewMs` shifts what it stamps. */
  now?: () => Date;
  /** How WeChat Pay's signing key is published: a platform certificate or a `PUB_KEY_ID_…` public key. */
  platformKey?: 'certificate' | 'publicKey';
  /** How long a notification waits for the merchant's answer (WeChat's limit is ~5 s, UNCONFIRMED). */
  callbackTimeoutMs?: number;
  /**
   * Refuse API calls whose Authorization timestamp is further than this from our true clock. Off by
   * default: the digest documents no such check by WeChat Pay (an assumption to switch on per test).
   */
  authTimestampToleranceS?: number | null;
  /** `auto`: a refund succeeds (and its notice goes out) right after it is accepted; `manual`: `settleRefund`. */
  refunds?: 'auto' | 'manual';
}

export interface WechatPayAccountSettings {
  mchId: string;
  appId: string;
  apiV3Key: string;
  merchantSerialNo: string;
  merchantPrivateKey: string;
  platformCertificates: { serialNo: string; pem: string }[];
}

/** Faults, set by tests between steps. Counters are consumed one per notification attempt / API call. */
export interface WechatPayFaults {
  /** The next N notifications are lost: never sent, never retried. */
  lose: number;
  /** The next N notifications are each sent `duplicateCopies` times (same id, separately signed). */
  duplicate: number;
  duplicateCopies: number;
  /** Payment notices are held back until a refund notice of the same trade has gone out (or `releaseHeld`). */
  reorder: boolean;
  /** Added to every time the simulator stamps (Wechatpay-Timestamp, create_time, success_time). */
  clockSkewMs: number;
  /** The next N attempts alter the body after signing (signature fails). */
  tamperBody: number;
  /** The next N notifications carry a damaged ciphertext, then are signed (signature holds, decryption fails). */
  tamperCiphertext: number;
  /** The next N attempts carry a `WECHATPAY/SIGNTEST/` probe signature. */
  signtest: number;
  /** The next N attempts name a platform serial the merchant does not know. */
  wrongSerial: number;
  /** The next N API calls answer 500 SYSTEM_ERROR. */
  apiError: number;
  /** The next N API calls never answer (the caller's timeout fires). */
  apiTimeout: number;
}

export interface WechatPayDeliveryAttempt {
  at: Date;
  /** HTTP status of the merchant's answer; null when the request failed or timed out. */
  status: number | null;
  error?: string;
  fault?: 'tamperBody' | 'signtest' | 'wrongSerial';
}

export interface WechatPayDelivery {
  id: string;
  eventType: string;
  outTradeNo: string;
  outRefundNo: string | null;
  url: string;
  /** held: waiting behind a refund notice; lost: dropped on purpose; exhausted: retries ran out. */
  state: 'pending' | 'held' | 'delivered' | 'lost' | 'exhausted';
  copies: number;
  tamperedCiphertext: boolean;
  attempts: WechatPayDeliveryAttempt[];
  body: string;
}

interface Trade {
  appid: string;
  mchid: string;
  description: string;
  out_trade_no: string;
  notify_url: string;
  trade_type: 'NATIVE' | 'JSAPI';
  total: number;
  paidTotal: number | null;
  openid: string | null;
  trade_state: 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED';
  transaction_id: string | null;
  success_time: string | null;
  time_expire: string | null;
  code_url: string | null;
  prepay_id: string | null;
}

interface Refund {
  refund_id: string;
  out_refund_no: string;
  out_trade_no: string;
  transaction_id: string;
  notify_url: string;
  refund: number;
  total: number;
  status: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  create_time: string;
  success_time: string | null;
  reason: string | null;
}

export interface WechatPayPaid {
  outTradeNo: string;
  transactionId: string;
  amount: number;
  /** The notification's id, or null when it was lost on purpose. */
  notificationId: string | null;
}

export interface WechatPaySimulator {
  url: string;
  accountSettings: WechatPayAccountSettings;
  faults: WechatPayFaults;
  controls: { refunds: 'auto' | 'manual' };
  /** The buyer pays what `createPayment` returned (`{ codeUrl }` or JSAPI parameters with `package`). */
  pay(client: Record<string, string>, opts?: { amount?: number }): WechatPayPaid;
  /** Settles a PROCESSING refund and sends its notice. */
  settleRefund(outRefundNo: string, status: 'SUCCESS' | 'ABNORMAL' | 'CLOSED'): void;
  refundSucceeds(outRefundNo: string): void;
  /** Sends the held payment notices now (see `faults.reorder`). */
  releaseHeld(): void;
  /** Sends one SIGNTEST probe (default: to the last notify_url seen); resolves with the answer's status. */
  probe(url?: string): Promise<number | null>;
  trade(outTradeNo: string): Readonly<Record<string, unknown>> | null;
  refundOf(outRefundNo: string): Readonly<Record<string, unknown>> | null;
  deliveries(): WechatPayDelivery[];
  /** API calls received, with the answer's status. */
  requests(): { method: string; path: string; status: number | null }[];
  /** Resolves when no notification is in flight or waiting for a retry. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

const generateRsa = promisify(generateKeyPair);
const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

function nonceStr(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (const b of randomBytes(length)) s += alphabet[b % alphabet.length];
  return s;
}

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
const beijing = (d: Date) => `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;

function gcmEncrypt(key: string, nonce: string, aad: string, plaintext: string): string {
  const c = createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
  c.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]).toString('base64');
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const OUT_NO = /^[A-Za-z0-9_\-*|]{6,32}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function parseAuthorization(value: string | undefined): Record<string, string> | null {
  if (!value?.startsWith(`${AUTH_SCHEMA} `)) return null;
  const out: Record<string, string> = {};
  for (const m of value.slice(AUTH_SCHEMA.length + 1).matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  for (const k of ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature']) if (!out[k]) return null;
  return out;
}

export async function startWechatPaySimulator(
  opts: WechatPaySimulatorOptions = {},
): Promise<WechatPaySimulator> {
  const schedule = opts.retryScheduleMs ?? WECHATPAY_FAST_RETRY_SCHEDULE_MS;
  const trueNow = opts.now ?? (() => new Date());
  const callbackTimeoutMs = opts.callbackTimeoutMs ?? 5000;
  const tolerance = opts.authTimestampToleranceS ?? null;

  const [merchant, platform] = await Promise.all([
    generateRsa('rsa', { modulusLength: 2048 }),
    generateRsa('rsa', { modulusLength: 2048 }),
  ]);
  const mchId = `19${digits(8)}`;
  const appId = `wx${randomBytes(8).toString('hex')}`;
  const apiV3Key = nonceStr(32);
  const merchantSerialNo = randomBytes(20).toString('hex').toUpperCase();
  let platformSerial: string;
  let platformPem: string;
  const kind = opts.platformKey ?? 'certificate';
  if (kind === 'certificate') {
    const start = trueNow();
    const cert = selfSignedCertificate(platform.publicKey, platform.privateKey, {
      commonName: 'Tenpay.com Root CA',
      notBefore: new Date(start.getTime() - 86_400_000),
      notAfter: new Date(start.getTime() + 5 * 365 * 86_400_000),
    });
    platformSerial = cert.serialNo;
    platformPem = cert.pem;
  } else {
    platformSerial = `PUB_KEY_ID_01${digits(10)}${digits(10)}`;
    platformPem = platform.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
  const accountSettings: WechatPayAccountSettings = {
    mchId,
    appId,
    apiV3Key,
    merchantSerialNo,
    merchantPrivateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    platformCertificates: [{ serialNo: platformSerial, pem: platformPem }],
  };
  const merchantPublicKey: KeyObject = merchant.publicKey;

  const faults: WechatPayFaults = {
    lose: 0,
    duplicate: 0,
    duplicateCopies: 2,
    reorder: false,
    clockSkewMs: 0,
    tamperBody: 0,
    tamperCiphertext: 0,
    signtest: 0,
    wrongSerial: 0,
    apiError: 0,
    apiTimeout: 0,
  };
  const controls = { refunds: opts.refunds ?? ('auto' as 'auto' | 'manual') };
  const simNow = () => new Date(trueNow().getTime() + faults.clockSkewMs);

  const trades = new Map<string, Trade>();
  const refunds = new Map<string, Refund>();
  const deliveryLog: WechatPayDelivery[] = [];
  const requestLog: { method: string; path: string; status: number | null }[] = [];
  const held: WechatPayDelivery[] = [];
  const inFlight = new Set<Promise<void>>();
  const hanging = new Set<http.ServerResponse>();
  let lastNotifyUrl: string | null = null;
  let closed = false;
  // Retry waits, cut short by close() so a real (hours-long) schedule does not keep the process alive.
  const waits = new Map<NodeJS.Timeout, () => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      // A wait that starts after close() (an attempt that was in flight then) does not wait.
      if (closed) return resolve();
      const timer = setTimeout(() => {
        waits.delete(timer);
        resolve();
      }, ms);
      waits.set(timer, resolve);
    });

  // --- signing -------------------------------------------------------------------------------
  function signedHeaders(body: Buffer): Record<string, string> {
    const ts = String(Math.floor(simNow().getTime() / 1000));
    const nonce = nonceStr(32);
    const msg = Buffer.concat([Buffer.from(`${ts}\n${nonce}\n`), body, Buffer.from('\n')]);
    return {
      'Wechatpay-Timestamp': ts,
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Signature': sign('sha256', msg, platform.privateKey).toString('base64'),
      'Wechatpay-Serial': platformSerial,
      'Wechatpay-Signature-Type': AUTH_SCHEMA,
    };
  }

  // --- notifications -------------------------------------------------------------------------
  function postOnce(url: string, headers: Record<string, string>, body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.request(
        u,
        {
          method: 'POST',
          headers: {
            ...headers,
            'Content-Type': 'application/json',
            'Content-Length': String(body.length),
            'User-Agent': 'Mozilla/4.0',
          },
          timeout: callbackTimeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer in ${callbackTimeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  async function attempt(d: WechatPayDelivery): Promise<boolean> {
    let body = Buffer.from(d.body, 'utf8');
    const headers = signedHeaders(body);
    let fault: WechatPayDeliveryAttempt['fault'];
    if (faults.tamperBody > 0) {
      faults.tamperBody--;
      fault = 'tamperBody';
      body = Buffer.from(d.body.replace('"event_type":"', '"event_type":" '), 'utf8');
    } else if (faults.signtest > 0) {
      faults.signtest--;
      fault = 'signtest';
      headers['Wechatpay-Signature'] = `WECHATPAY/SIGNTEST/${randomBytes(192).toString('base64')}`;
    } else if (faults.wrongSerial > 0) {
      faults.wrongSerial--;
      fault = 'wrongSerial';
      headers['Wechatpay-Serial'] = randomBytes(20).toString('hex').toUpperCase();
    }
    const at = trueNow();
    try {
      const status = await postOnce(d.url, headers, body);
      d.attempts.push({ at, status, ...(fault ? { fault } : {}) });
      return status >= 200 && status < 300;
    } catch (err) {
      d.attempts.push({ at, status: null, error: (err as Error).message, ...(fault ? { fault } : {}) });
      return false;
    }
  }

  async function chain(d: WechatPayDelivery): Promise<void> {
    for (let i = 0; i <= schedule.length; i++) {
      if (i > 0) await sleep(schedule[i - 1]!);
      if (closed) return;
      if (await attempt(d)) {
        d.state = 'delivered';
        return;
      }
    }
    if (d.state !== 'delivered') d.state = 'exhausted';
  }

  function track(p: Promise<void>): Promise<void> {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  }

  function start(d: WechatPayDelivery): Promise<void> {
    d.state = 'pending';
    const copies = Array.from({ length: d.copies }, () => chain(d));
    return track(Promise.all(copies).then(() => undefined));
  }

  function notify(
    eventType: string,
    summary: string,
    originalType: 'transaction' | 'refund',
    resource: Json,
    url: string,
    outTradeNo: string,
    outRefundNo: string | null,
  ): WechatPayDelivery {
    const nonce = nonceStr(12);
    let ciphertext = gcmEncrypt(apiV3Key, nonce, originalType, JSON.stringify(resource));
    let tamperedCiphertext = false;
    if (faults.tamperCiphertext > 0) {
      faults.tamperCiphertext--;
      tamperedCiphertext = true;
      const raw = Buffer.from(ciphertext, 'base64');
      raw[0] = raw[0]! ^ 0x01;
      ciphertext = raw.toString('base64');
    }
    const body = JSON.stringify({
      id: randomUUID(),
      create_time: beijing(simNow()),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary,
      resource: {
        original_type: originalType,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext,
        associated_data: originalType,
        nonce,
      },
    });
    const d: WechatPayDelivery = {
      id: (JSON.parse(body) as { id: string }).id,
      eventType,
      outTradeNo,
      outRefundNo,
      url,
      state: 'pending',
      copies: 1,
      tamperedCiphertext,
      attempts: [],
      body,
    };
    deliveryLog.push(d);
    if (faults.lose > 0) {
      faults.lose--;
      d.state = 'lost';
      return d;
    }
    if (faults.duplicate > 0) {
      faults.duplicate--;
      d.copies = Math.max(1, faults.duplicateCopies);
    }
    if (faults.reorder && eventType.startsWith('TRANSACTION.')) {
      d.state = 'held';
      held.push(d);
      return d;
    }
    const sent = start(d);
    if (eventType.startsWith('REFUND.')) {
      const waiting = held.filter((h) => h.outTradeNo === outTradeNo);
      if (waiting.length > 0) {
        for (const h of waiting) held.splice(held.indexOf(h), 1);
        track(sent.then(() => Promise.all(waiting.map(start)).then(() => undefined)));
      }
    }
    return d;
  }

  // --- resources ------------------------------------------------------------------------------
  function transactionJson(t: Trade): Json {
    const total = t.paidTotal ?? t.total;
    const out: Json = {
      appid: t.appid,
      mchid: t.mchid,
      out_trade_no: t.out_trade_no,
      trade_type: t.trade_type,
      trade_state: t.trade_state,
      trade_state_desc: {
        NOTPAY: '未支付',
        SUCCESS: '支付成功',
        REFUND: '转入退款',
        CLOSED: '已关闭',
      }[t.trade_state],
      attach: '',
      amount:
        t.trade_state === 'NOTPAY' || t.trade_state === 'CLOSED'
          ? { total: t.total, currency: 'CNY', payer_currency: 'CNY' }
          : { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' },
    };
    if (t.transaction_id) {
      out.transaction_id = t.transaction_id;
      out.bank_type = 'OTHERS';
      out.success_time = t.success_time;
      out.payer = { openid: t.openid ?? `o${nonceStr(27)}` };
    }
    return out;
  }

  function refundJson(r: Refund): Json {
    const t = trades.get(r.out_trade_no)!;
    const total = t.paidTotal ?? t.total;
    return {
      refund_id: r.refund_id,
      out_refund_no: r.out_refund_no,
      transaction_id: r.transaction_id,
      out_trade_no: r.out_trade_no,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(r.success_time ? { success_time: r.success_time } : {}),
      create_time: r.create_time,
      status: r.status,
      funds_account: 'AVAILABLE',
      amount: {
        total,
        refund: r.refund,
        from: [],
        payer_total: total,
        payer_refund: r.refund,
        settlement_refund: r.refund,
        settlement_total: total,
        discount_refund: 0,
        currency: 'CNY',
        refund_fee: 0,
      },
    };
  }

  function refundNotice(r: Refund): void {
    const t = trades.get(r.out_trade_no)!;
    const total = t.paidTotal ?? t.total;
    const resource: Json = {
      mchid: mchId,
      out_trade_no: r.out_trade_no,
      transaction_id: r.transaction_id,
      out_refund_no: r.out_refund_no,
      refund_id: r.refund_id,
      refund_status: r.status,
      ...(r.success_time ? { success_time: r.success_time } : {}),
      user_received_account: '支付用户零钱',
      amount: { total, refund: r.refund, payer_total: total, payer_refund: r.refund },
    };
    const summary = {
      SUCCESS: '退款成功',
      ABNORMAL: '退款异常',
      CLOSED: '退款关闭',
      PROCESSING: '退款处理中',
    }[r.status];
    notify(`REFUND.${r.status}`, summary, 'refund', resource, r.notify_url, r.out_trade_no, r.out_refund_no);
  }

  function settleRefund(outRefundNo: string, status: 'SUCCESS' | 'ABNORMAL' | 'CLOSED'): void {
    const r = refunds.get(outRefundNo);
    if (!r) throw new Error(`no refund ${outRefundNo}`);
    if (r.status !== 'PROCESSING') throw new Error(`refund ${outRefundNo} is already ${r.status}`);
    r.status = status;
    if (status === 'SUCCESS') {
      r.success_time = beijing(simNow());
      const t = trades.get(r.out_trade_no)!;
      t.trade_state = 'REFUND';
    }
    refundNotice(r);
  }

  // --- API ------------------------------------------------------------------------------------
  function requireAccount(body: Json, withApp: boolean): void {
    if (body.mchid !== mchId) throw new ApiError(400, 'PARAM_ERROR', 'mchid 与请求头不一致');
    if (withApp && body.appid !== appId)
      throw new ApiError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
  }

  function createTrade(body: Json, type: 'NATIVE' | 'JSAPI'): Json {
    requireAccount(body, true);
    const no = body.out_trade_no;
    if (typeof no !== 'string' || !OUT_NO.test(no))
      throw new ApiError(400, 'PARAM_ERROR', 'out_trade_no 格式错误');
    if (
      typeof body.description !== 'string' ||
      body.description === '' ||
      Array.from(body.description).length > 127
    )
      throw new ApiError(400, 'PARAM_ERROR', 'description 格式错误');
    if (typeof body.notify_url !== 'string' || !/^https?:\/\/[^\s]+$/.test(body.notify_url))
      throw new ApiError(400, 'PARAM_ERROR', 'notify_url 格式错误');
    const amount = isObj(body.amount) ? body.amount : {};
    if (typeof amount.total !== 'number' || !Number.isSafeInteger(amount.total) || amount.total < 1)
      throw new ApiError(400, 'PARAM_ERROR', 'amount.total 必须为正整数（分）');
    if (amount.currency !== undefined && amount.currency !== 'CNY')
      throw new ApiError(400, 'PARAM_ERROR', '不支持的币种');
    if (
      body.time_expire !== undefined &&
      (typeof body.time_expire !== 'string' || !RFC3339.test(body.time_expire))
    )
      throw new ApiError(400, 'PARAM_ERROR', 'time_expire 格式错误');
    let openid: string | null = null;
    if (type === 'JSAPI') {
      const payer = isObj(body.payer) ? body.payer : {};
      if (typeof payer.openid !== 'string' || payer.openid === '')
        throw new ApiError(400, 'PARAM_ERROR', 'payer.openid 不能为空');
      openid = payer.openid;
    }
    const existing = trades.get(no);
    if (existing) {
      if (existing.trade_state === 'SUCCESS' || existing.trade_state === 'REFUND')
        throw new ApiError(400, 'ORDERPAID', '该订单已支付');
      if (existing.trade_state === 'CLOSED') throw new ApiError(400, 'ORDER_CLOSED', '订单已关闭');
      if (existing.total !== amount.total || existing.trade_type !== type)
        throw new ApiError(400, 'INVALID_REQUEST', '201 商户订单号重复');
      return type === 'NATIVE' ? { code_url: existing.code_url } : { prepay_id: existing.prepay_id };
    }
    const t: Trade = {
      appid: appId,
      mchid: mchId,
      description: body.description,
      out_trade_no: no,
      notify_url: body.notify_url,
      trade_type: type,
      total: amount.total,
      paidTotal: null,
      openid,
      trade_state: 'NOTPAY',
      transaction_id: null,
      success_time: null,
      time_expire: (body.time_expire as string | undefined) ?? null,
      code_url: type === 'NATIVE' ? `weixin://wxpay/bizpayurl?pr=${nonceStr(10)}` : null,
      prepay_id: type === 'JSAPI' ? `wx${digits(14)}${randomBytes(10).toString('hex')}` : null,
    };
    trades.set(no, t);
    lastNotifyUrl = t.notify_url;
    return type === 'NATIVE' ? { code_url: t.code_url } : { prepay_id: t.prepay_id };
  }

  function requireMchQuery(url: URL): void {
    if (url.searchParams.get('mchid') !== mchId) throw new ApiError(400, 'PARAM_ERROR', 'mchid 参数错误');
  }

  function createRefund(body: Json): Json {
    const no = body.out_refund_no;
    if (typeof no !== 'string' || !OUT_NO.test(no))
      throw new ApiError(400, 'PARAM_ERROR', 'out_refund_no 格式错误');
    let t: Trade | undefined;
    if (typeof body.transaction_id === 'string')
      t = [...trades.values()].find((x) => x.transaction_id === body.transaction_id);
    else if (typeof body.out_trade_no === 'string') t = trades.get(body.out_trade_no);
    else throw new ApiError(400, 'PARAM_ERROR', 'transaction_id 和 out_trade_no 必须二选一');
    if (!t) throw new ApiError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    if (t.trade_state !== 'SUCCESS' && t.trade_state !== 'REFUND')
      throw new ApiError(400, 'INVALID_REQUEST', '订单未支付，不能退款');
    const amount = isObj(body.amount) ? body.amount : {};
    const paid = t.paidTotal ?? t.total;
    if (typeof amount.refund !== 'number' || !Number.isSafeInteger(amount.refund) || amount.refund < 1)
      throw new ApiError(400, 'PARAM_ERROR', 'amount.refund 必须为正整数（分）');
    if (amount.total !== paid) throw new ApiError(400, 'PARAM_ERROR', 'amount.total 与订单金额不一致');
    if (amount.currency !== undefined && amount.currency !== 'CNY')
      throw new ApiError(400, 'PARAM_ERROR', '不支持的币种');
    const existing = refunds.get(no);
    if (existing) {
      if (existing.out_trade_no !== t.out_trade_no || existing.refund !== amount.refund)
        throw new ApiError(400, 'INVALID_REQUEST', '退款单号重复，参数与首次请求不一致');
      return refundJson(existing);
    }
    const refunded = [...refunds.values()]
      .filter((r) => r.out_trade_no === t.out_trade_no && r.status !== 'ABNORMAL' && r.status !== 'CLOSED')
      .reduce((sum, r) => sum + r.refund, 0);
    if (refunded + amount.refund > paid)
      throw new ApiError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const r: Refund = {
      refund_id: `50${digits(30)}`,
      out_refund_no: no,
      out_trade_no: t.out_trade_no,
      transaction_id: t.transaction_id!,
      notify_url: typeof body.notify_url === 'string' ? body.notify_url : t.notify_url,
      refund: amount.refund,
      total: paid,
      status: 'PROCESSING',
      create_time: beijing(simNow()),
      success_time: null,
      reason: typeof body.reason === 'string' ? body.reason : null,
    };
    refunds.set(no, r);
    const answer = refundJson(r);
    if (controls.refunds === 'auto')
      track(
        new Promise<void>((resolve) =>
          setImmediate(() => {
            if (!closed && r.status === 'PROCESSING') settleRefund(no, 'SUCCESS');
            resolve();
          }),
        ),
      );
    return answer;
  }

  function route(method: string, url: URL, body: Json | null): { status: number; body: Json | null } {
    const p = url.pathname;
    const byNo = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(p);
    const byId = /^\/v3\/pay\/transactions\/id\/([^/]+)$/.exec(p);
    const closeNo = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(p);
    const refundNo = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(p);
    if (method === 'POST' && p === '/v3/pay/transactions/native')
      return { status: 200, body: createTrade(body ?? {}, 'NATIVE') };
    if (method === 'POST' && p === '/v3/pay/transactions/jsapi')
      return { status: 200, body: createTrade(body ?? {}, 'JSAPI') };
    if (method === 'GET' && byNo) {
      requireMchQuery(url);
      const t = trades.get(decodeURIComponent(byNo[1]!));
      if (!t) throw new ApiError(404, 'ORDER_NOT_EXIST', '订单不存在');
      return { status: 200, body: transactionJson(t) };
    }
    if (method === 'GET' && byId) {
      requireMchQuery(url);
      const id = decodeURIComponent(byId[1]!);
      const t = [...trades.values()].find((x) => x.transaction_id === id);
      if (!t) throw new ApiError(404, 'ORDER_NOT_EXIST', '订单不存在');
      return { status: 200, body: transactionJson(t) };
    }
    if (method === 'POST' && closeNo) {
      requireAccount(body ?? {}, false);
      const t = trades.get(decodeURIComponent(closeNo[1]!));
      if (!t) throw new ApiError(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND')
        throw new ApiError(400, 'ORDERPAID', '该订单已支付');
      t.trade_state = 'CLOSED';
      return { status: 204, body: null };
    }
    if (method === 'POST' && p === '/v3/refund/domestic/refunds')
      return { status: 200, body: createRefund(body ?? {}) };
    if (method === 'GET' && refundNo) {
      const r = refunds.get(decodeURIComponent(refundNo[1]!));
      if (!r) throw new ApiError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return { status: 200, body: refundJson(r) };
    }
    if (method === 'GET' && p === '/v3/certificates') {
      if (kind !== 'certificate') throw new ApiError(404, 'RESOURCE_NOT_EXISTS', '商户已切换为微信支付公钥');
      const nonce = nonceStr(12);
      const now = trueNow();
      return {
        status: 200,
        body: {
          data: [
            {
              serial_no: platformSerial,
              effective_time: beijing(new Date(now.getTime() - 86_400_000)),
              expire_time: beijing(new Date(now.getTime() + 5 * 365 * 86_400_000)),
              encrypt_certificate: {
                algorithm: 'AEAD_AES_256_GCM',
                nonce,
                associated_data: 'certificate',
                ciphertext: gcmEncrypt(apiV3Key, nonce, 'certificate', platformPem),
              },
            },
          ],
        },
      };
    }
    throw new ApiError(404, 'NO_SUCH_API', `${method} ${p} 不存在`);
  }

  function authenticate(req: http.IncomingMessage, raw: Buffer): void {
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) throw new ApiError(401, 'SIGN_ERROR', 'Authorization 缺失或格式错误');
    if (auth.mchid !== mchId) throw new ApiError(401, 'SIGN_ERROR', '商户号与 Authorization 不匹配');
    if (auth.serial_no !== merchantSerialNo) throw new ApiError(401, 'SIGN_ERROR', '商户证书序列号有误');
    if (!/^\d{1,12}$/.test(auth.timestamp!)) throw new ApiError(401, 'SIGN_ERROR', 'timestamp 格式错误');
    if (tolerance !== null && Math.abs(trueNow().getTime() / 1000 - Number(auth.timestamp)) > tolerance)
      throw new ApiError(401, 'SIGN_ERROR', 'Authorization 中的 timestamp 已过期');
    const msg = Buffer.concat([
      Buffer.from(`${req.method}\n${req.url}\n${auth.timestamp}\n${auth.nonce_str}\n`, 'utf8'),
      raw,
      Buffer.from('\n', 'utf8'),
    ]);
    let ok = false;
    try {
      ok = verify('sha256', msg, merchantPublicKey, Buffer.from(auth.signature!, 'base64'));
    } catch {
      ok = false;
    }
    if (!ok) throw new ApiError(401, 'SIGN_ERROR', '签名错误，请检查后再试');
  }

  function answer(res: http.ServerResponse, status: number, body: Json | null): void {
    const bytes = body === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string> = { ...signedHeaders(bytes), 'Request-ID': randomUUID() };
    if (body !== null) headers['Content-Type'] = 'application/json; charset=utf-8';
    res.writeHead(status, headers);
    res.end(bytes);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://simulator');
      const entry = { method: req.method ?? '', path: url.pathname, status: null as number | null };
      requestLog.push(entry);
      if (faults.apiTimeout > 0) {
        faults.apiTimeout--;
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (faults.apiError > 0) {
        faults.apiError--;
        entry.status = 500;
        answer(res, 500, { code: 'SYSTEM_ERROR', message: '系统错误' });
        return;
      }
      try {
        authenticate(req, raw);
        let body: Json | null = null;
        if (raw.length > 0) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw.toString('utf8'));
          } catch {
            throw new ApiError(400, 'PARAM_ERROR', '请求体不是合法的 JSON');
          }
          if (!isObj(parsed)) throw new ApiError(400, 'PARAM_ERROR', '请求体必须是 JSON 对象');
          body = parsed;
        }
        const out = route(req.method ?? 'GET', url, body);
        entry.status = out.status;
        answer(res, out.status, out.body);
      } catch (err) {
        const e =
          err instanceof ApiError
            ? err
            : new ApiError(500, 'SYSTEM_ERROR', (err as Error).message || '系统错误');
        entry.status = e.status;
        answer(res, e.status, { code: e.code, message: e.message });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  function findTrade(client: Record<string, string>): Trade {
    const prepay = client.package?.startsWith('prepay_id=') ? client.package.slice(10) : client.prepayId;
    const t = [...trades.values()].find(
      (x) => (client.codeUrl && x.code_url === client.codeUrl) || (prepay && x.prepay_id === prepay),
    );
    if (!t) throw new Error('no trade for this code_url / prepay_id');
    return t;
  }

  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    accountSettings,
    faults,
    controls,
    pay(client, payOpts) {
      const t = findTrade(client);
      if (t.trade_state !== 'NOTPAY') throw new Error(`trade ${t.out_trade_no} is ${t.trade_state}`);
      const amount = payOpts?.amount ?? t.total;
      t.trade_state = 'SUCCESS';
      t.paidTotal = amount;
      t.transaction_id = `42000${digits(23)}`;
      t.success_time = beijing(simNow());
      t.openid ??= `o${nonceStr(27)}`;
      const d = notify(
        'TRANSACTION.SUCCESS',
        '支付成功',
        'transaction',
        transactionJson(t),
        t.notify_url,
        t.out_trade_no,
        null,
      );
      return {
        outTradeNo: t.out_trade_no,
        transactionId: t.transaction_id,
        amount,
        notificationId: d.state === 'lost' ? null : d.id,
      };
    },
    settleRefund,
    refundSucceeds: (no) => settleRefund(no, 'SUCCESS'),
    releaseHeld() {
      for (const d of held.splice(0)) start(d);
    },
    async probe(url) {
      const target = url ?? lastNotifyUrl;
      if (!target) throw new Error('no notify_url seen yet');
      const body = Buffer.from(
        JSON.stringify({
          id: randomUUID(),
          create_time: beijing(simNow()),
          resource_type: 'encrypt-resource',
          event_type: 'TRANSACTION.SUCCESS',
          summary: '支付成功',
          resource: {
            original_type: 'transaction',
            algorithm: 'AEAD_AES_256_GCM',
            ciphertext: randomBytes(64).toString('base64'),
            associated_data: 'transaction',
            nonce: nonceStr(12),
          },
        }),
      );
      const headers = signedHeaders(body);
      headers['Wechatpay-Signature'] = `WECHATPAY/SIGNTEST/${randomBytes(192).toString('base64')}`;
      try {
        return await postOnce(target, headers, body);
      } catch {
        return null;
      }
    },
    trade(no) {
      const t = trades.get(no);
      return t ? transactionJson(t) : null;
    },
    refundOf(no) {
      const r = refunds.get(no);
      return r ? refundJson(r) : null;
    },
    deliveries: () => deliveryLog.map((d) => ({ ...d, attempts: [...d.attempts] })),
    requests: () => requestLog.map((r) => ({ ...r })),
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async close() {
      closed = true;
      for (const [timer, resolve] of waits) {
        clearTimeout(timer);
        resolve();
      }
      waits.clear();
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
