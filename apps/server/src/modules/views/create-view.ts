import { type CreateSavedViewBody, type SavedView, VIEWS_PER_USER_MAX } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { Tx } from '../../platform/db.ts';
import { DomainError, isUniqueViolation } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { checkName, checkQuery, checkRoles } from './rules.ts';
import { nameTaken, nameTakenError, ownerNames, toView, type ViewRow } from './store.ts';

export async function createView(
  tx: Tx,
  at: Date,
  actor: Actor,
  input: CreateSavedViewBody,
): Promise<SavedView> {
  const ownerId = actor.id!;
  const name = checkName(input.name);
  const query = checkQuery(input.page, input.query);
  const roles = checkRoles(input.sharedWith ?? []);
  const [count] = await tx.query<{ n: number | string }>(
    `SELECT count(*) AS n FROM saved_views WHERE owner_id = $1 AND page = $2`,
    [ownerId, input.page],
  );
  if (Number(count?.n ?? 0) >= VIEWS_PER_USER_MAX)
    throw new DomainError('VIEW_LIMIT', `at most ${VIEWS_PER_USER_MAX} views per page`, {
      limit: VIEWS_PER_USER_MAX,
    });
  if (await nameTaken(tx, ownerId, input.page, name, null)) throw nameTakenError(name);
  let row: ViewRow | undefined;
  try {
    row = (
      await tx.query<ViewRow & Record<string, unknown>>(
        `INSERT INTO saved_views (id, owner_id, page, name, query, shared_with, created_at, updated_at, version)
         VALUES ($1,$2,$3,$4,$5,$6::text[],$7,$7,1) RETURNING *`,
        [newId('savedView'), ownerId, input.page, name, query, roles, at],
      )
    )[0];
  } catch (e) {
    // Two saves of the same name at once: the index decides, the loser hears the same answer.
    if (isUniqueViolation(e)) throw nameTakenError(name);
    throw e;
  }
  await recordAudit(tx, at, actor, {
    action: 'view.create',
    entityType: 'saved_view',
    entityId: row!.id,
    summary: { page: input.page, name, query, sharedWith: roles },
  });
  return toView(row!, actor, await ownerNames(tx), null);
}
