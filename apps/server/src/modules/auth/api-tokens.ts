import type { CreateTokenBody, TokenView } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { hashSecret, newSecret, TOKEN_PREFIX } from './secrets.ts';
import { findUserByUsername } from './users.ts';

type TokenRow = {
  id: string;
  name: string;
  username: string;
  prefix: string;
  created_at: Date | string;
  expires_at: Date | string | null;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
};

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function view(r: TokenRow): TokenView {
  return {
    id: r.id,
    name: r.name,
    username: r.username,
    prefix: r.prefix,
    createdAt: iso(r.created_at)!,
    expiresAt: iso(r.expires_at),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  };
}

const SELECT = `SELECT t.id, t.name, u.username, t.prefix, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
                  FROM api_tokens t JOIN users u ON u.id = t.user_id`;

/**
 * Creates a token for `username` (default: the actor). Only a holder of users:manage may create one
 * for someone else. The secret is returned once and never again.
 */
export async function createToken(tx: Tx, at: Date, actor: Actor, input: CreateTokenBody) {
  const username = input.username ?? actor.name;
  const manager = actor.permissions.has('users:manage') || actor.type === 'system';
  // Refused before the lookup, so that the answer does not tell whether the username exists.
  if (!manager && username !== actor.name) {
    throw new DomainError('FORBIDDEN', 'you may create tokens for yourself only');
  }
  const user = await findUserByUsername(tx, username);
  if (!user?.active) throw new DomainError('USER_NOT_FOUND', `no active user "${username}"`);
  if (user.id !== actor.id && !manager) {
    throw new DomainError('FORBIDDEN', 'you may create tokens for yourself only');
  }
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt <= at)
    throw new DomainError('VALIDATION_FAILED', 'expiresAt must be in the future');
  const secret = newSecret(TOKEN_PREFIX);
  const id = newId('token');
  await tx.query(
    `INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [id, user.id, input.name, secret.slice(0, 10), hashSecret(secret), at, expiresAt],
  );
  await recordAudit(tx, at, actor, {
    action: 'token.create',
    entityType: 'api_token',
    entityId: id,
    summary: { name: input.name, user: username },
  });
  const row = (await tx.query<TokenRow & Record<string, unknown>>(`${SELECT} WHERE t.id = $1`, [id]))[0]!;
  return { token: secret, ...view(row) };
}

/** Everyone's tokens for a user manager; one's own otherwise. */
export async function listTokens(exec: SqlExecutor, actor: Actor): Promise<TokenView[]> {
  const all = actor.permissions.has('users:manage');
  const rows = await exec.query<TokenRow & Record<string, unknown>>(
    `${SELECT} ${all ? '' : 'WHERE t.user_id = $1'} ORDER BY t.created_at DESC`,
    all ? [] : [actor.id],
  );
  return rows.map(view);
}

export async function revokeToken(tx: Tx, at: Date, actor: Actor, id: string): Promise<TokenView> {
  const owner = (
    await tx.query<{ user_id: string }>(`SELECT user_id FROM api_tokens WHERE id = $1`, [id])
  )[0];
  if (!owner || (owner.user_id !== actor.id && !actor.permissions.has('users:manage'))) {
    throw new DomainError('TOKEN_NOT_FOUND', `no token ${id}`);
  }
  await tx.query(`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`, [id, at]);
  await recordAudit(tx, at, actor, { action: 'token.revoke', entityType: 'api_token', entityId: id });
  return view((await tx.query<TokenRow & Record<string, unknown>>(`${SELECT} WHERE t.id = $1`, [id]))[0]!);
}
