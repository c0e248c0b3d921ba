import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Field encryption for personal data (AES-256-GCM, key id stored with each ciphertext) and keyed
 * blind indexes (HMAC-SHA256) so that encrypted phones stay searchable by exact value.
 */
export interface FieldCrypto {
  readonly keyId: string;
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  blindIndex(purpose: string, value: string): string;
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
  if (envKey) return parseKey(envKey, 'ORDERHUB_MASTER_KEY');
  const file = path.join(dataDir, 'master.key');
  if (fs.existsSync(file)) {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077)
      throw new Error(`${file} must be readable by its owner only (chmod 600), it is ${mode.toString(8)}`);
    return parseKey(fs.readFileSync(file, 'utf8'), file);
  }
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

export function createFieldCrypto(master: Buffer, retired: Buffer[] = []): FieldCrypto {
  const derive = (key: Buffer, info: string) =>
    Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
  const kidOf = (key: Buffer) =>
    createHash('sha256').update('orderhub-kid').update(key).digest('hex').slice(0, 8);
  const encKeys = new Map<string, Buffer>();
  for (const k of [master, ...retired]) encKeys.set(kidOf(k), derive(k, 'orderhub/pii-enc/v1'));
  const keyId = kidOf(master);
  const encKey = encKeys.get(keyId)!;
  const indexKey = derive(master, 'orderhub/blind-index/v1');

  return {
    keyId,
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
    blindIndex(purpose, value) {
      return createHmac('sha256', indexKey).update(purpose).update('\0').update(value).digest('base64url');
    },
  };
}
