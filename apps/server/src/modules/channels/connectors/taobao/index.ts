/**
 * Taobao / Tmall Open Platform (TOP) adapter: one router URL, the API chosen by `method`, every
 * request signed over its sorted parameters (md5 wrapped in the secret, or hmac / hmac-sha256).
 * Orders: `taobao.trades.sold.increment.get` windowed by modified time, paged from the last page
 * backwards, then `taobao.trade.fullinfo.get` per trade. See docs/channels-taobao.md.
 */
import type { OrderLineInput } from '@orderhub/contracts';
import {
  type ChannelOrder,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  type PulledPage,
  type PushAck,
  type PushVerification,
  type RawPush,
  type RejectedOrder,
  type ShapeSample,
  type StockPushResult,
  settleOrder,
} from '../../connector.ts';
import {
  arr,
  callGateway,
  checkCnCredentials,
  checkOrderId,
  cnAuthorisation,
  formatBeijing,
  hmacUpper,
  idString,
  isBool,
  isNonEmptyString,
  isOneOf,
  isPosInt,
  isStringMap,
  lineDiscounts,
  mapLimit,
  md5Upper,
  obj,
  optionalFen,
  pageBackwards,
  parseBeijing,
  parseJsonExact,
  payloadError,
  pushParams,
  requireBeijing,
  sameSignature,
  setting,
  shapeSample,
  sortedConcat,
  str,
  yuanToFen,
} from './cn-common.ts';

export type TopSignMethod = 'md5' | 'hmac' | 'hmac-sha256';

/** TOP's signature: sorted `namevalue` pairs (+ raw body), md5 wrapped in the secret or HMAC keyed by it; hex upper. */
export function signTop(
  params: Readonly<Record<string, string | undefined>>,
  secret: string,
  method: TopSignMethod,
  body = '',
): string {
  const s = sortedConcat(params) + body;
  if (method === 'md5') return md5Upper(secret + s + secret);
  return hmacUpper(method === 'hmac' ? 'md5' : 'sha256', secret, s);
}

/** `taobao.trades.sold.increment.get` → `trades_sold_increment_get_response`; other namespaces keep their prefix. */
export function topResponseKey(method: string): string {
  return `${method.replace(/^taobao\./, '').replace(/\./g, '_')}_response`;
}

const TID = /^[1-9]\d{0,19}$/;
const MAX_WINDOW_MS = 30 * 60_000;

const DETAIL_FIELDS = [
  'tid',
  'tid_str',
  'status',
  'type',
  'created',
  'pay_time',
  'consign_time',
  'end_time',
  'modified',
  'payment',
  'total_fee',
  'post_fee',
  'discount_fee',
  'adjust_fee',
  'received_payment',
  'buyer_nick',
  'buyer_open_uid',
  'buyer_message',
  'seller_memo',
  'seller_flag',
  'receiver_name',
  'receiver_mobile',
  'receiver_phone',
  'receiver_state',
  'receiver_city',
  'receiver_district',
  'receiver_town',
  'receiver_address',
  'receiver_zip',
  'receiver_country',
  'oaid',
  'orders',
].join(',');

/** Trade status → the ingest payment state and tags (the module's holds read the tags and the status word). */
const STATUS: Record<string, { state: 'pending_payment' | 'paid' | 'cancelled'; tags: string[] }> = {
  TRADE_NO_CREATE_PAY: { state: 'pending_payment', tags: [] },
  WAIT_BUYER_PAY: { state: 'pending_payment', tags: [] },
  PAY_PENDING: { state: 'pending_payment', tags: [] },
  WAIT_PRE_AUTH_CONFIRM: { state: 'pending_payment', tags: [] },
  WAIT_SELLER_SEND_GOODS: { state: 'paid', tags: [] },
  PAID_FORBID_CONSIGN: { state: 'paid', tags: ['do-not-ship'] },
  SELLER_CONSIGNED_PART: { state: 'paid', tags: ['shipped', 'partly-shipped'] },
  WAIT_BUYER_CONFIRM_GOODS: { state: 'paid', tags: ['shipped'] },
  TRADE_BUYER_SIGNED: { state: 'paid', tags: ['shipped'] },
  TRADE_FINISHED: { state: 'paid', tags: ['completed'] },
  TRADE_CLOSED: { state: 'cancelled', tags: ['refunded'] },
  TRADE_CLOSED_BY_TAOBAO: { state: 'cancelled', tags: [] },
};

const REFUND: Record<string, 'requested' | 'refunded' | 'closed' | null> = {
  NO_REFUND: null,
  WAIT_SELLER_AGREE: 'requested',
  WAIT_BUYER_RETURN_GOODS: 'requested',
  WAIT_SELLER_CONFIRM_GOODS: 'requested',
  SELLER_REFUSE_BUYER: 'requested',
  SUCCESS: 'refunded',
  CLOSED: 'closed',
};

/** Whether a field is one the privacy project masks (`*`) — kept as given, never unmasked by guessing. */
const masked = (v: string | undefined): boolean => (v ?? '').includes('*');

/** Maps one TOP trade (fullinfo shape) to the canonical order. */
export function mapTaobaoTrade(trade: Record<string, unknown>): ChannelOrder {
  const externalOrderId = checkOrderId(idString(trade.tid_str ?? trade.tid, 'trade.tid'), TID, 'Taobao');
  const platformStatus = str(trade.status) ?? '';
  const st = STATUS[platformStatus];
  if (!st) throw payloadError(`trade ${externalOrderId}: unknown status "${platformStatus}"`);
  const modifiedAt = requireBeijing(trade.modified, 'trade.modified');
  const placedAt = requireBeijing(trade.created, 'trade.created');
  const paidAt = parseBeijing(trade.pay_time, 'trade.pay_time');
  const ordersField = trade.orders;
  const subs = Array.isArray(ordersField)
    ? ordersField
    : arr(
        ordersField && typeof ordersField === 'object'
          ? (ordersField as { order?: unknown }).order
          : undefined,
        'trade.orders.order',
      );
  if (subs.length === 0) throw payloadError(`trade ${externalOrderId}: no sub-orders`);
  const lines: OrderLineInput[] = [];
  const lineGoods: number[] = [];
  const given: (number | null)[] = [];
  const refunds: ChannelOrder['refunds'] = [];
  subs.forEach((raw, i) => {
    const o = obj(raw, `orders.order[${i}]`);
    const oid = idString(o.oid_str ?? o.oid, `orders.order[${i}].oid`);
    const qty = Number(str(o.num));
    if (!Number.isSafeInteger(qty) || qty < 1)
      throw payloadError(`order ${oid}: num "${String(o.num)}" is not a quantity`);
    const unit = yuanToFen(o.price, `order ${oid}.price`);
    const channelSku =
      str(o.outer_sku_id) ??
      str(o.outer_iid) ??
      (str(o.num_iid) ? `${str(o.num_iid)}${o.sku_id ? `:${str(o.sku_id)}` : ''}` : undefined);
    if (!channelSku) throw payloadError(`order ${oid}: no SKU code (outer_sku_id, outer_iid, num_iid)`);
    const title = [str(o.title), str(o.sku_properties_name)].filter(Boolean).join(' ').slice(0, 500);
    lines.push({
      externalLineId: oid,
      channelSku: channelSku.slice(0, 128),
      ...(title ? { title } : {}),
      quantity: qty,
      unitPrice: unit,
    });
    lineGoods.push(unit * qty);
    const paidPart = o.divide_order_fee ?? o.payment;
    given.push(
      paidPart === undefined || paidPart === ''
        ? null
        : unit * qty - yuanToFen(paidPart, `order ${oid}.payment`),
    );
    const rs = str(o.refund_status) ?? 'NO_REFUND';
    if (!(rs in REFUND)) throw payloadError(`order ${oid}: unknown refund_status "${rs}"`);
    const r = REFUND[rs];
    // A refund asked for before the line was consigned is a refund-only request (仅退款).
    if (r) refunds.push({ externalLineId: oid, status: r, refundOnly: !str(o.consign_time) });
  });
  const goods = lineGoods.reduce((a, b) => a + b, 0);
  const shippingFee = optionalFen(trade.post_fee, 'trade.post_fee');
  const total = yuanToFen(trade.payment, 'trade.payment');
  const discount = goods + shippingFee - total;
  if (discount < 0)
    throw payloadError(
      `trade ${externalOrderId}: paid ${total} fen is more than goods ${goods} + postage ${shippingFee}`,
    );
  const shares = lineDiscounts(discount, lineGoods, given);
  lines.forEach((l, i) => {
    l.discount = shares[i]!;
  });
  const name = str(trade.receiver_name);
  const phone = str(trade.receiver_mobile) ?? str(trade.receiver_phone);
  const detail = str(trade.receiver_address);
  const oaid = str(trade.oaid);
  const receiverEncrypted = oaid !== undefined || masked(name) || masked(phone) || masked(detail);
  const district = str(trade.receiver_district);
  const receiver = {
    ...(name ? { name: name.slice(0, 100) } : {}),
    ...(phone ? { phone: phone.slice(0, 40) } : {}),
    ...(str(trade.receiver_state) ? { province: str(trade.receiver_state)!.slice(0, 50) } : {}),
    // Province-administered counties come with the district only: it stands for the city.
    ...((str(trade.receiver_city) ?? district)
      ? { city: (str(trade.receiver_city) ?? district)!.slice(0, 50) }
      : {}),
    ...(district && str(trade.receiver_city) ? { district: district.slice(0, 50) } : {}),
    ...(detail ? { detail: [str(trade.receiver_town), detail].filter(Boolean).join(' ').slice(0, 300) } : {}),
    ...(str(trade.receiver_zip) ? { postalCode: str(trade.receiver_zip)!.slice(0, 20) } : {}),
    ...(oaid ? { platformRef: oaid.slice(0, 256) } : {}),
  };
  const tags = [...st.tags];
  if (refunds.some((r) => r.status === 'requested')) tags.push('refunding');
  const buyerId = str(trade.buyer_open_uid);
  const buyerNick = str(trade.buyer_nick);
  return {
    externalOrderId,
    modifiedAt,
    platformStatus,
    refunds,
    receiverEncrypted,
    raw: trade,
    order: {
      externalOrderId,
      sourceVersion: modifiedAt.toISOString(),
      status: st.state,
      currency: 'CNY',
      placedAt: placedAt.toISOString(),
      placedAtRaw: String(trade.created),
      ...(paidAt ? { paidAt: paidAt.toISOString(), paidAtRaw: String(trade.pay_time) } : {}),
      ...(buyerId || buyerNick
        ? {
            buyer: {
              ...(buyerId ? { id: buyerId.slice(0, 128) } : {}),
              ...(buyerNick ? { nick: buyerNick.slice(0, 128) } : {}),
            },
          }
        : {}),
      ...(Object.keys(receiver).length ? { receiver } : {}),
      lines,
      shippingFee,
      discount,
      tax: 0,
      total,
      ...(str(trade.buyer_message) ? { buyerRemark: str(trade.buyer_message)!.slice(0, 1000) } : {}),
      ...(str(trade.seller_memo) ? { sellerRemark: str(trade.seller_memo)!.slice(0, 1000) } : {}),
      ...(tags.length ? { tags } : {}),
      raw: trade,
    },
  };
}

interface TopSettings {
  signMethod: TopSignMethod;
  pageSize: number;
  fetchDetails: boolean;
  detailFields: string;
  carrierCodes: Record<string, string>;
  pushMaxSkewSeconds: number;
  detailConcurrency: number;
}

function topSettings(ctx: Pick<ConnectorContext, 'settings'>): TopSettings {
  return {
    signMethod: setting(
      ctx,
      'signMethod',
      'md5' as TopSignMethod,
      isOneOf('md5', 'hmac', 'hmac-sha256'),
      'md5, hmac or hmac-sha256',
    ),
    pageSize: setting(ctx, 'pageSize', 50, isPosInt(100), 'a page size from 1 to 100'),
    fetchDetails: setting(ctx, 'fetchDetails', true, isBool, 'true or false'),
    detailFields: setting(
      ctx,
      'detailFields',
      DETAIL_FIELDS,
      isNonEmptyString,
      'a comma list of trade fields',
    ),
    carrierCodes: setting(
      ctx,
      'carrierCodes',
      {},
      isStringMap,
      'an object of carrier code → TOP company code',
    ),
    pushMaxSkewSeconds: setting(ctx, 'pushMaxSkewSeconds', 600, isPosInt(86_400), 'seconds from 1 to 86400'),
    detailConcurrency: setting(ctx, 'detailConcurrency', 4, isPosInt(16), 'a number of calls from 1 to 16'),
  };
}

/** TOP error codes → failure classes (digest A1 "Typical failure modes"). */
function topError(api: string, e: Record<string, unknown>): ConnectorError {
  const code = str(e.code) ?? '?';
  const sub = str(e.sub_code) ?? '';
  const text = `${api}: TOP error ${code} ${str(e.msg) ?? ''}${sub ? ` (${sub}: ${str(e.sub_msg) ?? ''})` : ''}`;
  if (code === '7') return new ConnectorError('RATE_LIMITED', text, true);
  if (code === '26' || code === '27' || /session/i.test(sub))
    return new ConnectorError('AUTH_EXPIRED', text, false, true);
  if (sub.startsWith('isp.') || (code === '15' && !sub.startsWith('isv.')))
    return new ConnectorError('PLATFORM_UNAVAILABLE', text, true);
  if (code === '24' || code === '25') return new ConnectorError('SIGNATURE_REJECTED', text, false);
  if (code === '30' || code === '31') return new ConnectorError('TIMESTAMP_REJECTED', text, false);
  return new ConnectorError('PLATFORM_ERROR', text, false);
}

/** One signed TOP call; the payload under `<method>_response`, or a ConnectorError for `error_response`. */
export async function callTop(
  ctx: ConnectorContext,
  method: string,
  business: Record<string, string>,
): Promise<Record<string, unknown>> {
  const s = topSettings(ctx);
  const { appKey, appSecret, accessToken } = ctx.credentials;
  if (!appKey || !appSecret || !accessToken)
    throw new ConnectorError(
      'CREDENTIALS_MISSING',
      'the account needs app key, app secret and session',
      false,
    );
  const params: Record<string, string> = {
    ...business,
    method,
    app_key: appKey,
    session: accessToken,
    timestamp: formatBeijing(ctx.now),
    format: 'json',
    v: '2.0',
    sign_method: s.signMethod,
  };
  params.sign = signTop(params, appSecret, s.signMethod);
  const body = new URLSearchParams(params).toString();
  const res = await callGateway(ctx, ctx.baseUrl, { method: 'POST', body }, method);
  const top = obj(res, method);
  if (top.error_response) throw topError(method, obj(top.error_response, 'error_response'));
  const payload = top[topResponseKey(method)];
  if (!payload || typeof payload !== 'object')
    throw new ConnectorError(
      'BAD_RESPONSE',
      `${method}: neither ${topResponseKey(method)} nor error_response`,
      true,
    );
  return payload as Record<string, unknown>;
}

function unwrapList(v: unknown, inner: string, field: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v && typeof v === 'object') return arr((v as Record<string, unknown>)[inner], `${field}.${inner}`);
  return [];
}

function checkWindow(from: Date, to: Date): void {
  const span = to.getTime() - from.getTime();
  if (!(span > 0) || span > MAX_WINDOW_MS)
    throw new ConnectorError(
      'WINDOW_INVALID',
      `a pull window must be 0–${MAX_WINDOW_MS / 60_000} minutes long`,
      false,
    );
}

async function fetchTrade(
  ctx: ConnectorContext,
  tid: string,
  fields: string,
): Promise<Record<string, unknown> | null> {
  let p: Record<string, unknown>;
  try {
    p = await callTop(ctx, 'taobao.trade.fullinfo.get', { fields, tid });
  } catch (e) {
    if (e instanceof ConnectorError && /isv\.trade-not-exist/.test(e.message)) return null;
    throw e;
  }
  return p.trade && typeof p.trade === 'object' ? (p.trade as Record<string, unknown>) : null;
}

/** The push form for TMC messages relayed over HTTP (UNCONFIRMED, see docs): TOP-signed query + raw JSON body. */
export function signTopPush(
  query: Record<string, string>,
  body: string,
  secret: string,
  method: TopSignMethod,
): string {
  return signTop(query, secret, method, body);
}

export const taobaoConnector: Connector = {
  platform: 'taobao',
  defaultBaseUrl: 'https://eco.taobao.com/router/rest',
  stockBatchSize: 1,
  maxWindowMs: MAX_WINDOW_MS,

  checkSettings(settings) {
    topSettings({ settings });
  },

  checkCredentials(input) {
    checkCnCredentials(input, { appKey: 'the app key', accessToken: 'the seller session (access token)' });
  },

  async pullOrders(ctx, window, page): Promise<PulledPage> {
    checkWindow(window.from, window.to);
    const s = topSettings(ctx);
    const api = 'taobao.trades.sold.increment.get';
    const listShapes: unknown[] = [];
    const { items, next } = await pageBackwards(page, s.pageSize, async (pageNo) => {
      const p = await callTop(ctx, api, {
        fields: 'tid,tid_str,status,modified',
        start_modified: formatBeijing(window.from),
        end_modified: formatBeijing(window.to),
        page_no: String(pageNo),
        page_size: String(s.pageSize),
        use_has_next: 'false',
      });
      listShapes.push(p);
      const total = Number(str(p.total_results) ?? Number.NaN);
      if (!Number.isSafeInteger(total) || total < 0)
        throw new ConnectorError('BAD_RESPONSE', `${api}: total_results missing`, true);
      return { total, items: unwrapList(p.trades, 'trade', 'trades') };
    });
    const shapes: ShapeSample[] = [...shapeSample(api, listShapes)];
    const details: Record<string, unknown>[] = [];
    const orders: ChannelOrder[] = [];
    const rejected: RejectedOrder[] = [];
    const tids = items.flatMap((t, i) => {
      const ok = settleOrder(rejected, t, () => {
        const brief = obj(t, `trades.trade[${i}]`);
        return { brief, tid: checkOrderId(idString(brief.tid_str ?? brief.tid, 'trade.tid'), TID, 'Taobao') };
      });
      return ok ? [ok] : [];
    });
    const fulls = await mapLimit(tids, s.detailConcurrency, async ({ brief, tid }) =>
      s.fetchDetails ? fetchTrade(ctx, tid, s.detailFields) : brief,
    );
    for (const full of fulls) {
      if (!full) continue; // gone since listed (older than 3 months): nothing to map
      details.push(full);
      const o = settleOrder(rejected, full, () => mapTaobaoTrade(full));
      if (o) orders.push(o);
    }
    if (s.fetchDetails) shapes.push(...shapeSample('taobao.trade.fullinfo.get', details));
    return { orders, rejected, next, shapes };
  },

  async fetchOrder(ctx, externalOrderId) {
    checkOrderId(externalOrderId, TID, 'Taobao');
    const trade = await fetchTrade(ctx, externalOrderId, topSettings(ctx).detailFields);
    return trade ? mapTaobaoTrade(trade) : null;
  },

  verifyPush(push: RawPush, ctx): PushVerification {
    const s = topSettings(ctx);
    const secret = ctx.credentials.appSecret;
    if (!secret) return { ok: false, reason: 'SIGNATURE_INVALID', message: 'the account has no app secret' };
    const query = pushParams(push, ['app_key', 'timestamp', 'sign_method', 'sign'], 'x-top-');
    const sign = query.sign;
    if (!sign) return { ok: false, reason: 'SIGNATURE_INVALID', message: 'no sign parameter' };
    const method = (query.sign_method ?? 'md5') as TopSignMethod;
    if (!['md5', 'hmac', 'hmac-sha256'].includes(method))
      return { ok: false, reason: 'SIGNATURE_INVALID', message: `unknown sign_method ${method}` };
    if (ctx.credentials.appKey && query.app_key !== ctx.credentials.appKey)
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'app_key is not this account’s' };
    const bodyText = push.body.toString('utf8');
    if (!sameSignature(signTopPush(query, bodyText, secret, method), sign))
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'TOP signature does not match' };
    let ts: Date | null;
    try {
      ts = parseBeijing(query.timestamp, 'timestamp');
    } catch {
      ts = null;
    }
    if (!ts || Math.abs(ts.getTime() - ctx.now.getTime()) > s.pushMaxSkewSeconds * 1000)
      return {
        ok: false,
        reason: 'TIMESTAMP_INVALID',
        message: `timestamp "${query.timestamp ?? ''}" is missing or stale`,
      };
    let msg: Record<string, unknown>;
    let content: Record<string, unknown>;
    try {
      msg = obj(parseJsonExact(bodyText), 'message');
      content =
        typeof msg.content === 'string'
          ? obj(parseJsonExact(msg.content), 'content')
          : obj(msg.content, 'content');
    } catch (e) {
      return { ok: false, reason: 'MALFORMED', message: `not a TMC message: ${(e as Error).message}` };
    }
    const id = str(msg.id);
    const topic = str(msg.topic);
    const tid = str(content.tid);
    if (!id || !topic) return { ok: false, reason: 'MALFORMED', message: 'message id or topic missing' };
    if (tid !== undefined && !TID.test(tid))
      return {
        ok: false,
        reason: 'MALFORMED',
        message: `tid "${tid.slice(0, 40)}" is not a Taobao order id`,
      };
    return { ok: true, messageId: id, topic, orderIds: tid ? [tid] : [], orders: [] };
  },

  ackPush(ok, message): PushAck {
    return ok
      ? { status: 200, contentType: 'application/json', body: '{"success":true}' }
      : {
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ success: false, message: message ?? 'rejected' }),
        };
  },

  async pushStock(ctx, items): Promise<StockPushResult[]> {
    const out: StockPushResult[] = [];
    for (const item of items) {
      try {
        if (!Number.isSafeInteger(item.quantity) || item.quantity < 0)
          throw payloadError('quantity must be a whole number ≥ 0');
        const found = await callTop(ctx, 'taobao.skus.custom.get', {
          outer_id: item.channelSku,
          fields: 'num_iid,sku_id,outer_id,quantity',
        });
        const skus = unwrapList(found.skus, 'sku', 'skus').map((x) => obj(x, 'sku'));
        const sku = skus.find((x) => str(x.outer_id) === item.channelSku);
        if (!sku) {
          out.push({
            channelSku: item.channelSku,
            ok: false,
            error: 'no Taobao SKU has this merchant code',
            retryable: false,
          });
          continue;
        }
        const res = await callTop(ctx, 'taobao.item.quantity.update', {
          num_iid: idString(sku.num_iid, 'sku.num_iid'),
          sku_id: idString(sku.sku_id, 'sku.sku_id'),
          quantity: String(item.quantity),
          type: '1',
        });
        if (!res.item)
          throw new ConnectorError(
            'BAD_RESPONSE',
            'taobao.item.quantity.update: no item in the answer',
            true,
          );
        out.push({ channelSku: item.channelSku, ok: true, error: null, retryable: false });
      } catch (e) {
        if (!(e instanceof ConnectorError) || e.authExpired) throw e;
        out.push({ channelSku: item.channelSku, ok: false, error: e.message, retryable: e.retryable });
      }
    }
    return out;
  },

  async confirmShipment(ctx, input) {
    checkOrderId(input.externalOrderId, TID, 'Taobao');
    const s = topSettings(ctx);
    const res = await callTop(ctx, 'taobao.logistics.offline.send', {
      tid: input.externalOrderId,
      out_sid: input.waybillNo,
      company_code: s.carrierCodes[input.carrierCode] ?? input.carrierCode,
    });
    const shipping =
      res.shipping && typeof res.shipping === 'object' ? (res.shipping as Record<string, unknown>) : {};
    if (shipping.is_success !== true && shipping.is_success !== 'true')
      throw new ConnectorError(
        'PLATFORM_ERROR',
        'taobao.logistics.offline.send did not report success',
        false,
      );
  },

  authorisation(ctx) {
    return cnAuthorisation(ctx);
  },
};
