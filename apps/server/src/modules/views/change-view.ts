import type { SavedView, ShareSavedViewBody, UpdateSavedViewBody } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { Tx } from '../../platform/db.ts';
import { isUniqueViolation } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { listUsers } from '../auth/index.ts';
import { checkName, checkQuery, checkRoles } from './rules.ts';
import {
  defaultViewId,
  lockOwnView,
  nameTaken,
  nameTakenError,
  ownerNames,
  toView,
  type ViewRow,
} from './store.ts';

/** Renames a view and/or replaces its filters; its owner only. */
export async function updateView(
  tx: Tx,
  at: Date,
  actor: Actor,
  id: string,
  input: UpdateSavedViewBody,
): Promise<SavedView> {
  const before = await lockOwnView(tx, actor, id, { version: input.version });
  const name = input.name === undefined ? before.name : checkName(input.name);
  const query = input.query === undefined ? before.query : checkQuery(before.page, input.query);
  if (name !== before.name && (await nameTaken(tx, before.owner_id, before.page, name, id)))
    throw nameTakenError(name);
  let row: ViewRow | undefined;
  try {
    row = (
      await tx.query<ViewRow & Record<string, unknown>>(
        `UPDATE saved_views SET name = $2, query = $3, updated_at = $4, version = version + 1
          WHERE id = $1 RETURNING *`,
        [id, name, query, at],
      )
    )[0];
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTakenError(name);
    throw e;
  }
  await recordAudit(tx, at, actor, {
    action: 'view.update',
    entityType: 'saved_view',
    entityId: id,
    summary: {
      ...(name !== before.name ? { name: { from: before.name, to: name } } : {}),
      ...(query !== before.query ? { query: { from: before.query, to: query } } : {}),
    },
  });
  return toView(row!, actor, await ownerNames(tx), await defaultViewId(tx, actor, before.page));
}

/**
 * Shares a view with exactly these roles (none: back to private); its owner only. People who no
 * longer see it lose it as their default.
 */
export async function shareView(
  tx: Tx,
  at: Date,
  actor: Actor,
  id: string,
  input: ShareSavedViewBody,
): Promise<SavedView> {
  const before = await lockOwnView(tx, actor, id, { version: input.version });
  const roles = checkRoles(input.roles);
  const row = (
    await tx.query<ViewRow & Record<string, unknown>>(
      `UPDATE saved_views SET shared_with = $2::text[], updated_at = $3, version = version + 1
        WHERE id = $1 RETURNING *`,
      [id, roles, at],
    )
  )[0]!;
  const removed = before.shared_with.filter((r) => !roles.includes(r));
  if (removed.length) {
    const losing = (await listUsers(tx))
      .filter((u) => u.id !== before.owner_id && !roles.includes(u.role))
      .map((u) => u.id);
    if (losing.length)
      await tx.query(`DELETE FROM saved_view_defaults WHERE view_id = $1 AND user_id = ANY($2::text[])`, [
        id,
        losing,
      ]);
  }
  await recordAudit(tx, at, actor, {
    action: 'view.share',
    entityType: 'saved_view',
    entityId: id,
    summary: { name: row.name, sharedWith: { from: before.shared_with, to: roles } },
  });
  return toView(row, actor, await ownerNames(tx), await defaultViewId(tx, actor, before.page));
}
