import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressOf, LOGIN_LIMITS } from '../src/modules/auth/login-limits.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { type Res, startTestApp, type TestApp } from './helpers.ts';

const MINUTE = 60_000;
let t: TestApp;
const clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t?.close();
});

let next = 1;
/** A fresh documentation-range address per caller that must not share limits with others. */
const freshIp = () => `203.0.${Math.floor(next / 250)}.${(next++ % 250) + 1}`;

function cookiesOf(res: { headers: Record<string, unknown> }): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  const out: Record<string, string> = {};
  for (const line of list as string[]) {
    const pair = line.split(';')[0]!;
    const i = pair.indexOf('=');
    out[pair.slice(0, i)] = decodeURIComponent(pair.slice(i + 1));
  }
  return out;
}

async function login(username: string, password: string, ip: string, device?: string): Promise<Res> {
  const res = await t.app.http.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress: ip,
    headers: {
      'content-type': 'application/json',
      ...(device ? { cookie: `orderhub_device=${device}` } : {}),
    },
    payload: JSON.stringify({ username, password }),
  });
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
}

async function makeUser(username: string, role = 'operations', password = `${username}-password-1`) {
  const res = await t.as('admin').post('/api/users', { username, role, password });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function bearer(token: string, url = '/api/auth/me') {
  return (await t.request('GET', url, { token })).status;
}

describe('log-in limits', () => {
  it('answers 429 with Retry-After once one address has failed too often, whatever names it tries', async () => {
    const ip = freshIp();
    const { free } = LOGIN_LIMITS.address;
    // Different names each time, so only the address limit is reached.
    for (let i = 0; i < free; i++) expect((await login(`probe-${i}`, 'guess', ip)).status).toBe(401);
    const limited = await login('probe-next', 'guess', ip);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBe(LOGIN_LIMITS.address.baseSeconds);
    // Even the right password of a real user waits, from that address only.
    await makeUser('shared-office');
    expect((await login('shared-office', 'shared-office-password-1', ip)).status).toBe(429);
    expect((await login('shared-office', 'shared-office-password-1', freshIp())).status).toBe(200);
    clock.advance(LOGIN_LIMITS.address.baseSeconds * 1000);
    expect((await login('shared-office', 'shared-office-password-1', ip)).status).toBe(200);
  });

  it('answers unknown names exactly like known ones when limited: a 429 does not tell that a name exists', async () => {
    const ip = freshIp();
    for (let i = 0; i < LOGIN_LIMITS.pair.free; i++) {
      expect((await login('nobody-here', 'x', ip)).status).toBe(401);
      expect((await login('admin', 'x', ip)).status).toBe(401);
    }
    const unknown = await login('nobody-here', 'x', ip);
    const known = await login('admin', 'x', ip);
    expect([unknown.status, known.status]).toEqual([429, 429]);
    expect(unknown.headers['retry-after']).toBe(known.headers['retry-after']);
  });

  it('audits a name that matches no account masked (a phone typed as the user name), a known one as it is', async () => {
    const ip = freshIp();
    const phone = '13800138000';
    expect((await login(phone, 'x', ip)).status).toBe(401);
    expect((await login('admin', 'x', ip)).status).toBe(401);
    const rows = await t.database.query<{ actor_name: string; actor_id: string | null }>(
      `SELECT actor_name, actor_id FROM audit_log WHERE action = 'auth.login_failed' AND ip = $1 ORDER BY at, id`,
      [ip],
    );
    expect(rows.map((r) => r.actor_name)).toEqual(['13***11', 'admin']);
    expect(rows[1]!.actor_id).not.toBeNull();
    const all = await t.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE actor_name LIKE $1 OR summary::text LIKE $1`,
      [`%${phone}%`],
    );
    expect(all[0]!.n).toBe(0);
  });

  it('does not let an outsider failing against admin keep admin out: a known device passes, others after the back-off', async () => {
    // Admin logs in once from the office browser: it becomes a known device.
    const office = freshIp();
    const first = await login('admin', 'admin-password-for-tests', office);
    expect(first.status).toBe(200);
    const device = cookiesOf(first)['orderhub_device'];
    expect(device).toMatch(/^ohd_/);

    // An outsider guesses from many addresses, enough to limit the account name everywhere.
    const { free } = LOGIN_LIMITS.account;
    for (let i = 0; i < free + 5; i++) await login('admin', `guess-${i}`, freshIp());
    const elsewhere = await login('admin', 'admin-password-for-tests', freshIp());
    expect(elsewhere.status).toBe(429);

    // The known device still gets in with the right password, from the office or from home.
    expect((await login('admin', 'admin-password-for-tests', office, device)).status).toBe(200);
    expect((await login('admin', 'admin-password-for-tests', freshIp(), device)).status).toBe(200);
    // A device cookie of another account does not help.
    await makeUser('other-person');
    const other = cookiesOf(await login('other-person', 'other-person-password-1', freshIp()))[
      'orderhub_device'
    ];
    expect((await login('admin', 'admin-password-for-tests', freshIp(), other)).status).toBe(429);

    // Without a device the wait is bounded: never longer than the cap.
    clock.advance(LOGIN_LIMITS.account.maxSeconds * 1000);
    expect((await login('admin', 'admin-password-for-tests', freshIp())).status).toBe(200);
  });

  it('limits guesses from a known device too, by the device', async () => {
    const ip = freshIp();
    await makeUser('device-owner');
    const device = cookiesOf(await login('device-owner', 'device-owner-password-1', ip))['orderhub_device']!;
    for (let i = 0; i < LOGIN_LIMITS.device.free; i++)
      expect((await login('device-owner', `guess-${i}`, ip, device)).status).toBe(401);
    expect((await login('device-owner', 'device-owner-password-1', ip, device)).status).toBe(429);
    clock.advance(LOGIN_LIMITS.device.baseSeconds * 1000);
    expect((await login('device-owner', 'device-owner-password-1', ip, device)).status).toBe(200);
  });

  it('answers unknown, limited and wrong-password attempts in about the same time', async () => {
    await makeUser('timed-user');
    const limitedIp = freshIp();
    for (let i = 0; i < LOGIN_LIMITS.pair.free; i++) await login('timed-user', `guess-${i}`, limitedIp);
    expect((await login('timed-user', 'x', limitedIp)).status).toBe(429);

    const samples: Record<'unknown' | 'limited' | 'wrong', number[]> = {
      unknown: [],
      limited: [],
      wrong: [],
    };
    const time = async (kind: keyof typeof samples, fn: () => Promise<Res>, status: number) => {
      const start = performance.now();
      const res = await fn();
      samples[kind].push(performance.now() - start);
      expect(res.status).toBe(status);
    };
    for (let i = 0; i < 9; i++) {
      await time('unknown', () => login(`ghost-${i}`, 'x', freshIp()), 401);
      await time('limited', () => login('timed-user', 'x', limitedIp), 429);
      await time('wrong', () => login('timed-user', `nope-${i}`, freshIp()), 401);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const medians = Object.values(samples).map(median);
    // Each answer spends one scrypt verification; a refusal that skipped it answered 10× faster.
    expect(Math.max(...medians) / Math.min(...medians), JSON.stringify(medians)).toBeLessThan(2);
    clock.advance(60 * MINUTE);
  });

  it('counts an IPv6 /64 as one address', () => {
    expect(addressOf('2001:db8:1:2:aaaa::1')).toBe(addressOf('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(addressOf('2001:db8:1:3::1')).not.toBe(addressOf('2001:db8:1:2::1'));
    expect(addressOf('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('password and role changes', () => {
  async function setUp(name: string, role = 'operations') {
    const id = await makeUser(name, role);
    const cookie = cookiesOf(await login(name, `${name}-password-1`, freshIp()))['orderhub_session']!;
    const token = (await t.as('admin').post('/api/tokens', { name: 'integration', username: name })).body
      .token as string;
    const session = async () =>
      (
        await t.app.http.inject({
          method: 'GET',
          url: '/api/auth/me',
          headers: { cookie: `orderhub_session=${cookie}` },
        })
      ).statusCode;
    expect(await session()).toBe(200);
    expect(await bearer(token)).toBe(200);
    return { id, token, session };
  }

  it('ends the sessions and revokes the API tokens on a password change', async () => {
    const u = await setUp('pw-change');
    const res = await t.as('admin').patch(`/api/users/${u.id}`, { password: 'a-new-password-2' });
    expect(res.status).toBe(200);
    expect(await u.session()).toBe(401);
    expect(await bearer(u.token)).toBe(401);
    const audit = await t.database.query<{ summary: Record<string, unknown> }>(
      `SELECT summary FROM audit_log WHERE action = 'user.update' AND entity_id = $1`,
      [u.id],
    );
    expect(audit[0]!.summary).toMatchObject({ password: 'changed', sessionsEnded: 1, tokensRevoked: 1 });
  });

  it('keeps the API tokens through a password change when asked to (keepTokens)', async () => {
    const u = await setUp('pw-keep');
    const res = await t.as('admin').patch(`/api/users/${u.id}`, {
      password: 'a-new-password-2',
      keepTokens: true,
    });
    expect(res.status).toBe(200);
    expect(await u.session()).toBe(401);
    expect(await bearer(u.token)).toBe(200);
  });

  it('revokes the API tokens on a role reduction, and keeps them on a change that takes nothing away', async () => {
    const reduced = await setUp('role-down', 'operations');
    expect((await t.as('admin').patch(`/api/users/${reduced.id}`, { role: 'finance' })).status).toBe(200);
    expect(await reduced.session()).toBe(401);
    expect(await bearer(reduced.token)).toBe(401);

    const widened = await setUp('role-up', 'finance');
    expect((await t.as('admin').patch(`/api/users/${widened.id}`, { role: 'admin' })).status).toBe(200);
    expect(await widened.session()).toBe(401);
    expect(await bearer(widened.token)).toBe(200);
  });

  it('lifts the limit on an account name when an administrator sets a new password', async () => {
    const id = await makeUser('forgetful');
    for (let i = 0; i < LOGIN_LIMITS.account.free + 1; i++) await login('forgetful', `guess-${i}`, freshIp());
    expect((await login('forgetful', 'forgetful-password-1', freshIp())).status).toBe(429);
    expect((await t.as('admin').patch(`/api/users/${id}`, { password: 'forgetful-password-2' })).status).toBe(
      200,
    );
    expect((await login('forgetful', 'forgetful-password-2', freshIp())).status).toBe(200);
  });
});
