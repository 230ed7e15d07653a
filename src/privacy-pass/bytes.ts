// The tag check admits a Uint8Array of another realm (a frame, jsdom's TextEncoder output);
// ArrayBuffer.isView keeps a plain object with a forged Symbol.toStringTag out.
const isUint8Array = (value: unknown): value is Uint8Array =>
  value instanceof Uint8Array || (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]');

/** Throws TypeError unless `value` is a Uint8Array, RangeError unless it has `length` bytes (when given). */
export function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!isUint8Array(value)) throw new TypeError(`${name}: expected a Uint8Array`);
  if (length !== undefined && value.length !== length) throw new RangeError(`${name}: expected ${length} bytes`);
}

/** Throws TypeError unless `value` is a string. */
export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name}: expected a string`);
}

/** Throws TypeError unless `value` is a non-null object (JS callers can pass anything). */
export function assertObject(value: unknown, name: string): asserts value is object {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name}: expected an object`);
}

/** Returns `value` when it is an integer in 0..max, else throws RangeError naming `name`. */
export function uint(value: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name}: expected an integer from 0 to ${max}`);
  return value;
}

/** Big-endian uint16 bytes of `value` (RangeError naming `name` when it is not one). */
export function uint16(value: number, name: string): Uint8Array {
  return Uint8Array.of(uint(value, 0xffff, name) >> 8, value & 0xff);
}

/** The big-endian uint16 at `at` (0 past the end: callers check lengths first). */
export function readUint16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/** SHA-256 or SHA-384 of `data` through WebCrypto. */
export async function digest(algorithm: 'SHA-256' | 'SHA-384', data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(algorithm, data as Uint8Array<ArrayBuffer>));
}

/** `length` bytes from the platform CSPRNG. */
export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** Concatenates byte strings. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Byte-wise equality. Not constant-time: it only ever compares public values (hashes, key ids). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

// Shared by the profiles; pure, so a bundle that never decodes text drops them.
const encoder = /* @__PURE__ */ new TextEncoder();
const strictDecoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of `text`. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** The text of UTF-8 `bytes`; TypeError on a sequence that is not UTF-8. */
export const fromUtf8 = (bytes: Uint8Array): string => strictDecoder.decode(bytes);

// Every conversion of a 2048–4096-bit number goes through hex, twice per issuance step: a table
// and a plain loop keep each one a few microseconds.
const hexPairs = /* @__PURE__ */ Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Lower-case hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  for (const byte of bytes) out += hexPairs[byte] ?? '';
  return out;
}

/** Bytes of a hex string (either case); RangeError on an odd length or a non-hex character. */
export function hexToBytes(hex: string): Uint8Array {
  assertString(hex, 'hex');
  if (!/^(?:[\da-f]{2})*$/i.test(hex)) throw new RangeError('hex: not pairs of hex digits');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// Table-driven base64: atob/btoa need a binary string per byte on the way and are 2 to 3 times
// slower in Node (a 5 % slower persona issuance).
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const sextets = /* @__PURE__ */ (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i += 1) table[alphabet.charCodeAt(i)] = i;
  // Plain base64's two other characters, as peers vary (RFC 9577 §2.1 values are base64url).
  table[43] = 62;
  table[47] = 63;
  return table;
})();

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function base64urlEncode(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const word = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    // 1 byte makes 2 characters, 2 make 3, 3 make 4.
    const count = Math.min(bytes.length - i, 3) + 1;
    for (let k = 0; k < count; k += 1) out += alphabet.charAt((word >> (18 - 6 * k)) & 63);
  }
  return out;
}

/** Bytes of base64url or base64, padded or not; RangeError on any other character or a bad length. */
export function base64urlDecode(text: string): Uint8Array {
  assertString(text, 'base64url');
  const body = text.replace(/={1,2}$/, '');
  if (body.length % 4 === 1) throw new RangeError('base64url: not base64url');
  const out = new Uint8Array((body.length * 3) >> 2);
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < body.length; i += 1) {
    const sextet = sextets[body.charCodeAt(i)] ?? -1;
    if (sextet < 0) throw new RangeError('base64url: not base64url');
    buffer = ((buffer << 6) | sextet) & 0xffff;
    bits += 6;
    // Bits left over in the last character are ignored, as atob (WHATWG forgiving-base64) does.
    if (bits >= 8) {
      bits -= 8;
      out[at] = buffer >> bits;
      at += 1;
    }
  }
  return out;
}

/** Big-endian unsigned integer of `bytes` (RFC 8017 OS2IP). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x0${bytesToHex(bytes)}`);
}

/** `value` as exactly `length` big-endian bytes (RFC 8017 I2OSP); RangeError when it does not fit. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16);
  if (hex.length > length * 2) throw new RangeError('integer: too large');
  return hexToBytes(hex.padStart(length * 2, '0'));
}
