import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/platform/db.ts';
import { freshDatabase, onPostgres } from './helpers.ts';

let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ database, drop } = await freshDatabase());
  await database.query(
    `CREATE TABLE prepared_probe (k text PRIMARY KEY, n int, at timestamptz, tags text[], doc jsonb)`,
  );
});
afterAll(async () => {
  await drop();
});

const INSERT = `INSERT INTO prepared_probe (k, n, at, tags, doc) VALUES ($1, $2, $3, $4, $5::jsonb)
  RETURNING k, n, at, tags, doc`;

describe(`prepared statements (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('binds every kind of value exactly as a plain query does', async () => {
    const at = new Date('2026-01-09T00:00:05.123Z');
    // Quotes, a backslash, a would-be statement end, Chinese text, an empty string inside an array.
    const k = `it's \\ "x"; DROP TABLE prepared_probe; -- 先发顺丰`;
    const tags = ['a,b', 'quote"d', 'back\\slash', '', '{brace}', '中文'];
    const doc = { note: "O'Reilly \\ 100%", n: 3 };
    const rows = await database.tx((tx) => tx.prepared(INSERT, [k, -42, at, tags, JSON.stringify(doc)]));
    expect(rows).toHaveLength(1);
    const plain = await database.query(`SELECT k, n, at, tags, doc FROM prepared_probe WHERE k = $1`, [k]);
    expect(plain).toEqual(rows);
    expect(rows[0]).toMatchObject({ k, n: -42, tags, doc });
    expect(new Date(rows[0]!['at'] as string).toISOString()).toBe(at.toISOString());
    const nulls = await database.tx((tx) => tx.prepared(INSERT, ['nulls', null, null, null, null]));
    expect(nulls[0]).toMatchObject({ k: 'nulls', n: null, at: null, tags: null, doc: null });
  });

  it('keeps working after a transaction that prepared it rolls back', async () => {
    const text = `SELECT count(*)::int AS n FROM prepared_probe WHERE k = $1`;
    await expect(
      database.tx(async (tx) => {
        await tx.prepared(text, ['nulls']);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const rows = await database.tx((tx) => tx.prepared<{ n: number }>(text, ['nulls']));
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('forces the generic plan for its own statement only', async () => {
    const modes = await database.tx(async (tx) => {
      const before = await tx.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
      await tx.prepared(`SELECT k FROM prepared_probe WHERE k = $1`, ['x']);
      const after = await tx.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
      return [before[0]!.plan_cache_mode, after[0]!.plan_cache_mode];
    });
    expect(modes[1]).toBe(modes[0]);
  });

  it('reports a bad statement as an error and prepares nothing', async () => {
    await expect(
      database.tx((tx) => tx.prepared(`SELECT nope FROM prepared_probe WHERE k = $1`, ['x'])),
    ).rejects.toThrow(/nope/);
  });
});

describe(`held-back writes (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  // Each test its own statement texts (the comment differs): a text is prepared once per connection.
  const insert = (tag: string) =>
    `/* ${tag} */ INSERT INTO prepared_probe (k, n, at, tags, doc) VALUES ($1, $2, $3, $4, $5::jsonb)`;
  const read = (tag: string) => `/* ${tag} */ SELECT k, n, at, tags, doc FROM prepared_probe WHERE k = $1`;

  it('write every kind of value as a bound parameter would, and a read after them sees them', async () => {
    const at = new Date('2026-01-09T00:00:05.123Z');
    const tags = ['a,b', 'quote"d', 'back\\slash', '', '{brace}', '中文'];
    const doc = { note: "O'Reilly \\ 100% $1", n: 3 };
    for (const round of [1, 2, 3]) {
      // Quotes, a backslash, a placeholder-like text, a would-be statement end, Chinese text.
      const k = `held ${round}: it's \\ "x" $2; DROP TABLE prepared_probe; -- 先发顺丰`;
      const rows = await database.tx(async (tx) => {
        await tx.deferred.query(insert('kinds'), [k, -42, at, tags, JSON.stringify(doc)]);
        await tx.deferred.query(insert('kinds'), [`${k} nulls`, null, null, null, null]);
        return tx.prepared(read('kinds'), [k]);
      });
      expect(rows).toEqual([{ k, n: -42, at, tags, doc }]);
      const nulls = await database.query(read('kinds-plain'), [`${k} nulls`]);
      expect(nulls).toEqual([{ k: `${k} nulls`, n: null, at: null, tags: null, doc: null }]);
    }
  });

  it('may end in a line comment: the statement after it still runs', async () => {
    const commented = `${insert('line-comment')} -- 先发顺丰`;
    const plain = `INSERT INTO prepared_probe (k, n) VALUES ('held-comment-plain', 7) -- no values`;
    for (const round of [1, 2]) {
      const rows = await database.tx(async (tx) => {
        await tx.deferred.query(commented, [`held-comment-${round}`, round, null, null, null]);
        if (round === 1) await tx.deferred.query(plain);
        await tx.deferred.query(insert('line-comment'), [`held-after-${round}`, round, null, null, null]);
        return tx.query<{ k: string }>(
          `SELECT k FROM prepared_probe WHERE k IN ($1, $2, 'held-comment-plain') ORDER BY k -- last`,
          [`held-comment-${round}`, `held-after-${round}`],
        );
      });
      expect(rows.map((r) => r.k)).toEqual([
        `held-after-${round}`,
        `held-comment-${round}`,
        'held-comment-plain',
      ]);
    }
  });

  it('keep working on the connection after a message that prepared one of them failed', async () => {
    // The statement is prepared by the message that fails (the duplicate key is its own EXECUTE):
    // the server keeps it, so the connection must learn so before using the text again.
    const dup = insert('after-failure');
    await database.tx((tx) => tx.deferred.query(insert('seed'), ['held-dup', 1, null, null, null]));
    for (let i = 0; i < 3; i++) {
      await expect(
        database.tx(async (tx) => {
          await tx.deferred.query(dup, ['held-dup', 2, null, null, null]);
          await tx.query('SELECT 1');
        }),
      ).rejects.toThrow(/duplicate key/);
    }
    // And one prepared by a message that failed before reaching it.
    const late = insert('never-reached');
    await expect(
      database.tx(async (tx) => {
        await tx.deferred.query(dup, ['held-dup', 3, null, null, null]);
        await tx.deferred.query(late, ['held-late', 1, null, null, null]);
        await tx.query('SELECT 1');
      }),
    ).rejects.toThrow(/duplicate key/);
    // Sequential transactions take the same pooled connection: every text works again there.
    for (let i = 0; i < 3; i++)
      await database.tx(async (tx) => {
        await tx.deferred.query(dup, [`held-ok-${i}`, i, null, null, null]);
        await tx.deferred.query(late, [`held-late-${i}`, i, null, null, null]);
      });
    const n = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM prepared_probe WHERE k LIKE 'held-ok-%' OR k LIKE 'held-late-%'`,
    );
    expect(Number(n[0]!.n)).toBe(6);
    const dupRow = await database.query(`SELECT n FROM prepared_probe WHERE k = 'held-dup'`);
    expect(dupRow).toEqual([{ n: 1 }]);
  });
});

describe(`bytes (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('stores and reads every byte value as it was sent, in and out of a transaction', async () => {
    await database.query(`CREATE TABLE bytes_probe (k int PRIMARY KEY, b bytea)`);
    const all = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => (i * 7) % 256));
    // A slice of a larger buffer (as an upload's parts are): only its own bytes go.
    const big = Buffer.concat([Buffer.from('before'), all, Buffer.from('after')]);
    const part = big.subarray(6, 6 + all.length);
    await database.query(`INSERT INTO bytes_probe VALUES (1, $1)`, [part]);
    await database.tx((tx) =>
      tx.query(`INSERT INTO bytes_probe VALUES (2, $1), (3, $2)`, [new Uint8Array(0), all]),
    );
    // Text for a bytea parameter is read as PostgreSQL reads it (hex form here).
    await database.query(`INSERT INTO bytes_probe VALUES (4, $1)`, ['\\x00ff']);
    const rows = await database.query<{ k: number; b: Uint8Array; hex: string }>(
      `SELECT k, b, encode(b, 'hex') AS hex FROM bytes_probe ORDER BY k`,
    );
    expect(rows.map((r) => r.hex)).toEqual([all.toString('hex'), '', all.toString('hex'), '00ff']);
    for (const r of rows) {
      expect(r.b).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(r.b).toString('hex')).toBe(r.hex);
    }
  });
});

describe(`WAL segments (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('are not zero-filled on PGlite (a 60–90 ms hold of the server thread each 16 MB); PostgreSQL keeps its own setting', async () => {
    // Still so after a transaction that failed (the setting is the session's, not a transaction's).
    await database.tx((tx) => tx.query(`SELECT 1/0`)).catch(() => undefined);
    const [row] = await database.query<{ setting: string; reset_val: string }>(
      `SELECT setting, reset_val FROM pg_settings WHERE name = 'wal_init_zero'`,
    );
    // PostgreSQL: whatever its administrator set, untouched by this session.
    expect(row!.setting).toBe(onPostgres ? row!.reset_val : 'off');
  });
});

describe.skipIf(onPostgres)('PGlite maintenance', () => {
  it('gathers statistics for tables that changed, and only for them', async () => {
    await database.query(
      `INSERT INTO prepared_probe (k, n) SELECT 'bulk-' || g, g FROM generate_series(1, 500) g`,
    );
    const first = await database.maintain();
    expect(first.analyzed).toContain('public.prepared_probe');
    const stats = await database.query<{ reltuples: number }>(
      `SELECT reltuples FROM pg_class WHERE relname = 'prepared_probe'`,
    );
    expect(Number(stats[0]!.reltuples)).toBeGreaterThanOrEqual(500);
    const second = await database.maintain();
    expect(second.analyzed).not.toContain('public.prepared_probe');
    // Dead rows past the threshold get a VACUUM.
    await database.query(`DELETE FROM prepared_probe WHERE k LIKE 'bulk-%' AND n <= 400`);
    const third = await database.maintain();
    expect(third.vacuumed).toContain('public.prepared_probe');
  });
});
