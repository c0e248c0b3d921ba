import {
  ROLES,
  VIEW_FILTER_KEYS,
  VIEW_NAME_MAX,
  VIEW_PERSONAL_KEYS,
  VIEW_QUERY_MAX,
  type ViewPage,
} from '@orderhub/contracts';
import { DomainError } from '../../platform/errors.ts';

/** A view's name, trimmed: 1 to VIEW_NAME_MAX characters (counted as people count them). */
export function checkName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  const len = [...n].length;
  if (len < 1 || len > VIEW_NAME_MAX)
    throw new DomainError('VIEW_NAME_INVALID', `a view name has 1 to ${VIEW_NAME_MAX} characters`, {
      max: VIEW_NAME_MAX,
      length: len,
    });
  return n;
}

/**
 * The list's query string in its stored form: only the page's filter keys (personal-data filters
 * refused by name), no empty values, bounded length.
 */
export function checkQuery(page: ViewPage, query: string): string {
  const raw = query.startsWith('?') ? query.slice(1) : query;
  if (raw.length > VIEW_QUERY_MAX)
    throw new DomainError('VIEW_QUERY_TOO_LONG', `a view's query has at most ${VIEW_QUERY_MAX} characters`, {
      limit: VIEW_QUERY_MAX,
    });
  const known = VIEW_FILTER_KEYS[page];
  const out = new URLSearchParams();
  for (const [key, value] of new URLSearchParams(raw)) {
    if (VIEW_PERSONAL_KEYS.includes(key))
      throw new DomainError('VIEW_FILTER_PERSONAL', `a view cannot keep the personal-data filter ${key}`, {
        key,
      });
    if (!known.includes(key))
      throw new DomainError('VIEW_FILTER_UNKNOWN', `the ${page} list has no filter ${key}`, {
        key: key.slice(0, 64),
      });
    if (value.trim()) out.append(key, value.trim());
  }
  const stored = out.toString();
  if (stored.length > VIEW_QUERY_MAX)
    throw new DomainError('VIEW_QUERY_TOO_LONG', `a view's query has at most ${VIEW_QUERY_MAX} characters`, {
      limit: VIEW_QUERY_MAX,
    });
  return stored;
}

/** Role codes, each known, without repeats, in the contract's order. */
export function checkRoles(roles: readonly string[]): string[] {
  for (const role of roles)
    if (!(ROLES as readonly string[]).includes(role))
      throw new DomainError('VIEW_ROLE_UNKNOWN', `there is no role ${role}`, { role: role.slice(0, 64) });
  return ROLES.filter((r) => roles.includes(r));
}
