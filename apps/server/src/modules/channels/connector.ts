import type { IngestOrderBody } from '@orderhub/contracts';

/**
 * The port every channel adapter implements (Taobao/Tmall TOP, JD JOS, Pinduoduo, Douyin shop,
 * Shopify, and the generic signed webhook). Adapters are pure protocol code: they sign requests,
 * verify pushes, page, and map the platform's order to the canonical one; they call the platform
 * over HTTP through `ctx.fetch` and never touch the database. The channels module owns accounts,
 * sync cursors, the inbox and drift records; it only sees what an adapter returns.
 */

export type ConnectorPlatform = 'taobao' | 'jd' | 'pinduoduo' | 'douyin' | 'shopify' | 'webhook';

/** A channel account's connection, decrypted. Which fields a platform needs is its adapter's business. */
export interface ChannelCredentials {
  appKey?: string;
  appSecret?: string;
  /** Taobao `session`, JD/PDD/Douyin `access_token`, Shopify `X-Shopify-Access-Token`. */
  accessToken?: string;
  /** RFC 3339; null/absent when the platform does not say. */
  accessTokenExpiresAt?: string;
  refreshToken?: string;
  shopId?: string;
  /** Shopify shop domain (`x.myshopify.com`). */
  shopDomain?: string;
  /** Secret the platform signs its pushes with when it differs from appSecret (Shopify app secret, generic webhook). */
  webhookSecret?: string;
}

export interface ConnectorContext {
  credentials: ChannelCredentials;
  /** The platform's API base URL; an account may point it at a simulator. */
  baseUrl: string;
  now: Date;
  fetch: typeof fetch;
  /** Per-account connector settings (the digest's UNCONFIRMED points live here), validated by the adapter. */
  settings: Readonly<Record<string, unknown>>;
}

/** One platform order, mapped. `order` is everything the ingest flow takes except the account. */
export interface ChannelOrder {
  externalOrderId: string;
  /** Modification instant, UTC: newer wins, older never overwrites. */
  modifiedAt: Date;
  order: Omit<IngestOrderBody, 'channelAccount'>;
  /** The platform's own status word(s), e.g. `WAIT_SELLER_SEND_GOODS`. */
  platformStatus: string;
  /** Refund / after-sale state per line as the platform says it (for REFUND_REQUESTED holds and freezes). */
  refunds: {
    externalLineId: string | null;
    status: 'requested' | 'refunded' | 'closed';
    refundOnly: boolean;
  }[];
  /** True when receiver data is platform ciphertext/masked (Taobao OAID, Douyin/PDD encrypted). */
  receiverEncrypted: boolean;
  /** The payload exactly as received (a parsed copy of the raw JSON for this order). */
  raw: unknown;
}

export interface PullWindow {
  from: Date;
  to: Date;
}

export interface PulledPage {
  orders: ChannelOrder[];
  /**
   * Orders of the page whose data is bad (an id with a suffix glued on, an unknown status, an
   * amount in the wrong unit…): set aside one by one with their raw payload and the error, so the
   * rest of the page is stored and the cursor moves on.
   */
  rejected: RejectedOrder[];
  /** Opaque position of the next page within the same window, or null after the last page. */
  next: string | null;
  /** Field sets seen per API in this page, for drift watch: api → field path → JSON type. */
  shapes: ShapeSample[];
}

/** One order of a pulled page that could not be mapped: kept raw with its error, never lost. */
export interface RejectedOrder {
  /** The order id as the platform sent it (even malformed), null when none could be read. */
  externalOrderId: string | null;
  raw: unknown;
  code: string;
  message: string;
}

export interface ShapeSample {
  api: string;
  fields: Record<string, string>;
  example: unknown;
}

/** A push exactly as it arrived: header names lower-cased, the body's raw bytes untouched. */
export interface RawPush {
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

export type PushVerification =
  | {
      ok: true;
      /** The platform's message id (inbox key with the account). */
      messageId: string;
      /** Orders the message is about; a push is a hint, the pull is the truth: fetchOrder confirms. */
      orderIds: string[];
      /** When the message carries the full order (Shopify, generic webhook), the mapped order. */
      orders: ChannelOrder[];
      topic: string;
    }
  | { ok: false; reason: 'SIGNATURE_INVALID' | 'MALFORMED' | 'TIMESTAMP_INVALID'; message: string };

/** What to answer a push (each platform's expected success/failure form). */
export interface PushAck {
  status: number;
  contentType: string;
  body: string;
}

export interface StockPushItem {
  /** The SKU code as the channel knows it. */
  channelSku: string;
  quantity: number;
}

export interface StockPushResult {
  channelSku: string;
  ok: boolean;
  error: string | null;
  retryable: boolean;
}

/** A platform call failed: `retryable` for timeouts, 5xx, rate limits; `authExpired` stops the account's pulls. */
export class ConnectorError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly authExpired = false,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}

export interface Connector {
  readonly platform: ConnectorPlatform;
  readonly defaultBaseUrl: string;
  /** Most orders a stock push may carry in one call (1 when the platform has no batch API). */
  readonly stockBatchSize: number;
  /** Longest window one pull may cover (TOP/PDD: 30 min, …). */
  readonly maxWindowMs: number;
  /** Checks the credentials a user gives; throws `CredentialsError` naming the field. */
  checkCredentials(input: ChannelCredentials): void;
  /** Checks an account's connector settings as the adapter reads them; throws `ConnectorError('SETTINGS_INVALID')`. */
  checkSettings?(settings: Readonly<Record<string, unknown>>): void;
  pullOrders(ctx: ConnectorContext, window: PullWindow, page: string | null): Promise<PulledPage>;
  fetchOrder(ctx: ConnectorContext, externalOrderId: string): Promise<ChannelOrder | null>;
  verifyPush(push: RawPush, ctx: ConnectorContext): PushVerification;
  ackPush(ok: boolean, message?: string): PushAck;
  pushStock(ctx: ConnectorContext, items: StockPushItem[]): Promise<StockPushResult[]>;
  confirmShipment(
    ctx: ConnectorContext,
    input: { externalOrderId: string; carrierCode: string; waybillNo: string },
  ): Promise<void>;
  /** When authorisation ends (null: the platform does not say); expired ⇒ pulls stop. */
  authorisation(ctx: ConnectorContext): { expiresAt: Date | null; expired: boolean };
}

export class CredentialsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** Errors that belong to one order's data, not to the call: that order is set aside, the page goes on. */
const ORDER_DATA_ERRORS: ReadonlySet<string> = new Set([
  'ORDER_INVALID',
  'ORDER_ID_MALFORMED',
  'ORDER_UNMAPPABLE',
]);

export const isOrderDataError = (e: unknown): e is ConnectorError =>
  e instanceof ConnectorError && ORDER_DATA_ERRORS.has(e.code);

/** Where platforms put an order's id, in the order they are tried (a best effort for the record only). */
const ID_FIELDS = [
  'tid_str',
  'tid',
  'orderId',
  'order_sn',
  'order_id',
  'shop_order_id',
  'externalOrderId',
  'id',
];

/** The order id a raw platform order carries, as sent (for naming a rejected order), or null. */
export function rawOrderId(raw: unknown): string | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  for (const k of ID_FIELDS) {
    const v = o[k];
    if ((typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v)))
      return String(v).slice(0, 120);
  }
  return null;
}

/**
 * Runs `fn` over one order's raw payload; when the order's own data is bad, records it in
 * `rejected` and answers undefined. Any other failure (the call, the platform) propagates.
 */
export function settleOrder<T>(rejected: RejectedOrder[], raw: unknown, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!isOrderDataError(e)) throw e;
    rejected.push({ externalOrderId: rawOrderId(raw), raw, code: e.code, message: e.message });
    return undefined;
  }
}

/** Maps a page's raw orders, each bad one set aside (see `settleOrder`). */
export function mapOrders(
  list: readonly unknown[],
  map: (raw: unknown, i: number) => ChannelOrder,
): { orders: ChannelOrder[]; rejected: RejectedOrder[] } {
  const rejected: RejectedOrder[] = [];
  const orders: ChannelOrder[] = [];
  list.forEach((raw, i) => {
    const o = settleOrder(rejected, raw, () => map(raw, i));
    if (o) orders.push(o);
  });
  return { orders, rejected };
}
