import type { Permission, Role } from '@orderhub/contracts';

/**
 * What the console checks before it shows a page or a button: the server's permissions, exactly as
 * `GET /api/auth/me` lists them. Amounts follow `orders:amounts`; the server also sends null money
 * fields to readers without it, so hiding them here is only presentation.
 */
export type ConsolePermission = Permission;

export interface Me {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  permissions: string[];
}

export function consolePermissions(me: Pick<Me, 'role' | 'permissions'>): Set<ConsolePermission> {
  return new Set(me.permissions as ConsolePermission[]);
}

export function allows(
  perms: ReadonlySet<ConsolePermission>,
  required: ConsolePermission | readonly ConsolePermission[] | undefined,
): boolean {
  if (!required) return true;
  const list = typeof required === 'string' ? [required] : required;
  return list.every((p) => perms.has(p));
}
