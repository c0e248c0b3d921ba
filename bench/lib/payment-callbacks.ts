/**
 * What the payments bench (bench/payments.ts) and its ceiling measurement
 * (scripts/payments-ceiling.ts) share: the signed callbacks of the three providers, the rounds they
 * are dealt in, the deliverers that post them, the baseline insert, and the app they set up with.
 * Not a bench itself (bench:smoke runs only the files directly in bench/).
 */
import {
  createCipheriv,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { startAlipaySimulator, startStripeSimulator } from '@orderhub/simulators';
import pg from 'pg';
import { buildApp } from '../../apps/server/src/app.ts';
import { createToken, createUser } from '../../apps/server/src/modules/auth/index.ts';
import { stripeSignatureHeader } from '../../apps/server/src/modules/payments/providers/stripe.ts';
import { systemActor } from '../../apps/server/src/platform/actor.ts';
import { loadConfig } from '../../apps/server/src/platform/config.ts';
import type { Database } from '../../apps/server/src/platform/db.ts';

export const providers = ['wechatpay', 'alipay', 'stripe'] as const;
export type Provider = (typeof providers)[number];

export interface Callback {
  provider: Provider;
  account: string;
  txnId: string;
  tradeNo: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export const median = (xs: number[]) => {
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};

const beijing = (d: Date) => `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
const beijingPlain = (d: Date) =>
  new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

type Stripe = Awaited<ReturnType<typeof startStripeSimulator>>;
type Alipay = Awaited<ReturnType<typeof startAlipaySimulator>>;

/**
 * orderhub's app on `database` (migrated, no background workers, silent), with an admin's token:
 * `api` calls it in process and throws on any answer that is not a success.
 */
export async function benchApp(database: Database) {
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
  const app = await buildApp(config, { database, migrate: true, settings: { payments: {} } });
  const cli = systemActor('bench', 'cli');
  let token = '';
  await database.tx(async (tx) => {
    await createUser(tx, new Date(), cli, {
      username: 'bench-admin',
      role: 'admin',
      password: 'bench-password-123',
    });
    token = (await createToken(tx, new Date(), cli, { name: 'bench', username: 'bench-admin' })).token;
  });
  const api = async (method: string, path: string, body: unknown): Promise<any> => {
    const res = await app.http.inject({
      method: method as 'POST',
      url: path,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body);
  };
  return { app, api };
}

/** A WeChat Pay account's settings with a platform key pair made here (a `PUB_KEY_ID_…` public key). */
export function wechatBenchAccount() {
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const settings = {
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
  return { settings, platformKey: platform.privateKey };
}

/** The three accounts, created through the API: the simulators' keys for Alipay and Stripe. */
export async function createBenchAccounts(
  api: (method: string, path: string, body: unknown) => Promise<{ id: string }>,
  sims: { stripe: Stripe; alipay: Alipay; wechat: ReturnType<typeof wechatBenchAccount> },
) {
  return {
    wechatpay: await api('POST', '/api/payment-accounts', {
      code: 'bench-wechat',
      name: 'WeChat Pay',
      provider: 'wechatpay',
      settings: sims.wechat.settings,
    }),
    alipay: await api('POST', '/api/payment-accounts', {
      code: 'bench-alipay',
      name: 'Alipay',
      provider: 'alipay',
      settings: sims.alipay.accountSettings,
    }),
    stripe: await api('POST', '/api/payment-accounts', {
      code: 'bench-stripe',
      name: 'Stripe',
      provider: 'stripe',
      settings: sims.stripe.accountSettings,
      // Signed once before the clock starts, delivered minutes later: Stripe would sign each
      // delivery afresh, so the replay window is widened rather than refusing them as stale.
      replayWindowSeconds: 86_400,
    }),
  } as const;
}

/** Signs one succeeded payment's callback the provider's way. */
export function callbackSigner(opts: {
  stripe: Stripe;
  alipay: Alipay;
  wechat: { settings: ReturnType<typeof wechatBenchAccount>['settings']; platformKey: KeyObject };
  amount: number;
}) {
  const { stripe, alipay, amount } = opts;
  const wechatSettings = opts.wechat.settings;
  return function sign(provider: Provider, tradeNo: string, i: number, when: Date): Callback {
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
              amount,
              amount_received: amount,
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
        total_amount: (amount / 100).toFixed(2),
        receipt_amount: (amount / 100).toFixed(2),
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
      amount: { total: amount, payer_total: amount, currency: 'CNY', payer_currency: 'CNY' },
    });
    const nonce = randomBytes(6).toString('hex');
    const c = createCipheriv(
      'aes-256-gcm',
      Buffer.from(wechatSettings.apiV3Key, 'utf8'),
      Buffer.from(nonce, 'utf8'),
    );
    c.setAAD(Buffer.from('transaction', 'utf8'));
    const ciphertext = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]).toString('base64');
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
      .sign(opts.wechat.platformKey, 'base64');
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
  };
}

/**
 * Deals the callbacks into a warm-up round (5% of the transactions, at least 20) and `rounds`
 * measured ones; each round holds its own transactions plus duplicates of them up to its share of
 * `callbacks`, shuffled.
 */
export function dealRounds(uniques: Callback[], callbacks: number, rounds: number): Callback[][] {
  const transactions = uniques.length;
  const warm = Math.max(20, Math.round(transactions * 0.05));
  const bounds = [0, warm];
  for (let r = 1; r <= rounds; r++) bounds.push(warm + Math.round(((transactions - warm) * r) / rounds));
  const out: Callback[][] = [];
  let dealt = 0;
  for (let r = 0; r + 1 < bounds.length; r++) {
    const mine = uniques.slice(bounds[r]!, bounds[r + 1]!);
    const want =
      r + 2 === bounds.length
        ? callbacks - dealt
        : Math.round((callbacks * bounds[r + 1]!) / transactions) - dealt;
    const items = [...mine];
    while (items.length < want) items.push(mine[Math.floor(Math.random() * mine.length)]!);
    dealt += items.length;
    out.push(shuffle(items));
  }
  return out;
}

/**
 * The baseline: the same vouchers inserted with plain SQL `INSERT … ON CONFLICT DO NOTHING` through
 * the same driver (node-postgres, one named — prepared — statement, autocommit), `concurrency` at a
 * time, on its own database and pool. `insert` is one such insert.
 */
export async function voucherInserter(opts: {
  database: Database;
  url: string;
  poolSize: number;
  concurrency: number;
  amount: number;
}) {
  const baseAccounts = new Map<string, string>();
  for (const [i, p] of providers.entries()) {
    const id = `pac_base_${i}`;
    baseAccounts.set(p, id);
    await opts.database.query(
      `INSERT INTO payment_accounts (id, code, name, provider, settings_enc, created_at, updated_at, settings_updated_at)
       VALUES ($1, $2, $2, $3, 'v1.00000000.x', now(), now(), now())`,
      [id, `base-${p}`, p],
    );
  }
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize });
  const INSERT = `INSERT INTO fund_vouchers (id, payment_account_id, provider_txn_id, kind, merchant_trade_no, amount, currency, status,
      provider_status, source, disposition, received_at, raw)
   VALUES ($1,$2,$3,'payment',$4,$5,'CNY','confirmed','SUCCESS','callback','applied',now(),$6)
   ON CONFLICT (payment_account_id, provider_txn_id) DO NOTHING`;
  const insert = (provider: Provider, txnId: string, tradeNo: string, raw: string) =>
    pool.query({
      name: 'bench_base_voucher',
      text: INSERT,
      values: [
        `fvc_${randomUUID()}`,
        baseAccounts.get(provider),
        txnId,
        tradeNo,
        opts.amount,
        JSON.stringify(raw),
      ],
    });
  return {
    insert,
    /** Inserts the round's vouchers, `concurrency` at a time; answers the seconds it took. */
    async run(items: Callback[]): Promise<number> {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          while (next < items.length) {
            const cb = items[next++]!;
            await insert(cb.provider, cb.txnId, cb.tradeNo, cb.body.toString('utf8'));
          }
        }),
      );
      return (performance.now() - t0) / 1000;
    },
    count: async () =>
      Number((await opts.database.query<{ n: string }>(`SELECT count(*) AS n FROM fund_vouchers`))[0]!.n),
    close: () => pool.end(),
  };
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

export type RoundAnswer = { statuses: number[]; latency: Record<string, number[]>; seconds: number };

/** The deliverers, on their own thread so that the server's thread does only the server's work. */
export function startDeliverer(address: string, concurrency: number) {
  const worker = new Worker(CLIENT_SOURCE, { eval: true, workerData: { address, concurrency } });
  return {
    /** Posts each callback to `pathOf(callback)`; answers when the last answer is in. */
    deliver: (items: Callback[], pathOf: (c: Callback) => string) =>
      new Promise<RoundAnswer>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        worker.once('error', onError);
        worker.once('message', (m: RoundAnswer) => {
          worker.off('error', onError);
          resolve(m);
        });
        worker.postMessage(
          items.map((d) => ({
            path: pathOf(d),
            headers: d.headers,
            body: d.body.toString('base64'),
            provider: d.provider,
          })),
        );
      }),
    close: async () => {
      worker.postMessage('close');
      await worker.terminate();
    },
  };
}
