import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { problem } from '../../platform/http.ts';
import { newUlid } from '../../platform/ids.ts';
import { transitionContext } from '../orders/index.ts';
import { loadAccountByCode, type PaymentAccount } from './accounts.ts';
import { actorFor, paymentTimeline } from './apply.ts';
import { callbackBooker } from './batch.ts';
import { decodedJsonOf, keptHeaders, recordEvent } from './events.ts';
import type { ProviderAck, RawCallback } from './provider.ts';
import { paymentSettingsOf } from './settings.ts';

function send(reply: FastifyReply, ack: ProviderAck) {
  return reply.status(ack.status).type(ack.contentType).send(ack.body);
}

/**
 * The trade number a refused message claims, read without trusting it: only used to show the
 * refusal on that order's timeline when the number is one of this account's attempts.
 */
function claimedTradeNo(body: Buffer, contentType: string | undefined): string | null {
  try {
    const text = body.toString('utf8');
    if (contentType?.includes('x-www-form-urlencoded')) return new URLSearchParams(text).get('out_trade_no');
    const json = JSON.parse(text) as {
      out_trade_no?: unknown;
      data?: { object?: { metadata?: { orderhub_trade_no?: unknown } } };
    };
    const v = json.data?.object?.metadata?.orderhub_trade_no ?? json.out_trade_no;
    return typeof v === 'string' && v.length <= 64 ? v : null;
  } catch {
    return null;
  }
}

/**
 * `POST /api/payments/notify/{code}`: the providers' callbacks. No session — the signature on the
 * raw bytes is the only proof. The body is kept as bytes by this scope's own parsers (the server's
 * JSON parser would change what was signed); the event is stored raw before it is applied, and
 * the answer is in the provider's own form.
 */
export async function notifyRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { database, crypto, clock, log } = deps;
  const settings = paymentSettingsOf(deps);
  const booker = callbackBooker({
    database,
    transitions: transitionContext(deps),
    skewAlertSeconds: settings.skewAlertSeconds,
    onBatchFailed: (err, size) =>
      log.warn({ err, callbacks: size }, 'payment callbacks booked together failed; booking each alone'),
  });
  await app.register(async (scope) => {
    scope.removeContentTypeParser(['application/json']);
    scope.addContentTypeParser(
      ['application/json', 'application/x-www-form-urlencoded'],
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    );
    scope.post(
      '/api/payments/notify/:code',
      {
        config: { public: true },
        // Every callback is kept as a payment event; the per-request access lines would only repeat it.
        logLevel: 'warn',
        schema: {
          hide: true,
          operationId: 'paymentNotify',
          params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
        },
      },
      async (req, reply) => {
        const receivedAt = clock.now();
        const { code } = req.params as { code: string };
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers))
          headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        const loaded = await loadAccountByCode(database, crypto, code);
        if (!loaded) {
          const p = problem('NOT_FOUND', `no payment account "${code}"`);
          return reply.status(404).type('application/problem+json').send(p);
        }
        const base = {
          accountCode: code,
          kind: 'callback' as const,
          headers: keptHeaders(headers),
          rawBody: body,
          receivedAt,
        };
        if (loaded === 'unreadable') {
          const row = (
            await database.query<{ id: string }>(`SELECT id FROM payment_accounts WHERE code = $1`, [code])
          )[0];
          await recordEvent(database, {
            ...base,
            accountId: row?.id ?? null,
            outcome: 'refused',
            reason: 'SETTINGS_UNREADABLE',
            message: 'the account’s secrets cannot be opened with this server’s keys',
          });
          log.error({ paymentAccount: code }, 'payment callback: account secrets unreadable');
          const p = problem('SERVICE_UNAVAILABLE', 'the payment account cannot be used now');
          return reply.status(503).type('application/problem+json').send(p);
        }
        const account: PaymentAccount = loaded;
        const provider = account.provider;
        if (!account.active) {
          await recordEvent(database, {
            ...base,
            accountId: account.id,
            outcome: 'refused',
            reason: 'ACCOUNT_INACTIVE',
            message: 'payment account deactivated',
          });
          return send(reply, provider.ack(false, 'account deactivated'));
        }
        const verified = provider.verifyCallback({ headers, body } satisfies RawCallback, account.settings, {
          now: receivedAt,
          replayWindowSeconds: account.replayWindowSeconds ?? settings.stripeReplayWindowSeconds,
        });
        if (!verified.ok) {
          const tradeNo = claimedTradeNo(body, headers['content-type']);
          const attempt = tradeNo
            ? (
                await database.query<{ order_id: string }>(
                  `SELECT order_id FROM payment_attempts WHERE merchant_trade_no = $1 AND payment_account_id = $2`,
                  [tradeNo, account.id],
                )
              )[0]
            : undefined;
          await database.tx(async (tx) => {
            await recordEvent(tx, {
              ...base,
              accountId: account.id,
              outcome: 'refused',
              reason: verified.reason,
              message: verified.message,
              merchantTradeNo: attempt ? tradeNo : null,
              orderId: attempt?.order_id ?? null,
            });
            if (attempt)
              await paymentTimeline(
                tx,
                receivedAt,
                actorFor(account, 'callback'),
                attempt.order_id,
                'callback_refused',
                {
                  provider: provider.name,
                  paymentAccount: account.code,
                  reason: verified.reason,
                  message: verified.message,
                },
              );
          });
          log.warn(
            { paymentAccount: code, reason: verified.reason, message: verified.message },
            'payment callback refused',
          );
          return send(reply, provider.ack(false, verified.message));
        }
        const event = verified.event;
        const decodedJson = decodedJsonOf(verified.decoded);
        if (event.kind === 'ignored') {
          await recordEvent(database, {
            ...base,
            accountId: account.id,
            outcome: 'ignored',
            reason: event.code,
            params: event.params,
            message: event.reason,
            providerEventId: verified.eventId,
            decoded: verified.decoded,
            sentAt: verified.sentAt,
          });
          return send(reply, provider.ack(true));
        }
        try {
          const result = await booker.book({
            account,
            event,
            eventId: `pev_${newUlid()}`,
            row: { ...base, accountId: account.id },
            providerEventId: verified.eventId,
            sentAt: verified.sentAt,
            decoded: verified.decoded,
            decodedJson,
          });
          if (result.outcome === 'unknown_trade') {
            log.warn(
              { paymentAccount: code, merchantTradeNo: event.merchantTradeNo },
              'payment callback for an unknown trade',
            );
            return send(reply, provider.ack(false, 'unknown merchant trade number'));
          }
          const skewMs = verified.sentAt ? receivedAt.getTime() - verified.sentAt.getTime() : null;
          if (skewMs !== null && Math.abs(skewMs) > settings.skewAlertSeconds * 1000)
            log.warn(
              { paymentAccount: code, skewSeconds: Math.round(skewMs / 1000) },
              'payment provider clock differs from ours',
            );
          return send(reply, provider.ack(true));
        } catch (err) {
          log.error({ err, paymentAccount: code }, 'payment callback could not be applied');
          // The event rolled back with the transaction: kept here, with why, for people to look at.
          await recordEvent(database, {
            ...base,
            accountId: account.id,
            outcome: 'failed',
            reason: 'APPLY_FAILED',
            message: (err as Error).message.slice(0, 500),
            providerEventId: verified.eventId,
            merchantTradeNo: event.merchantTradeNo,
            decoded: verified.decoded,
            sentAt: verified.sentAt,
          }).catch(() => undefined);
          return send(reply, provider.ack(false, 'temporarily unable to process'));
        }
      },
    );
  });
}
