/**
 * `orderhub simulate --payments`: the payments half of the live demo. Starts the WeChat Pay v3,
 * Alipay and Stripe simulators of `@orderhub/simulators`, registers one payment account per
 * provider on a running orderhub through its HTTP API (reused on a later run: repointed at the new
 * simulators, with their new keys), and streams buyers: an order from the merchant's own
 * storefront waiting for payment, a payment attempt at one of the providers, and — a few seconds
 * later, like a buyer scanning a QR code — the payment at the simulator, which signs and delivers
 * its callback the provider's way, on the provider's own retry schedule.
 *
 * The providers' everyday faults are part of the stream, so the demo shows what orderhub does about
 * them: a callback delivered twice (one voucher, the order paid once), a callback lost on the way
 * (the active query finds the payment after its delay, default 5 minutes), a buyer who never pays
 * (the order's stock is released by its timer). Nothing here writes to orderhub's database.
 */
import {
  CATALOGUE,
  CnOrderGenerator,
  startAlipaySimulator,
  startStripeSimulator,
  startWechatPaySimulator,
  WECHATPAY_RETRY_SCHEDULE_MS,
} from '@orderhub/simulators';
import { apiClient, problem } from './simulate.ts';

export const SIM_PROVIDERS = ['wechatpay', 'alipay', 'stripe'] as const;
export type SimProvider = (typeof SIM_PROVIDERS)[number];

const NAME: Record<SimProvider, string> = {
  wechatpay: '微信支付（模拟）',
  alipay: '支付宝（模拟）',
  stripe: 'Stripe（模拟）',
};

/** Alipay's documented notification retries: 4m, 10m, 10m, 1h, 2h, 6h, 15h. */
const ALIPAY_RETRY_SCHEDULE_MS = [4, 10, 10, 60, 120, 360, 900].map((m) => m * 60_000);
/** Stripe retries with exponential back-off over three days; the first steps of it. */
const STRIPE_RETRY_SCHEDULE_MS = [1, 5, 30, 120, 300, 600, 1440].map((m) => m * 60_000);

export interface PaymentsSimulateOptions {
  server: string;
  /** Where the Stripe simulator delivers its events (`<notifyBase>/api/payments/notify/<code>`), when the server sees it differently; default `server`. WeChat Pay and Alipay are told by the server itself (its payments `publicUrl`). */
  notifyBase?: string;
  /** An API token allowed payments:manage, orders:write and catalog:manage (an admin's). */
  token: string;
  providers: readonly SimProvider[];
  /** Buyers per minute, over all providers. */
  rate: number;
  durationSeconds?: number;
  /** Account codes are `<prefix>-<provider>`. */
  prefix: string;
  /** The channel account the demo orders come from (the merchant's own storefront). */
  channelAccount: string;
  seed: number;
  /** Share of payments whose callback the simulator duplicates / loses (0…1). */
  duplicateShare: number;
  lostShare: number;
  /** Share of buyers who never pay. */
  abandonShare: number;
  print: (line: string) => void;
}

export interface PaymentsSimulateSummary {
  orders: number;
  paid: number;
  abandoned: number;
  duplicated: number;
  lost: number;
  failed: number;
  /** Per provider: order ids with a payment made at the simulator. */
  paidOrders: Record<string, string[]>;
  seconds: number;
}

export interface PaymentsSimulateRun {
  /** Payment account code → id. */
  accounts: Record<string, string>;
  /** Settles when the stream of new buyers ends; payments already on their way still come. */
  streamed: Promise<PaymentsSimulateSummary>;
  stopStream(): void;
  /** After the stream: resolves once every buyer on his way has paid and the callbacks were answered. */
  settle(): Promise<PaymentsSimulateSummary>;
  close(): Promise<PaymentsSimulateSummary>;
}

interface Driven {
  provider: SimProvider;
  code: string;
  url: string;
  settings: Record<string, unknown>;
  /** After the account exists: where callbacks go, for providers configured on their side (Stripe). */
  setNotifyUrl(url: string): void;
  pay(client: Record<string, string>): void;
  /** No callback in flight (deliveries waiting for a retry count as in flight). */
  idle(): Promise<void>;
  /** The next callback is delivered twice / never. */
  duplicateNext(): void;
  loseNext(): void;
  close(): Promise<void>;
}

async function startDriven(provider: SimProvider, code: string): Promise<Driven> {
  if (provider === 'wechatpay') {
    const sim = await startWechatPaySimulator({ retryScheduleMs: WECHATPAY_RETRY_SCHEDULE_MS });
    return {
      provider,
      code,
      url: sim.url,
      settings: { ...sim.accountSettings },
      setNotifyUrl: () => {},
      pay: (c) => void sim.pay(c),
      idle: () => sim.idle(),
      duplicateNext: () => {
        sim.faults.duplicate += 1;
        sim.faults.duplicateCopies = Math.max(sim.faults.duplicateCopies, 2);
      },
      loseNext: () => {
        sim.faults.lose += 1;
      },
      close: () => sim.close(),
    };
  }
  if (provider === 'alipay') {
    const sim = await startAlipaySimulator({ retryScheduleMs: ALIPAY_RETRY_SCHEDULE_MS });
    return {
      provider,
      code,
      url: sim.url,
      settings: { ...sim.accountSettings },
      setNotifyUrl: () => {},
      pay: (c) => void sim.pay(c),
      idle: () => sim.idle(),
      duplicateNext: () => {
        sim.faults.duplicateNext += 1;
      },
      loseNext: () => {
        sim.faults.loseNext += 1;
      },
      close: () => sim.close(),
    };
  }
  const sim = await startStripeSimulator({ retryScheduleMs: STRIPE_RETRY_SCHEDULE_MS });
  return {
    provider,
    code,
    url: sim.url,
    settings: { ...sim.accountSettings },
    setNotifyUrl: (u) => sim.setWebhookUrl(u),
    pay: (c) => void sim.pay(c),
    idle: () => sim.idle(),
    duplicateNext: () => {
      sim.faults.duplicateNext += 1;
    },
    loseNext: () => {
      sim.faults.loseNext += 1;
    },
    close: () => sim.close(),
  };
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

export async function startPaymentsSimulate(o: PaymentsSimulateOptions): Promise<PaymentsSimulateRun> {
  const server = o.server.replace(/\/+$/, '');
  const api = apiClient(server, o.token);
  const print = o.print;
  const clock = () => new Date().toISOString().slice(11, 19);

  const list = await api<{ id: string; code: string }[]>('GET', '/api/payment-accounts').catch((e: Error) => {
    throw new Error(`cannot reach orderhub at ${server}: ${e.message}`);
  });
  if (list.status !== 200) throw problem('listing payment accounts', list);
  const existing = new Map(list.body.map((a) => [a.code, a.id]));

  const driven: Driven[] = [];
  try {
    for (const p of o.providers) driven.push(await startDriven(p, `${o.prefix}-${p}`));
  } catch (e) {
    await Promise.all(driven.map((d) => d.close()));
    throw e;
  }
  const accounts: Record<string, string> = {};
  try {
    let added = 0;
    for (const item of CATALOGUE) {
      const res = await api('POST', '/api/skus', { code: item.code, name: item.title, tracked: false });
      if (res.status === 201) added++;
      else if ((res.body as { code?: string })?.code !== 'SKU_CODE_TAKEN')
        throw problem(`adding SKU ${item.code}`, res);
    }
    print(`SKU master: ${added} added, ${CATALOGUE.length - added} already there`);
    for (const d of driven) {
      const known = existing.get(d.code);
      const res = known
        ? await api<{ id: string; notifyUrl: string }>('PATCH', `/api/payment-accounts/${known}`, {
            baseUrl: d.url,
            settings: d.settings,
            active: true,
          })
        : await api<{ id: string; notifyUrl: string }>('POST', '/api/payment-accounts', {
            code: d.code,
            name: NAME[d.provider],
            provider: d.provider,
            baseUrl: d.url,
            settings: d.settings,
          });
      if (res.status !== 200 && res.status !== 201) throw problem(`registering ${d.code}`, res);
      accounts[d.code] = res.body.id;
      const notifyBase = (o.notifyBase ?? server).replace(/\/+$/, '');
      d.setNotifyUrl(`${notifyBase}/api/payments/notify/${encodeURIComponent(d.code)}`);
      print(
        `${NAME[d.provider]} simulator at ${d.url} → payment account ${d.code} (${known ? 'repointed' : 'added'})`,
      );
    }
  } catch (e) {
    await Promise.all(driven.map((d) => d.close()));
    throw e;
  }

  const gen = new CnOrderGenerator(o.seed);
  const r = gen.random;
  const summary: PaymentsSimulateSummary = {
    orders: 0,
    paid: 0,
    abandoned: 0,
    duplicated: 0,
    lost: 0,
    failed: 0,
    paidOrders: Object.fromEntries(driven.map((d) => [d.code, []])),
    seconds: 0,
  };
  const started = Date.now();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let closed = false;
  let buyersOnTheWay = 0;
  let resolveStream!: () => void;
  const done = new Promise<void>((res) => {
    resolveStream = res;
  });
  const run = `${o.seed}-${started.toString(36)}`;

  async function buyer(n: number) {
    const d = driven[Math.floor(r() * driven.length)]!;
    const at = new Date();
    const cn = gen.order(n, at);
    const goods = cn.lines.reduce((a, l) => a + l.unitFen * l.qty, 0);
    const total = goods + cn.shippingFen - cn.couponFen;
    const created = await api<{ order: { id: string; orderNo: string } }>('POST', '/api/orders', {
      channelAccount: o.channelAccount,
      externalOrderId: `PAY-${run}-${n}`,
      currency: 'CNY',
      status: 'pending_payment',
      placedAt: at.toISOString(),
      buyer: { nick: cn.buyerNick },
      receiver: {
        name: cn.receiver.name,
        phone: cn.receiver.phone,
        province: cn.receiver.province,
        city: cn.receiver.city,
        district: cn.receiver.district,
        detail: cn.receiver.detail,
      },
      lines: cn.lines.map((l) => ({
        channelSku: l.skuCode,
        sku: l.skuCode,
        title: l.title,
        quantity: l.qty,
        unitPrice: l.unitFen,
      })),
      shippingFee: cn.shippingFen,
      discount: cn.couponFen,
      total,
    });
    if (created.status !== 201) throw problem('creating an order', created);
    const order = created.body.order;
    summary.orders++;
    const attempt = await api<{ merchantTradeNo: string; client: Record<string, string> }>(
      'POST',
      `/api/orders/${order.id}/payments`,
      { paymentAccount: d.code },
    );
    if (attempt.status !== 201) throw problem(`starting a payment of ${order.orderNo}`, attempt);
    print(
      `[${clock()}] ${order.orderNo} ${cn.receiver.name} ${yuan(total)} → ${NAME[d.provider]}, trade ${attempt.body.merchantTradeNo}`,
    );
    const roll = r();
    if (roll < o.abandonShare) {
      summary.abandoned++;
      print(`[${clock()}] ${order.orderNo} the buyer leaves without paying (the order's timer releases it)`);
      return;
    }
    const delay = 2_000 + Math.floor(r() * 13_000);
    const t = setTimeout(() => {
      timers.delete(t);
      if (closed) return;
      let fault = '';
      const f = r();
      if (f < o.lostShare) {
        d.loseNext();
        summary.lost++;
        fault = ' — its callback is lost on the way (the active query finds it)';
      } else if (f < o.lostShare + o.duplicateShare) {
        d.duplicateNext();
        summary.duplicated++;
        fault = ' — its callback comes twice (counted once)';
      }
      try {
        d.pay(attempt.body.client);
        summary.paid++;
        summary.paidOrders[d.code]!.push(order.id);
        print(`[${clock()}] ${order.orderNo} paid ${yuan(total)} at ${NAME[d.provider]}${fault}`);
      } catch (e) {
        summary.failed++;
        print(`[${clock()}] ${order.orderNo} payment failed at the simulator: ${(e as Error).message}`);
      }
    }, delay);
    timers.add(t);
  }

  let n = 0;
  const interval = Math.max(50, Math.round(60_000 / o.rate));
  const tick = setInterval(() => {
    if (stopped) return;
    n++;
    buyersOnTheWay++;
    buyer(n)
      .catch((e: Error) => {
        summary.failed++;
        print(`[${clock()}] ${e.message}`);
      })
      .finally(() => buyersOnTheWay--);
  }, interval);
  const end = o.durationSeconds ? setTimeout(() => stopStream(), o.durationSeconds * 1000) : null;
  function stopStream() {
    if (stopped) return;
    stopped = true;
    clearInterval(tick);
    if (end) clearTimeout(end);
    summary.seconds = Math.round((Date.now() - started) / 1000);
    resolveStream();
  }
  const streamed = done.then(() => summary);
  return {
    accounts,
    streamed,
    stopStream,
    async settle() {
      await done;
      while ((timers.size || buyersOnTheWay) && !closed) await new Promise((r) => setTimeout(r, 100));
      await Promise.all(driven.map((d) => d.idle()));
      return summary;
    },
    async close() {
      stopStream();
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all(driven.map((d) => d.close()));
      return summary;
    },
  };
}

export function paymentsSummaryLines(s: PaymentsSimulateSummary): string[] {
  return [
    `payments: ${s.orders} buyers in ${s.seconds} s — ${s.paid} paid, ${s.abandoned} left without paying` +
      `${s.failed ? `, ${s.failed} failed` : ''}`,
    `  callbacks sent twice: ${s.duplicated}; lost on the way: ${s.lost} (found by the active query after its delay)`,
    ...Object.entries(s.paidOrders).map(([code, ids]) => `  ${code}: ${ids.length} paid`),
  ];
}
