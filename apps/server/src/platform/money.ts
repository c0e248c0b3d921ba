import { DomainError } from './errors.ts';

const KNOWN = new Set(Intl.supportedValuesOf('currency'));
const DIGITS = new Map<string, number>();

/** ISO 4217 code → digits of its minor unit (CNY 2, JPY 0). Unknown → CURRENCY_UNKNOWN. */
export function minorUnitDigits(currency: string): number {
  const known = DIGITS.get(currency);
  if (known !== undefined) return known;
  if (!KNOWN.has(currency))
    throw new DomainError('CURRENCY_UNKNOWN', `"${currency}" is not an ISO 4217 currency`);
  // A number format costs about 50 µs to build: once per currency, not per order.
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  DIGITS.set(currency, digits);
  return digits;
}

/** Whether `code` is an ISO 4217 currency code (upper case, as ISO writes it). */
export function isCurrency(code: string): boolean {
  return KNOWN.has(code);
}

export function assertCurrency(currency: string): void {
  minorUnitDigits(currency);
}

/**
 * Splits `total` minor units over `weights` in proportion, by largest remainder: the shares are
 * whole units, they add up to `total` exactly, and ties go to the earlier weight. All-zero weights
 * split evenly. Used for discounts over lines (by paid amount, never by quantity).
 */
export function allocateLargestRemainder(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0)
    throw new RangeError('total must be a non-negative safe integer');
  if (weights.length === 0) {
    if (total === 0) return [];
    throw new RangeError('cannot allocate a non-zero total over no weights');
  }
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0) throw new RangeError('weights must be non-negative safe integers');
  }
  const ws = weights.some((w) => w > 0) ? weights.map(BigInt) : weights.map(() => 1n);
  const sum = ws.reduce((a, b) => a + b, 0n);
  const t = BigInt(total);
  const shares = ws.map((w) => (t * w) / sum);
  const remainders = ws.map((w, i) => ({ i, r: (t * w) % sum }));
  let left = t - shares.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    shares[i] = (shares[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return shares.map(Number);
}
