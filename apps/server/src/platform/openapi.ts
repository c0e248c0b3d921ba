import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ERROR_CODES, type ErrorCode, Problem } from '@orderhub/contracts';
import type { FastifyInstance, RouteOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The error codes this route answers beyond those every route of its kind gives (validation,
     * authentication, permission): they are documented with the route's 4xx answers.
     */
    errors?: readonly ErrorCode[];
  }
}

export interface OpenApiOptions {
  version: string;
  /** The session cookie's name, for the security scheme. */
  sessionCookie: string;
  /** Where integrators reach the API; relative to the document by default. */
  servers?: { url: string; description?: string }[];
  /** Serve the UI at /docs and the document at /docs/json (ORDERHUB_API_DOCS); default true. */
  ui?: boolean;
}

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const PROBLEM_MEDIA = 'application/problem+json';

/** Why a route answers each 4xx status, in the document's words. */
const REASONS: Record<number, string> = {
  400: 'The request is not valid',
  401: 'Not logged in, or the token is unknown or revoked',
  403: 'The role lacks the permission this operation needs',
  404: 'Nothing with that id',
  409: 'Conflicts with the current state',
  413: 'The body is larger than the configured limit',
  415: 'The body is not application/json',
  422: 'Refused by a business rule',
  429: 'Too many requests; retry later',
};

interface RouteShape {
  url: string;
  schema?: {
    body?: unknown;
    querystring?: unknown;
    params?: unknown;
    headers?: unknown;
    hide?: boolean;
    operationId?: string;
  };
  config?: { permission?: string; public?: boolean; errors?: readonly ErrorCode[] };
}

function properties(schema: unknown): Record<string, unknown> {
  return ((schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {}) as Record<
    string,
    unknown
  >;
}

/**
 * Every error code a route can answer with, from its shape (body, query, path parameters,
 * permission) and the codes it declares in `config.errors`.
 */
export function routeErrorCodes(route: RouteShape): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  const s = route.schema ?? {};
  const cfg = route.config ?? {};
  if (s.body) {
    codes.add('VALIDATION_FAILED');
    codes.add('MALFORMED_JSON');
    // The input guards (platform/input.ts) read every body before validation.
    codes.add('JSON_TOO_DEEP');
    codes.add('TEXT_INVALID');
    codes.add('UNSUPPORTED_MEDIA_TYPE');
    codes.add('PAYLOAD_TOO_LARGE');
  }
  if (s.querystring || s.params || s.headers) {
    codes.add('VALIDATION_FAILED');
    codes.add('TEXT_INVALID');
  }
  // One cursor codec: a cursor from another list or sort is refused the same way everywhere.
  if ('cursor' in properties(s.querystring)) codes.add('INVALID_CURSOR');
  if ('idempotency-key' in properties(s.headers)) {
    codes.add('IDEMPOTENCY_KEY_REUSED');
    codes.add('IDEMPOTENCY_KEY_IN_PROGRESS');
  }
  if (route.url.startsWith('/api/') && !cfg.public) codes.add('UNAUTHENTICATED');
  if (cfg.permission) codes.add('FORBIDDEN');
  for (const code of cfg.errors ?? []) codes.add(code);
  // A path parameter names something that may not exist: a generic 404 unless the route names its own.
  if (s.params && ![...codes].some((c) => ERROR_CODES[c] === 404)) codes.add('NOT_FOUND');
  return [...codes];
}

/** The route's 4xx answers as OpenAPI responses: problem+json, with the codes each status can carry. */
export function problemResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code];
    if (status < 400 || status >= 500) continue;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const sorted = [...list].sort();
    responses[String(status)] = {
      description: `${REASONS[status] ?? 'Refused'}. \`code\` is one of: ${sorted.map((c) => `\`${c}\``).join(', ')}.`,
      content: {
        [PROBLEM_MEDIA]: {
          schema: {
            allOf: [PROBLEM_REF, { type: 'object', properties: { code: { type: 'string', enum: sorted } } }],
          },
        },
      },
    };
  }
  return responses;
}

type Operation = { operationId?: string; responses?: Record<string, unknown> };

/**
 * The OpenAPI document at /docs/json and its UI at /docs. Call before any route is added: every
 * visible /api route must carry a unique `operationId` (generated clients name their methods after
 * it), and the start fails on one that does not.
 */
export async function registerOpenApi(http: FastifyInstance, opts: OpenApiOptions): Promise<void> {
  const seen = new Map<string, string>();
  const errorsByOperation = new Map<string, Record<string, unknown>>();
  http.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat().filter((m) => m !== 'HEAD');
    if (!methods.length || !route.url.startsWith('/api/') || route.schema?.hide) return;
    const where = `${methods.join(',')} ${route.url}`;
    const id = (route.schema as { operationId?: string } | undefined)?.operationId;
    if (!id) throw new Error(`route ${where} has no schema.operationId: generated clients need one`);
    const other = seen.get(id);
    if (other && other !== where) throw new Error(`operationId ${id} names both ${other} and ${where}`);
    seen.set(id, where);
    errorsByOperation.set(id, problemResponses(routeErrorCodes(route as RouteShape)));
  });

  await http.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'orderhub API',
        version: opts.version,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        description:
          'One order centre for every channel. Log in with POST /api/auth/login (session cookie) or send `Authorization: Bearer <token>` (create one with `orderhub token create`). Money is in minor units (fen), times are RFC 3339 instants stored as UTC. Errors are application/problem+json with a stable `code`; each operation lists the codes it can answer.',
      },
      servers: opts.servers ?? [{ url: '/', description: 'this server' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: opts.sessionCookie },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    // The 4xx answers are added to the document only: they never take part in serialising replies.
    transformObject: (document) => {
      const { openapiObject } = document as { openapiObject: Record<string, unknown> };
      const { $id: _id, ...problem } = Problem as typeof Problem & { $id?: string };
      const doc = openapiObject as {
        components?: { schemas?: Record<string, unknown> };
        paths?: Record<string, Record<string, Operation>>;
      };
      doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Problem: problem } };
      for (const ops of Object.values(doc.paths ?? {})) {
        for (const op of Object.values(ops)) {
          const extra = op.operationId ? errorsByOperation.get(op.operationId) : undefined;
          if (!extra) continue;
          const responses = { ...op.responses };
          for (const [status, response] of Object.entries(extra)) responses[status] ??= response;
          op.responses = responses;
        }
      }
      return openapiObject;
    },
  });
  // Switched off, nothing is served under /docs (a 404, never the console's page); the document
  // is still built, for `http.swagger()`.
  if (opts.ui === false) return;
  // No validator badge: it would load an image from validator.swagger.io, outside the page's CSP.
  await http.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });
}
