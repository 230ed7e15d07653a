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

// A minimal DER reader: definite lengths up to 4 bytes, every length checked against what is left,
// so a length field claiming 2^31 bytes fails at once instead of allocating or looping.
function readDer(bytes: Uint8Array, at: number): Der {
  const tag = bytes[at];
  const first = bytes[at + 1];
  if (tag === undefined || first === undefined) badKey('truncated DER');
  let length = first;
  let start = at + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) badKey('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (bytes[start + i] ?? badKey('truncated DER'));
    start += count;
  }
  const next = start + length;
  if (next > bytes.length) badKey('truncated DER');
  return { tag, body: bytes.subarray(start, next), next };
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

const oidRsaEncryption = '2a864886f70d010101';
const oidRsassaPss = '2a864886f70d01010a';
const oidSha384 = '608648016503040202';

const oidMgf1 = '2a864886f70d010108';

function oidsIn(element: Der): string[] {
  if (element.tag === 0x06) return [hex(element.body)];
  // Constructed elements (SEQUENCE and context tags) hold further elements.
  if ((element.tag & 0x20) === 0) return [];
  return children(element.body).flatMap(oidsIn);
}

// RFC 9578 §6.5: an id-RSASSA-PSS key must say SHA-384, MGF1 with SHA-384 and a 48-byte salt; any
// other parameters would make the issuer's signatures fail our verification, so refuse them early.
function checkPssParams(params: Der | undefined): void {
  if (params === undefined || params.tag === 0x05) return;
  if (params.tag !== 0x30) badKey('RSASSA-PSS parameters are not a SEQUENCE');
  for (const field of children(params.body)) {
    const oids = oidsIn(field).join(',');
    if (field.tag === 0xa0 && oids !== oidSha384) badKey('RSASSA-PSS key does not hash with SHA-384');
    if (field.tag === 0xa1 && oids !== `${oidMgf1},${oidSha384}`) badKey('RSASSA-PSS key does not use MGF1 with SHA-384');
    if (field.tag === 0xa2) {
      const salt = children(field.body)[0];
      if (salt?.tag !== 0x02 || bytesToBigInt(salt.body) !== 48n) badKey('RSASSA-PSS key salt length is not 48');
    }
  }
}

/**
 * Reads an RSA SubjectPublicKeyInfo (rsaEncryption or id-RSASSA-PSS, RFC 9578 §6.5) and checks the
 * modulus is 2048 to 4096 bits with an odd public exponent.
 */
export function parseRsaSpki(spki: Uint8Array): RsaPublicKey {
  assertBytes(spki, 'tokenKey');
  const outer = readDer(spki, 0);
  if (outer.tag !== 0x30 || outer.next !== spki.length) badKey('SPKI is not one DER SEQUENCE');
  const [algorithm, bitString] = children(outer.body);
  if (algorithm?.tag !== 0x30 || bitString?.tag !== 0x03) badKey('SPKI structure');
  const [oid, params] = children(algorithm.body);
  if (oid?.tag !== 0x06) badKey('SPKI algorithm');
  const oidHex = hex(oid.body);
  if (oidHex === oidRsassaPss) checkPssParams(params);
  else if (oidHex !== oidRsaEncryption) badKey('SPKI is not an RSA key');
  if (bitString.body[0] !== 0) badKey('SPKI BIT STRING has unused bits');
  const rsaKey = readDer(bitString.body, 1);
  if (rsaKey.tag !== 0x30) badKey('RSAPublicKey is not a SEQUENCE');
  const [modulus, exponent] = children(rsaKey.body);
  if (modulus?.tag !== 0x02 || exponent?.tag !== 0x02) badKey('RSAPublicKey integers');
  const n = bytesToBigInt(modulus.body);
  const e = bytesToBigInt(exponent.body);
  const modulusBits = n.toString(2).length;
  if (modulusBits < 2048 || modulusBits > 4096) badKey(`RSA modulus of ${modulusBits} bits; 2048 to 4096 allowed`);
  if (e < 3n || e % 2n === 0n || e >= n) badKey('RSA public exponent');
  return { n, e, modulusBits, modulusBytes: Math.ceil(modulusBits / 8) };
}
