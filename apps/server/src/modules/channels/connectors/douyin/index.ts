import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type ChannelCredentials,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  CredentialsError,
  mapOrders,
  type PulledPage,
  type PushAck,
  type PushVerification,
  type RawPush,
  type StockPushResult,
} from '../../connector.ts';
import { parsePlatformJson, shapeOf } from '../shopify/json.ts';
import { mapDouyinOrder } from './map.ts';
import { type DouyinSignMethod, douyinPushSign, douyinSign, paramJson } from './sign.ts';

export { douyinTime, fen, mapDouyinOrder } from './map.ts';
export { douyinPushSign, douyinSign, paramJson, sortKeysDeep } from './sign.ts';

export interface DouyinSettings {
  signMethod: DouyinSignMethod;
  /** UNCONFIRMED: the current SDK sends Unix seconds; older clients `yyyy-MM-dd HH:mm:ss` (Beijing). */
  timestampFormat: 'unix' | 'datetime';
  /** `param_json` as the POST body (current SDK) or in the query string (older clients). */
  paramJsonIn: 'body' | 'query';
  /** UNCONFIRMED: `code` of a successful answer. */
  successCode: number;
  /** UNCONFIRMED: codes meaning the access token is invalid or expired. */
  authExpiredCodes: number[];
  /** UNCONFIRMED: codes meaning busy / rate-limited (retry later). */
  retryableCodes: number[];
  pageSize: number;
  timeoutMs: number;
  /** Push `event-sign` algorithm; `auto` follows a `sign-method` header (UNCONFIRMED), MD5 otherwise. */
  pushSignMethod: DouyinSignMethod | 'auto';
  /** OMS carrier code → Douyin logistics company code (UNCONFIRMED list; override per account). */
  logisticsCompanyCodes: Record<string, string>;
  /** Restarts of one window's paging when the list grows under it, before giving up (retryable). */
  maxRestarts: number;
}

const DEFAULT_COMPANIES: Record<string, string> = {
  SF: 'shunfeng',
  YTO: 'yuantong',
  ZTO: 'zhongtong',
  STO: 'shentong',
  YUNDA: 'yunda',
  EMS: 'ems',
  JD: 'jd',
  JT: 'jtexpress',
  DBL: 'debangwuliu',
  BEST: 'huitongkuaidi',
};

function settingsError(message: string): ConnectorError {
  return new ConnectorError('SETTINGS_INVALID', `Douyin settings: ${message}`, false);
}

function oneOf<T extends string>(v: unknown, name: string, allowed: readonly T[], dflt: T): T {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string' || !allowed.includes(v as T))
    throw settingsError(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}
function intIn(v: unknown, name: string, lo: number, hi: number, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    throw settingsError(`${name} must be an integer from ${lo} to ${hi}`);
  return v;
}
function codes(v: unknown, name: string, dflt: number[]): number[] {
  if (v === undefined || v === null) return dflt;
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x)))
    throw settingsError(`${name} must be a list of integer codes`);
  return v as number[];
}

export function douyinSettings(s: Readonly<Record<string, unknown>>): DouyinSettings {
  const companies = s.logisticsCompanyCodes ?? {};
  if (typeof companies !== 'object' || Array.isArray(companies) || companies === null)
    throw settingsError('logisticsCompanyCodes must be an object');
  for (const [k, v] of Object.entries(companies))
    if (typeof v !== 'string' || !v) throw settingsError(`logisticsCompanyCodes.${k} must be a code`);
  return {
    signMethod: oneOf(s.signMethod, 'signMethod', ['hmac-sha256', 'md5'] as const, 'hmac-sha256'),
    timestampFormat: oneOf(s.timestampFormat, 'timestampFormat', ['unix', 'datetime'] as const, 'unix'),
    paramJsonIn: oneOf(s.paramJsonIn, 'paramJsonIn', ['body', 'query'] as const, 'body'),
    successCode: intIn(s.successCode, 'successCode', 0, 1_000_000, 10000),
    authExpiredCodes: codes(s.authExpiredCodes, 'authExpiredCodes', [30001, 30002]),
    retryableCodes: codes(s.retryableCodes, 'retryableCodes', [20000, 90000]),
    pageSize: intIn(s.pageSize, 'pageSize', 1, 100, 100),
    timeoutMs: intIn(s.timeoutMs, 'timeoutMs', 100, 300_000, 30_000),
    pushSignMethod: oneOf(
      s.pushSignMethod,
      'pushSignMethod',
      ['md5', 'hmac-sha256', 'auto'] as const,
      'auto',
    ),
    logisticsCompanyCodes: companies as Record<string, string>,
    maxRestarts: intIn(s.maxRestarts, 'maxRestarts', 0, 50, 5),
  };
}

function beijingString(d: Date): string {
  const b = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return `${b.slice(0, 10)} ${b.slice(11, 19)}`;
}

/** The signed request for one API method (query string and body), exactly as the platform checks it. */
export function douyinRequest(
  ctx: Pick<ConnectorContext, 'credentials' | 'baseUrl' | 'now' | 'settings'>,
  method: string,
  params: Record<string, unknown>,
): { url: string; body: string | undefined; paramJson: string } {
  const s = douyinSettings(ctx.settings);
  const { appKey, appSecret, accessToken } = ctx.credentials;
  if (!appKey || !appSecret)
    throw new ConnectorError('CREDENTIALS_MISSING', 'Douyin app key/secret missing', false);
  const pj = paramJson(params);
  const timestamp =
    s.timestampFormat === 'unix' ? String(Math.floor(ctx.now.getTime() / 1000)) : beijingString(ctx.now);
  const sign = douyinSign({
    appKey,
    appSecret,
    method,
    paramJson: pj,
    timestamp,
    v: '2',
    signMethod: s.signMethod,
  });
  const q = new URLSearchParams({ app_key: appKey, method });
  if (accessToken) q.set('access_token', accessToken);
  q.set('timestamp', timestamp);
  q.set('v', '2');
  if (s.paramJsonIn === 'query') q.set('param_json', pj);
  q.set('sign', sign);
  q.set('sign_method', s.signMethod);
  const base = ctx.baseUrl.replace(/\/+$/, '');
  return {
    url: `${base}/${method.replaceAll('.', '/')}?${q}`,
    body: s.paramJsonIn === 'body' ? pj : undefined,
    paramJson: pj,
  };
}

/** Calls a Douyin method and returns `data`; any error envelope, even on HTTP 200, is a ConnectorError. */
async function call(
  ctx: ConnectorContext,
  method: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const s = douyinSettings(ctx.settings);
  const req = douyinRequest(ctx, method, params);
  let res: Response;
  try {
    res = await ctx.fetch(req.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: req.body,
      signal: AbortSignal.timeout(s.timeoutMs),
    });
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new ConnectorError('TIMEOUT', `Douyin ${method}: no answer within ${s.timeoutMs} ms`, true);
    throw new ConnectorError('NETWORK', `Douyin ${method}: ${(err as Error).message}`, true);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new ConnectorError('NETWORK', `Douyin ${method}: body lost (${(err as Error).message})`, true);
  }
  if (res.status === 429) throw new ConnectorError('RATE_LIMITED', `Douyin ${method}: HTTP 429`, true);
  if (res.status >= 500)
    throw new ConnectorError('PLATFORM_UNAVAILABLE', `Douyin ${method}: HTTP ${res.status}`, true);
  let env: Record<string, unknown>;
  try {
    const parsed = parsePlatformJson(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    env = parsed as Record<string, unknown>;
  } catch {
    throw new ConnectorError(
      'BAD_RESPONSE',
      `Douyin ${method}: HTTP ${res.status} with a body that is not a JSON envelope (${text.slice(0, 80)})`,
      res.status < 400,
    );
  }
  // Current envelope { code, msg, sub_code, sub_msg, log_id, data }; older { err_no, message, data }.
  const legacy = env.code === undefined && env.err_no !== undefined;
  const code = Number(legacy ? env.err_no : env.code);
  const ok = legacy ? code === 0 : code === s.successCode;
  if (ok && res.status >= 200 && res.status < 300) return env.data ?? null;
  const subCode = String(env.sub_code ?? '');
  const text2 = [env.msg ?? env.message, env.sub_code, env.sub_msg].filter((x) => x).join(' / ');
  const detail = `Douyin ${method}: code ${Number.isNaN(code) ? '?' : code} ${text2}${env.log_id ? ` (log_id ${String(env.log_id)})` : ''}`;
  if (s.authExpiredCodes.includes(code) || /access[-_]?token/i.test(subCode))
    throw new ConnectorError('AUTH_EXPIRED', detail, false, true);
  if (s.retryableCodes.includes(code) || /limit|busy|unavailable|timeout/i.test(subCode))
    throw new ConnectorError(/limit/i.test(subCode) ? 'RATE_LIMITED' : 'PLATFORM_BUSY', detail, true);
  throw new ConnectorError('PLATFORM_ERROR', detail, false);
}

interface Cursor {
  /** Next page to read (from 0). */
  p: number;
  /** The window's total when paging (re)started. */
  t: number;
  /** Restarts so far. */
  r: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if ([c.p, c.t, c.r].every((x) => Number.isInteger(x) && x >= 0)) return c;
  } catch {
    /* fall through */
  }
  throw new ConnectorError('CURSOR_INVALID', 'Douyin paging position is not one this connector wrote', false);
}

function searchParams(window: { from: Date; to: Date }, page: number, size: number) {
  return {
    order_by: 'update_time',
    order_asc: false,
    page,
    size,
    update_time_start: Math.floor(window.from.getTime() / 1000),
    update_time_end: Math.floor(window.to.getTime() / 1000),
  };
}

function listOf(data: unknown): { list: unknown[]; total: number } {
  const d = (data ?? {}) as { shop_order_list?: unknown; total?: unknown };
  const list = d.shop_order_list ?? [];
  const total = Number(d.total ?? 0);
  if (!Array.isArray(list) || !Number.isInteger(total) || total < 0)
    throw new ConnectorError('BAD_RESPONSE', 'order.searchList answered without shop_order_list/total', true);
  return { list, total };
}

function messageIdOf(ids: string[]): string {
  const joined = ids.join(',');
  return joined.length <= 128 ? joined : `sha256:${createHash('sha256').update(joined).digest('hex')}`;
}

export const douyinConnector: Connector = {
  platform: 'douyin',
  defaultBaseUrl: 'https://openapi-fxg.jinritemai.com',
  stockBatchSize: 1,
  maxWindowMs: 30 * 60_000,

  checkSettings(settings) {
    douyinSettings(settings);
  },

  checkCredentials(input: ChannelCredentials): void {
    if (!input.appKey || !/^\d{6,24}$/.test(input.appKey))
      throw new CredentialsError('appKey', 'the Douyin app key is a number of 6 to 24 digits');
    if (!input.appSecret) throw new CredentialsError('appSecret', 'the app secret is required');
    if (!input.accessToken) throw new CredentialsError('accessToken', 'the shop access token is required');
    if (input.accessTokenExpiresAt !== undefined && Number.isNaN(Date.parse(input.accessTokenExpiresAt)))
      throw new CredentialsError('accessTokenExpiresAt', 'not an RFC 3339 time');
  },

  /**
   * Newest first by update time, read from the last page backwards (digest 0.2.7): an order that
   * changes while the window is read leaves its place and the rest move towards the front, so a
   * page read later sees an order twice at worst, never misses one. When the list grows under the
   * reader (the window reaches into "now"), paging starts again from the new last page.
   */
  async pullOrders(ctx, window, page): Promise<PulledPage> {
    const s = douyinSettings(ctx.settings);
    const size = s.pageSize;
    let cursor: Cursor;
    let data: { list: unknown[]; total: number };
    if (page === null) {
      data = listOf(await call(ctx, 'order.searchList', searchParams(window, 0, size)));
      if (data.total > size) {
        // More than a page: these rows are read again in order from the back; start there.
        const last = Math.ceil(data.total / size) - 1;
        return {
          orders: [],
          rejected: [],
          next: encodeCursor({ p: last, t: data.total, r: 0 }),
          shapes: shapes(data.list),
        };
      }
      return { ...mapOrders(data.list, mapDouyinOrder), next: null, shapes: shapes(data.list) };
    }
    cursor = decodeCursor(page);
    data = listOf(await call(ctx, 'order.searchList', searchParams(window, cursor.p, size)));
    const mapped = mapOrders(data.list, mapDouyinOrder);
    if (data.total > cursor.t) {
      if (cursor.r >= s.maxRestarts)
        throw new ConnectorError(
          'WINDOW_UNSTABLE',
          `Douyin window ${window.from.toISOString()}–${window.to.toISOString()} kept growing while read; retry with a window further behind now`,
          true,
        );
      const last = Math.ceil(data.total / size) - 1;
      cursor = { p: last, t: data.total, r: cursor.r + 1 };
      return { ...mapped, next: encodeCursor(cursor), shapes: shapes(data.list) };
    }
    const next = cursor.p > 0 ? encodeCursor({ ...cursor, p: cursor.p - 1 }) : null;
    return { ...mapped, next, shapes: shapes(data.list) };
  },

  async fetchOrder(ctx, externalOrderId) {
    if (!/^\d{1,24}$/.test(externalOrderId)) return null;
    let data: unknown;
    try {
      data = await call(ctx, 'order.orderDetail', { shop_order_id: externalOrderId });
    } catch (err) {
      if (
        err instanceof ConnectorError &&
        err.code === 'PLATFORM_ERROR' &&
        /不存在|not exist|not found/i.test(err.message)
      )
        return null;
      throw err;
    }
    const detail = (data as { shop_order_detail?: unknown } | null)?.shop_order_detail;
    return detail ? mapDouyinOrder(detail) : null;
  },

  verifyPush(push: RawPush, ctx): PushVerification {
    const s = douyinSettings(ctx.settings);
    const { appKey, appSecret } = ctx.credentials;
    if (!appKey || !appSecret)
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'no app key/secret configured' };
    const given = push.headers['event-sign'];
    const declared = push.headers['sign-method']?.toLowerCase();
    const method: DouyinSignMethod =
      s.pushSignMethod === 'auto' ? (declared === 'hmac-sha256' ? 'hmac-sha256' : 'md5') : s.pushSignMethod;
    const expected = Buffer.from(douyinPushSign(appKey, appSecret, push.body, method), 'utf8');
    const got = Buffer.from((given ?? '').toLowerCase(), 'utf8');
    if (!given || got.length !== expected.length || !timingSafeEqual(got, expected))
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'event-sign does not match the body' };
    const appId = push.headers['app-id'];
    if (appId && appId !== appKey)
      return { ok: false, reason: 'SIGNATURE_INVALID', message: `app-id ${appId} is not this account's app` };
    let messages: { tag: string; msg_id: string; data: Record<string, unknown> }[];
    try {
      const parsed = JSON.parse(push.body.toString('utf8')) as unknown;
      if (!Array.isArray(parsed) || parsed.length === 0) throw new Error('not a non-empty array');
      messages = parsed.map((m) => {
        const x = m as { tag?: unknown; msg_id?: unknown; data?: unknown };
        if (x.msg_id === undefined || x.tag === undefined) throw new Error('message without tag or msg_id');
        const data = typeof x.data === 'string' ? parsePlatformJson(x.data) : x.data;
        if (!data || typeof data !== 'object') throw new Error('data is not an object');
        return { tag: String(x.tag), msg_id: String(x.msg_id), data: data as Record<string, unknown> };
      });
    } catch (err) {
      return { ok: false, reason: 'MALFORMED', message: `push body: ${(err as Error).message}` };
    }
    const orderIds = [
      ...new Set(
        messages
          .map((m) => m.data.p_id ?? m.data.shop_order_id ?? m.data.order_id)
          .filter((v) => typeof v === 'string' || typeof v === 'number')
          .map(String),
      ),
    ];
    if (orderIds.some((id) => !/^\d{1,24}$/.test(id)))
      return { ok: false, reason: 'MALFORMED', message: 'p_id is not a Douyin order id' };
    return {
      ok: true,
      messageId: messageIdOf(messages.map((m) => m.msg_id)),
      orderIds,
      orders: [],
      topic: [...new Set(messages.map((m) => m.tag))].join(','),
    };
  },

  ackPush(ok: boolean): PushAck {
    // Douyin redelivers on anything but {"code":0}.
    return {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: ok ? '{"code":0,"msg":"success"}' : '{"code":1,"msg":"fail"}',
    };
  },

  async pushStock(ctx, items): Promise<StockPushResult[]> {
    const out: StockPushResult[] = [];
    for (const item of items) {
      if (!Number.isInteger(item.quantity) || item.quantity < 0) {
        out.push({
          channelSku: item.channelSku,
          ok: false,
          retryable: false,
          error: 'quantity must be a whole number ≥ 0',
        });
        continue;
      }
      try {
        await call(ctx, 'sku.syncStock', {
          code: item.channelSku,
          incremental: false,
          // The same SKU and quantity at the same second is the same request (safe to resend).
          idempotent_id: createHash('sha256')
            .update(`${item.channelSku}|${item.quantity}|${Math.floor(ctx.now.getTime() / 1000)}`)
            .digest('hex')
            .slice(0, 32),
          stock_num: item.quantity,
        });
        out.push({ channelSku: item.channelSku, ok: true, error: null, retryable: false });
      } catch (err) {
        if (!(err instanceof ConnectorError) || err.authExpired) throw err;
        out.push({ channelSku: item.channelSku, ok: false, error: err.message, retryable: err.retryable });
      }
    }
    return out;
  },

  async confirmShipment(ctx, input) {
    const s = douyinSettings(ctx.settings);
    if (!/^\d{1,24}$/.test(input.externalOrderId))
      throw new ConnectorError('ORDER_UNKNOWN', `"${input.externalOrderId}" is not a Douyin order id`, false);
    const company =
      s.logisticsCompanyCodes[input.carrierCode] ??
      DEFAULT_COMPANIES[input.carrierCode.toUpperCase()] ??
      input.carrierCode.toLowerCase();
    await call(ctx, 'order.logisticsAdd', {
      order_id: input.externalOrderId,
      company_code: company,
      logistics_code: input.waybillNo,
    });
  },

  authorisation(ctx) {
    const at = ctx.credentials.accessTokenExpiresAt;
    const expiresAt = at ? new Date(at) : null;
    return {
      expiresAt,
      expired: expiresAt !== null && !Number.isNaN(expiresAt.getTime()) && expiresAt <= ctx.now,
    };
  },
};

function shapes(list: unknown[]) {
  if (list.length === 0) return [];
  const fields: Record<string, string> = {};
  for (const o of list) shapeOf(o, fields);
  return [{ api: 'order.searchList', fields, example: list[0] }];
}
