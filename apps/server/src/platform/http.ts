import cookie from '@fastify/cookie';
import { ERROR_CODES, type ErrorCode, type Permission } from '@orderhub/contracts';
import Ajv, { type Options as AjvOptions } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Actor } from './actor.ts';
import { DomainError } from './errors.ts';
import { addInputFormats, registerInputGuards } from './input.ts';
import type { Logger } from './log.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a route needs; every /api route declares one, or `public: true`. */
    permission?: Permission;
    public?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** Every /api route with the permission it declared, as registered (HEAD included). */
    readonly apiRoutes: readonly ApiRoute[];
  }
}

export interface ApiRoute {
  method: string;
  url: string;
  permission: Permission | null;
  public: boolean;
}

const PROBLEM_TYPE = 'https://orderhub.dev/problems/';

export function problem(code: ErrorCode, detail: string, details?: unknown, instance?: string) {
  return {
    type: PROBLEM_TYPE + code.toLowerCase().replaceAll('_', '-'),
    title: code,
    status: ERROR_CODES[code],
    code,
    detail,
    ...(instance ? { instance } : {}),
    ...(details === undefined ? {} : { details }),
  };
}

function sendProblem(reply: FastifyReply, code: ErrorCode, detail: string, details?: unknown) {
  const body = problem(code, detail, details, reply.request.url);
  return reply.status(body.status).type('application/problem+json').send(body);
}

const baseAjv: AjvOptions = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };

function makeAjv(coerce: boolean) {
  const ajv = new Ajv.default({ ...baseAjv, coerceTypes: coerce ? 'array' : false });
  addFormats.default(ajv);
  addInputFormats(ajv);
  return ajv;
}

export type PrincipalResolver = (req: FastifyRequest) => Promise<Actor | null>;

export interface HttpOptions {
  logger: Logger;
  bodyLimit: number;
  trustProxy: boolean | string;
  resolveActor: PrincipalResolver;
}

/** The Fastify instance with orderhub's conventions: strict bodies, problem+json, permissions per route. */
export async function createHttp(opts: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit,
    trustProxy: opts.trustProxy,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: baseAjv },
    // Long path ids reach the route and its schema (400 VALIDATION_FAILED) instead of the router's 414.
    routerOptions: { maxParamLength: 2048 },
    // A URL that is not valid percent-encoded UTF-8 never reaches a route: answer it as problem+json too.
    frameworkErrors: (err, _req, reply) =>
      sendProblem(
        reply,
        'VALIDATION_FAILED',
        err.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid percent-encoded UTF-8' : err.message,
      ),
  });

  // Bodies are validated without type coercion ("3" is not a quantity); query strings are text and
  // are coerced. Unknown fields are refused everywhere, never silently dropped.
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object),
  );

  // NUL, invalid Unicode and UTF-8, deep JSON: refused before anything reads the request.
  registerInputGuards(app);

  // Cookies are parsed before the actor is resolved from them.
  await app.register(cookie);
  app.decorateRequest('actor', null);

  // The route table with permissions, for the role × route tests and for operators auditing access.
  const apiRoutes: ApiRoute[] = [];
  app.decorate('apiRoutes', apiRoutes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const cfg = route.config as { permission?: Permission; public?: boolean } | undefined;
    if (!cfg?.permission && !cfg?.public) {
      throw new Error(
        `route ${route.method} ${route.url} declares no permission (config.permission or config.public)`,
      );
    }
    for (const method of [route.method].flat()) {
      apiRoutes.push({
        method,
        url: route.url,
        permission: cfg.permission ?? null,
        public: cfg.public === true,
      });
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const cfg = req.routeOptions.config as { permission?: Permission; public?: boolean };
    req.actor = await opts.resolveActor(req);
    if (!req.routeOptions.url?.startsWith('/api/') || cfg.public) return;
    if (!req.actor)
      return sendProblem(reply, 'UNAUTHENTICATED', 'log in, or send Authorization: Bearer <token>');
    if (cfg.permission && !req.actor.permissions.has(cfg.permission)) {
      return sendProblem(
        reply,
        'FORBIDDEN',
        `your role (${req.actor.role}) lacks the permission ${cfg.permission}`,
        {
          permission: cfg.permission,
        },
      );
    }
  });

  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, 'NOT_FOUND', `no route ${req.method} ${req.url}`),
  );

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof DomainError) return sendProblem(reply, err.code, err.message, err.details);
    if (err.validation) {
      const errors = err.validation.map((v) => ({
        in: err.validationContext,
        path: v.instancePath || '/',
        // The field in a form people can name (`receiver.phone`), the rule it broke and its limits,
        // so that a client can say what is wrong in the reader's language (contracts' fieldErrorText).
        field: v.instancePath.replace(/^\//, '').replaceAll('/', '.') || null,
        keyword: v.keyword,
        params: v.params,
        message: v.message,
        ...(v.keyword === 'additionalProperties'
          ? { unknownField: (v.params as { additionalProperty?: string }).additionalProperty }
          : {}),
      }));
      return sendProblem(
        reply,
        'VALIDATION_FAILED',
        `${err.validationContext ?? 'request'} is not valid: ${errors
          .map((e) => `${e.path} ${e.message}`)
          .slice(0, 5)
          .join('; ')}`,
        { errors },
      );
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, 'PAYLOAD_TOO_LARGE', `the body is larger than ${opts.bodyLimit} bytes`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendProblem(reply, 'MALFORMED_JSON', 'the body is not valid JSON');
    }
    if (err instanceof SyntaxError && err.statusCode === 400) {
      return sendProblem(reply, 'MALFORMED_JSON', `the body is not valid JSON: ${err.message}`);
    }
    if (err.statusCode === 429) return sendProblem(reply, 'RATE_LIMITED', err.message);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendProblem(reply, 'VALIDATION_FAILED', err.message);
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(
      reply,
      'INTERNAL',
      'something went wrong on our side; the request id is in x-request-id',
      {
        requestId: req.id,
      },
    );
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  return app as unknown as FastifyInstance;
}
