import { describe, expect, it } from 'vitest';
import { assertTimeZone, localDayRange, parseInstant } from '../src/platform/time.ts';

describe('local day ranges', () => {
  it('puts 2026-01-09T00:00:05Z on 9 January in Shanghai and in UTC, never on the 8th', () => {
    const at = new Date('2026-01-09T00:00:05Z');
    const inDay = (day: string, tz: string) => {
      const { from, to } = localDayRange(day, tz);
      return at >= from && at < to;
    };
    expect(inDay('2026-01-09', 'Asia/Shanghai')).toBe(true);
    expect(inDay('2026-01-09', 'UTC')).toBe(true);
    expect(inDay('2026-01-08', 'Asia/Shanghai')).toBe(false);
    expect(inDay('2026-01-08', 'UTC')).toBe(false);
  });

  it('gives a Shanghai day as 16:00Z to 16:00Z', () => {
    const { from, to } = localDayRange('2026-01-09', 'Asia/Shanghai');
    expect(from.toISOString()).toBe('2026-01-08T16:00:00.000Z');
    expect(to.toISOString()).toBe('2026-01-09T16:00:00.000Z');
  });

  it('handles days of 23 and 25 hours where clocks change', () => {
    const spring = localDayRange('2026-03-29', 'Europe/Berlin');
    expect(spring.to.getTime() - spring.from.getTime()).toBe(23 * 3_600_000);
    const autumn = localDayRange('2026-10-25', 'Europe/Berlin');
    expect(autumn.to.getTime() - autumn.from.getTime()).toBe(25 * 3_600_000);
  });

  it('refuses unknown zones and malformed days', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'INVALID_TIME_ZONE' }),
    );
    expect(() => localDayRange('2026-02-30', 'UTC')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => localDayRange('20260109', 'UTC')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('parses instants with their offset', () => {
    expect(parseInstant('2026-01-09T08:00:05+08:00', 'x').toISOString()).toBe('2026-01-09T00:00:05.000Z');
    expect(() => parseInstant('yesterday', 'placedAt')).toThrow(
      expect.objectContaining({ code: 'TIME_INVALID' }),
    );
  });
});
