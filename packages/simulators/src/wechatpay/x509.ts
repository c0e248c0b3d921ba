/**
 * A minimal DER writer for one self-signed X.509 v3 certificate (RSA, sha256WithRSAEncryption) — enough
 * for a simulated WeChat Pay platform certificate that node's `X509Certificate` parses.
 */
import { type KeyObject, randomBytes, sign } from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, content: Buffer) =>
  Buffer.concat([Buffer.from([tag]), len(content.length), content]);
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const nul = () => Buffer.from([0x05, 0x00]);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const printable = (s: string) => tlv(0x13, Buffer.from(s, 'ascii'));

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const iso = d.toISOString(); // 2024-06-10T12:00:00.000Z
  const s = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

function name(commonName: string): Buffer {
  return seq(
    set(seq(oid('2.5.4.6'), printable('CN'))),
    set(seq(oid('2.5.4.10'), utf8('Tenpay.com'))),
    set(seq(oid('2.5.4.11'), utf8('Tenpay.com CA Center'))),
    set(seq(oid('2.5.4.3'), utf8(commonName))),
  );
}

export interface SelfSignedCertificate {
  pem: string;
  /** Upper-case hex, as WeChat Pay writes certificate serials (and as node reports them). */
  serialNo: string;
}

export function selfSignedCertificate(
  publicKey: KeyObject,
  privateKey: KeyObject,
  opts: { commonName: string; notBefore: Date; notAfter: Date },
): SelfSignedCertificate {
  const serial = randomBytes(20);
  serial[0] = 0x10 + (serial[0]! % 0x60); // positive, no leading zero byte
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), nul());
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    sha256WithRsa,
    name(opts.commonName),
    seq(utcTime(opts.notBefore), utcTime(opts.notAfter)),
    name(opts.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, sha256WithRsa, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    pem: `-----BEGIN CERTIFICATE-----\n${b64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`,
    serialNo: serial.toString('hex').toUpperCase(),
  };
}
