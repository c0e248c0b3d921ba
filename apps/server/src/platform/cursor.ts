import { DomainError } from './errors.ts';
import { MAX_INSTANT_MS, MIN_INSTANT_MS } from './time.ts';

/**
 * What one position of a keyset cursor holds: an instant (RFC 3339), an id (`ord_…`), or a text
 * key such as a SKU code. A `?` suffix allows null.
 */
export type CursorPart = 'instant' | 'id' | 'text' | 'instant?' | 'id?' | 'text?';

/** Opaque keyset cursors: the sort key values of the last row seen. One codec for every list. */
export function encodeCursor(values: readonly (string | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

const ID = /^[a-z]{3}_[0-9a-z]{26}$/;

function fits(part: CursorPart, v: unknown): boolean {
  if (v === null) return part.endsWith('?');
  if (typeof v !== 'string' || v.length > 512 || v.includes('\0')) return false;
  switch (part.replace('?', '')) {
    case 'instant': {
      const ms = Date.parse(v);
      return Number.isFinite(ms) && ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
    }
    case 'id':
      return ID.test(v);
    default:
      return v.length > 0;
  }
}

/** The values of a cursor this server handed out for a list of the given shape; INVALID_CURSOR otherwise. */
export function decodeCursor(cursor: string, shape: readonly CursorPart[]): (string | null)[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === shape.length && v.every((x, i) => fits(shape[i]!, x)))
      return v as (string | null)[];
  } catch {
    // fall through
  }
  throw new DomainError(
    'INVALID_CURSOR',
    'the cursor is not one this server handed out; start again without it',
  );
}
