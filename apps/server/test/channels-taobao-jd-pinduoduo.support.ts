/**
 * One suite run against each Chinese marketplace connector and its simulator (no database): the
 * windowed incremental pull over a page that shifts, error envelopes, auth expiry, exact money and
 * time, encrypted receivers, refused glued ids, stock and shipment round trips, push verification.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { IngestOrderBody } from '@orderhub/contracts';
import type {
  CnOrderStore,
  CnFaults as Faults,
  CnGenerateOptions as GenerateOptions,
  CnSimPush as SimPush,
} from '@orderhub/simulators';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChannelCredentials,
  type ChannelOrder,
  type Connector,
  type ConnectorContext,
  ConnectorError,
  type RawPush,
  type RejectedOrder,
  type ShapeSample,
} from '../src/modules/channels/connector.ts';

/** What every simulator of the three offers the suite. */
export interface CnSim {
  url: string;
  credentials: ChannelCredentials;
  faults: Faults;
  store: CnOrderStore;
  now(): Date;
  addOrder(o?: GenerateOptions & { at?: Date }): string;
  changeAddress(id: string): void;
  refund(
    id: string,
    lineSeq?: number,
    status?: 'requested' | 'refunded' | 'closed',
    refundOnly?: boolean,
  ): void;
  cancelOrder(id: string): void;
  glueIdSuffix(id: string, suffix: string): void;
  order(id: string): Record<string, unknown>;
  stock(): Map<string, number>;
  shipments?(): unknown;
  flushPushes(inFlight?: number): Promise<SimPush[]>;
  setPushUrl(url: string | null): void;
  close(): Promise<void>;
}

export interface CnSpec {
  name: string;
  connector: Connector;
  start(opts: { now: () => Date; seed: number; privacy?: boolean }): Promise<CnSim>;
  settings?: Record<string, unknown>;
  /** Sends a request with a wrong signature straight to the simulator; returns status and parsed body. */
  forgedCall(sim: CnSim): Promise<{ status: number; body: unknown }>;
  /** Asserts that body is the platform's own signature-error envelope. */
  expectSignatureEnvelope(body: unknown): void;
  /** Whether pushes are delivered by this simulator (signed the platform's way). */
  pushes: boolean;
  /** The receiver of a privacy-on order: its platformRef as the raw payload gives it. */
  platformRefOf?(raw: Record<string, unknown>): string | undefined;
  /** The carrier code this platform takes in confirmShipment. */
  carrier: string;
  /** Expected SKU code on stock push. */
  stockSku: string;
  /** Whether the order payload gives refunds per line (JD's order search gives only an order-level lock). */
  lineRefunds: boolean;
}

export const VECTORS_PATH = path.resolve(
  import.meta.dirname,
  '../../../../shared/protocols/vectors/vectors.json',
);
export function sharedVectors(): Record<string, { str?: string; sign?: string }> | null {
  return existsSync(VECTORS_PATH)
    ? (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as Record<string, { str?: string; sign?: string }>)
    : null;
}

export function ctxFor(
  sim: CnSim,
  now: () => Date,
  settings: Record<string, unknown> = {},
  creds?: Partial<ChannelCredentials>,
): ConnectorContext {
  return {
    credentials: { ...sim.credentials, ...creds },
    baseUrl: sim.url,
    get now() {
      return now();
    },
    fetch: globalThis.fetch,
    settings: { timeoutMs: 5000, ...settings },
  };
}

export async function pullWindow(c: Connector, ctx: ConnectorContext, from: Date, to: Date) {
  const orders: ChannelOrder[] = [];
  const rejected: RejectedOrder[] = [];
  const shapes: ShapeSample[] = [];
  let next: string | null = null;
  let pages = 0;
  do {
    const page = await c.pullOrders(ctx, { from, to }, next);
    orders.push(...page.orders);
    rejected.push(...page.rejected);
    shapes.push(...page.shapes);
    next = page.next;
    if (++pages > 500) throw new Error('paging does not end');
  } while (next !== null);
  return { orders, rejected, shapes, pages };
}

export async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    return e as ConnectorError;
  }
  throw new Error('expected a ConnectorError');
}

if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set(
    'date-time',
    (v) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
      !Number.isNaN(Date.parse(v)),
  );

function checkIngestable(o: ChannelOrder): void {
  const body = { channelAccount: 'shop-1', ...o.order };
  const errors = [...Value.Errors(IngestOrderBody, body)].map((e) => `${e.path} ${e.message}`);
  expect(errors).toEqual([]);
  const goods = o.order.lines.reduce((a, l) => a + l.unitPrice * l.quantity, 0);
  expect(o.order.total).toBe(
    goods + (o.order.shippingFee ?? 0) + (o.order.tax ?? 0) - (o.order.discount ?? 0),
  );
  expect(o.order.lines.reduce((a, l) => a + (l.discount ?? 0), 0)).toBe(o.order.discount ?? 0);
}

export function describeCnConnector(spec: CnSpec): void {
  const T0 = Date.parse('2026-06-10T02:00:00Z');
  let nowMs = T0;
  const now = () => new Date(nowMs);
  let sim: CnSim | null = null;
  const start = async (o: { privacy?: boolean; seed?: number } = {}) => {
    nowMs = T0;
    sim = await spec.start({
      now,
      seed: o.seed ?? 7,
      ...(o.privacy !== undefined ? { privacy: o.privacy } : {}),
    });
    return sim;
  };
  afterEach(async () => {
    await sim?.close();
    sim = null;
  });
  const c = spec.connector;

  describe(`${spec.name}: connector against its simulator`, () => {
    it('pulls overlapping windows over a page that shifts while paging: every order once, at its latest version', async () => {
      const s = await start();
      const ids: string[] = [];
      for (let i = 0; i < 90; i++) ids.push(s.addOrder({ at: new Date(T0 - 2 * 3600_000 + i * 75_000) }));
      // Some orders change later on, inside the pulled span.
      nowMs = T0 - 30 * 60_000;
      s.changeAddress(ids[3]!);
      s.refund(ids[10]!, 1, 'requested', true);
      nowMs = T0;
      s.faults.shiftWhilePaging(4);
      const ctx = ctxFor(s, now, { ...spec.settings, pageSize: 7 });
      const seen = new Map<string, ChannelOrder>();
      let pulled = 0;
      let pagesRead = 0;
      // Windows of 25 minutes every 20 (5 minutes overlap), up to now + 1 minute.
      for (let from = T0 - 2 * 3600_000 - 60_000; from < T0 + 60_000; from += 20 * 60_000) {
        const to = Math.min(from + 25 * 60_000, T0 + 60_000);
        const { orders, pages } = await pullWindow(c, ctx, new Date(from), new Date(to));
        pagesRead += pages;
        for (const o of orders) {
          pulled++;
          const had = seen.get(o.externalOrderId);
          if (!had || had.modifiedAt < o.modifiedAt) seen.set(o.externalOrderId, o);
        }
      }
      expect(s.faults.state.shifts).toBe(0);
      expect(pagesRead).toBeGreaterThanOrEqual(15);
      expect(pulled).toBeGreaterThanOrEqual(ids.length);
      expect([...seen.keys()].sort()).toEqual([...ids].sort());
      for (const id of ids) {
        const latest = await c.fetchOrder(ctx, id);
        expect(seen.get(id)!.modifiedAt.toISOString(), `order ${id} at its latest version`).toBe(
          latest!.modifiedAt.toISOString(),
        );
      }
      for (const o of seen.values()) checkIngestable(o);
      const refunded = seen.get(ids[10]!)!;
      expect(refunded.refunds).toEqual([expect.objectContaining({ status: 'requested', refundOnly: true })]);
    });

    it('property: any mix of orders, changes, page sizes, shifts and window overlaps ends with every order once, at its latest version', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            seed: fc.integer({ min: 1, max: 1_000_000 }),
            orders: fc.integer({ min: 20, max: 120 }),
            changes: fc.array(
              fc.record({
                which: fc.nat(),
                kind: fc.constantFrom('address', 'refund', 'cancel') as fc.Arbitrary<
                  'address' | 'refund' | 'cancel'
                >,
                minutesAgo: fc.integer({ min: 1, max: 60 }),
              }),
              { maxLength: 10 },
            ),
            pageSize: fc.integer({ min: 2, max: 8 }),
            shifts: fc.integer({ min: 1, max: 8 }),
            windowMin: fc.integer({ min: 5, max: 25 }),
            overlapMin: fc.integer({ min: 1, max: 4 }),
          }),
          async (p) => {
            nowMs = T0;
            const s = await spec.start({ now, seed: p.seed });
            try {
              const span = 2 * 3600_000;
              const ids: string[] = [];
              for (let i = 0; i < p.orders; i++)
                ids.push(s.addOrder({ at: new Date(T0 - span + Math.floor((i * span) / p.orders)) }));
              for (const ch of [...p.changes].sort((a, b) => b.minutesAgo - a.minutesAgo)) {
                nowMs = T0 - ch.minutesAgo * 60_000;
                const id = ids[ch.which % ids.length]!;
                if (ch.kind === 'address') s.changeAddress(id);
                else if (ch.kind === 'refund') s.refund(id, 1, 'requested', true);
                else s.cancelOrder(id);
              }
              nowMs = T0;
              s.faults.shiftWhilePaging(p.shifts);
              const ctx = ctxFor(s, now, { ...spec.settings, pageSize: p.pageSize });
              const seen = new Map<string, number>();
              const step = (p.windowMin - p.overlapMin) * 60_000;
              for (let from = T0 - span - 60_000; from < T0 + 60_000; from += step) {
                const { orders } = await pullWindow(
                  c,
                  ctx,
                  new Date(from),
                  new Date(Math.min(from + p.windowMin * 60_000, T0 + 60_000)),
                );
                for (const o of orders)
                  seen.set(
                    o.externalOrderId,
                    Math.max(seen.get(o.externalOrderId) ?? 0, o.modifiedAt.getTime()),
                  );
              }
              // A change made after the last page of the last window was read is the next pull's:
              // the platform stops changing, and one more window covers the newest edits only.
              s.faults.state.shifts = 0;
              nowMs = T0 + 5 * 60_000;
              for (const o of (await pullWindow(c, ctx, new Date(T0 - 60_000), new Date(T0 + 4 * 60_000)))
                .orders)
                seen.set(
                  o.externalOrderId,
                  Math.max(seen.get(o.externalOrderId) ?? 0, o.modifiedAt.getTime()),
                );
              expect([...seen.keys()].sort()).toEqual([...ids].sort());
              const latest = new Map(s.store.list().map((o) => [o.seq, o.modifiedAt.getTime()]));
              expect([...seen.values()].sort()).toEqual([...latest.values()].sort());
            } finally {
              await s.close();
            }
          },
        ),
        { numRuns: 8 },
      );
    }, 240_000);

    it('reports each API payload’s field paths and JSON types for the drift watch', async () => {
      const s = await start();
      s.addOrder({ lines: 2 });
      const { shapes } = await pullWindow(
        c,
        ctxFor(s, now, spec.settings),
        new Date(T0 - 10 * 60_000),
        new Date(T0 + 5 * 60_000),
      );
      expect(shapes.length).toBeGreaterThan(0);
      expect(Math.max(...shapes.map((sh) => Object.keys(sh.fields).length))).toBeGreaterThan(10);
      for (const sh of shapes) {
        for (const t of Object.values(sh.fields))
          expect(t).toMatch(/^(string|number|boolean|object|array|null)(\|.+)?$/);
      }
    });

    it('a field the platform adds overnight shows in the shapes and never changes identity', async () => {
      const s = await start();
      const id = s.addOrder();
      const ctx = ctxFor(s, now, spec.settings);
      const w = [new Date(T0 - 10 * 60_000), new Date(T0 + 5 * 60_000)] as const;
      const before = await pullWindow(c, ctx, ...w);
      s.faults.extraField('order_id_suffix', 'ERR');
      const after = await pullWindow(c, ctx, ...w);
      expect(after.orders.map((o) => o.externalOrderId)).toEqual([id]);
      expect(after.orders[0]!.order.lines).toEqual(before.orders[0]!.order.lines);
      expect(after.orders[0]!.order.total).toBe(before.orders[0]!.order.total);
      const fieldsOf = (shapes: ShapeSample[]) =>
        shapes.flatMap((sh) => Object.keys(sh.fields).map((f) => `${sh.api} ${f}`));
      const added = fieldsOf(after.shapes).filter((f) => !fieldsOf(before.shapes).includes(f));
      expect(added.length).toBeGreaterThan(0);
      for (const f of added) expect(f).toMatch(/order_id_suffix$/);
      expect(
        after.shapes.some((sh) =>
          Object.entries(sh.fields).some(([k, t]) => k.endsWith('order_id_suffix') && t === 'string'),
        ),
      ).toBe(true);
    });

    it('a 200 carrying the platform’s error envelope, a 5xx and a timeout are retryable failures, never an empty page', async () => {
      const s = await start();
      s.addOrder();
      const ctx = ctxFor(s, now, { ...spec.settings, timeoutMs: 400 });
      const w = { from: new Date(T0 - 10 * 60_000), to: new Date(T0 + 5 * 60_000) };
      s.faults.errorBody(1);
      const busy = await rejection(c.pullOrders(ctx, w, null));
      expect(busy.retryable).toBe(true);
      expect(busy.authExpired).toBe(false);
      s.faults.serverError(1);
      expect((await rejection(c.pullOrders(ctx, w, null))).retryable).toBe(true);
      s.faults.timeout(1);
      const slow = await rejection(c.pullOrders(ctx, w, null));
      expect(slow.code).toBe('TIMEOUT');
      expect(slow.retryable).toBe(true);
      expect((await c.pullOrders(ctx, w, null)).orders).toHaveLength(1);
    });

    it('rate limiting answers the platform’s code, mapped to a retryable failure', async () => {
      const s = await start();
      s.addOrder();
      s.faults.rateLimit(1);
      const ctx = ctxFor(s, now, spec.settings);
      const w = { from: new Date(T0 - 10 * 60_000), to: new Date(T0 + 5 * 60_000) };
      const errs: ConnectorError[] = [];
      for (let i = 0; i < 4; i++) await c.pullOrders(ctx, w, null).catch((e: ConnectorError) => errs.push(e));
      expect(errs.length).toBeGreaterThan(0);
      expect(errs[0]!.code).toBe('RATE_LIMITED');
      expect(errs[0]!.retryable).toBe(true);
    });

    it('a bad signature gets the platform’s own envelope; a wrong secret is a non-retryable failure', async () => {
      const s = await start();
      const forged = await spec.forgedCall(s);
      spec.expectSignatureEnvelope(forged.body);
      const e = await rejection(
        c.pullOrders(
          ctxFor(s, now, spec.settings, { appSecret: 'not-the-secret' }),
          { from: new Date(T0 - 60_000), to: new Date(T0) },
          null,
        ),
      );
      expect(e.code).toBe('SIGNATURE_REJECTED');
      expect(e.retryable).toBe(false);
    });

    it('an expired token stops with authExpired; authorisation reads accessTokenExpiresAt', async () => {
      const s = await start();
      s.faults.expireToken();
      const e = await rejection(
        c.pullOrders(ctxFor(s, now, spec.settings), { from: new Date(T0 - 60_000), to: new Date(T0) }, null),
      );
      expect(e.authExpired).toBe(true);
      const ctx = ctxFor(s, now, spec.settings, {
        accessTokenExpiresAt: new Date(T0 + 3600_000).toISOString(),
      });
      expect(c.authorisation(ctx)).toEqual({ expiresAt: new Date(T0 + 3600_000), expired: false });
      nowMs = T0 + 3600_000;
      expect(c.authorisation(ctx).expired).toBe(true);
      expect(c.authorisation(ctxFor(s, now, spec.settings, { accessTokenExpiresAt: undefined }))).toEqual({
        expiresAt: null,
        expired: false,
      });
    });

    it('a skewed platform clock refuses our timestamp (non-retryable, clear code)', async () => {
      const s = await start();
      s.faults.skewClock(3 * 3600_000);
      const e = await rejection(
        c.pullOrders(ctxFor(s, now, spec.settings), { from: new Date(T0 - 60_000), to: new Date(T0) }, null),
      );
      expect(e.code).toBe('TIMESTAMP_REJECTED');
    });

    it('maps money and time exactly: a multi-line order with a coupon and shipping adds up to the fen', async () => {
      const s = await start({ privacy: false });
      const id = s.addOrder({
        items: [
          { code: 'TEA-SET-01', qty: 1 },
          { code: 'CUP-02', qty: 3 },
          { code: 'SOCK-5P', qty: 2 },
        ],
        couponFen: 2000,
        shippingFen: 800,
      });
      const o = (await c.fetchOrder(ctxFor(s, now, spec.settings), id))!;
      const simOrder = s.store.list()[0]!;
      expect(o.externalOrderId).toBe(id);
      expect(o.order.currency).toBe('CNY');
      expect(o.order.lines.map((l) => [l.channelSku, l.quantity, l.unitPrice])).toEqual([
        ['TEA-SET-01', 1, 16800],
        ['CUP-02', 3, 1990],
        ['SOCK-5P', 2, 2990],
      ]);
      expect(o.order.shippingFee).toBe(800);
      expect(o.order.discount).toBe(2000);
      expect(o.order.total).toBe(16800 + 3 * 1990 + 2 * 2990 + 800 - 2000);
      expect(o.order.lines.map((l) => l.discount)).toEqual(simOrder.lines.map((l) => l.discountFen));
      expect(o.order.placedAt).toBe(simOrder.createdAt.toISOString());
      // The raw string is Beijing time, eight hours ahead of the UTC instant.
      const bj = new Date(simOrder.createdAt.getTime() + 8 * 3600_000)
        .toISOString()
        .replace('T', ' ')
        .slice(0, 19);
      expect(o.order.placedAtRaw).toBe(bj);
      expect(o.order.paidAt).toBe(simOrder.paidAt!.toISOString());
      expect(o.modifiedAt.toISOString()).toBe(simOrder.modifiedAt.toISOString());
      expect(o.order.status).toBe('paid');
      expect(o.receiverEncrypted).toBe(false);
      expect(o.order.receiver?.name).toBe(simOrder.receiver.name);
      expect(o.order.receiver?.province).toBe(simOrder.receiver.province);
      checkIngestable(o);
    });

    it('keeps encrypted or masked receiver data as given and marks it, never guessing', async () => {
      const s = await start({ privacy: true });
      const id = s.addOrder();
      const o = (await c.fetchOrder(ctxFor(s, now, spec.settings), id))!;
      expect(o.receiverEncrypted).toBe(true);
      const raw = s.order(id);
      if (spec.platformRefOf) expect(o.order.receiver?.platformRef).toBe(spec.platformRefOf(raw));
      const plain = s.store.list()[0]!.receiver;
      const shown = JSON.stringify(o.order.receiver ?? {});
      expect(shown).not.toContain(plain.phone);
      expect(shown).not.toContain(plain.detail);
      checkIngestable(o);
    });

    it('refuses an order id with a suffix glued on as malformed, never as a new order, and keeps the rest of the page', async () => {
      const s = await start();
      const good = s.addOrder();
      const bad = s.addOrder();
      s.glueIdSuffix(bad, 'ERR');
      const ctx = ctxFor(s, now, spec.settings);
      const got = await pullWindow(c, ctx, new Date(T0 - 10 * 60_000), new Date(T0 + 5 * 60_000));
      expect(got.orders.map((o) => o.externalOrderId)).toEqual([good]);
      expect(got.rejected).toHaveLength(1);
      expect(got.rejected[0]).toMatchObject({ externalOrderId: `${bad}ERR`, code: 'ORDER_ID_MALFORMED' });
      expect(JSON.stringify(got.rejected[0]!.raw)).toContain(`${bad}ERR`);
      expect((await rejection(c.fetchOrder(ctx, `${good}ERR`))).code).toBe('ORDER_ID_MALFORMED');
    });

    it('a SKU format that changes mid-stream changes the line’s channel SKU, never the order’s or line’s identity', async () => {
      const s = await start();
      const id = s.addOrder({ items: [{ code: 'CUP-02', qty: 1 }] });
      const ctx = ctxFor(s, now, spec.settings);
      const before = (await c.fetchOrder(ctx, id))!;
      s.faults.changeSkuFormat('-B2601');
      const after = (await c.fetchOrder(ctx, id))!;
      expect(after.externalOrderId).toBe(before.externalOrderId);
      expect(after.order.lines[0]!.externalLineId).toBe(before.order.lines[0]!.externalLineId);
      expect(after.order.lines[0]!.channelSku).toBe('CUP-02-B2601');
    });

    it('maps refunds (per line where the platform gives them) and a cancel to cancelled', async () => {
      const s = await start();
      const id = s.addOrder({ lines: 2 });
      const ctx = ctxFor(s, now, spec.settings);
      if (spec.lineRefunds) {
        s.refund(id, 2, 'refunded', true);
        const o = (await c.fetchOrder(ctx, id))!;
        expect(o.refunds).toEqual([expect.objectContaining({ status: 'refunded' })]);
        expect(o.refunds[0]!.externalLineId).toBe(o.order.lines[1]!.externalLineId);
      } else {
        s.refund(id, 2, 'requested', true);
        const o = (await c.fetchOrder(ctx, id))!;
        expect(o.refunds).toEqual([{ externalLineId: null, status: 'requested', refundOnly: true }]);
        expect(o.order.tags).toContain('do-not-ship');
      }
      s.cancelOrder(id);
      expect((await c.fetchOrder(ctx, id))!.order.status).toBe('cancelled');
    });

    it('pushes stock and confirms a shipment round trip', async () => {
      const s = await start();
      const ctx = ctxFor(s, now, spec.settings);
      const res = await c.pushStock(ctx, [{ channelSku: spec.stockSku, quantity: 7 }]);
      expect(res).toEqual([{ channelSku: spec.stockSku, ok: true, error: null, retryable: false }]);
      expect(s.stock().get('TEA-SET-01')).toBe(7);
      const [unknown] = await c.pushStock(ctx, [{ channelSku: 'NO-SUCH-SKU', quantity: 1 }]);
      expect(unknown!.ok).toBe(false);
      expect(unknown!.retryable).toBe(false);
      const id = s.addOrder();
      await c.confirmShipment(ctx, {
        externalOrderId: id,
        carrierCode: spec.carrier,
        waybillNo: 'YT0000000000001',
      });
      const so = s.store.list().at(-1)!;
      expect(so.status).toBe('shipped');
      expect(so.shipment?.waybillNo).toBe('YT0000000000001');
      expect((await c.fetchOrder(ctx, id))!.order.tags).toContain('shipped');
      await rejection(
        c.confirmShipment(ctx, {
          externalOrderId: id,
          carrierCode: spec.carrier,
          waybillNo: 'YT0000000000001',
        }),
      );
    });

    it.runIf(spec.pushes)(
      'verifies genuine pushes, refuses forged and stale ones; duplicates carry the same message id',
      async () => {
        const s = await start();
        s.setPushUrl(null);
        const id = s.addOrder();
        s.changeAddress(id);
        s.faults.duplicatePushes();
        const pushes = await s.flushPushes();
        expect(pushes.length).toBe(4);
        const ctx = ctxFor(s, now, spec.settings);
        const raw = (p: SimPush, body = p.body): RawPush => ({
          headers: Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k.toLowerCase(), v])),
          query: p.query,
          body: Buffer.from(body, 'utf8'),
        });
        const v = pushes.map((p) => c.verifyPush(raw(p), ctx));
        for (const r of v) expect(r.ok).toBe(true);
        // Verified again later from what the inbox stores (headers and raw body, no query).
        expect(c.verifyPush({ ...raw(pushes[0]!), query: {} }, ctx)).toEqual(v[0]);
        const ok = v.filter((r) => r.ok);
        expect(ok[0]!.orderIds).toEqual([id]);
        expect(ok[0]!.messageId).toBe(ok[1]!.messageId);
        expect(ok[2]!.messageId).not.toBe(ok[0]!.messageId);
        const forged = c.verifyPush(
          raw(
            pushes[0]!,
            pushes[0]!.body.replace(
              id,
              id.replace(/.$/, (d) => String((Number(d) + 1) % 10)),
            ),
          ),
          ctx,
        );
        expect(forged).toMatchObject({ ok: false, reason: 'SIGNATURE_INVALID' });
        const wrongKey = c.verifyPush(raw(pushes[0]!), ctxFor(s, now, spec.settings, { appSecret: 'other' }));
        expect(wrongKey).toMatchObject({ ok: false, reason: 'SIGNATURE_INVALID' });
        nowMs = T0 + 3 * 3600_000;
        expect(c.verifyPush(raw(pushes[0]!), ctxFor(s, now, spec.settings))).toMatchObject({
          ok: false,
          reason: 'TIMESTAMP_INVALID',
        });
        expect(c.ackPush(true).status).toBe(200);
        expect(c.ackPush(false, 'bad').status).toBeGreaterThanOrEqual(400);
      },
    );

    it('delivers pushes to a URL out of order when asked', async () => {
      const s = await start();
      const got: string[] = [];
      const { createServer } = await import('node:http');
      const srv = createServer((req, res) => {
        let b = '';
        req.on('data', (d: Buffer) => (b += d.toString()));
        req.on('end', () => {
          got.push(b);
          res.writeHead(200).end(c.ackPush(true).body);
        });
      });
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      try {
        const port = (srv.address() as { port: number }).port;
        s.setPushUrl(`http://127.0.0.1:${port}/push`);
        const id = s.addOrder();
        s.changeAddress(id);
        s.faults.outOfOrderPushes();
        const sent = await s.flushPushes();
        expect(sent.map((p) => p.status)).toEqual([200, 200]);
        expect(got).toEqual([sent[0]!.body, sent[1]!.body]);
        expect(sent[0]!.body).not.toBe(sent[1]!.body);
        // Many at once: every message arrives, each recorded in the order it was started.
        s.faults.outOfOrderPushes(false);
        got.length = 0;
        for (let i = 0; i < 12; i++) s.addOrder();
        const many = await s.flushPushes(8);
        expect(many.map((p) => p.status)).toEqual(Array(12).fill(200));
        expect([...got].sort()).toEqual(many.map((p) => p.body).sort());
      } finally {
        await new Promise<void>((r) => srv.close(() => r()));
      }
    });

    it('checks the credentials a user gives, naming the field', () => {
      expect(() => c.checkCredentials({ appSecret: 'x', accessToken: 'y' })).toThrow(/app key|client id/i);
      expect(() =>
        c.checkCredentials({ appKey: 'k', appSecret: 'x', accessToken: 'y', accessTokenExpiresAt: 'soon' }),
      ).toThrow();
      expect(() => c.checkCredentials({ appKey: 'k', appSecret: 'x', accessToken: 'y' })).not.toThrow();
    });

    it('refuses settings of the wrong type and windows longer than the platform allows', async () => {
      const s = await start();
      const bad = await rejection(
        c.pullOrders(
          ctxFor(s, now, { pageSize: 'many' }),
          { from: new Date(T0 - 60_000), to: new Date(T0) },
          null,
        ),
      );
      expect(bad.code).toBe('SETTINGS_INVALID');
      const long = await rejection(
        c.pullOrders(
          ctxFor(s, now, spec.settings),
          { from: new Date(T0 - c.maxWindowMs - 60_000), to: new Date(T0) },
          null,
        ),
      );
      expect(long.code).toBe('WINDOW_INVALID');
    });
  });
}
