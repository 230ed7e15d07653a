import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modInverse } from './bigint.ts';

// Euclid one BigInt division at a time: the plain algorithm Lehmer's must agree with.
function euclidInverse(value: bigint, modulus: bigint): bigint | undefined {
  let [a, b, x, y] = [((value % modulus) + modulus) % modulus, modulus, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b, x, y] = [b, a - q * b, y, x - q * y];
  }
  return a === 1n ? ((x % modulus) + modulus) % modulus : undefined;
}

const bigNat = (maxBytes: number): fc.Arbitrary<bigint> =>
  fc.uint8Array({ minLength: 1, maxLength: maxBytes }).map((bytes) => BigInt(`0x0${Buffer.from(bytes).toString('hex')}`));

describe('modInverse (Lehmer)', () => {
  it('agrees with plain Euclid on random values, moduli of 1 to 4096 bits, shared factors and all', () => {
    fc.assert(
      fc.property(bigNat(512), bigNat(512), fc.bigInt({ min: 1n, max: 1n << 80n }), (value, modulus, factor) => {
        const m = modulus + 2n;
        expect(modInverse(value, m)).toBe(euclidInverse(value, m));
        // A common factor: no inverse.
        if (factor > 1n) expect(modInverse(value * factor, m * factor)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('inverts near the edges of the 52-bit digits and with huge quotients', () => {
    const cases: [bigint, bigint][] = [
      [3n, (1n << 2048n) - 1n],
      [(1n << 52n) - 1n, (1n << 53n) + 1n],
      [(1n << 52n) + 1n, (1n << 4096n) - 159n],
      [(1n << 4000n) + 1n, (1n << 4096n) - 159n],
      [1n, 2n],
      [0n, 7n],
      [-5n, 7n],
    ];
    for (const [value, modulus] of cases) {
      const inverse = modInverse(value, modulus);
      expect(inverse).toBe(euclidInverse(value, modulus));
      if (inverse !== undefined) expect((((inverse * value) % modulus) + modulus) % modulus).toBe(1n % modulus);
    }
  });
});
