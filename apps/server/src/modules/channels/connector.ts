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
  /** Opaque position of the next page within the same window, or null after the last page. */
  next: string | null;
  /** Field sets seen per API in this page, for drift watch: api → field path → JSON type. */
  shapes: ShapeSample[];
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
