/**
 * What the payments bench's figure could be at most (a measurement, not a bench: it sets no
 * target). The bench's own callbacks, deliverers and baseline (bench/lib/payment-callbacks.ts),
 * posted to a bare Fastify server that does only part of a callback's work:
 *   - `http`: reads the body and answers in the provider's form; nothing else;
 *   - `verified`: also checks the signature with orderhub's own provider code (RSA-SHA256 and
 *     AES-256-GCM for WeChat Pay, RSA2 for Alipay, HMAC-SHA256 for Stripe), the account held in memory;
 *   - `verified_insert`: also inserts the voucher with the baseline's own statement (same driver,
 *     prepared, autocommit, its own database and pool of the same size) before answering;
 * and the baseline itself, in turn, several rounds, median. Each figure is a ratio against the
 * baseline in the same rounds, as the bench's is. `verified_insert` is a callback handler that
 * checks the signature and does what the baseline does, and no more: no raw event, no order, no
 * transition, no audit, no outbox. What orderhub's callback does on top has to fit in what is left
 * between its ratio and the bench's target.
 *
 *   npx tsx scripts/payments-ceiling.ts        (DATABASE_URL, or a throw-away cluster)
 *   BENCH_QUICK=1 npx tsx scripts/payments-ceiling.ts
 * `BENCH_SMOKE=1` (300 callbacks, correctness only) is part of `npm run bench:smoke`, so that it
 * keeps working; its last line's `ok` says every callback was verified and every voucher inserted.
 */
import { startAlipaySimulator, startStripeSimulator } from '@orderhub/simulators';
import Fastify from 'fastify';
import pg from 'pg';
import { loadAccountByCode, type PaymentAccount } from '../apps/server/src/modules/payments/accounts.ts';
import { openDatabase } from '../apps/server/src/platform/db.ts';
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
} from '../bench/lib/payment-callbacks.ts';
import { startCluster } from './pg-cluster.mjs';

const QUICK = process.env['BENCH_QUICK'] === '1';
const SMOKE = process.env['BENCH_SMOKE'] === '1';
const CALLBACKS = SMOKE ? 300 : QUICK ? 3_000 : 20_000;
const ROUNDS = SMOKE ? 2 : QUICK ? 4 : 6;
const CONCURRENCY = 16;
const POOL_SIZE = CONCURRENCY + 4;
const AMOUNT = 8000;
const LEVELS = ['http', 'verified', 'verified_insert'] as const;
type Level = (typeof LEVELS)[number];
const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function main() {
  const transactions = Math.round(CALLBACKS * 0.7);
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
  const names = ['app', 'base', 'insert'].map((n) => `orderhub_ceiling_${n}_${process.pid}`);
  for (const n of names) {
    await admin.query(`DROP DATABASE IF EXISTS ${n}`);
    await admin.query(`CREATE DATABASE ${n}`);
  }
  const [appName, baseName, insertName] = names as [string, string, string];
  const stripe = await startStripeSimulator();
  const alipay = await startAlipaySimulator();
  const appDb = await openDatabase({ databaseUrl: withDatabase(url, appName), poolSize: 4 });
  const baseDb = await openDatabase({ databaseUrl: withDatabase(url, baseName), poolSize: 2 });
  const insertDb = await openDatabase({ databaseUrl: withDatabase(url, insertName), poolSize: 2 });
  await baseDb.migrate();
  await insertDb.migrate();
  // The product's app only to create the accounts the product's way and open their settings.
  const { app, api } = await benchApp(appDb);
  const server = Fastify({ logger: false });
  const inserters = {
    base: await voucherInserter({
      database: baseDb,
      url: withDatabase(url, baseName),
      poolSize: POOL_SIZE,
      concurrency: CONCURRENCY,
      amount: AMOUNT,
    }),
    insert: await voucherInserter({
      database: insertDb,
      url: withDatabase(url, insertName),
      poolSize: POOL_SIZE,
      concurrency: CONCURRENCY,
      amount: AMOUNT,
    }),
  };
  let client: ReturnType<typeof startDeliverer> | undefined;
  try {
    const wechat = wechatBenchAccount();
    await createBenchAccounts(api, { stripe, alipay, wechat });
    const accounts = new Map<string, PaymentAccount>();
    for (const code of ['bench-wechat', 'bench-alipay', 'bench-stripe']) {
      const a = await loadAccountByCode(appDb, app.deps.crypto, code);
      if (!a || a === 'unreadable') throw new Error(`account ${code} not readable`);
      accounts.set(code, a);
    }

    // The bare server: the notify route's body parsers, one route per level.
    server.removeContentTypeParser(['application/json']);
    server.addContentTypeParser(
      ['application/json', 'application/x-www-form-urlencoded'],
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    );
    const refusals: Record<string, number> = {};
    server.post('/ceiling/:level/:code', async (req, reply) => {
      const { level, code } = req.params as { level: Level; code: string };
      const account = accounts.get(code)!;
      const provider = account.provider;
      const ack = (ok: boolean, message?: string) => {
        const a = provider.ack(ok, message);
        return reply.status(a.status).type(a.contentType).send(a.body);
      };
      if (level === 'http') return ack(true);
      const body = req.body as Buffer;
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const verified = provider.verifyCallback({ headers, body }, account.settings, {
        now: new Date(),
        replayWindowSeconds: account.replayWindowSeconds ?? 300,
      });
      if (!verified.ok || verified.event.kind !== 'payment' || !verified.event.providerTxnId) {
        const why = verified.ok ? verified.event.kind : verified.reason;
        refusals[why] = (refusals[why] ?? 0) + 1;
        return ack(false, 'refused');
      }
      if (level === 'verified_insert') {
        const e = verified.event;
        await inserters.insert.insert(
          provider.name as (typeof providers)[number],
          e.providerTxnId!,
          e.merchantTradeNo,
          body.toString('utf8'),
        );
      }
      return ack(true);
    });
    const address = await server.listen({ port: 0, host: '127.0.0.1' });

    const sign = callbackSigner({ stripe, alipay, wechat, amount: AMOUNT });
    const at = new Date();
    const uniques: Callback[] = Array.from({ length: transactions }, (_, i) =>
      sign(providers[i % 3]!, `PC${process.pid}X${i}`, i, at),
    );
    const rounds = dealRounds(uniques, CALLBACKS, ROUNDS);
    log(
      `delivering ${CALLBACKS} callbacks (${transactions} transactions) to each level, ${CONCURRENCY} at a time, in a warm-up and ${ROUNDS} rounds against the baseline`,
    );
    client = startDeliverer(address, CONCURRENCY);
    const rates: Record<Level | 'baseline', number[]> = {
      baseline: [],
      http: [],
      verified: [],
      verified_insert: [],
    };
    const ratios: Record<Level, number[]> = { http: [], verified: [], verified_insert: [] };
    let failed = 0;
    const sides = ['baseline', ...LEVELS] as const;
    for (const [r, items] of rounds.entries()) {
      const seconds: Partial<Record<(typeof sides)[number], number>> = {};
      // Each round starts with a different side, so none always runs first.
      for (let k = 0; k < sides.length; k++) {
        const side = sides[(r + k) % sides.length]!;
        if (side === 'baseline') seconds[side] = await inserters.base.run(items);
        else {
          const a = await client.deliver(items, (d) => `/ceiling/${side}/${d.account}`);
          failed += a.statuses.filter((s) => s >= 300).length;
          seconds[side] = a.seconds;
        }
      }
      if (r === 0) continue;
      const base = items.length / seconds.baseline!;
      rates.baseline.push(base);
      const line: Record<string, number> = { baseline_per_s: Math.round(base) };
      for (const level of LEVELS) {
        const rate = items.length / seconds[level]!;
        rates[level].push(rate);
        ratios[level].push(rate / base);
        line[`${level}_per_s`] = Math.round(rate);
        line[`ratio_${level}`] = Math.round((rate / base) * 1000) / 1000;
      }
      log(`round ${r}: ${JSON.stringify(line)}`);
    }
    const inserted = await inserters.insert.count();
    const result: Record<string, unknown> = {
      measure: 'payments-ceiling',
      size: SMOKE ? 'smoke' : QUICK ? 'quick' : 'full',
      callbacks: CALLBACKS,
      transactions,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      baseline_per_s: Math.round(median(rates.baseline)),
    };
    for (const level of LEVELS) {
      result[`${level}_per_s`] = Math.round(median(rates[level]));
      result[`ratio_${level}`] = Math.round(median(ratios[level]) * 1000) / 1000;
    }
    Object.assign(result, {
      inserted,
      refused: failed,
      refusals,
      ok: failed === 0 && inserted === transactions && (await inserters.base.count()) === transactions,
    });
    console.log(JSON.stringify(result));
  } finally {
    await client?.close();
    await inserters.base.close();
    await inserters.insert.close();
    await server.close();
    await app.close();
    for (const d of [appDb, baseDb, insertDb]) await d.close();
    await stripe.close();
    await alipay.close();
    for (const n of names)
      await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await stopCluster?.();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
