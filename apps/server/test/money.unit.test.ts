import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateLargestRemainder, assertCurrency, minorUnitDigits } from '../src/platform/money.ts';

describe('allocateLargestRemainder', () => {
  it('splits a 20-yuan coupon by paid amount, to the fen', () => {
    // 3 lines worth 33.33, 33.33, 33.34: shares must add up to exactly 2000 fen.
    expect(allocateLargestRemainder(2000, [3333, 3333, 3334])).toEqual([667, 666, 667]);
    expect(allocateLargestRemainder(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocateLargestRemainder(0, [5, 7])).toEqual([0, 0]);
    expect(allocateLargestRemainder(5, [0, 0])).toEqual([3, 2]);
  });

  it('refuses what cannot be allocated', () => {
    expect(() => allocateLargestRemainder(1, [])).toThrow(RangeError);
    expect(() => allocateLargestRemainder(-1, [1])).toThrow(RangeError);
    expect(() => allocateLargestRemainder(1.5, [1])).toThrow(RangeError);
    expect(() => allocateLargestRemainder(1, [-1])).toThrow(RangeError);
  });

  it('always adds up exactly and stays within one unit of the exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc.array(fc.integer({ min: 0, max: 100_000_000 }), { minLength: 1, maxLength: 40 }),
        (total, weights) => {
          const shares = allocateLargestRemainder(total, weights);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
          const sum = weights.reduce((a, b) => a + b, 0);
          shares.forEach((s, i) => {
            expect(Number.isInteger(s)).toBe(true);
            const exact = sum === 0 ? total / weights.length : (total * weights[i]!) / sum;
            expect(Math.abs(s - exact)).toBeLessThan(1 + 1e-6);
          });
        },
      ),
    );
  });
});

describe('currencies', () => {
  it('knows ISO 4217 codes and their minor units', () => {
    expect(minorUnitDigits('CNY')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('USD')).toBe(2);
    expect(() => assertCurrency('XYZ')).toThrow(expect.objectContaining({ code: 'CURRENCY_UNKNOWN' }));
  });
});
