/**
 * Payment callbacks: signed WeChat Pay v3, Alipay and Stripe callbacks — 30% of them duplicates
 * (the same delivery again), all shuffled — posted by 16 concurrent deliverers to a listening server
 * on PostgreSQL. Each is verified on its raw bytes (RSA-SHA256 and AES-256-GCM for WeChat Pay, RSA2
 * for Alipay, HMAC-SHA256 for Stripe), stored as an event, and booked as a fund voucher with the
 * order's `pay` transition in one transaction; a duplicate writes no voucher. The baseline, in the
 * same run on its own database, inserts the same vouchers with plain SQL
 * `INSERT … ON CONFLICT DO NOTHING` through the same driver (node-postgres, a prepared statement,
 * autocommit) and pool size, 16 at a time.
 *
 * Rounds: the transactions are split into a warm-up round (both sides, not counted in the figures)
 * and measured rounds; each round delivers its own callbacks (its transactions and their
 * duplicates, shuffled) and inserts the same vouchers in the baseline, the two taking turns to go
 * first. `ratio` is the median of the rounds' ratios; `callbacks_per_s` and `baseline_per_s` the
 * medians of their rates.
 *
 * Callbacks are signed the providers' way with the simulators' keys (Alipay's own signing helper,
 * Stripe's webhook secret; WeChat Pay with a platform key pair made here and given to the account as
 * a `PUB_KEY_ID_…` WeChat Pay public key) before the clock starts: signing is the provider's cost.
 *
 * Knobs (environment variables; nothing else is read):
 *   BENCH_QUICK=1   3,000 callbacks (under a minute)
 *   BENCH_SMOKE=1   300 callbacks, correctness only (npm run bench:smoke)
 *   DATABASE_URL    PostgreSQL to use (the role needs CREATEDB); unset: a throw-away cluster
 * Without them: 20,000 callbacks.
 *
 * The last output line is one JSON object: `callbacks_per_s`, `baseline_per_s`, `ratio` (target
 * ≥ 0.3), `vouchers` (must equal `transactions`), `double_counted` (must be 0), `ok`.
 */
import { startAlipaySimulator, startStripeSimulator } from '@orderhub/simulators';
import pg from 'pg';
import { createSku } from '../apps/server/src/modules/catalog/index.ts';
import { systemActor } from '../apps/server/src/platform/actor.ts';
import { openDatabase } from '../apps/server/src/platform/db.ts';
import { startCluster } from '../scripts/pg-cluster.mjs';
import {
  benchApp,
  type Callback,
  callbackSigner,
  createBenchAccounts,
  dealRounds,
  median,
  providers,
  startDeliverer,
  voucherInserter,
  wechatBenchAccount,
  withDatabase,
} from './lib/payment-callbacks.ts';

const QUICK = process.env['BENCH_QUICK'] === '1';
const SMOKE = process.env['BENCH_SMOKE'] === '1';
const CALLBACKS = SMOKE ? 300 : QUICK ? 3_000 : 20_000;
const DUPLICATE_SHARE = 0.3;
const CONCURRENCY = 16;
const POOL_SIZE = CONCURRENCY + 4;
const AMOUNT = 8000;
const ROUNDS = SMOKE ? 2 : QUICK ? 4 : 6;

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function main() {
  const transactions = Math.round(CALLBACKS * (1 - DUPLICATE_SHARE));
  let url = process.env['DATABASE_URL'];
  let stopCluster: (() => Promise<void>) | undefined;
  if (!url) {
    log('starting a throw-away PostgreSQL cluster (scripts/pg-cluster.mjs)');
    const cluster = await startCluster();
    url = cluster.url;
    stopCluster = cluster.stop;
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const flowName = `orderhub_bench_pay_${process.pid}`;
  const baseName = `orderhub_bench_paybase_${process.pid}`;
  for (const n of [flowName, baseName]) {
    await admin.query(`DROP DATABASE IF EXISTS ${n}`);
    await admin.query(`CREATE DATABASE ${n}`);
  }
  const stripe = await startStripeSimulator();
  const alipay = await startAlipaySimulator();
  const flowDb = await openDatabase({ databaseUrl: withDatabase(url, flowName), poolSize: POOL_SIZE });
  const baseDb = await openDatabase({ databaseUrl: withDatabase(url, baseName), poolSize: POOL_SIZE });
  await baseDb.migrate();
  const { app, api } = await benchApp(flowDb);
  const address = await app.http.listen({ port: 0, host: '127.0.0.1' });
  try {
    // Accounts: the simulators' keys for Alipay and Stripe; a WeChat Pay key pair made here.
    const wechat = wechatBenchAccount();
    await flowDb.tx(async (tx) => {
      await createSku(tx, new Date(), systemActor('bench', 'cli'), {
        code: 'BENCH-PAY',
        name: 'Bench goods',
        tracked: false,
      });
    });
    const accounts = await createBenchAccounts(api, { stripe, alipay, wechat });
    const sign = callbackSigner({ stripe, alipay, wechat, amount: AMOUNT });

    // Orders waiting for payment (batches of 500) and one attempt each (setup, not measured).
    log(`setting up ${transactions} orders and payment attempts`);
    const orderIds: string[] = [];
    const externalIds: string[] = [];
    for (let i = 0; i < transactions; i += 500) {
      const orders = Array.from({ length: Math.min(500, transactions - i) }, (_, k) => ({
        channelAccount: 'default',
        externalOrderId: `BENCH-PAY-${process.pid}-${i + k}`,
        status: 'pending_payment',
        currency: 'CNY',
        placedAt: new Date().toISOString(),
        lines: [{ channelSku: 'BENCH-PAY', sku: 'BENCH-PAY', quantity: 1, unitPrice: AMOUNT }],
        total: AMOUNT,
      }));
      const res = await api('POST', '/api/orders:batch', { orders });
      for (const r of res.results) {
        if (!r.orderId) throw new Error(`order ${r.externalOrderId} not created: ${JSON.stringify(r.error)}`);
        orderIds.push(r.orderId);
        externalIds.push(r.externalOrderId);
      }
    }
    const uniques: Callback[] = [];
    const at = new Date();
    // As createAttempt writes them: the order's natural key rides along on the attempt.
    const channelAccountId = (
      await flowDb.query<{ id: string }>(`SELECT id FROM channel_accounts WHERE code = 'default'`)
    )[0]!.id;
    const attemptRows: unknown[][] = [[], [], [], [], []];
    orderIds.forEach((orderId, i) => {
      const provider = providers[i % 3]!;
      const tradeNo = `PB${process.pid}X${i}`;
      attemptRows[0]!.push(`pat_bench_${i}`);
      attemptRows[1]!.push(orderId);
      attemptRows[2]!.push(accounts[provider].id);
      attemptRows[3]!.push(tradeNo);
      attemptRows[4]!.push(externalIds[i]);
      uniques.push(sign(provider, tradeNo, i, at));
    });
    await flowDb.query(
      `INSERT INTO payment_attempts (id, order_id, payment_account_id, merchant_trade_no, amount, currency, status, expires_at, created_at, updated_at,
          order_channel_account_id, order_external_id)
       SELECT u.id, u.o, u.a, u.t, ${AMOUNT}, 'CNY', 'pending', now() + interval '1 day', now(), now(), $6, u.x
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, o, a, t, x)`,
      [...attemptRows, channelAccountId],
    );

    // Baseline: its own database and pool, the same driver, one named (prepared) statement, autocommit.
    const baseline = await voucherInserter({
      database: baseDb,
      url: withDatabase(url, baseName),
      poolSize: POOL_SIZE,
      concurrency: CONCURRENCY,
      amount: AMOUNT,
    });

    // Rounds: a warm-up (5% of the transactions) and ROUNDS measured ones. Each round's callbacks are
    // its own transactions plus 30% duplicates of them, shuffled.
    const rounds = dealRounds(uniques, CALLBACKS, ROUNDS);
    const deliveries = rounds.flat();

    log(
      `delivering ${deliveries.length} callbacks (${transactions} transactions), ${CONCURRENCY} at a time, in a warm-up and ${ROUNDS} rounds against the baseline`,
    );
    // The deliverers run on their own thread, so the server's thread does only the server's work.
    const client = startDeliverer(address, CONCURRENCY);
    const statuses: number[] = [];
    const latency: Record<string, number[]> = { wechatpay: [], alipay: [], stripe: [] };
    const perRound: { callbacks: number; flow_per_s: number; baseline_per_s: number; ratio: number }[] = [];
    try {
      for (const [r, items] of rounds.entries()) {
        const flow = async () => {
          const a = await client.deliver(items, (d) => `/api/payments/notify/${d.account}`);
          statuses.push(...a.statuses);
          if (r > 0) for (const [k, v] of Object.entries(a.latency)) latency[k]!.push(...v);
          return a.seconds;
        };
        let flowS: number;
        let baseS: number;
        if (r % 2 === 1) {
          flowS = await flow();
          baseS = await baseline.run(items);
        } else {
          baseS = await baseline.run(items);
          flowS = await flow();
        }
        if (r === 0) continue;
        const flowRate = items.length / flowS;
        const baseRate = items.length / baseS;
        perRound.push({
          callbacks: items.length,
          flow_per_s: Math.round(flowRate),
          baseline_per_s: Math.round(baseRate),
          ratio: Math.round((flowRate / baseRate) * 1000) / 1000,
        });
        log(`round ${r}: ${JSON.stringify(perRound.at(-1))}`);
      }
    } finally {
      await client.close();
      await baseline.close();
    }
    const vouchers = Number(
      (await flowDb.query<{ n: string }>(`SELECT count(*) AS n FROM fund_vouchers`))[0]!.n,
    );
    const doubled = Number(
      (
        await flowDb.query<{ n: string }>(
          `SELECT count(*) AS n FROM (SELECT order_id FROM fund_vouchers GROUP BY order_id HAVING count(*) > 1 OR sum(amount) <> ${AMOUNT}) d`,
        )
      )[0]!.n,
    );
    const baseVouchers = await baseline.count();
    const paid = Number(
      (
        await flowDb.query<{ n: string }>(
          `SELECT count(DISTINCT order_id) AS n FROM payment_attempts WHERE status = 'paid'`,
        )
      )[0]!.n,
    );
    const failed = statuses.filter((st) => st >= 300).length;
    const refusals = Object.fromEntries(
      (
        await flowDb.query<{ reason: string | null; outcome: string; n: string }>(
          `SELECT reason, outcome, count(*) AS n FROM payment_events WHERE outcome IN ('refused', 'failed', 'unknown_trade') GROUP BY 1, 2`,
        )
      ).map((r) => [`${r.outcome}:${r.reason ?? ''}`, Number(r.n)]),
    );
    const result = {
      bench: 'payments',
      size: SMOKE ? 'smoke' : QUICK ? 'quick' : 'full',
      database: 'postgres',
      callbacks: deliveries.length,
      transactions,
      concurrency: CONCURRENCY,
      rounds: perRound.length,
      callbacks_per_s: Math.round(median(perRound.map((x) => x.flow_per_s))),
      baseline_per_s: Math.round(median(perRound.map((x) => x.baseline_per_s))),
      ratio: Math.round(median(perRound.map((x) => x.ratio)) * 1000) / 1000,
      round_ratios: perRound.map((x) => x.ratio),
      vouchers,
      baseline_vouchers: baseVouchers,
      double_counted: doubled,
      paid_attempts: paid,
      refused: failed,
      refusals,
      median_ms: Object.fromEntries(
        Object.entries(latency).map(([k, v]) => [
          k,
          Math.round(v.sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0),
        ]),
      ),
      ok:
        vouchers === transactions &&
        doubled === 0 &&
        failed === 0 &&
        paid === transactions &&
        baseVouchers === transactions,
    };
    console.log(JSON.stringify(result));
  } finally {
    await app.close();
    await flowDb.close();
    await baseDb.close();
    await stripe.close();
    await alipay.close();
    for (const n of [flowName, baseName])
      await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await stopCluster?.();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
