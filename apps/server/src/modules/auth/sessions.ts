import { ROLE_PERMISSIONS } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { Database, SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { attemptSucceeded, knownDevice, limitKeys, rememberDevice, takeAttempt } from './login-limits.ts';
import { verifyPassword } from './passwords.ts';
import { hashSecret, newSecret, TOKEN_PREFIX } from './secrets.ts';
import { dataScopeOf, findUserByUsername, type UserRow, userView } from './users.ts';

export const SESSION_COOKIE = 'orderhub_session';

/**
 * Checked when the user is unknown, inactive or the attempt is refused by a limit, so that every
 * answer spends one scrypt verification: timing tells neither whether a name exists nor whether it
 * is being limited. Same parameters as `hashPassword`; no password matches it.
 */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export interface LoginInput {
  username: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
  ttlHours: number;
  /** The device cookie the browser sent, if any. */
  deviceToken?: string | undefined;
}

export type LoginResult =
  | {
      ok: true;
      token: string;
      expiresAt: Date;
      user: ReturnType<typeof userView>;
      /** A new device cookie value to set, or null when the browser's stays. */
      deviceToken: string | null;
    }
  | { ok: false; retryAfterSeconds?: number };

/**
 * A user name that matches no account, as the audit log keeps it: its first two characters (one
 * for a name of four or fewer), `***` and its length — `13***11` for a phone number typed as the
 * user name. Enough to tell typos apart, never the value.
 */
export function maskTypedName(typed: string): string {
  const chars = Array.from(typed);
  const keep = chars.length > 4 ? 2 : chars.length > 1 ? 1 : 0;
  return `${chars.slice(0, keep).join('')}***${chars.length}`;
}

/**
 * Checks the password and opens a session, under the log-in limits (login-limits.ts). Unknown user,
 * inactive user, wrong password and a limited attempt all spend the same scrypt verification; the
 * first three answer alike. Every outcome is audited. The password is verified between two short
 * transactions, so that no row lock (and, on PGlite, no transaction) is held during scrypt.
 */
export async function login(database: Database, at: Date, input: LoginInput): Promise<LoginResult> {
  const first = await database.tx(async (tx) => {
    const device = await knownDevice(tx, at, input.deviceToken, input.username);
    const keys = limitKeys(input.username, input.ip, device);
    const limited = await takeAttempt(tx, at, keys);
    const user = await findUserByUsername(tx, input.username);
    return { device, keys, limited, user };
  });
  const { device, keys, limited, user } = first;
  const usable = Boolean(user?.active) && !limited;
  const matches = await verifyPassword(input.password, usable ? user!.password_hash : DUMMY_HASH);
  const anonymous: Actor = {
    type: 'user',
    id: user?.id ?? null,
    // A known account is named as it is; what was typed for an unknown one may be personal data
    // (a phone number, a real name, a password typed in the wrong field): it is kept masked.
    name: user ? user.username : maskTypedName(input.username),
    role: user?.role ?? null,
    permissions: new Set(),
    ip: input.ip,
    userAgent: input.userAgent,
    source: 'console',
  };
  if (!usable || !matches) {
    const why = limited ? 'throttled' : !user ? 'unknown user' : !user.active ? 'inactive' : 'wrong password';
    await database.tx((tx) =>
      recordAudit(tx, at, anonymous, {
        action: 'auth.login_failed',
        entityType: 'user',
        entityId: user?.id ?? null,
        summary: { why, ...(limited ? { retryAfterSeconds: limited.retryAfterSeconds } : {}) },
      }),
    );
    return limited ? { ok: false, retryAfterSeconds: limited.retryAfterSeconds } : { ok: false };
  }
  const signedIn = user!;
  const token = newSecret('ohs_');
  const expiresAt = new Date(at.getTime() + input.ttlHours * 3_600_000);
  const deviceToken = await database.tx(async (tx) => {
    await attemptSucceeded(tx, at, keys);
    await tx.query(
      `INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, ip, user_agent) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [newId('session'), hashSecret(token), signedIn.id, at, expiresAt, input.ip, input.userAgent],
    );
    const fresh = await rememberDevice(tx, at, signedIn.id, device);
    await recordAudit(tx, at, anonymous, {
      action: 'auth.login',
      entityType: 'user',
      entityId: signedIn.id,
      summary: { knownDevice: device !== null },
    });
    return fresh;
  });
  return { ok: true, token, expiresAt, user: userView(signedIn), deviceToken };
}

export async function logout(tx: Tx, at: Date, actor: Actor, token: string): Promise<void> {
  await tx.query(`DELETE FROM sessions WHERE token_hash = $1`, [hashSecret(token)]);
  await recordAudit(tx, at, actor, { action: 'auth.logout', entityType: 'user', entityId: actor.id });
}

type Joined = UserRow & { token_id?: string; token_name?: string; last_used_at?: Date | string | null };

function actorOf(u: Joined, via: 'session' | 'token', ip: string | null, ua: string | null): Actor {
  return {
    type: via === 'session' ? 'user' : 'token',
    id: u.id,
    name: u.username,
    role: u.role,
    ...(u.token_id ? { tokenId: u.token_id } : {}),
    permissions: new Set(ROLE_PERMISSIONS[u.role] ?? []),
    ip,
    userAgent: ua,
    source: via === 'session' ? 'console' : 'api',
    // Read from the user's row on every request: a token acts within its user's scope, and a scope
    // change applies to open sessions and tokens at their next request.
    scope: dataScopeOf(u),
  };
}

/** The actor behind a session cookie or a bearer token, or null when neither is valid now. */
export async function resolveCredentials(
  exec: SqlExecutor,
  at: Date,
  cred: {
    sessionToken?: string | undefined;
    bearer?: string | undefined;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<Actor | null> {
  if (cred.bearer?.startsWith(TOKEN_PREFIX)) {
    const rows = await exec.query<Joined & Record<string, unknown>>(
      `SELECT u.*, t.id AS token_id, t.name AS token_name, t.last_used_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.active`,
      [hashSecret(cred.bearer), at],
    );
    const row = rows[0];
    if (!row) return null;
    // Last use is shown to admins to find dead tokens; minute precision is plenty and spares a write per request.
    if (!row.last_used_at || at.getTime() - new Date(row.last_used_at).getTime() > 60_000) {
      await exec.query(`UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, [row.token_id, at]);
    }
    return actorOf(row, 'token', cred.ip, cred.userAgent);
  }
  if (cred.sessionToken) {
    const rows = await exec.query<Joined & Record<string, unknown>>(
      `SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active`,
      [hashSecret(cred.sessionToken), at],
    );
    return rows[0] ? actorOf(rows[0], 'session', cred.ip, cred.userAgent) : null;
  }
  return null;
}

export function assertActive(actor: Actor | null): asserts actor is Actor {
  if (!actor) throw new DomainError('UNAUTHENTICATED', 'log in first');
}
