import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { parseInstant } from '../../platform/time.ts';
import { recordAudit } from '../audit/index.ts';
import {
  accountConnection,
  ChannelAccountView,
  CreateChannelAccountBody,
  createAccount,
  getAccount,
  listAccounts,
  UpdateChannelAccountBody,
  updateAccount,
} from './accounts.ts';
import { listAlerts } from './alerts.ts';
import { backfillView, createBackfill, listBackfills } from './backfill.ts';
import { connectorContext } from './context.ts';
import { shapeSummaries } from './drift.ts';
import { accountHealth } from './health.ts';
import { getInboxMessage, inboxView, listInbox, replayInboxMessage } from './inbox.ts';
import { pushRoutes } from './push-routes.ts';
import { accountVisible, keepVisible } from './scope.ts';
import { channelSettingsOf } from './settings.ts';
import { listStockPushes } from './stock-push.ts';
import { resetAfterNewCredentials } from './sync-state.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);

const HealthView = Type.Object({
  accountId: Type.String(),
  status: Type.Union(['green', 'yellow', 'red', 'expired'].map((s) => Type.Literal(s))),
  lastSuccessAt: NullableIso,
  lastAttemptAt: NullableIso,
  lagSeconds: Type.Union([Type.Integer(), Type.Null()]),
  consecutiveFailures: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  syncedTo: NullableIso,
  nextRunAt: NullableIso,
  ordersPulled: Type.Integer(),
  authExpiresAt: NullableIso,
});

const BackfillView = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  from: Iso,
  to: Iso,
  doneTo: Iso,
  status: Type.String(),
  orders: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Iso,
});

const INBOX_STATUSES = ['received', 'processed', 'failed', 'rejected'] as const;
const InboxView = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  messageId: Type.String(),
  topic: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union(INBOX_STATUSES.map((s) => Type.Literal(s))),
  error: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  orderIds: Type.Array(Type.String()),
  receivedAt: Iso,
  processedAt: NullableIso,
  headers: Type.Record(Type.String(), Type.String()),
  rawBody: Type.String(),
  rawEncoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
});

const AlertView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  accountId: Type.Union([Type.String(), Type.Null()]),
  platform: Type.Union([Type.String(), Type.Null()]),
  api: Type.Union([Type.String(), Type.Null()]),
  field: Type.Union([Type.String(), Type.Null()]),
  details: Type.Unknown(),
  example: Type.Unknown(),
  firstSeenAt: Iso,
  lastSeenAt: Iso,
  occurrences: Type.Integer(),
  resolvedAt: NullableIso,
});

const StockPushView = Type.Object({
  sku: Type.String(),
  wantedValue: Type.Integer(),
  wantedAt: Iso,
  pushedValue: Type.Union([Type.Integer(), Type.Null()]),
  pushedAt: NullableIso,
  status: Type.Union(['pending', 'pushed', 'failed', 'parked'].map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: NullableIso,
});

export function channelRoutes(app: FastifyInstance, deps: Deps): void {
  const { database, clock, crypto } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // Data scopes: an account outside the actor's scope is answered as if it did not exist, on every
  // /api/channel-accounts/:id route.
  app.addHook('preHandler', async (req) => {
    if (!req.actor?.scope?.accounts || !req.routeOptions.url?.startsWith('/api/channel-accounts/:id')) return;
    const id = (req.params as { id?: unknown }).id;
    if (typeof id === 'string' && !accountVisible(req.actor, id))
      throw new DomainError('NOT_FOUND', `no channel account ${id}`);
  });
  r.get(
    '/api/channel-accounts',
    {
      config: { permission: 'channels:read' },
      schema: {
        operationId: 'listChannelAccounts',
        tags: ['channels'],
        summary: 'Channel accounts (shops)',
        response: { 200: Type.Array(ChannelAccountView) },
      },
    },
    async (req) => keepVisible(req.actor, await listAccounts(database), (a) => a.id),
  );
  r.post(
    '/api/channel-accounts',
    {
      config: {
        permission: 'channels:manage',
        errors: ['CHANNEL_ACCOUNT_CODE_TAKEN', 'CHANNEL_CREDENTIALS_INVALID', 'CHANNEL_SETTINGS_INVALID'],
      },
      schema: {
        operationId: 'createChannelAccount',
        tags: ['channels'],
        summary: 'Add a channel account, with its connection (credentials and base URL are write-only)',
        body: CreateChannelAccountBody,
        response: { 201: ChannelAccountView },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await database.tx((tx) => createAccount(tx, { crypto }, clock.now(), req.actor!, req.body))),
  );
  r.patch(
    '/api/channel-accounts/:id',
    {
      config: {
        permission: 'channels:manage',
        errors: ['CHANNEL_ACCOUNT_CODE_TAKEN', 'CHANNEL_CREDENTIALS_INVALID', 'CHANNEL_SETTINGS_INVALID'],
      },
      schema: {
        operationId: 'updateChannelAccount',
        tags: ['channels'],
        summary:
          'Rename, (de)activate, or change the connection of a channel account (credential rotation is audited)',
        params: IdParams,
        body: UpdateChannelAccountBody,
        response: { 200: ChannelAccountView },
      },
    },
    async (req) =>
      database.tx(async (tx) => {
        const at = clock.now();
        const view = await updateAccount(tx, { crypto }, at, req.actor!, req.params.id, req.body);
        if (req.body.credentials) await resetAfterNewCredentials(tx, req.params.id, at);
        return view;
      }),
  );
  r.get(
    '/api/channel-accounts/:id/health',
    {
      config: { permission: 'channels:read' },
      schema: {
        operationId: 'getChannelAccountHealth',
        tags: ['channels'],
        summary: 'Sync health: last success, lag, consecutive failures, status (green/yellow/red/expired)',
        params: IdParams,
        response: { 200: HealthView },
      },
    },
    async (req) => {
      const at = clock.now();
      const account = await accountConnection(database, crypto, { id: req.params.id });
      if (!account) throw new DomainError('NOT_FOUND', `no channel account ${req.params.id}`);
      return accountHealth(database, account, at, channelSettingsOf(deps));
    },
  );
  r.post(
    '/api/channel-accounts/:id/backfill',
    {
      config: { permission: 'channels:manage', errors: ['CHANNEL_NOT_CONNECTED', 'TIME_INVALID'] },
      schema: {
        operationId: 'backfillChannelAccount',
        tags: ['channels'],
        summary: 'Pull a range of modification times again (at most 92 days); runs as a job',
        params: IdParams,
        body: Type.Object(
          { from: Iso, to: Iso },
          {
            additionalProperties: false,
            examples: [{ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }],
          },
        ),
        response: { 202: BackfillView },
      },
    },
    async (req, reply) => {
      const at = clock.now();
      const account = await accountConnection(database, crypto, { id: req.params.id });
      if (!account) throw new DomainError('NOT_FOUND', `no channel account ${req.params.id}`);
      if (!connectorContext(account, at) || !account.credentials)
        throw new DomainError(
          'CHANNEL_NOT_CONNECTED',
          `channel account ${account.code} has no connection to pull from`,
        );
      const range = { from: parseInstant(req.body.from, 'from'), to: parseInstant(req.body.to, 'to') };
      const b = await database.tx((tx) => createBackfill(tx, deps.jobs, at, account.id, range));
      return reply.status(202).send(backfillView(b));
    },
  );
  r.get(
    '/api/channel-accounts/:id/backfills',
    {
      config: { permission: 'channels:read' },
      schema: {
        operationId: 'listChannelBackfills',
        tags: ['channels'],
        summary: 'The account’s latest backfills',
        params: IdParams,
        response: { 200: Type.Array(BackfillView) },
      },
    },
    async (req) => {
      await getAccount(database, req.params.id);
      return (await listBackfills(database, req.params.id)).map(backfillView);
    },
  );
  r.get(
    '/api/channel-accounts/:id/stock-pushes',
    {
      config: { permission: 'channels:read' },
      schema: {
        operationId: 'listChannelStockPushes',
        tags: ['channels'],
        summary: 'Sellable stock told to the channel per SKU: last value pushed, when, and the last error',
        params: IdParams,
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union(['pending', 'pushed', 'failed', 'parked'].map((s) => Type.Literal(s))),
            ),
            sku: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(StockPushView) },
      },
    },
    async (req) => {
      await getAccount(database, req.params.id);
      return listStockPushes(database, req.params.id, req.query);
    },
  );
  r.get(
    '/api/inbox',
    {
      config: { permission: 'channels:read' },
      schema: {
        operationId: 'listInbox',
        tags: ['channels'],
        summary: 'Pushed messages as received, newest first, with raw body, status, error and attempts',
        querystring: Type.Object(
          {
            account: Type.Optional(
              Type.String({ minLength: 1, maxLength: 64, description: 'account id or code' }),
            ),
            status: Type.Optional(Type.Union(INBOX_STATUSES.map((s) => Type.Literal(s)))),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 512 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(InboxView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      let accountId: string | undefined;
      if (req.query.account) {
        const a =
          (await accountConnection(database, crypto, { id: req.query.account }).catch(() => null)) ??
          (await accountConnection(database, crypto, { code: req.query.account }).catch(() => null));
        if (!a) return { items: [], nextCursor: null };
        accountId = a.id;
      }
      const before = req.query.cursor
        ? (([at, id]) => ({ at: new Date(at!), id: id! }))(decodeCursor(req.query.cursor, ['instant', 'id']))
        : undefined;
      const rows = await listInbox(database, {
        ...(accountId ? { accountId } : {}),
        ...(req.query.status ? { status: req.query.status } : {}),
        ...(before ? { before } : {}),
        limit: limit + 1,
      });
      const items = keepVisible(req.actor, rows.slice(0, limit), (m) => m.accountId).map(inboxView);
      const last = rows.slice(0, limit).map(inboxView).at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor([last.receivedAt, last.id]) : null,
      };
    },
  );
  r.post(
    '/api/inbox/:id/replay',
    {
      config: { permission: 'channels:manage', errors: ['INBOX_NOT_REPLAYABLE'] },
      schema: {
        operationId: 'replayInboxMessage',
        tags: ['channels'],
        summary: 'Process a stored message again (after a fix); rejected messages are never processed',
        params: IdParams,
        body: Type.Object(
          {
            note: Type.Optional(
              Type.String({ minLength: 1, maxLength: 500, description: 'why, for the audit log' }),
            ),
          },
          { additionalProperties: false, examples: [{ note: 'SKU TEA-SET-01 added to the master' }] },
        ),
        response: { 202: InboxView },
      },
    },
    async (req, reply) => {
      const m = await database.tx(async (tx) => {
        const at = clock.now();
        const replayed = await replayInboxMessage(tx, deps.jobs, req.params.id, at);
        await recordAudit(tx, at, req.actor!, {
          action: 'channel_inbox.replay',
          entityType: 'channel_inbox',
          entityId: replayed.id,
          summary: { messageId: replayed.messageId, ...(req.body.note ? { note: req.body.note } : {}) },
        });
        return replayed;
      });
      return reply.status(202).send(inboxView(m));
    },
  );
  r.get(
    '/api/inbox/:id',
    {
      config: { permission: 'channels:read' },
      schema: {
        operationId: 'getInboxMessage',
        tags: ['channels'],
        summary: 'One stored message',
        params: IdParams,
        response: { 200: InboxView },
      },
    },
    async (req) => {
      const m = await getInboxMessage(database, req.params.id);
      if (!accountVisible(req.actor, m.accountId))
        throw new DomainError('NOT_FOUND', `no inbox message ${req.params.id}`);
      return inboxView(m);
    },
  );
  r.get(
    '/api/channels/drift',
    {
      config: { permission: 'channels:read' },
      schema: {
        operationId: 'listChannelDrift',
        tags: ['channels'],
        summary:
          'Interface drift (接口变更预警): new, vanished or re-typed fields per platform API, and the fields known',
        querystring: Type.Object(
          { open: Type.Optional(Type.Boolean({ description: 'only alerts not resolved' })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            alerts: Type.Array(AlertView),
            apis: Type.Array(
              Type.Object({
                platform: Type.String(),
                api: Type.String(),
                samples: Type.Integer(),
                firstSeenAt: Iso,
                lastSeenAt: Iso,
                fields: Type.Array(
                  Type.Object({
                    field: Type.String(),
                    type: Type.String(),
                    seen: Type.Integer(),
                    firstSeenAt: Iso,
                  }),
                ),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({
      alerts: keepVisible(
        req.actor,
        await listAlerts(database, {
          kinds: ['drift_new_field', 'drift_vanished_field', 'drift_retyped_field'],
          ...(req.query.open ? { open: true } : {}),
        }),
        (a) => a.accountId,
      ),
      apis: await shapeSummaries(database),
    }),
  );
  r.get(
    '/api/channels/alerts',
    {
      config: { permission: 'channels:read' },
      schema: {
        operationId: 'listChannelAlerts',
        tags: ['channels'],
        summary: 'Channel alerts: failing or expired accounts, drift, parked stock pushes, undecided refunds',
        querystring: Type.Object(
          {
            open: Type.Optional(Type.Boolean()),
            account: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'account id' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(AlertView) },
      },
    },
    async (req) =>
      keepVisible(
        req.actor,
        await listAlerts(database, {
          ...(req.query.open ? { open: true } : {}),
          ...(req.query.account ? { accountId: req.query.account } : {}),
        }),
        (a) => a.accountId,
      ),
  );
  app.register(async (scope) => pushRoutes(scope, deps));
}
