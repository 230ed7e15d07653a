/** Throws TypeError unless `value` is a Uint8Array; `name` goes in the message. */
export function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
}

/** Throws TypeError unless `value` is a non-null object (JS callers can pass anything). */
export function assertObject(value: unknown, name: string): asserts value is object {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name}: expected an object`);
}

/** Concatenates byte strings. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Constant-time-ish equality: the loop does not stop at the first difference. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Lower-case hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Bytes of a hex string (either case); RangeError on odd length or a non-hex character. */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError('hex: expected a string');
  if (hex.length % 2) throw new RangeError('hex: odd length');
  if (!/^[\da-f]*$/i.test(hex)) throw new RangeError('hex: not a hex string');
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function base64urlEncode(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Bytes of base64url or base64, padded or not; RangeError on any other character or a bad length. */
export function base64urlDecode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('base64url: expected a string');
  // RFC 9577 §2.1 values are base64url, padded or not; plain base64 is accepted too, as peers vary.
  if (!/^[\w+/-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) throw new RangeError('base64url: not base64url');
  const body = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(body + '='.repeat((4 - (body.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Big-endian unsigned integer of `bytes` (RFC 8017 OS2IP). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`);
}

/** `value` as exactly `length` big-endian bytes (RFC 8017 I2OSP); RangeError when it does not fit. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new RangeError('integer: negative');
  const hex = value.toString(16);
  if (hex.length > length * 2) throw new RangeError('integer: too large');
  return hexToBytes(hex.padStart(length * 2, '0'));
}
