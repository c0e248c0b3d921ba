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
import { createCipheriv, createSign, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { startAlipaySimulator, startStripeSimulator } from '@orderhub/simulators';
import pg from 'pg';
import { buildApp } from '../apps/server/src/app.ts';
import { createToken, createUser } from '../apps/server/src/modules/auth/index.ts';
import { createSku } from '../apps/server/src/modules/catalog/index.ts';
import { stripeSignatureHeader } from '../apps/server/src/modules/payments/providers/stripe.ts';
import { systemActor } from '../apps/server/src/platform/actor.ts';
import { loadConfig } from '../apps/server/src/platform/config.ts';
import { openDatabase } from '../apps/server/src/platform/db.ts';
import { startCluster } from '../scripts/pg-cluster.mjs';

const QUICK = process.env['BENCH_QUICK'] === '1';
const SMOKE = process.env['BENCH_SMOKE'] === '1';
const CALLBACKS = SMOKE ? 300 : QUICK ? 3_000 : 20_000;
const DUPLICATE_SHARE = 0.3;
const CONCURRENCY = 16;
const POOL_SIZE = CONCURRENCY + 4;
const AMOUNT = 8000;
const ROUNDS = SMOKE ? 2 : QUICK ? 4 : 6;

const log = (msg: string) => process.stderr.write(`${msg}\n`);

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const beijing = (d: Date) => `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
const beijingPlain = (d: Date) =>
  new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

interface Callback {
  provider: 'wechatpay' | 'alipay' | 'stripe';
  account: string;
  txnId: string;
  tradeNo: string;
  headers: Record<string, string>;
  body: Buffer;
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

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
  const config = loadConfig(
    {
      ORDERHUB_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
      ORDERHUB_ADMIN_PASSWORD: 'bench-admin-password',
      ORDERHUB_DATA_DIR: os.tmpdir(),
      LOG_LEVEL: 'silent',
      ORDERHUB_WORKERS: 'false',
    },
    {},
  );
  const app = await buildApp(config, { database: flowDb, migrate: true, settings: { payments: {} } });
  const address = await app.http.listen({ port: 0, host: '127.0.0.1' });
  try {
    // Accounts: the simulators' keys for Alipay and Stripe; a WeChat Pay key pair made here.
    const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wechatSettings = {
      mchId: '1900000109',
      appId: 'wxbench0000000001',
      apiV3Key: randomBytes(16).toString('hex'),
      merchantSerialNo: randomBytes(20).toString('hex').toUpperCase(),
      merchantPrivateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      platformCertificates: [
        {
          serialNo: 'PUB_KEY_ID_0119000001092025000000000001',
          pem: platform.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
      ],
    };
    const cli = systemActor('bench', 'cli');
    const now = new Date();
    let token = '';
    await flowDb.tx(async (tx) => {
      await createSku(tx, now, cli, { code: 'BENCH-PAY', name: 'Bench goods', tracked: false });
      await createUser(tx, now, cli, {
        username: 'bench-admin',
        role: 'admin',
        password: 'bench-password-123',
      });
      token = (await createToken(tx, now, cli, { name: 'bench', username: 'bench-admin' })).token;
    });
    const api = async (method: string, path: string, body: unknown) => {
      const res = await app.http.inject({
        method: method as 'POST',
        url: path,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
      return JSON.parse(res.body);
    };
    const accounts = {
      wechatpay: await api('POST', '/api/payment-accounts', {
        code: 'bench-wechat',
        name: 'WeChat Pay',
        provider: 'wechatpay',
        settings: wechatSettings,
      }),
      alipay: await api('POST', '/api/payment-accounts', {
        code: 'bench-alipay',
        name: 'Alipay',
        provider: 'alipay',
        settings: alipay.accountSettings,
      }),
      stripe: await api('POST', '/api/payment-accounts', {
        code: 'bench-stripe',
        name: 'Stripe',
        provider: 'stripe',
        settings: stripe.accountSettings,
        // Signed once before the clock starts, delivered minutes later: Stripe would sign each
        // delivery afresh, so the replay window is widened rather than refusing them as stale.
        replayWindowSeconds: 86_400,
      }),
    } as const;

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
    const providers = ['wechatpay', 'alipay', 'stripe'] as const;
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

    function sign(provider: (typeof providers)[number], tradeNo: string, i: number, when: Date): Callback {
      if (provider === 'stripe') {
        const txnId = `pi_bench${process.pid}x${i}`;
        const body = Buffer.from(
          JSON.stringify({
            id: `evt_bench${process.pid}x${i}`,
            object: 'event',
            api_version: '2024-06-20',
            created: Math.floor(when.getTime() / 1000),
            livemode: false,
            type: 'payment_intent.succeeded',
            data: {
              object: {
                id: txnId,
                object: 'payment_intent',
                amount: AMOUNT,
                amount_received: AMOUNT,
                currency: 'cny',
                status: 'succeeded',
                metadata: { orderhub_trade_no: tradeNo },
              },
            },
          }),
        );
        const header = stripeSignatureHeader(
          stripe.accountSettings.webhookSecret,
          Math.floor(when.getTime() / 1000),
          body,
        );
        return {
          provider,
          account: 'bench-stripe',
          txnId,
          tradeNo,
          headers: { 'content-type': 'application/json', 'stripe-signature': header },
          body,
        };
      }
      if (provider === 'alipay') {
        const txnId = `2026113022001${String(process.pid).padStart(7, '0')}${String(i).padStart(8, '0')}`;
        const params = alipay.signNotification({
          notify_time: beijingPlain(when),
          notify_type: 'trade_status_sync',
          notify_id: `bench${process.pid}n${i}`,
          app_id: alipay.accountSettings.appId,
          charset: 'utf-8',
          version: '1.0',
          trade_no: txnId,
          out_trade_no: tradeNo,
          seller_id: alipay.accountSettings.sellerId,
          trade_status: 'TRADE_SUCCESS',
          total_amount: (AMOUNT / 100).toFixed(2),
          receipt_amount: (AMOUNT / 100).toFixed(2),
          gmt_payment: beijingPlain(when),
          subject: '基准测试',
        });
        return {
          provider,
          account: 'bench-alipay',
          txnId,
          tradeNo,
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body: Buffer.from(new URLSearchParams(params).toString()),
        };
      }
      const txnId = `42000${String(process.pid).padStart(7, '0')}${String(i).padStart(16, '0')}`;
      const plain = JSON.stringify({
        appid: wechatSettings.appId,
        mchid: wechatSettings.mchId,
        out_trade_no: tradeNo,
        transaction_id: txnId,
        trade_type: 'NATIVE',
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        bank_type: 'OTHERS',
        attach: '',
        success_time: beijing(when),
        payer: { openid: 'oBench0000000000000000000000' },
        amount: { total: AMOUNT, payer_total: AMOUNT, currency: 'CNY', payer_currency: 'CNY' },
      });
      const nonce = randomBytes(6).toString('hex');
      const c = createCipheriv(
        'aes-256-gcm',
        Buffer.from(wechatSettings.apiV3Key, 'utf8'),
        Buffer.from(nonce, 'utf8'),
      );
      c.setAAD(Buffer.from('transaction', 'utf8'));
      const ciphertext = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]).toString(
        'base64',
      );
      const body = Buffer.from(
        JSON.stringify({
          id: randomUUID(),
          create_time: beijing(when),
          resource_type: 'encrypt-resource',
          event_type: 'TRANSACTION.SUCCESS',
          summary: '支付成功',
          resource: {
            original_type: 'transaction',
            algorithm: 'AEAD_AES_256_GCM',
            ciphertext,
            associated_data: 'transaction',
            nonce,
          },
        }),
      );
      const timestamp = String(Math.floor(when.getTime() / 1000));
      const headerNonce = randomBytes(16).toString('hex');
      const signature = createSign('RSA-SHA256')
        .update(`${timestamp}\n${headerNonce}\n${body.toString('utf8')}\n`)
        .sign(platform.privateKey, 'base64');
      return {
        provider,
        account: 'bench-wechat',
        txnId,
        tradeNo,
        headers: {
          'content-type': 'application/json',
          'wechatpay-timestamp': timestamp,
          'wechatpay-nonce': headerNonce,
          'wechatpay-signature': signature,
          'wechatpay-serial': wechatSettings.platformCertificates[0]!.serialNo,
          'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
        },
        body,
      };
    }

    // Baseline accounts and its own pool: the same driver, one named (prepared) statement, autocommit.
    const baseAccounts = new Map<string, string>();
    for (const [i, p] of providers.entries()) {
      const id = `pac_base_${i}`;
      baseAccounts.set(p, id);
      await baseDb.query(
        `INSERT INTO payment_accounts (id, code, name, provider, settings_enc, created_at, updated_at, settings_updated_at)
         VALUES ($1, $2, $2, $3, 'v1.00000000.x', now(), now(), now())`,
        [id, `base-${p}`, p],
      );
    }
    const basePool = new pg.Pool({ connectionString: withDatabase(url, baseName), max: POOL_SIZE });
    const BASE_INSERT = `INSERT INTO fund_vouchers (id, payment_account_id, provider_txn_id, kind, merchant_trade_no, amount, currency, status,
        provider_status, source, disposition, received_at, raw)
     VALUES ($1,$2,$3,'payment',$4,$5,'CNY','confirmed','SUCCESS','callback','applied',now(),$6)
     ON CONFLICT (payment_account_id, provider_txn_id) DO NOTHING`;
    const baseline = async (items: Callback[]): Promise<number> => {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < items.length) {
            const cb = items[next++]!;
            await basePool.query({
              name: 'bench_base_voucher',
              text: BASE_INSERT,
              values: [
                `fvc_${randomUUID()}`,
                baseAccounts.get(cb.provider),
                cb.txnId,
                cb.tradeNo,
                AMOUNT,
                JSON.stringify(cb.body.toString('utf8')),
              ],
            });
          }
        }),
      );
      return (performance.now() - t0) / 1000;
    };

    // Rounds: a warm-up (5% of the transactions) and ROUNDS measured ones. Each round's callbacks are
    // its own transactions plus 30% duplicates of them, shuffled.
    const warm = Math.max(20, Math.round(transactions * 0.05));
    const bounds = [0, warm];
    for (let r = 1; r <= ROUNDS; r++) bounds.push(warm + Math.round(((transactions - warm) * r) / ROUNDS));
    const rounds: Callback[][] = [];
    let dealt = 0;
    for (let r = 0; r + 1 < bounds.length; r++) {
      const mine = uniques.slice(bounds[r]!, bounds[r + 1]!);
      const want =
        r + 2 === bounds.length
          ? CALLBACKS - dealt
          : Math.round((CALLBACKS * bounds[r + 1]!) / transactions) - dealt;
      const items = [...mine];
      while (items.length < want) items.push(mine[Math.floor(Math.random() * mine.length)]!);
      dealt += items.length;
      rounds.push(shuffle(items));
    }
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
          const a = await client.deliver(
            items.map((d) => ({
              path: `/api/payments/notify/${d.account}`,
              headers: d.headers,
              body: d.body.toString('base64'),
              provider: d.provider,
            })),
          );
          statuses.push(...a.statuses);
          if (r > 0) for (const [k, v] of Object.entries(a.latency)) latency[k]!.push(...v);
          return a.seconds;
        };
        let flowS: number;
        let baseS: number;
        if (r % 2 === 1) {
          flowS = await flow();
          baseS = await baseline(items);
        } else {
          baseS = await baseline(items);
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
      await basePool.end();
    }
    const median = (xs: number[]) => {
      const v = [...xs].sort((x, y) => x - y);
      return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };

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
    const baseVouchers = Number(
      (await baseDb.query<{ n: string }>(`SELECT count(*) AS n FROM fund_vouchers`))[0]!.n,
    );
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

/**
 * Posts callbacks from a worker thread over keep-alive connections, one round at a time; answers
 * statuses, latencies and the round's wall time from its first request to its last answer.
 */
const CLIENT_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { address, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(address);
const post = (item, latency) => new Promise((resolve, reject) => {
  const body = Buffer.from(item.body, 'base64');
  const started = performance.now();
  const req = http.request({ host: target.hostname, port: target.port, path: item.path, method: 'POST', agent,
    headers: { ...item.headers, 'content-length': body.length } }, (res) => {
    res.resume();
    res.on('end', () => { latency[item.provider].push(performance.now() - started); resolve(res.statusCode); });
  });
  req.on('error', reject);
  req.end(body);
});
parentPort.on('message', async (items) => {
  if (items === 'close') { agent.destroy(); parentPort.close(); return; }
  const statuses = new Array(items.length);
  const latency = { wechatpay: [], alipay: [], stripe: [] };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) { const i = next++; statuses[i] = await post(items[i], latency); }
  }));
  parentPort.postMessage({ statuses, latency, seconds: (performance.now() - t0) / 1000 });
});
`;

type DeliveryItem = { path: string; headers: Record<string, string>; body: string; provider: string };
type RoundAnswer = { statuses: number[]; latency: Record<string, number[]>; seconds: number };

function startDeliverer(address: string, concurrency: number) {
  const worker = new Worker(CLIENT_SOURCE, { eval: true, workerData: { address, concurrency } });
  return {
    deliver: (items: DeliveryItem[]) =>
      new Promise<RoundAnswer>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        worker.once('error', onError);
        worker.once('message', (m: RoundAnswer) => {
          worker.off('error', onError);
          resolve(m);
        });
        worker.postMessage(items);
      }),
    close: async () => {
      worker.postMessage('close');
      await worker.terminate();
    },
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
