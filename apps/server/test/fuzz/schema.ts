import fc from 'fast-check';
import type { Dictionary } from './nasty.ts';

/** The part of JSON Schema the API's TypeBox schemas use (as served in the OpenAPI document). */
export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
}

export interface ConvertOptions {
  dictionary: Dictionary;
  /** Per value, the chance (0–1) that a nasty value replaces the valid one. 0 draws only valid values. */
  nasty: number;
  /**
   * Real values for a property, by its name (SKU codes, warehouse codes, versions): they take a
   * request past the business rules to the code behind them. Undefined when the name means nothing.
   */
  hint?: (name: string, schema: JsonSchema) => fc.Arbitrary<unknown> | undefined;
  /** Longest valid string drawn where the schema allows more (long ones come from the dictionary). */
  maxString?: number;
  /** Longest valid array drawn where the schema allows more. */
  maxItems?: number;
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** Plain text as integrators send it: ASCII, Chinese, digits, some punctuation. */
const textUnit = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
  },
  { weight: 2, arbitrary: fc.constantFrom(...'茶具杯浙江省杭州市西湖区文三路号张三李四') },
  { weight: 1, arbitrary: fc.constantFrom(...' -_.,:/#@()') },
);

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** RFC 3339 instants in a sane range, in UTC or with an offset. */
const dateTime = fc
  .record({
    y: fc.integer({ min: 2000, max: 2099 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    ms: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
    off: fc.constantFrom('Z', '+08:00', '-05:00', '+00:00', '+05:45'),
  })
  .map(
    (t) =>
      `${t.y}-${pad2(t.mo)}-${pad2(t.d)}T${pad2(t.h)}:${pad2(t.mi)}:${pad2(t.s)}${
        t.ms === undefined ? '' : `.${String(t.ms).padStart(3, '0')}`
      }${t.off}`,
  );
const date = fc
  .record({
    y: fc.integer({ min: 2000, max: 2099 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
  })
  .map((t) => `${t.y}-${pad2(t.mo)}-${pad2(t.d)}`);

function typesOf(s: JsonSchema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (s.type) return [s.type];
  if (s.properties) return ['object'];
  if (s.items) return ['array'];
  return [];
}

function lengthOk(s: string, schema: JsonSchema): boolean {
  const n = [...s].length;
  return n >= (schema.minLength ?? 0) && n <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
}

/** Merge `allOf` object parts into one object schema; other parts: the first wins. */
function mergeAllOf(parts: JsonSchema[]): JsonSchema {
  if (parts.every((p) => typesOf(p).includes('object') || p.properties)) {
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: parts.flatMap((p) => p.required ?? []),
      additionalProperties: parts.some((p) => p.additionalProperties === false) ? false : undefined,
    } as JsonSchema;
  }
  return parts[0] ?? {};
}

/**
 * An arbitrary for values of `schema`: valid ones, mixed with nasty ones from the dictionary at
 * the rate `opts.nasty` (per value, at every depth).
 */
export function arbitraryFor(schema: JsonSchema, opts: ConvertOptions, name = ''): fc.Arbitrary<unknown> {
  const valid = validFor(schema, opts, name);
  if (opts.nasty <= 0) return valid;
  const nasty = nastyFor(schema, opts, name);
  if (!nasty) return valid;
  const w = Math.max(1, Math.round(opts.nasty * 1000));
  return fc.oneof({ weight: Math.max(0, 1000 - w), arbitrary: valid }, { weight: w, arbitrary: nasty });
}

/** Only values the schema accepts (as far as this converter can tell). */
export function validFor(schema: JsonSchema, opts: ConvertOptions, name = ''): fc.Arbitrary<unknown> {
  // A hint is a name's usual meaning (`from` is a warehouse in a transfer): where this schema
  // refuses it (`from` is an instant in a report), the schema's own values are drawn instead.
  const hint =
    name && !schema.format && !schema.enum && !('const' in schema) ? opts.hint?.(name, schema) : undefined;
  const plain = plainValid(schema, opts, name);
  // chain, not filter: a hint that never fits (no cursor handed out yet) must not loop forever.
  const hinted = hint?.chain((v) => (roughlyValid(schema, v) ? fc.constant(v) : plain));
  if (!hinted) return plain;
  return fc.oneof({ weight: 3, arbitrary: hinted }, { weight: 1, arbitrary: plain });
}

/** Type, length, pattern and bounds: enough to keep a hint out of a field that refuses it. */
function roughlyValid(schema: JsonSchema, v: unknown): boolean {
  const types = typesOf(schema);
  if (typeof v === 'string') {
    if (types.length && !types.includes('string')) return false;
    return lengthOk(v, schema) && (!schema.pattern || new RegExp(schema.pattern, 'u').test(v));
  }
  if (typeof v === 'number') {
    if (types.length && !types.includes('number') && !(types.includes('integer') && Number.isInteger(v)))
      return false;
    return v >= (schema.minimum ?? -Infinity) && v <= (schema.maximum ?? Infinity);
  }
  return true;
}

function plainValid(schema: JsonSchema, opts: ConvertOptions, name: string): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => validFor(a, opts, name)));
  if (schema.allOf?.length) return validFor(mergeAllOf(schema.allOf), opts, name);
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => validFor({ ...schema, type }, opts, name)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const int = types[0] === 'integer';
      const min = Math.max(
        schema.minimum ?? -SAFE,
        schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (int ? 1 : 0) : -SAFE,
        -SAFE,
      );
      const max = Math.min(
        schema.maximum ?? SAFE,
        schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (int ? 1 : 0) : SAFE,
        SAFE,
      );
      const excluded = schema.not?.enum ?? [];
      // Small values most of the time: they are the ones that match real rows and add up.
      const small = fc.integer({
        min: Math.max(min, Math.min(max, -3)),
        max: Math.min(max, Math.max(min, 20)),
      });
      const full = int
        ? fc.integer({ min, max })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      const edges = fc.constantFrom(min, max);
      return fc
        .oneof(
          { weight: 6, arbitrary: small },
          { weight: 2, arbitrary: full },
          { weight: 1, arbitrary: edges },
        )
        .filter((n) => !excluded.includes(n));
    }
    case 'string':
      return stringFor(schema, opts);
    case 'array': {
      const item = arbitraryFor(schema.items ?? {}, opts, name);
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, opts.maxItems ?? 4));
      return schema.uniqueItems
        ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(item, { minLength, maxLength });
    }
    case 'object':
      return objectFor(schema, opts);
    default:
      // No type: anything JSON.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: JsonSchema, opts: ConvertOptions): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, opts.maxString ?? 40));
  switch (schema.format) {
    case 'date-time':
      return dateTime;
    case 'date':
      return date;
    case 'byte':
      return fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));
    case 'email':
      return fc.emailAddress();
    case 'uri':
    case 'url':
      return fc.webUrl();
    case 'uuid':
      return fc.uuid();
  }
  if (schema.pattern) {
    return fc
      .stringMatching(new RegExp(schema.pattern, 'u'))
      .map((s) => (schema.maxLength !== undefined ? s.slice(0, schema.maxLength) : s))
      .filter((s) => lengthOk(s, schema) && new RegExp(schema.pattern!, 'u').test(s));
  }
  return fc.string({ unit: textUnit, minLength, maxLength });
}

function objectFor(schema: JsonSchema, opts: ConvertOptions): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(props)) model[key] = arbitraryFor(sub, opts, key);
  let arb: fc.Arbitrary<Record<string, unknown>> = fc.record(model, {
    requiredKeys: [...required].filter((k) => k in props),
  });
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    const extra = fc.dictionary(
      fc.string({ unit: textUnit, minLength: 1, maxLength: 12 }),
      arbitraryFor(schema.additionalProperties, opts),
      { maxKeys: 3 },
    );
    arb = fc.tuple(arb, extra).map(([a, b]) => ({ ...b, ...a }));
  }
  const minProps = schema.minProperties ?? 0;
  return minProps > 0 ? arb.filter((o) => Object.keys(o).length >= minProps) : arb;
}

/** Values this schema should refuse (or that stress what accepts them), or undefined when none apply. */
function nastyFor(schema: JsonSchema, opts: ConvertOptions, name: string): fc.Arbitrary<unknown> | undefined {
  const d = opts.dictionary;
  const parts: fc.WeightedArbitrary<unknown>[] = [];
  const types = typesOf(schema);
  const alternatives = schema.anyOf ?? schema.oneOf;
  const isString =
    types.includes('string') || Boolean(alternatives?.some((a) => typesOf(a).includes('string')));
  const isNumber = types.includes('integer') || types.includes('number');
  const isObject = types.includes('object');
  if (isString && d.string) parts.push({ weight: 6, arbitrary: d.string });
  if (isNumber && d.number) parts.push({ weight: 6, arbitrary: d.number });
  if (isObject && (d.extraKey || d.classes.has('types'))) {
    // The object as it should be, plus one key it should not have, or minus one it needs.
    const base = validFor(schema, { ...opts, nasty: 0 }, name) as fc.Arbitrary<Record<string, unknown>>;
    if (d.extraKey) {
      parts.push({
        weight: 4,
        arbitrary: fc.tuple(base, d.extraKey).map(([o, [k, v]]) => {
          const copy = { ...o };
          Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
          return copy;
        }),
      });
    }
    const required = schema.required ?? [];
    if (d.classes.has('types') && required.length) {
      parts.push({
        weight: 2,
        arbitrary: fc.tuple(base, fc.constantFrom(...required)).map(([o, k]) => {
          const copy = { ...o };
          delete copy[k];
          return copy;
        }),
      });
    }
  }
  if (d.any) parts.push({ weight: 2, arbitrary: d.any });
  return parts.length ? fc.oneof(...parts) : undefined;
}
