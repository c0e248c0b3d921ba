import type { SavedViewList, ViewPage } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { Tx } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { listViews } from './list-views.ts';
import { type ViewRow, visibleTo } from './store.ts';

/** Sets (an own view or one shared with the caller) or clears the caller's default view of a page. */
export async function setDefaultView(
  tx: Tx,
  at: Date,
  actor: Actor,
  page: ViewPage,
  viewId: string | null,
): Promise<SavedViewList> {
  const userId = actor.id!;
  if (viewId === null) {
    await tx.query(`DELETE FROM saved_view_defaults WHERE user_id = $1 AND page = $2`, [userId, page]);
  } else {
    // Held until commit: a delete at the same moment waits instead of breaking the default's reference.
    const row = (
      await tx.query<ViewRow & Record<string, unknown>>(
        `SELECT * FROM saved_views WHERE id = $1 FOR KEY SHARE`,
        [viewId],
      )
    )[0];
    if (!row || row.page !== page || !visibleTo(row, actor))
      throw new DomainError('VIEW_NOT_FOUND', `no view ${viewId} on ${page}`, { id: viewId });
    await tx.query(
      `INSERT INTO saved_view_defaults (user_id, page, view_id, updated_at) VALUES ($1,$2,$3,$4)
       ON CONFLICT (user_id, page) DO UPDATE SET view_id = EXCLUDED.view_id, updated_at = EXCLUDED.updated_at`,
      [userId, page, viewId, at],
    );
  }
  await recordAudit(tx, at, actor, {
    action: 'view.default',
    entityType: 'saved_view',
    entityId: viewId,
    summary: { page },
  });
  return listViews(tx, actor, page);
}
