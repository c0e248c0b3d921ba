import { createHash } from 'node:crypto';
import {
  type ChannelOrder,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  CredentialsError,
  mapOrders,
  type PushVerification,
  type RawPush,
} from '../../connector.ts';
import { OrderShapeError, parseWebhookOrder, shapeOf } from './order.ts';
import {
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  signatureMatches,
  signWebhook,
  TIMESTAMP_HEADER,
  TOPIC_HEADER,
} from './sign.ts';

export { signWebhook } from './sign.ts';

const PROBLEM_TYPE = 'https://orderhub.dev/problems/';

/** Settings of the generic webhook connector (per account, `connectorSettings`). */
interface WebhookSettings {
  /** A push or a feed answer signed further than this from now is refused (replay window). */
  toleranceSeconds: number;
  /** Longest window one feed request covers. */
  maxWindowMinutes: number;
  pageSize: number;
  timeoutMs: number;
}

function settingsOf(ctx: Pick<ConnectorContext, 'settings'>): WebhookSettings {
  const num = (k: keyof WebhookSettings, d: number, min: number, max: number) => {
    const v = ctx.settings[k];
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : d;
  };
  return {
    toleranceSeconds: num('toleranceSeconds', 300, 5, 3600),
    maxWindowMinutes: num('maxWindowMinutes', 60, 1, 24 * 60),
    pageSize: num('pageSize', 100, 1, 500),
    timeoutMs: num('timeoutMs', 10_000, 100, 120_000),
  };
}

const secretOf = (ctx: ConnectorContext) => {
  const s = ctx.credentials.webhookSecret ?? ctx.credentials.appSecret;
  if (!s) throw new ConnectorError('NOT_CONFIGURED', 'the account has no webhook secret', false);
  return s;
};

/** The account's code travels in `settings.accountCode` (filled by the channels module). */
const accountCodeOf = (ctx: Pick<ConnectorContext, 'settings'>) =>
  typeof ctx.settings['accountCode'] === 'string' ? (ctx.settings['accountCode'] as string) : 'webhook';

/**
 * A signed call to the storefront's feed (`GET {baseUrl}/orders…`, `POST {baseUrl}/stock`):
 * the same signature as a push, over `<timestamp>.<METHOD> <path?query>\n<body>`.
 */
async function call(ctx: ConnectorContext, method: 'GET' | 'POST', pathAndQuery: string, body?: unknown) {
  if (!ctx.baseUrl)
    throw new ConnectorError('NOT_CONFIGURED', 'the account has no base URL to pull from', false);
  const s = settingsOf(ctx);
  const url = new URL(
    pathAndQuery.replace(/^\//, ''),
    ctx.baseUrl.endsWith('/') ? ctx.baseUrl : `${ctx.baseUrl}/`,
  );
  const text = body === undefined ? '' : JSON.stringify(body);
  const ts = String(Math.floor(ctx.now.getTime() / 1000));
  const signed = `${method} ${url.pathname}${url.search}\n${text}`;
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method,
      headers: {
        [TIMESTAMP_HEADER]: ts,
        [SIGNATURE_HEADER]: signWebhook(secretOf(ctx), ts, signed),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: text }),
      signal: AbortSignal.timeout(s.timeoutMs),
    });
  } catch (e) {
    throw new ConnectorError('NETWORK', `the storefront did not answer: ${(e as Error).message}`, true);
  }
  const raw = await res.text();
  let json: unknown;
  try {
    json = raw ? JSON.parse(raw) : null;
  } catch {
    throw new ConnectorError(
      'BAD_RESPONSE',
      `HTTP ${res.status}, not JSON: ${raw.slice(0, 200)}`,
      res.status >= 500,
    );
  }
  const err = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (err || !res.ok) {
    const code = typeof err?.code === 'string' ? err.code : `HTTP_${res.status}`;
    const message = typeof err?.message === 'string' ? err.message : `HTTP ${res.status}`;
    const expired = code === 'TOKEN_EXPIRED' || code === 'AUTH_EXPIRED';
    // An error body is a failure whatever the status (HTTP 200 included), never an empty page.
    throw new ConnectorError(
      code,
      message,
      !expired && (res.status >= 500 || res.status === 429 || res.ok),
      expired,
    );
  }
  return { status: res.status, json };
}

/** One sample per distinct field set of a page: every payload is looked at, each shape recorded once. */
function distinctShapes(api: string, items: readonly unknown[]) {
  const seen = new Map<string, { api: string; fields: Record<string, string>; example: unknown }>();
  for (const item of items) {
    const fields = shapeOf(item);
    const key = JSON.stringify(Object.entries(fields).sort());
    if (!seen.has(key)) seen.set(key, { api, fields, example: item });
  }
  return [...seen.values()];
}

function toOrder(item: unknown, ctx: ConnectorContext): ChannelOrder {
  try {
    return parseWebhookOrder(item, accountCodeOf(ctx));
  } catch (e) {
    if (e instanceof OrderShapeError) throw new ConnectorError('ORDER_INVALID', e.message, false);
    throw e;
  }
}

/**
 * The generic signed webhook: a self-built storefront or mini-program pushes canonical orders
 * (docs/channels-webhook.md) and, when it gives a base URL, serves a feed of orders modified in a
 * window for the pull that catches what pushes missed.
 */
export const webhookConnector: Connector = {
  platform: 'webhook',
  defaultBaseUrl: '',
  stockBatchSize: 100,
  maxWindowMs: 60 * 60_000,

  checkCredentials(input) {
    const secret = input.webhookSecret ?? input.appSecret;
    if (!secret) throw new CredentialsError('webhookSecret', 'the generic webhook needs webhookSecret');
    if (secret.length < 16)
      throw new CredentialsError('webhookSecret', 'webhookSecret must be at least 16 characters');
  },

  async pullOrders(ctx, window, page) {
    const s = settingsOf(ctx);
    if (window.to.getTime() - window.from.getTime() > s.maxWindowMinutes * 60_000)
      throw new ConnectorError(
        'WINDOW_TOO_LONG',
        `a window may span at most ${s.maxWindowMinutes} minutes`,
        false,
      );
    const q = new URLSearchParams({
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      limit: String(s.pageSize),
    });
    if (page) q.set('page', page);
    const { json } = await call(ctx, 'GET', `orders?${q}`);
    const body = json as { orders?: unknown; next?: unknown };
    if (!body || !Array.isArray(body.orders))
      throw new ConnectorError('BAD_RESPONSE', 'the feed answer has no orders array', false);
    const { orders, rejected } = mapOrders(body.orders, (o) => toOrder(o, ctx));
    const next = typeof body.next === 'string' && body.next ? body.next : null;
    return {
      orders,
      rejected,
      next,
      shapes: distinctShapes('orders', body.orders),
    };
  },

  async fetchOrder(ctx, externalOrderId) {
    try {
      const { json } = await call(ctx, 'GET', `orders/${encodeURIComponent(externalOrderId)}`);
      return toOrder(json, ctx);
    } catch (e) {
      if (e instanceof ConnectorError && (e.code === 'NOT_FOUND' || e.code === 'HTTP_404')) return null;
      throw e;
    }
  },

  verifyPush(push: RawPush, ctx): PushVerification {
    const secret = ctx.credentials.webhookSecret ?? ctx.credentials.appSecret;
    const sig = push.headers[SIGNATURE_HEADER];
    const ts = push.headers[TIMESTAMP_HEADER];
    if (!secret)
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'the account has no webhook secret' };
    if (!sig) return { ok: false, reason: 'SIGNATURE_INVALID', message: `no ${SIGNATURE_HEADER} header` };
    if (!ts || !/^\d{1,12}$/.test(ts))
      return { ok: false, reason: 'TIMESTAMP_INVALID', message: `${TIMESTAMP_HEADER} must be Unix seconds` };
    if (!signatureMatches(secret, ts, push.body, sig))
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'the signature does not match the body' };
    const skew = Math.abs(ctx.now.getTime() / 1000 - Number(ts));
    if (skew > settingsOf(ctx).toleranceSeconds)
      return {
        ok: false,
        reason: 'TIMESTAMP_INVALID',
        message: `signed ${Math.round(skew)} s away from now (window ${settingsOf(ctx).toleranceSeconds} s)`,
      };
    let value: unknown;
    try {
      value = JSON.parse(push.body.toString('utf8'));
    } catch {
      return { ok: false, reason: 'MALFORMED', message: 'the body is not JSON' };
    }
    let order: ChannelOrder;
    try {
      order = parseWebhookOrder(value, accountCodeOf(ctx));
    } catch (e) {
      return { ok: false, reason: 'MALFORMED', message: (e as Error).message };
    }
    const eventId =
      push.headers[EVENT_ID_HEADER] ?? `sha256:${createHash('sha256').update(push.body).digest('hex')}`;
    return {
      ok: true,
      messageId: eventId.slice(0, 200),
      orderIds: [order.externalOrderId],
      orders: [order],
      topic: push.headers[TOPIC_HEADER] ?? 'order',
    };
  },

  ackPush(ok, message) {
    // A refusal is answered as the rest of the API answers (problem+json with a stable code).
    if (!ok)
      return {
        status: 401,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: `${PROBLEM_TYPE}channel-push-rejected`,
          title: 'CHANNEL_PUSH_REJECTED',
          status: 401,
          code: 'CHANNEL_PUSH_REJECTED',
          detail: message ?? 'the push failed verification',
        }),
      };
    return { status: 200, contentType: 'application/json', body: JSON.stringify({ ok: true }) };
  },

  async pushStock(ctx, items) {
    const { json } = await call(ctx, 'POST', 'stock', {
      items: items.map((i) => ({ sku: i.channelSku, quantity: i.quantity })),
    });
    const results = (json as { results?: { sku?: unknown; ok?: unknown; error?: unknown }[] } | null)
      ?.results;
    const bySku = new Map((Array.isArray(results) ? results : []).map((r) => [String(r.sku), r]));
    return items.map((i) => {
      const r = bySku.get(i.channelSku);
      if (!r)
        return { channelSku: i.channelSku, ok: false, error: 'no answer for this SKU', retryable: true };
      return {
        channelSku: i.channelSku,
        ok: r.ok === true,
        error: r.ok === true ? null : String(r.error ?? 'refused'),
        retryable: r.ok !== true,
      };
    });
  },

  async confirmShipment(ctx, input) {
    await call(ctx, 'POST', 'shipments', input);
  },

  authorisation(ctx) {
    const raw = ctx.credentials.accessTokenExpiresAt;
    const expiresAt = raw ? new Date(raw) : null;
    return { expiresAt, expired: expiresAt ? expiresAt.getTime() <= ctx.now.getTime() : false };
  },
};
