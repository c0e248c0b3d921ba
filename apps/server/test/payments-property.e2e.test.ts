import { createServer, type Server } from 'node:http';
import { startAlipaySimulator, startStripeSimulator, startWechatPaySimulator } from '@orderhub/simulators';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAccount,
  type PaymentsApp,
  pendingOrder,
  startPayment,
  startPaymentsApp,
} from './payments-support.ts';

interface Captured {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Stands where the providers deliver: keeps each signed callback as sent and answers success. */
async function startCapture(): Promise<{ url: string; taken: Captured[]; close(): Promise<void> }> {
  const taken: Captured[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
      taken.push({ path: req.url ?? '/', headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('success');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    taken,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** mulberry32: the shuffle follows fast-check's seed, so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('every callback counted exactly once', () => {
  let t: PaymentsApp;
  let capture: Awaited<ReturnType<typeof startCapture>>;
  let stripe: Awaited<ReturnType<typeof startStripeSimulator>>;
  let wechat: Awaited<ReturnType<typeof startWechatPaySimulator>>;
  let alipay: Awaited<ReturnType<typeof startAlipaySimulator>>;

  beforeAll(async () => {
    capture = await startCapture();
    t = await startPaymentsApp({ publicUrl: capture.url });
    stripe = await startStripeSimulator();
    stripe.setWebhookUrl(`${capture.url}/api/payments/notify/stripe-p`);
    wechat = await startWechatPaySimulator();
    // Our clock is skewed by up to 30 minutes here: Stripe's replay window is the one time check, widened.
    await addAccount(t, 'stripe-p', 'stripe', stripe, { replayWindowSeconds: 3600 });
    await addAccount(t, 'wechat-p', 'wechatpay', wechat);
    alipay = await startAlipaySimulator();
    await addAccount(t, 'alipay-p', 'alipay', alipay);
  }, 180_000);
  afterAll(async () => {
    await stripe?.close();
    await wechat?.close();
    await alipay?.close();
    await t?.close();
    await capture?.close();
  });

  it('callbacks delivered 1–10 times, shuffled, from 8 concurrent deliverers, our clock skewed −30…+30 min → one voucher per transaction', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -30 * 60, max: 30 * 60 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 32, maxLength: 32 }),
        fc.integer(),
        async (skewSeconds, copies, seed) => {
          capture.taken.length = 0;
          const orders: { id: string; tradeNo: string }[] = [];
          const sims = { 'stripe-p': stripe, 'wechat-p': wechat, 'alipay-p': alipay } as const;
          for (const account of [
            'stripe-p',
            'wechat-p',
            'alipay-p',
            'stripe-p',
            'wechat-p',
            'alipay-p',
          ] as const) {
            const order = await pendingOrder(t);
            const attempt = await startPayment(t, order.id, account);
            sims[account].pay(attempt.client);
            orders.push({ id: order.id, tradeNo: attempt.merchantTradeNo });
          }
          await stripe.idle();
          await wechat.idle();
          await alipay.idle();
          const callbacks = [...capture.taken];
          expect(callbacks.length).toBeGreaterThanOrEqual(orders.length);
          const deliveries: Captured[] = [];
          callbacks.forEach((c, i) => {
            for (let k = 0; k < copies[i % copies.length]!; k++) deliveries.push(c);
          });
          const random = rng(seed);
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          t.clock.skewMs = skewSeconds * 1000;
          const statuses: number[] = [];
          try {
            let next = 0;
            await Promise.all(
              Array.from({ length: 8 }, async () => {
                while (next < deliveries.length) {
                  const d = deliveries[next++]!;
                  const res = await fetch(`${t.url}${d.path}`, {
                    method: 'POST',
                    headers: d.headers,
                    body: d.body,
                  });
                  await res.arrayBuffer();
                  statuses.push(res.status);
                }
              }),
            );
          } finally {
            t.clock.skewMs = 0;
          }
          expect(statuses.filter((s) => s >= 300)).toEqual([]);
          for (const o of orders) {
            const p = (await t.request('GET', `/api/orders/${o.id}/payments`)).body;
            expect(p.vouchers.filter((v: { kind: string }) => v.kind === 'payment')).toHaveLength(1);
            expect(p.paid).toBe(8000);
            const detail = (await t.request('GET', `/api/orders/${o.id}`)).body;
            expect(detail.status).toBe('paid');
            expect(detail.holdReason).toBeNull();
          }
          const vouchers = await t.count('fund_vouchers', `order_id = ANY($1::text[])`, [
            orders.map((o) => o.id),
          ]);
          expect(vouchers).toBe(orders.length);
        },
      ),
      { numRuns: Number(process.env['PAYMENTS_PROPERTY_RUNS'] ?? 5) },
    );
  }, 600_000);
});
