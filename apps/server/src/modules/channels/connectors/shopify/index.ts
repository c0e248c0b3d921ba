import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type ChannelCredentials,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  CredentialsError,
  mapOrders,
  type PulledPage,
  type PushAck,
  type PushVerification,
  type RawPush,
  type StockPushResult,
} from '../../connector.ts';
import { parsePlatformJson, shapeOf } from './json.ts';
import { mapShopifyOrder } from './map.ts';

export { mapShopifyOrder, toMinor } from './map.ts';

/** A 429: retry after the platform's `Retry-After`. */
export class ShopifyRateLimitedError extends ConnectorError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('RATE_LIMITED', message, true);
  }
}

export interface ShopifySettings {
  /** REST Admin API version in the path, `YYYY-MM`. */
  apiVersion: string;
  /** Orders per page (Shopify allows up to 250). */
  pageLimit: number;
  timeoutMs: number;
  /** Location whose `available` stock pushStock sets. */
  locationId: string | null;
  /** Channel SKU → inventory item id (each variant has one). */
  inventoryItemIds: Record<string, string>;
  /** Carrier code → the tracking company name Shopify knows. */
  carrierNames: Record<string, string>;
  notifyCustomer: boolean;
}

const DEFAULT_CARRIERS: Record<string, string> = {
  UPS: 'UPS',
  USPS: 'USPS',
  FEDEX: 'FedEx',
  DHL: 'DHL Express',
  SF: 'SF Express',
  YTO: 'YTO Express',
  ZTO: 'ZTO Express',
  STO: 'STO Express',
  YUNDA: 'Yunda Express',
  EMS: 'China Post',
  JPPOST: 'Japan Post (EN)',
  YAMATO: 'Yamato (EN)',
  DPD: 'DPD',
  GLS: 'GLS',
};

function settingsError(message: string): ConnectorError {
  return new ConnectorError('SETTINGS_INVALID', `Shopify settings: ${message}`, false);
}

function stringMap(v: unknown, name: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw settingsError(`${name} must be an object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number') throw settingsError(`${name}.${k} must be a string`);
    out[k] = String(x);
  }
  return out;
}

export function shopifySettings(s: Readonly<Record<string, unknown>>): ShopifySettings {
  const apiVersion = s.apiVersion ?? '2024-07';
  if (typeof apiVersion !== 'string' || !/^\d{4}-(01|04|07|10)$/.test(apiVersion))
    throw settingsError('apiVersion must be a release like 2024-07');
  const pageLimit = s.pageLimit ?? 250;
  if (typeof pageLimit !== 'number' || !Number.isInteger(pageLimit) || pageLimit < 1 || pageLimit > 250)
    throw settingsError('pageLimit must be an integer from 1 to 250');
  const timeoutMs = s.timeoutMs ?? 30_000;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 300_000)
    throw settingsError('timeoutMs must be an integer from 100 to 300000');
  const locationId = s.locationId === undefined || s.locationId === null ? null : String(s.locationId);
  if (locationId !== null && !/^\d{1,19}$/.test(locationId))
    throw settingsError('locationId must be a numeric id');
  const inventoryItemIds = stringMap(s.inventoryItemIds, 'inventoryItemIds');
  for (const [k, v] of Object.entries(inventoryItemIds)) {
    if (!k.trim() || k.length > 128)
      throw settingsError('inventoryItemIds: a SKU is empty or longer than 128');
    if (!/^\d{1,19}$/.test(v)) throw settingsError(`inventoryItemIds.${k} must be a numeric id`);
  }
  const notifyCustomer = s.notifyCustomer ?? false;
  if (typeof notifyCustomer !== 'boolean') throw settingsError('notifyCustomer must be true or false');
  return {
    apiVersion,
    pageLimit,
    timeoutMs,
    locationId,
    inventoryItemIds,
    carrierNames: stringMap(s.carrierNames, 'carrierNames'),
    notifyCustomer,
  };
}

function baseOf(ctx: ConnectorContext): string {
  const domain = ctx.credentials.shopDomain ?? '';
  return ctx.baseUrl.replace('{shopDomain}', domain).replace(/\/+$/, '');
}

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** One Admin API call: token header, timeout, and every failure form turned into a ConnectorError. */
async function call(
  ctx: ConnectorContext,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  allow404 = false,
): Promise<Reply> {
  const s = shopifySettings(ctx.settings);
  const token = ctx.credentials.accessToken;
  if (!token) throw new ConnectorError('CREDENTIALS_MISSING', 'Shopify access token missing', false, true);
  const url = `${baseOf(ctx)}/admin/api/${s.apiVersion}/${path}`;
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method,
      headers: {
        'X-Shopify-Access-Token': token,
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body,
      signal: AbortSignal.timeout(s.timeoutMs),
    });
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new ConnectorError(
        'TIMEOUT',
        `Shopify ${method} ${path}: no answer within ${s.timeoutMs} ms`,
        true,
      );
    throw new ConnectorError('NETWORK', `Shopify ${method} ${path}: ${(err as Error).message}`, true);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new ConnectorError(
      'NETWORK',
      `Shopify ${method} ${path}: body lost (${(err as Error).message})`,
      true,
    );
  }
  let parsed: unknown;
  try {
    parsed = text.length ? parsePlatformJson(text) : null;
  } catch {
    parsed = undefined;
  }
  const errors = (parsed as { errors?: unknown } | null | undefined)?.errors;
  const detail = errors !== undefined ? JSON.stringify(errors) : text.slice(0, 200);
  if (res.status === 429) {
    const after = Number(res.headers.get('retry-after'));
    const ms = Number.isFinite(after) && after > 0 ? Math.ceil(after * 1000) : 2000;
    throw new ShopifyRateLimitedError(`Shopify throttled ${method} ${path}; retry after ${ms} ms`, ms);
  }
  if (res.status === 401 || res.status === 403)
    throw new ConnectorError(
      'AUTH_REJECTED',
      `Shopify refused the access token (${res.status}): ${detail}`,
      false,
      res.status === 401,
    );
  if (res.status === 404 && allow404) return { status: 404, headers: res.headers, body: parsed };
  if (res.status >= 500)
    throw new ConnectorError('PLATFORM_UNAVAILABLE', `Shopify ${res.status}: ${detail}`, true);
  if (res.status < 200 || res.status >= 300)
    throw new ConnectorError(
      'PLATFORM_REJECTED',
      `Shopify ${res.status} on ${method} ${path}: ${detail}`,
      false,
    );
  if (parsed === undefined || parsed === null || typeof parsed !== 'object')
    throw new ConnectorError(
      'BAD_RESPONSE',
      `Shopify ${method} ${path}: answer is not JSON (${text.slice(0, 80)})`,
      true,
    );
  if (errors !== undefined)
    throw new ConnectorError('PLATFORM_ERROR', `Shopify answered ${res.status} with errors: ${detail}`, true);
  return { status: res.status, headers: res.headers, body: parsed };
}

/** `page_info` of the `rel="next"` link, or null. */
export function nextPageInfo(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part.trim());
    if (m) {
      const u = new URL(m[1]!, 'http://x');
      return u.searchParams.get('page_info');
    }
  }
  return null;
}

function mapAll(list: unknown[]): Omit<PulledPage, 'next'> {
  const fields: Record<string, string> = {};
  for (const o of list) shapeOf(o, fields);
  return {
    ...mapOrders(list, (o) => mapShopifyOrder(o)),
    shapes: list.length ? [{ api: 'orders.json', fields, example: list[0] }] : [],
  };
}

function verifyHmac(body: Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const shopifyConnector: Connector = {
  platform: 'shopify',
  defaultBaseUrl: 'https://{shopDomain}',
  stockBatchSize: 1,
  maxWindowMs: 24 * 3600_000,

  checkSettings(settings) {
    shopifySettings(settings);
  },

  checkCredentials(input: ChannelCredentials): void {
    if (!input.shopDomain || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(input.shopDomain))
      throw new CredentialsError('shopDomain', 'the shop domain looks like your-shop.myshopify.com');
    if (!input.accessToken || input.accessToken.length < 8)
      throw new CredentialsError('accessToken', 'the Admin API access token is required');
    if (!(input.webhookSecret ?? input.appSecret))
      throw new CredentialsError('appSecret', 'the app client secret is needed to verify webhooks');
    if (input.accessTokenExpiresAt !== undefined && Number.isNaN(Date.parse(input.accessTokenExpiresAt)))
      throw new CredentialsError('accessTokenExpiresAt', 'not an RFC 3339 time');
  },

  async pullOrders(ctx, window, page): Promise<PulledPage> {
    const s = shopifySettings(ctx.settings);
    const q = new URLSearchParams({ limit: String(s.pageLimit) });
    if (page) q.set('page_info', page);
    else {
      q.set('status', 'any');
      q.set('updated_at_min', window.from.toISOString());
      q.set('updated_at_max', window.to.toISOString());
    }
    const r = await call(ctx, 'GET', `orders.json?${q}`);
    const list = (r.body as { orders?: unknown }).orders;
    if (!Array.isArray(list))
      throw new ConnectorError('BAD_RESPONSE', 'Shopify orders.json answered without an orders array', true);
    return { ...mapAll(list), next: nextPageInfo(r.headers.get('link')) };
  },

  async fetchOrder(ctx, externalOrderId) {
    if (!/^\d{1,20}$/.test(externalOrderId)) return null;
    const r = await call(ctx, 'GET', `orders/${externalOrderId}.json`, undefined, true);
    if (r.status === 404) return null;
    const order = (r.body as { order?: unknown }).order;
    if (!order) throw new ConnectorError('BAD_RESPONSE', 'Shopify order answer without an order', true);
    return mapShopifyOrder(order);
  },

  verifyPush(push: RawPush, ctx): PushVerification {
    const secret = ctx.credentials.webhookSecret ?? ctx.credentials.appSecret;
    if (!secret) return { ok: false, reason: 'SIGNATURE_INVALID', message: 'no webhook secret configured' };
    if (!verifyHmac(push.body, push.headers['x-shopify-hmac-sha256'], secret))
      return {
        ok: false,
        reason: 'SIGNATURE_INVALID',
        message: 'X-Shopify-Hmac-Sha256 does not match the body',
      };
    const shop = push.headers['x-shopify-shop-domain'];
    if (shop && ctx.credentials.shopDomain && shop !== ctx.credentials.shopDomain)
      return {
        ok: false,
        reason: 'SIGNATURE_INVALID',
        message: `webhook from ${shop}, account is ${ctx.credentials.shopDomain}`,
      };
    const messageId = push.headers['x-shopify-webhook-id'];
    const topic = push.headers['x-shopify-topic'];
    if (!messageId || !topic)
      return { ok: false, reason: 'MALFORMED', message: 'X-Shopify-Webhook-Id or X-Shopify-Topic missing' };
    let body: Record<string, unknown>;
    try {
      const parsed = parsePlatformJson(push.body.toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch (err) {
      return {
        ok: false,
        reason: 'MALFORMED',
        message: `body is not a JSON object: ${(err as Error).message}`,
      };
    }
    const idOf = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);
    const id = topic.startsWith('orders/') ? idOf(body.id) : idOf(body.order_id);
    if (id !== null && !/^\d{1,20}$/.test(id))
      return {
        ok: false,
        reason: 'MALFORMED',
        message: `order id ${JSON.stringify(id)} is not a Shopify id`,
      };
    if (topic.startsWith('orders/') && topic !== 'orders/delete') {
      try {
        const order = mapShopifyOrder(body);
        return { ok: true, messageId, topic, orderIds: [order.externalOrderId], orders: [order] };
      } catch {
        // A genuine message whose order cannot be mapped as sent is still a hint: the pull is the truth.
        if (id === null) return { ok: false, reason: 'MALFORMED', message: 'order webhook without an id' };
      }
    }
    return { ok: true, messageId, topic, orderIds: id ? [id] : [], orders: [] };
  },

  ackPush(ok: boolean, message?: string): PushAck {
    // Any 2xx is success; anything else makes Shopify redeliver (8 times over 4 hours).
    return ok
      ? { status: 200, contentType: 'text/plain; charset=utf-8', body: '' }
      : { status: 401, contentType: 'text/plain; charset=utf-8', body: message ?? 'rejected' };
  },

  async pushStock(ctx, items): Promise<StockPushResult[]> {
    const s = shopifySettings(ctx.settings);
    const out: StockPushResult[] = [];
    for (const item of items) {
      const inventoryItem = s.inventoryItemIds[item.channelSku];
      if (!s.locationId || !inventoryItem) {
        out.push({
          channelSku: item.channelSku,
          ok: false,
          retryable: false,
          error: !s.locationId
            ? 'set the Shopify locationId setting'
            : `no inventory item for SKU ${item.channelSku} in the inventoryItemIds setting`,
        });
        continue;
      }
      if (!Number.isInteger(item.quantity)) {
        out.push({
          channelSku: item.channelSku,
          ok: false,
          retryable: false,
          error: 'quantity is not an integer',
        });
        continue;
      }
      // Ids are written as JSON numbers digit for digit (they may exceed 2^53).
      const body = `{"location_id":${s.locationId},"inventory_item_id":${inventoryItem},"available":${item.quantity}}`;
      try {
        await call(ctx, 'POST', 'inventory_levels/set.json', body);
        out.push({ channelSku: item.channelSku, ok: true, error: null, retryable: false });
      } catch (err) {
        if (!(err instanceof ConnectorError) || err.authExpired) throw err;
        out.push({ channelSku: item.channelSku, ok: false, error: err.message, retryable: err.retryable });
      }
    }
    return out;
  },

  async confirmShipment(ctx, input) {
    const s = shopifySettings(ctx.settings);
    if (!/^\d{1,20}$/.test(input.externalOrderId))
      throw new ConnectorError(
        'ORDER_UNKNOWN',
        `"${input.externalOrderId}" is not a Shopify order id`,
        false,
      );
    const r = await call(
      ctx,
      'GET',
      `orders/${input.externalOrderId}/fulfillment_orders.json`,
      undefined,
      true,
    );
    if (r.status === 404)
      throw new ConnectorError('ORDER_UNKNOWN', `Shopify has no order ${input.externalOrderId}`, false);
    const fos = ((r.body as { fulfillment_orders?: unknown }).fulfillment_orders ?? []) as {
      id: string | number;
      status: string;
    }[];
    const open = fos.filter((f) => ['open', 'in_progress', 'scheduled'].includes(f.status));
    if (open.length === 0) {
      // Already fulfilled with this waybill: the confirmation happened before (a retry).
      const o = await call(ctx, 'GET', `orders/${input.externalOrderId}.json?fields=fulfillments`);
      const fulfilments = ((o.body as { order?: { fulfillments?: { tracking_number?: string }[] } }).order
        ?.fulfillments ?? []) as { tracking_number?: string; tracking_numbers?: string[] }[];
      if (
        fulfilments.some(
          (f) => f.tracking_number === input.waybillNo || f.tracking_numbers?.includes(input.waybillNo),
        )
      )
        return;
      throw new ConnectorError(
        'NOTHING_TO_FULFIL',
        `Shopify order ${input.externalOrderId} has no open fulfillment order`,
        false,
      );
    }
    const company =
      s.carrierNames[input.carrierCode] ??
      DEFAULT_CARRIERS[input.carrierCode.toUpperCase()] ??
      input.carrierCode;
    const foIds = open.map((f) => String(f.id));
    if (foIds.some((id) => !/^\d{1,20}$/.test(id)))
      throw new ConnectorError('BAD_RESPONSE', 'Shopify fulfillment order ids are not numeric', false);
    const body = `{"fulfillment":{"line_items_by_fulfillment_order":[${foIds
      .map((id) => `{"fulfillment_order_id":${id}}`)
      .join(
        ',',
      )}],"tracking_info":${JSON.stringify({ company, number: input.waybillNo })},"notify_customer":${s.notifyCustomer}}}`;
    await call(ctx, 'POST', 'fulfillments.json', body);
  },

  authorisation(ctx) {
    const at = ctx.credentials.accessTokenExpiresAt;
    // Offline Admin API tokens do not expire; an online one carries its expiry.
    const expiresAt = at ? new Date(at) : null;
    return {
      expiresAt,
      expired: expiresAt !== null && !Number.isNaN(expiresAt.getTime()) && expiresAt <= ctx.now,
    };
  },
};
