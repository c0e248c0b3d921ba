/**
 * Pinduoduo open platform simulator: the `/api/router` gateway selected by `type`, MD5 signature
 * (client_secret wrapped, upper case) over every received parameter, Unix-seconds timestamps,
 * `error_response` envelopes, `pdd.order.number.list.increment.get` with its 30-minute window,
 * newest first, `pdd.order.information.get` with ciphertext + masked receiver fields, stock,
 * online shipment and signed pushes. Error codes and field names the digest leaves open are options.
 */
import { createHash } from 'node:crypto';
import {
  CATALOGUE,
  type ChangeKind,
  type CnOrder,
  CnOrderStore,
  cnSimControls,
  createFaults,
  type Faults,
  md5Wrapped,
  PushQueue,
  paymentFen,
  beijing as pddTime,
  pushCarrier,
  RateLimiter,
  requestParams,
  type SimResponse,
  sortedPairs,
  startHttp,
  yuan,
} from '../cn-orders.ts';

export interface PinduoduoSimulatorOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Same as `clientId` (the name the other simulators use). */
  appKey?: string;
  /** Same as `clientSecret`. */
  appSecret?: string;
  accessToken?: string;
  now?: () => Date;
  seed?: number;
  pushUrl?: string;
  /** Where pushes carry their signing parameters (our relay form; default headers). */
  pushSignatureIn?: 'header' | 'query';
  /** Accepted clock difference of `timestamp` (default 10 min). */
  timestampSkewMs?: number;
  /** Receiver fields as platform ciphertext with `*_mask` copies (default true; UNCONFIRMED format `~base64~`). */
  privacy?: boolean;
  /** Amounts as JSON numbers instead of strings (UNCONFIRMED; default false). */
  amountsAsNumbers?: boolean;
  /** Error envelope field names: `error_code`/`error_msg` (default) or `code`/`msg` (UNCONFIRMED). */
  errorFields?: 'error_code' | 'code';
  /** Error codes (UNCONFIRMED); the defaults match the connector's. */
  codes?: Partial<typeof DEFAULT_CODES>;
  tokenExpiresAt?: Date;
  /** Calls per second before the platform's rate-limit code (default: unlimited; `faults.rateLimit` changes it). */
  rateLimitPerSecond?: number;
}

const DEFAULT_CODES = {
  signature: '10016',
  auth: '10019',
  rateLimit: '70031',
  busy: '70001',
  timestamp: '10036',
  clientId: '10017',
  param: '10000',
  type: '10001',
};

export function pddSign(params: Record<string, string>, secret: string): string {
  return md5Wrapped(secret, sortedPairs(params));
}

const TOPIC: Record<ChangeKind, string> = {
  created: 'pdd_trade_TradeConfirmed',
  paid: 'pdd_trade_TradeConfirmed',
  shipped: 'pdd_trade_TradeSellerShip',
  completed: 'pdd_trade_TradeSuccess',
  cancelled: 'pdd_trade_TradeClose',
  address: 'pdd_trade_TradeLogisticsAddressChanged',
  refund: 'pdd_refund_RefundCreated',
  memo: 'pdd_trade_TradeMemoModified',
  changed: 'pdd_trade_TradeModified',
};

const MALL_ID = 51_000_001;

export async function startPinduoduoSimulator(opts: PinduoduoSimulatorOptions = {}) {
  const clientId = opts.clientId ?? opts.appKey ?? 'fake-client-id';
  const secret = opts.clientSecret ?? opts.appSecret ?? 'fake-secret';
  const token = opts.accessToken ?? 'fake-token';
  const skew = opts.timestampSkewMs ?? 10 * 60_000;
  const privacy = opts.privacy ?? true;
  const codes = { ...DEFAULT_CODES, ...opts.codes };
  const faults: Faults = createFaults();
  const queue = new PushQueue(opts.pushUrl, faults);
  const limiter = new RateLimiter(faults);
  const glued = new Map<number, string>();
  const stock = new Map<string, number>(CATALOGUE.map((c) => [c.code, 100]));
  const calls: string[] = [];
  if (opts.rateLimitPerSecond) faults.rateLimit(opts.rateLimitPerSecond);
  let messageSeq = 300_000_000;

  const snTail = (seq: number) => String(100_000_000_000_000 + seq * 13);
  const seqOf = (sn: string) => {
    const m = /^\d{6}-(\d{15})$/.exec(sn);
    if (!m) return -1;
    const d = Number(m[1]) - 100_000_000_000_000;
    const seq = d > 0 && d % 13 === 0 ? d / 13 : -1;
    return seq > 0 && store.orders.has(seq) && idOf(seq) === sn ? seq : -1;
  };
  const idOf = (seq: number) =>
    `${pddTime(store.get(seq).createdAt).slice(2, 10).replace(/-/g, '')}-${snTail(seq)}`;
  const goodsIdOf = (code: string) =>
    String(330_000_000_000 + CATALOGUE.findIndex((c) => c.code === code) * 100);
  const skuIdOf = (code: string) =>
    String(1_200_000_000_000 + CATALOGUE.findIndex((c) => c.code === code) * 100 + 1);

  const store: CnOrderStore = new CnOrderStore(
    opts.seed ?? 1,
    opts.now ?? (() => new Date()),
    faults,
    (o, kind) => {
      const sn = idOf(o.seq);
      const body = JSON.stringify({
        id: String(++messageSeq),
        type: TOPIC[kind],
        mall_id: MALL_ID,
        content: JSON.stringify({ tid: sn, mall_id: MALL_ID }),
        time: o.modifiedAt.getTime(),
      });
      const query: Record<string, string> = {
        client_id: clientId,
        timestamp: String(Math.floor(store.now().getTime() / 1000)),
      };
      query.sign = md5Wrapped(secret, sortedPairs(query) + body);
      queue.enqueue({ ...pushCarrier(query, 'x-pdd-', opts.pushSignatureIn), body });
    },
  );

  const amount = (fen: number) => (opts.amountsAsNumbers ? Number(yuan(fen)) : yuan(fen));
  const cipherOf = (o: CnOrder, what: string, plain: string) =>
    `~${createHash('sha256').update(`${secret}|${o.seq}|${what}|${plain}`).digest('base64')}~`;
  const maskPhone = (p: string) => `${p.slice(0, 3)}****${p.slice(7)}`;

  const statuses = (o: CnOrder) => {
    const requested = o.lines.some((l) => l.refund?.status === 'requested');
    const allRefunded = o.lines.every((l) => l.refund?.status === 'refunded');
    return {
      order_status: o.status === 'shipped' ? 2 : o.status === 'completed' ? 3 : 1,
      refund_status: requested ? 2 : allRefunded ? 4 : 1,
      confirm_status: o.status === 'cancelled' ? 2 : o.status === 'unpaid' ? 0 : 1,
      group_status: 1,
      risk_control_status: 0,
      after_sales_status: requested ? 2 : allRefunded ? 5 : 0,
    };
  };

  /** The order in the platform's shape, with any fields the `extraField` fault adds. */
  const render = (o: CnOrder): Record<string, unknown> => ({ ...renderBase(o), ...faults.state.extraFields });

  function renderBase(o: CnOrder): Record<string, unknown> {
    const r = o.receiver;
    const st = statuses(o);
    const goods = o.lines.reduce((a, l) => a + l.unitFen * l.qty, 0);
    const full = `${r.province}${r.city}${r.district}${r.detail}`;
    const receiver = privacy
      ? {
          receiver_name: cipherOf(o, 'name', r.name),
          receiver_name_mask: `${r.name.slice(0, 1)}*`,
          receiver_phone: cipherOf(o, 'phone', r.phone),
          receiver_phone_mask: maskPhone(r.phone),
          address: cipherOf(o, 'address', full),
          address_mask: `${r.province}${r.city}${r.district}${r.detail.slice(0, 4)}****`,
          receiver_address: cipherOf(o, 'detail', r.detail),
          receiver_address_mask: `${r.detail.slice(0, 4)}****`,
        }
      : {
          receiver_name: r.name,
          // Plaintext only while waiting to ship; masked afterwards (digest A3).
          receiver_phone: st.order_status === 1 ? r.phone : maskPhone(r.phone),
          address: full,
          receiver_address: r.detail,
        };
    return {
      order_sn: idOf(o.seq) + (glued.get(o.seq) ?? ''),
      ...(glued.has(o.seq) ? { order_id_suffix: glued.get(o.seq) } : {}),
      ...st,
      is_pre_sale: 0,
      created_time: pddTime(o.createdAt),
      ...(o.paidAt ? { confirm_time: pddTime(o.paidAt), pay_time: pddTime(o.paidAt) } : {}),
      ...(o.shippedAt ? { shipping_time: pddTime(o.shippedAt) } : {}),
      ...(o.status === 'completed' && o.endedAt ? { receive_time: pddTime(o.endedAt) } : {}),
      last_ship_time: pddTime(new Date(o.createdAt.getTime() + 48 * 3600_000)),
      updated_at: pddTime(o.modifiedAt),
      pay_amount: amount(paymentFen(o)),
      goods_amount: amount(goods),
      discount_amount: amount(o.couponFen),
      seller_discount: amount(o.couponFen),
      platform_discount: amount(0),
      capital_free_discount: amount(0),
      postage: amount(o.shippingFen),
      country: '中国',
      province: r.province,
      city: r.city,
      town: r.district,
      province_id: 30,
      city_id: 377,
      town_id: 3240,
      ...receiver,
      buyer_memo: o.buyerMemo,
      remark: o.sellerMemo,
      ...(o.shipment
        ? { logistics_id: Number(o.shipment.carrier) || 0, tracking_number: o.shipment.waybillNo }
        : {}),
      item_list: o.lines.map((l) => ({
        goods_id: Number(goodsIdOf(l.skuCode)),
        sku_id: Number(skuIdOf(l.skuCode)),
        outer_id: store.skuCode(l),
        outer_goods_id: l.skuCode.split('-')[0],
        goods_name: l.title,
        goods_spec: l.spec,
        goods_price: amount(l.unitFen),
        goods_count: l.qty,
      })),
    };
  }

  const err = (code: string, msg: string, sub?: string): SimResponse => ({
    status: 200,
    body: JSON.stringify({
      error_response:
        opts.errorFields === 'code'
          ? { code: Number(code), msg, ...(sub ? { sub_msg: sub } : {}), request_id: String(Date.now()) }
          : {
              error_code: Number(code),
              error_msg: msg,
              ...(sub ? { sub_code: code, sub_msg: sub } : {}),
              request_id: String(Date.now()),
            },
    }),
  });
  const RESPONSE: Record<string, string> = {
    'pdd.order.number.list.increment.get': 'order_sn_increment_get_response',
    'pdd.order.information.get': 'order_info_get_response',
    'pdd.goods.list.get': 'goods_list_get_response',
    'pdd.goods.quantity.update': 'goods_quantity_update_response',
    'pdd.logistics.online.send': 'logistics_online_send_response',
  };
  const ok = (type: string, payload: Record<string, unknown>): SimResponse => ({
    status: 200,
    body: JSON.stringify({ [RESPONSE[type]!]: { ...payload, request_id: String(Date.now()) } }),
  });

  const http = await startHttp(
    opts.port ?? 0,
    faults,
    (req) => {
      if (req.path !== '/api/router')
        return { status: 404, body: '{"error_response":{"error_code":10001,"error_msg":"not found"}}' };
      const p = requestParams(req);
      if (!p.type || !RESPONSE[p.type]) return err(codes.type, '接口不存在');
      if (p.client_id !== clientId) return err(codes.clientId, 'client_id 不存在');
      if (!p.sign || pddSign(p, secret) !== p.sign.toUpperCase())
        return err(codes.signature, '签名错误', '签名校验失败');
      const ts = /^\d{9,11}$/.test(p.timestamp ?? '') ? Number(p.timestamp) * 1000 : Number.NaN;
      if (!Number.isFinite(ts) || Math.abs(ts - store.now().getTime()) > skew)
        return err(codes.timestamp, 'timestamp 已过期');
      if (
        p.access_token !== token ||
        faults.state.tokenExpired ||
        (opts.tokenExpiresAt && store.now() >= opts.tokenExpiresAt)
      )
        return err(codes.auth, 'access_token已过期');
      if (limiter.hit(clientId, Date.now()) > 0) return err(codes.rateLimit, '调用过于频繁，请调整调用频率');
      calls.push(p.type);
      switch (p.type) {
        case 'pdd.order.number.list.increment.get': {
          const from = Number(p.start_updated_at);
          const to = Number(p.end_updated_at);
          if (!Number.isInteger(from) || !Number.isInteger(to) || to < from || to - from > 30 * 60)
            return err(codes.param, '参数错误', 'start_updated_at/end_updated_at 时间间隔不能超过30分钟');
          const page = Number(p.page ?? '1');
          const size = Number(p.page_size ?? '100');
          if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1 || size > 100)
            return err(codes.param, '参数错误', 'page/page_size');
          const rows = store
            .window(new Date(from * 1000), new Date(to * 1000 + 999))
            .filter((o) => o.status !== 'unpaid');
          const slice = rows.slice((page - 1) * size, page * size);
          const out = ok(p.type, {
            total_count: rows.length,
            has_next: rows.length > page * size,
            order_sn_list: slice.map(render),
          });
          store.shiftAfterPage(rows, page, size);
          return out;
        }
        case 'pdd.order.information.get': {
          const seq = seqOf(p.order_sn ?? '');
          const o = seq > 0 ? store.orders.get(seq) : undefined;
          return ok(p.type, o ? { order_info: render(o) } : {});
        }
        case 'pdd.goods.list.get': {
          const c = CATALOGUE.find((x) => x.code === p.outer_id);
          return ok(p.type, {
            total_count: c ? 1 : 0,
            goods_list: c
              ? [
                  {
                    goods_id: Number(goodsIdOf(c.code)),
                    goods_name: c.title,
                    sku_list: [
                      {
                        sku_id: Number(skuIdOf(c.code)),
                        outer_id: c.code,
                        sku_quantity: stock.get(c.code) ?? 0,
                        spec: c.spec,
                      },
                    ],
                  },
                ]
              : [],
          });
        }
        case 'pdd.goods.quantity.update': {
          const c = CATALOGUE.find(
            (x) => goodsIdOf(x.code) === p.goods_id && (!p.sku_id || skuIdOf(x.code) === p.sku_id),
          );
          const q = Number(p.quantity);
          if (!c || !Number.isInteger(q) || q < 0) return err(codes.param, '参数错误', '商品或SKU不存在');
          stock.set(c.code, p.update_type === '2' ? (stock.get(c.code) ?? 0) + q : q);
          return ok(p.type, { is_success: true });
        }
        case 'pdd.logistics.online.send': {
          const seq = seqOf(p.order_sn ?? '');
          const o = seq > 0 ? store.orders.get(seq) : undefined;
          if (!o || !p.logistics_id || !p.tracking_number)
            return err(codes.param, '参数错误', 'order_sn/logistics_id/tracking_number');
          const st = statuses(o);
          if (o.status !== 'paid' || st.refund_status !== 1)
            return err('50000', '业务服务错误', '订单状态不可发货');
          store.ship(o.seq, p.logistics_id, p.tracking_number);
          return ok(p.type, { is_success: true });
        }
      }
      return err(codes.type, '接口不存在');
    },
    () =>
      JSON.stringify({
        error_response:
          opts.errorFields === 'code'
            ? { code: Number(codes.busy), msg: '系统繁忙' }
            : {
                error_code: Number(codes.busy),
                error_msg: '系统繁忙，请稍后重试',
                request_id: String(Date.now()),
              },
      }),
  );

  return {
    url: `${http.url}/api/router`,
    credentials: {
      appKey: clientId,
      appSecret: secret,
      accessToken: token,
      ...(opts.tokenExpiresAt ? { accessTokenExpiresAt: opts.tokenExpiresAt.toISOString() } : {}),
    },
    faults,
    calls,
    ...cnSimControls({ store, queue, stock, glued, idOf, seqOf, render, close: () => http.close() }),
  };
}

export type PinduoduoSimulator = Awaited<ReturnType<typeof startPinduoduoSimulator>>;
