import type { SavedView, ViewPage } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { SqlExecutor } from '../../platform/db.ts';
import { DomainError } from '../../platform/errors.ts';
import { listUsers } from '../auth/index.ts';

export interface ViewRow {
  id: string;
  owner_id: string;
  page: ViewPage;
  name: string;
  query: string;
  shared_with: string[];
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
}

/** People's names by user id: the owner shown next to a shared view. */
export async function ownerNames(exec: SqlExecutor): Promise<Map<string, string>> {
  const users = await listUsers(exec);
  return new Map(users.map((u) => [u.id, u.displayName || u.username]));
}

/** The caller sees his own views and those shared with his role. */
export function visibleTo(row: Pick<ViewRow, 'owner_id' | 'shared_with'>, actor: Actor): boolean {
  return row.owner_id === actor.id || (actor.role !== null && row.shared_with.includes(actor.role));
}

export function toView(
  row: ViewRow,
  actor: Actor,
  names: Map<string, string>,
  defaultId: string | null,
): SavedView {
  return {
    id: row.id,
    page: row.page,
    name: row.name,
    query: row.query,
    sharedWith: row.shared_with,
    owner: { id: row.owner_id, name: names.get(row.owner_id) ?? row.owner_id },
    mine: row.owner_id === actor.id,
    isDefault: row.id === defaultId,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    version: row.version,
  };
}

/**
 * The view, locked for a change by its owner: unknown or unseen → VIEW_NOT_FOUND, seen but another's
 * → VIEW_NOT_OWNER, a stale version → VIEW_VERSION_CONFLICT. Admins pass `anyOwner` to delete.
 */
export async function lockOwnView(
  tx: SqlExecutor,
  actor: Actor,
  id: string,
  opts: { version?: number; anyOwner?: boolean } = {},
): Promise<ViewRow> {
  const row = (
    await tx.query<ViewRow & Record<string, unknown>>(`SELECT * FROM saved_views WHERE id = $1 FOR UPDATE`, [
      id,
    ])
  )[0];
  if (!row || (!visibleTo(row, actor) && !opts.anyOwner))
    throw new DomainError('VIEW_NOT_FOUND', `no view ${id}`, { id });
  if (row.owner_id !== actor.id && !opts.anyOwner) {
    const owner = (await ownerNames(tx)).get(row.owner_id) ?? row.owner_id;
    throw new DomainError('VIEW_NOT_OWNER', `the view ${id} belongs to ${owner}`, { id, owner });
  }
  if (opts.version !== undefined && opts.version !== row.version)
    throw new DomainError('VIEW_VERSION_CONFLICT', `the view is at version ${row.version}`, {
      id,
      version: row.version,
    });
  return row;
}

/** The caller's default view of a page, if he still sees it. */
export async function defaultViewId(exec: SqlExecutor, actor: Actor, page: ViewPage): Promise<string | null> {
  const rows = await exec.query<{ view_id: string; owner_id: string; shared_with: string[] }>(
    `SELECT d.view_id, v.owner_id, v.shared_with
       FROM saved_view_defaults d JOIN saved_views v ON v.id = d.view_id
      WHERE d.user_id = $1 AND d.page = $2`,
    [actor.id, page],
  );
  const row = rows[0];
  return row && visibleTo(row, actor) ? row.view_id : null;
}

export async function nameTaken(
  exec: SqlExecutor,
  ownerId: string,
  page: ViewPage,
  name: string,
  exceptId: string | null,
): Promise<boolean> {
  const rows = await exec.query(
    `SELECT 1 FROM saved_views WHERE owner_id = $1 AND page = $2 AND lower(name) = lower($3) AND id <> $4`,
    [ownerId, page, name, exceptId ?? ''],
  );
  return rows.length > 0;
}

export function nameTakenError(name: string): DomainError {
  return new DomainError('VIEW_NAME_TAKEN', `a view named ${name} exists`, { name });
}
