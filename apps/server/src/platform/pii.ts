import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

export interface NormalisedPhone {
  /** E.164 when the number is valid; otherwise the input as given (platform-masked forms). */
  value: string;
  e164: boolean;
}

/**
 * Phones arrive as 13812345678, 138-1234-5678, +86 138 1234 5678 … E.164 makes them one identity.
 * Platform-masked forms (138****1234) are kept as given: they cannot be searched, only shown.
 * Returns null for something that is neither a valid number nor a masked one.
 */
export function normalisePhone(input: string, country = 'CN'): NormalisedPhone | null {
  const trimmed = input.trim();
  if (trimmed.includes('*'))
    return /^[+\d\s()*-]{5,40}$/.test(trimmed) ? { value: trimmed, e164: false } : null;
  const parsed = parsePhoneNumberFromString(trimmed, country as CountryCode);
  if (!parsed?.isValid()) return null;
  return { value: parsed.number, e164: true };
}

/** 138****5678: the national number's first 3 and last 4 digits. */
export function maskPhone(value: string): string {
  if (value.includes('*')) return value;
  const parsed = parsePhoneNumberFromString(value);
  const national = parsed ? String(parsed.nationalNumber) : value.replace(/\D/g, '');
  if (national.length <= 7) return `${national.slice(0, 1)}****${national.slice(-2)}`;
  return `${national.slice(0, 3)}****${national.slice(-4)}`;
}

/** 张** : the first character, the rest starred (at least one star). */
export function maskName(value: string): string {
  const chars = Array.from(value);
  return `${chars[0] ?? ''}${'*'.repeat(Math.max(1, chars.length - 1))}`;
}

/** 文三路**** : enough to recognise the street, not the door. */
export function maskAddress(value: string): string {
  const chars = Array.from(value);
  return `${chars.slice(0, Math.min(4, Math.ceil(chars.length / 3))).join('')}****`;
}
