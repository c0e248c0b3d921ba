import type { IncomingMessage, ServerResponse } from 'node:http';

/** A small seeded generator (mulberry32): the same seed gives the same orders. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

/** Splits `total` over `weights` by largest remainder (ties to the earlier weight). */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const base = weights.map((w) => Math.floor((total * w) / sum));
  const rem = weights.map((w, i) => ({ i, r: (total * w) % sum }));
  let left = total - base.reduce((a, b) => a + b, 0);
  rem.sort((x, y) => (x.r === y.r ? x.i - y.i : y.r - x.r));
  for (const { i } of rem) {
    if (left <= 0) break;
    base[i]! += 1;
    left -= 1;
  }
  return base;
}

/** Integer minor units → the decimal string a platform sends (`1999`, 2 → `19.99`). */
export function formatMinor(minor: number, digits: number): string {
  if (digits === 0) return String(minor);
  const s = String(Math.abs(minor)).padStart(digits + 1, '0');
  return `${minor < 0 ? '-' : ''}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** JSON text where the named keys' digit strings are written as bare numbers (64-bit ids). */
export function stringifyWithIds(value: unknown, idKeys: ReadonlySet<string>): string {
  return JSON.stringify(value, (k, v) =>
    idKeys.has(k) && typeof v === 'string' && /^\d+$/.test(v) ? `\u0000${v}` : v,
  ).replace(/"\\u0000(\d+)"/g, '$1');
}

/** JSON.parse that keeps integers of 16+ digits as exact strings. */
export function parseWithIds(text: string): unknown {
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const start = i;
      i++;
      while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      const intEnd = i;
      while (i < text.length && /[0-9.eE+-]/.test(text[i]!)) i++;
      if (i === intEnd && intEnd - start >= 16) {
        out += `${text.slice(last, start)}"${text.slice(start, intEnd)}"`;
        last = intEnd;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(out + text.slice(last));
}

export function readBody(req: IncomingMessage, limit = 5_000_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
  contentType = 'application/json; charset=utf-8',
): void {
  res.writeHead(status, { 'Content-Type': contentType, ...headers });
  res.end(body);
}

/** An ISO 8601 time at a fixed offset, seconds precision: `2024-06-10T12:00:00-04:00`. */
export function isoWithOffset(d: Date, offsetMinutes: number): string {
  const local = new Date(Math.floor(d.getTime() / 1000) * 1000 + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local.toISOString().slice(0, 19)}${offsetMinutes === 0 ? 'Z' : `${sign}${hh}:${mm}`}`;
}

/** Fault switches shared by the simulators: each counter is consumed one request or push at a time. */
export interface Faults {
  /** Requests left that get no answer (the caller's timeout fires). */
  timeouts: number;
  /** Requests left answered with a 5xx. */
  serverErrors: number;
  /** Requests left answered HTTP 200 with the platform's error body. */
  errorBodies: number;
  /** Requests left refused as over the rate limit. */
  rateLimited: number;
  /** Page requests left during which an order already served is modified (the list shifts). */
  shiftDuringPaging: number;
  /** The token is refused as expired/revoked while true. */
  expiredToken: boolean;
  /** Added to the simulator's clock for order times (a platform clock that runs ahead/behind). */
  clockSkewMs: number;
  /** New orders use a changed SKU code format while true. */
  skuFormatChanged: boolean;
  /** Pushes left that are delivered twice. */
  duplicatePushes: number;
  /** Pushes left held back and delivered after the next one. */
  outOfOrderPushes: number;
}

export function newFaults(): Faults {
  return {
    timeouts: 0,
    serverErrors: 0,
    errorBodies: 0,
    rateLimited: 0,
    shiftDuringPaging: 0,
    expiredToken: false,
    clockSkewMs: 0,
    skuFormatChanged: false,
    duplicatePushes: 0,
    outOfOrderPushes: 0,
  };
}

export function take(
  faults: Faults,
  key:
    | 'timeouts'
    | 'serverErrors'
    | 'errorBodies'
    | 'rateLimited'
    | 'shiftDuringPaging'
    | 'duplicatePushes'
    | 'outOfOrderPushes',
): boolean {
  if (faults[key] > 0) {
    faults[key] -= 1;
    return true;
  }
  return false;
}
