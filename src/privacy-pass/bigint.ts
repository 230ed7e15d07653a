/** `base^exponent mod modulus` by left-to-right square-and-multiply (public exponents are short). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  const b = base % modulus;
  for (const bit of exponent.toString(2)) {
    result = (result * result) % modulus;
    if (bit === '1') result = (result * b) % modulus;
  }
  return result;
}

// Lehmer's extended GCD simulates runs of Euclid's steps on the leading 52 bits of both numbers,
// which Numbers hold exactly (below 2^53), and applies each run to the BigInts at once: about 26
// bits per run instead of 1.7 per BigInt division, several times faster at 2048–4096 bits.
const digitBits = 52;
const digitLimit = 2 ** digitBits;

// The bit length of a Number below 2^53 (Math.clz32 reads its argument as a uint32).
const numberBits = (x: number): number => (x >= 2 ** 32 ? 64 - Math.clz32(x / 2 ** 32) : 32 - Math.clz32(x));
// Where the top 49 to 52 bits of `a` start (its hex length bounds its bit length).
const topShift = (a: bigint): number => Math.max(0, a.toString(16).length * 4 - digitBits);

/**
 * The inverse of `value` mod `modulus` (odd or even, above 1), or undefined when they share a
 * factor. Variable-time: use it on blinded or public values only.
 */
export function modInverse(value: bigint, modulus: bigint): bigint | undefined {
  // Invariants: a ≡ ua·value and b ≡ ub·value (mod modulus), a > b.
  let a = modulus;
  let b = ((value % modulus) + modulus) % modulus;
  let ua = 0n;
  let ub = 1n;
  let shift = topShift(a);
  while (b >= digitLimit) {
    let a1 = Number(a >> BigInt(shift));
    let a2 = Number(b >> BigInt(shift));
    // Collins' stopping condition, after Go's math/big lehmerSimulate: the cosequence magnitudes
    // (u0, u1) for `a` and (v0, v1) for `b`, with signs alternating by the parity of the step count.
    // Plain temporaries in the loop: it runs about 30 times per run, and array swaps would allocate.
    let [u0, u1, u2, v0, v1, v2, even] = [0, 1, 0, 0, 0, 1, false];
    while (a2 >= v2 && a1 - a2 >= v1 + v2) {
      // Exact: both are integers below 2^53, so % is exact and the quotient divides evenly.
      const r = a1 % a2;
      const q = (a1 - r) / a2;
      a1 = a2;
      a2 = r;
      const u = u1 + q * u2;
      u0 = u1;
      u1 = u2;
      u2 = u;
      const v = v1 + q * v2;
      v0 = v1;
      v1 = v2;
      v2 = v;
      even = !even;
    }
    if (v0 === 0) {
      // The leading digits could not decide even two quotients: one BigInt step instead.
      const q = a / b;
      [a, b, ua, ub] = [b, a - q * b, ub, ua - q * ub];
    } else {
      // even: a' = u0·a − v0·b, b' = v1·b − u1·a; odd: the signs swap.
      const [su0, sv0, su1, sv1] = even ? [BigInt(u0), -BigInt(v0), -BigInt(u1), BigInt(v1)] : [-BigInt(u0), BigInt(v0), BigInt(u1), -BigInt(v1)];
      [a, b, ua, ub] = [su0 * a + sv0 * b, su1 * a + sv1 * b, su0 * ua + sv0 * ub, su1 * ua + sv1 * ub];
    }
    // `a` only shrinks: its new top bits are read below the old ones (all of it again if it lost 52 bits or more).
    const top = Number(a >> BigInt(shift));
    shift = top === 0 ? topShift(a) : Math.max(0, shift - digitBits + numberBits(top));
  }
  while (b !== 0n) {
    const q = a / b;
    [a, b, ua, ub] = [b, a - q * b, ub, ua - q * ub];
  }
  return a === 1n ? ((ua % modulus) + modulus) % modulus : undefined;
}
