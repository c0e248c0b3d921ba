/**
 * Keyset paging state, kept pure so it can be tested without React: the cursor of every page seen so
 * far (the first page has none), tied to the filter it was built under.
 */

export interface CursorTrail {
  /** The filter the trail belongs to; a trail read under another filter starts again. */
  key: string;
  cursors: readonly (string | undefined)[];
}

export type CursorStep = { type: 'next'; cursor: string } | { type: 'prev' } | { type: 'first' };

export const FIRST_PAGE: readonly (string | undefined)[] = [undefined];

/** The cursors that apply under `key`: a trail built under another filter is thrown away. */
export function cursorsUnder(trail: CursorTrail, key: string): readonly (string | undefined)[] {
  return trail.key === key ? trail.cursors : FIRST_PAGE;
}

/** One move of the pager; a move that cannot happen (previous on the first page) changes nothing. */
export function stepCursors(trail: CursorTrail, key: string, step: CursorStep): CursorTrail {
  const cursors = cursorsUnder(trail, key);
  switch (step.type) {
    case 'next':
      return { key, cursors: [...cursors, step.cursor] };
    case 'prev':
      return { key, cursors: cursors.length > 1 ? cursors.slice(0, -1) : cursors };
    case 'first':
      return { key, cursors: FIRST_PAGE };
  }
}

/** A stable text for "the filter changed" out of any JSON value (object key order does not matter). */
export function filterKeyOf(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([, x]) => x !== undefined)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
          )
        : v,
    ) ?? ''
  );
}
