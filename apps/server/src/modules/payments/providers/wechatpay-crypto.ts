/**
 * WeChat Pay API v3 primitives (PROTOCOLS.md B1): the strings that get signed, RSA-SHA256 PKCS#1 v1.5
 * signatures, AEAD_AES_256_GCM resources and the `Authorization` header. Pure functions over node:crypto.
 */
import { createCipheriv, createDecipheriv, type KeyObject, randomBytes, sign, verify } from 'node:crypto';

export const WECHATPAY_AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
export const WECHATPAY_SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';

/** `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n` — what a merchant signs on an API request. */
export function requestSigningString(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** `TIMESTAMP\nNONCE\nBODY\n` as bytes — what WeChat signs on notifications and API responses. */
export function responseSigningBytes(timestamp: string, nonce: string, body: Buffer | string): Buffer {
  return Buffer.concat([
    Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'),
    typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    Buffer.from('\n', 'utf8'),
  ]);
}

/** `APPID\nTIMESTAMP\nNONCE\nPACKAGE\n` — the JSAPI / mini-program `paySign` string. */
export function jsapiPaySigningString(
  appId: string,
  timeStamp: string,
  nonceStr: string,
  pkg: string,
): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

export function rsaSign(privateKey: KeyObject, message: string | Buffer): string {
  return sign(
    'sha256',
    typeof message === 'string' ? Buffer.from(message, 'utf8') : message,
    privateKey,
  ).toString('base64');
}

export function rsaVerify(publicKey: KeyObject, message: string | Buffer, signatureB64: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureB64)) return false;
  try {
    return verify(
      'sha256',
      typeof message === 'string' ? Buffer.from(message, 'utf8') : message,
      publicKey,
      Buffer.from(signatureB64, 'base64'),
    );
  } catch {
    return false;
  }
}

/** AEAD_AES_256_GCM decryption of a notification resource: the ciphertext's last 16 bytes are the tag. */
export function decryptResource(
  apiV3Key: string,
  nonce: string,
  associatedData: string,
  ciphertextB64: string,
): string {
  const key = Buffer.from(apiV3Key, 'utf8');
  const data = Buffer.from(ciphertextB64, 'base64');
  if (key.length !== 32) throw new Error('the API v3 key is not 32 bytes');
  if (data.length < 17) throw new Error('the ciphertext is shorter than its tag');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString(
    'utf8',
  );
}

/** The inverse of `decryptResource` (used to check the digest's vector and by tests). */
export function encryptResource(
  apiV3Key: string,
  nonce: string,
  associatedData: string,
  plaintext: string,
): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'), {
    authTagLength: 16,
  });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString(
    'base64',
  );
}

/** 32 characters from [0-9A-Za-z], the form WeChat's SDKs use for nonces. */
export function wechatNonce(length = 32): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export interface AuthorizationParts {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

export function authorizationHeader(p: AuthorizationParts): string {
  return (
    `${WECHATPAY_AUTH_SCHEMA} mchid="${p.mchid}",nonce_str="${p.nonce_str}",timestamp="${p.timestamp}",` +
    `serial_no="${p.serial_no}",signature="${p.signature}"`
  );
}

/** Beijing wall-clock RFC 3339 (`2024-06-10T12:00:05+08:00`) of a UTC instant. */
export function toBeijingRfc3339(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time with its offset as a UTC instant; null when it is not one. */
export function parseRfc3339(value: unknown): Date | null {
  if (typeof value !== 'string' || !RFC3339.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}
