/**
 * A local Stripe: the PaymentIntents and Refunds API (form-encoded, Bearer secret key, Idempotency-Key
 * replay), and webhook delivery signed the Stripe way (`Stripe-Signature: t=…,v1=HMAC-SHA256(whsec,
 * "t.body")`) with retries on anything but 2xx. Faults on request: lost, duplicated, held and reordered
 * events, a skewed clock, tampered bodies, stale signatures, API 5xx and timeouts.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StripeSimulatorOptions {
  port?: number;
  /** Where events are delivered; none until set (events then wait until setWebhookUrl). */
  webhookUrl?: string;
  /** Delays before each retry of a delivery that did not get a 2xx; default a compressed Stripe schedule. */
  retryScheduleMs?: number[];
  /** The simulator's clock (event `created`, signature `t=`). */
  now?: () => Date;
  /** How long a delivery waits for the receiver's answer. */
  deliveryTimeoutMs?: number;
  /** Refunds start `pending` and settle through settleRefund() (default: succeed at once). */
  refundsPending?: boolean;
}

export interface StripeFaults {
  /** Drop the next N events entirely (never delivered). */
  loseNext: number;
  /** Deliver every event this many extra times after its first delivery (same id, fresh signature). */
  duplicates: number;
  /** The next N notifications are each sent once more after they were acknowledged (on top of `duplicates`). */
  duplicateNext: number;
  /** Hold events instead of delivering; release() sends them (in order, reversed or shuffled). */
  hold: boolean;
  /** Added to the simulator's clock for `t=` and `created`. */
  clockSkewMs: number;
  /** The next N delivery attempts carry a body changed after signing. */
  tamperNext: number;
  /** The next N delivery attempts are signed `staleSeconds` in the past (a replayed capture). */
  staleNext: number;
  staleSeconds: number;
  /** The next N API requests answer `apiErrorStatus` (500, 502, 503, 429) without doing anything. */
  apiErrorNext: number;
  apiErrorStatus: number;
  /** The next N API requests hang `apiTimeoutMs` before answering 500 (the client should time out first). */
  apiTimeoutNext: number;
  apiTimeoutMs: number;
}

export interface StripeDelivery {
  eventId: string;
  type: string;
  attempt: number;
  /** HTTP status the receiver answered, or null when it could not be reached / timed out. */
  status: number | null;
  ok: boolean;
  header: string;
  body: string;
  tampered: boolean;
  stale: boolean;
  at: Date;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}

type Obj = Record<string, unknown>;

const API_VERSION = '2024-06-20';
const DEFAULT_RETRY_MS = [100, 400, 1_500, 5_000];

function id(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

function stripeError(res: ServerResponse, status: number, error: Obj): void {
  send(res, status, { error });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form params as Stripe reads them: `a=1&metadata[k]=v` → { a: '1', metadata: { k: 'v' } }. */
function parseForm(text: string): Obj {
  const out: Obj = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const m = /^([a-z_]+)\[([^\]]*)\]$/.exec(k);
    if (m?.[1] && m[2] !== undefined) {
      const inner = (out[m[1]] ?? {}) as Obj;
      inner[m[2]] = v;
      out[m[1]] = inner;
    } else out[k] = v;
  }
  return out;
}

function fingerprint(method: string, path: string, text: string): string {
  const pairs = [...new URLSearchParams(text)].map(([k, v]) => `${k}=${v}`).sort();
  return `${method} ${path}\n${pairs.join('&')}`;
}

export function startStripeSimulator(opts: StripeSimulatorOptions = {}) {
  const secretKey = `sk_test_sim${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_sim${randomBytes(16).toString('hex')}`;
  const retrySchedule = opts.retryScheduleMs ?? DEFAULT_RETRY_MS;
  const deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 10_000;
  const clock = opts.now ?? (() => new Date());
  let webhookUrl = opts.webhookUrl ?? null;
  let closed = false;

  const faults: StripeFaults = {
    loseNext: 0,
    duplicates: 0,
    duplicateNext: 0,
    hold: false,
    clockSkewMs: 0,
    tamperNext: 0,
    staleNext: 0,
    staleSeconds: 3_600,
    apiErrorNext: 0,
    apiErrorStatus: 500,
    apiTimeoutNext: 0,
    apiTimeoutMs: 30_000,
  };

  const intents = new Map<string, Obj>();
  const refunds = new Map<string, Obj>();
  const idempotent = new Map<string, { fp: string; status: number; body: unknown }>();
  const events: StripeEvent[] = [];
  const held: StripeEvent[] = [];
  const waiting: StripeEvent[] = [];
  const log: StripeDelivery[] = [];
  const inflight = new Set<Promise<void>>();
  const timers = new Map<NodeJS.Timeout, () => void>();

  const nowSec = () => Math.floor((clock().getTime() + faults.clockSkewMs) / 1000);

  function sign(t: number, body: string): string {
    return createHmac('sha256', webhookSecret).update(`${t}.${body}`, 'utf8').digest('hex');
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // A wait that starts after close() (an attempt that was in flight then) does not wait.
      if (closed) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });
  }

  async function attempt(evt: StripeEvent, n: number): Promise<boolean> {
    const url = webhookUrl;
    if (!url || closed) return false;
    const body = JSON.stringify(evt, null, 2);
    const stale = faults.staleNext > 0;
    if (stale) faults.staleNext--;
    const t = stale ? nowSec() - faults.staleSeconds : nowSec();
    const header = `t=${t},v1=${sign(t, body)}`;
    const tampered = faults.tamperNext > 0;
    if (tampered) faults.tamperNext--;
    // A tampered body doubles the money received (or flips livemode when there is none).
    const sent = tampered
      ? body.includes('"amount_received": ')
        ? body.replace(/"amount_received": (\d+)/, (_m, d) => `"amount_received": ${Number(d) * 2}`)
        : body.replace('"livemode": false', '"livemode": true')
      : body;
    let status: number | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': header,
        },
        body: sent,
        signal: AbortSignal.timeout(deliveryTimeoutMs),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = null;
    }
    const ok = status !== null && status >= 200 && status < 300;
    log.push({
      eventId: evt.id,
      type: evt.type,
      attempt: n,
      status,
      ok,
      header,
      body: sent,
      tampered,
      stale,
      at: clock(),
    });
    return ok;
  }

  async function deliver(evt: StripeEvent, extra = 0): Promise<void> {
    let ok = false;
    for (let n = 0; n <= retrySchedule.length && !closed; n++) {
      if (n > 0) await sleep(retrySchedule[n - 1] ?? 0);
      if (closed) return;
      ok = await attempt(evt, n + 1);
      if (ok) break;
    }
    for (let d = 0; d < faults.duplicates + extra && ok && !closed; d++) await attempt(evt, 1);
  }

  function dispatch(evt: StripeEvent): void {
    if (closed) return;
    if (!webhookUrl) {
      waiting.push(evt);
      return;
    }
    const extra = faults.duplicateNext > 0 ? 1 : 0;
    faults.duplicateNext -= extra;
    const p = deliver(evt, extra).finally(() => inflight.delete(p));
    inflight.add(p);
  }

  function emit(
    type: string,
    object: Obj,
    request: { idempotencyKey?: string | null; previous?: Obj } = {},
  ): StripeEvent {
    const evt: StripeEvent = {
      id: id('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: nowSec(),
      livemode: false,
      pending_webhooks: 1,
      request: {
        id: request.idempotencyKey ? id('req') : null,
        idempotency_key: request.idempotencyKey ?? null,
      },
      type,
      data: {
        object: structuredClone(object),
        ...(request.previous ? { previous_attributes: request.previous } : {}),
      },
    };
    events.push(evt);
    if (faults.loseNext > 0) {
      faults.loseNext--;
      return evt;
    }
    if (faults.hold) held.push(evt);
    else dispatch(evt);
    return evt;
  }

  function chargeFor(pi: Obj): Obj {
    // Stripe lists a charge's refunds newest first.
    const piRefunds = [...refunds.values()].filter((r) => r['payment_intent'] === pi['id']).reverse();
    const amountRefunded = piRefunds
      .filter((r) => r['status'] === 'succeeded' || r['status'] === 'pending')
      .reduce((s, r) => s + Number(r['amount']), 0);
    return {
      id: pi['latest_charge'],
      object: 'charge',
      amount: pi['amount'],
      amount_captured: pi['amount_received'],
      amount_refunded: amountRefunded,
      currency: pi['currency'],
      payment_intent: pi['id'],
      metadata: structuredClone(pi['metadata']),
      paid: true,
      refunded: amountRefunded >= Number(pi['amount_received']),
      status: 'succeeded',
      created: pi['created'],
      refunds: {
        object: 'list',
        data: structuredClone(piRefunds),
        has_more: false,
        url: `/v1/charges/${String(pi['latest_charge'])}/refunds`,
      },
    };
  }

  function refundable(pi: Obj): number {
    const used = [...refunds.values()]
      .filter(
        (r) => r['payment_intent'] === pi['id'] && (r['status'] === 'succeeded' || r['status'] === 'pending'),
      )
      .reduce((s, r) => s + Number(r['amount']), 0);
    return Number(pi['amount_received']) - used;
  }

  function invalid(res: ServerResponse, message: string, param?: string, code = 'parameter_invalid'): void {
    stripeError(res, 400, { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) });
  }

  function missing(res: ServerResponse, kind: string, value: string, param = 'id'): void {
    stripeError(res, 404, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      message: `No such ${kind}: '${value}'`,
      param,
    });
  }

  type Route = (
    res: ServerResponse,
    form: Obj,
    query: URLSearchParams,
    idem: string | null,
    m: RegExpExecArray,
  ) => void;

  const createIntent: Route = (res, form, _q, idem) => {
    const amount = Number(form['amount']);
    if (typeof form['amount'] !== 'string' || !/^\d+$/.test(form['amount']) || amount < 1)
      return invalid(res, 'Invalid positive integer', 'amount', 'parameter_invalid_integer');
    const currency = form['currency'];
    if (typeof currency !== 'string' || !/^[a-z]{3}$/.test(currency))
      return invalid(res, 'Invalid currency: must be a lower-case three-letter ISO code', 'currency');
    const pid = id('pi');
    const pi: Obj = {
      id: pid,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency,
      status: 'requires_payment_method',
      client_secret: `${pid}_secret_${randomBytes(12).toString('hex')}`,
      description: typeof form['description'] === 'string' ? form['description'] : null,
      metadata: (form['metadata'] as Obj | undefined) ?? {},
      latest_charge: null,
      created: nowSec(),
      livemode: false,
    };
    intents.set(pid, pi);
    emit('payment_intent.created', pi, { idempotencyKey: idem });
    send(res, 200, pi);
  };

  const retrieveIntent: Route = (res, _f, _q, _i, m) => {
    const pi = intents.get(m[1] ?? '');
    if (!pi) return missing(res, 'payment_intent', m[1] ?? '', 'intent');
    send(res, 200, pi);
  };

  const searchIntents: Route = (res, _f, q) => {
    const query = q.get('query') ?? '';
    const mm = /^metadata\[(['"])([^'"]+)\1\]:(['"])((?:[^'"\\]|\\.)*)\3$/.exec(query.trim());
    if (!mm) return invalid(res, `Unsupported search query: ${query}`, 'query');
    const key = mm[2] ?? '';
    const value = (mm[4] ?? '').replace(/\\(.)/g, '$1');
    const data = [...intents.values()].filter((pi) => (pi['metadata'] as Obj)[key] === value);
    send(res, 200, {
      object: 'search_result',
      data,
      has_more: false,
      next_page: null,
      url: '/v1/payment_intents/search',
    });
  };

  const cancelIntent: Route = (res, _f, _q, idem, m) => {
    const pi = intents.get(m[1] ?? '');
    if (!pi) return missing(res, 'payment_intent', m[1] ?? '', 'intent');
    if (pi['status'] === 'succeeded' || pi['status'] === 'canceled')
      return stripeError(res, 400, {
        type: 'invalid_request_error',
        code: 'payment_intent_unexpected_state',
        message: `You cannot cancel this PaymentIntent because it has a status of ${String(pi['status'])}.`,
      });
    pi['status'] = 'canceled';
    pi['canceled_at'] = nowSec();
    emit('payment_intent.canceled', pi, { idempotencyKey: idem });
    send(res, 200, pi);
  };

  const createRefund: Route = (res, form, _q, idem) => {
    const piId = form['payment_intent'];
    if (typeof piId !== 'string')
      return invalid(res, 'Missing required param: payment_intent.', 'payment_intent', 'parameter_missing');
    const pi = intents.get(piId);
    if (!pi) return missing(res, 'payment_intent', piId, 'payment_intent');
    if (pi['status'] !== 'succeeded')
      return stripeError(res, 400, {
        type: 'invalid_request_error',
        code: 'charge_not_refundable',
        message: `This PaymentIntent (${piId}) does not have a successful charge to refund.`,
      });
    const left = refundable(pi);
    let amount = left;
    if (form['amount'] !== undefined) {
      if (typeof form['amount'] !== 'string' || !/^\d+$/.test(form['amount']) || Number(form['amount']) < 1)
        return invalid(res, 'Invalid positive integer', 'amount', 'parameter_invalid_integer');
      amount = Number(form['amount']);
    }
    if (amount > left || left <= 0)
      return stripeError(res, 400, {
        type: 'invalid_request_error',
        code: left <= 0 ? 'charge_already_refunded' : 'amount_too_large',
        message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        param: 'amount',
      });
    const rid = id('re');
    const re: Obj = {
      id: rid,
      object: 'refund',
      amount,
      currency: pi['currency'],
      charge: pi['latest_charge'],
      payment_intent: piId,
      metadata: (form['metadata'] as Obj | undefined) ?? {},
      reason: typeof form['reason'] === 'string' ? form['reason'] : null,
      status: opts.refundsPending ? 'pending' : 'succeeded',
      created: nowSec(),
    };
    refunds.set(rid, re);
    emit('refund.created', re, { idempotencyKey: idem });
    if (re['status'] === 'succeeded') emit('charge.refunded', chargeFor(pi), { idempotencyKey: idem });
    send(res, 200, re);
  };

  const retrieveRefund: Route = (res, _f, _q, _i, m) => {
    const re = refunds.get(m[1] ?? '');
    if (!re) return missing(res, 'refund', m[1] ?? '');
    send(res, 200, re);
  };

  const listRefunds: Route = (res, _f, q) => {
    const pi = q.get('payment_intent');
    const limit = Math.min(100, Number(q.get('limit') ?? 10) || 10);
    const data = [...refunds.values()]
      .filter((r) => !pi || r['payment_intent'] === pi)
      .sort((a, b) => Number(b['created']) - Number(a['created']))
      .slice(0, limit);
    send(res, 200, { object: 'list', data, has_more: false, url: '/v1/refunds' });
  };

  const routes: Array<[string, RegExp, Route]> = [
    ['GET', /^\/v1\/payment_intents\/search$/, searchIntents],
    ['POST', /^\/v1\/payment_intents$/, createIntent],
    ['GET', /^\/v1\/payment_intents\/(pi_[A-Za-z0-9]+)$/, retrieveIntent],
    ['POST', /^\/v1\/payment_intents\/(pi_[A-Za-z0-9]+)\/cancel$/, cancelIntent],
    ['POST', /^\/v1\/refunds$/, createRefund],
    ['GET', /^\/v1\/refunds$/, listRefunds],
    ['GET', /^\/v1\/refunds\/(re_[A-Za-z0-9]+)$/, retrieveRefund],
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    if (faults.apiTimeoutNext > 0) {
      faults.apiTimeoutNext--;
      await sleep(faults.apiTimeoutMs);
      if (!res.destroyed) stripeError(res, 500, { type: 'api_error', message: 'An unknown error occurred' });
      return;
    }
    if (faults.apiErrorNext > 0) {
      faults.apiErrorNext--;
      const status = faults.apiErrorStatus;
      return stripeError(res, status, {
        type: status === 429 ? 'invalid_request_error' : 'api_error',
        ...(status === 429 ? { code: 'rate_limit' } : {}),
        message: status === 429 ? 'Too many requests hit the API too quickly.' : 'An unknown error occurred',
      });
    }
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${secretKey}`) {
      const shown = auth.startsWith('Bearer ') ? `${auth.slice(7, 15)}****${auth.slice(-4)}` : '';
      return stripeError(res, 401, {
        type: 'invalid_request_error',
        message: shown
          ? `Invalid API Key provided: ${shown}`
          : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    }
    const match = routes.find(([m, re]) => m === method && re.test(url.pathname));
    if (!match)
      return stripeError(res, 404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${url.pathname}).`,
      });
    const [, pattern, route] = match;
    if (
      method === 'POST' &&
      text &&
      !(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    )
      return invalid(res, 'Invalid request: the body must be application/x-www-form-urlencoded');
    const idem = method === 'POST' ? ((req.headers['idempotency-key'] as string | undefined) ?? null) : null;
    if (idem !== null) {
      if (idem.length > 255) return invalid(res, 'Idempotency-Key is longer than 255 characters');
      const fp = fingerprint(method, url.pathname, text);
      const seen = idempotent.get(idem);
      if (seen) {
        if (seen.fp !== fp)
          return stripeError(res, 400, {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idem}' if you meant to execute a different request.`,
          });
        return send(res, seen.status, seen.body, { 'idempotent-replayed': 'true' });
      }
      // Record what the endpoint answers, errors included, as Stripe does once a request started.
      const origWriteHead = res.writeHead.bind(res);
      let status = 200;
      res.writeHead = ((code: number, ...rest: unknown[]) => {
        status = code;
        return (origWriteHead as (...a: unknown[]) => ServerResponse)(code, ...rest);
      }) as typeof res.writeHead;
      const origEnd = res.end.bind(res);
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        if (typeof chunk === 'string') idempotent.set(idem, { fp, status, body: JSON.parse(chunk) });
        return (origEnd as (...a: unknown[]) => ServerResponse)(chunk, ...rest);
      }) as typeof res.end;
    }
    const m = pattern.exec(url.pathname) as RegExpExecArray;
    route(res, method === 'POST' ? parseForm(text) : {}, url.searchParams, idem, m);
  }

  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) stripeError(res, 500, { type: 'api_error', message: String(err) });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return new Promise<{
    url: string;
    accountSettings: { secretKey: string; webhookSecret: string };
    faults: StripeFaults;
    setWebhookUrl(url: string): void;
    /** The buyer pays (or fails) the PaymentIntent behind a client secret from createPayment. */
    pay(
      client: { clientSecret?: string } | Record<string, string>,
      payOpts?: { amount?: number; outcome?: 'succeeded' | 'failed' | 'processing' },
    ): Obj;
    /** Finishes a pending refund (refundsPending): refund.updated, and charge.refunded when it succeeded. */
    settleRefund(refundId: string, status: 'succeeded' | 'failed' | 'canceled'): Obj;
    /** Sends held events (faults.hold) in order, reversed or shuffled. */
    release(order?: 'fifo' | 'reverse' | 'shuffle'): void;
    /** Sends an existing event again (a manual "resend" from the dashboard). */
    resend(eventId: string): void;
    paymentIntent(id: string): Obj | undefined;
    events(): StripeEvent[];
    deliveries(): StripeDelivery[];
    /** Resolves when no delivery is in flight. */
    idle(): Promise<void>;
    close(): Promise<void>;
  }>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        accountSettings: { secretKey, webhookSecret },
        faults,
        setWebhookUrl(url: string) {
          webhookUrl = url;
          for (const evt of waiting.splice(0)) dispatch(evt);
        },
        pay(client, payOpts = {}) {
          const secret = (client as { clientSecret?: string }).clientSecret;
          const pi = [...intents.values()].find((p) => p['client_secret'] === secret);
          if (!pi) throw new Error(`no PaymentIntent with client secret ${String(secret)}`);
          if (pi['status'] === 'succeeded' || pi['status'] === 'canceled')
            throw new Error(`PaymentIntent ${String(pi['id'])} is ${String(pi['status'])}`);
          const outcome = payOpts.outcome ?? 'succeeded';
          if (outcome === 'failed') {
            pi['status'] = 'requires_payment_method';
            pi['last_payment_error'] = {
              type: 'card_error',
              code: 'card_declined',
              message: 'Your card was declined.',
            };
            emit('payment_intent.payment_failed', pi);
            return structuredClone(pi);
          }
          if (outcome === 'processing') {
            pi['status'] = 'processing';
            emit('payment_intent.processing', pi);
            return structuredClone(pi);
          }
          const amount = payOpts.amount ?? Number(pi['amount']);
          pi['status'] = 'succeeded';
          pi['amount_received'] = amount;
          pi['latest_charge'] = id('ch');
          pi['last_payment_error'] = null;
          emit('charge.succeeded', { ...chargeFor(pi), amount_refunded: 0 });
          emit('payment_intent.succeeded', pi);
          return structuredClone(pi);
        },
        settleRefund(refundId, status) {
          const re = refunds.get(refundId);
          if (!re) throw new Error(`no refund ${refundId}`);
          const previous = { status: re['status'] };
          re['status'] = status;
          emit('refund.updated', re, { previous });
          const pi = intents.get(String(re['payment_intent']));
          if (status === 'succeeded' && pi) emit('charge.refunded', chargeFor(pi));
          return structuredClone(re);
        },
        release(order = 'fifo') {
          const list = held.splice(0);
          if (order === 'reverse') list.reverse();
          if (order === 'shuffle')
            for (let i = list.length - 1; i > 0; i--) {
              const j = Math.floor(Math.random() * (i + 1));
              [list[i], list[j]] = [list[j] as StripeEvent, list[i] as StripeEvent];
            }
          // One after the other, so the receiver sees them in exactly this order.
          const p = (async () => {
            for (const evt of list) await deliver(evt);
          })().finally(() => inflight.delete(p));
          inflight.add(p);
        },
        resend(eventId) {
          const evt = events.find((e) => e.id === eventId);
          if (!evt) throw new Error(`no event ${eventId}`);
          dispatch(evt);
        },
        paymentIntent: (pid) => {
          const pi = intents.get(pid);
          return pi ? structuredClone(pi) : undefined;
        },
        events: () => structuredClone(events),
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
      });
    });
  });
}

export type StripeSimulator = Awaited<ReturnType<typeof startStripeSimulator>>;
