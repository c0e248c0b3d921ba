/** WeChat Pay v3 account settings: validation and the key objects they turn into (cached by PEM). */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { SettingsError } from '../provider.ts';

export interface WechatPayPlatformKey {
  /** A platform certificate's serial (hex) or a WeChat Pay public key id (`PUB_KEY_ID_…`). */
  serialNo: string;
  /** The platform certificate (`BEGIN CERTIFICATE`) or the WeChat Pay public key (`BEGIN PUBLIC KEY`). */
  pem: string;
}

export interface WechatPaySettings {
  mchId: string;
  appId: string;
  /** The API v3 key: exactly 32 bytes, used only for AES-256-GCM. */
  apiV3Key: string;
  /** Serial number of the merchant API certificate whose private key signs our requests. */
  merchantSerialNo: string;
  /** `apiclient_key.pem`: the merchant's RSA private key (PEM). */
  merchantPrivateKey: string;
  /** Keys WeChat Pay signs with; `Wechatpay-Serial` picks one. Several while a key rotates. */
  platformCertificates: WechatPayPlatformKey[];
  /** Time limit of one API call in milliseconds (default 10 000). */
  requestTimeoutMs?: number;
}

export const PUB_KEY_ID_PREFIX = 'PUB_KEY_ID_';

function str(input: Record<string, unknown>, field: string): string {
  const v = input[field];
  if (typeof v !== 'string' || v.trim() === '') throw new SettingsError(field, `${field} is required`);
  return v;
}

function rsaPrivateKey(pem: string, field: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SettingsError(field, `${field} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new SettingsError(field, `${field} is not an RSA key`);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    throw new SettingsError(field, `${field} is shorter than 2048 bits`);
  return key;
}

/** The public key of a platform certificate or WeChat Pay public key; throws a plain Error on bad input. */
function platformPublicKey(serialNo: string, pem: string): KeyObject {
  if (pem.includes('BEGIN CERTIFICATE')) {
    const cert = new X509Certificate(pem);
    if (serialNo.startsWith(PUB_KEY_ID_PREFIX))
      throw new Error(`${serialNo} names a WeChat Pay public key, but a certificate was given`);
    const strip = (s: string) => s.toUpperCase().replace(/^0+/, '');
    if (strip(cert.serialNumber) !== strip(serialNo))
      throw new Error(`the certificate's serial is ${cert.serialNumber}, not ${serialNo}`);
    if (cert.publicKey.asymmetricKeyType !== 'rsa')
      throw new Error('the certificate does not hold an RSA key');
    return cert.publicKey;
  }
  if (pem.includes('BEGIN PUBLIC KEY') || pem.includes('BEGIN RSA PUBLIC KEY')) {
    if (!serialNo.startsWith(PUB_KEY_ID_PREFIX))
      throw new Error(`a WeChat Pay public key has an id starting with ${PUB_KEY_ID_PREFIX}`);
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa') throw new Error('the public key is not an RSA key');
    return key;
  }
  throw new Error('neither a PEM certificate nor a PEM public key');
}

/** Checks an account's settings; throws `SettingsError` naming the first bad field. */
export function parseWechatPaySettings(input: unknown): WechatPaySettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new SettingsError('settings', 'settings must be an object');
  const o = input as Record<string, unknown>;
  const mchId = str(o, 'mchId').trim();
  if (!/^\d{1,32}$/.test(mchId)) throw new SettingsError('mchId', 'mchId is the merchant number (digits)');
  const appId = str(o, 'appId').trim();
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(appId)) throw new SettingsError('appId', 'appId is not an app id');
  const apiV3Key = str(o, 'apiV3Key');
  if (Buffer.byteLength(apiV3Key, 'utf8') !== 32)
    throw new SettingsError('apiV3Key', 'apiV3Key must be exactly 32 bytes (the API v3 key, not the v2 key)');
  const merchantSerialNo = str(o, 'merchantSerialNo').trim();
  if (!/^[0-9A-Fa-f]{1,64}$/.test(merchantSerialNo))
    throw new SettingsError('merchantSerialNo', 'merchantSerialNo is the merchant certificate serial (hex)');
  const merchantPrivateKey = str(o, 'merchantPrivateKey').trim();
  rsaPrivateKey(merchantPrivateKey, 'merchantPrivateKey');

  const list = o.platformCertificates;
  if (!Array.isArray(list) || list.length === 0)
    throw new SettingsError(
      'platformCertificates',
      'platformCertificates needs at least one { serialNo, pem }',
    );
  const platformCertificates: WechatPayPlatformKey[] = [];
  const seen = new Set<string>();
  list.forEach((entry: unknown, i) => {
    const at = `platformCertificates[${i}]`;
    if (typeof entry !== 'object' || entry === null)
      throw new SettingsError(at, `${at} must be an object { serialNo, pem }`);
    const e = entry as Record<string, unknown>;
    if (typeof e.serialNo !== 'string' || e.serialNo.trim() === '' || e.serialNo.trim().length > 64)
      throw new SettingsError(`${at}.serialNo`, `${at}.serialNo is required`);
    if (typeof e.pem !== 'string' || e.pem.trim() === '')
      throw new SettingsError(`${at}.pem`, `${at}.pem is required`);
    const serialNo = e.serialNo.trim();
    const pem = e.pem.trim();
    if (seen.has(serialNo)) throw new SettingsError(`${at}.serialNo`, `${serialNo} is listed twice`);
    seen.add(serialNo);
    try {
      platformPublicKey(serialNo, pem);
    } catch (err) {
      throw new SettingsError(`${at}.pem`, `${at}.pem: ${(err as Error).message}`);
    }
    platformCertificates.push({ serialNo, pem });
  });

  const settings: WechatPaySettings = {
    mchId,
    appId,
    apiV3Key,
    merchantSerialNo,
    merchantPrivateKey,
    platformCertificates,
  };
  if (o.requestTimeoutMs !== undefined) {
    const t = o.requestTimeoutMs;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 100 || t > 120_000)
      throw new SettingsError(
        'requestTimeoutMs',
        'requestTimeoutMs is a whole number of milliseconds, 100–120000',
      );
    settings.requestTimeoutMs = t;
  }
  return settings;
}

// Settings come decrypted from storage on each use; parsing a PEM costs more than a signature check.
const MAX_CACHED = 256;
const keyCache = new Map<string, KeyObject | null>();

function cached(id: string, make: () => KeyObject | null): KeyObject | null {
  const hit = keyCache.get(id);
  if (hit !== undefined) return hit;
  const key = make();
  if (keyCache.size >= MAX_CACHED) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(id, key);
  return key;
}

export function merchantKeyOf(settings: WechatPaySettings): KeyObject {
  const key = cached(`priv\0${settings.merchantPrivateKey}`, () =>
    rsaPrivateKey(settings.merchantPrivateKey, 'merchantPrivateKey'),
  );
  if (!key) throw new SettingsError('merchantPrivateKey', 'merchantPrivateKey is not usable');
  return key;
}

/** The verification key named by a `Wechatpay-Serial`, or null when the account does not list it. */
export function platformKeyOf(settings: WechatPaySettings, serialNo: string): KeyObject | null {
  const entry = settings.platformCertificates.find((c) => c.serialNo === serialNo);
  if (!entry) return null;
  return cached(`pub\0${entry.serialNo}\0${entry.pem}`, () => {
    try {
      return platformPublicKey(entry.serialNo, entry.pem);
    } catch {
      return null;
    }
  });
}
