import path from 'node:path';
import type { Config } from './config.ts';
import {
  createFieldCrypto,
  type FieldCrypto,
  type FieldCryptoOptions,
  findMasterKey,
  keyIdOf,
  keyIdOfKey,
  loadMasterKey,
  parseKey,
} from './crypto.ts';
import type { Database, SqlExecutor, Tx } from './db.ts';

/**
 * Master key safety. The database records in `sealing_keys` every key id its personal data is
 * sealed under; a process that lacks one of them (a mistyped ORDERHUB_MASTER_KEY, a forgotten
 * ORDERHUB_RETIRED_KEYS) refuses to start instead of sealing new data under another key and
 * failing to open the old. `orderhub keys rotate` re-seals everything under the current key and
 * marks the earlier keys retired.
 */

/** Sealed data under key ids this process was not given: nothing has been written. */
export class MissingKeysError extends Error {
  constructor(
    readonly missing: readonly string[],
    readonly current: string | null,
  ) {
    super(
      `personal data in this database is sealed under key id${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which this process was not given` +
        ` (${current ? `ORDERHUB_MASTER_KEY or the key file gives key id ${current}` : 'no ORDERHUB_MASTER_KEY and no key file'}).` +
        ' Set ORDERHUB_MASTER_KEY to the key in use and list earlier keys in ORDERHUB_RETIRED_KEYS (comma-separated);' +
        ' `orderhub keys rotate` then re-seals the data under the current key. Nothing was changed.',
    );
  }
}

/** A value that cannot be re-sealed: its key is not given, or it is damaged. */
export class UnreadableDataError extends Error {}

/** One table's sealed columns, as the module that owns it re-seals them (see `rotateKeys`). */
export interface SealedStore {
  /** For progress lines: `orders`, `order raw payloads`. */
  readonly name: string;
  /** Rows holding a value sealed under another key than `keyId`. */
  pending(db: SqlExecutor, keyId: string): Promise<number>;
  /**
   * Re-seals under `crypto.keyId` up to `limit` rows with an id after `afterId` that hold a value
   * sealed under another key, in id order, inside the caller's transaction. Returns the last id
   * done (null when none was left) and how many rows it wrote.
   */
  reseal(
    tx: Tx,
    crypto: FieldCrypto,
    afterId: string | null,
    limit: number,
  ): Promise<{ lastId: string | null; resealed: number }>;
  /** Every key id its rows hold data under. */
  keyIds(db: SqlExecutor): Promise<string[]>;
}

/** The master key and retired keys this configuration gives, without creating a key file. */
function givenKeys(config: Pick<Config, 'masterKey' | 'retiredKeys' | 'dataDir'>) {
  return {
    master: findMasterKey(config.masterKey, config.dataDir),
    retired: config.retiredKeys.map((k) => parseKey(k, 'ORDERHUB_RETIRED_KEYS')),
  };
}

async function hasTable(db: SqlExecutor): Promise<boolean> {
  const r = await db.query<{ t: string | null }>(`SELECT to_regclass('sealing_keys')::text AS t`);
  return Boolean(r[0]?.t);
}

/** Recorded key ids still holding data that none of `given` opens. */
export async function missingKeyIds(db: SqlExecutor, given: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ key_id: string }>(
    `SELECT key_id FROM sealing_keys WHERE retired_at IS NULL AND NOT (key_id = ANY($1::text[])) ORDER BY first_used_at, key_id`,
    [[...given]],
  );
  return rows.map((r) => r.key_id);
}

/** Records that data is (about to be) sealed under `keyId`; un-retires it if it comes back. */
export async function registerKey(db: SqlExecutor, keyId: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO sealing_keys (key_id, first_used_at, last_used_at) VALUES ($1, $2, $2)
     ON CONFLICT (key_id) DO UPDATE SET last_used_at = GREATEST(sealing_keys.last_used_at, $2), retired_at = NULL`,
    [keyId, at],
  );
}

/**
 * Refuses (MissingKeysError) when the configuration lacks a key the database's data is sealed
 * under. Reads only; `migrate` calls it before applying anything when the table exists.
 */
export async function checkSealingKeys(
  db: SqlExecutor,
  config: Pick<Config, 'masterKey' | 'retiredKeys' | 'dataDir'>,
): Promise<void> {
  if (!(await hasTable(db))) return;
  const { master, retired } = givenKeys(config);
  const current = master ? keyIdOfKey(master) : null;
  const given = [...(current ? [current] : []), ...retired.map(keyIdOfKey)];
  const missing = await missingKeyIds(db, given);
  if (missing.length) throw new MissingKeysError(missing, current);
}

/**
 * The field crypto of a starting server: checks the keys against the database before anything is
 * written (the key file is created only for a database that holds no sealed data), then records
 * the current key id.
 */
export async function openSealing(
  database: Database,
  config: Pick<Config, 'masterKey' | 'retiredKeys' | 'dataDir'>,
  opts: FieldCryptoOptions & { at: Date },
): Promise<FieldCrypto> {
  await checkSealingKeys(database, config);
  const master = loadMasterKey(config.masterKey, config.dataDir);
  const crypto = createFieldCrypto(master, givenKeys(config).retired, opts);
  await registerKey(database, crypto.keyId, opts.at);
  return crypto;
}

/** A sealed value under the current key; throws UnreadableDataError naming what is missing. */
export function resealValue(crypto: FieldCrypto, sealed: string, where: string): string {
  if (keyIdOf(sealed) === crypto.keyId) return sealed;
  const plain = crypto.openOr(sealed, (p) => {
    throw new UnreadableDataError(
      p.reason === 'key-missing'
        ? `${where} is sealed under key id ${p.keyId}, which this process was not given: list that key in ORDERHUB_RETIRED_KEYS and run \`orderhub keys rotate\` again`
        : `${where} is damaged and cannot be opened`,
    );
  });
  return crypto.encrypt(plain);
}

export interface RotateOptions {
  /** Rows per transaction. */
  batchSize: number;
  /** Stop after this many batches (the next run carries on where this one stopped). */
  maxBatches?: number;
  at: () => Date;
  progress?: (line: string) => void;
}

export interface RotateResult {
  keyId: string;
  resealed: Record<string, number>;
  /** False when stopped by `maxBatches` before the end. */
  complete: boolean;
  /** Key ids that no longer hold data and were marked retired by this run. */
  retired: string[];
  /** Key ids other than the current one that still hold data (written while this ran?). */
  stillInUse: string[];
}

/**
 * Re-seals every store's data under the current key, one batch per transaction, keyset by id:
 * safe to stop at any point and run again (rows already under the current key are skipped).
 * At the end, key ids that hold no data any more are marked retired.
 */
export async function rotateKeys(
  database: Database,
  crypto: FieldCrypto,
  stores: readonly SealedStore[],
  opts: RotateOptions,
): Promise<RotateResult> {
  const say = opts.progress ?? (() => undefined);
  const resealed: Record<string, number> = {};
  let batches = 0;
  for (const store of stores) {
    const total = await store.pending(database, crypto.keyId);
    resealed[store.name] = 0;
    say(`${store.name}: ${total} row(s) to re-seal`);
    let after: string | null = null;
    for (;;) {
      if (opts.maxBatches !== undefined && batches >= opts.maxBatches) {
        say(`stopped after ${batches} batch(es); run \`orderhub keys rotate\` again to carry on`);
        return { keyId: crypto.keyId, resealed, complete: false, retired: [], stillInUse: [] };
      }
      const res: { lastId: string | null; resealed: number } = await database.tx(async (tx) => {
        const r = await store.reseal(tx, crypto, after, opts.batchSize);
        if (r.resealed) await registerKey(tx, crypto.keyId, opts.at());
        return r;
      });
      if (res.lastId === null) break;
      batches++;
      after = res.lastId;
      resealed[store.name]! += res.resealed;
      say(`${store.name}: ${resealed[store.name]}/${total} re-sealed`);
    }
  }
  const inUse = new Set<string>();
  for (const store of stores) for (const k of await store.keyIds(database)) inUse.add(k);
  const retired = await database.tx(async (tx) => {
    if (inUse.has(crypto.keyId)) await registerKey(tx, crypto.keyId, opts.at());
    const rows = await tx.query<{ key_id: string }>(
      `UPDATE sealing_keys SET retired_at = $2 WHERE retired_at IS NULL AND key_id <> $1 AND NOT (key_id = ANY($3::text[]))
       RETURNING key_id`,
      [crypto.keyId, opts.at(), [...inUse]],
    );
    return rows.map((r) => r.key_id).sort();
  });
  const stillInUse = [...inUse].filter((k) => k !== crypto.keyId).sort();
  return { keyId: crypto.keyId, resealed, complete: stillInUse.length === 0, retired, stillInUse };
}

/** What `orderhub keys status` shows. */
export async function keyStatus(
  db: SqlExecutor,
  given: readonly string[],
): Promise<{ keyId: string; firstUsedAt: Date; lastUsedAt: Date; retiredAt: Date | null; given: boolean }[]> {
  const rows = await db.query<{
    key_id: string;
    first_used_at: Date;
    last_used_at: Date;
    retired_at: Date | null;
  }>(
    `SELECT key_id, first_used_at, last_used_at, retired_at FROM sealing_keys ORDER BY first_used_at, key_id`,
  );
  return rows.map((r) => ({
    keyId: r.key_id,
    firstUsedAt: new Date(r.first_used_at),
    lastUsedAt: new Date(r.last_used_at),
    retiredAt: r.retired_at ? new Date(r.retired_at) : null,
    given: given.includes(r.key_id),
  }));
}

/** The crypto a one-shot key command works with: the master key must exist, none is created. */
export function cryptoForKeys(
  config: Pick<Config, 'masterKey' | 'retiredKeys' | 'dataDir'>,
  opts: FieldCryptoOptions = {},
): FieldCrypto {
  const { master, retired } = givenKeys(config);
  if (!master)
    throw new Error(
      `no master key: set ORDERHUB_MASTER_KEY or put the key file at ${path.join(config.dataDir, 'master.key')}`,
    );
  return createFieldCrypto(master, retired, opts);
}
