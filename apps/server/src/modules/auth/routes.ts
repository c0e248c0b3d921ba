import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CreateTokenBody,
  CreateUserBody,
  LoginBody,
  TokenView,
  UpdateUserBody,
  UserView,
} from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { createToken, listTokens, revokeToken } from './api-tokens.ts';
import { DEVICE_COOKIE, DEVICE_DAYS } from './login-limits.ts';
import { login, logout, SESSION_COOKIE } from './sessions.ts';
import { createUser, getUser, listUsers, updateUser, userView } from './users.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function authRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock, config } = deps;

  r.post(
    '/api/auth/login',
    {
      config: { public: true, errors: ['INVALID_CREDENTIALS', 'RATE_LIMITED'] },
      schema: {
        operationId: 'login',
        tags: ['auth'],
        summary: 'Log in; sets the session cookie',
        body: LoginBody,
        response: { 200: UserView },
      },
    },
    async (req, reply) => {
      const result = await login(database, clock.now(), {
        ...req.body,
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
        ttlHours: config.sessionTtlHours,
        deviceToken: req.cookies[DEVICE_COOKIE],
      });
      if (!result.ok && result.retryAfterSeconds !== undefined) {
        reply.header('retry-after', String(result.retryAfterSeconds));
        throw new DomainError(
          'RATE_LIMITED',
          `too many failed log-ins; try again in ${result.retryAfterSeconds} s`,
          { retryAfterSeconds: result.retryAfterSeconds },
        );
      }
      if (!result.ok) throw new DomainError('INVALID_CREDENTIALS', 'wrong username or password');
      reply.setCookie(SESSION_COOKIE, result.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.secureCookies,
        expires: result.expiresAt,
      });
      if (result.deviceToken)
        reply.setCookie(DEVICE_COOKIE, result.deviceToken, {
          path: '/api/auth',
          httpOnly: true,
          sameSite: 'strict',
          secure: config.secureCookies,
          maxAge: DEVICE_DAYS * 86_400,
        });
      return result.user;
    },
  );

  r.post(
    '/api/auth/logout',
    {
      config: { public: true },
      schema: {
        operationId: 'logout',
        tags: ['auth'],
        summary: 'End the console session',
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token && req.actor) {
        const actor = req.actor;
        await database.tx((tx) => logout(tx, clock.now(), actor, token));
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/auth/me',
    {
      config: { permission: 'orders:read' },
      schema: {
        operationId: 'getCurrentUser',
        tags: ['auth'],
        summary: 'Who am I',
        response: { 200: UserView },
      },
    },
    async (req) => userView(await getUser(database, req.actor!.id!)),
  );

  r.get(
    '/api/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        operationId: 'listUsers',
        tags: ['users'],
        summary: 'List users',
        response: { 200: Type.Array(UserView) },
      },
    },
    async () => listUsers(database),
  );

  r.post(
    '/api/users',
    {
      config: {
        permission: 'users:manage',
        errors: ['USERNAME_TAKEN', 'USER_SCOPE_UNKNOWN_ACCOUNT', 'USER_SCOPE_UNKNOWN_WAREHOUSE'],
      },
      schema: {
        operationId: 'createUser',
        tags: ['users'],
        summary: 'Create a user',
        description:
          '`scope` limits what the user sees to some channel accounts and/or warehouses (ids; an empty list means all). An id that names no existing account or warehouse refuses the whole request with 422 USER_SCOPE_UNKNOWN_ACCOUNT or USER_SCOPE_UNKNOWN_WAREHOUSE.',
        body: CreateUserBody,
        response: { 201: UserView },
      },
    },
    async (req, reply) => {
      const user = await database.tx((tx) => createUser(tx, clock.now(), req.actor!, req.body));
      return reply.status(201).send(user);
    },
  );

  r.patch(
    '/api/users/:id',
    {
      config: {
        permission: 'users:manage',
        errors: [
          'USER_NOT_FOUND',
          'CANNOT_DEACTIVATE_SELF',
          'USER_SCOPE_UNKNOWN_ACCOUNT',
          'USER_SCOPE_UNKNOWN_WAREHOUSE',
        ],
      },
      schema: {
        operationId: 'updateUser',
        tags: ['users'],
        summary:
          'Change a user’s role, name, password, active flag or data scope; a new password or a reduced role ends their sessions and revokes their API tokens unless keepTokens is true',
        description:
          '`scope` sets the channel accounts and warehouses the user sees (ids; empty lists mean all). It applies at the user’s next request, to their sessions and API tokens alike: lists, counts, exports and figures leave out other shops and warehouses, and an order of another shop answers 404. Unknown ids refuse the whole request (422 USER_SCOPE_UNKNOWN_ACCOUNT / USER_SCOPE_UNKNOWN_WAREHOUSE, `details.ids`); a change is audited with the old and new scope.',
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: UserView },
      },
    },
    async (req) => database.tx((tx) => updateUser(tx, clock.now(), req.actor!, req.params.id, req.body)),
  );

  r.get(
    '/api/tokens',
    {
      config: { permission: 'tokens:manage' },
      schema: {
        operationId: 'listTokens',
        tags: ['tokens'],
        summary: 'API tokens (yours; everyone’s for a user manager)',
        response: { 200: Type.Array(TokenView) },
      },
    },
    async (req) => listTokens(database, req.actor!),
  );

  r.post(
    '/api/tokens',
    {
      config: { permission: 'tokens:manage', errors: ['USER_NOT_FOUND'] },
      schema: {
        operationId: 'createToken',
        tags: ['tokens'],
        summary: 'Create an API token; the secret is in this answer only',
        body: CreateTokenBody,
        response: { 201: Type.Intersect([TokenView, Type.Object({ token: Type.String() })]) },
      },
    },
    async (req, reply) => {
      const created = await database.tx((tx) => createToken(tx, clock.now(), req.actor!, req.body));
      return reply.status(201).send(created);
    },
  );

  r.delete(
    '/api/tokens/:id',
    {
      config: { permission: 'tokens:manage', errors: ['TOKEN_NOT_FOUND'] },
      schema: {
        operationId: 'revokeToken',
        tags: ['tokens'],
        summary: 'Revoke a token',
        params: IdParams,
        response: { 200: TokenView },
      },
    },
    async (req) => database.tx((tx) => revokeToken(tx, clock.now(), req.actor!, req.params.id)),
  );
}
