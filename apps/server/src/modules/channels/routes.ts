import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import {
  ChannelAccountView,
  CreateChannelAccountBody,
  createAccount,
  listAccounts,
  UpdateChannelAccountBody,
  updateAccount,
} from './accounts.ts';

export function channelRoutes(app: FastifyInstance, { database, clock }: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
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
    async () => listAccounts(database),
  );
  r.post(
    '/api/channel-accounts',
    {
      config: { permission: 'channels:manage', errors: ['CHANNEL_ACCOUNT_CODE_TAKEN'] },
      schema: {
        operationId: 'createChannelAccount',
        tags: ['channels'],
        summary: 'Add a channel account',
        body: CreateChannelAccountBody,
        response: { 201: ChannelAccountView },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await database.tx((tx) => createAccount(tx, clock.now(), req.actor!, req.body))),
  );
  r.patch(
    '/api/channel-accounts/:id',
    {
      config: { permission: 'channels:manage', errors: ['CHANNEL_ACCOUNT_CODE_TAKEN'] },
      schema: {
        operationId: 'updateChannelAccount',
        tags: ['channels'],
        summary: 'Rename or (de)activate a channel account',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: UpdateChannelAccountBody,
        response: { 200: ChannelAccountView },
      },
    },
    async (req) => database.tx((tx) => updateAccount(tx, clock.now(), req.actor!, req.params.id, req.body)),
  );
}
