/**
 * The payments bench's figure at PostgreSQL's own level (a measurement, not a bench: it is not in
 * `bench:smoke`). pgbench, a C client with no HTTP, no signature check and no Node, runs
 *   - `single`: the statements one booked callback sends today (docs/payments.md), 4 round trips,
 *     16 clients;
 *   - `batched8`: the same rows for eight callbacks in one transaction, written as set-based
 *     statements (what group commit would send), 2 clients;
 *   - `baseline`: the payments bench's baseline, one `INSERT … ON CONFLICT DO NOTHING`, 16 clients;
 * interleaved, several rounds, prepared, and prints bookings per second and the ratios (median).
 *
 *   npx tsx scripts/payments-floor.ts        (DATABASE_URL, or a throw-away cluster; needs pgbench)
 *   BENCH_QUICK=1 npx tsx scripts/payments-floor.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../apps/server/src/app.ts';
import { createToken, createUser } from '../apps/server/src/modules/auth/index.ts';
import { createSku } from '../apps/server/src/modules/catalog/index.ts';
import { systemActor } from '../apps/server/src/platform/actor.ts';
import { loadConfig } from '../apps/server/src/platform/config.ts';
import { openDatabase } from '../apps/server/src/platform/db.ts';
import { findBinDir, startCluster } from './pg-cluster.mjs';

const QUICK = process.env['BENCH_QUICK'] === '1';
const ROUNDS = QUICK ? 2 : 3;
const SECONDS = QUICK ? 4 : 10;
const ORDERS = 20_000;
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function pgbenchPath(): string {
  for (const dir of [process.env['PG_BINDIR'], findBinDir(), ...(process.env['PATH'] ?? '').split(':')])
    if (dir && existsSync(path.join(dir, 'pgbench'))) return path.join(dir, 'pgbench');
  const root = '/usr/lib/postgresql';
  for (const v of existsSync(root) ? readdirSync(root).sort().reverse() : [])
    if (existsSync(path.join(root, v, 'bin', 'pgbench'))) return path.join(root, v, 'bin', 'pgbench');
  throw new Error('pgbench not found (Debian: apt-get install postgresql)');
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

// ~700 bytes, as a signed callback's body is.
const RAW = 'x'.repeat(700);
const TIMELINE_PAY = `'{"voucherId": "fvc_01m8tpc7qctr4xz4xhk5z61eje"}'`;
const TIMELINE_APPLIED = `'{"action": "callback_applied", "provider": "stripe", "paymentAccount": "floor-stripe", "merchantTradeNo": "PB13324X67", "source": "callback", "skewSeconds": 2, "voucherId": "fvc_01m8tpc7qctr4xz4xhk5z61eje", "providerTxnId": "pi_3Q0000000000000000000067", "amount": 8000, "currency": "CNY", "paidBefore": 0, "orderTotal": 8000, "orderCurrency": "CNY"}'`;
const AUDIT = `'{"from": "pending_payment", "to": "paid", "reasonCode": null, "version": 2}'`;
const JOB = `'{"type": "order.status_changed", "orderId": "ord_01m8tpc6j36cmkhcjzvfsqgnmr", "version": 2, "status": "paid", "at": "2026-12-02T06:16:54.745Z", "event": "pay", "from": "pending_payment", "reasonCode": null}'::jsonb`;
const JOB_COLUMNS = `q.dead_letter, COALESCE(q.expire_seconds * interval '1s', interval '15 minutes'),
  now() + CAST(COALESCE((q.retention_minutes * 60)::text, '14 days') AS interval), COALESCE(q.retry_limit, 2),
  CASE WHEN COALESCE(q.retry_backoff, false) THEN GREATEST(q.retry_delay, 1) ELSE COALESCE(q.retry_delay, 0) END,
  COALESCE(q.retry_backoff, false), q.policy`;

/** pgbench reads a statement per line: the texts below are joined onto one line each. */
const line = (sql: string) => `${sql.replace(/\s*\n\s*/g, ' ').trim()};`;

/** One callback booked as today: BEGIN + probe, lock, voucher, then the held-back writes with COMMIT. */
const SINGLE = [
  '\\set n random(1, 20000)',
  '\\set r random(1, 999999999999)',
  'BEGIN;',
  `${line(`SELECT id AS aid, order_id AS oid, order_external_id AS ext,
     EXISTS (SELECT 1 FROM fund_vouchers WHERE payment_account_id = :pac AND provider_txn_id = 'T' || :r) AS seen
     FROM payment_attempts WHERE merchant_trade_no = 'MX' || :n AND payment_account_id = :pac`).slice(
    0,
    -1,
  )} \\gset`,
  line(`SELECT * FROM orders WHERE channel_account_id = :cha AND external_order_id = :ext FOR UPDATE`),
  line(`WITH prior AS (SELECT COALESCE(sum(amount) FILTER (WHERE currency = 'CNY'), 0)::bigint AS paid
      FROM fund_vouchers WHERE order_id = :oid),
    d AS (SELECT paid, CASE WHEN paid + 8000 > 8000 THEN 'overpaid' ELSE 'applied' END AS disposition FROM prior),
    ins AS (INSERT INTO fund_vouchers (id, payment_account_id, provider_txn_id, kind, order_id, attempt_id,
        merchant_trade_no, amount, currency, fee, status, provider_status, source, disposition, exception,
        provider_time, received_at, skew_ms, event_id, raw)
      SELECT 'fvc_' || :r, :pac, 'T' || :r, 'payment', :oid, :aid, 'MX' || :n, 8000, 'CNY', NULL, 'confirmed',
        'succeeded', 'callback', d.disposition, NULL, now(), now(), 1000, 'pev_' || :r,
        jsonb_build_object('raw', '${RAW}'::text) FROM d
      ON CONFLICT (payment_account_id, provider_txn_id) DO NOTHING RETURNING id),
    att AS (UPDATE payment_attempts SET status = 'paid', updated_at = now() WHERE id = :aid AND EXISTS (SELECT 1 FROM ins))
    SELECT d.paid, d.disposition, (SELECT id FROM ins) AS voucher_id FROM d`),
  '\\startpipeline',
  line(`UPDATE orders SET status = 'paid', hold_reason = NULL, paid_at = now(), version = version + 1,
    updated_at = now() WHERE id = :oid`),
  line(`INSERT INTO order_timeline (id, order_id, at, event, from_status, to_status, actor_type, actor_id,
    actor_name, ip, source, reason_code, note, details) VALUES ('tle_a' || :r, :oid, now(), 'pay',
    'pending_payment', 'paid', 'system', NULL, 'stripe callback (floor-stripe)', NULL, 'channel', NULL,
    'stripe pi_3Q0000000000000000000067', ${TIMELINE_PAY})`),
  line(`INSERT INTO audit_log (id, at, actor_type, actor_id, actor_name, ip, user_agent, action, entity_type,
    entity_id, summary) VALUES ('aud_' || :r, now(), 'system', NULL, 'stripe callback (floor-stripe)', NULL,
    NULL, 'order.pay', 'order', :oid, ${AUDIT})`),
  line(`UPDATE reservations SET expires_at = NULL, updated_at = now()
    WHERE order_id = :oid AND status = 'active' AND expires_at IS NOT NULL`),
  line(`INSERT INTO pgboss.job (name, data, dead_letter, expire_in, keep_until, retry_limit, retry_delay,
    retry_backoff, policy) SELECT q.name, ${JOB}, ${JOB_COLUMNS} FROM pgboss.queue q
    WHERE q.name = 'order-events' ON CONFLICT DO NOTHING RETURNING id`),
  line(`INSERT INTO order_timeline (id, order_id, at, event, from_status, to_status, actor_type, actor_id,
    actor_name, ip, source, reason_code, note, details) VALUES ('tle_b' || :r, :oid, now(), 'payment', NULL,
    NULL, 'system', NULL, 'stripe callback (floor-stripe)', NULL, 'channel', 'callback_applied', NULL,
    ${TIMELINE_APPLIED})`),
  line(`INSERT INTO payment_events (id, payment_account_id, account_code, kind, outcome, reason, message,
    provider_event_id, merchant_trade_no, order_id, voucher_id, headers, raw_body, decoded, sent_at, skew_ms,
    received_at) VALUES ('pev_' || :r, :pac, 'floor-stripe', 'callback', 'applied', NULL, NULL, 'evt_' || :r,
    'MX' || :n, :oid, 'fvc_' || :r, '{"content-type": "application/json", "content-length": "767"}',
    convert_to('${RAW}', 'UTF8'), jsonb_build_object('raw', '${RAW}'::text), now(), 1000, now())`),
  'COMMIT;',
  '\\endpipeline',
].join('\n');

/** Eight callbacks in one transaction, each step one set-based statement (what group commit would send). */
const K = 8;
const ids = (prefix: string) =>
  `SELECT '${prefix}' || ((:b + g) % ${ORDERS} + 1) FROM generate_series(1, ${K}) g`;
const BATCHED = [
  '\\set b random(0, 19999)',
  '\\set r random(1, 999999999)',
  'BEGIN;',
  line(`SELECT a.id, a.order_id, EXISTS (SELECT 1 FROM fund_vouchers f WHERE f.payment_account_id = :pac
      AND f.provider_txn_id = 'T' || :r || '_' || a.id) AS seen
    FROM payment_attempts a WHERE a.merchant_trade_no IN (${ids('MX')}) AND a.payment_account_id = :pac`),
  line(`SELECT * FROM orders WHERE channel_account_id = :cha AND external_order_id IN (${ids('X-')})
    ORDER BY id FOR UPDATE`),
  line(`WITH k AS (SELECT g, 'ordx_' || ((:b + g) % ${ORDERS} + 1) AS oid, 'patx_' || ((:b + g) % ${ORDERS} + 1) AS aid
      FROM generate_series(1, ${K}) g),
    p AS (SELECT k.*, COALESCE((SELECT sum(amount) FROM fund_vouchers f WHERE f.order_id = k.oid), 0) AS paid FROM k),
    ins AS (INSERT INTO fund_vouchers (id, payment_account_id, provider_txn_id, kind, order_id, attempt_id,
        merchant_trade_no, amount, currency, fee, status, provider_status, source, disposition, exception,
        provider_time, received_at, skew_ms, event_id, raw)
      SELECT 'fvc_' || :r || '_' || g, :pac, 'T' || :r || '_' || g, 'payment', oid, aid, 'MX' || g, 8000, 'CNY',
        NULL, 'confirmed', 'succeeded', 'callback', CASE WHEN paid > 0 THEN 'overpaid' ELSE 'applied' END, NULL,
        now(), now(), 1000, 'pev_' || :r || '_' || g, jsonb_build_object('raw', '${RAW}'::text) FROM p
      ON CONFLICT (payment_account_id, provider_txn_id) DO NOTHING RETURNING attempt_id)
    UPDATE payment_attempts SET status = 'paid', updated_at = now() WHERE id IN (SELECT attempt_id FROM ins)`),
  '\\startpipeline',
  line(`UPDATE orders SET status = 'paid', hold_reason = NULL, paid_at = now(), version = version + 1,
    updated_at = now() WHERE id IN (${ids('ordx_')})`),
  line(`INSERT INTO order_timeline (id, order_id, at, event, from_status, to_status, actor_type, actor_id,
    actor_name, ip, source, reason_code, note, details) SELECT 'tle_a' || :r || '_' || g,
    'ordx_' || ((:b + g) % ${ORDERS} + 1), now(), 'pay', 'pending_payment', 'paid', 'system', NULL,
    'stripe callback (floor-stripe)', NULL, 'channel', NULL, 'stripe pi_3Q0000000000000000000067', ${TIMELINE_PAY}
    FROM generate_series(1, ${K}) g`),
  line(`INSERT INTO audit_log (id, at, actor_type, actor_id, actor_name, ip, user_agent, action, entity_type,
    entity_id, summary) SELECT 'aud_' || :r || '_' || g, now(), 'system', NULL, 'stripe callback (floor-stripe)',
    NULL, NULL, 'order.pay', 'order', 'ordx_' || ((:b + g) % ${ORDERS} + 1), ${AUDIT} FROM generate_series(1, ${K}) g`),
  line(`UPDATE reservations SET expires_at = NULL, updated_at = now()
    WHERE order_id IN (${ids('ordx_')}) AND status = 'active' AND expires_at IS NOT NULL`),
  line(`INSERT INTO pgboss.job (name, data, dead_letter, expire_in, keep_until, retry_limit, retry_delay,
    retry_backoff, policy) SELECT q.name, ${JOB}, ${JOB_COLUMNS} FROM pgboss.queue q, generate_series(1, ${K}) g
    WHERE q.name = 'order-events'`),
  line(`INSERT INTO order_timeline (id, order_id, at, event, from_status, to_status, actor_type, actor_id,
    actor_name, ip, source, reason_code, note, details) SELECT 'tle_b' || :r || '_' || g,
    'ordx_' || ((:b + g) % ${ORDERS} + 1), now(), 'payment', NULL, NULL, 'system', NULL,
    'stripe callback (floor-stripe)', NULL, 'channel', 'callback_applied', NULL, ${TIMELINE_APPLIED}
    FROM generate_series(1, ${K}) g`),
  line(`INSERT INTO payment_events (id, payment_account_id, account_code, kind, outcome, reason, message,
    provider_event_id, merchant_trade_no, order_id, voucher_id, headers, raw_body, decoded, sent_at, skew_ms,
    received_at) SELECT 'pev_' || :r || '_' || g, :pac, 'floor-stripe', 'callback', 'applied', NULL, NULL,
    'evt_' || :r || '_' || g, 'MX' || g, 'ordx_' || ((:b + g) % ${ORDERS} + 1), 'fvc_' || :r || '_' || g,
    '{"content-type": "application/json", "content-length": "767"}', convert_to('${RAW}', 'UTF8'),
    jsonb_build_object('raw', '${RAW}'::text), now(), 1000, now() FROM generate_series(1, ${K}) g`),
  'COMMIT;',
  '\\endpipeline',
].join('\n');

const BASELINE = [
  '\\set r random(1, 999999999999)',
  line(`INSERT INTO fund_vouchers (id, payment_account_id, provider_txn_id, kind, merchant_trade_no, amount,
    currency, status, provider_status, source, disposition, received_at, raw) VALUES ('fvc_' || :r, :pac,
    'T' || :r, 'payment', 'PB' || :r, 8000, 'CNY', 'confirmed', 'SUCCESS', 'callback', 'applied', now(),
    jsonb_build_object('raw', '${RAW}'::text)) ON CONFLICT (payment_account_id, provider_txn_id) DO NOTHING`),
].join('\n');

async function main() {
  const pgbench = pgbenchPath();
  let url = process.env['DATABASE_URL'];
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    log('starting a throw-away PostgreSQL cluster (scripts/pg-cluster.mjs)');
    const cluster = await startCluster();
    url = cluster.url;
    stop = cluster.stop;
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const flowName = `orderhub_floor_${process.pid}`;
  const baseName = `orderhub_floorbase_${process.pid}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orderhub-floor-'));
  try {
    for (const n of [flowName, baseName]) await admin.query(`CREATE DATABASE ${n}`);
    const flowUrl = withDatabase(url, flowName);
    const baseUrl = withDatabase(url, baseName);
    const flowDb = await openDatabase({ databaseUrl: flowUrl, poolSize: 4 });
    const baseDb = await openDatabase({ databaseUrl: baseUrl, poolSize: 4 });
    await baseDb.migrate();
    const config = loadConfig(
      {
        ORDERHUB_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
        ORDERHUB_ADMIN_PASSWORD: 'floor-admin-password',
        ORDERHUB_DATA_DIR: os.tmpdir(),
        LOG_LEVEL: 'silent',
        ORDERHUB_WORKERS: 'false',
      },
      {},
    );
    const app = await buildApp(config, { database: flowDb, migrate: true, settings: { payments: {} } });
    const cli = systemActor('floor', 'cli');
    let token = '';
    await flowDb.tx(async (tx) => {
      const now = new Date();
      await createSku(tx, now, cli, { code: 'FLOOR', name: 'Floor goods', tracked: false });
      await createUser(tx, now, cli, {
        username: 'floor-admin',
        role: 'admin',
        password: 'floor-password-123',
      });
      token = (await createToken(tx, now, cli, { name: 'floor', username: 'floor-admin' })).token;
    });
    const api = async (p: string, body: unknown) => {
      const res = await app.http.inject({
        method: 'POST',
        url: p,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      if (res.statusCode >= 300) throw new Error(`${p}: ${res.statusCode} ${res.body}`);
      return JSON.parse(res.body);
    };
    const account = await api('/api/payment-accounts', {
      code: 'floor-stripe',
      name: 'Stripe',
      provider: 'stripe',
      settings: { secretKey: 'sk_test_floor', webhookSecret: 'whsec_floor' },
    });
    const created = await api('/api/orders:batch', {
      orders: [
        {
          channelAccount: 'default',
          externalOrderId: 'FLOOR-0',
          status: 'pending_payment',
          currency: 'CNY',
          placedAt: new Date().toISOString(),
          lines: [{ channelSku: 'FLOOR', sku: 'FLOOR', quantity: 1, unitPrice: 8000 }],
          total: 8000,
        },
      ],
    });
    await app.close();
    // The one order copied: ORDERS orders waiting for payment, an attempt each (as createAttempt writes them).
    const orderId: string = created.results[0].orderId;
    await flowDb.query(
      `INSERT INTO orders SELECT (jsonb_populate_record(null::orders, to_jsonb(o) || jsonb_build_object(
         'id', 'ordx_' || g, 'external_order_id', 'X-' || g, 'order_no', 'OX' || g))).*
       FROM orders o, generate_series(1, ${ORDERS}) g WHERE o.id = $1`,
      [orderId],
    );
    await flowDb.query(
      `INSERT INTO payment_attempts (id, order_id, payment_account_id, merchant_trade_no, amount, currency, status,
          expires_at, created_at, updated_at, order_channel_account_id, order_external_id)
       SELECT 'patx_' || g, 'ordx_' || g, $1, 'MX' || g, 8000, 'CNY', 'pending', now() + interval '1 day', now(), now(),
          o.channel_account_id, 'X-' || g
         FROM orders o, generate_series(1, ${ORDERS}) g WHERE o.id = $2`,
      [account.id, orderId],
    );
    const cha = (
      await flowDb.query<{ c: string }>(`SELECT channel_account_id AS c FROM orders WHERE id = $1`, [orderId])
    )[0]!.c;
    await baseDb.query(
      `INSERT INTO payment_accounts (id, code, name, provider, settings_enc, created_at, updated_at, settings_updated_at)
       VALUES ('pac_base', 'base', 'base', 'stripe', 'v1.00000000.x', now(), now(), now())`,
    );
    await flowDb.query('VACUUM ANALYZE');
    await flowDb.close();
    await baseDb.close();

    const files = { single: SINGLE, batched8: BATCHED, baseline: BASELINE };
    for (const [name, text] of Object.entries(files))
      writeFileSync(path.join(dir, `${name}.sql`), `${text}\n`);
    const run = (name: keyof typeof files, clients: number, db: string, pac: string): number => {
      const out = execFileSync(
        pgbench,
        [
          '-n',
          '-M',
          'prepared',
          '-c',
          String(clients),
          '-j',
          '2',
          '-T',
          String(SECONDS),
          '-D',
          `pac=${pac}`,
          '-D',
          `cha=${cha}`,
          '-f',
          path.join(dir, `${name}.sql`),
          db,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const failed = /number of failed transactions: (\d+)/.exec(out);
      if (failed && failed[1] !== '0') throw new Error(`${name}: ${failed[1]} failed transactions`);
      const tps = /tps = ([\d.]+)/.exec(out);
      if (!tps) throw new Error(`${name}: no tps in pgbench's output:\n${out}`);
      return Number(tps[1]);
    };
    const figures = { single: [] as number[], batched8: [] as number[], baseline: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const single = run('single', 16, flowUrl, account.id);
      const batched8 = run('batched8', 2, flowUrl, account.id) * K;
      const baseline = run('baseline', 16, baseUrl, 'pac_base');
      figures.single.push(single);
      figures.batched8.push(batched8);
      figures.baseline.push(baseline);
      log(
        `round ${round + 1}: ${JSON.stringify({ single: Math.round(single), batched8: Math.round(batched8), baseline: Math.round(baseline) })}`,
      );
    }
    const m = (xs: number[]) => Math.round(median(xs));
    console.log(
      JSON.stringify({
        bench: 'payments-floor',
        rounds: ROUNDS,
        seconds: SECONDS,
        single_per_s: m(figures.single),
        batched8_per_s: m(figures.batched8),
        baseline_per_s: m(figures.baseline),
        ratio_single: +median(figures.single.map((s, i) => s / figures.baseline[i]!)).toFixed(3),
        ratio_batched8: +median(figures.batched8.map((s, i) => s / figures.baseline[i]!)).toFixed(3),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const n of [flowName, baseName])
      await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await stop?.();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
