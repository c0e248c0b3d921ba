/**
 * `orderhub simulate` against a listening server (with its job workers): the simulators are
 * started, one account per platform is registered through the API, orders are streamed at a high
 * rate and pushed; every order the simulators made ends in orderhub exactly once. A second run
 * reuses the accounts and points them at the new simulators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulate, summaryLines } from '../src/cli/simulate.ts';
import { startTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let address: string;

beforeAll(async () => {
  t = await startTestApp({ config: { workers: true } });
  address = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** Orders stored per account code: external id → how many rows. */
async function stored(codes: readonly string[]) {
  const rows = await t.database.query<{ code: string; external_order_id: string; n: number }>(
    `SELECT a.code, o.external_order_id, count(*)::int AS n
       FROM orders o JOIN channel_accounts a ON a.id = o.channel_account_id
      WHERE a.code = ANY($1) GROUP BY 1, 2`,
    [codes],
  );
  const out = new Map<string, Map<string, number>>(codes.map((c) => [c, new Map()]));
  for (const r of rows) out.get(r.code)!.set(r.external_order_id, Number(r.n));
  return out;
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return check();
}

describe('orderhub simulate', () => {
  it('streams orders from several platforms into a running server, each exactly once; a second run reuses the accounts', async () => {
    const lines: string[] = [];
    const platforms = ['taobao', 'jd', 'pinduoduo', 'douyin', 'shopify'] as const;
    const codes = platforms.map((p) => `demo-${p}`);
    const run = await startSimulate({
      server: address,
      token: t.tokens.admin,
      platforms,
      rate: 600,
      durationSeconds: 4,
      prefix: 'demo',
      syncIntervalSeconds: 30,
      seed: 5,
      print: (l) => lines.push(l),
    });
    let summary: Awaited<typeof run.streamed>;
    try {
      expect(Object.keys(run.accounts).sort()).toEqual([...codes].sort());
      summary = await run.streamed;
      // Several platforms made orders, with changes among them.
      const made = Object.entries(summary.orders).filter(([, ids]) => ids.length > 0);
      expect(made.length).toBeGreaterThanOrEqual(3);
      expect(summary.created).toBeGreaterThan(10);
      expect(summary.pushesRefused).toBe(0);
      // The pushes land in the inbox and the workers bring every order in (a push is a hint: the
      // order is fetched from the simulator, which stays up until we close it).
      const complete = await waitFor(async () => {
        const have = await stored(codes);
        return Object.entries(summary.orders).every(([code, ids]) =>
          ids.every((id) => have.get(code)!.has(id)),
        );
      }, 40_000);
      const have = await stored(codes);
      const missing = Object.entries(summary.orders).flatMap(([code, ids]) =>
        ids.filter((id) => !have.get(code)!.has(id)).map((id) => `${code}:${id}`),
      );
      expect(missing, `missing after the wait (complete=${complete})`).toEqual([]);
      const duplicates = [...have.entries()].flatMap(([code, m]) =>
        [...m.entries()].filter(([, n]) => n > 1).map(([id]) => `${code}:${id}`),
      );
      expect(duplicates).toEqual([]);
      // Nothing stored that the simulators did not make.
      for (const [code, m] of have) expect([...m.keys()].sort()).toEqual([...summary.orders[code]!].sort());
    } finally {
      await run.close();
    }
    // Plain words: one line per event, Chinese receivers among them, and the summary.
    expect(lines.some((l) => /new order .+: \p{Script=Han}/u.test(l))).toBe(true);
    expect(summaryLines(summary).join('\n')).toMatch(/new order\(s\)/);

    // A second run reuses the five accounts (no new ones), pointed at its new simulators.
    const before = (await t.as('admin').get('/api/channel-accounts')).body as { code: string }[];
    const again = await startSimulate({
      server: address,
      token: t.tokens.admin,
      platforms,
      rate: 120,
      durationSeconds: 1,
      prefix: 'demo',
      syncIntervalSeconds: 30,
      seed: 6,
      print: (l) => lines.push(l),
    });
    try {
      expect(again.accounts).toEqual(run.accounts);
      await again.streamed;
    } finally {
      await again.close();
    }
    const after = (await t.as('admin').get('/api/channel-accounts')).body as { code: string }[];
    expect(after.length).toBe(before.length);
    expect(lines.filter((l) => / reused, /.test(l))).toHaveLength(5);
  }, 90_000);

  it('says clearly when the token is refused, starting nothing', async () => {
    await expect(
      startSimulate({
        server: address,
        token: 'not-a-token',
        platforms: ['taobao'],
        rate: 60,
        prefix: 'demo',
        syncIntervalSeconds: 30,
        seed: 1,
        print: () => undefined,
      }),
    ).rejects.toThrow(/HTTP 401/);
  });
});
