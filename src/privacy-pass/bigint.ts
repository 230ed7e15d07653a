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
  // Extended Euclid, tracking only the coefficient of `value`; plain temporaries, as this loop runs
  // about 0.6 × bits times and array swaps would allocate on each turn.
  let a = value % modulus;
  let b = modulus;
  let x = 1n;
  let y = 0n;
  while (b !== 0n) {
    const q = a / b;
    const r = a - q * b;
    const z = x - q * y;
    a = b;
    b = r;
    x = y;
    y = z;
  }
  return a === 1n ? ((x % modulus) + modulus) % modulus : undefined;
}
