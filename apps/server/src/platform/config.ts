import { isIP } from 'node:net';
import path from 'node:path';
import { DomainError } from './errors.ts';
import { assertTimeZone } from './time.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  masterKey: string | undefined;
  /** Earlier master keys, still needed to read data sealed before a rotation. */
  retiredKeys: string[];
  adminPassword: string | undefined;
  tzDefault: string;
  /** ORDERHUB_ORDER_NO_PREFIX: the letters before the date in order numbers (`OH`26113000001). */
  orderNoPrefix: string;
  logLevel: string;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  sessionTtlHours: number;
  /** Whether the session cookie is marked Secure (behind HTTPS). */
  secureCookies: boolean;
  /**
   * Which proxies may tell the client's address (X-Forwarded-For): `false`, `true`, or addresses and
   * CIDRs (`loopback`, `10.0.0.0/8`). The audit log records what this yields.
   */
  trustProxy: boolean | string;
  /** Run background job workers in this process. */
  workers: boolean;
  /** ORDERHUB_API_DOCS: serve the API documentation at /docs (and its document at /docs/json). */
  apiDocs: boolean;
  /** ORDERHUB_METRICS_TOKEN: `Authorization: Bearer` value that opens /metrics from any address. */
  metricsToken: string | undefined;
  /** ORDERHUB_METRICS_ALLOW: addresses and CIDRs that may read /metrics without the token. */
  metricsAllow: string[];
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function trustProxy(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === '') return 'loopback';
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (!/^[0-9A-Za-z.:/,\s]+$/.test(raw))
    throw new Error(`ORDERHUB_TRUST_PROXY must be true, false or addresses/CIDRs, got "${raw}"`);
  return raw;
}

function metricsToken(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw))
    throw new Error('ORDERHUB_METRICS_TOKEN must be at least 16 printable characters without spaces');
  return raw;
}

function metricsAllow(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return ['loopback'];
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of list) {
    const [addr = '', bits, extra] = entry.split('/');
    const ok =
      entry === 'loopback' ||
      entry === 'none' ||
      (isIP(addr) !== 0 &&
        extra === undefined &&
        (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (isIP(addr) === 6 ? 128 : 32))));
    if (!ok) throw new Error(`ORDERHUB_METRICS_ALLOW must list addresses, CIDRs or loopback, got "${entry}"`);
  }
  return list.filter((e) => e !== 'none');
}

/** Reads and checks every setting once, at boot. A bad setting stops the start with its name. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const databaseUrl = env['DATABASE_URL'] || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const tzDefault = env['TZ_DEFAULT'] || 'Asia/Shanghai';
  try {
    assertTimeZone(tzDefault);
  } catch (e) {
    if (e instanceof DomainError) throw new Error(`TZ_DEFAULT: ${e.message}`);
    throw e;
  }
  const orderNoPrefix = env['ORDERHUB_ORDER_NO_PREFIX'] || 'OH';
  // Ends in a letter so that the number always shows where the date begins (keeps numbers unique
  // even if the prefix is changed later).
  if (!/^[A-Z0-9]{0,5}[A-Z]$/.test(orderNoPrefix)) {
    throw new Error(
      `ORDERHUB_ORDER_NO_PREFIX must be 1 to 6 capital letters or digits ending in a letter, got "${orderNoPrefix}"`,
    );
  }
  const config: Config = {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env['HOST'] || '127.0.0.1',
    dataDir: path.resolve(env['ORDERHUB_DATA_DIR'] || './data'),
    databaseUrl,
    masterKey: env['ORDERHUB_MASTER_KEY'] || undefined,
    retiredKeys: (env['ORDERHUB_RETIRED_KEYS'] ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    adminPassword: env['ORDERHUB_ADMIN_PASSWORD'] || undefined,
    tzDefault,
    orderNoPrefix,
    logLevel: env['LOG_LEVEL'] || 'info',
    bodyLimit: int(env, 'ORDERHUB_BODY_LIMIT', 8 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    sessionTtlHours: int(env, 'ORDERHUB_SESSION_TTL_HOURS', 12, 1, 24 * 30),
    secureCookies: bool(env, 'ORDERHUB_SECURE_COOKIES', false),
    trustProxy: trustProxy(env['ORDERHUB_TRUST_PROXY']),
    workers: bool(env, 'ORDERHUB_WORKERS', true),
    apiDocs: bool(env, 'ORDERHUB_API_DOCS', true),
    metricsToken: metricsToken(env['ORDERHUB_METRICS_TOKEN']),
    metricsAllow: metricsAllow(env['ORDERHUB_METRICS_ALLOW']),
  };
  return { ...config, ...overrides };
}
