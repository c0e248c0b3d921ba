import type { JsonSchema } from './schema.ts';

/** One operation of the OpenAPI document, as the fuzzer needs it. */
export interface Operation {
  id: string;
  method: string;
  /** The path template, e.g. `/api/orders/{id}`. */
  path: string;
  pathParams: Param[];
  query: Param[];
  headers: Param[];
  body?: { schema: JsonSchema; example?: unknown };
  /** The documented 4xx codes, by status. */
  codes: Map<number, Set<string>>;
  /** Every documented status. */
  statuses: Set<number>;
}

export interface Param {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}
interface OpenApiOperation {
  operationId?: string;
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema; example?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** The codes a documented problem answer lists (`allOf: [Problem, { properties: { code: { enum } } }]`). */
function documentedCodes(schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  const own = schema.properties?.['code']?.enum ?? [];
  return [...(own as string[]), ...(schema.allOf ?? []).flatMap(documentedCodes)];
}

/** Every /api operation of the document: new routes join the fuzz suite by being documented. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const params = (where: string) =>
        (op.parameters ?? [])
          .filter((p) => p.in === where)
          .map((p) => ({
            name: p.name,
            required: p.required === true || where === 'path',
            schema: p.schema ?? {},
          }));
      const json = op.requestBody?.content?.['application/json'];
      const codes = new Map<number, Set<string>>();
      const statuses = new Set<number>();
      for (const [status, answer] of Object.entries(op.responses ?? {})) {
        const n = Number(status);
        if (!Number.isInteger(n)) continue;
        statuses.add(n);
        const problem = answer.content?.['application/problem+json']?.schema;
        if (problem) codes.set(n, new Set(documentedCodes(problem)));
      }
      ops.push({
        id: op.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: params('path'),
        query: params('query'),
        headers: params('header'),
        ...(json?.schema ? { body: { schema: json.schema, example: json.example } } : {}),
        codes,
        statuses,
      });
    }
  }
  return ops;
}

/**
 * The collection a path parameter names: the literal segment before it (`/api/inventory/freezes/{id}`
 * → `freezes`), the same key under which ids from `POST …/freezes` answers are kept.
 */
export function collectionOf(path: string, param: string): string {
  const segments = path.split('/');
  const at = segments.indexOf(`{${param}}`);
  return (segments[at - 1] ?? '').replace(/:.*$/, '');
}

/** The collection a create answer's id belongs to (`POST /api/inventory/counts:preview` → `counts`). */
export function collectionOfUrl(url: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  const last = path.split('/').at(-1) ?? '';
  if (!last || last.includes('{')) return undefined;
  return last.replace(/:.*$/, '');
}
