/**
 * Shared pieces of the Chinese marketplace simulators (Taobao/Tmall, JD, Pinduoduo): a seeded
 * generator of realistic orders (names, addresses, SKUs, coupons, multi-line orders, refunds,
 * address changes), the platform-neutral order store with its modification clock, the fault plan,
 * the HTTP server shell (node:http only) and push delivery. Each platform renders these orders in
 * its own wire shape and speaks its own protocol on top.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------- seeded randomness

/** mulberry32: small, fast, deterministic for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '高',
  '罗',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
  '婷',
  '浩然',
  '子涵',
  '欣怡',
  '梓萱',
];
const PLACES: { province: string; city: string; districts: string[]; zip: string; streets: string[] }[] = [
  {
    province: '浙江省',
    city: '杭州市',
    districts: ['西湖区', '余杭区', '滨江区', '拱墅区'],
    zip: '310000',
    streets: ['文三路', '文一西路', '江南大道', '莫干山路'],
  },
  {
    province: '广东省',
    city: '深圳市',
    districts: ['南山区', '福田区', '宝安区', '龙岗区'],
    zip: '518000',
    streets: ['深南大道', '科技园南路', '宝安大道', '龙翔大道'],
  },
  {
    province: '上海市',
    city: '上海市',
    districts: ['浦东新区', '徐汇区', '静安区', '闵行区'],
    zip: '200000',
    streets: ['世纪大道', '漕溪北路', '南京西路', '七莘路'],
  },
  {
    province: '北京市',
    city: '北京市',
    districts: ['朝阳区', '海淀区', '东城区', '丰台区'],
    zip: '100000',
    streets: ['建国路', '中关村大街', '东四北大街', '丰台路'],
  },
  {
    province: '四川省',
    city: '成都市',
    districts: ['武侯区', '锦江区', '高新区', '青羊区'],
    zip: '610000',
    streets: ['人民南路', '春熙路', '天府大道', '青华路'],
  },
  {
    province: '江苏省',
    city: '南京市',
    districts: ['鼓楼区', '玄武区', '江宁区', '秦淮区'],
    zip: '210000',
    streets: ['中山北路', '北京东路', '双龙大道', '中华路'],
  },
  {
    province: '湖北省',
    city: '武汉市',
    districts: ['洪山区', '武昌区', '江汉区', '汉阳区'],
    zip: '430000',
    streets: ['珞喻路', '中南路', '解放大道', '汉阳大道'],
  },
];
const COMMUNITIES = [
  '阳光花园',
  '翠苑小区',
  '金地名京',
  '万科城',
  '绿城桂花园',
  '保利香槟国际',
  '华润城',
  '碧桂园',
];

export interface CatalogueItem {
  code: string;
  title: string;
  spec: string;
  priceFen: number;
}

export const CATALOGUE: readonly CatalogueItem[] = [
  { code: 'TEA-SET-01', title: '青瓷茶具套装', spec: '颜色:天青;规格:一壶四杯', priceFen: 16800 },
  { code: 'CUP-02', title: '品茗杯', spec: '容量:60ml', priceFen: 1990 },
  { code: 'TEA-LJ-250', title: '西湖龙井明前特级', spec: '净含量:250g', priceFen: 29900 },
  { code: 'KETTLE-03', title: '电热烧水壶 不锈钢', spec: '容量:1.5L', priceFen: 12900 },
  { code: 'SCARF-SILK-R', title: '真丝丝巾 桑蚕丝', spec: '颜色:酒红', priceFen: 25800 },
  { code: 'BT-001', title: '移动电源 20000毫安', spec: '颜色:白色', priceFen: 9900 },
  { code: 'DY-BT-002', title: '蓝牙耳机 降噪款', spec: '颜色:黑色', priceFen: 19900 },
  { code: 'BABY-SH-01', title: '婴儿洗发沐浴露二合一', spec: '规格:300ml', priceFen: 5990 },
  { code: 'RICE-5KG', title: '五常大米 稻花香', spec: '净含量:5kg', priceFen: 6990 },
  { code: 'SOCK-5P', title: '纯棉袜子 五双装', spec: '尺码:均码', priceFen: 2990 },
];

// ---------------------------------------------------------------- the platform-neutral order

export type CnStatus = 'unpaid' | 'paid' | 'shipped' | 'completed' | 'cancelled' | 'refunded_closed';

export interface CnRefund {
  id: string;
  status: 'requested' | 'refunded' | 'closed';
  refundOnly: boolean;
}

export interface CnLine {
  seq: number;
  itemId: string;
  skuId: string;
  skuCode: string;
  title: string;
  spec: string;
  unitFen: number;
  qty: number;
  /** This line's share of the coupon, by largest remainder on line goods. */
  discountFen: number;
  refund: CnRefund | null;
}

export interface CnReceiver {
  name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  town: string;
  detail: string;
  zip: string;
}

export interface CnOrder {
  /** Sequence within the simulator; each platform derives its own id from it. */
  seq: number;
  createdAt: Date;
  paidAt: Date | null;
  shippedAt: Date | null;
  endedAt: Date | null;
  modifiedAt: Date;
  status: CnStatus;
  buyerNick: string;
  buyerId: string;
  receiver: CnReceiver;
  lines: CnLine[];
  shippingFen: number;
  couponFen: number;
  buyerMemo: string;
  sellerMemo: string;
  shipment: { carrier: string; waybillNo: string } | null;
  /** Revision counter, bumped on every change. */
  revision: number;
}

export const goodsFen = (o: CnOrder): number => o.lines.reduce((a, l) => a + l.unitFen * l.qty, 0);
export const paymentFen = (o: CnOrder): number => goodsFen(o) + o.shippingFen - o.couponFen;

/** Fen as a yuan string with two decimals (integer arithmetic). */
export function yuan(fen: number): string {
  const neg = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${neg}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** Mainland mobile number blocks (first three digits) in use by the three carriers. */
const MOBILE_BLOCKS = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '153',
  '155',
  '156',
  '157',
  '158',
  '159',
  '177',
  '180',
  '181',
  '182',
  '183',
  '185',
  '186',
  '187',
  '188',
  '189',
  '199',
];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** A UTC instant as a naive Beijing `yyyy-MM-dd HH:mm:ss` string. */
export function beijing(d: Date): string {
  const b = new Date(d.getTime() + 8 * 3600_000);
  return `${pad(b.getUTCFullYear(), 4)}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())} ${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}`;
}

/** A naive Beijing string back to its instant (null when it is not one). */
export function parseBeijingSim(s: string | undefined | null): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s ?? '');
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, se!) - 8 * 3600_000);
}

/** Largest remainder split of `total` over `weights` (the simulator's own, independent of the server's). */
export function splitLargestRemainder(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]! += 1;
    left--;
  }
  return shares;
}

export interface GenerateOptions {
  lines?: number;
  coupon?: boolean;
  status?: CnStatus;
  items?: { code: string; qty: number }[];
  shippingFen?: number;
  couponFen?: number;
}

/** Seeded generator of realistic orders. */
export class CnOrderGenerator {
  readonly random: () => number;
  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }
  receiver(): CnReceiver {
    const place = this.pick(PLACES);
    const district = this.pick(place.districts);
    return {
      name: this.pick(SURNAMES) + this.pick(GIVEN),
      // Real mobile number blocks only: some 1x blocks (174, 154…) are not mobile ranges and a
      // phone library refuses them, as a real platform never sends them.
      phone: `${this.pick(MOBILE_BLOCKS)}${String(this.int(0, 99_999_999)).padStart(8, '0')}`,
      province: place.province,
      city: place.city,
      district,
      town: `${district.slice(0, 2)}街道`,
      detail: `${this.pick(place.streets)}${this.int(1, 999)}号${this.pick(COMMUNITIES)}${this.int(1, 30)}幢${this.int(1, 6)}单元${this.int(101, 2802)}室`,
      zip: place.zip,
    };
  }
  order(seq: number, at: Date, opts: GenerateOptions = {}): CnOrder {
    const chosen =
      opts.items?.map((x) => ({
        item: CATALOGUE.find((c) => c.code === x.code) ?? CATALOGUE[0]!,
        qty: x.qty,
      })) ??
      Array.from({ length: opts.lines ?? (this.random() < 0.4 ? this.int(2, 4) : 1) }, () => ({
        item: this.pick(CATALOGUE),
        qty: this.random() < 0.7 ? 1 : this.int(2, 5),
      }));
    const seen = new Set<string>();
    const picked = chosen.filter((c) => {
      if (seen.has(c.item.code)) return false;
      seen.add(c.item.code);
      return true;
    });
    const lines: CnLine[] = picked.map((c, i) => ({
      seq: i + 1,
      itemId: String(600_000_000_000 + CATALOGUE.indexOf(c.item) * 1000),
      skuId: String(5_000_000_000_000 + CATALOGUE.indexOf(c.item) * 1000 + 1),
      skuCode: c.item.code,
      title: c.item.title,
      spec: c.item.spec,
      unitFen: c.item.priceFen,
      qty: c.qty,
      discountFen: 0,
      refund: null,
    }));
    const goods = lines.reduce((a, l) => a + l.unitFen * l.qty, 0);
    const couponFen =
      opts.couponFen ??
      ((opts.coupon ?? this.random() < 0.5)
        ? Math.min(this.pick([300, 500, 1000, 2000, 3000]), goods - 1)
        : 0);
    const shares = splitLargestRemainder(
      couponFen,
      lines.map((l) => l.unitFen * l.qty),
    );
    lines.forEach((l, i) => {
      l.discountFen = shares[i]!;
    });
    const created = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const status = opts.status ?? 'paid';
    const paid =
      status === 'unpaid' || status === 'cancelled'
        ? null
        : new Date(created.getTime() + this.int(5, 90) * 1000);
    return {
      seq,
      createdAt: created,
      paidAt: paid,
      shippedAt: null,
      endedAt: null,
      modifiedAt: paid ?? created,
      status,
      buyerNick: `tb${this.int(100000, 999999)}_${this.pick(['小', '大', '阿'])}${this.pick(GIVEN)}`,
      buyerId: `AAH${String(this.int(0, 99_999_999)).padStart(8, '0')}Buyer`,
      receiver: this.receiver(),
      lines,
      shippingFen: opts.shippingFen ?? (goods >= 9900 ? 0 : this.pick([0, 600, 800, 1000])),
      couponFen,
      buyerMemo:
        this.random() < 0.3
          ? this.pick(['请尽快发货', '需要发票', '周末送货', '不要放快递柜', '送人的，不要放价格单'])
          : '',
      sellerMemo: '',
      shipment: null,
      revision: 1,
    };
  }
}

// ---------------------------------------------------------------- faults

export interface FaultState {
  timeouts: number;
  serverErrors: number;
  errorBodies: number;
  shifts: number;
  tokenExpired: boolean;
  clockSkewMs: number;
  skuSuffix: string | null;
  duplicatePushes: boolean;
  outOfOrderPushes: boolean;
  rateLimitPerSecond: number | null;
  extraFields: Record<string, unknown>;
}

export interface Faults {
  /** The next n API calls get no answer (the connection is held until close). */
  timeout(n?: number): void;
  /** The next n API calls answer HTTP 502. */
  serverError(n?: number): void;
  /** The next n API calls answer HTTP 200 with the platform's "system busy" error envelope. */
  errorBody(n?: number): void;
  /** After each of the next n list pages served, an order on a page not yet read is modified (results shift). */
  shiftWhilePaging(n?: number): void;
  /** The access token is refused as expired (the platform's code) until set back. */
  expireToken(expired?: boolean): void;
  /** The simulator's clock runs this many ms ahead (negative: behind). */
  skewClock(ms: number): void;
  /** From now on SKU codes carry this suffix (null: back to plain), like a platform changing its SKU rules. */
  changeSkuFormat(suffix: string | null): void;
  duplicatePushes(on?: boolean): void;
  outOfOrderPushes(on?: boolean): void;
  /** Calls beyond this many per second get the platform's rate-limit error (null: unlimited). */
  rateLimit(perSecond: number | null): void;
  /** Every order payload gains this field from now on (null: removed), like an API adding a field overnight. */
  extraField(name: string, value: unknown): void;
  readonly state: FaultState;
}

export function createFaults(): Faults {
  const state: FaultState = {
    timeouts: 0,
    serverErrors: 0,
    errorBodies: 0,
    shifts: 0,
    tokenExpired: false,
    clockSkewMs: 0,
    skuSuffix: null,
    duplicatePushes: false,
    outOfOrderPushes: false,
    rateLimitPerSecond: null,
    extraFields: {},
  };
  return {
    timeout: (n = 1) => {
      state.timeouts += n;
    },
    serverError: (n = 1) => {
      state.serverErrors += n;
    },
    errorBody: (n = 1) => {
      state.errorBodies += n;
    },
    shiftWhilePaging: (n = 1) => {
      state.shifts += n;
    },
    expireToken: (expired = true) => {
      state.tokenExpired = expired;
    },
    skewClock: (ms) => {
      state.clockSkewMs = ms;
    },
    changeSkuFormat: (suffix) => {
      state.skuSuffix = suffix;
    },
    duplicatePushes: (on = true) => {
      state.duplicatePushes = on;
    },
    outOfOrderPushes: (on = true) => {
      state.outOfOrderPushes = on;
    },
    rateLimit: (perSecond) => {
      state.rateLimitPerSecond = perSecond;
    },
    extraField: (name, value) => {
      if (value === null) delete state.extraFields[name];
      else state.extraFields[name] = value;
    },
    state,
  };
}

// ---------------------------------------------------------------- the order store

export type ChangeKind =
  | 'created'
  | 'paid'
  | 'shipped'
  | 'completed'
  | 'cancelled'
  | 'address'
  | 'refund'
  | 'memo'
  | 'changed';

/** Orders held by one simulator, its clock, and the list of changes (each becomes a push). */
export class CnOrderStore {
  readonly orders = new Map<number, CnOrder>();
  readonly gen: CnOrderGenerator;
  private seq = 0;
  constructor(
    seed: number,
    private readonly baseNow: () => Date,
    private readonly faults: Faults,
    private readonly onChange: (o: CnOrder, kind: ChangeKind) => void,
  ) {
    this.gen = new CnOrderGenerator(seed);
  }
  /** The simulator's clock: the given clock plus any injected skew. */
  now(): Date {
    return new Date(this.baseNow().getTime() + this.faults.state.clockSkewMs);
  }
  private stamp(o: CnOrder): void {
    const t = Math.floor(this.now().getTime() / 1000) * 1000;
    o.modifiedAt = new Date(Math.max(t, o.modifiedAt.getTime() + 1000));
    o.revision++;
  }
  add(opts: GenerateOptions & { at?: Date } = {}): CnOrder {
    const o = this.gen.order(++this.seq, opts.at ?? this.now(), opts);
    this.orders.set(o.seq, o);
    this.onChange(o, 'created');
    return o;
  }
  get(seq: number): CnOrder {
    const o = this.orders.get(seq);
    if (!o) throw new Error(`no simulated order ${seq}`);
    return o;
  }
  update(seq: number, change: (o: CnOrder) => void, kind: ChangeKind = 'changed'): CnOrder {
    const o = this.get(seq);
    change(o);
    this.stamp(o);
    this.onChange(o, kind);
    return o;
  }
  pay(seq: number): CnOrder {
    return this.update(
      seq,
      (o) => {
        o.status = 'paid';
        o.paidAt = this.now();
      },
      'paid',
    );
  }
  cancel(seq: number): CnOrder {
    return this.update(
      seq,
      (o) => {
        o.status = o.paidAt ? 'refunded_closed' : 'cancelled';
        o.endedAt = this.now();
        if (o.paidAt)
          for (const l of o.lines)
            l.refund = { id: `${o.seq}${l.seq}77`, status: 'refunded', refundOnly: true };
      },
      'cancelled',
    );
  }
  ship(seq: number, carrier: string, waybillNo: string): CnOrder {
    return this.update(
      seq,
      (o) => {
        o.status = 'shipped';
        o.shippedAt = this.now();
        o.shipment = { carrier, waybillNo };
      },
      'shipped',
    );
  }
  complete(seq: number): CnOrder {
    return this.update(
      seq,
      (o) => {
        o.status = 'completed';
        o.endedAt = this.now();
      },
      'completed',
    );
  }
  changeAddress(seq: number): CnOrder {
    return this.update(
      seq,
      (o) => {
        o.receiver = this.gen.receiver();
      },
      'address',
    );
  }
  refund(seq: number, lineSeq: number, status: CnRefund['status'] = 'requested', refundOnly = true): CnOrder {
    return this.update(
      seq,
      (o) => {
        const l = o.lines.find((x) => x.seq === lineSeq);
        if (!l) throw new Error(`order ${seq} has no line ${lineSeq}`);
        l.refund = { id: l.refund?.id ?? `${o.seq}${l.seq}${this.gen.int(100, 999)}`, status, refundOnly };
        if (status === 'refunded' && o.lines.every((x) => x.refund?.status === 'refunded')) {
          o.status = 'refunded_closed';
          o.endedAt = this.now();
        }
      },
      'refund',
    );
  }
  memo(seq: number, text: string): CnOrder {
    return this.update(
      seq,
      (o) => {
        o.sellerMemo = text;
      },
      'memo',
    );
  }
  list(): CnOrder[] {
    return [...this.orders.values()];
  }
  /** SKU code as the platform shows it now (a suffix appears when the SKU format fault is on). */
  skuCode(l: CnLine): string {
    return this.faults.state.skuSuffix ? `${l.skuCode}${this.faults.state.skuSuffix}` : l.skuCode;
  }
  /** Modified-time window, newest first (the marketplaces' increment order), inclusive at both ends. */
  window(from: Date, to: Date, filter: (o: CnOrder) => boolean = () => true): CnOrder[] {
    return this.list()
      .filter((o) => o.modifiedAt >= from && o.modifiedAt <= to && filter(o))
      .sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime() || b.seq - a.seq);
  }
  /**
   * The "page shifts while being read" fault: after a list page is served, modify an order of the
   * same window that sits on a page the reader has not read yet (a later page when reading
   * forwards, an earlier one when reading backwards), so the rest of the results move.
   */
  shiftAfterPage(windowRows: CnOrder[], page: number, pageSize: number): void {
    if (this.faults.state.shifts <= 0 || windowRows.length < 2) return;
    const unreadBefore = windowRows.slice(0, (page - 1) * pageSize);
    const unreadAfter = windowRows.slice(page * pageSize);
    const victim = unreadBefore[0] ?? unreadAfter[unreadAfter.length - 1];
    if (!victim) return;
    this.faults.state.shifts--;
    this.memo(victim.seq, `改备注 ${this.gen.int(1, 999)}`);
  }
}

// ---------------------------------------------------------------- rate limit

/** Calls per second per key, as a sliding one-second window; answers the seconds left of a ban. */
export class RateLimiter {
  private readonly calls = new Map<string, number[]>();
  constructor(private readonly faults: Faults) {}
  /** Seconds to wait when over the limit, else 0. */
  hit(key: string, now: number): number {
    const limit = this.faults.state.rateLimitPerSecond;
    if (limit === null) return 0;
    const xs = (this.calls.get(key) ?? []).filter((t) => t > now - 1000);
    if (xs.length >= limit) {
      this.calls.set(key, xs);
      return Math.max(1, Math.ceil((xs[0]! + 1000 - now) / 1000));
    }
    xs.push(now);
    this.calls.set(key, xs);
    return 0;
  }
}

// ---------------------------------------------------------------- signing (the simulators' own, independent of the server's)

/** `namevalue…` over the parameters sorted by name, `sign` and empty values left out. */
export function sortedPairs(params: Readonly<Record<string, string | undefined>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && k !== '' && params[k] !== '' && params[k] !== undefined)
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
}

/** MD5(secret + text + secret), hex upper case (TOP md5, JOS, PDD). */
export function md5Wrapped(secret: string, text: string): string {
  return createHash('md5')
    .update(secret + text + secret, 'utf8')
    .digest('hex')
    .toUpperCase();
}

// ---------------------------------------------------------------- HTTP shell

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface SimResponse {
  status: number;
  body: string;
  contentType?: string;
}

/**
 * A node:http server around a handler. Faults common to every platform are applied first: a held
 * connection (timeout), HTTP 502, and — through `errorBody` — a 200 carrying the platform's envelope.
 */
export async function startHttp(
  port: number,
  faults: Faults,
  handle: (req: SimRequest) => SimResponse | Promise<SimResponse>,
  busyBody: () => string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const held = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const st = faults.state;
        if (st.timeouts > 0) {
          st.timeouts--;
          held.add(res);
          return;
        }
        if (st.serverErrors > 0) {
          st.serverErrors--;
          res
            .writeHead(502, { 'content-type': 'text/html' })
            .end('<html><body>502 Bad Gateway</body></html>');
          return;
        }
        if (st.errorBodies > 0) {
          st.errorBodies--;
          res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' }).end(busyBody());
          return;
        }
        const u = new URL(req.url ?? '/', 'http://sim');
        try {
          const out = await handle({
            method: req.method ?? 'GET',
            path: u.pathname,
            query: u.searchParams,
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
          res
            .writeHead(out.status, { 'content-type': out.contentType ?? 'application/json;charset=utf-8' })
            .end(out.body);
        } catch (e) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String((e as Error).stack ?? e));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: async () => {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Parameters of a gateway request: the query string plus a form-urlencoded (or JSON object) body. */
export function requestParams(req: SimRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of req.query) out[k] = v;
  const ct = String(req.headers['content-type'] ?? '');
  if (req.body) {
    if (ct.includes('application/json')) {
      try {
        const o = JSON.parse(req.body) as Record<string, unknown>;
        for (const [k, v] of Object.entries(o)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
      } catch {
        /* an unreadable body signs as nothing: the signature check refuses it */
      }
    } else for (const [k, v] of new URLSearchParams(req.body)) out[k] = v;
  }
  return out;
}

/** JSON text with the named keys' digit-string values written as bare JSON numbers (64-bit ids). */
export function jsonWithBigIds(value: unknown, keys: readonly string[]): string {
  let text = JSON.stringify(value);
  for (const k of keys) text = text.replace(new RegExp(`"${k}":"(\\d+)"`, 'g'), `"${k}":$1`);
  return text;
}

// ---------------------------------------------------------------- pushes

export interface SimPush {
  url: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** HTTP status our side answered (null: not delivered, e.g. no URL or connection refused). */
  status: number | null;
  answer: string | null;
}

/**
 * Where a relayed push carries its signing parameters: headers `<prefix><name, - for _>` (default;
 * they stay with the stored raw body) or the query string.
 */
export function pushCarrier(
  params: Record<string, string>,
  headerPrefix: string,
  where: 'header' | 'query' = 'header',
): { query: Record<string, string>; headers: Record<string, string> } {
  if (where === 'query') return { query: params, headers: {} };
  return {
    query: {},
    headers: Object.fromEntries(
      Object.entries(params).map(([k, v]) => [`${headerPrefix}${k.replace(/_/g, '-')}`, v]),
    ),
  };
}

/** Pending pushes of one simulator; `flush()` delivers them (with the duplicate/out-of-order faults). */
export class PushQueue {
  private pending: Omit<SimPush, 'status' | 'answer' | 'url'>[] = [];
  readonly delivered: SimPush[] = [];
  url: string | null;
  constructor(
    url: string | undefined,
    private readonly faults: Faults,
  ) {
    this.url = url ?? null;
  }
  enqueue(p: Omit<SimPush, 'status' | 'answer' | 'url'>): void {
    this.pending.push(p);
  }
  /** Delivers what is pending, `inFlight` at a time (started in order); answers each delivery's record in that order. */
  async flush(inFlight = 1): Promise<SimPush[]> {
    let batch = this.pending;
    this.pending = [];
    if (this.faults.state.duplicatePushes) batch = batch.flatMap((p) => [p, p]);
    if (this.faults.state.outOfOrderPushes) batch = [...batch].reverse();
    const out: SimPush[] = new Array(batch.length);
    const deliver = async (p: (typeof batch)[number]): Promise<SimPush> => {
      const qs = new URLSearchParams(p.query).toString();
      const url = this.url ? `${this.url}${qs ? (this.url.includes('?') ? '&' : '?') + qs : ''}` : '';
      const rec: SimPush = { ...p, url, status: null, answer: null };
      if (this.url) {
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json;charset=utf-8', ...p.headers },
            body: p.body,
            signal: AbortSignal.timeout(10_000),
          });
          rec.status = res.status;
          rec.answer = await res.text();
        } catch (e) {
          rec.answer = String((e as Error).message);
        }
      }
      return rec;
    };
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const i = next++;
        out[i] = await deliver(batch[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, batch.length)) }, worker));
    this.delivered.push(...out);
    return out;
  }
}

// ---------------------------------------------------------------- controls every simulator offers

/**
 * The control surface shared by the three marketplace simulators: add and change orders, read
 * them in the platform's shape, read stock, deliver pushes, close.
 */
export function cnSimControls(x: {
  store: CnOrderStore;
  queue: PushQueue;
  stock: Map<string, number>;
  glued: Map<number, string>;
  idOf: (seq: number) => string;
  seqOf: (id: string) => number;
  render: (o: CnOrder) => Record<string, unknown>;
  close: () => Promise<void>;
}) {
  const { store } = x;
  const find = (id: string) => store.get(x.seqOf(id));
  return {
    store,
    now: () => store.now(),
    /** Adds a generated order; returns its platform id. */
    addOrder: (o: GenerateOptions & { at?: Date } = {}) => x.idOf(store.add(o).seq),
    updateOrder: (id: string, change: (o: CnOrder) => void) => {
      store.update(find(id).seq, change);
    },
    payOrder: (id: string) => {
      store.pay(find(id).seq);
    },
    cancelOrder: (id: string) => {
      store.cancel(find(id).seq);
    },
    refund: (id: string, lineSeq = 1, status: CnRefund['status'] = 'requested', refundOnly = true) => {
      store.refund(find(id).seq, lineSeq, status, refundOnly);
    },
    changeAddress: (id: string) => {
      store.changeAddress(find(id).seq);
    },
    completeOrder: (id: string) => {
      store.complete(find(id).seq);
    },
    /** Renders the order id with a suffix glued on (and an `order_id_suffix` field), like a broken upstream. */
    glueIdSuffix: (id: string, suffix: string) => {
      store.update(find(id).seq, (o) => {
        x.glued.set(o.seq, suffix);
      });
    },
    /** Every order in the platform's own shape. */
    orders: () => store.list().map(x.render),
    order: (id: string) => x.render(find(id)),
    /** Sellable stock per merchant SKU code as the platform holds it. */
    stock: () => new Map(x.stock),
    setPushUrl: (url: string | null) => {
      x.queue.url = url;
    },
    /** Delivers pending pushes to the push URL (with the duplicate/out-of-order faults), `inFlight` at a time. */
    flushPushes: (inFlight = 1) => x.queue.flush(inFlight),
    pushes: (): SimPush[] => x.queue.delivered,
    close: x.close,
  };
}
