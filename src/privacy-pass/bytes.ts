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
  if (hex.length % 2 !== 0) throw new RangeError('hex: odd length');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) {
    const pair = hex.slice(2 * i, 2 * i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw new RangeError('hex: not a hex string');
    out[i] = Number.parseInt(pair, 16);
  }
  return out;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const lookup = new Int16Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i += 1) lookup[alphabet.charCodeAt(i)] = i;
// RFC 9577 §2.1 allows either alphabet in practice; accept '+' and '/' too.
lookup['+'.charCodeAt(0)] = 62;
lookup['/'.charCodeAt(0)] = 63;

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function base64urlEncode(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet.charAt(n >> 18) + alphabet.charAt((n >> 12) & 63) + alphabet.charAt((n >> 6) & 63) + alphabet.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] ?? 0) << 16) | ((rest === 2 ? (bytes[i + 1] ?? 0) : 0) << 8);
    out += alphabet.charAt(n >> 18) + alphabet.charAt((n >> 12) & 63);
    if (rest === 2) out += alphabet.charAt((n >> 6) & 63);
  }
  return out;
}

/** Bytes of base64url or base64, padded or not; RangeError on any other character or a bad length. */
export function base64urlDecode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('base64url: expected a string');
  const body = text.replace(/={1,2}$/, '');
  if (body.length % 4 === 1) throw new RangeError('base64url: impossible length');
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < body.length; i += 1) {
    const code = body.charCodeAt(i);
    const digit = code < 128 ? (lookup[code] ?? -1) : -1;
    if (digit < 0) throw new RangeError('base64url: invalid character');
    value = ((value << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out;
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
