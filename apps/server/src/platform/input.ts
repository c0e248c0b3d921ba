import type Ajv from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from './errors.ts';
import { MAX_INSTANT_MS, MIN_INSTANT_MS } from './time.ts';

/**
 * The edge every request passes before any handler, log-in included: text is valid Unicode without
 * NUL (PostgreSQL refuses U+0000 in text and jsonb, and a lone surrogate would be stored as U+FFFD),
 * the body is valid UTF-8, JSON nests at most MAX_JSON_DEPTH levels, and date-time fields are
 * instants in the accepted range. Each refusal is a 400 with its own code, naming the field.
 */

/** Deeper JSON is refused before it is parsed: nothing orderhub takes nests further. */
export const MAX_JSON_DEPTH = 64;

declare global {
  interface String {
    isWellFormed(): boolean;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Set by the JSON parser: whether the body held `\u` escapes (the only way NUL or a lone surrogate gets in). */
const ESCAPES = Symbol('orderhub.jsonEscapes');
type Marked = FastifyRequest & { [ESCAPES]?: boolean };

const badText = (s: string) => s.indexOf('\0') !== -1 || !s.isWellFormed();

function refuseText(part: string, path: string): never {
  const where = `${part}${path === '/' ? '' : path}`;
  throw new DomainError(
    'TEXT_INVALID',
    `${where} contains a NUL character or invalid Unicode (an unpaired surrogate); send valid UTF-8 text without U+0000`,
    { field: where, errors: [{ in: part, path, message: 'must be valid Unicode text without NUL' }] },
  );
}

const pointer = (parent: string, key: string | number) =>
  `${parent === '/' ? '' : parent}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;

/** The JSON pointer of the first bad string or key: the slow path, only once something is known bad. */
function locate(root: unknown): string {
  const stack: [unknown, string][] = [[root, '/']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (badText(v)) return path;
    } else if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) stack.push([v[i], pointer(path, i)]);
      } else
        for (const [k, x] of Object.entries(v)) {
          if (badText(k)) return pointer(path, k);
          stack.push([x, pointer(path, k)]);
        }
    }
  }
  return '/';
}

/** One iterative pass over a parsed value: true when some string or key is not acceptable text. */
export function hasBadText(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (badText(v)) return true;
    } else if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) {
        for (const x of v) if (typeof x === 'object' || typeof x === 'string') stack.push(x);
      } else {
        for (const k in v) {
          if (badText(k)) return true;
          const x = (v as Record<string, unknown>)[k];
          if (typeof x === 'object' || typeof x === 'string') stack.push(x);
        }
      }
    }
  }
  return false;
}

function checkPart(part: string, value: unknown) {
  if (value !== undefined && value !== null && hasBadText(value)) refuseText(part, locate(value));
}

/**
 * Throws JSON_TOO_DEEP when arrays/objects nest deeper than MAX_JSON_DEPTH. One pass without
 * recursion; strings are skipped with indexOf, so brackets inside text do not count.
 */
export function assertJsonDepth(text: string): void {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j === -1) return; // unterminated: the parser refuses it
        let bs = 0;
        while (text.charCodeAt(j - 1 - bs) === 0x5c /* \ */) bs++;
        if (bs % 2 === 0) break;
      }
      i = j;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > MAX_JSON_DEPTH)
        throw new DomainError('JSON_TOO_DEEP', `the body nests deeper than ${MAX_JSON_DEPTH} levels`, {
          maxDepth: MAX_JSON_DEPTH,
        });
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

const rfc3339 = fullFormats['date-time'] as { validate: (s: string) => boolean };

/**
 * `format: 'date-time'` as orderhub accepts it: RFC 3339 with an offset, and an instant from
 * 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (the range of `parseInstant`). Leap seconds
 * (`23:59:60`) are refused: JavaScript dates cannot hold them.
 */
export function isAcceptedInstant(s: string): boolean {
  if (!rfc3339.validate(s)) return false;
  const ms = Date.parse(s);
  return Number.isFinite(ms) && ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
}

/** Replaces ajv-formats' date-time with the bounded one; call after addFormats. */
export function addInputFormats(ajv: Ajv.default): void {
  ajv.addFormat('date-time', { type: 'string', validate: isAcceptedInstant });
}

/**
 * Installs the edge checks on the root instance. Register it before the hooks that resolve the
 * caller: headers, the query string and path parameters are checked on request, bodies once parsed.
 */
// biome-ignore lint/suspicious/noExplicitAny: any logger and server type
export function registerInputGuards(app: FastifyInstance<any, any, any, any>): void {
  const { onProtoPoisoning, onConstructorPoisoning } = app.initialConfig as {
    onProtoPoisoning?: 'error' | 'remove' | 'ignore';
    onConstructorPoisoning?: 'error' | 'remove' | 'ignore';
  };
  const parseJson = app.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(
        new DomainError('TEXT_INVALID', 'the body is not valid UTF-8', {
          field: 'body',
          errors: [{ in: 'body', path: '/', message: 'must be UTF-8' }],
        }),
        undefined,
      );
      return;
    }
    try {
      assertJsonDepth(text);
    } catch (e) {
      done(e as Error, undefined);
      return;
    }
    // Without a `\u` escape, a fatally decoded body cannot hold NUL or a lone surrogate (JSON
    // refuses raw control characters in strings): the walk is skipped for almost every ingest.
    (req as Marked)[ESCAPES] = text.indexOf('\\u') !== -1;
    parseJson(req, text, done);
  });

  app.addHook('onRequest', async (req) => {
    const h = req.headers;
    for (const k in h) {
      const v = h[k];
      if (typeof v === 'string' ? badText(v) : Array.isArray(v) && v.some(badText))
        refuseText('headers', `/${k}`);
    }
    checkPart('querystring', req.query);
    checkPart('params', req.params);
  });

  app.addHook('preValidation', async (req) => {
    // A body kept as bytes (the payment callbacks: their signature is over the bytes) is not text
    // here; its route reads it and answers for it. Walked as an object it would be a key per byte.
    if (req.body === undefined || (req as Marked)[ESCAPES] === false || Buffer.isBuffer(req.body)) return;
    checkPart('body', req.body);
  });
}
