/**
 * Protocol helpers shared by the Chinese marketplace adapters (Taobao/Tmall TOP, JD JOS, Pinduoduo):
 * signing digests, Beijing-time strings, yuan strings, 64-bit ids, the HTTP call with its failure
 * classes, settings validation and payload shapes for the drift watch. Pure code, no database.
 */
import { createHash, createHmac } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { allocateLargestRemainder } from '../../../../platform/money.ts';
import {
  type ChannelCredentials,
  type ConnectorContext,
  ConnectorError,
  CredentialsError,
  type ShapeSample,
} from '../../connector.ts';

export const md5Upper = (s: string): string =>
  createHash('md5').update(s, 'utf8').digest('hex').toUpperCase();
export const hmacUpper = (algo: 'md5' | 'sha256', key: string, s: string): string =>
  createHmac(algo, key).update(s, 'utf8').digest('hex').toUpperCase();

/** `name1value1name2value2…` over the parameters sorted by name (byte order), empty keys/values dropped. */
export function sortedConcat(params: Readonly<Record<string, string | undefined>>, skip = ['sign']): string {
  return Object.keys(params)
    .filter((k) => k !== '' && !skip.includes(k) && params[k] !== undefined && params[k] !== '')
    .sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0))
    .map((k) => `${k}${params[k]}`)
    .join('');
}

/** Constant-time comparison of two hex signatures (case-insensitive). */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a.toUpperCase());
  const y = Buffer.from(b.toUpperCase());
  if (x.length !== y.length) return false;
  let d = 0;
  for (let i = 0; i < x.length; i++) d |= x[i]! ^ y[i]!;
  return d === 0;
}

/**
 * The signing parameters of a relayed push, from the query string or, when absent there, from
 * headers `<prefix><name with - for _>` (headers survive being stored with the raw body, so a
 * stored push verifies again the same way).
 */
export function pushParams(
  push: {
    query: Readonly<Record<string, string | undefined>>;
    headers: Readonly<Record<string, string | undefined>>;
  },
  names: readonly string[],
  headerPrefix: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = push.query[n] ?? push.headers[`${headerPrefix}${n.replace(/_/g, '-')}`];
    if (v !== undefined && v !== '') out[n] = v;
  }
  return out;
}

// ---------------------------------------------------------------- time (Beijing, UTC+8, no DST)

const BEIJING_MS = 8 * 3600_000;
const NAIVE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A UTC instant as the naive Beijing string `yyyy-MM-dd HH:mm:ss`. */
export function formatBeijing(d: Date): string {
  const b = new Date(d.getTime() + BEIJING_MS);
  return `${pad(b.getUTCFullYear(), 4)}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}`;
}

/** Sentinels JD and others send for "not yet". */
const NOT_YET = new Set(['0001-01-01 00:00:00', '1970-01-01 00:00:00', '1970-01-01 08:00:00']);

/**
 * A naive Beijing string to its UTC instant; null for an absent value or a "not yet" sentinel.
 * Anything else (a zone suffix, ISO `T`, an impossible date) is a payload error, never a guess.
 */
export function parseBeijing(value: unknown, field: string): Date | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw payloadError(`${field}: expected a "yyyy-MM-dd HH:mm:ss" string`);
  if (NOT_YET.has(value)) return null;
  const m = NAIVE.exec(value);
  if (!m) throw payloadError(`${field}: "${value}" is not a Beijing "yyyy-MM-dd HH:mm:ss" time`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    throw payloadError(`${field}: "${value}" is not a real date and time`);
  return new Date(ms - BEIJING_MS);
}

export function requireBeijing(value: unknown, field: string): Date {
  const d = parseBeijing(value, field);
  if (!d) throw payloadError(`${field} is missing`);
  return d;
}

// ---------------------------------------------------------------- money

/** A yuan amount (decimal string, or a JSON number where the platform sends one) to whole fen. */
export function yuanToFen(value: unknown, field: string, opts: { allowNumber?: boolean } = {}): number {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && opts.allowNumber && Number.isFinite(value)) text = String(value);
  else throw payloadError(`${field}: expected a yuan amount string, got ${JSON.stringify(value)}`);
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw payloadError(`${field}: "${text}" is not a yuan amount`);
  const fen = new Decimal(text).times(100);
  if (!fen.isInteger()) throw payloadError(`${field}: "${text}" has more than two decimals`);
  if (fen.isNegative()) throw payloadError(`${field}: "${text}" is negative`);
  if (fen.greaterThan(Number.MAX_SAFE_INTEGER)) throw payloadError(`${field}: "${text}" is too large`);
  return fen.toNumber();
}

/** Fen to the yuan string a platform expects (`12.30`). */
export function fenToYuan(fen: number): string {
  return new Decimal(fen).dividedBy(100).toFixed(2);
}

export function optionalFen(value: unknown, field: string, opts?: { allowNumber?: boolean }): number {
  return value === undefined || value === null || value === '' ? 0 : yuanToFen(value, field, opts);
}

/**
 * Discount shares per line: the platform's own per-line figures when they add up to the order's
 * discount and none exceeds its line, else the order's discount by largest remainder on line goods.
 */
export function lineDiscounts(
  orderDiscount: number,
  lineGoods: number[],
  given: (number | null)[] | null,
): number[] {
  if (
    given?.every((g) => g !== null) &&
    (given as number[]).reduce((a, b) => a + b, 0) === orderDiscount &&
    (given as number[]).every((g, i) => g >= 0 && g <= lineGoods[i]!)
  )
    return given as number[];
  return allocateLargestRemainder(orderDiscount, lineGoods);
}

// ---------------------------------------------------------------- JSON with 64-bit ids

/**
 * JSON.parse that keeps integers beyond 2^53 exact by reading them as strings (order ids such as
 * Taobao's `tid` or JD's `orderId` overflow a double). Strings and small numbers are untouched.
 */
export function parseJsonExact(text: string): unknown {
  let out = '';
  let i = 0;
  let last = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const start = i;
      i++;
      while (i < n && /[0-9.eE+-]/.test(text[i]!)) i++;
      const num = text.slice(start, i);
      if (/^-?\d{16,}$/.test(num) && !Number.isSafeInteger(Number(num))) {
        out += `${text.slice(last, start)}"${num}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(out + text.slice(last));
}

/** An id the platform sends as a JSON number or string, as a string; anything else is refused. */
export function idString(value: unknown, field: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw payloadError(`${field}: missing or not an id (${JSON.stringify(value)})`);
}

/**
 * The order id must be exactly the platform's id form: a suffix glued on (`…ERR`, the seed's
 * `order_id_suffix` case) is refused as malformed rather than taken for a new order.
 */
export function checkOrderId(id: string, pattern: RegExp, platform: string): string {
  if (!pattern.test(id))
    throw new ConnectorError(
      'ORDER_ID_MALFORMED',
      `${platform} order id "${id.slice(0, 80)}" does not have the platform's id form (${pattern.source}); refused, not taken for a new order`,
      false,
    );
  return id;
}

// ---------------------------------------------------------------- errors, settings

export function payloadError(message: string): ConnectorError {
  return new ConnectorError('ORDER_INVALID', message, false);
}

export function obj(value: unknown, field: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw payloadError(`${field}: expected an object`);
  return value as Record<string, unknown>;
}

export function arr(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw payloadError(`${field}: expected a list`);
  return value;
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Reads a connector setting, checking its type; an invalid value stops the call with a clear error. */
export function setting<T>(
  ctx: Pick<ConnectorContext, 'settings'>,
  name: string,
  fallback: T,
  valid: (v: unknown) => v is T,
  expected: string,
): T {
  const v = ctx.settings[name];
  if (v === undefined || v === null) return fallback;
  if (!valid(v)) throw new ConnectorError('SETTINGS_INVALID', `setting "${name}" must be ${expected}`, false);
  return v;
}

export const isPosInt =
  (max: number) =>
  (v: unknown): v is number =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= max;
export const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
export const isOneOf =
  <T extends string>(...values: T[]) =>
  (v: unknown): v is T =>
    typeof v === 'string' && (values as string[]).includes(v);
export const isNonEmptyString = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length < 200;
export const isStringMap = (v: unknown): v is Record<string, string> =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.values(v as object).every((x) => typeof x === 'string' && x.length > 0);

// ---------------------------------------------------------------- credentials

function expiry(c: ChannelCredentials): Date | null {
  if (!c.accessTokenExpiresAt) return null;
  const d = new Date(c.accessTokenExpiresAt);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** App key, secret and token present, one word each; an expiry, when given, an RFC 3339 instant. */
export function checkCnCredentials(
  input: ChannelCredentials,
  names: { appKey: string; accessToken: string },
): void {
  if (!input.appKey?.trim()) throw new CredentialsError('appKey', `${names.appKey} is required`);
  if (!input.appSecret?.trim()) throw new CredentialsError('appSecret', 'the app secret is required');
  if (!input.accessToken?.trim())
    throw new CredentialsError('accessToken', `${names.accessToken} is required`);
  for (const [k, v] of Object.entries({
    appKey: input.appKey,
    appSecret: input.appSecret,
    accessToken: input.accessToken,
  }))
    if (/[\s]/.test(v!) || v!.length > 512)
      throw new CredentialsError(k, `${k} must be one word of at most 512 characters`);
  if (input.accessTokenExpiresAt !== undefined && Number.isNaN(Date.parse(input.accessTokenExpiresAt)))
    throw new CredentialsError('accessTokenExpiresAt', 'the token expiry must be an RFC 3339 instant');
}

/** When the access token ends (from `accessTokenExpiresAt`), and whether that is past. */
export function cnAuthorisation(ctx: ConnectorContext): { expiresAt: Date | null; expired: boolean } {
  const expiresAt = expiry(ctx.credentials);
  return { expiresAt, expired: expiresAt !== null && expiresAt.getTime() <= ctx.now.getTime() };
}

// ---------------------------------------------------------------- HTTP

/**
 * One call to a platform gateway: a timeout, a network error, 5xx or 429 is retryable; any other
 * non-2xx or a body that is not JSON is a failure. The body is parsed with 64-bit ids kept exact.
 */
export async function callGateway(
  ctx: ConnectorContext,
  url: string,
  init: { method: 'POST' | 'GET'; body?: string; contentType?: string },
  api: string,
): Promise<unknown> {
  const timeoutMs = setting(ctx, 'timeoutMs', 15_000, isPosInt(300_000), 'a whole number of ms (1–300000)');
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method: init.method,
      headers:
        init.body !== undefined
          ? { 'content-type': init.contentType ?? 'application/x-www-form-urlencoded;charset=utf-8' }
          : {},
      body: init.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new ConnectorError('TIMEOUT', `${api}: no answer within ${timeoutMs} ms`, true);
    throw new ConnectorError('NETWORK', `${api}: ${(e as Error).message}`, true);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new ConnectorError('TIMEOUT', `${api}: the answer was cut off (${(e as Error).message})`, true);
  }
  if (res.status >= 500 || res.status === 429)
    throw new ConnectorError('PLATFORM_UNAVAILABLE', `${api}: HTTP ${res.status}`, true);
  if (res.status < 200 || res.status >= 300)
    throw new ConnectorError('PLATFORM_ERROR', `${api}: HTTP ${res.status}`, false);
  try {
    return parseJsonExact(text);
  } catch {
    throw new ConnectorError('BAD_RESPONSE', `${api}: the answer is not JSON (${text.slice(0, 60)}…)`, true);
  }
}

/** `fn` over `items` with at most `limit` in flight; results in input order; the first failure rejects. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// ---------------------------------------------------------------- drift shapes

/** Field paths and JSON types of a payload (`a.b`, lists as `a[]`), merged over every element. */
export function shapeOf(
  value: unknown,
  into: Record<string, string> = {},
  prefix = '',
): Record<string, string> {
  const put = (t: string) => {
    if (!prefix) return;
    const was = into[prefix];
    into[prefix] = was && was !== t ? (was.split('|').includes(t) ? was : `${was}|${t}`) : t;
  };
  if (value === null) put('null');
  else if (Array.isArray(value)) {
    put('array');
    for (const v of value) shapeOf(v, into, `${prefix}[]`);
  } else if (typeof value === 'object') {
    put('object');
    for (const [k, v] of Object.entries(value as object)) shapeOf(v, into, prefix ? `${prefix}.${k}` : k);
  } else put(typeof value);
  return into;
}

export function shapeSample(api: string, examples: unknown[]): ShapeSample[] {
  if (examples.length === 0) return [];
  const fields: Record<string, string> = {};
  for (const e of examples) shapeOf(e, fields);
  return [{ api, fields, example: examples[0] }];
}

// ---------------------------------------------------------------- cursor

/** The opaque `next` of a backwards pager: base64url JSON. */
export function encodeCursor(c: object): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor<T>(s: string, check: (v: unknown) => v is T): T {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!check(v))
    throw new ConnectorError('CURSOR_INVALID', 'the page position is not one this connector gave', false);
  return v;
}

export interface BackCursor {
  /** Page to read next (counting down to 1). */
  p: number;
  /** Result count when paging started. */
  t: number;
  /** Restarts so far (results grew while paging). */
  r: number;
}

export const isBackCursor = (v: unknown): v is BackCursor =>
  !!v &&
  typeof v === 'object' &&
  Number.isSafeInteger((v as BackCursor).p) &&
  (v as BackCursor).p >= 1 &&
  Number.isSafeInteger((v as BackCursor).t) &&
  (v as BackCursor).t >= 0 &&
  Number.isSafeInteger((v as BackCursor).r) &&
  (v as BackCursor).r >= 0;

/**
 * Pages a window from its last page backwards (results are newest first; an order modified while
 * we page leaves the window and shifts older rows towards us, so rows repeat but none is skipped).
 * If rows were added while paging (the count grew), the already-read pages may have lost a row to
 * the next page: paging starts again from the new last page (duplicates are harmless, a miss is
 * not), at most `maxRestarts` times before the window is reported as unstable (retryable).
 */
export async function pageBackwards<T>(
  cursor: string | null,
  pageSize: number,
  read: (page: number) => Promise<{ total: number; items: T[] }>,
  maxRestarts = 3,
): Promise<{ items: T[]; next: string | null }> {
  const lastPage = (total: number) => Math.max(1, Math.ceil(total / pageSize));
  let c: BackCursor;
  if (cursor === null) {
    const first = await read(1);
    if (lastPage(first.total) === 1) return { items: first.items, next: null };
    c = { p: lastPage(first.total), t: first.total, r: 0 };
  } else c = decodeCursor(cursor, isBackCursor);
  const got = await read(c.p);
  if (got.total > c.t) {
    if (c.r >= maxRestarts)
      throw new ConnectorError('PAGING_UNSTABLE', 'orders kept entering the window while it was paged', true);
    return { items: got.items, next: encodeCursor({ p: lastPage(got.total), t: got.total, r: c.r + 1 }) };
  }
  const t = Math.min(c.t, got.total);
  return {
    items: got.items,
    next: c.p > 1 ? encodeCursor({ p: Math.min(c.p - 1, lastPage(t)), t, r: c.r }) : null,
  };
}
