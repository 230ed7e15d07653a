import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { concatBytes, readDer, writeDer } from './der.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * AlgorithmIdentifier of id-RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt, encoded the
 * way RFC 9578 §6.5 and its test vectors do (hash parameters absent, not NULL), so token key ids
 * match other issuers' for the same key.
 */
const rsassaPssSha384 = Uint8Array.from(
  Buffer.from(
    '303d06092a864886f70d01010a3030a00d300b0609608648016503040202a11a301806092a864886f70d010108300b0609608648016503040202a203020130',
    'hex',
  ),
);

/** An issuer key of one claim type: the private half for raw RSA, the public half as RFC 9578 sees it. */
export interface IssuerKey {
  /** An `rsa` key object: raw RSA (RSA_NO_PADDING) is refused on `rsa-pss` key objects. */
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI DER with the id-RSASSA-PSS algorithm (RFC 9578 §6.5). */
  tokenKey: Uint8Array;
  /** SHA-256 of `tokenKey`. */
  tokenKeyId: Uint8Array;
  /** Modulus length in bytes (Nk). */
  modulusBytes: number;
  /** Persona's `token-key`: SPKI DER with the rsaEncryption algorithm, as Persona's test key is (PROTOCOL.md §3.2). */
  personaTokenKey: Uint8Array;
  /** Persona's `token-key-id`: lowercase hex SHA-256 of `personaTokenKey` (PROTOCOL.md §12). */
  personaTokenKeyId: string;
}

/** Builds the issuer key from an RSA private key (rsa or rsa-pss); throws TypeError for other keys. */
export function issuerKeyFrom(key: KeyObject): IssuerKey {
  if (key.type !== 'private') throw new TypeError('privateKey: expected a private key');
  const privateKey = key.asymmetricKeyType === 'rsa-pss' ? rsaPssToRsa(key) : key;
  if (privateKey.asymmetricKeyType !== 'rsa') throw new TypeError('privateKey: expected an RSA key');
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048 || bits > 4096) throw new RangeError('privateKey: modulus must be 2048 to 4096 bits');
  const publicKey = createPublicKey(privateKey);
  const rsaPublicKey = new Uint8Array(publicKey.export({ type: 'pkcs1', format: 'der' }));
  const bitString = writeDer(0x03, concatBytes(Uint8Array.of(0), rsaPublicKey));
  const tokenKey = writeDer(0x30, concatBytes(rsassaPssSha384, bitString));
  const tokenKeyId = new Uint8Array(createHash('sha256').update(tokenKey).digest());
  const personaTokenKey = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const personaTokenKeyId = createHash('sha256').update(personaTokenKey).digest('hex');
  return { privateKey, publicKey, tokenKey, tokenKeyId, modulusBytes: Math.ceil(bits / 8), personaTokenKey, personaTokenKeyId };
}

/** Generates a fresh issuer key off the main thread (4096-bit generation takes seconds). */
export async function generateIssuerKey(bits: number): Promise<IssuerKey> {
  if (!Number.isInteger(bits) || bits < 2048 || bits > 4096) throw new RangeError('keyBits: expected 2048 to 4096');
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return issuerKeyFrom(privateKey);
}

/** PKCS#8 wraps the same RSAPrivateKey whatever the algorithm says; re-import it as plain rsa. */
function rsaPssToRsa(key: KeyObject): KeyObject {
  const pkcs8 = new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
  const outer = readDer(pkcs8);
  const version = readDer(outer.contents, 0);
  const algorithm = readDer(outer.contents, version.end);
  const inner = readDer(outer.contents, algorithm.end);
  return createPrivateKey({ key: Buffer.from(inner.contents), format: 'der', type: 'pkcs1' });
}
