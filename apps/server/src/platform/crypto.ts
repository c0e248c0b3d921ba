import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Field encryption for personal data (AES-256-GCM, key id stored with each ciphertext) and keyed
 * blind indexes (HMAC-SHA256) so that encrypted phones stay searchable by exact value.
 */
export interface FieldCrypto {
  readonly keyId: string;
  /** Every key id this instance can open: the current key's and the retired keys'. */
  readonly keyIds: readonly string[];
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /**
   * `decrypt`, except that a value it cannot open (its key is not given, or it is damaged) yields
   * `onUnreadable(…)` instead of throwing: one such row must not fail a whole list or export.
   * Each missing key id is logged once per process, not once per value.
   */
  openOr<T>(sealed: string, onUnreadable: (problem: Unreadable) => T): string | T;
  blindIndex(purpose: string, value: string): string;
}

/** Why a sealed value could not be opened: `keyId` is set when its key is missing. */
export interface Unreadable {
  keyId: string | null;
  reason: 'key-missing' | 'damaged';
}

/** The key id of a ciphertext (`v1.<key id>.…`), or null if it is not one. */
export function keyIdOf(sealed: string): string | null {
  const m = /^v1\.([0-9a-f]{8})\./.exec(sealed);
  return m ? m[1]! : null;
}

/** The id a key is known by in ciphertexts and in the `sealing_keys` table. */
export function keyIdOfKey(key: Buffer): string {
  return createHash('sha256').update('orderhub-kid').update(key).digest('hex').slice(0, 8);
}

const FORMAT = 'v1';

export function parseKey(raw: string, origin: string): Buffer {
  const trimmed = raw.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (buf.length !== 32) {
    throw new Error(`${origin} must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)`);
  }
  return buf;
}

/** The master key from ORDERHUB_MASTER_KEY, or a 0600 key file in the data folder (created once). */
export function loadMasterKey(envKey: string | undefined, dataDir: string): Buffer {
  const existing = findMasterKey(envKey, dataDir);
  if (existing) return existing;
  const file = path.join(dataDir, 'master.key');
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx' fails if another process created it in between: then read theirs.
  try {
    fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return parseKey(fs.readFileSync(file, 'utf8'), file);
    throw e;
  }
}

/** The master key if one is given (variable or existing key file), without creating a key file. */
export function findMasterKey(envKey: string | undefined, dataDir: string): Buffer | null {
  if (envKey) return parseKey(envKey, 'ORDERHUB_MASTER_KEY');
  const file = path.join(dataDir, 'master.key');
  if (!fs.existsSync(file)) return null;
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077)
    throw new Error(`${file} must be readable by its owner only (chmod 600), it is ${mode.toString(8)}`);
  return parseKey(fs.readFileSync(file, 'utf8'), file);
}

export interface FieldCryptoOptions {
  /** Where `openOr` reports a missing key id (once per id). */
  log?: { warn(obj: object, msg: string): void };
}

export function createFieldCrypto(
  master: Buffer,
  retired: Buffer[] = [],
  opts: FieldCryptoOptions = {},
): FieldCrypto {
  const derive = (key: Buffer, info: string) =>
    Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
  const encKeys = new Map<string, Buffer>();
  for (const k of [master, ...retired]) encKeys.set(keyIdOfKey(k), derive(k, 'orderhub/pii-enc/v1'));
  const keyId = keyIdOfKey(master);
  const encKey = encKeys.get(keyId)!;
  const indexKey = derive(master, 'orderhub/blind-index/v1');
  const reported = new Set<string>();
  const report = (problem: Unreadable) => {
    const id = `${problem.reason}:${problem.keyId ?? ''}`;
    if (reported.has(id)) return;
    reported.add(id);
    opts.log?.warn(
      { keyId: problem.keyId, reason: problem.reason },
      problem.reason === 'key-missing'
        ? `data sealed under key id ${problem.keyId} cannot be opened: that key is neither ORDERHUB_MASTER_KEY nor in ORDERHUB_RETIRED_KEYS (shown as unreadable)`
        : 'a sealed value is damaged and cannot be opened (shown as unreadable)',
    );
  };

  const crypto: FieldCrypto = {
    keyId,
    keyIds: [...encKeys.keys()],
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      cipher.setAAD(Buffer.from(`${FORMAT}.${keyId}`));
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        FORMAT,
        keyId,
        iv.toString('base64url'),
        ct.toString('base64url'),
        tag.toString('base64url'),
      ].join('.');
    },
    decrypt(sealed) {
      const [format, kid, iv, ct, tag] = sealed.split('.');
      if (format !== FORMAT || !kid || iv === undefined || ct === undefined || tag === undefined) {
        throw new Error('not an orderhub ciphertext');
      }
      const key = encKeys.get(kid);
      if (!key) throw new Error(`no key with id ${kid}: set the retired key to read old data`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${format}.${kid}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
    openOr(sealed, onUnreadable) {
      const kid = keyIdOf(sealed);
      const problem: Unreadable | null =
        kid === null
          ? { keyId: null, reason: 'damaged' }
          : encKeys.has(kid)
            ? null
            : { keyId: kid, reason: 'key-missing' };
      if (!problem) {
        try {
          return crypto.decrypt(sealed);
        } catch {
          const damaged: Unreadable = { keyId: kid, reason: 'damaged' };
          report(damaged);
          return onUnreadable(damaged);
        }
      }
      report(problem);
      return onUnreadable(problem);
    },
    blindIndex(purpose, value) {
      return createHmac('sha256', indexKey).update(purpose).update('\0').update(value).digest('base64url');
    },
  };
  return crypto;
}
