import { stdSerializers } from 'pino';

/**
 * What the logger must never write in clear, beyond the fixed paths of log.ts: personal data and
 * secrets carried in request URLs, and the values bound to a failed database statement.
 * docs/security.md ("What is never logged") lists the same rules for operators.
 */
export const REDACTED = '[redacted]';

/** Query parameters whose value never reaches a log line (names compared lower-case, `-` as `_`). */
export const REDACTED_QUERY_PARAMS: readonly string[] = [
  'name',
  'address',
  'detail',
  'email',
  'tel',
  'contact',
  'idcard',
  'id_card',
  'q',
  'query',
  'search',
  'keyword',
  'keywords',
  'sign',
  'signature',
  'api_key',
  'apikey',
  'access_token',
  'refresh_token',
  'code_verifier',
];
/** …and every parameter whose name starts with one of these… */
export const REDACTED_QUERY_PREFIXES: readonly string[] = ['receiver', 'buyer'];
/** …or contains one of these. */
export const REDACTED_QUERY_PARTS: readonly string[] = [
  'phone',
  'mobile',
  'password',
  'passwd',
  'secret',
  'token',
  'session',
  'address',
];

const EXACT = new Set(REDACTED_QUERY_PARAMS);

function paramName(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    // A malformed escape: judge the name as written.
  }
  return name.trim().toLowerCase().replace(/\[\]$/, '').replaceAll('-', '_');
}

/** Whether a query parameter's value is personal data or a secret. */
export function isRedactedParam(raw: string): boolean {
  const name = paramName(raw);
  if (EXACT.has(name)) return true;
  const compact = name.replaceAll('_', '');
  return (
    REDACTED_QUERY_PREFIXES.some((p) => compact.startsWith(p)) ||
    REDACTED_QUERY_PARTS.some((p) => compact.includes(p))
  );
}

/**
 * The URL with the values of personal-data and secret query parameters replaced by `[redacted]`;
 * everything else is kept as sent (order, encoding), so a log line still shows the request's shape.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = redactPath(q < 0 ? url : url.slice(0, q));
  if (q < 0) return path;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const parts = query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    return key && isRedactedParam(key) ? `${key}=${REDACTED}` : part;
  });
  return `${path}?${parts.join('&')}`;
}

/** A path segment that is a phone number (someone typed one where an id goes): ids are prefixed, never this. */
const PHONE_SEGMENT = /^\+?[\d\s().-]{7,}$/;

function redactPath(path: string): string {
  if (!/\d{3}/.test(path)) return path;
  return path
    .split('/')
    .map((seg) => {
      let plain = seg;
      try {
        plain = decodeURIComponent(seg);
      } catch {
        // judged as written
      }
      return PHONE_SEGMENT.test(plain) && (plain.match(/\d/g)?.length ?? 0) >= 7 ? REDACTED : seg;
    })
    .join('/');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number } | null;
}

/** Fastify's request serializer, with the URL redacted. */
export function reqSerializer(req: LoggedRequest) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket ? req.socket.remotePort : undefined,
  };
}

/**
 * Properties that carry a statement's bound values: pg's and PGlite's errors (`params`,
 * `queryOptions`), drizzle's `DrizzleQueryError` (`params`), other drivers (`parameters`, `values`,
 * `bindings`). They are dropped from logged errors.
 */
const VALUE_KEYS = ['params', 'parameters', 'values', 'bindings', 'binds', 'queryOptions'];
/** Text properties where a value can still appear (in a message, a detail or an inlined statement). */
const TEXT_KEYS = ['message', 'stack', 'detail', 'query', 'internalQuery', 'where', 'hint'];
const SQL_KEYS = new Set(['query', 'internalQuery']);

/** The bound values of an error and its causes, as text, longest first (replaced wherever they appear). */
function boundValues(err: unknown): string[] {
  const found = new Set<string>();
  const seen = new Set<unknown>();
  const add = (v: unknown, depth: number) => {
    if (v === null || v === undefined || depth > 4) return;
    if (typeof v === 'string') {
      if (v.length >= 3) found.add(v);
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      if (String(v).length >= 4) found.add(String(v));
    } else if (v instanceof Date) {
      return;
    } else if (Array.isArray(v)) {
      for (const x of v) add(x, depth + 1);
    } else if (typeof v === 'object') {
      for (const x of Object.values(v)) add(x, depth + 1);
      // JSON parameters are bound as text: their serialised form can appear too.
      try {
        const json = JSON.stringify(v);
        if (json && json.length >= 3) found.add(json);
      } catch {
        // circular: the parts above are enough
      }
    }
  };
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && !seen.has(e) && depth < 5; depth++) {
    seen.add(e);
    const rec = e as Record<string, unknown>;
    for (const k of VALUE_KEYS) add(rec[k], 0);
    e = rec['cause'];
  }
  return [...found].sort((a, b) => b.length - a.length);
}

function scrubText(text: string, values: string[], sql: boolean): string {
  let s = text;
  for (const v of values) s = s.split(v).join(REDACTED);
  // drizzle: "Failed query: …\nparams: a,b,c" (the values, joined: the rest of the line goes)
  s = s.replace(/(^|\n)(\s*params: )[^\n]*/g, `$1$2${REDACTED}`);
  // PostgreSQL quoting a value in a message or detail.
  s = s.replace(
    /(Key \([^)]*\)=)\(.*?\)( already exists| is not present| conflicts|\.|$)/gm,
    `$1(${REDACTED})$2`,
  );
  s = s.replace(/(Failing row contains )\(.*\)/g, `$1(${REDACTED})`);
  s = s.replace(
    /(invalid input (?:syntax|value) for (?:type|enum) [^:]+: )"(?:[^"]|"")*"/g,
    `$1"${REDACTED}"`,
  );
  // A statement with its values inlined (PGlite's EXECUTE … ('…')): string literals go.
  if (sql) s = s.replace(/'(?:[^']|'')*'/g, `'${REDACTED}'`);
  return s;
}

/** The error and its causes, as pino chains them (`cause`, an error-like value). */
function causeChain(err: unknown): { message: string; stack?: string }[] {
  const chain: { message: string; stack?: string }[] = [];
  let e: unknown = err;
  while (e && typeof (e as Error).message === 'string' && !chain.includes(e as Error) && chain.length < 8) {
    chain.push(e as Error);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

function scrubSerialized(out: Record<string, unknown>, values: string[], depth: number): void {
  for (const k of VALUE_KEYS) delete out[k];
  for (const k of TEXT_KEYS) {
    const v = out[k];
    if (typeof v === 'string') out[k] = scrubText(v, values, SQL_KEYS.has(k));
  }
  if (depth > 3) return;
  for (const v of Object.values(out)) {
    if (Array.isArray(v)) {
      for (const x of v)
        if (x && typeof x === 'object') scrubSerialized(x as Record<string, unknown>, values, depth + 1);
    } else if (v && typeof v === 'object' && 'message' in v) {
      scrubSerialized(v as Record<string, unknown>, values, depth + 1);
    }
  }
}

/**
 * pino's error serializer, without the values bound to a failed statement: they are dropped as
 * properties and replaced wherever a message, detail or inlined statement repeats them.
 */
export function errSerializer(err: unknown): unknown {
  const out = stdSerializers.err(err as Error) as unknown;
  if (!out || typeof out !== 'object' || out === err) return out;
  const values = boundValues(err);
  const rec = out as Record<string, unknown>;
  scrubSerialized(rec, values, 0);
  // Message and stack again, one error of the chain at a time: a "params:" line then ends with its
  // own message, and the causes' messages (the database's reason) stay readable.
  const chain = causeChain(err);
  rec['message'] = chain.map((e) => scrubText(e.message, values, false)).join(': ');
  rec['stack'] = chain.map((e) => scrubText(e.stack ?? '', values, false)).join('\ncaused by: ');
  return out;
}
