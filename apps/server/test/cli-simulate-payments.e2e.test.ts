/**
 * `orderhub simulate --payments` against a listening server: the WeChat Pay, Alipay and Stripe
 * simulators are started, one payment account per provider is registered through the API, buyers
 * are streamed (orders waiting for payment, attempts, payments at the simulators with duplicated
 * callbacks among them); every payment made ends as exactly one voucher and a paid order, the
 * buyers who left keep their orders waiting. A second run repoints the same accounts at new
 * simulators (new keys) and its payments are counted too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsSummaryLines, startPaymentsSimulate } from '../src/cli/simulate-payments.ts';
import { type PaymentsApp, startPaymentsApp, waitFor } from './payments-support.ts';

let t: PaymentsApp;

beforeAll(async () => {
  t = await startPaymentsApp();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

function start(seed: number, lines: string[], durationSeconds: number) {
  return startPaymentsSimulate({
    server: t.url,
    token: t.tokens.admin,
    providers: ['wechatpay', 'alipay', 'stripe'],
    rate: 600,
    durationSeconds,
    prefix: 'demo',
    channelAccount: 'default',
    seed,
    duplicateShare: 0.4,
    lostShare: 0,
    abandonShare: 0.1,
    print: (l) => lines.push(l),
  });
}

/** Orders of one run (their external ids carry the seed) by status. */
async function ordersOf(seed: number): Promise<Map<string, string>> {
  const rows = await t.database.query<{ id: string; status: string }>(
    `SELECT o.id, o.status FROM orders o JOIN channel_accounts a ON a.id = o.channel_account_id
      WHERE a.code = 'default' AND o.external_order_id LIKE $1`,
    [`PAY-${seed}-%`],
  );
  return new Map(rows.map((r) => [r.id, r.status]));
}

describe('orderhub simulate --payments', () => {
  it('streams buyers through the three payment simulators; each payment is one voucher and one paid order, duplicates counted once; a second run repoints the accounts', async () => {
    for (const [round, seed] of [
      [1, 3],
      [2, 8],
    ] as const) {
      const before = await t.count('fund_vouchers');
      const lines: string[] = [];
      const sim = await start(seed, lines, 3);
      let summary: Awaited<ReturnType<typeof sim.settle>>;
      try {
        expect(Object.keys(sim.accounts).sort()).toEqual(['demo-alipay', 'demo-stripe', 'demo-wechatpay']);
        expect(lines.filter((l) => l.includes(round === 1 ? '(added)' : '(repointed)'))).toHaveLength(3);
        await sim.streamed;
        summary = await sim.settle();
      } finally {
        await sim.close();
      }
      expect(summary.failed, lines.join('\n')).toBe(0);
      expect(summary.orders).toBeGreaterThan(10);
      expect(summary.paid + summary.abandoned).toBe(summary.orders);
      const paid = Object.values(summary.paidOrders).flat();
      expect(paid.length).toBe(summary.paid);
      // Callbacks delivered twice (WeChat: two copies; Alipay and Stripe: once more after the ack).
      if (summary.paid >= 10) expect(summary.duplicated).toBeGreaterThan(0);
      await waitFor(
        async () => {
          const st = await ordersOf(seed);
          return paid.every((id) => st.get(id) === 'paid');
        },
        30_000,
        'every paid order',
      );
      const st = await ordersOf(seed);
      expect(st.size).toBe(summary.orders);
      const waiting = [...st.entries()].filter(([id]) => !paid.includes(id));
      for (const [, status] of waiting) expect(status).toBe('pending_payment');
      // Exactly one voucher per payment made: the duplicates wrote nothing.
      expect(await t.count('fund_vouchers')).toBe(before + paid.length);
      expect(paymentsSummaryLines(summary)[0]).toContain(`${summary.orders} buyers`);
    }
  }, 240_000);
});
