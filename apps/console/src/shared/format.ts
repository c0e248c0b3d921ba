/** Money and time formatting: amounts arrive in minor units (fen), instants as UTC strings. */

export type Locale = 'zh-CN' | 'en-US';

const MINOR_DIGITS: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, BHD: 3, KWD: 3 };

/** Formats an integer amount of minor units exactly (no floating-point division). */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  const digits = MINOR_DIGITS[currency] ?? 2;
  const factor = 10 ** digits;
  const negative = minor < 0;
  const abs = Math.abs(Math.trunc(minor));
  const major = Math.trunc(abs / factor);
  const fraction = String(abs % factor).padStart(digits, '0');
  let parts: Intl.NumberFormatPart[];
  try {
    parts = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).formatToParts(negative ? -major : major);
  } catch {
    return `${negative ? '-' : ''}${major}${digits ? `.${fraction}` : ''} ${currency}`;
  }
  // A zero major part of a negative amount loses its sign in Intl: put it back.
  const text = parts.map((p) => (p.type === 'fraction' ? fraction : p.value)).join('');
  return negative && major === 0 && !text.includes('-') ? `-${text}` : text;
}

/** The browser's own zone: what "local" means for this user. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai';
  } catch {
    return 'Asia/Shanghai';
  }
}

/**
 * A time zone as staff read it: its name in the UI language and its offset from UTC now, e.g.
 * 中国标准时间（UTC+8） or "China Standard Time (UTC+8)"; the zone's id where the browser has no name.
 */
export function timeZoneLabel(tz: string, locale: Locale, at: Date = new Date()): string {
  const part = (loc: string, style: 'long' | 'shortOffset') => {
    try {
      return new Intl.DateTimeFormat(loc, { timeZone: tz, timeZoneName: style })
        .formatToParts(at)
        .find((p) => p.type === 'timeZoneName')?.value;
    } catch {
      return undefined;
    }
  };
  const name = part(locale, 'long');
  // "GMT+8", "GMT-3:30", "GMT" for UTC itself.
  const offset = part('en-US', 'shortOffset')?.replace(/^GMT/, 'UTC');
  if (!name || !offset) return tz;
  const utc = offset === 'UTC' ? 'UTC+0' : offset;
  return locale === 'zh-CN' ? `${name}（${utc}）` : `${name} (${utc})`;
}

/** `2026-01-09 08:00:05` in the given zone. */
export function formatTime(iso: string | null | undefined, tz: string, withSeconds = true): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}${withSeconds ? `:${get('second')}` : ''}`;
}

/** The calendar day (YYYY-MM-DD) an instant falls on in a zone. */
export function localDayOf(iso: string | Date, tz: string): string {
  return formatTime(typeof iso === 'string' ? iso : iso.toISOString(), tz).slice(0, 10);
}

/** Offset of `tz` from UTC at an instant, in minutes (east positive). */
function offsetMinutes(at: Date, tz: string): number {
  const local = formatTime(at.toISOString(), tz);
  const asUtc = Date.parse(`${local.replace(' ', 'T')}Z`);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant a local calendar day starts in a zone, as UTC ISO. Day filters are instant ranges:
 * 2026-01-09 in Asia/Shanghai starts at 2026-01-08T16:00:00Z.
 */
export function startOfLocalDay(day: string, tz: string): string {
  const naive = Date.parse(`${day}T00:00:00Z`);
  // Two passes settle days where the offset changes (DST) around midnight.
  let guess = naive - offsetMinutes(new Date(naive), tz) * 60_000;
  guess = naive - offsetMinutes(new Date(guess), tz) * 60_000;
  return new Date(guess).toISOString();
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A duration in seconds as `3d 4h`, `2h 5m`, `45m` (zh: 3天4小时). */
export function formatDuration(seconds: number | null | undefined, locale: Locale): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const zh = locale === 'zh-CN';
  const u = zh ? { d: '天', h: '小时', m: '分钟', s: '秒' } : { d: 'd', h: 'h', m: 'm', s: 's' };
  const sep = zh ? '' : ' ';
  if (d) return `${d}${u.d}${h ? `${sep}${h}${u.h}` : ''}`;
  if (h) return `${h}${u.h}${m ? `${sep}${m}${u.m}` : ''}`;
  if (m) return `${m}${u.m}`;
  return `${s}${u.s}`;
}

export function formatPercent(value: number | null, locale: Locale, digits = 2): string {
  if (value === null) return '—';
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}
