/**
 * Channels: four platform simulators (Taobao TOP, JD JOS, Pinduoduo, Douyin shop) each holding the
 * same number of orders, modified over the last two hours. Measured on PostgreSQL, each on its own
 * database:
 *   - pull: one sync run per account, the four side by side, through each connector (signed
 *     requests, windows, pages, order details) into the ingest flow;
 *   - push: the same orders, as canonical orders, signed for the generic webhook and posted 16 at a
 *     time (node:http, kept-alive connections) to a listening server (stored in the inbox,
 *     acknowledged), then processed from the inbox 16 at a time;
 *   - baseline: the same canonical orders through the in-process channel ingest (`ingestChannelOrder`:
 *     SKU resolution, the ingest flow and the platform's refunds, what the pull and the push run
 *     after their protocol work), 16 at a time.
 * The work is cut into rounds, each with fresh simulators and accounts; in every round the three
 * paths run one after another in a rotating order (interleaved), after one unmeasured warm-up round
 * that runs all three the same way. Ratios are the median of the rounds' ratios; throughputs are
 * over all measured rounds. Then every simulator order must be in orderhub exactly once
 * (`missing`, `duplicates`).
 *
 * Knobs (environment variables; nothing else is read):
 *   BENCH_QUICK=1   500 orders per platform (under a minute)
 *   BENCH_SMOKE=1   40 orders per platform, correctness only (npm run bench:smoke)
 *   DATABASE_URL    PostgreSQL to use (the role needs CREATEDB); unset: a throw-away cluster
 * Without them: 5,000 orders per platform (20,000).
 *
 * The last output line is one JSON object: `orders_per_s_pull`, `orders_per_s_push`,
 * `baseline_per_s`, `ratio_pull` (target ≥ 0.5), `ratio_push` (target ≥ 0.4), `missing` and
 * `duplicates` (both must be 0), `ok`.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  CATALOGUE,
  startDouyinSimulator,
  startJdSimulator,
  startPinduoduoSimulator,
  startTaobaoSimulator,
} from '@orderhub/simulators';
import pg from 'pg';
import { buildApp } from '../apps/server/src/app.ts';
import { ingestChannelOrder, processInboxMessage, runAccountSync } from '../apps/server/src/flows/index.ts';
import { createToken, createUser } from '../apps/server/src/modules/auth/index.ts';
import { createSku } from '../apps/server/src/modules/catalog/index.ts';
import {
  accountConnection,
  type ChannelOrder,
  connectorContext,
} from '../apps/server/src/modules/channels/index.ts';
import { systemActor } from '../apps/server/src/platform/actor.ts';
import { loadConfig } from '../apps/server/src/platform/config.ts';
import { type Database, openDatabase } from '../apps/server/src/platform/db.ts';
import { startCluster } from '../scripts/pg-cluster.mjs';

const QUICK = process.env['BENCH_QUICK'] === '1';
const SMOKE = process.env['BENCH_SMOKE'] === '1';
const PER_PLATFORM = SMOKE ? 40 : QUICK ? 500 : 5_000;
const ROUNDS = SMOKE ? 1 : 5;
const PER_ROUND = Math.ceil(PER_PLATFORM / ROUNDS);
const WARM_UP = SMOKE ? 5 : 25;
const IN_FLIGHT = 16;
const POOL_SIZE = IN_FLIGHT + 8;
const SECRET = 'bench-webhook-secret-0123456789';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs `fn` over `items`, `n` at a time. */
async function lanes<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

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

async function prepare(db: Database) {
  // A new account's first pull reaches three hours back (the orders were modified in the last two).
  const app = await buildApp(config, {
    database: db,
    migrate: true,
    settings: { channels: { initialLookbackSeconds: 3 * 3600 } },
  });
  const cli = systemActor('bench', 'cli');
  const now = new Date();
  let token = '';
  await db.tx(async (tx) => {
    for (const c of CATALOGUE) await createSku(tx, now, cli, { code: c.code, name: c.title, tracked: false });
    await createUser(tx, now, cli, {
      username: 'bench-admin',
      role: 'admin',
      password: 'bench-password-123',
    });
    token = (await createToken(tx, now, cli, { name: 'bench', username: 'bench-admin' })).token;
  });
  const api = async (path: string, body: unknown) => {
    const res = await app.http.inject({
      method: 'POST',
      url: path,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    if (res.statusCode >= 300) throw new Error(`POST ${path}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body);
  };
  return { app, api };
}

type Path = 'pull' | 'push' | 'base';
const ORDERS: readonly (readonly Path[])[] = [
  ['pull', 'push', 'base'],
  ['push', 'base', 'pull'],
  ['base', 'pull', 'push'],
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main() {
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
  const names = ['pull', 'push', 'base'].map((k) => `orderhub_bench_ch${k}_${process.pid}`);
  for (const n of names) {
    await admin.query(`DROP DATABASE IF EXISTS ${n}`);
    await admin.query(`CREATE DATABASE ${n}`);
  }
  const [pullDb, pushDb, baseDb] = await Promise.all(
    names.map((n) => openDatabase({ databaseUrl: withDatabase(url!, n), poolSize: POOL_SIZE })),
  );
  const pull = await prepare(pullDb!);
  const push = await prepare(pushDb!);
  const base = await prepare(baseDb!);
  const pushAddress = new URL(await push.app.http.listen({ port: 0, host: '127.0.0.1' }));
  // The platform's side of the push: kept-alive connections, 16 in flight, through node:http (it
  // shares the server's event loop here, so a lighter client than fetch leaves less of its own
  // work in the push's time; a platform does this work on its own machines).
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const post = (path: string, body: string, headers: Record<string, string>) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: pushAddress.hostname,
          port: pushAddress.port,
          path,
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await push.api('/api/channel-accounts', {
    code: 'bench-hook',
    name: 'webhook',
    channel: 'pos',
    credentials: { webhookSecret: SECRET },
  });
  // The baseline's orders belong to a channel account too, as the pull's and the push's do.
  const baseAccount = await base.api('/api/channel-accounts', {
    code: 'bench-base',
    name: 'baseline',
    channel: 'pos',
    credentials: { webhookSecret: SECRET },
  });
  const result: Record<string, unknown> = {};
  const open: { close(): Promise<void> }[] = [];
  const actor = systemActor('bench', 'cli');
  const spent: Record<Path, number> = { pull: 0, push: 0, base: 0 };
  const ratios: { pull: number[]; push: number[] } = { pull: [], push: [] };
  let missing = 0;
  let duplicates = 0;
  let measured = 0;

  /** One round: fresh simulators and accounts, the three paths over the same orders in `order`. */
  async function round(
    k: number,
    perPlatform: number,
    order: readonly Path[],
  ): Promise<Record<Path, number>> {
    const now = () => new Date();
    const sims = [
      { channel: 'taobao', sim: await startTaobaoSimulator({ now, seed: 10 * k + 1, privacy: false }) },
      { channel: 'jd', sim: await startJdSimulator({ now, seed: 10 * k + 2 }) },
      { channel: 'pinduoduo', sim: await startPinduoduoSimulator({ now, seed: 10 * k + 3 }) },
      { channel: 'douyin', sim: await startDouyinSimulator({ now, seed: 10 * k + 4 }) },
    ] as const;
    open.push(...sims.map((s) => s.sim));
    const start = Date.now() - 2 * 3600_000;
    const ids = new Map<string, string[]>();
    for (const { channel, sim } of sims) {
      const list: string[] = [];
      for (let i = 0; i < perPlatform; i++)
        list.push(sim.addOrder({ at: new Date(start + Math.floor((i * 100 * 60_000) / perPlatform)) }));
      ids.set(channel, list);
    }
    const accounts: { id: string; channel: string }[] = [];
    for (const { channel, sim } of sims) {
      const a = await pull.api('/api/channel-accounts', {
        code: `bench-${channel}-r${k}`,
        name: channel,
        channel,
        credentials: sim.credentials,
        baseUrl: sim.url,
        connectorSettings: (sim as { settings?: Record<string, unknown> }).settings ?? {},
      });
      accounts.push({ id: a.id, channel });
    }
    // The canonical orders, as the connectors map them (setup for the push and the baseline).
    const canonical: ChannelOrder[] = [];
    for (const a of accounts) {
      const conn = (await accountConnection(pullDb!, pull.app.deps.crypto, { id: a.id }))!;
      const c = connectorContext(conn, new Date())!;
      await lanes(ids.get(a.channel)!, 8, async (ext) => {
        const o = await c.connector.fetchOrder(c.ctx, ext);
        if (!o) throw new Error(`${a.channel} ${ext}: not found`);
        canonical.push({ ...o, externalOrderId: `r${k}-${a.channel}-${o.externalOrderId}` });
      });
    }
    const total = canonical.length;
    const ms: Record<Path, number> = { pull: 0, push: 0, base: 0 };
    const run: Record<Path, () => Promise<void>> = {
      pull: async () => {
        const runs = await Promise.all(accounts.map((a) => runAccountSync(pull.app.deps, a.id)));
        for (const r of runs) if (r.status !== 'synced') throw new Error(`pull ${r.status}: ${r.error}`);
      },
      push: async () => {
        await lanes(canonical, IN_FLIGHT, async (o) => {
          const body = JSON.stringify({
            ...o.order,
            externalOrderId: o.externalOrderId,
            sourceVersion: o.modifiedAt.toISOString(),
          });
          const ts = String(Math.floor(Date.now() / 1000));
          const sig = `sha256=${createHmac('sha256', SECRET).update(`${ts}.`).update(body).digest('hex')}`;
          const res = await post('/api/channels/push/bench-hook', body, {
            'content-type': 'application/json',
            'x-orderhub-timestamp': ts,
            'x-orderhub-signature': sig,
            'x-orderhub-event-id': o.externalOrderId,
          });
          if (res.status !== 200) throw new Error(`push ${o.externalOrderId}: ${res.status} ${res.text}`);
        });
        const inbox = await pushDb!.query<{ id: string }>(
          `SELECT id FROM channel_inbox WHERE status = 'received'`,
        );
        await lanes(inbox, IN_FLIGHT, async (m) => {
          const r = await processInboxMessage(push.app.deps, m.id);
          if (r !== 'processed') {
            const e = await pushDb!.query<{ error: string | null }>(
              `SELECT error FROM channel_inbox WHERE id = $1`,
              [m.id],
            );
            throw new Error(`inbox ${m.id}: ${r}: ${e[0]?.error}`);
          }
        });
      },
      base: async () => {
        const account = { id: baseAccount.id, code: 'bench-base', channel: 'pos' };
        await lanes(canonical, IN_FLIGHT, async (o) => {
          const r = await ingestChannelOrder(base.app.deps, account, o, actor);
          if (!r.ok) throw new Error(`baseline ${o.externalOrderId}: ${r.code} ${r.message}`);
        });
      },
    };
    for (const p of order) {
      const t0 = performance.now();
      await run[p]();
      ms[p] = performance.now() - t0;
    }
    // Every order of the round exactly once on each path.
    for (const a of accounts) {
      const rows = await pullDb!.query<{ external_order_id: string; n: number }>(
        `SELECT external_order_id, count(*)::int AS n FROM orders WHERE channel_account_id = $1 GROUP BY 1`,
        [a.id],
      );
      const got = new Map(rows.map((r) => [r.external_order_id, Number(r.n)]));
      for (const ext of ids.get(a.channel)!) if (!got.has(ext)) missing++;
      for (const n of got.values()) if (n > 1) duplicates += n - 1;
    }
    for (const [db, code] of [
      [pushDb!, 'bench-hook'],
      [baseDb!, 'bench-base'],
    ] as const) {
      const r = await db.query<{ n: number; d: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT external_order_id)::int AS d FROM orders
          WHERE external_order_id LIKE $1 AND channel_account_id = (SELECT id FROM channel_accounts WHERE code = $2)`,
        [`r${k}-%`, code],
      );
      missing += total - Number(r[0]!.d);
      duplicates += Number(r[0]!.n) - Number(r[0]!.d);
    }
    for (const { sim } of sims) await sim.close();
    open.length = 0;
    log(
      `  round ${k} (${order.join(' → ')}): ${total} orders; pull ${Math.round(ms.pull)} ms, push ${Math.round(ms.push)} ms, baseline ${Math.round(ms.base)} ms`,
    );
    return ms;
  }

  try {
    log(`warm-up: ${WARM_UP} orders per platform through all three paths (not measured)`);
    await round(0, WARM_UP, ORDERS[0]!);
    log(`${ROUNDS} measured rounds of ${PER_ROUND} orders per platform, the paths interleaved`);
    for (let k = 1; k <= ROUNDS; k++) {
      const ms = await round(k, PER_ROUND, ORDERS[(k - 1) % ORDERS.length]!);
      for (const p of ['pull', 'push', 'base'] as const) spent[p] += ms[p];
      ratios.pull.push(ms.base / ms.pull);
      ratios.push.push(ms.base / ms.push);
      measured += PER_ROUND * 4;
    }
    const perS = (ms: number) => Math.round((measured / ms) * 1000);
    const r3 = (x: number) => Number(x.toFixed(3));
    Object.assign(result, {
      orders: measured,
      rounds: ROUNDS,
      orders_per_s_pull: perS(spent.pull),
      orders_per_s_push: perS(spent.push),
      baseline_per_s: perS(spent.base),
      ratio_pull: r3(median(ratios.pull)),
      ratio_push: r3(median(ratios.push)),
      ratio_pull_rounds: ratios.pull.map(r3),
      ratio_push_rounds: ratios.push.map(r3),
      load_1m: r3(os.loadavg()[0]!),
      missing,
      duplicates,
      ok: missing === 0 && duplicates === 0,
    });
  } finally {
    for (const s of open) await s.close().catch(() => undefined);
    agent.destroy();
    for (const a of [pull, push, base]) await a.app.close();
    for (const db of [pullDb, pushDb, baseDb]) await db!.close();
    for (const n of names)
      await admin.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await stopCluster?.();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
