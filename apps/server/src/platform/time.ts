import { DateTime } from 'luxon';
import { DomainError } from './errors.ts';

/** Throws INVALID_TIME_ZONE unless `tz` is an IANA zone this runtime knows. */
export function assertTimeZone(tz: string): void {
  if (!DateTime.local().setZone(tz).isValid) {
    throw new DomainError(
      'INVALID_TIME_ZONE',
      `"${tz}" is not a known IANA time zone (e.g. Asia/Shanghai, UTC)`,
    );
  }
}

/**
 * The instant range [from, to) covering one calendar day in a zone. Day filters are always
 * instant ranges: truncating a date string files 00:00:05Z under the wrong day.
 */
export function localDayRange(day: string, tz: string): { from: Date; to: Date } {
  assertTimeZone(tz);
  const start = DateTime.fromISO(day, { zone: tz });
  if (!start.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    throw new DomainError('VALIDATION_FAILED', `localDay "${day}" is not a calendar date (YYYY-MM-DD)`);
  }
  const from = start.startOf('day');
  return { from: from.toJSDate(), to: from.plus({ days: 1 }).toJSDate() };
}

/** The instants orderhub accepts anywhere: 1970-01-01T00:00:00Z up to 9999-12-31T23:59:59.999Z. */
export const MIN_INSTANT_MS = 0;
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Parses an RFC 3339 instant; an unparseable or out-of-range one is a 422 on the named field. */
export function parseInstant(value: string, field: string): Date {
  const d = DateTime.fromISO(value, { setZone: true });
  if (!d.isValid) throw new DomainError('TIME_INVALID', `${field} "${value}" is not an RFC 3339 instant`);
  const ms = d.toMillis();
  if (ms < MIN_INSTANT_MS || ms > MAX_INSTANT_MS)
    throw new DomainError(
      'TIME_INVALID',
      `${field} "${value}" is outside the accepted range (1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z)`,
    );
  return d.toJSDate();
}
