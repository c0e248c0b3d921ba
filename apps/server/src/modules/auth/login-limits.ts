import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { hashSecret, newSecret } from './secrets.ts';

/**
 * Log-in limits, kept in the database so that every server process sees the same counts.
 *
 * Each attempt is counted against several keys before its password is checked (so a burst of
 * parallel guesses counts one by one), and a success takes its count back. Past a key's free
 * failures, each further failure makes the key wait twice as long as the one before, up to a cap:
 * an exponential back-off instead of a fixed lock, so that nobody can keep a real user out by
 * failing on purpose:
 * - `pair`: one account name from one address (the ordinary guessing case);
 * - `account`: one account name from every address together (a guesser spread over many
 *   addresses) — a browser that logged in to the account before (the device cookie) is exempt, and
 *   is limited as `device` instead;
 * - `address`: every account name from one address (a guesser trying many names).
 * A streak is forgotten after an hour without failures. Keys are SHA-256 hashes: no typed name or
 * address sits in the table in clear.
 */
export const LOGIN_LIMITS = {
  pair: { free: 5, baseSeconds: 30, maxSeconds: 15 * 60 },
  device: { free: 5, baseSeconds: 30, maxSeconds: 15 * 60 },
  account: { free: 20, baseSeconds: 60, maxSeconds: 15 * 60 },
  address: { free: 30, baseSeconds: 60, maxSeconds: 60 * 60 },
} as const;

export type LimitKind = keyof typeof LOGIN_LIMITS;

/** A streak of failures on a key is forgotten after this long without a new one. */
export const FORGET_AFTER_MS = 60 * 60_000;

/** The cookie that marks a browser that logged in to an account before. */
export const DEVICE_COOKIE = 'orderhub_device';
export const DEVICE_DAYS = 180;

export interface LimitKey {
  kind: LimitKind;
  key: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The address a limit counts: IPv4 as is, IPv6 by its /64 (one subscriber usually holds a whole
 * /64, so counting single IPv6 addresses would limit nothing).
 */
export function addressOf(ip: string | null): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export const accountKey = (username: string): LimitKey => ({ kind: 'account', key: `a:${sha(username)}` });

/** The keys one attempt counts against; `deviceHash` when the browser carries a valid device cookie. */
export function limitKeys(username: string, ip: string | null, deviceHash: string | null): LimitKey[] {
  const address = addressOf(ip);
  const keys: LimitKey[] = [{ kind: 'address', key: `i:${sha(address)}` }];
  if (deviceHash) keys.push({ kind: 'device', key: `d:${deviceHash}` });
  else keys.push(accountKey(username), { kind: 'pair', key: `p:${sha(`${username}\u0000${address}`)}` });
  return keys.sort((a, b) => (a.key < b.key ? -1 : 1));
}

type LimitRow = {
  key: string;
  failures: number;
  blocked_until: Date | string | null;
  updated_at: Date | string;
};

function waitMs(kind: LimitKind, failures: number): number | null {
  const l = LOGIN_LIMITS[kind];
  if (failures < l.free) return null;
  return Math.min(l.baseSeconds * 2 ** Math.min(failures - l.free, 30), l.maxSeconds) * 1000;
}

/**
 * Takes one attempt against the keys: `retryAfterSeconds` when one of them is waiting (the attempt
 * is not counted then), otherwise the attempt is counted as a failure until `attemptSucceeded`.
 * Rows are locked in key order, so parallel attempts count one after another without deadlocks.
 */
export async function takeAttempt(
  tx: Tx,
  at: Date,
  keys: LimitKey[],
): Promise<{ retryAfterSeconds: number } | null> {
  const names = keys.map((k) => k.key);
  await tx.query(
    `INSERT INTO login_limits (key, failures, updated_at) SELECT k, 0, $2 FROM unnest($1::text[]) AS k
     ON CONFLICT (key) DO NOTHING`,
    [names, at],
  );
  const rows = await tx.query<LimitRow>(
    `SELECT key, failures, blocked_until, updated_at FROM login_limits WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
    [names],
  );
  const now = at.getTime();
  let blockedUntil = 0;
  for (const r of rows) {
    const until = r.blocked_until ? new Date(r.blocked_until).getTime() : 0;
    if (until > now) blockedUntil = Math.max(blockedUntil, until);
  }
  if (blockedUntil) return { retryAfterSeconds: Math.max(1, Math.ceil((blockedUntil - now) / 1000)) };
  const failures: number[] = [];
  const until: (Date | null)[] = [];
  for (const k of keys) {
    const r = rows.find((x) => x.key === k.key);
    const stale = !r || now - new Date(r.updated_at).getTime() > FORGET_AFTER_MS;
    const n = (stale ? 0 : r.failures) + 1;
    const wait = waitMs(k.kind, n);
    failures.push(n);
    until.push(wait === null ? null : new Date(now + wait));
  }
  await tx.query(
    `UPDATE login_limits l SET failures = v.failures, blocked_until = v.until, updated_at = $4
       FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS v(key, failures, until)
      WHERE l.key = v.key`,
    [names, failures, until.map((d) => d?.toISOString() ?? null), at],
  );
  return null;
}

/**
 * A correct password: the attempt's own count is taken back from the shared keys (address,
 * account), and the streak of the account from this address or device ends. Rows untouched for a
 * day are deleted on the way.
 */
export async function attemptSucceeded(tx: Tx, at: Date, keys: LimitKey[]): Promise<void> {
  const shared = keys.filter((k) => k.kind === 'address' || k.kind === 'account');
  const own = keys.filter((k) => k.kind === 'pair' || k.kind === 'device').map((k) => k.key);
  for (const k of shared) {
    const l = LOGIN_LIMITS[k.kind];
    await tx.query(
      `UPDATE login_limits SET failures = greatest(failures - 1, 0),
              blocked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE blocked_until END
        WHERE key = $1`,
      [k.key, l.free],
    );
  }
  if (own.length) await tx.query(`DELETE FROM login_limits WHERE key = ANY($1::text[])`, [own]);
  await tx.query(
    `DELETE FROM login_limits WHERE updated_at < $1 AND (blocked_until IS NULL OR blocked_until < $2)`,
    [new Date(at.getTime() - 24 * 3_600_000), at],
  );
}

/** Lifts the account-wide limit (an administrator set a new password). */
export async function clearAccountLimit(tx: SqlExecutor, username: string): Promise<void> {
  await tx.query(`DELETE FROM login_limits WHERE key = $1`, [accountKey(username).key]);
}

/** The device cookie's hash when it belongs to `username` and was used within DEVICE_DAYS. */
export async function knownDevice(
  exec: SqlExecutor,
  at: Date,
  token: string | undefined,
  username: string,
): Promise<string | null> {
  if (!token || token.length > 200) return null;
  const hash = hashSecret(token);
  const rows = await exec.query<{ token_hash: string }>(
    `SELECT d.token_hash FROM login_devices d JOIN users u ON u.id = d.user_id
      WHERE d.token_hash = $1 AND u.username = $2 AND d.last_used_at > $3`,
    [hash, username, new Date(at.getTime() - DEVICE_DAYS * 86_400_000)],
  );
  return rows[0]?.token_hash ?? null;
}

/** Marks the browser as known for the user: a new cookie value, or null when its cookie stays. */
export async function rememberDevice(
  tx: Tx,
  at: Date,
  userId: string,
  knownHash: string | null,
): Promise<string | null> {
  if (knownHash) {
    await tx.query(`UPDATE login_devices SET last_used_at = $2 WHERE token_hash = $1`, [knownHash, at]);
    return null;
  }
  const token = newSecret('ohd_');
  await tx.query(
    `INSERT INTO login_devices (token_hash, user_id, created_at, last_used_at) VALUES ($1,$2,$3,$3)`,
    [hashSecret(token), userId, at],
  );
  return token;
}
