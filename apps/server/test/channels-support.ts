import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IngestOrderBody } from '@orderhub/contracts';
import type { Clock } from '../src/platform/clock.ts';

/**
 * A self-built storefront speaking the generic signed webhook (docs/channels-webhook.md): it
 * serves `GET /orders` by modification window (newest first, offset pages, the way platforms page)
 * and `GET /orders/{id}`, takes `POST /stock`, checks every request's signature, and signs the
 * pushes it makes. Faults on request: an error envelope under HTTP 200, 5xx, an expired token, and
 * a page that shifts while being read.
 */
export interface StoreOrder {
  body: Omit<IngestOrderBody, 'channelAccount'>;
  modifiedAt: Date;
}

export interface Storefront {
  url: string;
  secret: string;
  orders: Map<string, StoreOrder>;
  stock: { sku: string; quantity: number; at: Date }[];
  faults: {
    /** Answer this many feed requests with HTTP 200 and an error body. */
    errorEnvelope: number;
    /** Answer this many feed requests with 503. */
    unavailable: number;
    expired: boolean;
    /** After serving page N (1-based) of a window, modify one order of a later page (it moves to the top). */
    shiftAfterPage: number | null;
    /** Refuse stock pushes for these SKUs. */
    refuseStock: Set<string>;
    stockUnavailable: number;
  };
  requests: number;
  put(body: Omit<IngestOrderBody, 'channelAccount'>, modifiedAt?: Date): StoreOrder;
  /** A signed push of the order as the storefront would send it. */
  signedPush(
    externalOrderId: string,
    opts?: { eventId?: string; at?: Date; secret?: string },
  ): {
    payload: string;
    headers: Record<string, string>;
  };
  close(): Promise<void>;
}

const sign = (secret: string, ts: string, body: Buffer | string) =>
  `sha256=${createHmac('sha256', secret).update(`${ts}.`).update(body).digest('hex')}`;

export async function startStorefront(
  clock: Clock,
  secret = 'storefront-secret-0123456789',
): Promise<Storefront> {
  const s: Storefront = {
    url: '',
    secret,
    orders: new Map(),
    stock: [],
    faults: {
      errorEnvelope: 0,
      unavailable: 0,
      expired: false,
      shiftAfterPage: null,
      refuseStock: new Set(),
      stockUnavailable: 0,
    },
    requests: 0,
    put(body, modifiedAt = clock.now()) {
      const o = { body: { ...body, sourceVersion: modifiedAt.toISOString() }, modifiedAt };
      s.orders.set(body.externalOrderId, o);
      return o;
    },
    signedPush(id, opts = {}) {
      const o = s.orders.get(id)!;
      const payload = JSON.stringify(o.body);
      const ts = String(Math.floor((opts.at ?? clock.now()).getTime() / 1000));
      return {
        payload,
        headers: {
          'content-type': 'application/json',
          'x-orderhub-timestamp': ts,
          'x-orderhub-signature': sign(opts.secret ?? secret, ts, payload),
          'x-orderhub-event-id': opts.eventId ?? `${id}@${o.modifiedAt.toISOString()}`,
        },
      };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      s.requests++;
      const body = Buffer.concat(chunks);
      const ts = String(req.headers['x-orderhub-timestamp'] ?? '');
      const got = Buffer.from(String(req.headers['x-orderhub-signature'] ?? ''));
      const want = Buffer.from(sign(secret, ts, `${req.method} ${req.url}\n${body.toString('utf8')}`));
      if (got.length !== want.length || !timingSafeEqual(got, want))
        return send(res, 401, { error: { code: 'SIGNATURE_INVALID', message: 'bad signature' } });
      if (Math.abs(Number(ts) - clock.now().getTime() / 1000) > 300)
        return send(res, 401, { error: { code: 'TIMESTAMP_INVALID', message: 'stale timestamp' } });
      if (s.faults.expired)
        return send(res, 200, { error: { code: 'TOKEN_EXPIRED', message: 'token expired' } });
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'POST' && url.pathname === '/stock') {
        if (s.faults.stockUnavailable > 0) {
          s.faults.stockUnavailable--;
          return send(res, 503, { error: { code: 'BUSY', message: 'try later' } });
        }
        const items = (JSON.parse(body.toString('utf8')) as { items: { sku: string; quantity: number }[] })
          .items;
        const results = items.map((i) => {
          if (s.faults.refuseStock.has(i.sku)) return { sku: i.sku, ok: false, error: 'unknown sku' };
          s.stock.push({ ...i, at: clock.now() });
          return { sku: i.sku, ok: true };
        });
        return send(res, 200, { results });
      }
      if (s.faults.unavailable > 0) {
        s.faults.unavailable--;
        return send(res, 503, { error: { code: 'UNAVAILABLE', message: 'down for maintenance' } });
      }
      if (s.faults.errorEnvelope > 0) {
        s.faults.errorEnvelope--;
        return send(res, 200, { error: { code: 'ISP_SERVICE_ERROR', message: 'remote service error' } });
      }
      const one = /^\/orders\/(.+)$/.exec(url.pathname);
      if (req.method === 'GET' && one) {
        const o = s.orders.get(decodeURIComponent(one[1]!));
        return o
          ? send(res, 200, o.body)
          : send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such order' } });
      }
      if (req.method === 'GET' && url.pathname === '/orders') {
        const from = Date.parse(url.searchParams.get('from')!);
        const to = Date.parse(url.searchParams.get('to')!);
        const limit = Number(url.searchParams.get('limit') ?? 100);
        const page = Number(url.searchParams.get('page') ?? 1);
        const inWindow = [...s.orders.values()]
          .filter((o) => o.modifiedAt.getTime() >= from && o.modifiedAt.getTime() < to)
          .sort(
            (a, b) =>
              b.modifiedAt.getTime() - a.modifiedAt.getTime() ||
              (a.body.externalOrderId < b.body.externalOrderId ? -1 : 1),
          );
        const slice = inWindow.slice((page - 1) * limit, page * limit);
        const more = inWindow.length > page * limit;
        if (s.faults.shiftAfterPage === page && more) {
          // The platform changes an order not yet read while we page: it moves to the top, out of this window.
          const victim = inWindow[page * limit]!;
          s.put({ ...victim.body, buyerRemark: `changed while paging ${page}` }, clock.now());
          s.faults.shiftAfterPage = null;
        }
        return send(res, 200, { orders: slice.map((o) => o.body), next: more ? String(page + 1) : null });
      }
      send(res, 404, { error: { code: 'NOT_FOUND', message: 'no route' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}

let n = 0;
/** A storefront order (amounts add up) for the sample SKUs. */
export function storeOrder(
  overrides: Partial<IngestOrderBody> = {},
): Omit<IngestOrderBody, 'channelAccount'> {
  n++;
  return {
    externalOrderId: `WEB-${n}-${Math.random().toString(36).slice(2, 8)}`,
    currency: 'CNY',
    placedAt: '2026-11-30T00:00:00Z',
    paidAt: '2026-11-30T00:01:00Z',
    receiver: {
      name: '王五',
      phone: '13912345678',
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      detail: '文三路 1 号',
    },
    lines: [{ channelSku: 'TEA-SET-01', title: '茶具', quantity: 1, unitPrice: 8000 }],
    total: 8000,
    ...overrides,
  };
}
