import { ROLE_PERMISSIONS } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { verifyPassword } from './passwords.ts';
import { hashSecret, newSecret, TOKEN_PREFIX } from './secrets.ts';
import { type UserRow, userView } from './users.ts';

export const SESSION_COOKIE = 'orderhub_session';
const MAX_FAILED_LOGINS = 5;
const LOCK_MINUTES = 15;

export interface LoginInput {
  username: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
  ttlHours: number;
}

/**
 * Checks the password and opens a session. Unknown user and wrong password answer alike; five
 * failures in a row lock the account for 15 minutes. Both outcomes are audited.
 */
export async function login(tx: Tx, at: Date, input: LoginInput) {
  // The row lock makes parallel attempts count one after another: a burst cannot outrun the lock-out.
  const user = (
    await tx.query<UserRow & Record<string, unknown>>(`SELECT * FROM users WHERE username = $1 FOR UPDATE`, [
      input.username,
    ])
  )[0];
  const anonymous: Actor = {
    type: 'user',
    id: user?.id ?? null,
    name: input.username,
    role: user?.role ?? null,
    permissions: new Set(),
    ip: input.ip,
    userAgent: input.userAgent,
    source: 'console',
  };
  const fail = async (why: string) => {
    await recordAudit(tx, at, anonymous, {
      action: 'auth.login_failed',
      entityType: 'user',
      entityId: user?.id ?? null,
      summary: { why },
    });
    return { ok: false as const };
  };
  if (!user?.active) {
    // Spend the same time as a real check, so timing does not tell which usernames exist.
    await verifyPassword(
      input.password,
      'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    return fail(user ? 'inactive' : 'unknown user');
  }
  if (user.locked_until && new Date(user.locked_until) > at) return fail('locked');
  if (!(await verifyPassword(input.password, user.password_hash))) {
    const failed = user.failed_logins + 1;
    const lock = failed >= MAX_FAILED_LOGINS ? new Date(at.getTime() + LOCK_MINUTES * 60_000) : null;
    await tx.query(`UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1`, [
      user.id,
      lock ? 0 : failed,
      lock,
    ]);
    return fail(lock ? 'wrong password; locked' : 'wrong password');
  }
  const token = newSecret('ohs_');
  const expiresAt = new Date(at.getTime() + input.ttlHours * 3_600_000);
  await tx.query(`UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1`, [user.id]);
  await tx.query(
    `INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at, ip, user_agent) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [newId('session'), hashSecret(token), user.id, at, expiresAt, input.ip, input.userAgent],
  );
  await recordAudit(tx, at, anonymous, { action: 'auth.login', entityType: 'user', entityId: user.id });
  return { ok: true as const, token, expiresAt, user: userView(user) };
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
