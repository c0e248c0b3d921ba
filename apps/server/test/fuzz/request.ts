import fc from 'fast-check';
import { Big, type Dictionary, type RawBody } from './nasty.ts';
import { collectionOf, type Operation } from './operations.ts';
import { arbitraryFor, type ConvertOptions, type JsonSchema } from './schema.ts';

/** Who sends a request: a role's API token, nobody, or a token that is not one. */
export type Sender = string;

/** Real values that take requests past the business rules, and the ids of existing rows. */
export interface World {
  roles: readonly string[];
  /** Ids of existing rows, by collection (`orders`, `skus`, `freezes`, …). */
  ids: Map<string, string[]>;
  /** Real values by property name (`sku`, `warehouse`, `channelAccount`, `version`, …). */
  values: Map<string, fc.Arbitrary<unknown>>;
  /** Cursors list answers handed out; `values.get('cursor')` draws from them. */
  cursors: string[];
}

/** A request as drawn: small, printable, and resolved against the world's ids when sent. */
export interface Drawn {
  as: Sender;
  path: Record<string, { existing: number } | { value: unknown }>;
  query: [string, unknown][];
  headers: [string, unknown][];
  body?: { json: unknown } | { raw: RawBody } | { example: unknown };
}

/** A request ready to send. */
export interface Wire {
  method: string;
  url: string;
  as: Sender;
  headers: Record<string, string>;
  payload?: Buffer;
  /** The body as a report shows it (big values named, not written out). */
  shown?: string;
}

export interface DrawOptions {
  dictionary: Dictionary;
  /** Share of requests (0–1) that carry nasty values; the others are valid as far as the schema goes. */
  nastyRate: number;
  /** Within a nasty request, the chance per value of being nasty. */
  perValue: number;
}

const HEADER_CAP = 8 * 1024;
const QUERY_CAP = 16 * 1024;

function oneOfRate<T>(rate: number, clean: fc.Arbitrary<T>, nasty: fc.Arbitrary<T>): fc.Arbitrary<T> {
  const w = Math.round(Math.min(1, Math.max(0, rate)) * 100);
  if (w === 0) return clean;
  if (w === 100) return nasty;
  return fc.oneof({ weight: 100 - w, arbitrary: clean }, { weight: w, arbitrary: nasty });
}

/** Every leaf path of a JSON value (objects and arrays walked), for mutating examples. */
function leafPaths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (v && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
    const inner = entries.flatMap(([k, x]) => leafPaths(x, [...at, k]));
    return [at, ...inner];
  }
  return [at];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (!path.length) return value;
  const copy: any = Array.isArray(root) ? [...root] : { ...(root as object) };
  const [head, ...rest] = path;
  copy[head!] = setAt(copy[head!], rest, value);
  return copy;
}

/** Usually nothing, once in `oneIn` draws a value of `arb`. */
function rarely<T>(oneIn: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

/**
 * The arbitrary for one operation's requests: a share `nastyRate` of them carry nasty values (in
 * any value, header or the whole body); the others are valid as far as the schemas go, with real
 * ids and codes, so that they reach the handlers.
 */
export function requestArbitrary(op: Operation, world: World, opts: DrawOptions): fc.Arbitrary<Drawn> {
  const clean = drawRequests(op, world, opts.dictionary, 0);
  if (opts.nastyRate <= 0 || opts.perValue <= 0) return clean;
  return oneOfRate(opts.nastyRate, clean, drawRequests(op, world, opts.dictionary, opts.perValue));
}

function drawRequests(op: Operation, world: World, d: Dictionary, perValue: number): fc.Arbitrary<Drawn> {
  const nasty = perValue > 0;
  const hint = (name: string) => world.values.get(name);
  const conv: ConvertOptions = { dictionary: d, nasty: perValue, hint };
  const draw = (schema: JsonSchema, name: string) => arbitraryFor(schema, conv, name);

  // Admin passes every permission check, so it is drawn most; every role and nobody still come up.
  const as = fc.oneof(
    { weight: 6, arbitrary: fc.constant('admin') },
    { weight: 4, arbitrary: fc.constantFrom(...world.roles) },
    { weight: 1, arbitrary: fc.constantFrom('anonymous', 'bad-token') },
  );

  const path: Record<string, fc.Arbitrary<{ existing: number } | { value: unknown }>> = {};
  for (const p of op.pathParams) {
    const existing = fc.nat().map((n) => ({ existing: n }));
    const junk = draw(p.schema, p.name).map((value) => ({ value }));
    path[p.name] = fc.oneof({ weight: 4, arbitrary: existing }, { weight: 1, arbitrary: junk });
  }

  const optional = (p: { required: boolean }, v: fc.Arbitrary<[string, unknown]>) =>
    p.required ? v : fc.option(v, { nil: undefined });
  const present = <T>(xs: (T | undefined)[]) => xs.filter((x): x is T => x !== undefined);

  const queryParts: fc.Arbitrary<[string, unknown] | undefined>[] = op.query.map((p) =>
    optional(
      p,
      draw(p.schema, p.name).map((value): [string, unknown] => [p.name, value]),
    ),
  );
  if (nasty && d.classes.has('proto'))
    queryParts.push(
      rarely(
        6,
        fc.constantFrom<[string, unknown]>(
          ['__proto__', 'x'],
          ['constructor[prototype][isAdmin]', 'true'],
          ['limit', ['1', '2']],
          ['unknownFilter', '1'],
        ),
      ),
    );
  // A `from`/`to` pair (or `placedFrom`/`placedTo`) is usually a short range forwards, as people
  // ask for; drawn independently, most pairs would be refused as backwards or too long.
  const ranges = op.query
    .filter((p) => /(^f|F)rom$/.test(p.name) && p.schema.format === 'date-time')
    .map((p) => [p.name, p.name.replace(/rom$/, 'o').replace(/^fo$/, 'to').replace(/Fo$/, 'To')] as const)
    .filter(([, to]) => op.query.some((q) => q.name === to));
  const query = fc
    .tuple(
      fc.tuple(...queryParts).map(present),
      fc.option(fc.integer({ min: 60, max: 200 * 86_400 }), { nil: undefined }),
    )
    .map(([pairs, seconds]) => {
      if (seconds === undefined || !ranges.length) return pairs;
      const out = [...pairs];
      for (const [fromName, toName] of ranges) {
        const from = out.find(([k]) => k === fromName)?.[1];
        const at = typeof from === 'string' ? Date.parse(from) : Number.NaN;
        // Nasty instants (year +275760) stay as drawn.
        if (Number.isNaN(at) || Math.abs(at) > 8e15) continue;
        const to = new Date(at + seconds * 1000).toISOString();
        const i = out.findIndex(([k]) => k === toName);
        if (i >= 0) out[i] = [toName, to];
        else out.push([toName, to]);
      }
      return out;
    });

  const headerParts: fc.Arbitrary<[string, unknown] | undefined>[] = op.headers.map((p) =>
    optional(
      p,
      draw(p.schema, p.name).map((value): [string, unknown] => [p.name, value]),
    ),
  );
  if (nasty && d.contentType && op.body)
    headerParts.push(
      rarely(
        6,
        d.contentType.map((v): [string, unknown] => ['content-type', v]),
      ),
    );
  if (nasty && d.authorization)
    headerParts.push(
      rarely(
        10,
        d.authorization.map((v): [string, unknown] => ['authorization', v]),
      ),
    );
  if (nasty && d.classes.has('headers') && d.string) {
    const names = fc.constantFrom(
      'x-request-id',
      'user-agent',
      'x-forwarded-for',
      'cookie',
      'accept-language',
    );
    headerParts.push(rarely(4, fc.tuple(names, d.string)));
  }
  const headers = fc.tuple(...headerParts).map(present);

  let body: fc.Arbitrary<Drawn['body']> = fc.constant(undefined);
  if (op.body) {
    const parts: fc.WeightedArbitrary<Drawn['body']>[] = [
      { weight: 6, arbitrary: draw(op.body.schema, '').map((json) => ({ json })) },
    ];
    const example = op.body.example;
    if (example !== undefined) {
      // The documented example gets past the business rules; in a nasty request one value of it
      // is swapped for a nasty one.
      if (!nasty) parts.push({ weight: 3, arbitrary: fc.constant({ example }) });
      else if (d.any) {
        const paths = leafPaths(example);
        parts.push({
          weight: 3,
          arbitrary: fc
            .tuple(fc.constantFrom(...paths), d.any)
            .map(([p, v]) => ({ example: setAt(example, p, v) })),
        });
      }
    }
    if (nasty && d.rawBody) parts.push({ weight: 1, arbitrary: d.rawBody.map((raw) => ({ raw })) });
    body = fc.oneof(...parts);
  }

  return fc.record({ as, path: fc.record(path), query, headers, body });
}

/** Percent-encodes text byte by byte; lone surrogates become the (invalid) UTF-8 of their code unit. */
export function encodeComponent(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (/[A-Za-z0-9\-_.~]/.test(ch)) {
      out += ch;
      continue;
    }
    let bytes: number[];
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes = [...Buffer.from(s.slice(i, i + 2), 'utf8')];
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      bytes = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
    } else {
      bytes = [...Buffer.from(ch, 'utf8')];
    }
    out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

function scalarText(v: unknown, cap: number): string {
  if (v instanceof Big) return v.text(cap);
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v, (_k, x) => (x instanceof Big ? x.json(cap) : x)) ?? '';
}

/**
 * Header text as it arrives over a real connection: the UTF-8 bytes read as Latin-1, without the
 * control characters Node's HTTP parser refuses before any application code runs (inject() would
 * let them through and fail where a real server never could).
 */
export function headerText(s: string): string {
  return Buffer.from(s, 'utf8')
    .toString('latin1')
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}

/** JSON text of a drawn value, with big tokens written out. */
export function toJson(v: unknown): string {
  const bigs: Big[] = [];
  const text = JSON.stringify(v, (_k, x) => {
    if (x instanceof Big) {
      bigs.push(x);
      return `\u0001BIG${bigs.length - 1}\u0001`;
    }
    return x;
  });
  if (text === undefined) return '';
  if (!bigs.length) return text;
  return text.replace(/"\\u0001BIG(\d+)\\u0001"/g, (_m, i) => bigs[Number(i)]!.json());
}

/** JSON text for a report: big tokens named, long text cut. */
export function show(v: unknown, max = 2000): string {
  const text = JSON.stringify(v, (_k, x) => (x instanceof Big ? `<${x}>` : x)) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** The request as sent: ids picked from the world, values encoded. */
export function toWire(op: Operation, drawn: Drawn, world: World): Wire {
  let url = op.path;
  for (const p of op.pathParams) {
    const v = drawn.path[p.name];
    let text: string;
    if (v && 'existing' in v) {
      const own = world.ids.get(collectionOf(op.path, p.name)) ?? [];
      const all = own.length ? own : [...world.ids.values()].flat();
      text = all.length ? all[v.existing % all.length]! : 'none';
    } else {
      text = scalarText(v?.value, QUERY_CAP);
    }
    url = url.replace(`{${p.name}}`, encodeComponent(text));
  }
  const qs: string[] = [];
  for (const [k, v] of drawn.query) {
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) qs.push(`${encodeComponent(k)}=${encodeComponent(scalarText(x, QUERY_CAP))}`);
  }
  if (qs.length) url += `?${qs.join('&')}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of drawn.headers) headers[k] = headerText(scalarText(v, HEADER_CAP));
  let payload: Buffer | undefined;
  let shown: string | undefined;
  if (drawn.body) {
    if ('raw' in drawn.body) {
      payload = drawn.body.raw.bytes();
      shown = `<raw: ${drawn.body.raw.label}>`;
    } else {
      const value = 'json' in drawn.body ? drawn.body.json : drawn.body.example;
      payload = Buffer.from(toJson(value), 'utf8');
      shown = show(value);
    }
    if (!('content-type' in headers)) headers['content-type'] = 'application/json';
  }
  return {
    method: op.method,
    url,
    as: drawn.as,
    headers,
    ...(payload ? { payload } : {}),
    ...(shown ? { shown } : {}),
  };
}
