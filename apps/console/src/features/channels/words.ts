/** Codes of the channels API in words: platforms, credentials per platform, errors, drift kinds. */
import { errorMessage } from '@orderhub/contracts';
import type { Locale } from '../../shared/format.ts';

/** The channels an account can be opened on, by the protocol its connector speaks. */
export const PLATFORM_CHANNELS: { platform: string; channels: string[] }[] = [
  { platform: 'taobao', channels: ['taobao', 'tmall'] },
  { platform: 'jd', channels: ['jd'] },
  { platform: 'pinduoduo', channels: ['pinduoduo'] },
  { platform: 'douyin', channels: ['douyin'] },
  { platform: 'shopify', channels: ['shopify'] },
  { platform: 'webhook', channels: ['api', 'wechat_mini', 'pos'] },
];

export const platformOfChannel = (channel: string): string | null =>
  PLATFORM_CHANNELS.find((p) => p.channels.includes(channel))?.platform ?? null;

export type CredentialField =
  | 'appKey'
  | 'appSecret'
  | 'accessToken'
  | 'accessTokenExpiresAt'
  | 'refreshToken'
  | 'shopId'
  | 'shopDomain'
  | 'webhookSecret';

/** The credentials each platform asks for (required ones first), as its connector checks them. */
export const CREDENTIALS_OF: Record<string, { field: CredentialField; required: boolean }[]> = {
  taobao: [
    { field: 'appKey', required: true },
    { field: 'appSecret', required: true },
    { field: 'accessToken', required: true },
    { field: 'accessTokenExpiresAt', required: false },
    { field: 'shopId', required: false },
  ],
  jd: [
    { field: 'appKey', required: true },
    { field: 'appSecret', required: true },
    { field: 'accessToken', required: true },
    { field: 'accessTokenExpiresAt', required: false },
    { field: 'refreshToken', required: false },
    { field: 'shopId', required: false },
  ],
  pinduoduo: [
    { field: 'appKey', required: true },
    { field: 'appSecret', required: true },
    { field: 'accessToken', required: true },
    { field: 'accessTokenExpiresAt', required: false },
    { field: 'refreshToken', required: false },
    { field: 'shopId', required: false },
  ],
  douyin: [
    { field: 'appKey', required: true },
    { field: 'appSecret', required: true },
    { field: 'accessToken', required: true },
    { field: 'accessTokenExpiresAt', required: false },
    { field: 'refreshToken', required: false },
    { field: 'shopId', required: false },
  ],
  shopify: [
    { field: 'shopDomain', required: true },
    { field: 'accessToken', required: true },
    { field: 'webhookSecret', required: true },
    { field: 'accessTokenExpiresAt', required: false },
  ],
  webhook: [{ field: 'webhookSecret', required: true }],
};

/** Fields that are secrets (typed as passwords); the others are identifiers. */
export const SECRET_FIELDS: ReadonlySet<CredentialField> = new Set([
  'appSecret',
  'accessToken',
  'refreshToken',
  'webhookSecret',
]);

type Words = Record<string, { zh: string; en: string }>;

/** Failure codes of the connectors (ConnectorError, push verdicts) in words. */
const FAILURE_WORDS: Words = {
  SIGNATURE_INVALID: {
    zh: '签名校验失败（可能是伪造或密钥不一致）',
    en: 'Signature check failed (forged, or a different secret)',
  },
  TIMESTAMP_INVALID: {
    zh: '时间戳缺失或超出允许范围',
    en: 'Timestamp missing or outside the allowed window',
  },
  MALFORMED: { zh: '报文格式错误，无法解析', en: 'Malformed message, could not be read' },
  AUTH_EXPIRED: { zh: '平台授权已过期，请重新授权', en: 'Platform authorisation expired: authorise again' },
  CHANNEL_AUTH_EXPIRED: {
    zh: '平台授权已过期，请重新授权',
    en: 'Platform authorisation expired: authorise again',
  },
  BAD_RESPONSE: { zh: '平台返回的内容无法识别', en: 'The platform’s answer could not be read' },
  CHANNEL_BAD_RESPONSE: { zh: '平台返回的内容无法识别', en: 'The platform’s answer could not be read' },
  CHANNEL_HTTP_ERROR: { zh: '平台返回 HTTP 错误', en: 'The platform answered with an HTTP error' },
  CHANNEL_PAYLOAD_INVALID: { zh: '平台订单数据不合法', en: 'The platform’s order data is invalid' },
  ORDER_INVALID: { zh: '订单数据不合法', en: 'The order data is invalid' },
  CHANNEL_PLATFORM_BUSY: { zh: '平台繁忙，稍后重试', en: 'The platform is busy; retried later' },
  PLATFORM_BUSY: { zh: '平台繁忙，稍后重试', en: 'The platform is busy; retried later' },
  CHANNEL_PLATFORM_ERROR: { zh: '平台返回错误', en: 'The platform returned an error' },
  PLATFORM_ERROR: { zh: '平台返回错误', en: 'The platform returned an error' },
  CHANNEL_RATE_LIMITED: { zh: '触发平台限流，稍后重试', en: 'Rate-limited by the platform; retried later' },
  RATE_LIMITED: { zh: '触发平台限流，稍后重试', en: 'Rate-limited by the platform; retried later' },
  CHANNEL_SETTINGS_INVALID: { zh: '接口设置有误', en: 'The connection settings are wrong' },
  SETTINGS_INVALID: { zh: '接口设置有误', en: 'The connection settings are wrong' },
  CHANNEL_SIGNATURE_REJECTED: {
    zh: '平台拒绝了我方签名（请检查 App Secret）',
    en: 'The platform refused our signature (check the app secret)',
  },
  CHANNEL_TIMESTAMP_REJECTED: {
    zh: '平台拒绝了请求时间（服务器时钟偏差）',
    en: 'The platform refused our timestamp (clock skew)',
  },
  CHANNEL_TIMEOUT: { zh: '请求平台超时', en: 'The platform timed out' },
  TIMEOUT: { zh: '请求平台超时', en: 'The platform timed out' },
  CHANNEL_UNAVAILABLE: { zh: '平台暂时不可用', en: 'The platform is unavailable' },
  PLATFORM_UNAVAILABLE: { zh: '平台暂时不可用', en: 'The platform is unavailable' },
  CHANNEL_UNREACHABLE: { zh: '无法连接平台', en: 'The platform could not be reached' },
  NETWORK: { zh: '无法连接平台', en: 'The platform could not be reached' },
  CREDENTIALS_MISSING: { zh: '缺少授权信息', en: 'Credentials are missing' },
  NOT_CONFIGURED: { zh: '接口未配置完整', en: 'The connection is not fully configured' },
  CURSOR_INVALID: { zh: '分页位置失效，将从头重读', en: 'The paging position is no longer valid' },
  ORDER_UNKNOWN: { zh: '平台上查不到这个订单', en: 'The platform does not know this order' },
  ORDER_UNMAPPABLE: { zh: '订单无法转换为标准订单', en: 'The order could not be mapped' },
};

/** Error texts without a code prefix that the server writes (backfills, inbox processing, stock). */
const PLAIN_WORDS: { pattern: RegExp; words: { zh: string; en: string } }[] = [
  {
    pattern: /does not know this order/i,
    words: { zh: '平台上查不到这个订单', en: 'The platform does not know this order' },
  },
  { pattern: /has no connect/i, words: { zh: '店铺没有接入平台', en: 'The shop has no connection' } },
  {
    pattern: /unknown sku|no such sku/i,
    words: { zh: '平台不认识这个 SKU', en: 'The platform does not know this SKU' },
  },
  {
    pattern: /no (answer|result) for this sku/i,
    words: { zh: '平台没有回复这个 SKU 的结果', en: 'The platform gave no answer for this SKU' },
  },
  { pattern: /timed? ?out/i, words: { zh: '请求平台超时', en: 'The platform timed out' } },
];

export interface ErrorWords {
  /** The error in the reader's language. */
  text: string;
  /** The stable code, when the error carried one. */
  code: string | null;
  /** The server's own detail (technical, shown on demand). */
  detail: string;
}

/** `SIGNATURE_INVALID: bad signature` → 签名校验失败…, keeping the code and the detail apart. */
export function errorWords(raw: string | null | undefined, locale: Locale): ErrorWords | null {
  if (!raw) return null;
  const zh = locale === 'zh-CN';
  // `CODE: detail`, or `<order id>: CODE: detail` when one order of a message failed.
  const m = /^(?:([^:\n]{1,128}): )?([A-Z][A-Z0-9_]{2,}):\s*([\s\S]*)$/.exec(raw.trim());
  if (m) {
    const order = m[1] ?? null;
    const code = m[2]!;
    const detail = m[3]!;
    const w = FAILURE_WORDS[code];
    const words =
      (w ? (zh ? w.zh : w.en) : errorMessage(code, undefined, locale, '')) || (zh ? '处理失败' : 'Failed');
    return {
      text: order ? (zh ? `订单 ${order}：${words}` : `Order ${order}: ${words}`) : words,
      code,
      detail,
    };
  }
  const plain = PLAIN_WORDS.find((p) => p.pattern.test(raw));
  return {
    text: plain ? (zh ? plain.words.zh : plain.words.en) : zh ? '处理失败（见详情）' : 'Failed (see details)',
    code: null,
    detail: raw,
  };
}

/** What a drift alert says changed. */
export function driftChange(alert: { kind: string; details: unknown }, locale: Locale): string {
  const zh = locale === 'zh-CN';
  const d = (alert.details && typeof alert.details === 'object' ? alert.details : {}) as Record<
    string,
    unknown
  >;
  const type = (v: unknown) => typeWord(String(v ?? ''), locale);
  switch (alert.kind) {
    case 'drift_new_field':
      return zh ? `新增字段（${type(d['type'])}）` : `New field (${type(d['type'])})`;
    case 'drift_vanished_field':
      return zh ? `字段消失（原为${type(d['type'])}）` : `Field vanished (was ${type(d['type'])})`;
    case 'drift_retyped_field':
      return zh
        ? `类型变化：${type(d['was'])} → ${type(d['now'])}`
        : `Type changed: ${type(d['was'])} → ${type(d['now'])}`;
    default:
      return alert.kind;
  }
}

const TYPE_WORDS: Words = {
  string: { zh: '文本', en: 'text' },
  number: { zh: '数字', en: 'number' },
  boolean: { zh: '布尔', en: 'boolean' },
  object: { zh: '对象', en: 'object' },
  array: { zh: '数组', en: 'list' },
  null: { zh: '空值', en: 'null' },
};

export function typeWord(type: string, locale: Locale): string {
  const w = TYPE_WORDS[type];
  return w ? (locale === 'zh-CN' ? w.zh : w.en) : type;
}

/** Pretty JSON when the body is JSON, else the text as it came (base64 bodies decoded when text). */
export function rawBodyText(m: { rawBody: string; rawEncoding: 'utf8' | 'base64' }): {
  text: string;
  json: boolean;
} {
  let body = m.rawBody;
  if (m.rawEncoding === 'base64') {
    try {
      const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
      body = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { text: m.rawBody, json: false };
    }
  }
  try {
    return { text: JSON.stringify(JSON.parse(body), null, 2), json: true };
  } catch {
    return { text: body, json: false };
  }
}

/** A JSON value for a table cell: short, one line. */
export function exampleText(v: unknown, max = 160): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The value at a drift field path (`raw.items[].sku`: the first element of each list) in an example payload. */
export function valueAt(example: unknown, path: string | null): { found: boolean; value: unknown } {
  if (!path) return { found: false, value: undefined };
  let cur: unknown = example;
  for (const seg of path.split('.')) {
    const list = seg.endsWith('[]');
    const key = list ? seg.slice(0, -2) : seg;
    if (key) {
      if (!cur || typeof cur !== 'object' || !(key in (cur as Record<string, unknown>)))
        return { found: false, value: undefined };
      cur = (cur as Record<string, unknown>)[key];
    }
    if (list) {
      if (!Array.isArray(cur) || cur.length === 0) return { found: false, value: undefined };
      cur = cur[0];
    }
  }
  return { found: true, value: cur };
}
