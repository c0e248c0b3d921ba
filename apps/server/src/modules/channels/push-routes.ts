import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { cachedAccountConnection } from './accounts.ts';
import { connectorContext } from './context.ts';
import { storePush } from './inbox.ts';

const BYTES = Symbol('orderhub.pushBytes');
type RawBody = { [BYTES]: Buffer };

/**
 * `POST /api/channels/push/{accountCode}`: where platforms push. No session: the connector
 * verifies the platform's signature over the raw bytes, so this plugin reads every body as a
 * Buffer with its own content-type parsers (the server's JSON parser stays as it is elsewhere).
 * The message is stored first, then acknowledged in the platform's form; a job processes it.
 */
export async function pushRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { database, clock, crypto } = deps;
  // The bytes travel under a symbol key: the server's text guard walks a parsed body's keys, and
  // would otherwise visit a Buffer byte by byte for nothing (its keys are indexes, its values numbers).
  const raw = (_req: unknown, body: Buffer, done: (err: Error | null, body?: RawBody) => void) =>
    done(null, { [BYTES]: body });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, raw);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, raw);

  app.post<{ Params: { accountCode: string } }>(
    '/api/channels/push/:accountCode',
    {
      config: { public: true, errors: ['CHANNEL_PUSH_REJECTED', 'CHANNEL_NOT_CONNECTED'] },
      schema: {
        // For the platforms, not for API clients: documented in docs/channels.md and docs/channels-webhook.md.
        hide: true,
        operationId: 'receiveChannelPush',
        tags: ['channels'],
        summary:
          'A platform’s push (webhook) for one account: verified on the raw body, stored, then acknowledged in the platform’s own form',
        params: Type.Object({ accountCode: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Unknown({ description: 'the platform’s expected acknowledgement' }) },
      },
    },
    async (req, reply) => {
      const at = clock.now();
      const account = await cachedAccountConnection(database, crypto, { code: req.params.accountCode });
      if (!account?.active)
        throw new DomainError('NOT_FOUND', `no active channel account "${req.params.accountCode}"`);
      const c = connectorContext(account, at);
      if (!c || !account.credentials)
        throw new DomainError('CHANNEL_NOT_CONNECTED', `channel account ${account.code} takes no pushes`);
      const body = (req.body as RawBody | undefined)?.[BYTES] ?? Buffer.alloc(0);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers))
        headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const query = Object.fromEntries(
        Object.entries((req.query ?? {}) as Record<string, unknown>).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : undefined,
        ]),
      );
      let verdict: ReturnType<typeof c.connector.verifyPush>;
      try {
        verdict = c.connector.verifyPush({ headers, query, body }, c.ctx);
      } catch (e) {
        verdict = { ok: false, reason: 'MALFORMED', message: (e as Error).message };
      }
      await storePush(database, deps.jobs, at, {
        accountId: account.id,
        headers,
        body,
        verdict: verdict.ok
          ? { ok: true, messageId: verdict.messageId, topic: verdict.topic }
          : { ok: false, reason: verdict.reason, message: verdict.message },
      });
      if (!verdict.ok)
        req.log.warn({ account: account.code, reason: verdict.reason }, 'channel push rejected');
      const ack = c.connector.ackPush(verdict.ok, verdict.ok ? undefined : verdict.message);
      return reply.status(ack.status).type(ack.contentType).send(ack.body);
    },
  );
}
