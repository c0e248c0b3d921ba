import type { Actor } from '../../platform/actor.ts';
import type { Tx } from '../../platform/db.ts';
import { recordAudit } from '../audit/index.ts';
import { lockOwnView } from './store.ts';

/** Deletes a view (its owner, or an administrator); it stops being anyone's default. */
export async function deleteView(tx: Tx, at: Date, actor: Actor, id: string): Promise<void> {
  const anyOwner = actor.permissions.has('users:manage');
  const row = await lockOwnView(tx, actor, id, { anyOwner });
  await tx.query(`DELETE FROM saved_view_defaults WHERE view_id = $1`, [id]);
  await tx.query(`DELETE FROM saved_views WHERE id = $1`, [id]);
  await recordAudit(tx, at, actor, {
    action: 'view.delete',
    entityType: 'saved_view',
    entityId: id,
    summary: { page: row.page, name: row.name, ownerId: row.owner_id, sharedWith: row.shared_with },
  });
}
