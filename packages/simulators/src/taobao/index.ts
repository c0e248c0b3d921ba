/**
 * Taobao / Tmall Open Platform (TOP) simulator: the `/router/rest` gateway with TOP's signature
 * (md5, hmac, hmac-sha256) checked on every call, `error_response` envelopes with TOP's codes,
 * `taobao.trades.sold.increment.get` sorted by modified time (newest first) and windowed,
 * `taobao.trade.fullinfo.get`, stock (`taobao.skus.custom.get`, `taobao.item.quantity.update`),
 * `taobao.logistics.offline.send`, TMC-style pushes relayed over HTTP and signed TOP's way.
 */
import { createHash, createHmac } from 'node:crypto';
import {
  CATALOGUE,
  type ChangeKind,
  type CnOrder,
  CnOrderStore,
  type CnRefund,
  cnSimControls,
  createFaults,
  type Faults,
  goodsFen,
  jsonWithBigIds,
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
  beijing as tbTime,
  yuan,
} from '../cn-orders.ts';

export interface TaobaoSimulatorOptions {
  port?: number;
  appKey?: string;
  appSecret?: string;
  session?: string;
  /** Same as `session`. */
  accessToken?: string;
  /** The platform's clock (default: the real one). */
  now?: () => Date;
  seed?: number;
  /** Where TMC messages are delivered (can be set later with `setPushUrl`). */
  pushUrl?: string;
  /** Where pushes carry their signing parameters (our relay form; default headers). */
  pushSignatureIn?: 'header' | 'query';
  /** Accepted clock difference of a request's `timestamp` (UNCONFIRMED on the real platform; 10 min cited). */
  timestampSkewMs?: number;
  /** Privacy project on: receiver name/phone/address masked, `oaid` given (default true). */
  privacy?: boolean;
  /** A consumed TMC message not confirmed within this long is delivered again (UNCONFIRMED; default 60 s). */
  tmcRedeliverMs?: number;
  /** Calls per second before TOP's code 7 (default: unlimited; `faults.rateLimit` changes it). */
  rateLimitPerSecond?: number;
  /** When the seller session ends (RFC 3339 in `credentials`). */
  sessionExpiresAt?: Date;
}

const BIG_IDS = ['tid', 'oid'];

export function topSign(params: Record<string, string>, secret: string, method: string, body = ''): string {
  const s = sortedPairs(params) + body;
  if (method === 'md5') return md5Wrapped(secret, s);
  return createHmac(method === 'hmac' ? 'md5' : 'sha256', secret)
    .update(s, 'utf8')
    .digest('hex')
    .toUpperCase();
}

const topErr = (code: number, msg: string, sub_code?: string, sub_msg?: string) =>
  JSON.stringify({
    error_response: {
      code,
      msg,
      ...(sub_code ? { sub_code, sub_msg } : {}),
      request_id: Math.random().toString(36).slice(2, 14),
    },
  });

const TOPIC: Record<ChangeKind, string> = {
  created: 'taobao_trade_TradeCreate',
  paid: 'taobao_trade_TradeBuyerPay',
  shipped: 'taobao_trade_TradeSellerShip',
  completed: 'taobao_trade_TradeSuccess',
  cancelled: 'taobao_trade_TradeClose',
  address: 'taobao_trade_TradeLogisticsAddressChanged',
  refund: 'taobao_refund_RefundCreated',
  memo: 'taobao_trade_TradeMemoModified',
  changed: 'taobao_trade_TradeChanged',
};

const STATUS: Record<CnOrder['status'], string> = {
  unpaid: 'WAIT_BUYER_PAY',
  paid: 'WAIT_SELLER_SEND_GOODS',
  shipped: 'WAIT_BUYER_CONFIRM_GOODS',
  completed: 'TRADE_FINISHED',
  cancelled: 'TRADE_CLOSED_BY_TAOBAO',
  refunded_closed: 'TRADE_CLOSED',
};

function refundStatus(r: CnRefund | null): string {
  if (!r) return 'NO_REFUND';
  if (r.status === 'refunded') return 'SUCCESS';
  if (r.status === 'closed') return 'CLOSED';
  return r.refundOnly ? 'WAIT_SELLER_AGREE' : 'WAIT_BUYER_RETURN_GOODS';
}

export async function startTaobaoSimulator(opts: TaobaoSimulatorOptions = {}) {
  const appKey = opts.appKey ?? '12345678';
  const appSecret = opts.appSecret ?? 'fake-secret';
  const session = opts.session ?? opts.accessToken ?? 'fake-session';
  const skew = opts.timestampSkewMs ?? 10 * 60_000;
  const privacy = opts.privacy ?? true;
  const clock = opts.now ?? (() => new Date());
  const faults: Faults = createFaults();
  const queue = new PushQueue(opts.pushUrl, faults);
  const limiter = new RateLimiter(faults);
  const glued = new Map<number, string>();
  const stock = new Map<string, number>(CATALOGUE.map((c) => [c.code, 100]));
  const calls: string[] = [];
  let messageSeq = 7_000_000_000;
  /** TMC messages for `taobao.tmc.messages.consume`: redelivered until confirmed. */
  const tmc: {
    id: string;
    message: Record<string, unknown>;
    deliveredAt: number | null;
    confirmed: boolean;
  }[] = [];
  const tmcRedeliverMs = opts.tmcRedeliverMs ?? 60_000;
  if (opts.rateLimitPerSecond) faults.rateLimit(opts.rateLimitPerSecond);

  const tidOf = (seq: number) => String(3_900_000_000_000_000_000n + BigInt(seq) * 1_000_003n);
  const seqOf = (tid: string) => {
    try {
      const d = BigInt(tid) - 3_900_000_000_000_000_000n;
      return d > 0n && d % 1_000_003n === 0n ? Number(d / 1_000_003n) : -1;
    } catch {
      return -1;
    }
  };

  const store: CnOrderStore = new CnOrderStore(opts.seed ?? 1, clock, faults, (o, kind) => {
    const tid = tidOf(o.seq);
    const content = JSON.stringify({
      tid: Number(tid) > Number.MAX_SAFE_INTEGER ? tid : Number(tid),
      oid: tid,
      buyer_nick: o.buyerNick,
      seller_nick: '青瓷旗舰店',
      payment: yuan(paymentFen(o)),
      status: STATUS[o.status],
      type: 'fixed',
      modified: tbTime(o.modifiedAt),
    }).replace(/"tid":"(\d+)"/, '"tid":$1');
    const body = JSON.stringify({
      id: String(++messageSeq),
      topic: TOPIC[kind],
      content,
      pub_time: tbTime(store.now()),
      pub_app_key: appKey,
      user_id: 2_200_000_001,
      user_nick: '青瓷旗舰店',
    });
    const query: Record<string, string> = {
      app_key: appKey,
      timestamp: tbTime(store.now()),
      sign_method: 'md5',
    };
    query.sign = topSign(query, appSecret, 'md5', body);
    queue.enqueue({ ...pushCarrier(query, 'x-top-', opts.pushSignatureIn), body });
    const message = JSON.parse(body) as Record<string, unknown>;
    tmc.push({ id: String(message.id), message, deliveredAt: null, confirmed: false });
  });

  const oaidOf = (o: CnOrder) =>
    `1${createHash('sha256').update(`${o.seq}|${o.receiver.name}|${o.receiver.phone}|${o.receiver.detail}`).digest('base64url').slice(0, 39)}`;

  /** The order in the platform's shape, with any fields the `extraField` fault adds. */
  const renderTrade = (o: CnOrder): Record<string, unknown> => ({
    ...renderTradeBase(o),
    ...faults.state.extraFields,
  });

  function renderTradeBase(o: CnOrder): Record<string, unknown> {
    const tid = tidOf(o.seq) + (glued.get(o.seq) ?? '');
    const r = o.receiver;
    const status = STATUS[o.status];
    return {
      tid,
      tid_str: tid,
      ...(glued.has(o.seq) ? { order_id_suffix: glued.get(o.seq) } : {}),
      status,
      type: 'fixed',
      created: tbTime(o.createdAt),
      ...(o.paidAt ? { pay_time: tbTime(o.paidAt) } : {}),
      ...(o.shippedAt ? { consign_time: tbTime(o.shippedAt) } : {}),
      ...(o.endedAt ? { end_time: tbTime(o.endedAt) } : {}),
      modified: tbTime(o.modifiedAt),
      payment: yuan(paymentFen(o)),
      total_fee: yuan(goodsFen(o)),
      post_fee: yuan(o.shippingFen),
      discount_fee: yuan(o.couponFen),
      adjust_fee: '0.00',
      received_payment: o.status === 'completed' ? yuan(paymentFen(o)) : '0.00',
      buyer_nick: o.buyerNick,
      buyer_open_uid: o.buyerId,
      ...(o.buyerMemo ? { buyer_message: o.buyerMemo } : {}),
      ...(o.sellerMemo ? { seller_memo: o.sellerMemo } : {}),
      seller_flag: 0,
      receiver_name: privacy ? `${r.name.slice(0, 1)}**` : r.name,
      receiver_mobile: privacy ? `${r.phone.slice(0, 3)}****${r.phone.slice(7)}` : r.phone,
      receiver_state: r.province,
      receiver_city: r.city,
      receiver_district: r.district,
      receiver_town: r.town,
      receiver_address: privacy ? `${r.detail.slice(0, 4)}****` : r.detail,
      receiver_zip: r.zip,
      ...(privacy ? { oaid: oaidOf(o) } : {}),
      orders: {
        order: o.lines.map((l) => {
          const oid = String(BigInt(tidOf(o.seq)) + BigInt(l.seq));
          const paid = l.unitFen * l.qty - l.discountFen;
          return {
            oid,
            oid_str: oid,
            num_iid: Number(l.itemId),
            sku_id: l.skuId,
            outer_iid: l.skuCode.split('-')[0],
            outer_sku_id: store.skuCode(l),
            title: l.title,
            sku_properties_name: l.spec,
            num: l.qty,
            price: yuan(l.unitFen),
            total_fee: yuan(paid),
            payment: yuan(paid),
            divide_order_fee: yuan(paid),
            discount_fee: yuan(l.discountFen),
            adjust_fee: '0.00',
            status,
            refund_status: refundStatus(l.refund),
            ...(l.refund ? { refund_id: l.refund.id } : {}),
            ...(o.shippedAt ? { consign_time: tbTime(o.shippedAt) } : {}),
            ...(o.shipment
              ? { logistics_company: o.shipment.carrier, invoice_no: o.shipment.waybillNo }
              : {}),
          };
        }),
      },
    };
  }

  const project = (t: Record<string, unknown>, fields: string) => {
    const want = new Set(fields.split(',').map((f) => f.trim().split('.')[0]!));
    return Object.fromEntries(Object.entries(t).filter(([k]) => want.has(k) || k === 'order_id_suffix'));
  };

  const ok = (method: string, payload: Record<string, unknown>): SimResponse => ({
    status: 200,
    body: jsonWithBigIds(
      {
        [`${method.replace(/^taobao\./, '').replace(/\./g, '_')}_response`]: {
          ...payload,
          request_id: Math.random().toString(36).slice(2, 14),
        },
      },
      BIG_IDS,
    ),
  });

  const METHODS = new Set([
    'taobao.trades.sold.increment.get',
    'taobao.trade.fullinfo.get',
    'taobao.skus.custom.get',
    'taobao.item.quantity.update',
    'taobao.logistics.offline.send',
    'taobao.tmc.messages.consume',
    'taobao.tmc.messages.confirm',
  ]);

  const http = await startHttp(
    opts.port ?? 0,
    faults,
    (req) => {
      if (req.path !== '/router/rest') return { status: 404, body: topErr(22, 'Invalid Method') };
      const p = requestParams(req);
      const method = p.method;
      if (!method) return { status: 200, body: topErr(21, 'Missing Method') };
      if (!METHODS.has(method)) return { status: 200, body: topErr(22, 'Invalid Method') };
      if (!p.app_key) return { status: 200, body: topErr(28, 'Missing App Key') };
      if (p.app_key !== appKey) return { status: 200, body: topErr(29, 'Invalid App Key') };
      if (!p.sign) return { status: 200, body: topErr(24, 'Missing Signature') };
      const sm = p.sign_method ?? 'md5';
      if (!['md5', 'hmac', 'hmac-sha256'].includes(sm) || topSign(p, appSecret, sm) !== p.sign.toUpperCase())
        return { status: 200, body: topErr(25, 'Invalid Signature') };
      if (!p.timestamp) return { status: 200, body: topErr(30, 'Missing Timestamp') };
      const ts = parseBeijingSim(p.timestamp);
      if (!ts || Math.abs(ts.getTime() - store.now().getTime()) > skew)
        return {
          status: 200,
          body: topErr(31, 'Invalid Timestamp', 'isv.invalid-timestamp', '时间戳与平台时间相差过大'),
        };
      if (!p.session) return { status: 200, body: topErr(26, 'Missing Session') };
      if (
        p.session !== session ||
        faults.state.tokenExpired ||
        (opts.sessionExpiresAt && store.now() >= opts.sessionExpiresAt)
      )
        return {
          status: 200,
          body: topErr(27, 'Invalid session', 'invalid-sessionkey', 'SessionKey非法或已过期'),
        };
      const wait = limiter.hit(appKey, Date.now());
      if (wait > 0)
        return {
          status: 200,
          body: topErr(
            7,
            'App Call Limited',
            'accesscontrol.limited-by-app-access-count',
            `This ban will last for ${wait} more seconds`,
          ),
        };
      calls.push(method);
      return dispatch(method, p);
    },
    () => topErr(15, 'Remote service error', 'isp.top-remote-connection-timeout', '系统繁忙，请稍后重试'),
  );

  function dispatch(method: string, p: Record<string, string>): SimResponse {
    switch (method) {
      case 'taobao.trades.sold.increment.get': {
        if (!p.start_modified || !p.end_modified || !p.fields)
          return {
            status: 200,
            body: topErr(
              40,
              'Missing Required Arguments',
              'isv.missing-parameter',
              'start_modified,end_modified,fields',
            ),
          };
        const from = parseBeijingSim(p.start_modified);
        const to = parseBeijingSim(p.end_modified);
        if (!from || !to || to < from || to.getTime() - from.getTime() > 86_400_000)
          return {
            status: 200,
            body: topErr(
              41,
              'Invalid Arguments',
              'isv.invalid-parameter',
              'start_modified/end_modified：时间跨度不能超过一天',
            ),
          };
        const size = Number(p.page_size ?? '40');
        const page = Number(p.page_no ?? '1');
        if (!Number.isInteger(size) || size < 1 || size > 100 || !Number.isInteger(page) || page < 1)
          return {
            status: 200,
            body: topErr(41, 'Invalid Arguments', 'isv.invalid-parameter', 'page_no/page_size'),
          };
        const rows = store.window(from, to);
        const slice = rows.slice((page - 1) * size, page * size);
        const payload: Record<string, unknown> = {
          ...(p.use_has_next === 'true'
            ? { has_next: rows.length > page * size }
            : { total_results: rows.length }),
          ...(slice.length
            ? { trades: { trade: slice.map((o) => project(renderTrade(o), p.fields!)) } }
            : {}),
        };
        const out = ok(method, payload);
        store.shiftAfterPage(rows, page, size);
        return out;
      }
      case 'taobao.trade.fullinfo.get': {
        if (!p.tid || !p.fields)
          return {
            status: 200,
            body: topErr(40, 'Missing Required Arguments', 'isv.missing-parameter', 'tid,fields'),
          };
        const seq = seqOf(p.tid);
        const o = store.orders.get(seq);
        if (!o)
          return {
            status: 200,
            body: topErr(15, 'Remote service error', 'isv.trade-not-exist', '交易不存在'),
          };
        return ok(method, { trade: project(renderTrade(o), p.fields) });
      }
      case 'taobao.skus.custom.get': {
        const item = CATALOGUE.findIndex((c) => c.code === p.outer_id);
        if (item < 0) return ok(method, {});
        const c = CATALOGUE[item]!;
        return ok(method, {
          skus: {
            sku: [
              {
                num_iid: String(600_000_000_000 + item * 1000),
                sku_id: String(5_000_000_000_000 + item * 1000 + 1),
                outer_id: c.code,
                quantity: stock.get(c.code) ?? 0,
              },
            ],
          },
        });
      }
      case 'taobao.item.quantity.update': {
        const item = Number(p.num_iid) - 600_000_000_000;
        const c = Number.isInteger(item / 1000) ? CATALOGUE[item / 1000] : undefined;
        const q = Number(p.quantity);
        if (!c || (p.sku_id && p.sku_id !== String(5_000_000_000_000 + item + 1)))
          return {
            status: 200,
            body: topErr(15, 'Remote service error', 'isv.item-not-exist', '商品不存在'),
          };
        if (!Number.isInteger(q) || q < 0)
          return { status: 200, body: topErr(41, 'Invalid Arguments', 'isv.invalid-parameter', 'quantity') };
        stock.set(c.code, p.type === '2' ? (stock.get(c.code) ?? 0) + q : q);
        return ok(method, {
          item: { num_iid: Number(p.num_iid), quantity: stock.get(c.code), modified: tbTime(store.now()) },
        });
      }
      case 'taobao.tmc.messages.consume': {
        const quantity = Number(p.quantity ?? '100');
        if (!Number.isInteger(quantity) || quantity < 1 || quantity > 200)
          return { status: 200, body: topErr(41, 'Invalid Arguments', 'isv.invalid-parameter', 'quantity') };
        const now = store.now().getTime();
        const due = tmc
          .filter((m) => !m.confirmed && (m.deliveredAt === null || now - m.deliveredAt >= tmcRedeliverMs))
          .slice(0, quantity);
        for (const m of due) m.deliveredAt = now;
        return ok(method, due.length ? { messages: { tmc_message: due.map((m) => m.message) } } : {});
      }
      case 'taobao.tmc.messages.confirm': {
        const ids = new Set((p.s_message_ids ?? '').split(',').filter(Boolean));
        if (ids.size === 0)
          return {
            status: 200,
            body: topErr(40, 'Missing Required Arguments', 'isv.missing-parameter', 's_message_ids'),
          };
        for (const m of tmc) if (ids.has(m.id)) m.confirmed = true;
        return ok(method, { is_success: true });
      }
      case 'taobao.logistics.offline.send': {
        const o = store.orders.get(seqOf(p.tid ?? ''));
        if (!o)
          return {
            status: 200,
            body: topErr(15, 'Remote service error', 'isv.trade-not-exist', '交易不存在'),
          };
        if (!p.out_sid || !p.company_code)
          return {
            status: 200,
            body: topErr(40, 'Missing Required Arguments', 'isv.missing-parameter', 'out_sid,company_code'),
          };
        if (o.status !== 'paid')
          return {
            status: 200,
            body: topErr(
              15,
              'Remote service error',
              'isv.logistics-offline-service-error:B04',
              '交易状态不允许发货',
            ),
          };
        store.ship(o.seq, p.company_code, p.out_sid);
        return ok(method, { shipping: { is_success: true } });
      }
    }
    return { status: 200, body: topErr(22, 'Invalid Method') };
  }

  return {
    url: `${http.url}/router/rest`,
    credentials: {
      appKey,
      appSecret,
      accessToken: session,
      ...(opts.sessionExpiresAt ? { accessTokenExpiresAt: opts.sessionExpiresAt.toISOString() } : {}),
    },
    faults,
    /** Methods served, in order (after all checks passed). */
    calls,
    ...cnSimControls({
      store,
      queue,
      stock,
      glued,
      idOf: tidOf,
      seqOf,
      render: renderTrade,
      close: () => http.close(),
    }),
  };
}

export type TaobaoSimulator = Awaited<ReturnType<typeof startTaobaoSimulator>>;
