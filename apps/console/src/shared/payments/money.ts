/**
 * An amount typed in major units ("12.5", "0.01") as integer minor units, exactly: the decimal
 * string is split and read digit by digit, never through a floating-point number.
 */
const MINOR_DIGITS: Record<string, number> = { JPY: 0, KRW: 0, VND: 0, BHD: 3, KWD: 3 };

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency] ?? 2;
}

/** Minor units of `text` in `currency`, or null when it is not a plain positive amount with at most the currency's decimals. */
export function parseMinor(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const s = text.trim().replace(/[,，\s]/g, '');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return null;
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  if (fraction.length > digits) return null;
  const all = (whole + fraction.padEnd(digits, '0')).replace(/^0+(?=\d)/, '');
  if (all.length > 15) return null;
  const n = Number(all);
  return Number.isSafeInteger(n) ? n : null;
}

/** Minor units back as the plain decimal string the input shows ("80.00"). */
export function minorToInput(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const s = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  return digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
}
