/**
 * Saved views and column choices live in the browser (localStorage), per user: the server keeps no
 * preferences yet. A view is a name and the list's query string.
 */
export interface SavedView {
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
    // storage full or disabled: the view just is not kept
  }
}

export function loadViews(userId: string): SavedView[] {
  const v = read<unknown>(viewsKey(userId), []);
  return Array.isArray(v)
    ? v.filter((x): x is SavedView => typeof x?.name === 'string' && typeof x?.search === 'string')
    : [];
}

/** Adds or replaces (same name) a view. */
export function saveView(userId: string, view: SavedView): SavedView[] {
  const views = [...loadViews(userId).filter((v) => v.name !== view.name), view];
  write(viewsKey(userId), views);
  return views;
}

export function deleteView(userId: string, name: string): SavedView[] {
  const views = loadViews(userId).filter((v) => v.name !== name);
  write(viewsKey(userId), views);
  return views;
}

export function loadColumns(userId: string, defaults: string[]): string[] {
  const v = read<unknown>(columnsKey(userId), null);
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : defaults;
}

export function saveColumns(userId: string, columns: string[]) {
  write(columnsKey(userId), columns);
}
