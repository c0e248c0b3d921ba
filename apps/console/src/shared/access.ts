import type { Permission, Role } from '@orderhub/contracts';

/**
 * What the console checks before it shows a page or a button. Server permissions, plus
 * `finance:view` (order amounts, money figures): the server has no finance permission yet, so the
 * console derives it from the role — warehouse staff must not see finance.
 */
export type ConsolePermission = Permission | 'finance:view';

export const FINANCE_HIDDEN_ROLES: readonly Role[] = ['warehouse'];

export interface Me {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  permissions: string[];
}

export function consolePermissions(me: Pick<Me, 'role' | 'permissions'>): Set<ConsolePermission> {
  const set = new Set(me.permissions as ConsolePermission[]);
  if (me.permissions.includes('finance:view') || !FINANCE_HIDDEN_ROLES.includes(me.role))
    set.add('finance:view');
  return set;
}

export function allows(
  perms: ReadonlySet<ConsolePermission>,
  required: ConsolePermission | readonly ConsolePermission[] | undefined,
): boolean {
  if (!required) return true;
  const list = typeof required === 'string' ? [required] : required;
  return list.every((p) => perms.has(p));
}
