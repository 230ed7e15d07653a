import { assertBytes, bigIntToBytes, bytesToBigInt, concatBytes, digest, equalBytes, randomBytes } from './bytes.ts';
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

const sha384 = (data: Uint8Array): Promise<Uint8Array> => digest('SHA-384', data);

// EMSA-PSS with SHA-384 and a 48-byte salt needs 98 bytes of room (RFC 8017 §9.1.1 step 3): 1024
// bits is ample, and parseRsaSpki gives 2048 to 4096.
function assertKey(key: RsaPublicKey): void {
  if (typeof (key as Partial<RsaPublicKey> | null)?.n !== 'bigint' || !(key.modulusBits >= 1024)) throw new TypeError('key: not an RsaPublicKey (1024+ bits)');
}

// RFC 8017 B.2.1 MGF1 with SHA-384; the blocks are independent, so they are hashed concurrently.
async function mgf1(seed: Uint8Array, length: number): Promise<Uint8Array> {
  const blocks: Promise<Uint8Array>[] = [];
  for (let counter = 0; counter * hashLength < length; counter += 1) {
    // The counter is a 4-byte big-endian integer; a 4096-bit key needs 11 blocks, so 3 bytes stay 0.
    blocks.push(sha384(concatBytes(seed, Uint8Array.of(0, 0, 0, counter))));
  }
  return concatBytes(...(await Promise.all(blocks))).subarray(0, length);
}

// RFC 8017 §9.1.1 steps 2–6: H = Hash(0x00 × 8 || Hash(M) || salt).
async function pssHash(message: Uint8Array, salt: Uint8Array): Promise<Uint8Array> {
  return sha384(concatBytes(new Uint8Array(8), await sha384(message), salt));
}

// RFC 8017 §9.1.1 steps 7–8: DB = PS (zeros) || 0x01 || salt. Verification rebuilds it to compare.
function pssDb(length: number, salt: Uint8Array): Uint8Array {
  const db = new Uint8Array(length);
  db[length - salt.length - 1] = 1;
  db.set(salt, length - salt.length);
  return db;
}

// RFC 8017 §9.1.1 steps 9–11 (and §9.1.2 steps 7–9, xor being its own inverse): DB xor MGF1(H),
// with the bits above emBits cleared so the encoded integer stays below the modulus.
async function mask(db: Uint8Array, h: Uint8Array, emBits: number): Promise<Uint8Array> {
  const mgf = await mgf1(h, db.length);
  const out = db.map((byte, i) => byte ^ (mgf[i] ?? 0));
  out[0] = (out[0] ?? 0) & (0xff >> (8 * (db.length + hashLength + 1) - emBits));
  return out;
}

// RFC 8017 §9.1.1 EMSA-PSS-ENCODE, emBits = modBits - 1.
async function emsaPssEncode(message: Uint8Array, emBits: number, salt: Uint8Array): Promise<Uint8Array> {
  const dbLength = Math.ceil(emBits / 8) - hashLength - 1;
  const h = await pssHash(message, salt);
  return concatBytes(await mask(pssDb(dbLength, salt), h, emBits), h, Uint8Array.of(0xbc));
}

// RFC 8017 §9.1.2 EMSA-PSS-VERIFY over EM of ceil(emBits / 8) bytes whose value is below 2^emBits
// (the caller checks that, which covers step 6).
async function emsaPssVerify(message: Uint8Array, em: Uint8Array, emBits: number, saltLength: number): Promise<boolean> {
  const dbLength = em.length - hashLength - 1;
  const h = em.subarray(dbLength, -1);
  const db = await mask(em.subarray(0, dbLength), h, emBits);
  // Steps 4 and 10–13: EM ends in 0xbc, DB is exactly zeros || 0x01 || salt, and H hashes that salt.
  const salt = db.slice(dbLength - saltLength);
  return em.at(-1) === 0xbc && equalBytes(db, pssDb(dbLength, salt)) && equalBytes(h, await pssHash(message, salt));
}

/** RFC 9474 §4.1 Prepare: the message that is signed (a random 32-byte prefix for randomized variants). */
export function prepare(message: Uint8Array, variant: BlindRsaVariant, prefix?: Uint8Array): Uint8Array {
  assertBytes(message, 'message');
  if (!variant.randomized) return message;
  const p = prefix ?? randomBytes(32);
  assertBytes(p, 'prefix', 32);
  return concatBytes(p, message);
}

/** What `blind` returns: the blinded message for the signer and the inverse the client keeps. */
export interface BlindResult {
  blindedMessage: Uint8Array;
  inverse: bigint;
}

/** A BlindResult with the encoded message, which the unblinded signature must open to. */
export interface Blinding extends BlindResult {
  encoded: bigint;
}

/** RFC 9474 §4.2 Blind, keeping the encoded message for `unblind`. `blind` (r) and `salt` are injectable for vectors. */
export async function blindEncoded(
  key: RsaPublicKey,
  preparedMessage: Uint8Array,
  variant: BlindRsaVariant,
  options: { salt?: Uint8Array; blind?: Uint8Array } = {},
): Promise<Blinding> {
  assertKey(key);
  assertBytes(preparedMessage, 'preparedMessage');
  const salt = options.salt ?? randomBytes(variant.saltLength);
  assertBytes(salt, 'salt', variant.saltLength);
  if (options.blind) assertBytes(options.blind, 'blind');
  const encoding = emsaPssEncode(preparedMessage, key.modulusBits - 1, salt);
  // r and r^e are made while WebCrypto hashes off the main thread.
  // 16 spare random bytes make r mod n uniform to within 2^-128.
  const r = bytesToBigInt(options.blind ?? randomBytes(key.modulusBytes + 16)) % key.n;
  const rToE = modPow(r, key.e, key.n);
  const m = bytesToBigInt(await encoding);
  // One inverse serves both checks of §4.2: (m·r)⁻¹ exists only if m is coprime with n ("invalid
  // input" otherwise) and r is invertible ("blinding error" otherwise, which a random r meets only
  // by finding a factor of n); then r⁻¹ = (m·r)⁻¹ · m.
  const both = modInverse((m * r) % key.n, key.n);
  if (both === undefined) {
    throw modInverse(m, key.n) === undefined ? new PrivacyPassError('bad-key', 'message is not invertible mod n') : new RangeError('blind: not invertible mod n');
  }
  return { blindedMessage: bigIntToBytes((m * rToE) % key.n, key.modulusBytes), inverse: (both * m) % key.n, encoded: m };
}

/** RFC 9474 §4.2 Blind. `blind` (the factor r) and `salt` are injectable for test vectors. */
export async function blind(
  key: RsaPublicKey,
  preparedMessage: Uint8Array,
  variant: BlindRsaVariant,
  options: { salt?: Uint8Array; blind?: Uint8Array } = {},
): Promise<BlindResult> {
  const { blindedMessage, inverse } = await blindEncoded(key, preparedMessage, variant, options);
  return { blindedMessage, inverse };
}

// RFC 8017 §8.1.2 step 1: a signature (or blind signature) is exactly k bytes and, as a number, below n.
// A wrong length is refused before any work, however long the input.
function signatureNumber(key: RsaPublicKey, signature: Uint8Array): bigint | undefined {
  const s = signature.length === key.modulusBytes ? bytesToBigInt(signature) : key.n;
  return s < key.n ? s : undefined;
}

/**
 * RFC 9474 §4.3 Finalize for a message this client blinded: unblinds and checks that the signature
 * opens (s^e mod n) to the encoded message `blindEncoded` made, as circl does. That is exactly when
 * RSASSA-PSS-VERIFY accepts it, since that encoding is a valid one of the message, and needs no hashing.
 */
export function unblind(key: RsaPublicKey, blindSignature: Uint8Array, blinding: Blinding): Uint8Array {
  assertBytes(blindSignature, 'blindSignature');
  const z = signatureNumber(key, blindSignature);
  if (z === undefined) throw new PrivacyPassError('bad-response', `blind signature is not ${key.modulusBytes} bytes below the modulus`);
  const s = (z * blinding.inverse) % key.n;
  if (modPow(s, key.e, key.n) !== blinding.encoded) throw new PrivacyPassError('bad-signature', 'the issuer signature does not verify');
  return bigIntToBytes(s, key.modulusBytes);
}

/** RFC 9474 §4.4 Verify: RSASSA-PSS with SHA-384 over the prepared message. */
export async function verify(key: RsaPublicKey, preparedMessage: Uint8Array, signature: Uint8Array, variant: BlindRsaVariant): Promise<boolean> {
  assertKey(key);
  assertBytes(preparedMessage, 'preparedMessage');
  assertBytes(signature, 'signature');
  const s = signatureNumber(key, signature);
  if (s === undefined) return false;
  const emBits = key.modulusBits - 1;
  const m = modPow(s, key.e, key.n);
  // §8.1.2 step 2c and §9.1.2 step 6: EM has emBits bits at most.
  if (m >> BigInt(emBits) !== 0n) return false;
  return emsaPssVerify(preparedMessage, bigIntToBytes(m, Math.ceil(emBits / 8)), emBits, variant.saltLength);
}

/** RFC 9474 §4.3 Finalize: unblinds and returns the signature only once it verifies. */
export async function finalize(
  key: RsaPublicKey,
  preparedMessage: Uint8Array,
  blindSignature: Uint8Array,
  inverse: bigint,
  variant: BlindRsaVariant,
): Promise<Uint8Array> {
  assertKey(key);
  assertBytes(blindSignature, 'blindSignature');
  const z = signatureNumber(key, blindSignature);
  if (z === undefined) throw new PrivacyPassError('bad-response', `blind signature is not ${key.modulusBytes} bytes below the modulus`);
  const signature = bigIntToBytes((z * inverse) % key.n, key.modulusBytes);
  if (!(await verify(key, preparedMessage, signature, variant))) throw new PrivacyPassError('bad-signature', 'the issuer signature does not verify');
  return signature;
}
