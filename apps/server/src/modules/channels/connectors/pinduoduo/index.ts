/**
 * Pinduoduo open platform adapter: one router URL, the API chosen by `type`, flat parameters with
 * a Unix-seconds `timestamp`, `sign` = MD5(client_secret + sorted `namevalue` + client_secret) in
 * upper case. Orders: `pdd.order.number.list.increment.get` windowed by update time (≤ 30 min),
 * paged from the last page backwards, then `pdd.order.information.get` per order. Receiver data
 * arrives as platform ciphertext with masked copies: both are kept as given, never decrypted here.
 * See docs/channels-pinduoduo.md.
 */
import type { OrderLineInput } from '@orderhub/contracts';
import { allocateLargestRemainder } from '../../../../platform/money.ts';
import {
  type ChannelOrder,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  type PulledPage,
  type PushAck,
  type PushVerification,
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
  idString,
  isNonEmptyString,
  isOneOf,
  isPosInt,
  isStringMap,
  mapLimit,
  md5Upper,
  obj,
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
} from '../taobao/cn-common.ts';

/** PDD's signature: MD5(client_secret + sorted `namevalue` of all parameters but `sign` + client_secret), hex upper. */
export function signPdd(params: Readonly<Record<string, string | undefined>>, clientSecret: string): string {
  return md5Upper(clientSecret + sortedConcat(params) + clientSecret);
}

/** Response wrappers by API (the SDK typings' names). */
export const PDD_RESPONSE_KEY: Record<string, string> = {
  'pdd.order.number.list.increment.get': 'order_sn_increment_get_response',
  'pdd.order.information.get': 'order_info_get_response',
  'pdd.goods.list.get': 'goods_list_get_response',
  'pdd.goods.quantity.update': 'goods_quantity_update_response',
  'pdd.logistics.online.send': 'logistics_online_send_response',
};

const ORDER_SN = /^\d{6}-\d{6,20}$/;
const MAX_WINDOW_MS = 30 * 60_000;

/** Defaults for the error codes the digest leaves UNCONFIRMED; the simulator uses the same ones. */
export const PDD_DEFAULT_CODES = {
  authCodes: ['10019', '10035'],
  rateLimitCodes: ['70031'],
  busyCodes: ['70001', '50001'],
  signatureCodes: ['10016'],
  timestampCodes: ['10036'],
};

interface PddSettings {
  pageSize: number;
  fetchDetails: boolean;
  bodyFormat: 'form' | 'json';
  ciphertextPattern: RegExp;
  logisticsIds: Record<string, string>;
  authCodes: string[];
  rateLimitCodes: string[];
  busyCodes: string[];
  signatureCodes: string[];
  timestampCodes: string[];
  pushMaxSkewSeconds: number;
  detailConcurrency: number;
}

const isCodeList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

function pddSettings(ctx: Pick<ConnectorContext, 'settings'>): PddSettings {
  const pattern = setting(
    ctx,
    'ciphertextPattern',
    '^~[A-Za-z0-9+/=_-]+~',
    isNonEmptyString,
    'a regular expression',
  );
  let ciphertextPattern: RegExp;
  try {
    ciphertextPattern = new RegExp(pattern);
  } catch {
    throw new ConnectorError(
      'SETTINGS_INVALID',
      'setting "ciphertextPattern" must be a regular expression',
      false,
    );
  }
  return {
    pageSize: setting(ctx, 'pageSize', 100, isPosInt(100), 'a page size from 1 to 100'),
    fetchDetails: setting(ctx, 'fetchDetails', true, isBoolean, 'true or false'),
    bodyFormat: setting(ctx, 'bodyFormat', 'form' as const, isOneOf('form', 'json'), 'form or json'),
    ciphertextPattern,
    logisticsIds: setting(
      ctx,
      'logisticsIds',
      {},
      isStringMap,
      'an object of carrier code → PDD logistics_id',
    ),
    authCodes: setting(ctx, 'authCodes', PDD_DEFAULT_CODES.authCodes, isCodeList, 'a list of codes'),
    rateLimitCodes: setting(
      ctx,
      'rateLimitCodes',
      PDD_DEFAULT_CODES.rateLimitCodes,
      isCodeList,
      'a list of codes',
    ),
    busyCodes: setting(ctx, 'busyCodes', PDD_DEFAULT_CODES.busyCodes, isCodeList, 'a list of codes'),
    signatureCodes: setting(
      ctx,
      'signatureCodes',
      PDD_DEFAULT_CODES.signatureCodes,
      isCodeList,
      'a list of codes',
    ),
    timestampCodes: setting(
      ctx,
      'timestampCodes',
      PDD_DEFAULT_CODES.timestampCodes,
      isCodeList,
      'a list of codes',
    ),
    pushMaxSkewSeconds: setting(ctx, 'pushMaxSkewSeconds', 600, isPosInt(86_400), 'seconds from 1 to 86400'),
    detailConcurrency: setting(ctx, 'detailConcurrency', 4, isPosInt(16), 'a number of calls from 1 to 16'),
  };
}

function pddError(api: string, e: Record<string, unknown>, s: PddSettings): ConnectorError {
  // Field names are UNCONFIRMED: `error_code`/`error_msg` (SDKs) or `code`/`msg`.
  const code = str(e.error_code) ?? str(e.code) ?? '?';
  const sub = str(e.sub_code) ?? '';
  const m = `${api}: PDD error ${code} ${str(e.error_msg) ?? str(e.msg) ?? ''}${sub ? ` (${sub}: ${str(e.sub_msg) ?? ''})` : ''}`;
  if (s.authCodes.includes(code)) return new ConnectorError('AUTH_EXPIRED', m, false, true);
  if (s.rateLimitCodes.includes(code)) return new ConnectorError('RATE_LIMITED', m, true);
  if (s.busyCodes.includes(code)) return new ConnectorError('PLATFORM_UNAVAILABLE', m, true);
  if (s.signatureCodes.includes(code)) return new ConnectorError('SIGNATURE_REJECTED', m, false);
  if (s.timestampCodes.includes(code)) return new ConnectorError('TIMESTAMP_REJECTED', m, false);
  return new ConnectorError('PLATFORM_ERROR', m, false);
}

/** One signed PDD call; the payload under its response key, or a ConnectorError for `error_response`. */
export async function callPdd(
  ctx: ConnectorContext,
  type: string,
  business: Record<string, string>,
): Promise<Record<string, unknown>> {
  const s = pddSettings(ctx);
  const { appKey, appSecret, accessToken } = ctx.credentials;
  if (!appKey || !appSecret || !accessToken)
    throw new ConnectorError(
      'CREDENTIALS_MISSING',
      'the account needs client id, client secret and access token',
      false,
    );
  const params: Record<string, string> = {
    ...business,
    type,
    client_id: appKey,
    access_token: accessToken,
    timestamp: String(Math.floor(ctx.now.getTime() / 1000)),
    data_type: 'JSON',
    version: 'V1',
  };
  params.sign = signPdd(params, appSecret);
  const body = s.bodyFormat === 'json' ? JSON.stringify(params) : new URLSearchParams(params).toString();
  const res = obj(
    await callGateway(
      ctx,
      ctx.baseUrl,
      {
        method: 'POST',
        body,
        contentType: s.bodyFormat === 'json' ? 'application/json;charset=utf-8' : undefined,
      },
      type,
    ),
    type,
  );
  if (res.error_response) throw pddError(type, obj(res.error_response, 'error_response'), s);
  const key = PDD_RESPONSE_KEY[type] ?? `${type.replace(/^pdd\./, '').replace(/\./g, '_')}_response`;
  const payload = res[key];
  if (!payload || typeof payload !== 'object')
    throw new ConnectorError('BAD_RESPONSE', `${type}: neither ${key} nor error_response`, true);
  return payload as Record<string, unknown>;
}

const num = (v: unknown): number | undefined => {
  const t = str(v);
  return t === undefined ? undefined : Number(t);
};

/** Maps one PDD order (`order_info` shape) to the canonical order. */
export function mapPddOrder(
  order: Record<string, unknown>,
  ciphertext = /^~[A-Za-z0-9+/=_-]+~/,
): ChannelOrder {
  const externalOrderId = checkOrderId(idString(order.order_sn, 'order_sn'), ORDER_SN, 'Pinduoduo');
  const orderStatus = num(order.order_status);
  const refundStatus = num(order.refund_status) ?? 1;
  const confirmStatus = num(order.confirm_status) ?? 1;
  const groupStatus = num(order.group_status) ?? 1;
  const risk = num(order.risk_control_status) ?? 0;
  if (![1, 2, 3].includes(orderStatus ?? -1))
    throw payloadError(`order ${externalOrderId}: unknown order_status "${String(order.order_status)}"`);
  if (![1, 2, 3, 4].includes(refundStatus))
    throw payloadError(`order ${externalOrderId}: unknown refund_status "${String(order.refund_status)}"`);
  if (![0, 1, 2].includes(confirmStatus))
    throw payloadError(`order ${externalOrderId}: unknown confirm_status "${String(order.confirm_status)}"`);
  const platformStatus = `order_status=${orderStatus};refund_status=${refundStatus};confirm_status=${confirmStatus};group_status=${groupStatus};risk_control_status=${risk}`;
  const modifiedAt = requireBeijing(order.updated_at, 'updated_at');
  const placedAt = requireBeijing(order.created_time, 'created_time');
  const payRaw = str(order.pay_time) ?? str(order.confirm_time);
  const paidAt = parseBeijing(payRaw, 'pay_time');
  const items = arr(order.item_list, 'item_list');
  if (items.length === 0) throw payloadError(`order ${externalOrderId}: no item_list`);
  const money = (v: unknown, f: string) => yuanToFen(v, f, { allowNumber: true });
  const lines: OrderLineInput[] = items.map((raw, i) => {
    const it = obj(raw, `item_list[${i}]`);
    const skuId = idString(it.sku_id, `item_list[${i}].sku_id`);
    const qty = num(it.goods_count);
    if (qty === undefined || !Number.isSafeInteger(qty) || qty < 1)
      throw payloadError(`sku ${skuId}: goods_count is not a quantity`);
    const title = [str(it.goods_name), str(it.goods_spec)].filter(Boolean).join(' ');
    return {
      externalLineId: skuId,
      channelSku: (str(it.outer_id) ?? skuId).slice(0, 128),
      ...(title ? { title: title.slice(0, 500) } : {}),
      quantity: qty,
      unitPrice: money(it.goods_price, `sku ${skuId}.goods_price`),
    };
  });
  const lineGoods = lines.map((l) => l.unitPrice * l.quantity);
  const goods = lineGoods.reduce((a, b) => a + b, 0);
  const shippingFee = order.postage === undefined ? 0 : money(order.postage, 'postage');
  const total = money(order.pay_amount, 'pay_amount');
  const discount = goods + shippingFee - total;
  if (discount < 0)
    throw payloadError(
      `order ${externalOrderId}: pay_amount ${total} fen is more than goods ${goods} + postage ${shippingFee}`,
    );
  // PDD gives the discount per order only: largest remainder over the lines' goods.
  const shares = allocateLargestRemainder(discount, lineGoods);
  lines.forEach((l, i) => {
    l.discount = shares[i]!;
  });
  // Receiver: ciphertext kept as given in platformRef, masked copies as the shown values.
  const cipher = (v: unknown) => {
    const t = str(v);
    return t !== undefined && ciphertext.test(t) ? t : undefined;
  };
  const nameC = cipher(order.receiver_name);
  const phoneC = cipher(order.receiver_phone);
  const addrC = cipher(order.address) ?? cipher(order.receiver_address);
  const encrypted = nameC !== undefined || phoneC !== undefined || addrC !== undefined;
  const shown = (plain: unknown, mask: unknown) =>
    cipher(plain) !== undefined ? str(mask) : (str(plain) ?? str(mask));
  const name = shown(order.receiver_name, order.receiver_name_mask);
  const phone = shown(order.receiver_phone, order.receiver_phone_mask);
  const detail =
    shown(order.receiver_address, order.receiver_address_mask) ?? shown(order.address, order.address_mask);
  const ref = phoneC ?? nameC ?? addrC;
  const receiver = {
    ...(name ? { name: name.slice(0, 100) } : {}),
    ...(phone ? { phone: phone.slice(0, 40) } : {}),
    ...(str(order.province) ? { province: str(order.province)!.slice(0, 50) } : {}),
    ...(str(order.city) ? { city: str(order.city)!.slice(0, 50) } : {}),
    ...(str(order.town) ? { district: str(order.town)!.slice(0, 50) } : {}),
    ...(detail ? { detail: detail.slice(0, 300) } : {}),
    ...(ref && ref.length <= 256 ? { platformRef: ref } : {}),
  };
  const receiverEncrypted = encrypted || [name, phone, detail].some((v) => (v ?? '').includes('*'));
  const tags: string[] = [];
  if (orderStatus === 2) tags.push('shipped');
  if (orderStatus === 3) tags.push('completed');
  if (groupStatus === 0) tags.push('group-forming', 'do-not-ship');
  if (risk === 1) tags.push('risk-control');
  if (refundStatus === 2 || refundStatus === 3) tags.push('refunding');
  if ((risk === 1 || refundStatus === 2 || refundStatus === 3) && !tags.includes('do-not-ship'))
    tags.push('do-not-ship');
  const refunds: ChannelOrder['refunds'] =
    refundStatus === 2 || refundStatus === 3
      ? [{ externalLineId: null, status: 'requested', refundOnly: orderStatus === 1 }]
      : refundStatus === 4
        ? [{ externalLineId: null, status: 'refunded', refundOnly: orderStatus === 1 }]
        : [];
  const state: 'pending_payment' | 'paid' | 'cancelled' =
    confirmStatus === 2 || (refundStatus === 4 && orderStatus === 1)
      ? 'cancelled'
      : confirmStatus === 0
        ? 'pending_payment'
        : 'paid';
  return {
    externalOrderId,
    modifiedAt,
    platformStatus,
    refunds,
    receiverEncrypted,
    raw: order,
    order: {
      externalOrderId,
      sourceVersion: modifiedAt.toISOString(),
      status: state,
      currency: 'CNY',
      placedAt: placedAt.toISOString(),
      placedAtRaw: String(order.created_time),
      ...(paidAt ? { paidAt: paidAt.toISOString(), paidAtRaw: payRaw! } : {}),
      ...(Object.keys(receiver).length ? { receiver } : {}),
      lines,
      shippingFee,
      discount,
      tax: 0,
      total,
      ...(str(order.buyer_memo) ? { buyerRemark: str(order.buyer_memo)!.slice(0, 1000) } : {}),
      ...(str(order.remark) ? { sellerRemark: str(order.remark)!.slice(0, 1000) } : {}),
      ...(tags.length ? { tags } : {}),
      raw: order,
    },
  };
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

async function fetchInfo(ctx: ConnectorContext, orderSn: string): Promise<Record<string, unknown> | null> {
  const p = await callPdd(ctx, 'pdd.order.information.get', { order_sn: orderSn });
  return p.order_info && typeof p.order_info === 'object' ? (p.order_info as Record<string, unknown>) : null;
}

/** The push form (UNCONFIRMED, see docs): query `client_id`, `timestamp` (Unix s), `sign` over the query pairs and the raw body. */
export function signPddPush(query: Record<string, string>, body: string, clientSecret: string): string {
  return md5Upper(clientSecret + sortedConcat(query) + body + clientSecret);
}

export const pinduoduoConnector: Connector = {
  platform: 'pinduoduo',
  defaultBaseUrl: 'https://gw-api.pinduoduo.com/api/router',
  stockBatchSize: 1,
  maxWindowMs: MAX_WINDOW_MS,

  checkSettings(settings) {
    pddSettings({ settings });
  },

  checkCredentials(input) {
    checkCnCredentials(input, { appKey: 'the client id', accessToken: 'the access token' });
  },

  async pullOrders(ctx, window, page): Promise<PulledPage> {
    checkWindow(window.from, window.to);
    const s = pddSettings(ctx);
    const api = 'pdd.order.number.list.increment.get';
    const lists: unknown[] = [];
    const { items, next } = await pageBackwards(page, s.pageSize, async (p) => {
      const payload = await callPdd(ctx, api, {
        start_updated_at: String(Math.floor(window.from.getTime() / 1000)),
        end_updated_at: String(Math.floor(window.to.getTime() / 1000)),
        order_status: '5',
        refund_status: '5',
        is_lucky_flag: '0',
        page: String(p),
        page_size: String(s.pageSize),
        use_has_next: 'false',
      });
      lists.push(payload);
      const total = num(payload.total_count);
      if (total === undefined || !Number.isSafeInteger(total) || total < 0)
        throw new ConnectorError('BAD_RESPONSE', `${api}: total_count missing`, true);
      return { total, items: arr(payload.order_sn_list, 'order_sn_list') };
    });
    const shapes: ShapeSample[] = [...shapeSample(api, lists)];
    const details: unknown[] = [];
    const orders: ChannelOrder[] = [];
    const rejected: RejectedOrder[] = [];
    const briefs = items.flatMap((raw, i) => {
      const ok = settleOrder(rejected, raw, () => {
        const brief = obj(raw, `order_sn_list[${i}]`);
        return { brief, sn: checkOrderId(idString(brief.order_sn, 'order_sn'), ORDER_SN, 'Pinduoduo') };
      });
      return ok ? [ok] : [];
    });
    const fulls = await mapLimit(briefs, s.detailConcurrency, async ({ brief, sn }) =>
      s.fetchDetails ? fetchInfo(ctx, sn) : brief,
    );
    for (const full of fulls) {
      if (!full) continue;
      details.push(full);
      const o = settleOrder(rejected, full, () => mapPddOrder(full, s.ciphertextPattern));
      if (o) orders.push(o);
    }
    if (s.fetchDetails) shapes.push(...shapeSample('pdd.order.information.get', details));
    return { orders, rejected, next, shapes };
  },

  async fetchOrder(ctx, externalOrderId) {
    checkOrderId(externalOrderId, ORDER_SN, 'Pinduoduo');
    const info = await fetchInfo(ctx, externalOrderId);
    return info ? mapPddOrder(info, pddSettings(ctx).ciphertextPattern) : null;
  },

  verifyPush(push, ctx): PushVerification {
    const s = pddSettings(ctx);
    const secret = ctx.credentials.appSecret;
    if (!secret)
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'the account has no client secret' };
    const query = pushParams(push, ['client_id', 'timestamp', 'sign'], 'x-pdd-');
    if (!query.sign) return { ok: false, reason: 'SIGNATURE_INVALID', message: 'no sign parameter' };
    if (ctx.credentials.appKey && query.client_id !== ctx.credentials.appKey)
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'client_id is not this account’s' };
    const body = push.body.toString('utf8');
    if (!sameSignature(signPddPush(query, body, secret), query.sign))
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'PDD signature does not match' };
    const ts = /^\d{9,11}$/.test(query.timestamp ?? '') ? Number(query.timestamp) * 1000 : Number.NaN;
    if (!Number.isFinite(ts) || Math.abs(ts - ctx.now.getTime()) > s.pushMaxSkewSeconds * 1000)
      return {
        ok: false,
        reason: 'TIMESTAMP_INVALID',
        message: `timestamp "${query.timestamp ?? ''}" is missing or stale`,
      };
    let msg: Record<string, unknown>;
    let content: Record<string, unknown>;
    try {
      msg = obj(parseJsonExact(body), 'message');
      content =
        typeof msg.content === 'string'
          ? obj(parseJsonExact(msg.content), 'content')
          : obj(msg.content, 'content');
    } catch (e) {
      return { ok: false, reason: 'MALFORMED', message: `not a PDD message: ${(e as Error).message}` };
    }
    const id = str(msg.id);
    const topic = str(msg.type);
    const sn = str(content.tid) ?? str(content.order_sn);
    if (!id || !topic) return { ok: false, reason: 'MALFORMED', message: 'message id or type missing' };
    if (sn !== undefined && !ORDER_SN.test(sn))
      return {
        ok: false,
        reason: 'MALFORMED',
        message: `order_sn "${sn.slice(0, 40)}" is not a Pinduoduo order number`,
      };
    return { ok: true, messageId: id, topic, orderIds: sn ? [sn] : [], orders: [] };
  },

  ackPush(ok, message): PushAck {
    return ok
      ? { status: 200, contentType: 'application/json', body: '{"success":true}' }
      : {
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ success: false, error_msg: message ?? 'rejected' }),
        };
  },

  async pushStock(ctx, items): Promise<StockPushResult[]> {
    const out: StockPushResult[] = [];
    for (const item of items) {
      try {
        if (!Number.isSafeInteger(item.quantity) || item.quantity < 0)
          throw payloadError('quantity must be a whole number ≥ 0');
        const found = await callPdd(ctx, 'pdd.goods.list.get', {
          outer_id: item.channelSku,
          page: '1',
          page_size: '10',
        });
        let target: { goods: string; sku: string } | null = null;
        for (const g of arr(found.goods_list, 'goods_list').map((x) => obj(x, 'goods'))) {
          const sku = arr(g.sku_list, 'sku_list')
            .map((x) => obj(x, 'sku'))
            .find((x) => str(x.outer_id) === item.channelSku);
          if (sku) {
            target = { goods: idString(g.goods_id, 'goods_id'), sku: idString(sku.sku_id, 'sku_id') };
            break;
          }
        }
        if (!target) {
          out.push({
            channelSku: item.channelSku,
            ok: false,
            error: 'no Pinduoduo SKU has this merchant code',
            retryable: false,
          });
          continue;
        }
        const res = await callPdd(ctx, 'pdd.goods.quantity.update', {
          goods_id: target.goods,
          sku_id: target.sku,
          quantity: String(item.quantity),
          update_type: '1',
        });
        if (res.is_success !== true && res.is_success !== 'true')
          throw new ConnectorError(
            'PLATFORM_ERROR',
            'pdd.goods.quantity.update did not report success',
            false,
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
    checkOrderId(input.externalOrderId, ORDER_SN, 'Pinduoduo');
    const s = pddSettings(ctx);
    const res = await callPdd(ctx, 'pdd.logistics.online.send', {
      order_sn: input.externalOrderId,
      logistics_id: s.logisticsIds[input.carrierCode] ?? input.carrierCode,
      tracking_number: input.waybillNo,
    });
    if (res.is_success !== true && res.is_success !== 'true')
      throw new ConnectorError('PLATFORM_ERROR', 'pdd.logistics.online.send did not report success', false);
  },

  authorisation(ctx) {
    return cnAuthorisation(ctx);
  },
};
