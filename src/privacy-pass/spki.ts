import { assertBytes, bytesToBigInt, bytesToHex as hex } from './bytes.ts';
import { PrivacyPassError } from './errors.ts';

/** An RSA public key as numbers, with its size in bytes (the length of every signature). */
export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  modulusBytes: number;
  modulusBits: number;
}

interface Der {
  tag: number;
  body: Uint8Array;
  next: number;
}

function badKey(message: string): never {
  throw new PrivacyPassError('bad-key', message);
}

// A minimal DER reader: definite lengths of at most 2 bytes (an SPKI over 2048 bytes is refused
// first), checked against what is left, so a length claiming 2^31 bytes fails at once.
function readDer(bytes: Uint8Array, at: number): Der {
  const first = bytes[at + 1] ?? 0;
  const count = first > 0x80 ? first - 0x80 : 0;
  let length = count ? 0 : first;
  for (let i = 0; i < count; i += 1) length = length * 256 + (bytes[at + 2 + i] ?? 0);
  const start = at + 2 + count;
  const next = start + length;
  if (first === 0x80 || count > 2 || next > bytes.length) badKey('SPKI: malformed DER');
  return { tag: bytes[at] ?? 0, body: bytes.subarray(start, next), next };
}

function children(body: Uint8Array): Der[] {
  const out: Der[] = [];
  for (let at = 0; at < body.length; ) {
    const child = readDer(body, at);
    out.push(child);
    at = child.next;
  }
  return out;
}

function expectTag(element: Der | undefined, tag: number): Der {
  if (element?.tag !== tag) badKey('SPKI: malformed DER');
  return element;
}

const oidRsaEncryption = '2a864886f70d010101';
const oidRsassaPss = '2a864886f70d01010a';
const oidMgf1 = '2a864886f70d010108';
const oidSha384 = '608648016503040202';

// AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (RFC 5280 §4.1.1.2).
function algorithm(element: Der | undefined): [oid: string, params: Der | undefined] {
  const [oid, params] = children(expectTag(element, 0x30).body);
  return [hex(expectTag(oid, 0x06).body), params];
}

// The one element inside an explicit context tag.
function explicit(element: Der | undefined, tag: number): Der | undefined {
  return children(expectTag(element, tag).body)[0];
}

// RFC 9578 §6.5 with RFC 4055 §3.1: an id-RSASSA-PSS key must name SHA-384, MGF1 with SHA-384 and a
// 48-byte salt. Absent fields would mean SHA-1 and salt 20, so each must be present. Absent
// parameters (no restriction, RFC 4055 §3.1) are accepted: the signature check still decides.
function checkPssParams(params: Der | undefined): void {
  if (params === undefined) return;
  const [hash, mgf, salt] = children(expectTag(params, 0x30).body);
  const [mgfOid, mgfHash] = algorithm(explicit(mgf, 0xa1));
  if (
    algorithm(explicit(hash, 0xa0))[0] !== oidSha384 ||
    mgfOid !== oidMgf1 ||
    algorithm(mgfHash)[0] !== oidSha384 ||
    hex(expectTag(explicit(salt, 0xa2), 0x02).body) !== '30'
  ) {
    badKey('RSASSA-PSS key is not SHA-384, MGF1-SHA-384, salt 48');
  }
}

/**
 * Reads an RSA SubjectPublicKeyInfo (rsaEncryption or id-RSASSA-PSS, RFC 9578 §6.5) and checks the
 * modulus is 2048 to 4096 bits and the public exponent 65537 (DESIGN.md: a key with a huge exponent
 * would make every verification slow, and no issuer uses another).
 */
export function parseRsaSpki(spki: Uint8Array): RsaPublicKey {
  assertBytes(spki, 'tokenKey');
  // A 4096-bit key with PSS parameters is under 600 bytes; the cap keeps BigInt work bounded.
  if (spki.length > 2048) badKey('SPKI: too long');
  const outer = readDer(spki, 0);
  if (outer.next !== spki.length) badKey('SPKI: malformed DER');
  const [algorithmId, bitString] = children(expectTag(outer, 0x30).body);
  const [oid, params] = algorithm(algorithmId);
  if (oid === oidRsassaPss) checkPssParams(params);
  else if (oid !== oidRsaEncryption) badKey('SPKI is not an RSA key');
  const bits = expectTag(bitString, 0x03).body;
  const rsaKey = readDer(bits, 1);
  // The BIT STRING's first byte counts unused bits: 0 for a DER RSAPublicKey filling it exactly.
  if (bits[0] !== 0 || rsaKey.next !== bits.length) badKey('SPKI: malformed DER');
  const [modulus, exponent] = children(expectTag(rsaKey, 0x30).body);
  const n = bytesToBigInt(expectTag(modulus, 0x02).body);
  const e = bytesToBigInt(expectTag(exponent, 0x02).body);
  const modulusBits = n.toString(2).length;
  if (modulusBits < 2048 || modulusBits > 4096) badKey(`RSA modulus of ${modulusBits} bits, not 2048 to 4096`);
  if (e !== 65537n) badKey('RSA public exponent is not 65537');
  return { n, e, modulusBits, modulusBytes: Math.ceil(modulusBits / 8) };
}
