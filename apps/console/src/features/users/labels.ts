import { PERMISSIONS, type Permission, ROLE_PERMISSIONS, type Role } from '@orderhub/contracts';
import { PERMISSION_LABELS } from '../../shared/permissions.ts';

/** Permissions in words (shared: the order detail names the one a blocked action needs). */
export { PERMISSION_LABELS };

/** Every permission has words (a new one without them fails the unit test). */
export const UNLABELLED_PERMISSIONS = PERMISSIONS.filter((p) => !PERMISSION_LABELS[p]);

/** The permissions a role change takes away (empty when the new role keeps everything). */
export function permissionsLost(from: Role, to: Role): Permission[] {
  const kept = new Set<Permission>(ROLE_PERMISSIONS[to]);
  return ROLE_PERMISSIONS[from].filter((p) => !kept.has(p));
}
