import { bigIntToBytes, bytesToBigInt, concatBytes, equalBytes } from './bytes.ts';
import { modInverse, modPow } from './bigint.ts';
import { PrivacyPassError } from './errors.ts';
import type { RsaPublicKey } from './spki.ts';

/** RFC 9474 §5 variant: SHA-384 always; `saltLength` 48 (PSS) or 0 (PSSZERO); randomized adds a 32-byte prefix. */
export interface BlindRsaVariant {
  saltLength: 0 | 48;
  randomized: boolean;
}

/** RSABSSA-SHA384-PSS-Randomized, the variant RFC 9474 recommends. */
export const rsabssaSha384PssRandomized: BlindRsaVariant = { saltLength: 48, randomized: true };
/** RSABSSA-SHA384-PSS-Deterministic, the variant RFC 9578 §6 issues tokens with. */
export const rsabssaSha384PssDeterministic: BlindRsaVariant = { saltLength: 48, randomized: false };

const hashLength = 48;

async function sha384(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-384', data as Uint8Array<ArrayBuffer>));
}

function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

// RFC 8017 B.2.1 MGF1 with SHA-384.
async function mgf1(seed: Uint8Array, length: number): Promise<Uint8Array> {
  const blocks: Promise<Uint8Array>[] = [];
  for (let counter = 0; counter * hashLength < length; counter += 1) {
    blocks.push(sha384(concatBytes(seed, Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff))));
  }
  return concatBytes(...(await Promise.all(blocks))).subarray(0, length);
}

// RFC 8017 §9.1.1 EMSA-PSS-ENCODE.
async function emsaPssEncode(message: Uint8Array, emBits: number, salt: Uint8Array): Promise<Uint8Array> {
  const emLength = Math.ceil(emBits / 8);
  if (emLength < hashLength + salt.length + 2) throw new RangeError('key: too small for EMSA-PSS');
  const mHash = await sha384(message);
  const h = await sha384(concatBytes(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLength - hashLength - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = await mgf1(h, db.length);
  for (let i = 0; i < db.length; i += 1) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLength - emBits));
  return concatBytes(db, h, Uint8Array.of(0xbc));
}

// RFC 8017 §9.1.2 EMSA-PSS-VERIFY.
async function emsaPssVerify(message: Uint8Array, em: Uint8Array, emBits: number, saltLength: number): Promise<boolean> {
  const emLength = Math.ceil(emBits / 8);
  if (em.length !== emLength || em[emLength - 1] !== 0xbc || emLength < hashLength + saltLength + 2) return false;
  const maskedDb = em.subarray(0, emLength - hashLength - 1);
  const h = em.subarray(emLength - hashLength - 1, emLength - 1);
  const topBits = 0xff >> (8 * emLength - emBits);
  if (((maskedDb[0] ?? 0) & ~topBits) !== 0) return false;
  const mask = await mgf1(h, maskedDb.length);
  const db = maskedDb.map((byte, i) => byte ^ (mask[i] ?? 0));
  db[0] = (db[0] ?? 0) & topBits;
  const separator = db.length - saltLength - 1;
  for (let i = 0; i < separator; i += 1) if (db[i] !== 0) return false;
  if (db[separator] !== 0x01) return false;
  const salt = db.subarray(db.length - saltLength);
  const expected = await sha384(concatBytes(new Uint8Array(8), await sha384(message), salt));
  return equalBytes(expected, h);
}

/** RFC 9474 §4.1 Prepare: the message that is signed (a random 32-byte prefix for randomized variants). */
export function prepare(message: Uint8Array, variant: BlindRsaVariant, prefix?: Uint8Array): Uint8Array {
  if (!variant.randomized) return message;
  const p = prefix ?? randomBytes(32);
  if (p.length !== 32) throw new RangeError('prefix: expected 32 bytes');
  return concatBytes(p, message);
}

/** What `blind` returns: the blinded message for the signer and the inverse the client keeps. */
export interface BlindResult {
  blindedMessage: Uint8Array;
  inverse: bigint;
}

/** RFC 9474 §4.2 Blind. `blind` (the factor r) and `salt` are injectable for test vectors. */
export async function blind(
  key: RsaPublicKey,
  preparedMessage: Uint8Array,
  variant: BlindRsaVariant,
  options: { salt?: Uint8Array; blind?: Uint8Array } = {},
): Promise<BlindResult> {
  const salt = options.salt ?? randomBytes(variant.saltLength);
  if (salt.length !== variant.saltLength) throw new RangeError(`salt: expected ${variant.saltLength} bytes`);
  const encoded = await emsaPssEncode(preparedMessage, key.modulusBits - 1, salt);
  const m = bytesToBigInt(encoded);
  for (;;) {
    const r = bytesToBigInt(options.blind ?? randomBytes(key.modulusBytes)) % key.n;
    // One inverse serves two checks: (m·r)⁻¹ exists only if m is coprime with n (§4.2 step 4, else
    // blinding would leak a factor of n) and r is invertible; then r⁻¹ = (m·r)⁻¹ · m.
    const both = modInverse((m * r) % key.n, key.n);
    if (both === undefined) {
      if (m === 0n || modInverse(m, key.n) === undefined) throw new PrivacyPassError('bad-key', 'message is not invertible mod n');
      if (options.blind) throw new RangeError('blind: not invertible mod n');
      continue;
    }
    const z = (m * modPow(r, key.e, key.n)) % key.n;
    return { blindedMessage: bigIntToBytes(z, key.modulusBytes), inverse: (both * m) % key.n };
  }
}

/** RFC 9474 §4.4 Verify: RSASSA-PSS with SHA-384 over the prepared message. */
export async function verify(key: RsaPublicKey, preparedMessage: Uint8Array, signature: Uint8Array, variant: BlindRsaVariant): Promise<boolean> {
  if (signature.length !== key.modulusBytes) return false;
  const s = bytesToBigInt(signature);
  if (s >= key.n) return false;
  const emBits = key.modulusBits - 1;
  const em = bigIntToBytes(modPow(s, key.e, key.n), key.modulusBytes).subarray(key.modulusBytes - Math.ceil(emBits / 8));
  return emsaPssVerify(preparedMessage, em, emBits, variant.saltLength);
}

/** RFC 9474 §4.3 Finalize: unblinds and returns the signature only once it verifies. */
export async function finalize(
  key: RsaPublicKey,
  preparedMessage: Uint8Array,
  blindSignature: Uint8Array,
  inverse: bigint,
  variant: BlindRsaVariant,
): Promise<Uint8Array> {
  if (blindSignature.length !== key.modulusBytes) throw new PrivacyPassError('bad-response', `blind signature must be ${key.modulusBytes} bytes`);
  const z = bytesToBigInt(blindSignature);
  if (z >= key.n) throw new PrivacyPassError('bad-response', 'blind signature is not below the modulus');
  const signature = bigIntToBytes((z * inverse) % key.n, key.modulusBytes);
  if (!(await verify(key, preparedMessage, signature, variant))) {
    throw new PrivacyPassError('bad-signature', 'the issuer signature does not verify');
  }
  return signature;
}
