import {
  type CreateUserBody,
  ROLE_PERMISSIONS,
  type Role,
  type UpdateUserBody,
  type UserScope,
  type UserView,
} from '@orderhub/contracts';
import type { Actor, DataScope } from '../../platform/actor.ts';
import type { SqlExecutor, Tx } from '../../platform/db.ts';
import { DomainError, isUniqueViolation } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { accountsByIds } from '../channels/index.ts';
import { listWarehouses } from '../inventory/index.ts';
import { clearAccountLimit } from './login-limits.ts';
import { hashPassword } from './passwords.ts';

/** A role change that takes away at least one permission the user had. */
export function isReduction(from: Role, to: Role): boolean {
  const after = new Set<string>(ROLE_PERMISSIONS[to]);
  return ROLE_PERMISSIONS[from].some((p) => !after.has(p));
}

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  active: boolean;
  scope_accounts?: string[] | null;
  scope_warehouses?: string[] | null;
  created_at: Date | string;
}

/** The user's data scope as the principal carries it: null lists for "all". */
export function dataScopeOf(u: Pick<UserRow, 'scope_accounts' | 'scope_warehouses'>): DataScope {
  return {
    accounts: u.scope_accounts?.length ? u.scope_accounts : null,
    warehouses: u.scope_warehouses?.length ? u.scope_warehouses : null,
  };
}

/**
 * A scope as asked: de-duplicated, and every id an existing channel account or warehouse (through
 * those modules' public functions). Refused as a whole with the unknown ids, before anything is written.
 */
async function checkedScope(exec: SqlExecutor, scope: UserScope): Promise<UserScope> {
  const accounts = [...new Set(scope.channelAccounts)];
  const warehouses = [...new Set(scope.warehouses)];
  const known = await accountsByIds(exec, accounts);
  const unknownAccounts = accounts.filter((id) => !known.has(id));
  if (unknownAccounts.length)
    throw new DomainError(
      'USER_SCOPE_UNKNOWN_ACCOUNT',
      `no channel account ${unknownAccounts.map((id) => `"${id}"`).join(', ')}`,
      { accounts: unknownAccounts.join(', '), ids: unknownAccounts },
    );
  if (warehouses.length) {
    const ids = new Set((await listWarehouses(exec)).map((w) => w.id));
    const unknownWarehouses = warehouses.filter((id) => !ids.has(id));
    if (unknownWarehouses.length)
      throw new DomainError(
        'USER_SCOPE_UNKNOWN_WAREHOUSE',
        `no warehouse ${unknownWarehouses.map((id) => `"${id}"`).join(', ')}`,
        { warehouses: unknownWarehouses.join(', '), ids: unknownWarehouses },
      );
  }
  return { channelAccounts: accounts.sort(), warehouses: warehouses.sort() };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

export function userView(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role,
    active: u.active,
    permissions: [...ROLE_PERMISSIONS[u.role]],
    scope: { channelAccounts: u.scope_accounts ?? [], warehouses: u.scope_warehouses ?? [] },
    createdAt: new Date(u.created_at).toISOString(),
  };
}

export async function findUserByUsername(exec: SqlExecutor, username: string): Promise<UserRow | undefined> {
  return (
    await exec.query<UserRow & Record<string, unknown>>(`SELECT * FROM users WHERE username = $1`, [username])
  )[0];
}

export async function getUser(exec: SqlExecutor, id: string): Promise<UserRow> {
  const row = (
    await exec.query<UserRow & Record<string, unknown>>(`SELECT * FROM users WHERE id = $1`, [id])
  )[0];
  if (!row) throw new DomainError('USER_NOT_FOUND', `no user ${id}`);
  return row;
}

export async function listUsers(exec: SqlExecutor): Promise<UserView[]> {
  const rows = await exec.query<UserRow & Record<string, unknown>>(`SELECT * FROM users ORDER BY username`);
  return rows.map(userView);
}

export async function countUsers(exec: SqlExecutor): Promise<number> {
  const rows = await exec.query<{ n: number | string }>(`SELECT count(*) AS n FROM users`);
  return Number(rows[0]?.n ?? 0);
}

export async function createUser(tx: Tx, at: Date, actor: Actor, input: CreateUserBody): Promise<UserView> {
  const id = newId('user');
  const scope = await checkedScope(tx, input.scope ?? { channelAccounts: [], warehouses: [] });
  const hash = await hashPassword(input.password);
  try {
    await tx.query(
      `INSERT INTO users (id, username, display_name, role, password_hash, active, scope_accounts, scope_warehouses, created_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,true,$7::text[],$8::text[],$6,$6)`,
      [
        id,
        input.username,
        input.displayName ?? input.username,
        input.role,
        hash,
        at,
        scope.channelAccounts,
        scope.warehouses,
      ],
    );
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new DomainError('USERNAME_TAKEN', `the username "${input.username}" is taken`);
    }
    throw e;
  }
  await recordAudit(tx, at, actor, {
    action: 'user.create',
    entityType: 'user',
    entityId: id,
    summary: {
      username: input.username,
      role: input.role,
      ...(scope.channelAccounts.length || scope.warehouses.length ? { scope } : {}),
    },
  });
  return userView(await getUser(tx, id));
}

export async function updateUser(
  tx: Tx,
  at: Date,
  actor: Actor,
  id: string,
  input: UpdateUserBody,
): Promise<UserView> {
  const before = await getUser(tx, id);
  if (actor.id === id && (input.active === false || (input.role && input.role !== before.role))) {
    throw new DomainError('CANNOT_DEACTIVATE_SELF', 'you cannot deactivate yourself or change your own role');
  }
  const scope = input.scope ? await checkedScope(tx, input.scope) : null;
  const beforeScope = {
    channelAccounts: before.scope_accounts ?? [],
    warehouses: before.scope_warehouses ?? [],
  };
  const scopeChanged =
    scope !== null &&
    !(
      sameList(scope.channelAccounts, [...beforeScope.channelAccounts].sort()) &&
      sameList(scope.warehouses, [...beforeScope.warehouses].sort())
    );
  const hash = input.password ? await hashPassword(input.password) : null;
  await tx.query(
    `UPDATE users SET display_name = COALESCE($2, display_name), role = COALESCE($3, role),
            active = COALESCE($4, active), password_hash = COALESCE($5, password_hash), updated_at = $6,
            scope_accounts = COALESCE($7::text[], scope_accounts),
            scope_warehouses = COALESCE($8::text[], scope_warehouses)
      WHERE id = $1`,
    [
      id,
      input.displayName ?? null,
      input.role ?? null,
      input.active ?? null,
      hash,
      at,
      scope?.channelAccounts ?? null,
      scope?.warehouses ?? null,
    ],
  );
  const roleChanged = input.role !== undefined && input.role !== before.role;
  const reduced = roleChanged && isReduction(before.role, input.role!);
  // A deactivated user, a role change or a new password ends the user's console sessions. Their
  // API tokens go too when deactivated, and by default on a new password or a reduced role (an
  // integration keeps working only when the request says so).
  const sessionsEnded =
    input.active === false || roleChanged || hash
      ? (await tx.query(`DELETE FROM sessions WHERE user_id = $1 RETURNING id`, [id])).length
      : 0;
  const revokeTokens = input.active === false || ((hash !== null || reduced) && input.keepTokens !== true);
  const tokensRevoked = revokeTokens
    ? (
        await tx.query(
          `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
          [id, at],
        )
      ).length
    : 0;
  // A new password set by an administrator lifts the limit on the account name.
  if (hash) await clearAccountLimit(tx, before.username);
  await recordAudit(tx, at, actor, {
    action: 'user.update',
    entityType: 'user',
    entityId: id,
    summary: {
      ...(input.displayName !== undefined ? { displayName: [before.display_name, input.displayName] } : {}),
      ...(input.role ? { role: [before.role, input.role] } : {}),
      ...(input.active !== undefined ? { active: [before.active, input.active] } : {}),
      ...(hash ? { password: 'changed' } : {}),
      ...(scopeChanged ? { scope: [beforeScope, scope] } : {}),
      ...(sessionsEnded ? { sessionsEnded } : {}),
      ...(tokensRevoked ? { tokensRevoked } : {}),
    },
  });
  return userView(await getUser(tx, id));
}
