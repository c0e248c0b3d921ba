import { createHash } from 'node:crypto';
import { ROLE_PERMISSIONS } from '@orderhub/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.ts';
import { type Res, sampleOrder, startTestApp, type TestApp } from './helpers.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let t: TestApp;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t?.close();
});

interface SetCookie {
  name: string;
  value: string;
  attrs: Map<string, string | true>;
}

function setCookies(res: Res): SetCookie[] {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  return list.map((line) => {
    const [pair, ...rest] = line.split(';').map((s) => s.trim());
    const eq = pair!.indexOf('=');
    const attrs = new Map<string, string | true>();
    for (const a of rest) {
      const i = a.indexOf('=');
      if (i < 0) attrs.set(a.toLowerCase(), true);
      else attrs.set(a.slice(0, i).toLowerCase(), a.slice(i + 1));
    }
    return { name: pair!.slice(0, eq), value: decodeURIComponent(pair!.slice(eq + 1)), attrs };
  });
}

function sessionOf(res: Res): SetCookie {
  const found = setCookies(res).filter((c) => c.name === 'orderhub_session');
  expect(found).toHaveLength(1);
  return found[0]!;
}

const UA = 'orderhub-auth-tests/1.0';
/** The client's address as the server sees it (a documentation range), proxy or not. */
const IP = '198.51.100.7';

/** A request from IP with UA, carrying a bearer token or a session cookie (or neither). */
async function call(
  method: string,
  url: string,
  auth: { token?: string; cookie?: string },
  body?: unknown,
): Promise<Res> {
  const res = await t.app.http.inject({
    method: method as 'GET',
    url,
    remoteAddress: IP,
    headers: {
      'user-agent': UA,
      ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
      ...(auth.cookie ? { cookie: `orderhub_session=${auth.cookie}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers };
}

function login(username: string, password: string): Promise<Res> {
  return call('POST', '/api/auth/login', {}, { username, password });
}

function withCookie(method: string, url: string, cookie: string, body?: unknown): Promise<Res> {
  return call(method, url, { cookie }, body);
}

function withBearer(method: string, url: string, token: string, body?: unknown): Promise<Res> {
  return call(method, url, { token }, body);
}

async function createUser(username: string, role: string, password: string): Promise<string> {
  const res = await t.as('admin').post('/api/users', { username, role, password });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function auditRows(where: string, params: unknown[]) {
  return t.database.query<{
    action: string;
    actor_id: string | null;
    actor_name: string | null;
    actor_type: string;
    ip: string | null;
    user_agent: string | null;
    entity_type: string;
    entity_id: string | null;
    summary: unknown;
  }>(`SELECT * FROM audit_log WHERE ${where} ORDER BY at, id`, params);
}

describe('log-in and the session cookie', () => {
  it('sets an HttpOnly, SameSite=Strict cookie that authenticates the console', async () => {
    const res = await login('operations-user', 'operations-password-123');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'operations-user', role: 'operations', active: true });
    expect(res.body.permissions).toContain('orders:ingest');
    expect(res.body).not.toHaveProperty('passwordHash');

    const cookie = sessionOf(res);
    expect(cookie.value).toMatch(/^ohs_[A-Za-z0-9_-]{43}$/);
    expect(cookie.attrs.get('httponly')).toBe(true);
    expect(cookie.attrs.get('samesite')).toBe('Strict');
    expect(cookie.attrs.get('path')).toBe('/');
    // Expires with the session: now (the injected clock) + sessionTtlHours.
    const expires = new Date(String(cookie.attrs.get('expires'))).getTime();
    const expected = clock.now().getTime() + t.config.sessionTtlHours * HOUR;
    expect(Math.abs(expires - expected)).toBeLessThan(1000);

    const me = await withCookie('GET', '/api/auth/me', cookie.value);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('operations-user');

    // Only a hash of the cookie is kept, with where the session came from.
    const rows = await t.database.query<{ token_hash: string; ip: string; user_agent: string }>(
      `SELECT s.token_hash, s.ip, s.user_agent FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'operations-user'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({ token_hash: sha256(cookie.value), ip: IP, user_agent: UA });

    const audit = await auditRows(`action = 'auth.login' AND entity_id = $1`, [res.body.id]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: res.body.id, ip: IP, user_agent: UA });
  });

  it('refuses a wrong password and an unknown user with the same 401 INVALID_CREDENTIALS', async () => {
    const wrong = await login('finance-user', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(setCookies(wrong)).toEqual([]);

    const unknown = await login('nobody-by-this-name', 'not-the-password');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(setCookies(unknown)).toEqual([]);

    // A deactivated user answers alike too.
    const id = await createUser('gone-user', 'finance', 'gone-password-123');
    expect((await t.as('admin').patch(`/api/users/${id}`, { active: false })).status).toBe(200);
    const inactive = await login('gone-user', 'gone-password-123');
    expect(inactive.status).toBe(401);
    expect(inactive.body).toEqual(wrong.body);

    const failures = await auditRows(`action = 'auth.login_failed' AND actor_name = $1`, ['finance-user']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ ip: IP, user_agent: UA, summary: { why: 'wrong password' } });
  });

  it('makes an account wait after 5 failures from one address, doubling each time, and forgets after a success', async () => {
    await createUser('locky', 'customer_service', 'locky-password-123');
    for (let i = 1; i <= 4; i++) {
      const res = await login('locky', `wrong-${i}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    }
    // Four failures do not limit: the right password still works and ends the streak.
    expect((await login('locky', 'locky-password-123')).status).toBe(200);
    for (let i = 1; i <= 4; i++) expect((await login('locky', `wrong-${i}`)).status).toBe(401);
    expect((await login('locky', 'locky-password-123')).status).toBe(200);

    for (let i = 1; i <= 5; i++) expect((await login('locky', `wrong-${i}`)).status).toBe(401);
    const limited = await login('locky', 'locky-password-123');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('30');
    expect(setCookies(limited)).toEqual([]);
    const rows = await auditRows(`action = 'auth.login_failed' AND actor_name = 'locky'`, []);
    expect(rows.map((r) => (r.summary as { why: string }).why).slice(-2)).toEqual([
      'wrong password',
      'throttled',
    ]);

    // The wait doubles with each further failure: 30 s, then 60 s.
    clock.advance(30_000);
    expect((await login('locky', 'wrong-6')).status).toBe(401);
    expect((await login('locky', 'locky-password-123')).headers['retry-after']).toBe('60');
    clock.advance(60_000);
    const after = await login('locky', 'locky-password-123');
    expect(after.status).toBe(200);
    expect(after.body.username).toBe('locky');
    // The success ended the streak: the next mistake is a plain 401 again.
    expect((await login('locky', 'wrong-7')).status).toBe(401);
  });

  it('counts failures sent in parallel one by one: a burst of guesses is limited after five', async () => {
    await createUser('burst', 'finance', 'burst-password-123');
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => login('burst', `guess-${i}`)));
    expect(burst.map((r) => r.status).sort()).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
    const reasons = (await auditRows(`action = 'auth.login_failed' AND actor_name = 'burst'`, [])).map(
      (r) => (r.summary as { why: string }).why,
    );
    // Five guesses were checked; the rest were refused without being tried.
    expect(reasons.filter((w) => w === 'wrong password')).toHaveLength(5);
    expect(reasons.filter((w) => w === 'throttled')).toHaveLength(7);
    expect((await login('burst', 'burst-password-123')).status).toBe(429);
  });

  it('ends the session on logout', async () => {
    const res = await login('warehouse-user', 'warehouse-password-123');
    const cookie = sessionOf(res).value;
    expect((await withCookie('GET', '/api/auth/me', cookie)).status).toBe(200);

    const out = await withCookie('POST', '/api/auth/logout', cookie);
    expect(out.status).toBe(204);
    const cleared = sessionOf(out);
    expect(cleared.value).toBe('');
    expect(new Date(String(cleared.attrs.get('expires'))).getTime()).toBeLessThanOrEqual(Date.now());

    const me = await withCookie('GET', '/api/auth/me', cookie);
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('UNAUTHENTICATED');
    expect(await t.count(`sessions WHERE token_hash = '${sha256(cookie)}'`)).toBe(0);
    const audit = await auditRows(`action = 'auth.logout' AND entity_id = $1`, [res.body.id]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: res.body.id, ip: IP, user_agent: UA });
  });

  it('expires the session after sessionTtlHours', async () => {
    const cookie = sessionOf(await login('auditor-user', 'auditor-password-123')).value;
    clock.advance(t.config.sessionTtlHours * HOUR - MINUTE);
    expect((await withCookie('GET', '/api/auth/me', cookie)).status).toBe(200);
    clock.advance(2 * MINUTE);
    const me = await withCookie('GET', '/api/auth/me', cookie);
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('UNAUTHENTICATED');
  });

  it('ends the sessions and revokes the tokens of a deactivated user', async () => {
    const id = await createUser('leaver', 'warehouse', 'leaver-password-123');
    const cookie = sessionOf(await login('leaver', 'leaver-password-123')).value;
    const tok = await t.as('admin').post('/api/tokens', { name: 'scanner', username: 'leaver' });
    expect(tok.status).toBe(201);
    expect((await withCookie('GET', '/api/auth/me', cookie)).body.username).toBe('leaver');
    expect((await withBearer('GET', '/api/auth/me', tok.body.token)).body.username).toBe('leaver');

    const off = await t.as('admin').patch(`/api/users/${id}`, { active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);

    for (const res of [
      await withCookie('GET', '/api/auth/me', cookie),
      await withBearer('GET', '/api/auth/me', tok.body.token),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
    expect(await t.count(`sessions WHERE user_id = '${id}'`)).toBe(0);
    const listed = (await t.as('admin').get('/api/tokens')).body.find(
      (x: { id: string }) => x.id === tok.body.id,
    );
    expect(listed.revokedAt).toBe(clock.now().toISOString());

    // Reactivation does not bring the revoked token back.
    expect((await t.as('admin').patch(`/api/users/${id}`, { active: true })).status).toBe(200);
    expect((await withBearer('GET', '/api/auth/me', tok.body.token)).status).toBe(401);
    expect((await login('leaver', 'leaver-password-123')).status).toBe(200);
  });

  it('ends the sessions of a user whose password an admin changed', async () => {
    const id = await createUser('renewed', 'finance', 'renewed-password-123');
    const cookie = sessionOf(await login('renewed', 'renewed-password-123')).value;
    const res = await t.as('admin').patch(`/api/users/${id}`, { password: 'renewed-password-456' });
    expect(res.status).toBe(200);
    expect((await withCookie('GET', '/api/auth/me', cookie)).status).toBe(401);
    expect((await login('renewed', 'renewed-password-123')).status).toBe(401);
    expect((await login('renewed', 'renewed-password-456')).status).toBe(200);
  });
});

describe('API tokens', () => {
  it('shows the secret once, stores only its hash, lists it, and stops it working once revoked', async () => {
    const created = await withBearer('POST', '/api/tokens', t.tokens.operations, { name: 'storefront' });
    expect(created.status).toBe(201);
    const secret = created.body.token as string;
    expect(secret).toMatch(/^oh_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({
      name: 'storefront',
      username: 'operations-user',
      prefix: secret.slice(0, 10),
      revokedAt: null,
      expiresAt: null,
    });

    const row = (
      await t.database.query<Record<string, unknown>>(`SELECT * FROM api_tokens WHERE id = $1`, [
        created.body.id,
      ])
    )[0]!;
    expect(row['token_hash']).toBe(sha256(secret));
    for (const v of Object.values(row)) {
      if (typeof v === 'string') expect(v.includes(secret.slice(10))).toBe(false);
    }
    const auditText = await t.database.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM audit_log WHERE summary::text LIKE $1`,
      [`%${secret.slice(10)}%`],
    );
    expect(Number(auditText[0]!.n)).toBe(0);

    const list = await t.as('operations').get('/api/tokens');
    expect(list.status).toBe(200);
    const mine = list.body.find((x: { id: string }) => x.id === created.body.id);
    expect(mine).toMatchObject({ name: 'storefront', prefix: secret.slice(0, 10) });
    expect(mine).not.toHaveProperty('token');
    // Someone without users:manage sees their own tokens only.
    expect(new Set(list.body.map((x: { username: string }) => x.username))).toEqual(
      new Set(['operations-user']),
    );
    // The admin sees everyone's.
    const all = await t.as('admin').get('/api/tokens');
    expect(all.body.map((x: { id: string }) => x.id)).toContain(created.body.id);

    const me = await withBearer('GET', '/api/auth/me', secret);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('operations-user');
    const used = (await t.as('operations').get('/api/tokens')).body.find(
      (x: { id: string }) => x.id === created.body.id,
    );
    expect(used.lastUsedAt).toBe(clock.now().toISOString());

    const revoked = await withBearer('DELETE', `/api/tokens/${created.body.id}`, secret);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toBe(clock.now().toISOString());
    const after = await withBearer('GET', '/api/auth/me', secret);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('UNAUTHENTICATED');
    // The operations user's other token is untouched.
    expect((await t.as('operations').get('/api/auth/me')).status).toBe(200);
  });

  it('lets only a user manager create or revoke tokens for someone else', async () => {
    const forOther = await t.as('operations').post('/api/tokens', { name: 'sneaky', username: 'admin-user' });
    expect(forOther.status).toBe(403);
    expect(forOther.body.code).toBe('FORBIDDEN');
    // Whether the other user exists is not given away either.
    const forNobody = await t.as('operations').post('/api/tokens', { name: 'sneaky', username: 'no-such' });
    expect(forNobody.status).toBe(403);
    expect(forNobody.body.code).toBe('FORBIDDEN');
    expect(await t.count(`api_tokens WHERE name = 'sneaky'`)).toBe(0);

    const byAdmin = await t.as('admin').post('/api/tokens', { name: 'for-ops', username: 'operations-user' });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.username).toBe('operations-user');
    expect((await withBearer('GET', '/api/auth/me', byAdmin.body.token)).body.username).toBe(
      'operations-user',
    );

    const adminOwn = await t.as('admin').post('/api/tokens', { name: 'admin-own' });
    const steal = await t.as('operations').delete(`/api/tokens/${adminOwn.body.id}`);
    expect(steal.status).toBe(404);
    expect(steal.body.code).toBe('TOKEN_NOT_FOUND');
    expect((await withBearer('GET', '/api/auth/me', adminOwn.body.token)).status).toBe(200);

    const unknown = await t.as('admin').post('/api/tokens', { name: 'x', username: 'no-such' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('USER_NOT_FOUND');
  });

  it('stops a token working at its expiry', async () => {
    const expiresAt = new Date(clock.now().getTime() + HOUR).toISOString();
    const created = await t.as('admin').post('/api/tokens', { name: 'short-lived', expiresAt });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(expiresAt);
    expect((await withBearer('GET', '/api/auth/me', created.body.token)).status).toBe(200);
    clock.advance(HOUR + 1000);
    expect((await withBearer('GET', '/api/auth/me', created.body.token)).status).toBe(401);

    const past = await t.as('admin').post('/api/tokens', { name: 'past', expiresAt });
    expect(past.status).toBe(400);
    expect(past.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a bearer that is not a token', async () => {
    for (const token of ['oh_not-a-real-token', 'garbage', t.tokens.admin.slice(0, -1)]) {
      const res = await withBearer('GET', '/api/auth/me', token);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('users', () => {
  it('creates a user that can log in, and refuses a taken username with 409 USERNAME_TAKEN', async () => {
    const res = await t
      .as('admin')
      .post('/api/users', { username: 'kefu07', role: 'customer_service', password: 'kefu07-password' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      username: 'kefu07',
      displayName: 'kefu07',
      role: 'customer_service',
      active: true,
    });
    expect(res.body.permissions).toEqual([...ROLE_PERMISSIONS.customer_service]);
    const hash = (
      await t.database.query<{ password_hash: string }>(`SELECT password_hash FROM users WHERE id = $1`, [
        res.body.id,
      ])
    )[0]!.password_hash;
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(hash).not.toContain('kefu07-password');
    expect((await login('kefu07', 'kefu07-password')).status).toBe(200);

    const dup = await t
      .as('admin')
      .post('/api/users', { username: 'kefu07', role: 'finance', password: 'another-password' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('USERNAME_TAKEN');
    expect(await t.count(`users WHERE username = 'kefu07'`)).toBe(1);

    const users = await t.as('admin').get('/api/users');
    expect(users.body.filter((u: { username: string }) => u.username === 'kefu07')).toHaveLength(1);
  });

  it('does not let an admin deactivate themselves or change their own role', async () => {
    const me = (await t.as('admin').get('/api/auth/me')).body;
    const off = await t.as('admin').patch(`/api/users/${me.id}`, { active: false });
    expect(off.status).toBe(422);
    expect(off.body.code).toBe('CANNOT_DEACTIVATE_SELF');
    const demote = await t.as('admin').patch(`/api/users/${me.id}`, { role: 'finance' });
    expect(demote.status).toBe(422);
    expect(demote.body.code).toBe('CANNOT_DEACTIVATE_SELF');
    expect((await t.as('admin').get('/api/auth/me')).body).toMatchObject({ role: 'admin', active: true });
    // Other changes to oneself are fine.
    const renamed = await t.as('admin').patch(`/api/users/${me.id}`, { displayName: 'Chief' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.displayName).toBe('Chief');

    const missing = await t.as('admin').patch('/api/users/usr_missing', { displayName: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('USER_NOT_FOUND');
  });

  it('applies a role change at once to the user’s tokens', async () => {
    const id = await createUser('promoted', 'finance', 'promoted-password');
    const tok = (await t.as('admin').post('/api/tokens', { name: 'p', username: 'promoted' })).body.token;
    expect((await withBearer('GET', '/api/audit', tok)).status).toBe(403);
    expect((await t.as('admin').patch(`/api/users/${id}`, { role: 'admin' })).status).toBe(200);
    expect((await withBearer('GET', '/api/audit', tok)).status).toBe(200);
  });
});

describe('audit log', () => {
  it('records each mutation with actor, IP, user agent and action', async () => {
    const admin = (await t.as('admin').get('/api/auth/me')).body;
    const adminToken = (
      await t.database.query<{ id: string }>(
        `SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'admin-user' AND t.name = 'tests'`,
      )
    )[0]!.id;
    const send = (method: string, url: string, body?: unknown) =>
      withBearer(method, url, t.tokens.admin, body);

    clock.advance(MINUTE);
    const user = await send('POST', '/api/users', {
      username: 'audited',
      role: 'warehouse',
      password: 'audited-password',
    });
    clock.advance(MINUTE);
    await send('PATCH', `/api/users/${user.body.id}`, { role: 'finance' });
    clock.advance(MINUTE);
    const tok = await send('POST', '/api/tokens', { name: 'audited-token', username: 'audited' });
    clock.advance(MINUTE);
    await send('DELETE', `/api/tokens/${tok.body.id}`);
    clock.advance(MINUTE);
    const acct = await send('POST', '/api/channel-accounts', {
      code: 'jd-audit',
      name: '京东',
      channel: 'jd',
    });
    clock.advance(MINUTE);
    await send('PATCH', `/api/channel-accounts/${acct.body.id}`, { name: '京东自营' });
    clock.advance(MINUTE);
    const order = await send('POST', '/api/orders', sampleOrder());
    clock.advance(MINUTE);
    const approved = await send('POST', `/api/orders/${order.body.order.id}/transitions`, {
      event: 'approve',
      version: 1,
    });
    const results = [user, tok, acct, order, approved];
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 200]);

    const expected: [string, string, string][] = [
      ['user.create', 'user', user.body.id],
      ['user.update', 'user', user.body.id],
      ['token.create', 'api_token', tok.body.id],
      ['token.revoke', 'api_token', tok.body.id],
      ['channel_account.create', 'channel_account', acct.body.id],
      ['channel_account.update', 'channel_account', acct.body.id],
      ['order.ingest', 'order', order.body.order.id],
      ['order.approve', 'order', order.body.order.id],
    ];
    for (const [action, entityType, entityId] of expected) {
      const res = await t
        .as('auditor')
        .get(`/api/audit?entityType=${entityType}&entityId=${entityId}&action=${action}`);
      expect(res.status).toBe(200);
      expect(res.body.items, action).toHaveLength(1);
      expect(res.body.items[0], action).toMatchObject({
        action,
        entityType,
        entityId,
        actorType: 'token',
        actorId: admin.id,
        actorName: `admin-user (token ${adminToken})`,
        ip: IP,
        userAgent: UA,
      });
    }
    const update = await t.as('auditor').get(`/api/audit?action=user.update&entityId=${user.body.id}`);
    expect(update.body.items[0].summary).toEqual({ role: ['warehouse', 'finance'] });
    const ingest = await t
      .as('auditor')
      .get(`/api/audit?action=order.ingest&entityId=${order.body.order.id}`);
    expect(ingest.body.items[0].summary).toMatchObject({ outcome: 'created', channelAccount: 'default' });
  });

  it('filters by action prefix, entity and actor', async () => {
    const users = await t.as('auditor').get('/api/audit?action=user.&limit=500');
    expect(users.status).toBe(200);
    expect(users.body.items.length).toBeGreaterThan(3);
    expect(users.body.items.every((r: { action: string }) => r.action.startsWith('user.'))).toBe(true);
    const actions = new Set(users.body.items.map((r: { action: string }) => r.action));
    expect(actions).toEqual(new Set(['user.create', 'user.update']));

    const creates = await t.as('auditor').get('/api/audit?action=user.create&limit=500');
    const createCount = await t.count(`audit_log WHERE action = 'user.create'`);
    expect(creates.body.items).toHaveLength(createCount);

    // `_` and `%` in the prefix are literal, not LIKE wildcards.
    const failed = await t.as('auditor').get('/api/audit?action=auth.login_&limit=500');
    expect(failed.body.items.length).toBe(await t.count(`audit_log WHERE action = 'auth.login_failed'`));
    expect((await t.as('auditor').get('/api/audit?action=%25')).body.items).toEqual([]);

    const tokens = await t.as('auditor').get('/api/audit?entityType=api_token&limit=500');
    expect(tokens.body.items.length).toBe(await t.count(`audit_log WHERE entity_type = 'api_token'`));
    expect(tokens.body.items.every((r: { entityType: string }) => r.entityType === 'api_token')).toBe(true);

    const locky = (
      await t.database.query<{ id: string }>(`SELECT id FROM users WHERE username = 'locky'`)
    )[0]!.id;
    const byActor = await t.as('auditor').get(`/api/audit?actorId=${locky}&limit=500`);
    expect(byActor.body.items.length).toBe(await t.count(`audit_log WHERE actor_id = '${locky}'`));
    expect(byActor.body.items.every((r: { actorId: string }) => r.actorId === locky)).toBe(true);
  });

  it('pages newest first with a cursor, without gaps or repeats', async () => {
    const total = await t.count('audit_log');
    expect(total).toBeGreaterThan(30);
    const all = (await t.as('auditor').get('/api/audit?limit=500')).body;
    expect(all.items).toHaveLength(total);
    expect(all.nextCursor).toBeNull();
    for (let i = 1; i < all.items.length; i++) {
      const [a, b] = [all.items[i - 1], all.items[i]];
      expect(a.at > b.at || (a.at === b.at && a.id > b.id)).toBe(true);
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/api/audit?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: Res = await t.as('auditor').get(url);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toEqual(all.items.map((r: { id: string }) => r.id));
    expect(pages).toBe(Math.ceil(total / 7));

    // Many rows share one instant (the clock stands still within a test): the id breaks the tie.
    const perInstant = new Map<string, number>();
    for (const r of all.items as { at: string }[]) perInstant.set(r.at, (perInstant.get(r.at) ?? 0) + 1);
    expect(Math.max(...perInstant.values())).toBeGreaterThan(7);

    const bad = await t.as('auditor').get('/api/audit?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_CURSOR');
  });

  it('writes no audit row for a mutation that fails', async () => {
    const before = await t.count('audit_log');
    const order = (await t.as('admin').post('/api/orders', sampleOrder())).body.order;
    expect(await t.count('audit_log')).toBe(before + 1);
    const start = await t.count('audit_log');

    const failures: [Res, number, string][] = [
      [
        await t.as('admin').post('/api/orders', { ...sampleOrder(), total: 1 }),
        422,
        'ORDER_AMOUNTS_INCONSISTENT',
      ],
      [await t.as('admin').post('/api/orders', { externalOrderId: 'x' }), 400, 'VALIDATION_FAILED'],
      [
        await t.as('admin').post('/api/orders', sampleOrder({ channelAccount: 'no-such-shop' })),
        422,
        'CHANNEL_ACCOUNT_UNKNOWN',
      ],
      [
        await t.as('admin').post(`/api/orders/${order.id}/transitions`, { event: 'approve', version: 9 }),
        409,
        'ORDER_VERSION_CONFLICT',
      ],
      [
        await t.as('admin').post(`/api/orders/${order.id}/transitions`, { event: 'hold', version: 1 }),
        422,
        'ORDER_REASON_REQUIRED',
      ],
      [
        await t
          .as('admin')
          .post('/api/users', { username: 'kefu07', role: 'finance', password: 'xxxxxxxxxxxx' }),
        409,
        'USERNAME_TAKEN',
      ],
      [
        await t.as('admin').post('/api/channel-accounts', { code: 'default', name: 'again', channel: 'api' }),
        409,
        'CHANNEL_ACCOUNT_CODE_TAKEN',
      ],
      [await t.as('operations').post('/api/tokens', { name: 'n', username: 'admin-user' }), 403, 'FORBIDDEN'],
      [await t.as('finance').post('/api/orders', sampleOrder()), 403, 'FORBIDDEN'],
    ];
    for (const [res, status, code] of failures) {
      expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
    }
    expect(await t.count('audit_log')).toBe(start);
    expect(await t.count(`orders WHERE id = '${order.id}' AND version = 1`)).toBe(1);
  });
});
