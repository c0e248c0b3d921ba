import { createDecipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import type { IngestOrderBody } from '@orderhub/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, TEST_MASTER_KEY, type TestApp } from './helpers.ts';

/** The receiver whose data must never be stored in clear. */
const NAME = '欧阳明月';
const PHONE = '13812345678';
const E164 = '+8613812345678';
const DETAIL = '文三路 100 号 7 单元 1204 室';

/** Substrings of the personal data in every notation it arrives or is normalised in. */
const SECRETS = [
  NAME,
  '阳明月',
  PHONE,
  '8613812345678',
  '12345678',
  '1234-5678',
  '1234 5678',
  DETAIL,
  '1204 室',
  '7 单元',
];

/** Stored in clear on purpose: proves that the scan reads the columns it claims to. */
const CONTROL = 'PIISCAN-CONTROL-先发顺丰';

let t: TestApp;
let target: { id: string };
const orderIds: string[] = [];

function receiver(overrides: Partial<NonNullable<IngestOrderBody['receiver']>> = {}) {
  return {
    name: NAME,
    phone: PHONE,
    province: '浙江省',
    city: '杭州市',
    district: '西湖区',
    detail: DETAIL,
    ...overrides,
  };
}

beforeAll(async () => {
  t = await startTestApp();
  // The order under test, ingested with a retry key (the answer is stored), then updated by the channel.
  const first = sampleOrder({
    externalOrderId: 'PIISCAN-EXT-1',
    receiver: receiver(),
    buyerRemark: CONTROL,
    raw: { tid: 'PIISCAN-EXT-1', receiver_mobile: PHONE, receiver_name: NAME, receiver_address: DETAIL },
  });
  const created = await t.as('operations').post('/api/orders', first, { 'idempotency-key': 'pii-scan-1' });
  expect(created.status).toBe(201);
  target = created.body.order;
  orderIds.push(target.id);
  const updated = await t.as('operations').post('/api/orders', {
    ...first,
    sourceVersion: '2026-01-09T01:00:00Z',
    receiver: receiver({ phone: '138 1234 5678' }),
    sellerRemark: 'updated',
  });
  expect(updated.status).toBe(200);
  expect(updated.body.outcome).toBe('updated');

  // Others: same person under other notations would be the same phone, so these use other numbers.
  const batch = await t.as('admin').post('/api/orders:batch', {
    orders: [
      sampleOrder({ receiver: receiver({ phone: '13987654321' }) }),
      sampleOrder({ receiver: receiver({ phone: '+86 150 0000 1111' }) }),
      sampleOrder({ receiver: receiver({ phone: '138****5678' }) }),
    ],
  });
  expect(batch.status).toBe(200);
  expect(batch.body.created).toBe(3);
  orderIds.push(...batch.body.results.map((r: { orderId: string }) => r.orderId));

  // A transition and a reveal leave timeline, audit and outbox rows behind too.
  const held = await t.as('customer_service').post(`/api/orders/${target.id}/transitions`, {
    event: 'hold',
    version: 2,
    reasonCode: 'CUSTOMER_REQUEST',
  });
  expect(held.status).toBe(200);
  expect((await t.as('warehouse').get(`/api/orders/${target.id}?reveal=true`)).status).toBe(200);
});
afterAll(async () => {
  await t?.close();
});

interface Hit {
  table: string;
  column: string;
  needle: string;
}

/** Every text-like column (text, varchar, json, jsonb, arrays of them) of every table outside the catalogs. */
async function scan(needles: string[]): Promise<{ hits: Hit[]; columns: string[] }> {
  const cols = await t.database.query<{ schema: string; table: string; column: string }>(
    `SELECT n.nspname AS schema, c.relname AS "table", a.attname AS "column"
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type ty ON ty.oid = a.atttypid
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
        AND a.attnum > 0 AND NOT a.attisdropped
        AND (ty.typname IN ('text', 'varchar', 'bpchar', 'json', 'jsonb', 'name')
             OR ty.typname IN ('_text', '_varchar', '_json', '_jsonb'))
      ORDER BY 1, 2, 3`,
  );
  const hits: Hit[] = [];
  for (const { schema, table, column } of cols) {
    const rel = `"${schema}"."${table}"`;
    const rows = await t.database.query<{ v: string }>(
      `SELECT "${column}"::text AS v FROM ${rel} WHERE "${column}" IS NOT NULL`,
    );
    for (const needle of needles) {
      if (rows.some((r) => r.v.includes(needle))) hits.push({ table: `${schema}.${table}`, column, needle });
    }
  }
  return { hits, columns: cols.map((c) => `${c.schema}.${c.table}.${c.column}`) };
}

describe('personal data at rest', () => {
  it('is stored nowhere in clear: no table, no job, no audit or timeline row holds it', async () => {
    expect(await t.count('pgboss.job')).toBeGreaterThan(0);
    const { hits, columns } = await scan([...SECRETS, CONTROL, target.id]);
    // The scan covers the order tables, the audit log, the retry-key answers and the job queue.
    for (const c of [
      'public.orders.receiver_phone_enc',
      'public.orders.buyer_remark',
      'public.order_raw_payloads.payload_enc',
      'public.order_timeline.details',
      'public.audit_log.summary',
      'public.idempotency_keys.response',
      'pgboss.job.data',
    ]) {
      expect(columns).toContain(c);
    }
    // It finds what is in clear on purpose, in a text column, in jsonb and in the job queue…
    expect(hits).toContainEqual({ table: 'public.orders', column: 'buyer_remark', needle: CONTROL });
    expect(hits).toContainEqual({ table: 'public.audit_log', column: 'entity_id', needle: target.id });
    expect(hits).toContainEqual({ table: 'public.idempotency_keys', column: 'response', needle: target.id });
    expect(hits).toContainEqual({ table: 'pgboss.job', column: 'data', needle: target.id });
    // …and no trace of the receiver's name, phone or address.
    expect(hits.filter((h) => SECRETS.includes(h.needle))).toEqual([]);
  });

  it('seals each field with AES-256-GCM under the key id it names', async () => {
    const master = Buffer.from(TEST_MASTER_KEY, 'base64');
    const kid = createHash('sha256').update('orderhub-kid').update(master).digest('hex').slice(0, 8);
    expect(t.app.deps.crypto.keyId).toBe(kid);
    const encKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'orderhub/pii-enc/v1', 32));
    const open = (sealed: string) => {
      const [format, keyId, iv, ct, tag] = sealed.split('.');
      expect(format).toBe('v1');
      expect(keyId).toBe(kid);
      const d = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv!, 'base64url'));
      d.setAAD(Buffer.from(`v1.${keyId}`));
      d.setAuthTag(Buffer.from(tag!, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(ct!, 'base64url')), d.final()]).toString('utf8');
    };

    const row = (
      await t.database.query<Record<string, string>>(
        `SELECT receiver_name_enc, receiver_phone_enc, receiver_detail_enc, receiver_phone_idx FROM orders WHERE id = $1`,
        [target.id],
      )
    )[0]!;
    expect(row['receiver_phone_enc']).toMatch(
      new RegExp(`^v1\\.${kid}\\.[\\w-]{16}\\.[\\w-]+\\.[\\w-]{22}$`),
    );
    expect(open(row['receiver_name_enc']!)).toBe(NAME);
    expect(open(row['receiver_phone_enc']!)).toBe(E164);
    expect(open(row['receiver_detail_enc']!)).toBe(DETAIL);

    // A tampered ciphertext does not open.
    const parts = row['receiver_phone_enc']!.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => open(parts.join('.'))).toThrow();

    // Every version of the raw payload is sealed too, and holds what the channel sent.
    const raws = await t.database.query<{ payload_enc: string }>(
      `SELECT payload_enc FROM order_raw_payloads WHERE order_id = $1 ORDER BY received_at, id`,
      [target.id],
    );
    expect(raws).toHaveLength(2);
    expect(JSON.parse(open(raws[0]!.payload_enc))).toMatchObject({
      receiver_mobile: PHONE,
      receiver_name: NAME,
    });

    // A fresh IV per value: the same name never seals to the same text.
    const names = await t.database.query<{ receiver_name_enc: string }>(
      `SELECT receiver_name_enc FROM orders WHERE id = ANY($1)`,
      [orderIds],
    );
    expect(names).toHaveLength(4);
    expect(new Set(names.map((n) => n.receiver_name_enc)).size).toBe(4);
    for (const n of names) expect(open(n.receiver_name_enc)).toBe(NAME);

    // The phone's blind index is a keyed hash of its E.164 form, not a plain digest.
    const indexKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'orderhub/blind-index/v1', 32));
    const expected = createHmac('sha256', indexKey)
      .update('receiver_phone')
      .update('\0')
      .update(E164)
      .digest('base64url');
    expect(row['receiver_phone_idx']).toBe(expected);
    expect(row['receiver_phone_idx']).not.toBe(createHash('sha256').update(E164).digest('base64url'));
  });
});

describe('searching by phone', () => {
  it.each([
    ['13812345678'],
    ['138-1234-5678'],
    ['+86 138 1234 5678'],
    ['+8613812345678'],
    ['(138) 1234 5678'],
  ])('finds the one order by %s', async (notation) => {
    const res = await t.as('finance').get(`/api/orders?phone=${encodeURIComponent(notation)}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([target.id]);
    expect(res.body.items[0].receiver).toMatchObject({ phone: '138****5678', masked: true });
  });

  it('finds the others by theirs, and nothing by an unused number', async () => {
    const other = await t.as('finance').get(`/api/orders?phone=${encodeURIComponent('139 8765 4321')}`);
    expect(other.body.items.map((o: { id: string }) => o.id)).toEqual([orderIds[1]]);
    const none = await t.as('finance').get('/api/orders?phone=13700000000');
    expect(none.status).toBe(200);
    expect(none.body.items).toEqual([]);
  });

  it('refuses a masked or broken number with 422 PHONE_INVALID', async () => {
    for (const phone of ['138****5678', '12345']) {
      const res = await t.as('finance').get(`/api/orders?phone=${encodeURIComponent(phone)}`);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('PHONE_INVALID');
    }
  });
});

describe('masking and reveal', () => {
  const masked = { name: '欧***', phone: '138****5678', detail: '文三路 ****', masked: true };

  it('masks the receiver in the list, the detail and the ingest answer', async () => {
    const list = await t.as('customer_service').get('/api/orders?limit=100');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(4);
    for (const o of list.body.items) {
      expect(o.receiver.masked).toBe(true);
      expect(o.receiver.name).toBe('欧***');
      expect(o.receiver.detail).toBe(masked.detail);
    }
    const byId = new Map(list.body.items.map((o: { id: string; receiver: unknown }) => [o.id, o.receiver]));
    expect(byId.get(target.id)).toMatchObject(masked);
    expect(byId.get(orderIds[2]!)).toMatchObject({ phone: '150****1111' });
    expect(byId.get(orderIds[3]!)).toMatchObject({ phone: '138****5678' });

    for (const url of [`/api/orders/${target.id}`, `/api/orders/${target.id}?reveal=false`]) {
      const detail = await t.as('customer_service').get(url);
      expect(detail.status).toBe(200);
      expect(detail.body.receiver).toMatchObject({ ...masked, province: '浙江省', city: '杭州市' });
    }
    const ingest = await t.as('operations').post('/api/orders', sampleOrder({ receiver: receiver() }));
    expect(ingest.body.order.receiver).toMatchObject(masked);
    const text = JSON.stringify([list.body, ingest.body]);
    for (const s of SECRETS) expect(text).not.toContain(s);
  });

  it('refuses a reveal without pii:read (finance) and audits nothing', async () => {
    const before = await t.count(`audit_log WHERE action = 'order.pii_reveal'`);
    const res = await t.as('finance').get(`/api/orders/${target.id}?reveal=true`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(res.body.details).toEqual({ permission: 'pii:read' });
    expect(JSON.stringify(res.body)).not.toContain(PHONE);
    expect(await t.count(`audit_log WHERE action = 'order.pii_reveal'`)).toBe(before);
  });

  it('reveals to a holder of pii:read (customer service) and audits each reveal', async () => {
    const audits = () =>
      t.database.query<{ actor_name: string; entity_id: string; summary: unknown; ip: string }>(
        `SELECT actor_name, entity_id, summary, ip FROM audit_log WHERE action = 'order.pii_reveal' AND actor_name LIKE 'customer_service-user%' ORDER BY at, id`,
      );
    expect(await audits()).toEqual([]);

    const res = await t.as('customer_service').get(`/api/orders/${target.id}?reveal=true`);
    expect(res.status).toBe(200);
    expect(res.body.receiver).toMatchObject({ name: NAME, phone: E164, detail: DETAIL, masked: false });
    await t.as('customer_service').get(`/api/orders/${target.id}?reveal=true`);

    const rows = await audits();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ entity_id: target.id, summary: { fields: ['name', 'phone', 'detail'] } });
    expect(JSON.stringify(rows)).not.toContain(PHONE);
    const api = await t.as('auditor').get(`/api/audit?action=order.pii_reveal&entityId=${target.id}`);
    // The warehouse's reveal in the setup and the two above.
    expect(api.body.items).toHaveLength(3);

    const missing = await t.as('customer_service').get('/api/orders/ord_missing?reveal=true');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ORDER_NOT_FOUND');
    expect(await audits()).toHaveLength(2);
  });
});
