/**
 * A local Alipay open platform: `gateway.do` (RSA2-signed requests checked with the app public key;
 * answers signed with the Alipay private key over the raw `<method>_response` text), the page-pay
 * cashier (`pay()` checks the signed URL), and asynchronous notifications posted as forms to
 * `notify_url`, RSA2-signed, retried until the body is exactly `success`.
 *
 * Methods: alipay.trade.query, alipay.trade.refund, alipay.trade.fastpay.refund.query, alipay.trade.close.
 * Faults on request: lost, duplicated, held and reordered notifications, a skewed clock, tampered
 * bodies, stale notifications, gateway 5xx, `20000` busy answers, timeouts and tampered answers.
 */
import { createSign, createVerify, generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface AlipaySimulatorOptions {
  port?: number;
  /** Delays before each retry of a notification not answered `success` (Alipay: 4m,10m,10m,1h,2h,6h,15h). */
  retryScheduleMs?: number[];
  now?: () => Date;
  appId?: string;
  sellerId?: string;
  /**
   * Whether empty-valued parameters are part of a notification's signed string (unconfirmed on the
   * real platform): `drop` (default) or `keep`.
   */
  notifyEmptyValues?: 'drop' | 'keep';
  /** Send refund notices (refund_fee, gmt_refund, out_biz_no) after refunds; default true. */
  refundNotices?: boolean;
  /** How long a notification waits for the receiver's answer. */
  deliveryTimeoutMs?: number;
}

export interface AlipayFaults {
  /** Drop the next N notifications entirely. */
  loseNext: number;
  /** Send every notification this many extra times after it was acknowledged. */
  duplicates: number;
  /** The next N notifications are each sent once more after they were acknowledged (on top of `duplicates`). */
  duplicateNext: number;
  /** Hold notifications; release() sends them (in order, reversed or shuffled). */
  hold: boolean;
  /** Added to the simulator's clock (notify_time, gmt_*, send_pay_date). */
  clockSkewMs: number;
  /** The next N notification attempts carry a total_amount changed after signing. */
  tamperNext: number;
  /** The next N notification attempts carry a notify_time `staleSeconds` in the past (still correctly signed). */
  staleNext: number;
  staleSeconds: number;
  /** The next N gateway calls answer HTTP `apiErrorStatus` (502 by default). */
  apiErrorNext: number;
  apiErrorStatus: number;
  /** The next N gateway calls answer code 20000 (service unavailable). */
  busyNext: number;
  /** The next N gateway calls hang `apiTimeoutMs`. */
  apiTimeoutNext: number;
  apiTimeoutMs: number;
  /** The next N gateway answers are changed after signing. */
  tamperResponseNext: number;
}

export interface AlipayDelivery {
  notifyId: string;
  tradeStatus: string;
  outTradeNo: string;
  attempt: number;
  status: number | null;
  /** What the receiver answered (only `success` stops the retries). */
  answer: string | null;
  ok: boolean;
  body: string;
  tampered: boolean;
  stale: boolean;
  at: Date;
}

interface Trade {
  trade_no: string;
  out_trade_no: string;
  total_amount: string;
  subject: string;
  trade_status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';
  notify_url: string | null;
  buyer_id: string;
  buyer_logon_id: string;
  gmt_create: string;
  gmt_payment: string | null;
  gmt_close: string | null;
  /** fen */
  paid: number;
  refunds: Array<{ out_request_no: string; fen: number; gmt: string; reason: string }>;
}

interface Notice {
  url: string;
  params: Record<string, string>;
}

const DEFAULT_RETRY_MS = [100, 400, 1_500, 5_000];
const BEIJING_OFFSET_MS = 8 * 3_600_000;

function beijing(d: Date): string {
  return new Date(d.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** Yuan string → fen (exact, integer arithmetic); null when not ≤ 2 decimals. */
function toFen(v: unknown): number | null {
  if (typeof v !== 'string' || !/^\d{1,12}(\.\d{1,2})?$/.test(v)) return null;
  const [i = '0', f = ''] = v.split('.');
  return Number(i) * 100 + Number(f.padEnd(2, '0'));
}

function toYuan(fen: number): string {
  return `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

function signContent(params: Record<string, string>, exclude: readonly string[], dropEmpty: boolean): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k) && !(dropEmpty && params[k] === ''))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function formEncode(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

export async function startAlipaySimulator(opts: AlipaySimulatorOptions = {}) {
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appId = opts.appId ?? `2021${String(randomInt(1e11, 1e12))}`;
  const sellerId = opts.sellerId ?? `2088${String(randomInt(1e11, 1e12))}`;
  const dropEmpty = (opts.notifyEmptyValues ?? 'drop') === 'drop';
  const retrySchedule = opts.retryScheduleMs ?? DEFAULT_RETRY_MS;
  const deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 10_000;
  const clock = opts.now ?? (() => new Date());
  const refundNotices = opts.refundNotices ?? true;
  let closed = false;

  const faults: AlipayFaults = {
    loseNext: 0,
    duplicates: 0,
    duplicateNext: 0,
    hold: false,
    clockSkewMs: 0,
    tamperNext: 0,
    staleNext: 0,
    staleSeconds: 3_600,
    apiErrorNext: 0,
    apiErrorStatus: 502,
    busyNext: 0,
    apiTimeoutNext: 0,
    apiTimeoutMs: 30_000,
    tamperResponseNext: 0,
  };

  const trades = new Map<string, Trade>();
  const held: Notice[] = [];
  const log: AlipayDelivery[] = [];
  const notices: Notice[] = [];
  const inflight = new Set<Promise<void>>();
  const timers = new Map<NodeJS.Timeout, () => void>();

  const now = () => new Date(clock().getTime() + faults.clockSkewMs);

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // A wait that starts after close() (an attempt that was in flight then) does not wait.
      if (closed) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.set(t, resolve);
    });
  }

  function alipaySign(content: string): string {
    return createSign('RSA-SHA256').update(content, 'utf8').sign(alipay.privateKey, 'base64');
  }

  function appVerify(content: string, sign: string): boolean {
    try {
      return createVerify('RSA-SHA256').update(content, 'utf8').verify(app.publicKey, sign, 'base64');
    } catch {
      return false;
    }
  }

  // ---- notifications ---------------------------------------------------------------------------

  function signNotice(params: Record<string, string>): Record<string, string> {
    const p = { ...params, sign_type: 'RSA2' };
    return { ...p, sign: alipaySign(signContent(p, ['sign', 'sign_type'], dropEmpty)) };
  }

  async function attempt(n: Notice, k: number): Promise<boolean> {
    if (closed) return false;
    let params = n.params;
    const stale = faults.staleNext > 0;
    if (stale) {
      faults.staleNext--;
      params = signNotice({
        ...Object.fromEntries(
          Object.entries(params).filter(([key]) => key !== 'sign' && key !== 'sign_type'),
        ),
        notify_time: beijing(new Date(now().getTime() - faults.staleSeconds * 1000)),
      });
    }
    const tampered = faults.tamperNext > 0;
    if (tampered) {
      faults.tamperNext--;
      const fen = toFen(params['total_amount']) ?? 0;
      params = { ...params, total_amount: toYuan(fen * 2) };
    }
    const body = formEncode(params);
    let status: number | null = null;
    let answer: string | null = null;
    try {
      const res = await fetch(n.url, {
        method: 'POST',
        headers: {
          'content-type': `application/x-www-form-urlencoded; charset=${params['charset'] ?? 'utf-8'}`,
        },
        body,
        signal: AbortSignal.timeout(deliveryTimeoutMs),
      });
      status = res.status;
      answer = await res.text();
    } catch {
      status = null;
    }
    const ok = status === 200 && answer === 'success';
    log.push({
      notifyId: params['notify_id'] ?? '',
      tradeStatus: params['trade_status'] ?? '',
      outTradeNo: params['out_trade_no'] ?? '',
      attempt: k,
      status,
      answer,
      ok,
      body,
      tampered,
      stale,
      at: clock(),
    });
    return ok;
  }

  async function deliver(n: Notice, extra = 0): Promise<void> {
    let ok = false;
    for (let i = 0; i <= retrySchedule.length && !closed; i++) {
      if (i > 0) await sleep(retrySchedule[i - 1] ?? 0);
      if (closed) return;
      // Alipay stamps each retry with the time it is sent; notify_id stays the same.
      if (i > 0) n = { ...n, params: signNotice({ ...stripSign(n.params), notify_time: beijing(now()) }) };
      ok = await attempt(n, i + 1);
      if (ok) break;
    }
    for (let d = 0; d < faults.duplicates + extra && ok && !closed; d++) await attempt(n, 1);
  }

  function stripSign(p: Record<string, string>): Record<string, string> {
    const { sign: _s, sign_type: _t, ...rest } = p;
    return rest;
  }

  function dispatch(n: Notice): void {
    if (closed) return;
    const extra = faults.duplicateNext > 0 ? 1 : 0;
    faults.duplicateNext -= extra;
    const p = deliver(n, extra).finally(() => inflight.delete(p));
    inflight.add(p);
  }

  function notify(trade: Trade, extra: Record<string, string> = {}): Record<string, string> | null {
    if (!trade.notify_url) return null;
    const t = now();
    const refunded = trade.refunds.reduce((s, r) => s + r.fen, 0);
    const base: Record<string, string> = {
      notify_time: beijing(t),
      notify_type: 'trade_status_sync',
      notify_id: `${beijing(t).replace(/\D/g, '').slice(0, 8)}0022${randomBytes(10).toString('hex')}`,
      app_id: appId,
      auth_app_id: appId,
      charset: 'utf-8',
      version: '1.0',
      trade_no: trade.trade_no,
      out_trade_no: trade.out_trade_no,
      buyer_id: trade.buyer_id,
      buyer_logon_id: trade.buyer_logon_id,
      seller_id: sellerId,
      seller_email: 'seller@example.com',
      trade_status: trade.trade_status,
      total_amount: trade.total_amount,
      receipt_amount: toYuan(trade.paid),
      invoice_amount: toYuan(trade.paid),
      buyer_pay_amount: toYuan(trade.paid),
      point_amount: '0.00',
      subject: trade.subject,
      body: '',
      gmt_create: trade.gmt_create,
      ...(trade.gmt_payment ? { gmt_payment: trade.gmt_payment } : {}),
      ...(trade.gmt_close ? { gmt_close: trade.gmt_close } : {}),
      fund_bill_list: JSON.stringify([{ amount: toYuan(trade.paid), fundChannel: 'ALIPAYACCOUNT' }]),
      ...(refunded > 0 ? { refund_fee: toYuan(refunded) } : {}),
      ...extra,
    };
    const signed = signNotice(base);
    const n: Notice = { url: trade.notify_url, params: signed };
    notices.push(n);
    if (faults.loseNext > 0) faults.loseNext--;
    else if (faults.hold) held.push(n);
    else dispatch(n);
    return signed;
  }

  // ---- gateway -------------------------------------------------------------------------------

  function respond(res: ServerResponse, method: string, body: Record<string, unknown>, signed = true): void {
    const key = method === '' ? 'error_response' : `${method.replaceAll('.', '_')}_response`;
    const inner = JSON.stringify(body);
    let text = signed ? `{"${key}":${inner},"sign":"${alipaySign(inner)}"}` : `{"${key}":${inner}}`;
    if (faults.tamperResponseNext > 0) {
      faults.tamperResponseNext--;
      text = text
        .replace(/"total_amount":"([\d.]+)"/, '"total_amount":"9999.00"')
        .replace('"msg":"Success"', '"msg":"Success "');
    }
    res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' });
    res.end(text);
  }

  function fail(
    res: ServerResponse,
    method: string,
    code: string,
    msg: string,
    subCode: string,
    subMsg: string,
    signed = true,
  ): void {
    respond(res, method, { code, msg, sub_code: subCode, sub_msg: subMsg }, signed);
  }

  function findTrade(biz: Record<string, unknown>): Trade | undefined {
    if (typeof biz['out_trade_no'] === 'string') return trades.get(biz['out_trade_no']);
    if (typeof biz['trade_no'] === 'string')
      return [...trades.values()].find((t) => t.trade_no === biz['trade_no']);
    return undefined;
  }

  const notExist = (res: ServerResponse, method: string) =>
    fail(res, method, '40004', 'Business Failed', 'ACQ.TRADE_NOT_EXIST', '交易不存在');

  function tradeQuery(res: ServerResponse, method: string, biz: Record<string, unknown>) {
    const trade = findTrade(biz);
    if (!trade) return notExist(res, method);
    respond(res, method, {
      code: '10000',
      msg: 'Success',
      buyer_logon_id: trade.buyer_logon_id,
      buyer_pay_amount: toYuan(trade.paid),
      buyer_user_id: trade.buyer_id,
      invoice_amount: toYuan(trade.paid),
      out_trade_no: trade.out_trade_no,
      point_amount: '0.00',
      receipt_amount: toYuan(trade.paid),
      ...(trade.gmt_payment ? { send_pay_date: trade.gmt_payment } : {}),
      total_amount: trade.total_amount,
      trade_no: trade.trade_no,
      trade_status: trade.trade_status,
    });
  }

  function tradeRefund(res: ServerResponse, method: string, biz: Record<string, unknown>) {
    const trade = findTrade(biz);
    if (!trade) return notExist(res, method);
    const amount = toFen(biz['refund_amount']);
    if (amount === null || amount <= 0)
      return fail(
        res,
        method,
        '40002',
        'Invalid Arguments',
        'isv.invalid-parameter',
        'refund_amount 格式错误',
      );
    const requestNo =
      typeof biz['out_request_no'] === 'string' && biz['out_request_no']
        ? biz['out_request_no']
        : trade.out_trade_no;
    const refundedBefore = trade.refunds.reduce((s, r) => s + r.fen, 0);
    const existing = trade.refunds.find((r) => r.out_request_no === requestNo);
    if (existing) {
      if (existing.fen !== amount)
        return fail(
          res,
          method,
          '40004',
          'Business Failed',
          'ACQ.REQUEST_AMOUNT_EXCEED',
          '同一退款请求号金额不一致',
        );
      return respond(res, method, refundAnswer(trade, refundedBefore, 'N', existing.gmt));
    }
    if (trade.trade_status !== 'TRADE_SUCCESS')
      return fail(res, method, '40004', 'Business Failed', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    if (refundedBefore + amount > trade.paid)
      return fail(res, method, '40004', 'Business Failed', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    const gmt = beijing(now());
    trade.refunds.push({
      out_request_no: requestNo,
      fen: amount,
      gmt,
      reason: typeof biz['refund_reason'] === 'string' ? biz['refund_reason'] : '',
    });
    const full = refundedBefore + amount === trade.paid;
    if (full) {
      trade.trade_status = 'TRADE_CLOSED';
      trade.gmt_close = gmt;
    }
    respond(res, method, refundAnswer(trade, refundedBefore + amount, 'Y', gmt));
    // gmt_refund carries milliseconds (yyyy-MM-dd HH:mm:ss.SSS).
    if (refundNotices)
      notify(trade, {
        out_biz_no: requestNo,
        gmt_refund: `${gmt}.${String(randomInt(0, 1000)).padStart(3, '0')}`,
      });
  }

  function refundAnswer(
    trade: Trade,
    refundedFen: number,
    fundChange: 'Y' | 'N',
    gmt: string,
  ): Record<string, unknown> {
    return {
      code: '10000',
      msg: 'Success',
      buyer_logon_id: trade.buyer_logon_id,
      buyer_user_id: trade.buyer_id,
      fund_change: fundChange,
      gmt_refund_pay: gmt,
      out_trade_no: trade.out_trade_no,
      refund_fee: toYuan(refundedFen),
      send_back_fee: toYuan(refundedFen),
      trade_no: trade.trade_no,
    };
  }

  function refundQuery(res: ServerResponse, method: string, biz: Record<string, unknown>) {
    const trade = findTrade(biz);
    if (!trade) return notExist(res, method);
    const requestNo = typeof biz['out_request_no'] === 'string' ? biz['out_request_no'] : '';
    const r = trade.refunds.find((x) => x.out_request_no === requestNo);
    // Alipay answers 10000 with no refund data when the refund did not happen.
    if (!r) return respond(res, method, { code: '10000', msg: 'Success' });
    respond(res, method, {
      code: '10000',
      msg: 'Success',
      out_request_no: r.out_request_no,
      out_trade_no: trade.out_trade_no,
      refund_amount: toYuan(r.fen),
      refund_reason: r.reason,
      refund_status: 'REFUND_SUCCESS',
      total_amount: trade.total_amount,
      trade_no: trade.trade_no,
      gmt_refund_pay: r.gmt,
    });
  }

  function tradeClose(res: ServerResponse, method: string, biz: Record<string, unknown>) {
    const trade = findTrade(biz);
    if (!trade) return notExist(res, method);
    if (trade.trade_status !== 'WAIT_BUYER_PAY')
      return fail(res, method, '40004', 'Business Failed', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    trade.trade_status = 'TRADE_CLOSED';
    trade.gmt_close = beijing(now());
    respond(res, method, {
      code: '10000',
      msg: 'Success',
      out_trade_no: trade.out_trade_no,
      trade_no: trade.trade_no,
    });
    notify(trade);
  }

  const METHODS: Record<string, (res: ServerResponse, method: string, biz: Record<string, unknown>) => void> =
    {
      'alipay.trade.query': tradeQuery,
      'alipay.trade.refund': tradeRefund,
      'alipay.trade.fastpay.refund.query': refundQuery,
      'alipay.trade.close': tradeClose,
    };

  /** Checks a signed request's parameters; an error answer's (sub_code, sub_msg) or null. */
  function checkRequest(params: Record<string, string>): [string, string] | null {
    if (params['app_id'] !== appId)
      return ['isv.invalid-app-id', `无效的AppID参数: ${params['app_id'] ?? ''}`];
    if (params['sign_type'] !== 'RSA2') return ['isv.invalid-signature-type', '无效的签名类型'];
    const sign = params['sign'];
    if (!sign || !appVerify(signContent(params, ['sign'], false), sign))
      return ['isv.invalid-signature', '验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配'];
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(params['timestamp'] ?? ''))
      return ['isv.invalid-timestamp', '非法的时间戳参数'];
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    if (url.pathname !== '/gateway.do') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (faults.apiTimeoutNext > 0) {
      faults.apiTimeoutNext--;
      await sleep(faults.apiTimeoutMs);
      if (!res.destroyed) {
        res.writeHead(504);
        res.end();
      }
      return;
    }
    if (faults.apiErrorNext > 0) {
      faults.apiErrorNext--;
      res.writeHead(faults.apiErrorStatus, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
      return;
    }
    const params: Record<string, string> = {};
    for (const [k, v] of url.searchParams) params[k] = v;
    if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) params[k] = v;
    const method = params['method'] ?? '';
    if (faults.busyNext > 0) {
      faults.busyNext--;
      return fail(
        res,
        method,
        '20000',
        'Service Currently Unavailable',
        'isp.unknow-error',
        '系统繁忙',
        false,
      );
    }
    const handler = METHODS[method];
    if (!handler)
      return fail(
        res,
        '',
        '40002',
        'Invalid Arguments',
        'isv.invalid-method',
        `不存在的方法名: ${method}`,
        false,
      );
    const refused = checkRequest(params);
    if (refused) return fail(res, method, '40002', 'Invalid Arguments', refused[0], refused[1], false);
    let biz: Record<string, unknown>;
    try {
      biz = JSON.parse(params['biz_content'] ?? '{}') as Record<string, unknown>;
    } catch {
      return fail(
        res,
        method,
        '40002',
        'Invalid Arguments',
        'isv.invalid-parameter',
        'biz_content 不是 JSON',
      );
    }
    handler(res, method, biz);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500);
        res.end(String(err));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const appPrivateKey = app.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const alipayPublicKey = alipay.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  function tradeOf(outTradeNo: string): Trade {
    const t = trades.get(outTradeNo);
    if (!t) throw new Error(`no trade ${outTradeNo}`);
    return t;
  }

  return {
    /** The gateway URL (`…/gateway.do`), to use as the account's base URL. */
    url: `http://127.0.0.1:${port}/gateway.do`,
    accountSettings: { appId, appPrivateKey, alipayPublicKey, sellerId },
    /** The other halves, for tests that sign as Alipay or check what the app signed. */
    keys: {
      alipayPrivateKey: alipay.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      appPublicKey: app.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
    faults,
    /**
     * The buyer opens the page-pay URL and pays (or only opens the cashier with `open: true`). The URL's
     * RSA2 signature, app_id and method are checked as the cashier would; the trade is recorded and the
     * notification posted to its notify_url. `amount` (fen) overrides what the buyer pays.
     */
    pay(
      client: { payUrl?: string } | Record<string, string>,
      payOpts: { amount?: number; open?: boolean } = {},
    ) {
      const payUrl = (client as { payUrl?: string }).payUrl;
      if (!payUrl) throw new Error('no payUrl');
      const u = new URL(payUrl);
      const params: Record<string, string> = {};
      for (const [k, v] of u.searchParams) params[k] = v;
      if (u.pathname !== '/gateway.do') throw new Error(`the cashier is at /gateway.do, not ${u.pathname}`);
      const refused = checkRequest(params);
      if (refused) throw new Error(`cashier refused the URL: ${refused[0]}`);
      if (params['method'] !== 'alipay.trade.page.pay')
        throw new Error(`not a page pay URL: ${params['method'] ?? ''}`);
      const biz = JSON.parse(params['biz_content'] ?? '{}') as Record<string, unknown>;
      const outTradeNo = biz['out_trade_no'];
      const total = toFen(biz['total_amount']);
      if (typeof outTradeNo !== 'string' || !outTradeNo || total === null || total <= 0)
        throw new Error('biz_content needs out_trade_no and total_amount');
      if (biz['product_code'] !== 'FAST_INSTANT_TRADE_PAY')
        throw new Error('page pay needs product_code FAST_INSTANT_TRADE_PAY');
      let trade = trades.get(outTradeNo);
      if (trade && trade.trade_status !== 'WAIT_BUYER_PAY')
        throw new Error(`trade ${outTradeNo} is ${trade.trade_status}`);
      const t = beijing(now());
      if (!trade) {
        trade = {
          trade_no: `${t.replace(/\D/g, '').slice(0, 8)}22001${String(randomInt(1e9, 1e10))}${String(randomInt(1e5, 1e6))}`,
          out_trade_no: outTradeNo,
          total_amount: String(biz['total_amount']),
          subject: String(biz['subject'] ?? ''),
          trade_status: 'WAIT_BUYER_PAY',
          notify_url: params['notify_url'] ?? null,
          buyer_id: `2088${String(randomInt(1e11, 1e12))}`,
          buyer_logon_id: 'buy***@example.com',
          gmt_create: t,
          gmt_payment: null,
          gmt_close: null,
          paid: 0,
          refunds: [],
        };
        trades.set(outTradeNo, trade);
      }
      if (payOpts.open) return { ...trade, refunds: [...trade.refunds] };
      trade.trade_status = 'TRADE_SUCCESS';
      trade.gmt_payment = t;
      trade.paid = payOpts.amount ?? total;
      if (payOpts.amount !== undefined) trade.total_amount = toYuan(payOpts.amount);
      notify(trade);
      return { ...trade, refunds: [...trade.refunds] };
    },
    /** The refund window ends: TRADE_FINISHED for a paid trade (same trade_no). */
    finish(outTradeNo: string) {
      const trade = tradeOf(outTradeNo);
      if (trade.trade_status !== 'TRADE_SUCCESS')
        throw new Error(`trade ${outTradeNo} is ${trade.trade_status}`);
      trade.trade_status = 'TRADE_FINISHED';
      const refunded = trade.refunds.reduce((s, r) => s + r.fen, 0);
      return notify(trade, { refund_fee: toYuan(refunded) });
    },
    /** The unpaid trade times out: TRADE_CLOSED. */
    expire(outTradeNo: string) {
      const trade = tradeOf(outTradeNo);
      if (trade.trade_status !== 'WAIT_BUYER_PAY')
        throw new Error(`trade ${outTradeNo} is ${trade.trade_status}`);
      trade.trade_status = 'TRADE_CLOSED';
      trade.gmt_close = beijing(now());
      return notify(trade);
    },
    /** Signs parameters as an Alipay notification would be signed (for hand-made notices). */
    signNotification: (params: Record<string, string>) => signNotice(params),
    /** Sends held notifications in order, reversed or shuffled, one after the other. */
    release(order: 'fifo' | 'reverse' | 'shuffle' = 'fifo') {
      const list = held.splice(0);
      if (order === 'reverse') list.reverse();
      if (order === 'shuffle')
        for (let i = list.length - 1; i > 0; i--) {
          const j = randomInt(0, i + 1);
          [list[i], list[j]] = [list[j] as Notice, list[i] as Notice];
        }
      const p = (async () => {
        for (const n of list) await deliver(n);
      })().finally(() => inflight.delete(p));
      inflight.add(p);
    },
    trade: (outTradeNo: string) => {
      const t = trades.get(outTradeNo);
      return t ? { ...t, refunds: [...t.refunds] } : undefined;
    },
    notifications: () => notices.map((n) => ({ url: n.url, params: { ...n.params } })),
    deliveries: () => log.map((d) => ({ ...d })),
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    async close() {
      closed = true;
      for (const [t, wake] of timers) {
        clearTimeout(t);
        wake();
      }
      timers.clear();
      await Promise.allSettled([...inflight]);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type AlipaySimulator = Awaited<ReturnType<typeof startAlipaySimulator>>;
