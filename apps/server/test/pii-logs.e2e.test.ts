import { ROLES, type Role } from '@orderhub/contracts';
import { sql } from 'drizzle-orm';
import { stdSerializers } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp, MODULES } from '../src/app.ts';
import { createToken, createUser } from '../src/modules/auth/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import type { Database } from '../src/platform/db.ts';
import { createLogger } from '../src/platform/log.ts';
import { defineModule } from '../src/platform/module.ts';
import { errSerializer, isRedactedParam, redactUrl } from '../src/platform/redact.ts';
import { freshDatabase, sampleOrder, testConfig } from './helpers.ts';

/** The buyer whose data the traffic below carries; none of it may reach a log line or an audit row. */
const NAME = '司马青衫';
const PHONE = '13912348765';
const E164 = '+8613912348765';
const DETAIL = '凤起路 88 号 3 幢 602 室';
const OTHER_PHONE = '15066664321';

/** The personal data in every notation it was sent or normalised in (the masked `139****8765` is allowed). */
const SECRETS = [
  NAME,
  '马青衫',
  PHONE,
  E164,
  '8613912348765',
  '12348765',
  '1234-8765',
  '1234 8765',
  '139-1234-8765',
  DETAIL,
  '凤起路 88',
  '602 室',
  OTHER_PHONE,
  '66664321',
];

/** Sent in a parameter that is not personal data: proves that the captured logs hold the URLs. */
const CONTROL = 'PIILOG-CONTROL-7f3a';

let app: App;
let database: Database;
let drop: () => Promise<void>;
const logged: string[] = [];
const tokens = {} as Record<Role, string>;

/** Statements that fail with personal data bound to them, through each way the server sends SQL. */
const failingStatements = defineModule({
  name: 'test-failing-statements',
  routes(http, deps) {
    http.get('/test/db-fail/:kind', { schema: { hide: true } }, async (req) => {
      const kind = (req.params as { kind: string }).kind;
      const db = deps.database;
      try {
        await failing(kind, db);
      } catch (e) {
        raw.push(e);
        throw e;
      }
      return { ok: true };
    });
  },
});
/** The errors as thrown, before the logger: proof that unredacted they would carry the values. */
const raw: unknown[] = [];

async function failing(kind: string, db: Database) {
  if (kind === 'drizzle') await db.db.execute(sql`SELECT ${PHONE}::int + ${NAME}::int AS x`);
  if (kind === 'raw') await db.query('SELECT $1::int AS x, $2::text AS y', [DETAIL, E164]);
  if (kind === 'prepared')
    await db.tx((tx) => tx.prepared('SELECT $1::int AS x, $2::text AS y', [NAME, PHONE]));
  if (kind === 'jsonb') await db.query('SELECT ($1::jsonb ->> 0)::int AS x', [JSON.stringify([DETAIL])]);
}

async function request(method: string, url: string, role: Role | null, body?: unknown, raw?: string) {
  const res = await app.http.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}),
      ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(raw !== undefined ? { payload: raw } : body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  let json: any = null;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = res.body;
  }
  return { status: res.statusCode, body: json };
}

const receiver = (phone = PHONE) => ({
  name: NAME,
  phone,
  province: '浙江省',
  city: '杭州市',
  district: '上城区',
  detail: DETAIL,
});

beforeAll(async () => {
  ({ database, drop } = await freshDatabase());
  const logger = createLogger('trace', { write: (line: string) => void logged.push(line) });
  app = await buildApp(testConfig({ logLevel: 'trace' }), {
    database,
    migrate: true,
    logger,
    modules: [...MODULES, failingStatements],
  });
  const cli = systemActor('test', 'cli');
  for (const role of ROLES) {
    await database.tx(async (tx) => {
      await createUser(tx, new Date(), cli, {
        username: `${role}-user`,
        role,
        password: `${role}-password-123`,
      });
      tokens[role] = (
        await createToken(tx, new Date(), cli, { name: 'tests', username: `${role}-user` })
      ).token;
    });
  }

  // Ingest: one order, its newer version, a batch, all carrying the buyer's data (and a raw payload).
  const first = sampleOrder({
    externalOrderId: 'PIILOG-1',
    receiver: receiver(),
    tags: [CONTROL.slice(0, 20)],
    raw: { tid: 'PIILOG-1', receiver_mobile: PHONE, receiver_name: NAME, receiver_address: DETAIL },
  });
  const created = await request('POST', '/api/orders', 'operations', first);
  expect(created.status).toBe(201);
  const id = created.body.order.id as string;
  const updated = await request('POST', '/api/orders', 'operations', {
    ...first,
    sourceVersion: '2026-01-09T01:00:00Z',
    receiver: receiver('139-1234-8765'),
  });
  expect(updated.body.outcome).toBe('updated');
  const batch = await request('POST', '/api/orders:batch', 'admin', {
    orders: [sampleOrder({ receiver: receiver(OTHER_PHONE) }), sampleOrder({ receiver: receiver(E164) })],
  });
  expect(batch.status).toBe(200);

  // Searching by phone and by other personal-data parameters, valid and not.
  for (const phone of [PHONE, '139-1234-8765', `+86 139 1234 8765`, OTHER_PHONE]) {
    const res = await request(
      'GET',
      `/api/orders?phone=${encodeURIComponent(phone)}&tag=${CONTROL.slice(0, 20)}`,
      'finance',
    );
    expect(res.status).toBe(200);
  }
  // By receiver name and by the phone's last four (both searched through keyed hashes).
  for (const url of [
    `/api/orders?receiverName=${encodeURIComponent(NAME)}`,
    `/api/orders?phone=${PHONE.slice(-4)}&receiverName=${encodeURIComponent(NAME)}`,
  ]) {
    const res = await request('GET', url, 'finance');
    expect(res.status, url).toBe(200);
  }
  for (const url of [
    `/api/orders?phone=${PHONE}99`,
    `/api/orders?receiverName=${encodeURIComponent(NAME)}&phone=12ab`,
    `/api/orders?q=${encodeURIComponent(DETAIL)}&buyerPhone=${PHONE}`,
    `/api/orders/${encodeURIComponent(PHONE)}`,
  ]) {
    const res = await request('GET', url, 'finance');
    expect(res.status, url).toBeGreaterThanOrEqual(400);
    expect(res.status, url).toBeLessThan(500);
  }

  // Exports with a phone filter, in both formats.
  for (const format of ['csv', 'xlsx']) {
    const res = await request(
      'GET',
      `/api/exports/orders?format=${format}&phone=${PHONE}`,
      'customer_service',
    );
    expect(res.status).toBe(200);
  }

  // Reveals, transitions, tags.
  expect((await request('GET', `/api/orders/${id}?reveal=true`, 'customer_service')).status).toBe(200);
  expect((await request('GET', `/api/orders/${id}?reveal=true`, 'finance')).status).toBe(403);
  const version = async () => (await request('GET', `/api/orders/${id}`, 'admin')).body.version as number;
  const move = async (role: Role, event: string, reasonCode?: string) =>
    request('POST', `/api/orders/${id}/transitions`, role, {
      event,
      version: await version(),
      ...(reasonCode ? { reasonCode } : {}),
    });
  const status = (await request('GET', `/api/orders/${id}`, 'admin')).body.status;
  if (status === 'on_hold') expect((await move('customer_service', 'release')).status).toBe(200);
  expect((await move('customer_service', 'hold', 'CUSTOMER_REQUEST')).status).toBe(200);
  expect((await move('customer_service', 'release')).status).toBe(200);
  // Approved, or refused by a guard (no stock in this database): either way a transition attempt.
  expect((await move('customer_service', 'approve')).status).toBeLessThan(500);
  expect((await move('finance', 'cancel', 'BUYER_REQUEST')).status).toBe(403);
  expect(
    (
      await request('POST', `/api/orders/${id}/tags`, 'operations', {
        add: ['加急'],
        version: await version(),
      })
    ).status,
  ).toBe(200);

  // Bad input that carries personal data.
  const bad = [
    await request('POST', '/api/orders', 'operations', {
      ...sampleOrder({ receiver: receiver() }),
      receiverMobile: PHONE,
    }),
    await request('POST', '/api/orders', 'operations', sampleOrder({ receiver: receiver(`${PHONE}99`) })),
    await request(
      'POST',
      '/api/orders',
      'operations',
      undefined,
      `{"receiver":{"name":"${NAME}","phone":"${PHONE}"`,
    ),
    await request('POST', '/api/orders', 'operations', sampleOrder({ receiver: receiver(), total: 1 })),
    await request('POST', '/api/auth/login', null, { username: 'nobody', password: DETAIL }),
    // A phone number and a real name typed as the user name: audited masked, never as typed.
    await request('POST', '/api/auth/login', null, { username: PHONE, password: DETAIL }),
    await request('POST', '/api/auth/login', null, { username: E164, password: DETAIL }),
    await request('POST', '/api/auth/login', null, { username: NAME, password: DETAIL }),
  ];
  for (const res of bad) expect(res.status).toBeGreaterThanOrEqual(400);

  // Statements that fail with the personal data among their parameters.
  for (const kind of ['drizzle', 'raw', 'prepared', 'jsonb']) {
    const res = await request('GET', `/test/db-fail/${kind}?tag=${CONTROL}`, null);
    expect(res.status, kind).toBe(500);
  }
}, 120_000);

afterAll(async () => {
  await app?.close();
  await drop?.();
});

describe('redaction rules', () => {
  it('redacts personal-data and secret query parameters, keeping the rest of the URL', () => {
    expect(redactUrl('/api/orders?phone=13812345678&status=paid')).toBe(
      '/api/orders?phone=[redacted]&status=paid',
    );
    expect(redactUrl('/api/orders?receiverName=%E5%BC%A0&buyerNick=x&q=a&name=b&tag=t')).toBe(
      '/api/orders?receiverName=[redacted]&buyerNick=[redacted]&q=[redacted]&name=[redacted]&tag=t',
    );
    expect(redactUrl('/api/x?%70hone=1&access_token=s&Receiver-Phone=2&address=3&a')).toBe(
      '/api/x?%70hone=[redacted]&access_token=[redacted]&Receiver-Phone=[redacted]&address=[redacted]&a',
    );
    expect(redactUrl('/api/orders/ord_1')).toBe('/api/orders/ord_1');
    expect(redactUrl('/api/orders/138%201234%205678/transitions?x=1')).toBe(
      '/api/orders/[redacted]/transitions?x=1',
    );
    expect(redactUrl('/api/orders/ord_01JX1234567890')).toBe('/api/orders/ord_01JX1234567890');
    expect(redactUrl('/api/x?phone')).toBe('/api/x?phone=[redacted]');
    expect(redactUrl('/api/x?%E0%A4%A=1&sku=%00')).toBe('/api/x?%E0%A4%A=1&sku=%00');
    for (const p of ['mobile', 'buyer_id', 'password', 'userPhone', 'search', 'keyword', 'detail'])
      expect(isRedactedParam(p), p).toBe(true);
    for (const p of ['status', 'sku', 'orderNo', 'tag', 'limit', 'cursor', 'tz', 'placedFrom'])
      expect(isRedactedParam(p), p).toBe(false);
  });

  it('drops the values bound to a failed statement from a logged error', () => {
    const cause = Object.assign(new Error(`invalid input syntax for type integer: "${PHONE}"`), {
      query: `EXECUTE s1('${NAME}', '${PHONE}')`,
      params: [NAME, PHONE],
      detail: `Key (phone)=(${PHONE}) already exists.`,
    });
    const err = Object.assign(new Error(`Failed query: select $1, $2\nparams: ${NAME},${PHONE}`), {
      query: 'select $1, $2',
      params: [NAME, PHONE],
      cause,
    });
    const out = errSerializer(err) as Record<string, unknown>;
    const text = JSON.stringify(out);
    expect(text).not.toContain(PHONE);
    expect(text).not.toContain(NAME);
    expect(out['params']).toBeUndefined();
    expect(out['query']).toBe('select $1, $2');
    expect(out['message']).toContain('Failed query: select $1, $2');
    expect(out['message']).toContain('invalid input syntax for type integer');
    const pgLike = errSerializer(
      Object.assign(new Error('duplicate key'), { detail: `Key (a, b)=(x, ${PHONE}) already exists.` }),
    ) as Record<string, unknown>;
    expect(pgLike['detail']).toBe('Key (a, b)=([redacted]) already exists.');
  });
});

describe('personal data in logs and audit', () => {
  it('captured the traffic: request URLs, errors, at every level', () => {
    const text = logged.join('');
    expect(logged.length).toBeGreaterThan(50);
    expect(text).toContain(CONTROL);
    expect(text).toContain('phone=[redacted]');
    expect(text).toContain('receiverName=[redacted]');
    const errors = logged.filter((l) => l.includes('"unhandled error"'));
    expect(errors.length).toBeGreaterThanOrEqual(4);
    for (const e of errors) expect(JSON.parse(e).err.message, e).toBeTruthy();
    // Unredacted, those errors would have carried the values (so the scan below can fail).
    expect(raw).toHaveLength(4);
    const plain = raw.map((e) => JSON.stringify(stdSerializers.err(e as Error)));
    expect(plain.filter((p) => SECRETS.some((s) => p.includes(s))).length).toBeGreaterThanOrEqual(2);
  });

  it('finds no phone, name or address in any log line', () => {
    const hits: string[] = [];
    for (const line of logged) {
      // Also in the form JSON gives non-ASCII text when escaped.
      const forms = [line, JSON.stringify(JSON.parse(line))];
      for (const s of SECRETS)
        if (forms.some((f) => f.includes(s))) hits.push(`${s} in ${line.slice(0, 400)}`);
    }
    expect(hits).toEqual([]);
  });

  it('finds no phone, name or address in any text or jsonb column of the audit log', async () => {
    const cols = await database.query<{ column: string }>(
      `SELECT a.attname AS "column"
         FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
        WHERE a.attrelid = 'audit_log'::regclass AND a.attnum > 0 AND NOT a.attisdropped
          AND ty.typname IN ('text', 'varchar', 'bpchar', 'json', 'jsonb', '_text', '_varchar')`,
    );
    expect(cols.map((c) => c.column)).toEqual(expect.arrayContaining(['summary', 'action', 'user_agent']));
    const rows = await database.query<{ action: string }>('SELECT action FROM audit_log');
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['order.ingest', 'order.export', 'order.pii_reveal', 'order.hold', 'order.tags_changed'])
      expect(actions, a).toContain(a);
    const hits: string[] = [];
    for (const { column } of cols) {
      const values = await database.query<{ v: string }>(
        `SELECT "${column}"::text AS v FROM audit_log WHERE "${column}" IS NOT NULL`,
      );
      for (const { v } of values)
        for (const s of SECRETS) if (v.includes(s)) hits.push(`${column}: ${s} in ${v.slice(0, 300)}`);
    }
    expect(hits).toEqual([]);
    // Failed log-ins under names that match no account keep the typed name masked.
    const failed = await database.query<{ actor_name: string }>(
      `SELECT actor_name FROM audit_log WHERE action = 'auth.login_failed' ORDER BY id`,
    );
    expect(failed.map((r) => r.actor_name)).toEqual(
      expect.arrayContaining(['no***6', '13***11', '+8***14', '司***4']),
    );
    // The export's phone filter is kept masked, with the keyed hash.
    const exported = await database.query<{ summary: { filter: { phone: unknown } } }>(
      `SELECT summary FROM audit_log WHERE action = 'order.export'`,
    );
    expect(exported).toHaveLength(2);
    for (const r of exported)
      expect(r.summary.filter.phone).toMatchObject({ masked: '139****8765', hash: expect.any(String) });
  });
});
