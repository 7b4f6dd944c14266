import crypto from 'node:crypto';
import fc from 'fast-check';
import { entropyBits, MIN_SECRET_BITS, weakSecretReason } from '../../src/core/secret-strength';

describe('weakSecretReason', () => {
  test('a short unit repeated to any length is weak, whatever the unit', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 10 }), fc.integer({ min: 2, max: 12 }), (unit, times) => {
        const secret = unit.repeat(Math.max(times, Math.ceil(32 / unit.length)));
        return weakSecretReason(secret) !== undefined;
      }),
    );
  });

  test('a run of consecutive characters (up or down) is weak', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x21, max: 0x7e - 40 }), fc.boolean(), (start, down) => {
        const chars = Array.from({ length: 40 }, (_, i) => String.fromCharCode(start + i));
        return weakSecretReason((down ? chars.reverse() : chars).join('')) !== undefined;
      }),
    );
  });

  test('text of a few symbols is weak however long', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 32, maxLength: 56 }), (chars) => weakSecretReason(chars.join('')) !== undefined),
    );
  });

  test(`secrets from a real random source carry well over ${MIN_SECRET_BITS} bits by this measure`, () => {
    for (const encoding of ['base64', 'base64url', 'hex'] as const) {
      for (let i = 0; i < 300; i++) {
        const secret = crypto.randomBytes(24).toString(encoding);
        expect({ secret, weak: weakSecretReason(secret) }).toEqual({ secret, weak: undefined });
      }
    }
  });

  test('entropyBits: n distinct characters carry log2(n) bits each', () => {
    expect(entropyBits('abcd')).toBeCloseTo(8);
    expect(entropyBits('aaaa')).toBe(0);
  });
});
