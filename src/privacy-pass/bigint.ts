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

/** The inverse of `value` mod `modulus`, or undefined when they share a factor. */
export function modInverse(value: bigint, modulus: bigint): bigint | undefined {
  // Extended Euclid, tracking only the coefficient of `value`.
  let [a, b, x, y] = [value % modulus, modulus, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b, x, y] = [b, a - q * b, y, x - q * y];
  }
  return a === 1n ? ((x % modulus) + modulus) % modulus : undefined;
}
