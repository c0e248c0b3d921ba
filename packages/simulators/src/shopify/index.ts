import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Faults,
  formatMinor,
  isoWithOffset,
  largestRemainder,
  newFaults,
  parseWithIds,
  readBody,
  rng,
  send,
  stringifyWithIds,
  take,
} from './util.ts';

/**
 * A local Shopify shop speaking the REST Admin API and webhooks (protocol digest A5):
 * `X-Shopify-Access-Token` checked on every call, `orders.json` windowed by `updated_at` with
 * opaque cursor paging in the `Link` header (filters beside `page_info` refused), a leaky-bucket
 * rate limit with `X-Shopify-Shop-Api-Call-Limit` and 429 + `Retry-After`, fulfillment orders and
 * fulfillments, inventory levels, and webhooks signed with base64 HMAC-SHA256 of the raw body,
 * retried 8 times with backoff on any non-2xx.
 */

type Currency = 'USD' | 'EUR' | 'JPY';
const DIGITS: Record<Currency, number> = { USD: 2, EUR: 2, JPY: 0 };
const ID_KEYS = new Set([
  'id',
  'order_id',
  'line_item_id',
  'variant_id',
  'product_id',
  'location_id',
  'inventory_item_id',
  'fulfillment_order_id',
  'assigned_location_id',
]);

export interface ShopifySimOptions {
  port?: number;
  now?: () => Date;
  seed?: number;
  shopDomain?: string;
  /** The shop currency (orders carry it unless addOrder says otherwise). */
  currency?: Currency;
  /** The shop's UTC offset in minutes for the times it writes (-240 = `-04:00`). */
  utcOffsetMinutes?: number;
  /** UNCONFIRMED in the digest: REST bucket size and leak rate. */
  bucketSize?: number;
  leakPerSecond?: number;
  /** UNCONFIRMED in the digest: `limit` default and maximum. */
  defaultLimit?: number;
  maxLimit?: number;
  /** Where webhooks go (can be set later with setWebhookUrl). */
  webhookUrl?: string;
  /** First webhook retry delay; doubles each time (8 retries). */
  retryBaseMs?: number;
  /** How long a request picked for the timeout fault hangs before the socket is dropped. */
  hangMs?: number;
  apiVersion?: string;
}

export interface ShopifyPushRecord {
  webhookId: string;
  eventId: string;
  topic: string;
  body: string;
  headers: Record<string, string>;
  attempts: number;
  lastStatus: number | null;
  delivered: boolean;
}

export interface AddShopifyOrderInput {
  currency?: Currency;
  lines?: { sku?: string; quantity: number; price?: number }[];
  /** Percent off the goods, allocated to lines as Shopify does. */
  discountPercent?: number;
  financialStatus?: 'pending' | 'authorized' | 'paid';
  shippingMinor?: number;
  country?: 'US' | 'DE' | 'FR' | 'JP' | 'GB';
}

interface Catalog {
  sku: string;
  title: string;
  variant: string;
  price: Record<Currency, number>;
  variantId: string;
  productId: string;
  inventoryItemId: string;
}

const CATALOG: Omit<Catalog, 'variantId' | 'productId' | 'inventoryItemId'>[] = [
  {
    sku: 'TEE-ORG-BLK-M',
    title: 'Organic Cotton Tee',
    variant: 'Black / M',
    price: { USD: 2900, EUR: 2700, JPY: 3900 },
  },
  {
    sku: 'TEE-ORG-WHT-L',
    title: 'Organic Cotton Tee',
    variant: 'White / L',
    price: { USD: 2900, EUR: 2700, JPY: 3900 },
  },
  {
    sku: 'MUG-CER-350',
    title: 'Ceramic Mug 350 ml',
    variant: 'Sand',
    price: { USD: 1850, EUR: 1690, JPY: 2200 },
  },
  {
    sku: 'TEA-SEN-100G',
    title: 'Sencha Green Tea 100 g',
    variant: 'Loose leaf',
    price: { USD: 1299, EUR: 1190, JPY: 1480 },
  },
  {
    sku: 'BAG-CNV-TOTE',
    title: 'Canvas Tote',
    variant: 'Natural',
    price: { USD: 3400, EUR: 3150, JPY: 4500 },
  },
  {
    sku: 'SOCK-WOOL-3P',
    title: 'Merino Socks (3 pack)',
    variant: 'Grey / 39-42',
    price: { USD: 2450, EUR: 2290, JPY: 3300 },
  },
];

const PEOPLE: Record<
  string,
  {
    first: string;
    last: string;
    address1: string;
    city: string;
    province: string | null;
    province_code: string | null;
    zip: string;
    country: string;
    phone: string;
  }[]
> = {
  US: [
    {
      first: 'Emily',
      last: 'Carter',
      address1: '350 Fifth Avenue',
      city: 'New York',
      province: 'New York',
      province_code: 'NY',
      zip: '10118',
      country: 'United States',
      phone: '+1 212-736-3100',
    },
    {
      first: 'Marcus',
      last: 'Lee',
      address1: '1 Dr Carlton B Goodlett Pl',
      city: 'San Francisco',
      province: 'California',
      province_code: 'CA',
      zip: '94102',
      country: 'United States',
      phone: '+1 415-554-4000',
    },
  ],
  DE: [
    {
      first: 'Lena',
      last: 'Schäfer',
      address1: 'Unter den Linden 77',
      city: 'Berlin',
      province: null,
      province_code: null,
      zip: '10117',
      country: 'Germany',
      phone: '+49 30 22610',
    },
  ],
  FR: [
    {
      first: 'Camille',
      last: 'Dubois',
      address1: '29 Rue de Rivoli',
      city: 'Paris',
      province: null,
      province_code: null,
      zip: '75004',
      country: 'France',
      phone: '+33 1 42 76 40 40',
    },
  ],
  JP: [
    {
      first: '陽菜',
      last: '佐藤',
      address1: '千代田区丸の内1-9-1',
      city: '千代田区',
      province: 'Tokyo',
      province_code: 'JP-13',
      zip: '100-0005',
      country: 'Japan',
      phone: '+81 3-3212-2111',
    },
  ],
  GB: [
    {
      first: 'Oliver',
      last: 'Hughes',
      address1: '10 Downing Street',
      city: 'London',
      province: 'England',
      province_code: 'ENG',
      zip: 'SW1A 2AA',
      country: 'United Kingdom',
      phone: '+44 20 7925 0918',
    },
  ],
};

type Json = Record<string, unknown>;

export async function startShopifySimulator(opts: ShopifySimOptions = {}) {
  const seed = opts.seed ?? 1;
  const r = rng(seed);
  const realNow = opts.now ?? (() => new Date());
  const faults: Faults = newFaults();
  const now = () => new Date(realNow().getTime() + faults.clockSkewMs);
  const shopDomain = opts.shopDomain ?? 'orderhub-demo.myshopify.com';
  const shopCurrency: Currency = opts.currency ?? 'USD';
  const offset = opts.utcOffsetMinutes ?? -240;
  const bucketSize = opts.bucketSize ?? 40;
  const leak = opts.leakPerSecond ?? 2;
  const defaultLimit = opts.defaultLimit ?? 50;
  const maxLimit = opts.maxLimit ?? 250;
  const retryBaseMs = opts.retryBaseMs ?? 1000;
  const hangMs = opts.hangMs ?? 60_000;
  const apiVersion = opts.apiVersion ?? '2024-07';
  const accessToken = `shpat_${createHmac('sha256', String(seed)).update('token').digest('hex').slice(0, 32)}`;
  const clientSecret = `shpss_${createHmac('sha256', String(seed)).update('secret').digest('hex').slice(0, 32)}`;
  const locationId = String(65_000_000_000 + seed);
  let webhookUrl = opts.webhookUrl ?? null;

  let idSeq = 820_982_911_946_154_508n + BigInt(seed) * 1_000_000_000n;
  const nextId = () => {
    idSeq += BigInt(r.int(1, 997));
    return idSeq.toString();
  };
  const catalog: Catalog[] = CATALOG.map((c, i) => ({
    ...c,
    variantId: String(40_000_000_000_000 + seed * 1000 + i),
    productId: String(8_000_000_000_000 + seed * 1000 + i),
    inventoryItemId: String(42_000_000_000_000 + seed * 1000 + i),
  }));
  const inventory = new Map<string, number>(catalog.map((c) => [c.inventoryItemId, 100]));
  const orders = new Map<string, Json>();
  const served = new Set<string>();
  let orderNumber = 1000;

  // ——— leaky bucket ———
  let bucket = 0;
  let bucketAt = Date.now();
  const fill = (): { ok: boolean; level: number; retryAfter: number } => {
    const t = Date.now();
    bucket = Math.max(0, bucket - ((t - bucketAt) / 1000) * leak);
    bucketAt = t;
    if (bucket + 1 > bucketSize)
      return { ok: false, level: Math.ceil(bucket), retryAfter: (bucket + 1 - bucketSize) / leak };
    bucket += 1;
    return { ok: true, level: Math.ceil(bucket), retryAfter: 0 };
  };

  const money = (minor: number, cur: Currency) => {
    const amount = formatMinor(minor, DIGITS[cur]);
    return {
      amount,
      set: { shop_money: { amount, currency_code: cur }, presentment_money: { amount, currency_code: cur } },
    };
  };

  function touch(o: Json) {
    const t = now();
    const prev = Date.parse(String(o.updated_at));
    // Shopify times have whole seconds; a change always moves updated_at forward.
    const next = Math.max(t.getTime(), prev + 1000);
    o.updated_at = isoWithOffset(new Date(next), offset);
  }

  function recompute(o: Json) {
    const cur = o.currency as Currency;
    const lis = o.line_items as Json[];
    let goods = 0;
    let disc = 0;
    for (const li of lis) {
      goods += (li._price as number) * (li.quantity as number);
      disc += li._discount as number;
    }
    const ship = o._shipping as number;
    const shipDisc = o._shippingDiscount as number;
    const taxable = goods - disc + ship - shipDisc;
    const taxesIncluded = cur !== 'USD';
    const rate = cur === 'USD' ? 0.08875 : cur === 'EUR' ? 0.19 : 0.1;
    // Included tax is the part of the price already containing it; added tax is on top (half up).
    const tax = taxesIncluded ? Math.round(taxable - taxable / (1 + rate)) : Math.round(taxable * rate);
    const total = taxable + (taxesIncluded ? 0 : tax);
    const m = (x: number) => money(x, cur);
    Object.assign(o, {
      taxes_included: taxesIncluded,
      subtotal_price: m(goods - disc).amount,
      subtotal_price_set: m(goods - disc).set,
      total_line_items_price: m(goods).amount,
      total_line_items_price_set: m(goods).set,
      total_discounts: m(disc + shipDisc).amount,
      total_discounts_set: m(disc + shipDisc).set,
      total_shipping_price_set: m(ship - shipDisc).set,
      total_tax: m(tax).amount,
      total_tax_set: m(tax).set,
      total_price: m(total).amount,
      total_price_set: m(total).set,
      current_total_price: m(total).amount,
    });
  }

  /** The order as Shopify shows it (internal fields dropped). */
  function view(o: Json): Json {
    const clean = (x: unknown): unknown =>
      Array.isArray(x)
        ? x.map(clean)
        : x && typeof x === 'object'
          ? Object.fromEntries(
              Object.entries(x as Json)
                .filter(([k]) => !k.startsWith('_'))
                .map(([k, v]) => [k, clean(v)]),
            )
          : x;
    return clean(o) as Json;
  }

  const pushQueue: ShopifyPushRecord[] = [];
  const inflight = new Set<Promise<void>>();
  let heldBack: ShopifyPushRecord | null = null;

  async function deliver(rec: ShopifyPushRecord): Promise<void> {
    for (let attempt = 0; attempt <= 8; attempt++) {
      const url = webhookUrl;
      if (!url) return;
      rec.attempts += 1;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: rec.headers,
          body: rec.body,
          signal: AbortSignal.timeout(5000),
        });
        rec.lastStatus = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) {
          rec.delivered = true;
          return;
        }
      } catch {
        rec.lastStatus = null;
      }
      if (attempt < 8) await new Promise((res) => setTimeout(res, retryBaseMs * 2 ** attempt));
    }
  }

  function start(rec: ShopifyPushRecord) {
    const p = deliver(rec).finally(() => inflight.delete(p));
    inflight.add(p);
  }

  function emit(topic: string, payload: Json) {
    const body = stringifyWithIds(payload, ID_KEYS);
    const webhookId = randomUUID();
    const eventId = String(90_000_000 + pushQueue.length + 1);
    const rec: ShopifyPushRecord = {
      webhookId,
      eventId,
      topic,
      body,
      attempts: 0,
      lastStatus: null,
      delivered: false,
      headers: {
        'Content-Type': 'application/json',
        'X-Shopify-Topic': topic,
        'X-Shopify-Hmac-Sha256': createHmac('sha256', clientSecret).update(body, 'utf8').digest('base64'),
        'X-Shopify-Shop-Domain': shopDomain,
        'X-Shopify-API-Version': apiVersion,
        'X-Shopify-Webhook-Id': webhookId,
        'X-Shopify-Event-Id': eventId,
        'X-Shopify-Triggered-At': now().toISOString(),
      },
    };
    pushQueue.push(rec);
    if (!webhookUrl) return;
    if (take(faults, 'outOfOrderPushes') && !heldBack) {
      heldBack = rec;
      return;
    }
    start(rec);
    if (take(faults, 'duplicatePushes')) start(rec);
    if (heldBack) {
      const h = heldBack;
      heldBack = null;
      start(h);
    }
  }

  function addOrder(input: AddShopifyOrderInput = {}): string {
    const cur = input.currency ?? shopCurrency;
    const id = nextId();
    const t = now();
    const country =
      input.country ??
      (cur === 'JPY'
        ? 'JP'
        : cur === 'EUR'
          ? r.pick(['DE', 'FR'] as const)
          : r.pick(['US', 'US', 'GB'] as const));
    const person = r.pick(PEOPLE[country]!);
    const picks: { sku?: string; quantity: number; price?: number }[] =
      input.lines ??
      Array.from({ length: r.int(1, 3) }, () => ({ sku: r.pick(catalog).sku, quantity: r.int(1, 3) }));
    const lineItems: Json[] = picks.map((p) => {
      const c = catalog.find((x) => x.sku === p.sku) ?? r.pick(catalog);
      const sku = faults.skuFormatChanged ? c.sku.toLowerCase().replaceAll('-', '_') : (p.sku ?? c.sku);
      const price = p.price ?? c.price[cur];
      return {
        id: nextId(),
        variant_id: c.variantId,
        product_id: c.productId,
        sku,
        title: c.title,
        variant_title: c.variant,
        name: `${c.title} - ${c.variant}`,
        quantity: p.quantity,
        fulfillable_quantity: p.quantity,
        fulfillment_status: null,
        price: money(price, cur).amount,
        price_set: money(price, cur).set,
        total_discount: '0.00',
        requires_shipping: true,
        _price: price,
        _discount: 0,
      };
    });
    const goods = lineItems.reduce((a, li) => a + (li._price as number) * (li.quantity as number), 0);
    const pct = input.discountPercent ?? (r.chance(0.4) ? r.pick([5, 10, 15]) : 0);
    const discount = Math.floor((goods * pct) / 100);
    const shares = largestRemainder(
      discount,
      lineItems.map((li) => (li._price as number) * (li.quantity as number)),
    );
    lineItems.forEach((li, i) => {
      li._discount = shares[i]!;
      li.discount_allocations = pct
        ? [
            {
              amount: money(shares[i]!, cur).amount,
              amount_set: money(shares[i]!, cur).set,
              discount_application_index: 0,
            },
          ]
        : [];
    });
    const shipping = input.shippingMinor ?? (cur === 'JPY' ? 800 : cur === 'EUR' ? 490 : 599);
    const freeShipping = goods >= (cur === 'JPY' ? 10000 : 7500);
    const shipDisc = freeShipping ? shipping : 0;
    const created = isoWithOffset(t, offset);
    orderNumber += 1;
    const financial = input.financialStatus ?? 'paid';
    const o: Json = {
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      name: `#${orderNumber}`,
      order_number: orderNumber,
      email: `${person.first.toLowerCase()}.${orderNumber}@example.com`,
      created_at: created,
      updated_at: created,
      processed_at: created,
      cancelled_at: null,
      cancel_reason: null,
      closed_at: null,
      currency: cur,
      presentment_currency: cur,
      financial_status: financial,
      fulfillment_status: null,
      note: r.chance(0.3) ? 'Please leave the parcel at the front desk.' : null,
      tags: r.chance(0.5) ? 'gift, vip' : '',
      discount_codes: pct
        ? [{ code: `SAVE${pct}`, amount: money(discount, cur).amount, type: 'percentage' }]
        : [],
      discount_applications: pct
        ? [
            {
              type: 'discount_code',
              value: String(pct),
              value_type: 'percentage',
              allocation_method: 'across',
              target_selection: 'all',
              target_type: 'line_item',
              code: `SAVE${pct}`,
            },
          ]
        : [],
      customer: { id: nextId(), first_name: person.first, last_name: person.last },
      shipping_address: {
        first_name: person.first,
        last_name: person.last,
        name: `${person.first} ${person.last}`,
        address1: person.address1,
        address2: r.chance(0.3) ? 'Apt 4B' : null,
        city: person.city,
        province: person.province,
        province_code: person.province_code,
        zip: person.zip,
        country: person.country,
        country_code: country,
        phone: person.phone,
        company: null,
      },
      line_items: lineItems,
      shipping_lines: [
        {
          id: nextId(),
          title: 'Standard',
          code: 'STANDARD',
          price: money(shipping, cur).amount,
          price_set: money(shipping, cur).set,
          discount_allocations: shipDisc
            ? [
                {
                  amount: money(shipDisc, cur).amount,
                  amount_set: money(shipDisc, cur).set,
                  discount_application_index: 1,
                },
              ]
            : [],
        },
      ],
      refunds: [],
      fulfillments: [],
      _shipping: shipping,
      _shippingDiscount: shipDisc,
      _fulfillmentOrders: [
        {
          id: nextId(),
          order_id: id,
          assigned_location_id: locationId,
          status: 'open',
          line_items: lineItems.map((li) => ({
            id: nextId(),
            line_item_id: li.id,
            quantity: li.quantity,
            fulfillable_quantity: li.quantity,
          })),
        },
      ],
    };
    recompute(o);
    orders.set(id, o);
    emit('orders/create', view(o));
    return id;
  }

  function mustGet(id: string): Json {
    const o = orders.get(id);
    if (!o) throw new Error(`no Shopify order ${id}`);
    return o;
  }

  /** Changes an order (address, note, …) and emits orders/updated. */
  function updateOrder(id: string, change?: (o: Json) => void): void {
    const o = mustGet(id);
    if (change) change(o);
    else (o as Json).note = `updated ${now().toISOString()}`;
    recompute(o);
    touch(o);
    emit('orders/updated', view(o));
  }

  function cancelOrder(id: string): void {
    const o = mustGet(id);
    o.cancelled_at = isoWithOffset(now(), offset);
    o.cancel_reason = 'customer';
    if (o.financial_status === 'pending' || o.financial_status === 'authorized')
      o.financial_status = 'voided';
    for (const fo of o._fulfillmentOrders as Json[]) if (fo.status === 'open') fo.status = 'cancelled';
    touch(o);
    emit('orders/cancelled', view(o));
  }

  /** Refunds `quantity` of one line (default: all of it) with restock type `no_restock` or `return`. */
  function refund(
    id: string,
    lineItemId?: string,
    quantity?: number,
    restockType: 'no_restock' | 'return' | 'cancel' = 'no_restock',
  ): void {
    const o = mustGet(id);
    const li = (o.line_items as Json[]).find((l) => l.id === lineItemId) ?? (o.line_items as Json[])[0]!;
    const qty = quantity ?? (li.quantity as number);
    const cur = o.currency as Currency;
    const unitNet = (li._price as number) - Math.floor((li._discount as number) / (li.quantity as number));
    const refundId = nextId();
    (o.refunds as Json[]).push({
      id: refundId,
      order_id: id,
      created_at: isoWithOffset(now(), offset),
      refund_line_items: [
        {
          id: nextId(),
          line_item_id: li.id,
          quantity: qty,
          restock_type: restockType,
          subtotal: money(unitNet * qty, cur).amount,
        },
      ],
      transactions: [
        { id: nextId(), kind: 'refund', status: 'success', amount: money(unitNet * qty, cur).amount },
      ],
    });
    const all = (o.line_items as Json[]).every((l) =>
      (o.refunds as Json[]).some((rf) =>
        (rf.refund_line_items as Json[]).some((x) => x.line_item_id === l.id && x.quantity === l.quantity),
      ),
    );
    o.financial_status = all ? 'refunded' : 'partially_refunded';
    touch(o);
    emit('refunds/create', (o.refunds as Json[]).at(-1) as Json);
    emit('orders/updated', view(o));
  }

  // ——— HTTP ———
  const hanging = new Set<ServerResponse>();
  function apiError(
    res: ServerResponse,
    status: number,
    errors: unknown,
    headers: Record<string, string> = {},
  ) {
    send(res, status, JSON.stringify({ errors }), headers);
  }

  function listOrders(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    v: string,
    limitHeader: Record<string, string>,
  ) {
    const q = url.searchParams;
    const pageInfo = q.get('page_info');
    const limitRaw = q.get('limit');
    const limit = limitRaw === null ? defaultLimit : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit)
      return apiError(res, 400, { limit: [`must be between 1 and ${maxLimit}`] }, limitHeader);
    let filter: { min: number | null; max: number | null; status: string; after: [number, string] | null };
    if (pageInfo !== null) {
      const extra = [...q.keys()].filter((k) => !['page_info', 'limit', 'fields'].includes(k));
      if (extra.length)
        return apiError(
          res,
          400,
          `page_info - cannot be combined with ${extra.join(', ')}; only limit and fields may accompany it`,
          limitHeader,
        );
      try {
        const [sig, payload] = pageInfo.split('.') as [string, string];
        const expect = createHmac('sha256', clientSecret)
          .update(payload ?? '')
          .digest('base64url')
          .slice(0, 16);
        if (sig !== expect) throw new Error('tampered');
        filter = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return apiError(res, 400, { page_info: ['Invalid value.'] }, limitHeader);
      }
      if (take(faults, 'shiftDuringPaging')) {
        // Someone edits an order already on an earlier page: it moves to the end of the list.
        const victim = [...served].map((id) => orders.get(id)).find(Boolean);
        if (victim) {
          victim.note = `edited while paging ${now().toISOString()}`;
          touch(victim);
        }
      }
    } else {
      const parseTime = (name: string) => {
        const s = q.get(name);
        if (s === null) return null;
        const t = Date.parse(s);
        if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(t)) throw new Error(name);
        return t;
      };
      try {
        filter = {
          min: parseTime('updated_at_min'),
          max: parseTime('updated_at_max'),
          status: q.get('status') ?? 'open',
          after: null,
        };
      } catch (err) {
        return apiError(res, 400, { [(err as Error).message]: ['is not a valid date'] }, limitHeader);
      }
      if (!['open', 'closed', 'cancelled', 'any'].includes(filter.status))
        return apiError(res, 400, { status: ['is not a valid status'] }, limitHeader);
      served.clear();
    }
    const key = (o: Json): [number, bigint] => [Date.parse(String(o.updated_at)), BigInt(String(o.id))];
    const cmp = (a: [number, bigint], b: [number, bigint]) =>
      a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
    const matching = [...orders.values()]
      .filter((o) => {
        const t = Date.parse(String(o.updated_at));
        if (filter.min !== null && t < filter.min) return false;
        if (filter.max !== null && t > filter.max) return false;
        const cancelled = o.cancelled_at !== null;
        const closed = o.closed_at !== null;
        if (filter.status === 'open') return !cancelled && !closed;
        if (filter.status === 'closed') return closed;
        if (filter.status === 'cancelled') return cancelled;
        return true;
      })
      .sort((a, b) => cmp(key(a), key(b)));
    const after = filter.after ? ([filter.after[0], BigInt(filter.after[1])] as [number, bigint]) : null;
    const rest = after ? matching.filter((o) => cmp(key(o), after) > 0) : matching;
    const page = rest.slice(0, limit);
    for (const o of page) served.add(String(o.id));
    const fields = q
      .get('fields')
      ?.split(',')
      .map((f) => f.trim());
    const shown = page.map((o) => {
      const v0 = view(o);
      return fields ? Object.fromEntries(Object.entries(v0).filter(([k]) => fields.includes(k))) : v0;
    });
    const headers = { ...limitHeader };
    if (rest.length > limit) {
      const last = page.at(-1)!;
      const payload = Buffer.from(
        JSON.stringify({ ...filter, after: [Date.parse(String(last.updated_at)), String(last.id)] }),
      ).toString('base64url');
      const sig = createHmac('sha256', clientSecret).update(payload).digest('base64url').slice(0, 16);
      const host = req.headers.host ?? 'localhost';
      headers.Link = `<http://${host}/admin/api/${v}/orders.json?limit=${limit}&page_info=${sig}.${payload}>; rel="next"`;
    }
    send(res, 200, stringifyWithIds({ orders: shown }, ID_KEYS), headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/admin\/api\/(\d{4}-\d{2})\/(.+)$/.exec(url.pathname);
    if (!m) return apiError(res, 404, 'Not Found');
    const [, v, rest] = m as unknown as [string, string, string];
    const token = req.headers['x-shopify-access-token'];
    if (token !== accessToken || faults.expiredToken)
      return apiError(
        res,
        401,
        '[API] Invalid API key or access token (unrecognized login or wrong password)',
      );
    if (take(faults, 'timeouts')) {
      hanging.add(res);
      setTimeout(() => {
        hanging.delete(res);
        res.destroy();
      }, hangMs).unref();
      return;
    }
    const level = fill();
    const limitHeader = { 'X-Shopify-Shop-Api-Call-Limit': `${level.level}/${bucketSize}` };
    if (!level.ok || take(faults, 'rateLimited'))
      return apiError(
        res,
        429,
        'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        {
          ...limitHeader,
          'Retry-After': Math.max(1, level.retryAfter).toFixed(1),
        },
      );
    if (take(faults, 'serverErrors'))
      return send(
        res,
        503,
        '<html><body><h1>503 Service Unavailable</h1></body></html>',
        limitHeader,
        'text/html',
      );
    if (take(faults, 'errorBodies')) return apiError(res, 200, 'Internal error, please retry', limitHeader);

    if (req.method === 'GET' && rest === 'orders.json') return listOrders(req, res, url, v, limitHeader);
    let mm = /^orders\/(\d+)\.json$/.exec(rest);
    if (req.method === 'GET' && mm) {
      const o = orders.get(mm[1]!);
      if (!o) return apiError(res, 404, 'Not Found', limitHeader);
      const fields = url.searchParams
        .get('fields')
        ?.split(',')
        .map((f) => f.trim());
      const v0 = view(o);
      const shown = fields ? Object.fromEntries(Object.entries(v0).filter(([k]) => fields.includes(k))) : v0;
      return send(res, 200, stringifyWithIds({ order: shown }, ID_KEYS), limitHeader);
    }
    mm = /^orders\/(\d+)\/fulfillment_orders\.json$/.exec(rest);
    if (req.method === 'GET' && mm) {
      const o = orders.get(mm[1]!);
      if (!o) return apiError(res, 404, 'Not Found', limitHeader);
      return send(
        res,
        200,
        stringifyWithIds({ fulfillment_orders: o._fulfillmentOrders }, ID_KEYS),
        limitHeader,
      );
    }
    if (req.method === 'POST' && (rest === 'fulfillments.json' || rest === 'inventory_levels/set.json')) {
      let body: Json;
      try {
        body = parseWithIds((await readBody(req)).toString('utf8')) as Json;
        if (!body || typeof body !== 'object') throw new Error();
      } catch {
        return apiError(res, 400, 'Bad Request: the body is not valid JSON', limitHeader);
      }
      if (rest === 'inventory_levels/set.json') {
        const loc = String(body.location_id ?? '');
        const item = String(body.inventory_item_id ?? '');
        const available = body.available;
        if (loc !== locationId)
          return apiError(res, 422, { location_id: ['location not found'] }, limitHeader);
        if (!inventory.has(item))
          return apiError(res, 422, { inventory_item_id: ['inventory item does not exist'] }, limitHeader);
        if (typeof available !== 'number' || !Number.isInteger(available))
          return apiError(res, 422, { available: ['must be an integer'] }, limitHeader);
        inventory.set(item, available);
        return send(
          res,
          200,
          stringifyWithIds(
            {
              inventory_level: {
                inventory_item_id: item,
                location_id: loc,
                available,
                updated_at: isoWithOffset(now(), offset),
              },
            },
            ID_KEYS,
          ),
          limitHeader,
        );
      }
      const f = (body.fulfillment ?? {}) as Json;
      const groups = (f.line_items_by_fulfillment_order ?? []) as Json[];
      const tracking = (f.tracking_info ?? {}) as Json;
      if (!Array.isArray(groups) || groups.length === 0)
        return apiError(res, 422, { line_items_by_fulfillment_order: ["can't be blank"] }, limitHeader);
      const found = groups.map((g) => {
        for (const o of orders.values())
          for (const fo of o._fulfillmentOrders as Json[])
            if (fo.id === String(g.fulfillment_order_id)) return { o, fo };
        return null;
      });
      if (found.some((x) => !x)) return apiError(res, 404, 'Not Found', limitHeader);
      const o = found[0]!.o;
      if (found.some((x) => x!.o !== o || x!.fo.status !== 'open'))
        return apiError(
          res,
          422,
          { base: ['fulfillment order is not open or belongs to another order'] },
          limitHeader,
        );
      for (const x of found) x!.fo.status = 'closed';
      const fulfilment = {
        id: nextId(),
        order_id: o.id,
        status: 'success',
        created_at: isoWithOffset(now(), offset),
        tracking_company: tracking.company ?? null,
        tracking_number: tracking.number ?? null,
        tracking_numbers: tracking.number ? [tracking.number] : [],
        line_items: (o.line_items as Json[]).map((li) => ({ id: li.id, sku: li.sku, quantity: li.quantity })),
      };
      (o.fulfillments as Json[]).push(fulfilment);
      const allClosed = (o._fulfillmentOrders as Json[]).every((fo) => fo.status !== 'open');
      o.fulfillment_status = allClosed ? 'fulfilled' : 'partial';
      for (const li of o.line_items as Json[]) {
        li.fulfillable_quantity = 0;
        li.fulfillment_status = 'fulfilled';
      }
      touch(o);
      emit('orders/fulfilled', view(o));
      return send(res, 201, stringifyWithIds({ fulfillment: fulfilment }, ID_KEYS), limitHeader);
    }
    return apiError(res, 404, 'Not Found', limitHeader);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ errors: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    shopDomain,
    /** What a channel account is registered with. */
    credentials: { shopDomain, accessToken, appSecret: clientSecret, webhookSecret: clientSecret },
    /** Connector settings matching this shop. */
    settings: {
      apiVersion,
      locationId,
      inventoryItemIds: Object.fromEntries(catalog.map((c) => [c.sku, c.inventoryItemId])),
    },
    faults,
    now,
    addOrder,
    updateOrder,
    cancelOrder,
    refund,
    /** Orders as the shop holds them (Shopify's JSON, ids as strings). */
    orders: () => [...orders.values()].map(view),
    order: (id: string) => (orders.has(id) ? view(orders.get(id)!) : null),
    /** Inventory item id → available at the shop's location. */
    inventory: () => Object.fromEntries(inventory),
    pushes: () => pushQueue.slice(),
    setWebhookUrl: (u: string | null) => {
      webhookUrl = u;
    },
    /** Waits for every webhook delivery under way (and its retries). */
    settle: async () => {
      while (inflight.size) await Promise.all([...inflight]);
    },
    /** The body and headers of a webhook for `order`, signed as the shop signs (for tests). */
    signWebhook: (topic: string, payload: Json) => {
      const body = stringifyWithIds(payload, ID_KEYS);
      return {
        body,
        headers: {
          'x-shopify-topic': topic,
          'x-shopify-hmac-sha256': createHmac('sha256', clientSecret).update(body, 'utf8').digest('base64'),
          'x-shopify-shop-domain': shopDomain,
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-event-id': String(Date.now()),
        },
      };
    },
    close: async () => {
      for (const h of hanging) h.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type ShopifySimulator = Awaited<ReturnType<typeof startShopifySimulator>>;
