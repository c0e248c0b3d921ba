/**
 * JD Open Platform (JOS) adapter: `routerjson` gateway, business parameters as one JSON string in
 * `360buy_param_json`, MD5 over the sorted parameters wrapped in the secret. Orders:
 * `jingdong.pop.order.search` windowed by modified time, paged from the last page backwards.
 * See docs/channels-jd.md (several points of the platform are settings: the digest leaves them open).
 */
import type { OrderLineInput } from '@orderhub/contracts';
import {
  type ChannelOrder,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  mapOrders,
  type PulledPage,
  type PushAck,
  type PushVerification,
  type StockPushResult,
} from '../../connector.ts';
import {
  arr,
  callGateway,
  checkCnCredentials,
  checkOrderId,
  cnAuthorisation,
  formatBeijing,
  idString,
  isNonEmptyString,
  isOneOf,
  isPosInt,
  isStringMap,
  lineDiscounts,
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
} from '../taobao/cn-common.ts';

/** JOS signature: MD5(secret + sorted `namevalue` of every sent parameter but `sign` + secret), hex upper. */
export function signJos(params: Readonly<Record<string, string | undefined>>, secret: string): string {
  return md5Upper(secret + sortedConcat(params) + secret);
}

/** `jingdong.pop.order.search` → `jingdong_pop_order_search_responce` (JD's spelling). */
export function josResponseKey(method: string): string {
  return `${method.replace(/\./g, '_')}_responce`;
}

const ORDER_ID = /^[1-9]\d{0,19}$/;
const MAX_WINDOW_MS = 30 * 60_000;

export const JD_OPTIONAL_FIELDS = [
  'orderId',
  'venderId',
  'orderState',
  'orderStateRemark',
  'payType',
  'orderTotalPrice',
  'orderSellerPrice',
  'orderPayment',
  'sellerDiscount',
  'freightPrice',
  'orderStartTime',
  'paymentConfirmTime',
  'orderEndTime',
  'modified',
  'orderRemark',
  'venderRemark',
  'consigneeInfo',
  'itemInfoList',
  'couponDetailList',
  'pin',
].join(',');

const ALL_STATES =
  'WAIT_SELLER_STOCK_OUT,WAIT_SELLER_DELIVERY,WAIT_SEND_CODE,SEND_TO_DISTRIBUTION_CENER,DISTRIBUTION_CENTER_RECEIVED,WAIT_GOODS_RECEIVE_CONFIRM,RECEIPTS_CONFIRM,FINISHED_L,TRADE_CANCELED,LOCKED,PAUSE,POP_ORDER_PAUSE';

const STATUS: Record<string, { state: 'paid' | 'cancelled'; tags: string[] }> = {
  WAIT_SELLER_STOCK_OUT: { state: 'paid', tags: [] },
  WAIT_SELLER_DELIVERY: { state: 'paid', tags: [] },
  WAIT_SEND_CODE: { state: 'paid', tags: [] },
  SEND_TO_DISTRIBUTION_CENER: { state: 'paid', tags: ['shipped'] },
  DISTRIBUTION_CENTER_RECEIVED: { state: 'paid', tags: ['shipped'] },
  WAIT_GOODS_RECEIVE_CONFIRM: { state: 'paid', tags: ['shipped'] },
  RECEIPTS_CONFIRM: { state: 'paid', tags: ['completed'] },
  FINISHED_L: { state: 'paid', tags: ['completed'] },
  TRADE_CANCELED: { state: 'cancelled', tags: [] },
  LOCKED: { state: 'paid', tags: ['do-not-ship', 'refunding'] },
  PAUSE: { state: 'paid', tags: ['do-not-ship'] },
  POP_ORDER_PAUSE: { state: 'paid', tags: ['do-not-ship'] },
};

interface JdSettings {
  pageSize: number;
  dateType: string;
  sortType: string | null;
  orderStates: string;
  optionalFields: string;
  freightField: string;
  signFormatAndMethod: boolean;
  timestampFormat: 'plain' | 'millis-offset';
  carrierIds: Record<string, string>;
  authCodes: string[];
  rateLimitCodes: string[];
  busyCodes: string[];
  signatureCodes: string[];
  timestampCodes: string[];
  pushMaxSkewSeconds: number;
}

const isCodeList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isDigits = (v: unknown): v is string => typeof v === 'string' && /^\d{1,3}$/.test(v);

/** Defaults for what the digest marks UNCONFIRMED; the simulator uses the same ones. */
export const JD_DEFAULT_CODES = {
  authCodes: ['19'],
  rateLimitCodes: ['45'],
  busyCodes: ['1', '66'],
  signatureCodes: ['14'],
  timestampCodes: ['9'],
};

function jdSettings(ctx: Pick<ConnectorContext, 'settings'>): JdSettings {
  return {
    pageSize: setting(ctx, 'pageSize', 100, isPosInt(100), 'a page size from 1 to 100'),
    dateType: setting(ctx, 'dateType', '0', isDigits, 'the dateType code as a digit string'),
    sortType: setting<string | null>(
      ctx,
      'sortType',
      null,
      (v): v is string => isDigits(v),
      'the sortType code as a digit string',
    ),
    orderStates: setting(
      ctx,
      'orderStates',
      ALL_STATES,
      isNonEmptyString,
      'a comma list of orderState values',
    ),
    optionalFields: setting(
      ctx,
      'optionalFields',
      JD_OPTIONAL_FIELDS,
      isNonEmptyString,
      'a comma list of fields',
    ),
    freightField: setting(ctx, 'freightField', 'freightPrice', isNonEmptyString, 'a field name'),
    signFormatAndMethod: setting(ctx, 'signFormatAndMethod', false, isBoolean, 'true or false'),
    timestampFormat: setting(
      ctx,
      'timestampFormat',
      'plain' as const,
      isOneOf('plain', 'millis-offset'),
      'plain or millis-offset',
    ),
    carrierIds: setting(ctx, 'carrierIds', {}, isStringMap, 'an object of carrier code → JD logiCoprId'),
    authCodes: setting(ctx, 'authCodes', JD_DEFAULT_CODES.authCodes, isCodeList, 'a list of codes'),
    rateLimitCodes: setting(
      ctx,
      'rateLimitCodes',
      JD_DEFAULT_CODES.rateLimitCodes,
      isCodeList,
      'a list of codes',
    ),
    busyCodes: setting(ctx, 'busyCodes', JD_DEFAULT_CODES.busyCodes, isCodeList, 'a list of codes'),
    signatureCodes: setting(
      ctx,
      'signatureCodes',
      JD_DEFAULT_CODES.signatureCodes,
      isCodeList,
      'a list of codes',
    ),
    timestampCodes: setting(
      ctx,
      'timestampCodes',
      JD_DEFAULT_CODES.timestampCodes,
      isCodeList,
      'a list of codes',
    ),
    pushMaxSkewSeconds: setting(ctx, 'pushMaxSkewSeconds', 600, isPosInt(86_400), 'seconds from 1 to 86400'),
  };
}

/** JD's timestamp: plain Beijing `yyyy-MM-dd HH:mm:ss`, or the official example's `….SSS+0800`. */
export function josTimestamp(d: Date, format: 'plain' | 'millis-offset'): string {
  const plain = formatBeijing(d);
  return format === 'plain' ? plain : `${plain}.${String(d.getUTCMilliseconds()).padStart(3, '0')}+0800`;
}

function josError(api: string, code: string, text: string, s: JdSettings): ConnectorError {
  const m = `${api}: JOS error ${code} ${text}`;
  if (s.authCodes.includes(code)) return new ConnectorError('AUTH_EXPIRED', m, false, true);
  if (s.rateLimitCodes.includes(code)) return new ConnectorError('RATE_LIMITED', m, true);
  if (s.busyCodes.includes(code)) return new ConnectorError('PLATFORM_UNAVAILABLE', m, true);
  if (s.signatureCodes.includes(code)) return new ConnectorError('SIGNATURE_REJECTED', m, false);
  if (s.timestampCodes.includes(code)) return new ConnectorError('TIMESTAMP_REJECTED', m, false);
  return new ConnectorError('PLATFORM_ERROR', m, false);
}

/** One signed JOS call; the payload under `<method>_responce`, or a ConnectorError for `error_response`. */
export async function callJos(
  ctx: ConnectorContext,
  method: string,
  business: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const s = jdSettings(ctx);
  const { appKey, appSecret, accessToken } = ctx.credentials;
  if (!appKey || !appSecret || !accessToken)
    throw new ConnectorError(
      'CREDENTIALS_MISSING',
      'the account needs app key, app secret and access token',
      false,
    );
  const params: Record<string, string> = {
    method,
    app_key: appKey,
    access_token: accessToken,
    timestamp: josTimestamp(ctx.now, s.timestampFormat),
    v: '2.0',
    '360buy_param_json': JSON.stringify(business),
  };
  if (s.signFormatAndMethod) {
    params.format = 'json';
    params.sign_method = 'md5';
  }
  params.sign = signJos(params, appSecret);
  const res = obj(
    await callGateway(
      ctx,
      ctx.baseUrl,
      { method: 'POST', body: new URLSearchParams(params).toString() },
      method,
    ),
    method,
  );
  if (res.error_response) {
    const e = obj(res.error_response, 'error_response');
    throw josError(method, str(e.code) ?? '?', `${str(e.zh_desc) ?? ''} ${str(e.en_desc) ?? ''}`.trim(), s);
  }
  const payload = res[josResponseKey(method)];
  if (!payload || typeof payload !== 'object')
    throw new ConnectorError(
      'BAD_RESPONSE',
      `${method}: neither ${josResponseKey(method)} nor error_response`,
      true,
    );
  return payload as Record<string, unknown>;
}

/** The inner result of a JOS answer with its `apiResult` checked (`success=false` is a failure, never an empty page). */
function josResult(
  api: string,
  payload: Record<string, unknown>,
  key: string,
  s: JdSettings,
): Record<string, unknown> {
  const r = obj(payload[key], `${api}.${key}`);
  const apiResult =
    r.apiResult && typeof r.apiResult === 'object'
      ? (r.apiResult as Record<string, unknown>)
      : 'success' in r
        ? r
        : null;
  if (apiResult && apiResult.success !== true && apiResult.success !== 'true') {
    const code = str(apiResult.numberCode) ?? '?';
    throw josError(
      api,
      code,
      `${str(apiResult.chineseErrCode) ?? ''} ${str(apiResult.englishErrCode) ?? ''}`.trim(),
      s,
    );
  }
  return r;
}

/** Maps one JD `orderInfo` to the canonical order. */
export function mapJdOrder(order: Record<string, unknown>, freightField = 'freightPrice'): ChannelOrder {
  const externalOrderId = checkOrderId(idString(order.orderId, 'orderId'), ORDER_ID, 'JD');
  const platformStatus = str(order.orderState) ?? '';
  const st = STATUS[platformStatus];
  if (!st) throw payloadError(`order ${externalOrderId}: unknown orderState "${platformStatus}"`);
  const modifiedAt = requireBeijing(order.modified, 'modified');
  const placedAt = requireBeijing(order.orderStartTime, 'orderStartTime');
  const paidAt = parseBeijing(order.paymentConfirmTime, 'paymentConfirmTime');
  const items = arr(order.itemInfoList, 'itemInfoList');
  if (items.length === 0) throw payloadError(`order ${externalOrderId}: no itemInfoList`);
  const lines: OrderLineInput[] = [];
  const lineGoods: number[] = [];
  items.forEach((raw, i) => {
    const it = obj(raw, `itemInfoList[${i}]`);
    const skuId = idString(it.skuId, `itemInfoList[${i}].skuId`);
    const qty = Number(str(it.itemTotal));
    if (!Number.isSafeInteger(qty) || qty < 1)
      throw payloadError(`sku ${skuId}: itemTotal "${String(it.itemTotal)}" is not a quantity`);
    const unit = yuanToFen(it.jdPrice, `sku ${skuId}.jdPrice`);
    const channelSku = str(it.outerSkuId) ?? skuId;
    const title = str(it.skuName);
    lines.push({
      externalLineId: skuId,
      channelSku: channelSku.slice(0, 128),
      ...(title ? { title: title.slice(0, 500) } : {}),
      quantity: qty,
      unitPrice: unit,
    });
    lineGoods.push(unit * qty);
  });
  // Coupons per SKU, when JD lists them, are the lines' own shares.
  const perSku = new Map<string, number>();
  for (const [i, raw] of arr(order.couponDetailList, 'couponDetailList').entries()) {
    const c = obj(raw, `couponDetailList[${i}]`);
    const sku = str(c.skuId);
    if (!sku) continue;
    perSku.set(
      sku,
      (perSku.get(sku) ?? 0) + optionalFen(c.couponPrice, `couponDetailList[${i}].couponPrice`),
    );
  }
  const goods = lineGoods.reduce((a, b) => a + b, 0);
  const shippingFee = optionalFen(order[freightField], freightField);
  const total = yuanToFen(order.orderPayment, 'orderPayment');
  const discount = goods + shippingFee - total;
  if (discount < 0)
    throw payloadError(
      `order ${externalOrderId}: payment ${total} fen is more than goods ${goods} + freight ${shippingFee}`,
    );
  const shares = lineDiscounts(
    discount,
    lineGoods,
    perSku.size ? lines.map((l) => perSku.get(l.externalLineId!) ?? 0) : null,
  );
  lines.forEach((l, i) => {
    l.discount = shares[i]!;
  });
  const ci =
    order.consigneeInfo && typeof order.consigneeInfo === 'object'
      ? (order.consigneeInfo as Record<string, unknown>)
      : {};
  const name = str(ci.fullname);
  const phone = str(ci.mobile) ?? str(ci.telephone);
  const full = str(ci.fullAddress);
  const province = str(ci.province);
  const city = str(ci.city);
  const county = str(ci.county);
  const receiverEncrypted = [name, phone, full].some((v) => (v ?? '').includes('*'));
  const receiver = {
    ...(name ? { name: name.slice(0, 100) } : {}),
    ...(phone ? { phone: phone.slice(0, 40) } : {}),
    ...(province ? { province: province.slice(0, 50) } : {}),
    ...(city ? { city: city.slice(0, 50) } : {}),
    ...(county ? { district: county.slice(0, 50) } : {}),
    ...(full ? { detail: full.slice(0, 300) } : {}),
  };
  const shipped = st.tags.includes('shipped') || st.tags.includes('completed');
  const refunds: ChannelOrder['refunds'] =
    platformStatus === 'LOCKED'
      ? [{ externalLineId: null, status: 'requested', refundOnly: !shipped }]
      : platformStatus === 'TRADE_CANCELED' && paidAt
        ? [{ externalLineId: null, status: 'refunded', refundOnly: true }]
        : [];
  const pin = str(order.pin);
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
      status: st.state,
      currency: 'CNY',
      placedAt: placedAt.toISOString(),
      placedAtRaw: String(order.orderStartTime),
      ...(paidAt ? { paidAt: paidAt.toISOString(), paidAtRaw: String(order.paymentConfirmTime) } : {}),
      ...(pin ? { buyer: { id: pin.slice(0, 128) } } : {}),
      ...(Object.keys(receiver).length ? { receiver } : {}),
      lines,
      shippingFee,
      discount,
      tax: 0,
      total,
      ...(str(order.orderRemark) ? { buyerRemark: str(order.orderRemark)!.slice(0, 1000) } : {}),
      ...(str(order.venderRemark) ? { sellerRemark: str(order.venderRemark)!.slice(0, 1000) } : {}),
      ...(st.tags.length ? { tags: [...st.tags] } : {}),
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

/** The push form (UNCONFIRMED, see docs): JOS-signed query (`app_key`, `timestamp`, `sign`) over the query and the raw body. */
export function signJosPush(query: Record<string, string>, body: string, secret: string): string {
  return md5Upper(secret + sortedConcat(query) + body + secret);
}

export const jdConnector: Connector = {
  platform: 'jd',
  defaultBaseUrl: 'https://api.jd.com/routerjson',
  stockBatchSize: 1,
  maxWindowMs: MAX_WINDOW_MS,

  checkSettings(settings) {
    jdSettings({ settings });
  },

  checkCredentials(input) {
    checkCnCredentials(input, { appKey: 'the app key', accessToken: 'the access token' });
  },

  async pullOrders(ctx, window, page): Promise<PulledPage> {
    checkWindow(window.from, window.to);
    const s = jdSettings(ctx);
    const api = 'jingdong.pop.order.search';
    const examples: unknown[] = [];
    const { items, next } = await pageBackwards(page, s.pageSize, async (p) => {
      const payload = await callJos(ctx, api, {
        start_date: formatBeijing(window.from),
        end_date: formatBeijing(window.to),
        order_state: s.orderStates,
        optional_fields: s.optionalFields,
        page: String(p),
        page_size: String(s.pageSize),
        dateType: s.dateType,
        ...(s.sortType !== null ? { sortType: s.sortType } : {}),
      });
      examples.push(payload);
      const r = josResult(api, payload, 'searchorderinfo_result', s);
      const total = Number(str(r.orderTotal) ?? Number.NaN);
      if (!Number.isSafeInteger(total) || total < 0)
        throw new ConnectorError('BAD_RESPONSE', `${api}: orderTotal missing`, true);
      return { total, items: arr(r.orderInfoList, 'orderInfoList') };
    });
    const { orders, rejected } = mapOrders(items, (o, i) =>
      mapJdOrder(obj(o, `orderInfoList[${i}]`), s.freightField),
    );
    return { orders, rejected, next, shapes: shapeSample(api, examples) };
  },

  async fetchOrder(ctx, externalOrderId) {
    checkOrderId(externalOrderId, ORDER_ID, 'JD');
    const s = jdSettings(ctx);
    const api = 'jingdong.pop.order.get';
    const payload = await callJos(ctx, api, {
      order_id: externalOrderId,
      optional_fields: s.optionalFields,
      order_state: s.orderStates,
    });
    const r = josResult(api, payload, 'orderDetailInfo', s);
    return r.orderInfo && typeof r.orderInfo === 'object'
      ? mapJdOrder(r.orderInfo as Record<string, unknown>, s.freightField)
      : null;
  },

  verifyPush(push, ctx): PushVerification {
    const s = jdSettings(ctx);
    const secret = ctx.credentials.appSecret;
    if (!secret) return { ok: false, reason: 'SIGNATURE_INVALID', message: 'the account has no app secret' };
    const query = pushParams(push, ['app_key', 'timestamp', 'sign'], 'x-jos-');
    if (!query.sign) return { ok: false, reason: 'SIGNATURE_INVALID', message: 'no sign parameter' };
    if (ctx.credentials.appKey && query.app_key !== ctx.credentials.appKey)
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'app_key is not this account’s' };
    const body = push.body.toString('utf8');
    if (!sameSignature(signJosPush(query, body, secret), query.sign))
      return { ok: false, reason: 'SIGNATURE_INVALID', message: 'JOS signature does not match' };
    let ts: Date | null = null;
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
    try {
      msg = obj(parseJsonExact(body), 'message');
    } catch (e) {
      return { ok: false, reason: 'MALFORMED', message: `not a JD message: ${(e as Error).message}` };
    }
    const id = str(msg.id);
    const topic = str(msg.topic);
    const orderId = str(msg.orderId);
    if (!id || !topic) return { ok: false, reason: 'MALFORMED', message: 'message id or topic missing' };
    if (orderId !== undefined && !ORDER_ID.test(orderId))
      return {
        ok: false,
        reason: 'MALFORMED',
        message: `orderId "${orderId.slice(0, 40)}" is not a JD order id`,
      };
    return { ok: true, messageId: id, topic, orderIds: orderId ? [orderId] : [], orders: [] };
  },

  ackPush(ok, message): PushAck {
    return ok
      ? { status: 200, contentType: 'application/json', body: '{"code":0,"msg":"success"}' }
      : {
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ code: 1, msg: message ?? 'rejected' }),
        };
  },

  async pushStock(ctx, items): Promise<StockPushResult[]> {
    const s = jdSettings(ctx);
    const out: StockPushResult[] = [];
    for (const item of items) {
      try {
        if (!Number.isSafeInteger(item.quantity) || item.quantity < 0)
          throw payloadError('quantity must be a whole number ≥ 0');
        const found = await callJos(ctx, 'jingdong.sku.read.searchSkuList', {
          outerId: item.channelSku,
          field: 'skuId,outerId,wareId',
        });
        const page =
          found.page && typeof found.page === 'object' ? (found.page as Record<string, unknown>) : {};
        const sku = arr(page.data, 'page.data')
          .map((x) => obj(x, 'sku'))
          .find((x) => str(x.outerId) === item.channelSku);
        if (!sku) {
          out.push({
            channelSku: item.channelSku,
            ok: false,
            error: 'no JD SKU has this merchant code',
            retryable: false,
          });
          continue;
        }
        const res = await callJos(ctx, 'jingdong.stock.write.updateSkuStock', {
          skuId: idString(sku.skuId, 'skuId'),
          stockNum: item.quantity,
        });
        if (res.success !== true && res.success !== 'true') {
          const code = str(res.resultCode) ?? '?';
          throw josError(
            'jingdong.stock.write.updateSkuStock',
            code,
            str(res.resultMessage) ?? 'not accepted',
            s,
          );
        }
        out.push({ channelSku: item.channelSku, ok: true, error: null, retryable: false });
      } catch (e) {
        if (!(e instanceof ConnectorError) || e.authExpired) throw e;
        out.push({ channelSku: item.channelSku, ok: false, error: e.message, retryable: e.retryable });
      }
    }
    return out;
  },

  async confirmShipment(ctx, input) {
    checkOrderId(input.externalOrderId, ORDER_ID, 'JD');
    const s = jdSettings(ctx);
    const api = 'jingdong.pop.order.shipment';
    const payload = await callJos(ctx, api, {
      orderId: input.externalOrderId,
      logiCoprId: s.carrierIds[input.carrierCode] ?? input.carrierCode,
      logiNo: input.waybillNo,
    });
    josResult(api, payload, 'sopjosshipment_result', s);
  },

  authorisation(ctx) {
    return cnAuthorisation(ctx);
  },
};
