/**
 * JD Open Platform (JOS) simulator: the `/routerjson` gateway, MD5 signature over exactly the
 * received parameters (minus `sign`) wrapped in the secret, business parameters parsed from
 * `360buy_param_json`, `error_response {code, zh_desc, en_desc}` and the `…_responce` spelling,
 * `jingdong.pop.order.search` windowed by modified time (newest first) with `optional_fields`
 * projection and "0001-01-01 00:00:00" sentinel dates, order get, stock, shipment, signed pushes.
 * Error codes are settings (the digest leaves JD's codes UNCONFIRMED).
 */
import {
  CATALOGUE,
  type ChangeKind,
  type CnOrder,
  CnOrderStore,
  cnSimControls,
  createFaults,
  type Faults,
  beijing as jdTime,
  md5Wrapped,
  PushQueue,
  parseBeijingSim,
  paymentFen,
  pushCarrier,
  RateLimiter,
  requestParams,
  type SimResponse,
  sortedPairs,
  startHttp,
  yuan,
} from '../cn-orders.ts';

export interface JdSimulatorOptions {
  port?: number;
  appKey?: string;
  appSecret?: string;
  accessToken?: string;
  now?: () => Date;
  seed?: number;
  pushUrl?: string;
  /** Where pushes carry their signing parameters (our relay form; default headers). */
  pushSignatureIn?: 'header' | 'query';
  /** Accepted clock difference of `timestamp` (UNCONFIRMED; default 10 min). */
  timestampSkewMs?: number;
  /** Receiver name, phone and address masked with `*` (default true). */
  privacy?: boolean;
  /** Largest window `jingdong.pop.order.search` accepts (UNCONFIRMED; default 1 day). */
  maxWindowMs?: number;
  /** Largest `page_size` (UNCONFIRMED; default 100). */
  maxPageSize?: number;
  /** The `dateType` value that selects modified time (UNCONFIRMED; default "0"); any other filters by creation. */
  modifiedDateType?: string;
  /** Error codes (UNCONFIRMED): the defaults match the connector's. */
  codes?: Partial<typeof DEFAULT_CODES>;
  tokenExpiresAt?: Date;
  /** Calls per second before the platform's rate-limit code (default: unlimited; `faults.rateLimit` changes it). */
  rateLimitPerSecond?: number;
}

const DEFAULT_CODES = {
  signature: '14',
  auth: '19',
  rateLimit: '45',
  busy: '66',
  timestamp: '9',
  appKey: '12',
  param: '2',
  method: '3',
};

export function josSign(params: Record<string, string>, secret: string): string {
  return md5Wrapped(secret, sortedPairs(params));
}

const STATUS: Record<CnOrder['status'], string> = {
  unpaid: 'WAIT_BUYER_PAY',
  paid: 'WAIT_SELLER_STOCK_OUT',
  shipped: 'WAIT_GOODS_RECEIVE_CONFIRM',
  completed: 'FINISHED_L',
  cancelled: 'TRADE_CANCELED',
  refunded_closed: 'TRADE_CANCELED',
};

const TOPIC: Record<ChangeKind, string> = {
  created: 'jos_order_create',
  paid: 'jos_order_pay',
  shipped: 'jos_order_out_stock',
  completed: 'jos_order_finish',
  cancelled: 'jos_order_cancel',
  address: 'jos_order_address_change',
  refund: 'jos_order_after_sale',
  memo: 'jos_order_remark',
  changed: 'jos_order_change',
};

const SENTINEL = '0001-01-01 00:00:00';

export async function startJdSimulator(opts: JdSimulatorOptions = {}) {
  const appKey = opts.appKey ?? 'fake-jd-appkey';
  const appSecret = opts.appSecret ?? 'fake-jd-secret';
  const token = opts.accessToken ?? 'fake-jd-token';
  const skew = opts.timestampSkewMs ?? 10 * 60_000;
  const privacy = opts.privacy ?? true;
  const codes = { ...DEFAULT_CODES, ...opts.codes };
  const maxWindow = opts.maxWindowMs ?? 86_400_000;
  const maxPage = opts.maxPageSize ?? 100;
  const modifiedDateType = opts.modifiedDateType ?? '0';
  const faults: Faults = createFaults();
  const queue = new PushQueue(opts.pushUrl, faults);
  const limiter = new RateLimiter(faults);
  const glued = new Map<number, string>();
  const stock = new Map<string, number>(CATALOGUE.map((c) => [c.code, 100]));
  const calls: string[] = [];
  if (opts.rateLimitPerSecond) faults.rateLimit(opts.rateLimitPerSecond);
  let messageSeq = 90_000_000;
  const venderId = 10_086_001;

  const idOf = (seq: number) => String(280_000_000_000 + seq * 7);
  const seqOf = (id: string) => {
    const d = Number(id) - 280_000_000_000;
    return Number.isSafeInteger(d) && d > 0 && d % 7 === 0 ? d / 7 : -1;
  };
  const skuIdOf = (code: string) =>
    String(100_012_000_000 + CATALOGUE.findIndex((c) => c.code === code) * 11);

  const store: CnOrderStore = new CnOrderStore(
    opts.seed ?? 1,
    opts.now ?? (() => new Date()),
    faults,
    (o, kind) => {
      const body = JSON.stringify({
        id: String(++messageSeq),
        topic: TOPIC[kind],
        orderId: idOf(o.seq),
        venderId,
        orderState: stateOf(o),
        modified: jdTime(o.modifiedAt),
      });
      const query: Record<string, string> = { app_key: appKey, timestamp: jdTime(store.now()) };
      query.sign = md5Wrapped(appSecret, sortedPairs(query) + body);
      queue.enqueue({ ...pushCarrier(query, 'x-jos-', opts.pushSignatureIn), body });
    },
  );

  const stateOf = (o: CnOrder) =>
    o.status === 'paid' && o.lines.some((l) => l.refund?.status === 'requested')
      ? 'LOCKED'
      : STATUS[o.status];

  const mask = (s: string, keep: number) =>
    `${s.slice(0, keep)}${'*'.repeat(Math.max(1, Math.min(4, s.length - keep)))}`;

  /** The order in the platform's shape, with any fields the `extraField` fault adds. */
  const render = (o: CnOrder): Record<string, unknown> => ({ ...renderBase(o), ...faults.state.extraFields });

  function renderBase(o: CnOrder): Record<string, unknown> {
    const r = o.receiver;
    const goods = o.lines.reduce((a, l) => a + l.unitFen * l.qty, 0);
    const full = `${r.province}${r.city}${r.district}${r.detail}`;
    return {
      orderId: idOf(o.seq) + (glued.get(o.seq) ?? ''),
      ...(glued.has(o.seq) ? { order_id_suffix: glued.get(o.seq) } : {}),
      venderId: String(venderId),
      orderType: '22',
      payType: '4-在线支付',
      orderState: stateOf(o),
      orderStateRemark: stateOf(o) === 'WAIT_SELLER_STOCK_OUT' ? '等待出库' : '',
      orderTotalPrice: yuan(goods),
      orderSellerPrice: yuan(goods - o.couponFen),
      orderPayment: yuan(paymentFen(o)),
      sellerDiscount: yuan(o.couponFen),
      freightPrice: yuan(o.shippingFen),
      orderStartTime: jdTime(o.createdAt),
      paymentConfirmTime: o.paidAt ? jdTime(o.paidAt) : SENTINEL,
      orderEndTime: o.endedAt ? jdTime(o.endedAt) : SENTINEL,
      modified: jdTime(o.modifiedAt),
      orderRemark: o.buyerMemo,
      venderRemark: o.sellerMemo,
      pin: o.buyerId,
      consigneeInfo: {
        fullname: privacy ? mask(r.name, 1) : r.name,
        mobile: privacy ? `${r.phone.slice(0, 3)}****${r.phone.slice(7)}` : r.phone,
        telephone: '',
        fullAddress: privacy ? `${r.province}${r.city}${r.district}${mask(r.detail, 4)}` : full,
        province: r.province,
        city: r.city,
        county: r.district,
        town: r.town,
      },
      itemInfoList: o.lines.map((l) => ({
        skuId: skuIdOf(l.skuCode),
        outerSkuId: store.skuCode(l),
        skuName: `${l.title} ${l.spec}`,
        jdPrice: yuan(l.unitFen),
        itemTotal: String(l.qty),
        wareId: String(Number(skuIdOf(l.skuCode)) - 5),
        productNo: l.skuCode,
      })),
      couponDetailList: o.lines
        .filter((l) => l.discountFen > 0)
        .map((l) => ({
          orderId: idOf(o.seq),
          skuId: skuIdOf(l.skuCode),
          couponType: '20-套装优惠',
          couponPrice: yuan(l.discountFen),
        })),
      ...(o.shipment ? { waybill: o.shipment.waybillNo, logisticsId: o.shipment.carrier } : {}),
    };
  }

  const project = (o: Record<string, unknown>, fields: string | undefined) => {
    if (!fields) return o;
    const want = new Set(fields.split(',').map((f) => f.trim()));
    return Object.fromEntries(Object.entries(o).filter(([k]) => want.has(k) || k === 'order_id_suffix'));
  };

  const err = (code: string, zh: string, en: string): SimResponse => ({
    status: 200,
    body: JSON.stringify({ error_response: { code, zh_desc: zh, en_desc: en } }),
  });
  const ok = (method: string, payload: Record<string, unknown>): SimResponse => ({
    status: 200,
    body: JSON.stringify({ [`${method.replace(/\./g, '_')}_responce`]: { code: '0', ...payload } }),
  });
  const success = { success: true, chineseErrCode: '成功', englishErrCode: 'success', numberCode: 10100000 };

  const METHODS = new Set([
    'jingdong.pop.order.search',
    'jingdong.pop.order.get',
    'jingdong.sku.read.searchSkuList',
    'jingdong.stock.write.updateSkuStock',
    'jingdong.pop.order.shipment',
  ]);

  const http = await startHttp(
    opts.port ?? 0,
    faults,
    (req) => {
      if (req.path !== '/routerjson')
        return { status: 404, body: '{"error_response":{"code":"3","zh_desc":"无效的请求路径"}}' };
      const p = requestParams(req);
      if (!p.method || !METHODS.has(p.method)) return err(codes.method, '无效的API方法名', 'Invalid method');
      if (p.app_key !== appKey) return err(codes.appKey, '无效的app_key', 'Invalid app_key');
      if (!p.sign || josSign(p, appSecret) !== p.sign.toUpperCase())
        return err(codes.signature, '签名无效', 'Invalid signature');
      const ts = parseBeijingSim((p.timestamp ?? '').replace(/\.\d{3}\+0800$/, ''));
      if (!ts || Math.abs(ts.getTime() - store.now().getTime()) > skew)
        return err(codes.timestamp, '时间戳错误，与服务器时间相差过大', 'Invalid timestamp');
      if (
        p.access_token !== token ||
        faults.state.tokenExpired ||
        (opts.tokenExpiresAt && store.now() >= opts.tokenExpiresAt)
      )
        return err(codes.auth, 'token已过期或者不存在，请重新授权访问', 'access_token is expired or invalid');
      if (limiter.hit(appKey, Date.now()) > 0)
        return err(codes.rateLimit, '调用次数超出限制', 'Call limit exceeded');
      let b: Record<string, unknown>;
      try {
        b = JSON.parse(p['360buy_param_json'] ?? '') as Record<string, unknown>;
        if (!b || typeof b !== 'object') throw new Error('not an object');
      } catch {
        return err(codes.param, '360buy_param_json 不是合法的JSON', 'Invalid 360buy_param_json');
      }
      calls.push(p.method);
      const s = (k: string) => (b[k] === undefined || b[k] === null ? undefined : String(b[k]));
      switch (p.method) {
        case 'jingdong.pop.order.search': {
          const from = parseBeijingSim(s('start_date'));
          const to = parseBeijingSim(s('end_date'));
          if (!from || !to || to < from || to.getTime() - from.getTime() > maxWindow)
            return err(codes.param, 'start_date/end_date 不合法', 'Invalid start_date/end_date');
          const page = Number(s('page') ?? '1');
          const size = Number(s('page_size') ?? '20');
          if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1 || size > maxPage)
            return err(codes.param, 'page/page_size 不合法', 'Invalid page/page_size');
          const states = new Set((s('order_state') ?? '').split(',').filter(Boolean));
          const byModified = (s('dateType') ?? modifiedDateType) === modifiedDateType;
          const rows = (
            byModified
              ? store.window(from, to)
              : store
                  .list()
                  .filter((o) => o.createdAt >= from && o.createdAt <= to)
                  .sort((a, b2) => b2.createdAt.getTime() - a.createdAt.getTime())
          ).filter((o) => o.status !== 'unpaid' && (states.size === 0 || states.has(stateOf(o))));
          const slice = rows.slice((page - 1) * size, page * size);
          const out = ok(p.method, {
            searchorderinfo_result: {
              apiResult: success,
              orderTotal: rows.length,
              orderInfoList: slice.map((o) => project(render(o), s('optional_fields'))),
            },
          });
          store.shiftAfterPage(rows, page, size);
          return out;
        }
        case 'jingdong.pop.order.get': {
          const o = store.orders.get(seqOf(s('order_id') ?? ''));
          return ok(p.method, {
            orderDetailInfo: {
              apiResult: success,
              ...(o && o.status !== 'unpaid' ? { orderInfo: project(render(o), s('optional_fields')) } : {}),
            },
          });
        }
        case 'jingdong.sku.read.searchSkuList': {
          const c = CATALOGUE.find((x) => x.code === s('outerId'));
          return ok(p.method, {
            page: {
              data: c
                ? [{ skuId: Number(skuIdOf(c.code)), outerId: c.code, wareId: Number(skuIdOf(c.code)) - 5 }]
                : [],
              totalItem: c ? 1 : 0,
            },
          });
        }
        case 'jingdong.stock.write.updateSkuStock': {
          const c = CATALOGUE.find((x) => skuIdOf(x.code) === s('skuId'));
          const q = Number(s('stockNum'));
          if (!c || !Number.isInteger(q) || q < 0)
            return ok(p.method, { success: false, resultCode: '1', resultMessage: 'SKU不存在或库存不合法' });
          stock.set(c.code, q);
          return ok(p.method, { success: true });
        }
        case 'jingdong.pop.order.shipment': {
          const o = store.orders.get(seqOf(s('orderId') ?? ''));
          if (!o || stateOf(o) !== 'WAIT_SELLER_STOCK_OUT' || !s('logiNo') || !s('logiCoprId'))
            return ok(p.method, {
              sopjosshipment_result: {
                success: false,
                chineseErrCode: '订单状态不正确或参数错误',
                englishErrCode: 'order state error',
                numberCode: 10400001,
              },
            });
          store.ship(o.seq, s('logiCoprId')!, s('logiNo')!);
          return ok(p.method, { sopjosshipment_result: success });
        }
      }
      return err(codes.method, '无效的API方法名', 'Invalid method');
    },
    () =>
      JSON.stringify({
        error_response: { code: codes.busy, zh_desc: '系统繁忙，请稍后重试', en_desc: 'System busy' },
      }),
  );

  return {
    url: `${http.url}/routerjson`,
    credentials: {
      appKey,
      appSecret,
      accessToken: token,
      ...(opts.tokenExpiresAt ? { accessTokenExpiresAt: opts.tokenExpiresAt.toISOString() } : {}),
    },
    faults,
    calls,
    ...cnSimControls({ store, queue, stock, glued, idOf, seqOf, render, close: () => http.close() }),
  };
}

export type JdSimulator = Awaited<ReturnType<typeof startJdSimulator>>;
