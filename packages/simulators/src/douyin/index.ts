import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  beijing,
  type ChangeKind,
  type CnLine,
  type CnOrder,
  CnOrderStore,
  createFaults,
  type GenerateOptions,
  goodsFen,
  PushQueue,
  parseBeijingSim,
  paymentFen,
  RateLimiter,
  type SimPush,
  type SimRequest,
  type SimResponse,
  startHttp,
} from '../cn-orders.ts';

/**
 * A local Douyin shop (抖店) open platform (protocol digest A4): path-from-method routing, the
 * signature over app_key/method/param_json/timestamp/v checked with MD5 or HMAC-SHA256, param_json
 * required recursively sorted and identical to the body, pages from 0, `order.searchList` windowed
 * by update time, `order.orderDetail`, `sku.syncStock`, `order.logisticsAdd`, the
 * `{code, msg, sub_code, sub_msg, log_id, data}` envelope, encrypted receiver fields, and pushes as
 * JSON arrays signed with `event-sign`, redelivered until answered `{"code":0}`.
 */

export interface DouyinSimOptions {
  port?: number;
  now?: () => Date;
  seed?: number;
  appKey?: string;
  appSecret?: string;
  accessToken?: string;
  shopId?: string;
  /** Where pushes go (can be set later). */
  pushUrl?: string;
  /** Receiver fields as ciphertext + masked forms (the platform default) or plaintext. */
  encryptReceiver?: boolean;
  /** UNCONFIRMED: success code (10000). */
  successCode?: number;
  /** UNCONFIRMED: whether a `yyyy-MM-dd HH:mm:ss` timestamp is still accepted (default true). */
  acceptDatetimeTimestamp?: boolean;
  /** How far the request timestamp may be from the platform clock (seconds). */
  timestampToleranceSec?: number;
  /** Calls per second per app before the rate-limit code (null: unlimited). */
  rateLimitPerSecond?: number | null;
  /** Redeliveries of a push not answered `{"code":0}`. */
  maxRedeliveries?: number;
  /** Pause before redelivering pushes that were not answered `{"code":0}`. */
  redeliveryDelayMs?: number;
  /** Deliver pending pushes on this interval by themselves (otherwise call flushPushes()). */
  autoPushMs?: number;
  /** Token lifetime from start (Douyin tokens last 7 days). */
  tokenTtlMs?: number;
}

/** UNCONFIRMED error codes of the current envelope (the connector takes them as settings). */
export const DOUYIN_CODES = {
  busy: { code: 20000, sub_code: 'isp.service-busy', sub_msg: '服务繁忙，请稍后重试' },
  tokenInvalid: { code: 30001, sub_code: 'isv.access-token-no-exist', sub_msg: 'access_token不存在' },
  tokenExpired: { code: 30002, sub_code: 'isv.access-token-expired', sub_msg: 'access_token已过期' },
  badSign: { code: 40004, sub_code: 'isv.sign-invalid', sub_msg: '签名校验失败' },
  badParam: { code: 40003, sub_code: 'isv.parameter-invalid', sub_msg: '参数错误' },
  badApp: { code: 40001, sub_code: 'isv.app-key-invalid', sub_msg: 'app_key不存在' },
  badTimestamp: { code: 40002, sub_code: 'isv.timestamp-invalid', sub_msg: 'timestamp已过期或格式错误' },
  business: { code: 50002, sub_code: 'isv.business-failed', sub_msg: '业务处理失败' },
  rateLimited: { code: 90000, sub_code: 'isv.rate-limit', sub_msg: '触发限流，请稍后重试' },
  noMethod: { code: 40005, sub_code: 'isv.method-not-exist', sub_msg: '接口不存在' },
} as const;

const sortDeep = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortDeep)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]),
        )
      : v;

const STATUS: Record<CnOrder['status'], { code: number; desc: string }> = {
  unpaid: { code: 1, desc: '待支付' },
  paid: { code: 2, desc: '备货中' },
  shipped: { code: 3, desc: '已发货' },
  completed: { code: 5, desc: '已完成' },
  cancelled: { code: 4, desc: '已取消' },
  refunded_closed: { code: 4, desc: '已关闭' },
};

const CARRIER_NAMES: Record<string, string> = {
  shunfeng: '顺丰速运',
  yuantong: '圆通速递',
  zhongtong: '中通快递',
  shentong: '申通快递',
  yunda: '韵达快递',
  ems: '中国邮政',
  jd: '京东物流',
  jtexpress: '极兔速递',
  debangwuliu: '德邦快递',
};

export async function startDouyinSimulator(opts: DouyinSimOptions = {}) {
  const seed = opts.seed ?? 1;
  const appKey = opts.appKey ?? `72${String(1000000000000000 + seed * 7919).slice(-17)}`;
  const appSecret =
    opts.appSecret ?? createHmac('sha256', `douyin-${seed}`).update('secret').digest('hex').slice(0, 36);
  const accessToken =
    opts.accessToken ??
    `${createHmac('sha256', `douyin-${seed}`).update('token').digest('hex').slice(0, 8)}-${seed}-dy-token`;
  const shopId = opts.shopId ?? String(4_000_000 + seed);
  const successCode = opts.successCode ?? 10000;
  const tolerance = opts.timestampToleranceSec ?? 600;
  const acceptDatetime = opts.acceptDatetimeTimestamp ?? true;
  const encrypt = opts.encryptReceiver ?? true;
  const maxRedeliveries = opts.maxRedeliveries ?? 3;
  const redeliveryDelayMs = opts.redeliveryDelayMs ?? 5000;
  const faults = createFaults();
  if (opts.rateLimitPerSecond !== undefined) faults.rateLimit(opts.rateLimitPerSecond);
  const baseNow = opts.now ?? (() => new Date());
  const tokenExpiresAt = new Date(baseNow().getTime() + (opts.tokenTtlMs ?? 7 * 24 * 3600_000));
  const pushes = new PushQueue(opts.pushUrl, faults);
  const pushAttempts = new Map<string, number>();
  let msgSeq = 7_000_000_000_000_000_000n + BigInt(seed) * 1_000_000n;
  const stock = new Map<string, number>();
  const store: CnOrderStore = new CnOrderStore(seed, baseNow, faults, (o, kind) => enqueuePush(o, kind));
  const limiter = new RateLimiter(faults);

  const pid = (o: CnOrder) =>
    (6_900_000_000_000_000_000n + BigInt(seed) * 10_000_000n + BigInt(o.seq) * 100n).toString();
  const sid = (o: CnOrder, l: CnLine) => (BigInt(pid(o)) + BigInt(l.seq)).toString();
  const seqOf = (id: string): number | null => {
    if (!/^\d+$/.test(id)) return null;
    const n = (BigInt(id) - 6_900_000_000_000_000_000n - BigInt(seed) * 10_000_000n) / 100n;
    const seq = Number(n);
    return store.orders.has(seq) && pid(store.orders.get(seq)!) === id ? seq : null;
  };
  const unix = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : 0);
  /** A stand-in for the platform's ciphertext: opaque, stable, never derivable back here. */
  const cipher = (kind: string, value: string) =>
    `#${createHmac('sha256', appSecret).update(`${kind}:${value}`).digest('base64').slice(0, 40)}#`;

  function refundInfo(l: CnLine) {
    const r = l.refund;
    if (!r) return { after_sale_status: 0, after_sale_type: 0, refund_status: 0 };
    const type = r.refundOnly ? 1 : 0;
    if (r.status === 'refunded') return { after_sale_status: 12, after_sale_type: type, refund_status: 3 };
    if (r.status === 'closed') return { after_sale_status: 28, after_sale_type: type, refund_status: 4 };
    return { after_sale_status: 6, after_sale_type: type, refund_status: 1 };
  }

  /** One shop order as order.searchList / order.orderDetail show it (ids as strings). */
  function render(o: CnOrder): Record<string, unknown> {
    const st = STATUS[o.status];
    const goods = goodsFen(o);
    const pay = paymentFen(o);
    const rc = o.receiver;
    const addr: Record<string, unknown> = {
      province: { name: rc.province, id: '33' },
      city: { name: rc.city, id: '3301' },
      town: { name: rc.district, id: '330106' },
      street: { name: rc.town, id: '330106001' },
      ...(encrypt ? { detail: '', encrypt_detail: cipher('detail', rc.detail) } : { detail: rc.detail }),
    };
    return {
      order_id: pid(o),
      shop_id: Number(shopId),
      order_status: st.code,
      order_status_desc: st.desc,
      main_status: st.code,
      order_type: 0,
      biz: 2,
      create_time: unix(o.createdAt),
      pay_time: unix(o.paidAt),
      update_time: unix(o.modifiedAt),
      finish_time: unix(o.endedAt),
      ship_time: unix(o.shippedAt),
      order_expire_time: o.status === 'unpaid' ? 1800 : 0,
      order_amount: goods + o.shippingFen,
      pay_amount: pay,
      post_amount: o.shippingFen,
      promotion_amount: o.couponFen,
      promotion_shop_amount: o.couponFen,
      promotion_platform_amount: 0,
      promotion_talent_amount: 0,
      promotion_pay_amount: 0,
      modify_amount: 0,
      tax_amount: 0,
      packing_amount: 0,
      doudian_open_id: `1@#${createHash('md5').update(o.buyerId).digest('base64').slice(0, 22)}`,
      buyer_words: o.buyerMemo,
      seller_words: o.sellerMemo,
      seller_remark_stars: o.sellerMemo ? 1 : 0,
      ...(encrypt
        ? {
            encrypt_post_receiver: cipher('name', rc.name),
            encrypt_post_tel: cipher('tel', rc.phone),
            mask_post_receiver: `${Array.from(rc.name)[0]}*`,
            mask_post_tel: `${rc.phone.slice(0, 3)}****${rc.phone.slice(-4)}`,
            mask_post_addr: { ...addr, detail: `${Array.from(rc.detail).slice(0, 4).join('')}****` },
          }
        : { post_receiver: rc.name, post_tel: rc.phone }),
      post_addr: addr,
      sku_order_list: o.lines.map((l) => ({
        order_id: sid(o, l),
        parent_order_id: pid(o),
        product_id: l.itemId,
        sku_id: l.skuId,
        out_sku_id: store.skuCode(l),
        out_product_id: '',
        code: store.skuCode(l),
        product_name: l.title,
        spec: l.spec.split(';').map((p) => {
          const [name, value] = p.split(':');
          return { name, value };
        }),
        item_num: l.qty,
        origin_amount: l.unitFen,
        sum_amount: l.unitFen * l.qty,
        pay_amount: l.unitFen * l.qty - l.discountFen,
        promotion_amount: l.discountFen,
        order_status: st.code,
        after_sale_info: refundInfo(l),
      })),
      logistics_info: o.shipment
        ? [
            {
              tracking_no: o.shipment.waybillNo,
              company: o.shipment.carrier,
              company_name: CARRIER_NAMES[o.shipment.carrier] ?? o.shipment.carrier,
              ship_time: unix(o.shippedAt),
              product_info: o.lines.map((l) => ({ sku_order_id: sid(o, l), product_count: l.qty })),
            },
          ]
        : [],
    };
  }

  /** Ids (keys `order_id`, `parent_order_id`) written as bare JSON numbers? Douyin sends them as strings. */
  const json = (v: unknown) => JSON.stringify(v);

  const TAGS: Record<ChangeKind, string> = {
    created: '100',
    paid: '101',
    shipped: '102',
    completed: '103',
    cancelled: '106',
    address: '105',
    refund: '200',
    memo: '113',
    changed: '105',
  };

  function enqueuePush(o: CnOrder, kind: ChangeKind) {
    let tag = TAGS[kind];
    if (kind === 'refund' && o.lines.some((l) => l.refund?.status === 'refunded')) tag = '206';
    msgSeq += 1n;
    const rest = {
      shop_id: Number(shopId),
      order_status: STATUS[o.status].code,
      order_type: 0,
      biz: 2,
      update_time: unix(o.modifiedAt),
      create_time: unix(o.createdAt),
      ...(o.paidAt ? { pay_time: unix(o.paidAt), pay_amount: paymentFen(o) } : {}),
      ...(kind === 'cancelled' ? { cancel_time: unix(o.endedAt) } : {}),
      ...(kind === 'completed' ? { complete_time: unix(o.endedAt) } : {}),
    };
    // p_id and s_ids go out as bare 64-bit numbers, as the platform writes them.
    const data = `{"p_id":${pid(o)},"s_ids":[${o.lines.map((l) => sid(o, l)).join(',')}],${json(rest).slice(1)}`;
    const body = JSON.stringify([{ tag, msg_id: msgSeq.toString(), data }]);
    pushes.enqueue({ query: {}, headers: pushHeaders(body), body });
  }

  function pushHeaders(body: string): Record<string, string> {
    return {
      'event-sign': createHash('md5')
        .update(appKey + body + appSecret, 'utf8')
        .digest('hex'),
      'app-id': appKey,
    };
  }

  /** Delivers pending pushes; any answer but {"code":0} is redelivered (up to maxRedeliveries times). */
  async function flushPushes(): Promise<SimPush[]> {
    const out: SimPush[] = [];
    for (let round = 0; round <= maxRedeliveries; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, redeliveryDelayMs));
      const sent = await pushes.flush();
      if (sent.length === 0) break;
      out.push(...sent);
      const failed = new Map<string, SimPush>();
      for (const p of sent) {
        let ok = false;
        try {
          ok = p.status === 200 && (JSON.parse(p.answer ?? '') as { code?: unknown }).code === 0;
        } catch {
          ok = false;
        }
        if (
          !ok &&
          !sent.some(
            (q) => q.body === p.body && q !== p && q.status === 200 && q.answer?.includes('"code":0'),
          )
        )
          failed.set(p.body, p);
      }
      for (const p of failed.values()) {
        const n = (pushAttempts.get(p.body) ?? 0) + 1;
        pushAttempts.set(p.body, n);
        if (n <= maxRedeliveries) pushes.enqueue({ query: p.query, headers: p.headers, body: p.body });
      }
    }
    return out;
  }

  // ——— gateway ———
  const envelope = (data: unknown, err?: { code: number; sub_code: string; sub_msg: string }, msg?: string) =>
    JSON.stringify({
      code: err ? err.code : successCode,
      msg: err ? (msg ?? err.sub_msg) : 'success',
      sub_code: err ? err.sub_code : '',
      sub_msg: err ? err.sub_msg : '',
      log_id: `${beijing(store.now()).replace(/\D/g, '')}${String(Number(msgSeq % 1000000n)).padStart(6, '0')}`,
      data: err ? null : data,
    });
  const fail = (err: { code: number; sub_code: string; sub_msg: string }, msg?: string): SimResponse => ({
    status: 200,
    body: envelope(null, err, msg),
  });

  function verify(
    req: SimRequest,
  ): { ok: true; params: Record<string, unknown>; method: string } | { ok: false; res: SimResponse } {
    const q = req.query;
    const method = q.get('method') ?? '';
    if (q.get('app_key') !== appKey) return { ok: false, res: fail(DOUYIN_CODES.badApp) };
    if (`/${method.replaceAll('.', '/')}` !== req.path)
      return {
        ok: false,
        res: fail(DOUYIN_CODES.noMethod, `method ${method} does not match path ${req.path}`),
      };
    const ts = q.get('timestamp') ?? '';
    const v = q.get('v') ?? '';
    const signMethod = q.get('sign_method') ?? 'md5';
    if (v !== '2') return { ok: false, res: fail(DOUYIN_CODES.badParam, 'v must be 2') };
    const at = /^\d{9,11}$/.test(ts)
      ? new Date(Number(ts) * 1000)
      : acceptDatetime
        ? parseBeijingSim(ts)
        : null;
    if (!at || Math.abs(at.getTime() - store.now().getTime()) > tolerance * 1000)
      return { ok: false, res: fail(DOUYIN_CODES.badTimestamp) };
    const pj = req.body.length > 0 ? req.body : (q.get('param_json') ?? '');
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(pj) as Record<string, unknown>;
      if (!params || typeof params !== 'object' || Array.isArray(params)) throw new Error();
    } catch {
      return { ok: false, res: fail(DOUYIN_CODES.badParam, 'param_json is not a JSON object') };
    }
    if (JSON.stringify(sortDeep(params)) !== pj)
      return {
        ok: false,
        res: fail(DOUYIN_CODES.badSign, 'param_json must be compact with keys sorted recursively'),
      };
    if (signMethod !== 'md5' && signMethod !== 'hmac-sha256')
      return { ok: false, res: fail(DOUYIN_CODES.badParam, `sign_method ${signMethod} is not supported`) };
    const pattern = `${appSecret}app_key${appKey}method${method}param_json${pj}timestamp${ts}v${v}${appSecret}`;
    const expected =
      signMethod === 'md5'
        ? createHash('md5').update(pattern, 'utf8').digest('hex')
        : createHmac('sha256', appSecret).update(pattern, 'utf8').digest('hex');
    const given = Buffer.from(q.get('sign') ?? '', 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8')))
      return { ok: false, res: fail(DOUYIN_CODES.badSign) };
    const token = q.get('access_token');
    if (token !== accessToken) return { ok: false, res: fail(DOUYIN_CODES.tokenInvalid) };
    if (faults.state.tokenExpired || store.now() >= tokenExpiresAt)
      return { ok: false, res: fail(DOUYIN_CODES.tokenExpired) };
    const wait = limiter.hit(appKey, Date.now());
    if (wait > 0) return { ok: false, res: fail(DOUYIN_CODES.rateLimited, `触发限流，请${wait}秒后重试`) };
    return { ok: true, params, method };
  }

  const intParam = (p: Record<string, unknown>, k: string) =>
    Number.isInteger(p[k]) ? (p[k] as number) : null;

  function handle(req: SimRequest): SimResponse {
    if (req.method !== 'POST')
      return { status: 405, body: envelope(null, DOUYIN_CODES.badParam, 'POST only') };
    const ok = verify(req);
    if (!ok.ok) return ok.res;
    const p = ok.params;
    switch (ok.method) {
      case 'order.searchList': {
        const page = intParam(p, 'page') ?? 0;
        const size = intParam(p, 'size') ?? 10;
        if (page < 0 || size < 1 || size > 100) return fail(DOUYIN_CODES.badParam, 'page from 0, size 1–100');
        const byUpdate = p.order_by === 'update_time';
        const from = intParam(p, byUpdate ? 'update_time_start' : 'create_time_start');
        const to = intParam(p, byUpdate ? 'update_time_end' : 'create_time_end');
        const lo = new Date((from ?? 0) * 1000);
        const hi = new Date((to ?? 32503680000) * 1000 + 999);
        let rows = byUpdate
          ? store.window(lo, hi)
          : store
              .list()
              .filter((o) => o.createdAt >= lo && o.createdAt <= hi)
              .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.seq - a.seq);
        if (p.order_asc === true) rows = [...rows].reverse();
        const slice = rows.slice(page * size, page * size + size);
        const body = envelope({ shop_order_list: slice.map(render), page, size, total: rows.length });
        if (byUpdate) store.shiftAfterPage(rows, page + 1, size);
        return { status: 200, body };
      }
      case 'order.orderDetail': {
        const seq = seqOf(String(p.shop_order_id ?? ''));
        if (seq === null) return fail(DOUYIN_CODES.business, '订单不存在');
        return { status: 200, body: envelope({ shop_order_detail: render(store.get(seq)) }) };
      }
      case 'sku.syncStock': {
        const code = typeof p.code === 'string' ? p.code : null;
        const num = intParam(p, 'stock_num');
        if (!code || num === null || num < 0)
          return fail(DOUYIN_CODES.badParam, 'code and stock_num required');
        const known = store
          .list()
          .some((o) => o.lines.some((l) => l.skuCode === code || store.skuCode(l) === code));
        const catalogue = [
          'TEA-SET-01',
          'CUP-02',
          'TEA-LJ-250',
          'KETTLE-03',
          'SCARF-SILK-R',
          'BT-001',
          'DY-BT-002',
          'BABY-SH-01',
          'RICE-5KG',
          'SOCK-5P',
        ];
        if (!known && !catalogue.includes(code)) return fail(DOUYIN_CODES.business, `商品编码${code}不存在`);
        stock.set(code, p.incremental === true ? (stock.get(code) ?? 0) + num : num);
        return { status: 200, body: envelope({}) };
      }
      case 'order.logisticsAdd': {
        const seq = seqOf(String(p.order_id ?? ''));
        if (seq === null) return fail(DOUYIN_CODES.business, '订单不存在');
        const company = typeof p.company_code === 'string' ? p.company_code : '';
        const waybill = typeof p.logistics_code === 'string' ? p.logistics_code : '';
        if (!company || !waybill)
          return fail(DOUYIN_CODES.badParam, 'company_code and logistics_code required');
        if (!CARRIER_NAMES[company]) return fail(DOUYIN_CODES.business, `物流公司${company}不存在`);
        const o = store.get(seq);
        if (o.shipment && o.shipment.waybillNo === waybill) return { status: 200, body: envelope({}) };
        if (o.status !== 'paid') return fail(DOUYIN_CODES.business, '订单状态不允许发货');
        store.ship(seq, company, waybill);
        return { status: 200, body: envelope({}) };
      }
      default:
        return fail(DOUYIN_CODES.noMethod);
    }
  }

  const http = await startHttp(opts.port ?? 0, faults, handle, () => envelope(null, DOUYIN_CODES.busy));
  let flushing: Promise<unknown> | null = null;
  const timer = opts.autoPushMs
    ? setInterval(() => {
        if (!flushing)
          flushing = flushPushes()
            .catch(() => undefined)
            .finally(() => {
              flushing = null;
            });
      }, opts.autoPushMs)
    : null;
  timer?.unref();

  const idOf = (o: CnOrder) => pid(o);
  const seqFor = (id: string) => {
    const s = seqOf(id);
    if (s === null) throw new Error(`no Douyin order ${id}`);
    return s;
  };
  return {
    url: http.url,
    /** What a channel account is registered with. */
    credentials: {
      appKey,
      appSecret,
      accessToken,
      accessTokenExpiresAt: tokenExpiresAt.toISOString(),
      shopId,
    },
    /** Connector settings matching this simulator. */
    settings: { successCode },
    faults,
    now: () => store.now(),
    addOrder: (o: GenerateOptions & { at?: Date } = {}) => idOf(store.add(o)),
    pay: (id: string) => void store.pay(seqFor(id)),
    updateOrder: (id: string, text = `改备注 ${store.now().toISOString()}`) =>
      void store.memo(seqFor(id), text),
    changeAddress: (id: string) => void store.changeAddress(seqFor(id)),
    cancelOrder: (id: string) => void store.cancel(seqFor(id)),
    ship: (id: string, company = 'zhongtong', waybill = `ZT${Date.now()}`) =>
      void store.ship(seqFor(id), company, waybill),
    complete: (id: string) => void store.complete(seqFor(id)),
    /** A refund on one line (1-based), requested or done, refund only (仅退款) or with return. */
    refund: (
      id: string,
      lineSeq = 1,
      status: 'requested' | 'refunded' | 'closed' = 'requested',
      refundOnly = true,
    ) => void store.refund(seqFor(id), lineSeq, status, refundOnly),
    /** Orders as the platform shows them. */
    orders: () => store.list().map(render),
    order: (id: string) => {
      const s = seqOf(id);
      return s === null ? null : render(store.get(s));
    },
    /** The plain receiver behind the ciphertext (what the platform's decrypt API would answer). */
    plainReceiver: (id: string) => ({ ...store.get(seqFor(id)).receiver }),
    stock: () => Object.fromEntries(stock),
    pushes: () => pushes.delivered.slice(),
    flushPushes,
    setPushUrl: (u: string | null) => {
      pushes.url = u;
    },
    /** Signs a push body as the platform does (for tests). */
    signPush: (body: string) => pushHeaders(body),
    close: async () => {
      if (timer) clearInterval(timer);
      await http.close();
    },
  };
}

export type DouyinSimulator = Awaited<ReturnType<typeof startDouyinSimulator>>;
