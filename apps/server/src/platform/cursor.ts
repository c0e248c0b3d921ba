import { DomainError } from './errors.ts';

/** Opaque keyset cursors: the sort key values of the last row seen. */
export function encodeCursor(values: (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | null)[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === arity && v.every((x) => x === null || typeof x === 'string')) {
      for (const x of v)
        if (typeof x === 'string' && Number.isNaN(Date.parse(x)) && !/^[a-z]{3}_[0-9a-z]{26}$/.test(x))
          throw 0;
      return v as (string | null)[];
    }
  } catch {
    // fall through
  }
  throw new DomainError(
    'INVALID_CURSOR',
    'the cursor is not one this server handed out; start again without it',
  );
}
