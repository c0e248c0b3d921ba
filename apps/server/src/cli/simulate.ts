/**
 * `orderhub simulate`: the live demo. Starts the platform simulators of `@orderhub/simulators`
 * (Taobao TOP, JD JOS, Pinduoduo, Douyin shop, Shopify), registers one channel account per platform
 * on a running orderhub through its HTTP API (reusing the accounts on a later run: their connection
 * is pointed at the new simulators), puts the simulators' SKUs in the master, and streams realistic
 * orders and changes at a chosen rate. The simulators push each change to the server's push
 * endpoint, signed the platform's way; the server's own sync pulls them as well. Nothing here
 * writes to orderhub's database: everything goes through the API, as a platform and a merchant
 * would.
 */
import {
  CATALOGUE,
  type CnOrder,
  type CnSimPush,
  startDouyinSimulator,
  startJdSimulator,
  startPinduoduoSimulator,
  startShopifySimulator,
  startTaobaoSimulator,
} from '@orderhub/simulators';

export const SIM_PLATFORMS = ['taobao', 'jd', 'pinduoduo', 'douyin', 'shopify'] as const;
export type SimPlatform = (typeof SIM_PLATFORMS)[number];

const LABEL: Record<SimPlatform, { zh: string; en: string }> = {
  taobao: { zh: '淘宝', en: 'Taobao' },
  jd: { zh: '京东', en: 'JD' },
  pinduoduo: { zh: '拼多多', en: 'Pinduoduo' },
  douyin: { zh: '抖店', en: 'Douyin' },
  shopify: { zh: 'Shopify', en: 'Shopify' },
};

export interface SimulateOptions {
  /** orderhub's address, e.g. http://127.0.0.1:8080 */
  server: string;
  /** An API token allowed channels:manage and catalog:manage (an admin's). */
  token: string;
  platforms: readonly SimPlatform[];
  /** Events (new orders and changes) per minute, over all platforms. */
  rate: number;
  /** Seconds of streaming; undefined: until stopped. */
  durationSeconds?: number;
  /** Account codes are `<prefix>-<platform>`. */
  prefix: string;
  /** How often the server pulls each account (seconds, at least 30). */
  syncIntervalSeconds: number;
  /** Where the simulators push; default `<server>/api/channels/push/<code>`. */
  pushBase?: string;
  seed: number;
  /** One line per event. */
  print: (line: string) => void;
}

export interface SimulateSummary {
  /** Per account code: the platform order ids created, in order. */
  orders: Record<string, string[]>;
  created: number;
  changes: Record<string, number>;
  pushesDelivered: number;
  pushesRefused: number;
  pushesFailed: number;
  seconds: number;
}

export interface SimulateRun {
  /** Accounts registered (code → id) once set up. */
  accounts: Record<string, string>;
  /** Settles when the stream ends (duration reached or `stopStream()`); the simulators stay up. */
  streamed: Promise<SimulateSummary>;
  /** Ends the stream early (the simulators stay up). */
  stopStream(): void;
  /** Ends the stream, closes the simulators; answers the summary. */
  close(): Promise<SimulateSummary>;
}

/** The control surface the stream uses, the same for every simulator. */
interface Driven {
  platform: SimPlatform;
  code: string;
  url: string;
  credentials: Record<string, unknown>;
  settings: Record<string, unknown>;
  skus: { code: string; name: string }[];
  setPushUrl(url: string): void;
  newOrder(r: () => number): { id: string; words: string };
  changes: { kind: string; weight: number; run(id: string): string | null }[];
  flush(): Promise<CnSimPush[] | null>;
  close(): Promise<void>;
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

function cnWords(o: CnOrder): string {
  const rc = o.receiver;
  const goods = o.lines.reduce((a, l) => a + l.unitFen * l.qty, 0);
  const pay = goods + o.shippingFen - o.couponFen;
  const lines = o.lines.map((l) => `${l.skuCode}×${l.qty}`).join(', ');
  return (
    `${rc.name}, ${rc.province}${rc.city}${rc.district}, ${o.lines.length} line(s) [${lines}], ` +
    `${yuan(pay)}${o.couponFen ? ` after a ${yuan(o.couponFen)} coupon` : ''}` +
    `${o.shippingFen ? `, shipping ${yuan(o.shippingFen)}` : ''}${o.status === 'unpaid' ? ', not paid yet' : ''}`
  );
}

async function startDriven(platform: SimPlatform, code: string, seed: number): Promise<Driven> {
  const cnSkus = CATALOGUE.map((c) => ({ code: c.code, name: c.title }));
  if (platform === 'shopify') {
    const sim = await startShopifySimulator({ seed });
    const words = (id: string) => {
      const o = sim.order(id) as Record<string, unknown> | null;
      if (!o) return id;
      const a = (o['shipping_address'] ?? {}) as Record<string, string>;
      const items = (o['line_items'] ?? []) as { sku: string; quantity: number }[];
      return `${a['name'] ?? ''}, ${a['city'] ?? ''} ${a['country_code'] ?? ''}, ${items.length} line(s) [${items.map((l) => `${l.sku}×${l.quantity}`).join(', ')}], ${String(o['total_price'])} ${String(o['currency'])}`;
    };
    return {
      platform,
      code,
      url: sim.url,
      credentials: sim.credentials,
      // With the per-SKU inventory item ids, stock pushes reach the shop's location.
      settings: {
        apiVersion: sim.settings.apiVersion,
        locationId: sim.settings.locationId,
        inventoryItemIds: sim.settings.inventoryItemIds,
      },
      skus: Object.keys(sim.settings.inventoryItemIds).map((c) => ({ code: c, name: c })),
      setPushUrl: (u) => sim.setWebhookUrl(u),
      newOrder: (r) => {
        const id = sim.addOrder(r() < 0.3 ? { discountPercent: 10 } : {});
        return { id, words: words(id) };
      },
      changes: [
        {
          kind: 'cancelled',
          weight: 1,
          run: (id) => {
            sim.cancelOrder(id);
            return 'cancelled by the customer';
          },
        },
        {
          kind: 'refund',
          weight: 1,
          run: (id) => {
            sim.refund(id);
            return 'a line refunded';
          },
        },
      ],
      // Shopify delivers its webhooks itself, with its retry schedule.
      flush: async () => null,
      close: () => sim.close(),
    };
  }
  const sim =
    platform === 'taobao'
      ? await startTaobaoSimulator({ seed, privacy: false })
      : platform === 'jd'
        ? await startJdSimulator({ seed })
        : platform === 'pinduoduo'
          ? await startPinduoduoSimulator({ seed })
          : await startDouyinSimulator({ seed });
  const status = new Map<string, 'unpaid' | 'open' | 'closed'>();
  const lastOrder = (id: string): CnOrder | null => {
    if ('store' in sim) return sim.store.list().at(-1) ?? null;
    void id;
    return null;
  };
  const douyinWords = (id: string) => {
    if (!('plainReceiver' in sim)) return id;
    const rc = sim.plainReceiver(id);
    const o = (sim.order(id) ?? {}) as Record<string, unknown>;
    const skus = Array.isArray(o['sku_order_list']) ? o['sku_order_list'].length : '?';
    const pay = typeof o['pay_amount'] === 'number' ? `, ${yuan(o['pay_amount'])}` : '';
    return `${rc.name}, ${rc.province}${rc.city}${rc.district}, ${skus} line(s)${pay}`;
  };
  const pay = (id: string) => {
    if ('payOrder' in sim) sim.payOrder(id);
    else sim.pay(id);
  };
  return {
    platform,
    code,
    url: sim.url,
    credentials: sim.credentials,
    settings: 'settings' in sim ? (sim.settings as Record<string, unknown>) : {},
    skus: cnSkus,
    setPushUrl: (u) => sim.setPushUrl(u),
    newOrder: (r) => {
      // JD's order APIs show an order only once it is paid: its demo orders come paid.
      const unpaid = r() < 0.15 && platform !== 'jd';
      const id = sim.addOrder(unpaid ? { status: 'unpaid' } : {});
      status.set(id, unpaid ? 'unpaid' : 'open');
      const o = lastOrder(id);
      return { id, words: o ? cnWords(o) : douyinWords(id) };
    },
    changes: [
      {
        kind: 'paid',
        weight: 2,
        run: (id) => {
          if (status.get(id) !== 'unpaid') return null;
          pay(id);
          status.set(id, 'open');
          return 'paid by the buyer';
        },
      },
      {
        kind: 'address',
        weight: 2,
        run: (id) => {
          if (status.get(id) === 'closed') return null;
          sim.changeAddress(id);
          return 'the buyer changed the address';
        },
      },
      {
        kind: 'refund',
        weight: 2,
        run: (id) => {
          if (status.get(id) !== 'open') return null;
          sim.refund(id, 1, 'requested', true);
          return 'refund requested on line 1 (仅退款, refund only)';
        },
      },
      {
        kind: 'cancelled',
        weight: 1,
        run: (id) => {
          if (status.get(id) === 'closed') return null;
          const was = status.get(id);
          sim.cancelOrder(id);
          status.set(id, 'closed');
          return was === 'unpaid' ? 'closed unpaid' : 'cancelled by the buyer (refunded)';
        },
      },
    ],
    flush: () => sim.flushPushes(4),
    close: () => sim.close(),
  };
}

/** A small HTTP client for orderhub's API; errors carry the problem's code and message. */
export function apiClient(server: string, token: string) {
  return async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${server}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: parsed as T };
  };
}

export function problem(what: string, res: { status: number; body: unknown }): Error {
  const b = (res.body ?? {}) as { code?: string; detail?: string; message?: string };
  return new Error(
    `${what}: HTTP ${res.status}${b.code ? ` ${b.code}` : ''}${b.detail || b.message ? `: ${b.detail ?? b.message}` : ''}`,
  );
}

/** Deterministic pseudo-random numbers (the same seed streams the same demo). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startSimulate(o: SimulateOptions): Promise<SimulateRun> {
  const server = o.server.replace(/\/+$/, '');
  const api = apiClient(server, o.token);
  const print = o.print;
  const clock = () => new Date().toISOString().slice(11, 19);

  // The server first: a wrong address or token is said before anything starts.
  const list = await api<{ id: string; code: string }[]>('GET', '/api/channel-accounts').catch((e: Error) => {
    throw new Error(`cannot reach orderhub at ${server}: ${e.message}`);
  });
  if (list.status !== 200) throw problem('listing channel accounts', list);
  const existing = new Map(list.body.map((a) => [a.code, a.id]));

  const driven: Driven[] = [];
  try {
    for (const [i, platform] of o.platforms.entries())
      driven.push(await startDriven(platform, `${o.prefix}-${platform}`, o.seed + i));
  } catch (e) {
    await Promise.all(driven.map((d) => d.close()));
    throw e;
  }
  const accounts: Record<string, string> = {};
  try {
    // The simulators' SKUs in the master (untracked: the demo keeps no stock), so lines resolve.
    const skus = new Map(driven.flatMap((d) => d.skus.map((s) => [s.code, s.name] as const)));
    let added = 0;
    for (const [code, name] of skus) {
      const res = await api('POST', '/api/skus', { code, name, tracked: false });
      if (res.status === 201) added++;
      else if ((res.body as { code?: string })?.code !== 'SKU_CODE_TAKEN')
        throw problem(`adding SKU ${code}`, res);
    }
    print(`SKU master: ${added} added, ${skus.size - added} already there`);

    for (const d of driven) {
      const connection = {
        credentials: d.credentials,
        baseUrl: d.url,
        syncIntervalSeconds: o.syncIntervalSeconds,
        connectorSettings: d.settings,
      };
      const known = existing.get(d.code);
      if (known) {
        const res = await api('PATCH', `/api/channel-accounts/${known}`, { ...connection, active: true });
        if (res.status !== 200) throw problem(`updating account ${d.code}`, res);
        accounts[d.code] = known;
        print(
          `${LABEL[d.platform].en}: account ${d.code} reused, now connected to the simulator at ${d.url}`,
        );
      } else {
        const res = await api<{ id: string }>('POST', '/api/channel-accounts', {
          code: d.code,
          name: `${LABEL[d.platform].zh}演示店`,
          channel: d.platform,
          ...connection,
        });
        if (res.status !== 201) throw problem(`adding account ${d.code}`, res);
        accounts[d.code] = res.body.id;
        print(`${LABEL[d.platform].en}: account ${d.code} added, connected to the simulator at ${d.url}`);
      }
      d.setPushUrl(`${(o.pushBase ?? server).replace(/\/+$/, '')}/api/channels/push/${d.code}`);
    }
  } catch (e) {
    await Promise.all(driven.map((d) => d.close()));
    throw e;
  }

  const summary: SimulateSummary = {
    orders: Object.fromEntries(driven.map((d) => [d.code, []])),
    created: 0,
    changes: {},
    pushesDelivered: 0,
    pushesRefused: 0,
    pushesFailed: 0,
    seconds: 0,
  };
  print(
    `streaming ${o.rate} event(s) a minute${o.durationSeconds ? ` for ${o.durationSeconds} s` : ''}; Ctrl-C stops and prints a summary`,
  );
  const started = Date.now();
  const r = rng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

  const countPushes = (pushes: CnSimPush[] | null) => {
    for (const p of pushes ?? []) {
      if (p.status === null) summary.pushesFailed++;
      else if (p.status >= 200 && p.status < 300) summary.pushesDelivered++;
      else summary.pushesRefused++;
    }
  };

  const step = (): void => {
    const d = pick(driven);
    const ids = summary.orders[d.code]!;
    const change = ids.length > 3 && r() < 0.3;
    if (change) {
      const total = d.changes.reduce((a, c) => a + c.weight, 0);
      let x = r() * total;
      let c = d.changes[0]!;
      for (const k of d.changes) {
        c = k;
        x -= k.weight;
        if (x < 0) break;
      }
      // Prefer recent orders, as buyers change what they have just bought.
      const id = ids[Math.max(0, ids.length - 1 - Math.floor(r() * Math.min(ids.length, 20)))]!;
      const words = c.run(id);
      if (words) {
        summary.changes[c.kind] = (summary.changes[c.kind] ?? 0) + 1;
        print(`${clock()}  ${LABEL[d.platform].zh} ${LABEL[d.platform].en}  order ${id}: ${words}`);
        return;
      }
    }
    const { id, words } = d.newOrder(r);
    ids.push(id);
    summary.created++;
    print(`${clock()}  ${LABEL[d.platform].zh} ${LABEL[d.platform].en}  new order ${id}: ${words}`);
  };

  let stopped = false;
  let wake: (() => void) | null = null;
  const stopStream = () => {
    stopped = true;
    wake?.();
  };
  const intervalMs = 60_000 / o.rate;
  const streamed = (async () => {
    const flushing = new Set<Promise<void>>();
    const flushAll = () => {
      const p = Promise.all(driven.map((d) => d.flush().then(countPushes, () => undefined))).then(() => {
        flushing.delete(p);
      });
      flushing.add(p);
    };
    let due = Date.now();
    let lastFlush = Date.now();
    while (!stopped) {
      if (o.durationSeconds !== undefined && Date.now() - started >= o.durationSeconds * 1000) break;
      // Catch up when the machine was slow, a bounded number at a time.
      let n = 0;
      while (Date.now() >= due && n++ < 50) {
        step();
        due += intervalMs;
      }
      if (Date.now() - lastFlush >= 500 || intervalMs >= 500) {
        flushAll();
        lastFlush = Date.now();
      }
      const wait = Math.max(5, Math.min(due - Date.now(), 500));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
    flushAll();
    await Promise.all([...flushing]);
    summary.seconds = Math.round((Date.now() - started) / 1000);
    return summary;
  })();

  let closed: Promise<SimulateSummary> | null = null;
  return {
    accounts,
    streamed,
    stopStream,
    close: () => {
      closed ??= (async () => {
        stopStream();
        const s = await streamed;
        await Promise.all(driven.map((d) => d.close()));
        return s;
      })();
      return closed;
    },
  };
}

/** The summary in plain words. */
export function summaryLines(s: SimulateSummary): string[] {
  const per = Object.entries(s.orders)
    .map(([code, ids]) => `${code} ${ids.length}`)
    .join(', ');
  const changes = Object.entries(s.changes)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `in ${s.seconds} s: ${s.created} new order(s) (${per})`,
    `changes: ${changes || 'none'}`,
    `pushes: ${s.pushesDelivered} acknowledged by orderhub, ${s.pushesRefused} refused, ${s.pushesFailed} not delivered` +
      ' (Shopify delivers its own webhooks, not counted here)',
  ];
}
