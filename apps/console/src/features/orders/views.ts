/**
 * Saved views live on the server (per user, shared with roles, a default per page); column choices
 * stay in the browser (localStorage), per user. Views once kept in the browser move to the server
 * the first time the list opens, then leave the browser.
 */
import {
  type CreateSavedViewBody,
  type SavedView,
  type SavedViewList,
  type ShareSavedViewBody,
  type UpdateSavedViewBody,
  VIEW_FILTER_KEYS,
  VIEW_PERSONAL_KEYS,
} from '@orderhub/contracts';
import { ApiError, api } from '../../shared/api.ts';

export type { SavedView, SavedViewList };

export const VIEW_PAGE = 'orders' as const;
export const VIEWS_QUERY_KEY = ['views', VIEW_PAGE] as const;

export function fetchViews(signal?: AbortSignal): Promise<SavedViewList> {
  return api<SavedViewList>('/api/views', { query: { page: VIEW_PAGE }, ...(signal ? { signal } : {}) });
}

export function createView(body: Omit<CreateSavedViewBody, 'page'>): Promise<SavedView> {
  return api<SavedView>('/api/views', { method: 'POST', body: { page: VIEW_PAGE, ...body } });
}

export function updateView(id: string, body: UpdateSavedViewBody): Promise<SavedView> {
  return api<SavedView>(`/api/views/${encodeURIComponent(id)}`, { method: 'PATCH', body });
}

export function shareView(id: string, body: ShareSavedViewBody): Promise<SavedView> {
  return api<SavedView>(`/api/views/${encodeURIComponent(id)}/sharing`, { method: 'PUT', body });
}

export function removeView(id: string): Promise<void> {
  return api<void>(`/api/views/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function setDefaultView(viewId: string | null): Promise<SavedViewList> {
  return api<SavedViewList>(`/api/view-defaults/${VIEW_PAGE}`, { method: 'PUT', body: { viewId } });
}

/**
 * What of the list's URL a view keeps: the order list's filters, sort and page size; never the
 * personal-data searches (phone, receiver), which `dropped` names.
 */
export function viewQuery(search: string): { query: string; dropped: string[] } {
  const known = VIEW_FILTER_KEYS[VIEW_PAGE];
  const out = new URLSearchParams();
  const dropped = new Set<string>();
  for (const [k, v] of new URLSearchParams(search)) {
    if (VIEW_PERSONAL_KEYS.includes(k)) dropped.add(k);
    else if (known.includes(k) && v.trim()) out.append(k, v);
  }
  return { query: out.toString(), dropped: [...dropped] };
}

/** A view as it was kept in the browser before views moved to the server. */
export interface LegacyView {
  name: string;
  search: string;
}

const viewsKey = (userId: string) => `orderhub.orders.views.${userId}`;
const columnsKey = (userId: string) => `orderhub.orders.columns.${userId}`;

function read<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the choice just is not kept
  }
}

export function legacyViews(userId: string): LegacyView[] {
  const v = read<unknown>(viewsKey(userId), []);
  return Array.isArray(v)
    ? v.filter((x): x is LegacyView => typeof x?.name === 'string' && typeof x?.search === 'string')
    : [];
}

/**
 * Moves the browser's views to the server once. A view the server refuses for good (a name taken,
 * a name too long) is not retried; if the server cannot be reached the browser keeps them for the
 * next visit. Answers how many were moved.
 */
export function migrateLegacyViews(userId: string): Promise<number> {
  // Once per user and page load, however often the list mounts.
  let run = migrations.get(userId);
  if (!run) {
    run = moveLegacyViews(userId);
    migrations.set(userId, run);
  }
  return run;
}
const migrations = new Map<string, Promise<number>>();

async function moveLegacyViews(userId: string): Promise<number> {
  const views = legacyViews(userId);
  if (!views.length) {
    try {
      localStorage.removeItem(viewsKey(userId));
    } catch {
      // storage disabled: nothing was kept either
    }
    return 0;
  }
  let moved = 0;
  for (const v of views) {
    try {
      await createView({ name: v.name.trim().slice(0, 60) || '—', query: viewQuery(v.search).query });
      moved++;
    } catch (e) {
      // Unreachable or failing server: try again on the next visit, nothing is lost.
      if (!(e instanceof ApiError) || e.status === 0 || e.status >= 500) return moved;
    }
  }
  try {
    localStorage.removeItem(viewsKey(userId));
  } catch {
    // storage disabled
  }
  return moved;
}

export function loadColumns(userId: string, defaults: string[]): string[] {
  const v = read<unknown>(columnsKey(userId), null);
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : defaults;
}

export function saveColumns(userId: string, columns: string[]) {
  write(columnsKey(userId), columns);
}
