import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatDuration,
  formatMoney,
  formatTime,
  localDayOf,
  startOfLocalDay,
  timeZoneLabel,
} from '../src/shared/format.ts';

describe('time zone in words', () => {
  it('names the zone in the UI language with its offset now, never only its id', () => {
    const jan = new Date('2026-01-09T00:00:00Z');
    expect(timeZoneLabel('Asia/Shanghai', 'zh-CN', jan)).toBe('中国标准时间（UTC+8）');
    expect(timeZoneLabel('Asia/Shanghai', 'en-US', jan)).toBe('China Standard Time (UTC+8)');
    expect(timeZoneLabel('UTC', 'en-US', jan)).toMatch(/\(UTC\+0\)$/);
    // Summer time moves the offset: Berlin is UTC+1 in January, UTC+2 in July.
    expect(timeZoneLabel('Europe/Berlin', 'en-US', jan)).toMatch(/\(UTC\+1\)$/);
    expect(timeZoneLabel('Europe/Berlin', 'en-US', new Date('2026-07-01T00:00:00Z'))).toMatch(/\(UTC\+2\)$/);
    expect(timeZoneLabel('Not/AZone', 'zh-CN', jan)).toBe('Not/AZone');
  });
});

describe('money from minor units', () => {
  it('formats fen exactly, in both locales', () => {
    expect(formatMoney(8000, 'CNY', 'zh-CN')).toBe('¥80.00');
    expect(formatMoney(1, 'CNY', 'zh-CN')).toBe('¥0.01');
    expect(formatMoney(123456789, 'CNY', 'en-US')).toBe('CN¥1,234,567.89');
    expect(formatMoney(-5, 'CNY', 'zh-CN')).toBe('-¥0.05');
    expect(formatMoney(-1234, 'USD', 'en-US')).toBe('-$12.34');
  });
  it('keeps large amounts exact (no floating-point division)', () => {
    expect(formatMoney(900719925474099, 'CNY', 'en-US')).toBe('CN¥9,007,199,254,740.99');
  });
  it('knows currencies without minor units', () => {
    expect(formatMoney(1200, 'JPY', 'en-US')).toBe('¥1,200');
  });
});

describe('times in the user zone', () => {
  it('shows a stored UTC instant in the zone', () => {
    expect(formatTime('2026-01-09T00:00:05Z', 'Asia/Shanghai')).toBe('2026-01-09 08:00:05');
    expect(formatTime('2026-01-09T00:00:05Z', 'UTC')).toBe('2026-01-09 00:00:05');
    expect(formatTime('2026-01-09T00:00:05Z', 'America/New_York', false)).toBe('2026-01-08 19:00');
  });
  it('files 00:00:05Z under the right local day (day-boundary incident)', () => {
    expect(localDayOf('2026-01-09T00:00:05Z', 'Asia/Shanghai')).toBe('2026-01-09');
    expect(localDayOf('2026-01-08T16:00:00Z', 'Asia/Shanghai')).toBe('2026-01-09');
    expect(localDayOf('2026-01-08T15:59:59Z', 'Asia/Shanghai')).toBe('2026-01-08');
  });
  it('computes the instant a local day starts, across DST changes', () => {
    expect(startOfLocalDay('2026-01-09', 'Asia/Shanghai')).toBe('2026-01-08T16:00:00.000Z');
    expect(startOfLocalDay('2026-01-09', 'UTC')).toBe('2026-01-09T00:00:00.000Z');
    expect(startOfLocalDay('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfLocalDay('2026-03-09', 'America/New_York')).toBe('2026-03-09T04:00:00.000Z');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
  });
  it('formats durations', () => {
    expect(formatDuration(90061, 'zh-CN')).toBe('1天1小时');
    expect(formatDuration(3720, 'en-US')).toBe('1h 2m');
    expect(formatDuration(null, 'en-US')).toBe('—');
  });
});
