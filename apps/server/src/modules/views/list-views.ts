import type { SavedViewList, ViewPage } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { defaultViewId, ownerNames, toView, type ViewRow } from './store.ts';

/** The views of a page the caller sees: his own first (by name), then those shared with his role. */
export async function listViews(exec: SqlExecutor, actor: Actor, page: ViewPage): Promise<SavedViewList> {
  const rows = await exec.query<ViewRow & Record<string, unknown>>(
    `SELECT * FROM saved_views
      WHERE page = $1 AND (owner_id = $2 OR shared_with && $3::text[])
      ORDER BY (owner_id = $2) DESC, lower(name), id`,
    [page, actor.id, actor.role ? [actor.role] : []],
  );
  const def = await defaultViewId(exec, actor, page);
  const names = await ownerNames(exec);
  return { items: rows.map((r) => toView(r, actor, names, def)), defaultViewId: def };
}
