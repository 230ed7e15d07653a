import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, generatePrimeSync, privateDecrypt, publicEncrypt, verify as nodeVerify, type KeyObject, type RSAPSSKeyPairKeyObjectOptions } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  PrivacyPassError,
  beginIssuance,
  bytesToHex,
  encodeTokenChallenge,
  parseRsaSpki,
  rsabssaSha384PssDeterministic,
  verify,
  verifyToken,
} from './index.ts';

const challenge = encodeTokenChallenge({ tokenType: 2, issuerName: 'issuer.example', redemptionContext: new Uint8Array(0), originInfo: [] });

const b64u = (value: bigint): string => Buffer.from(value.toString(16).padStart(Math.ceil(value.toString(16).length / 2) * 2, '0'), 'hex').toString('base64url');

// OpenSSL only makes even sizes (a 2049-bit request gives 2048), so odd sizes come from two primes
// of node:crypto put together as a JWK.
function rsaKey(bits: number): { tokenKey: Uint8Array; privateKey: KeyObject } {
  if (bits % 2 === 0) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    return { tokenKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), privateKey };
  }
  for (;;) {
    const p = generatePrimeSync(Math.ceil(bits / 2), { bigint: true });
    const q = generatePrimeSync(Math.floor(bits / 2), { bigint: true });
    const n = p * q;
    const e = 65537n;
    const phi = (p - 1n) * (q - 1n);
    if (n.toString(2).length !== bits || phi % e === 0n) continue;
    const d = inverse(e, phi);
    const jwk = { kty: 'RSA', n: b64u(n), e: b64u(e), d: b64u(d), p: b64u(p), q: b64u(q), dp: b64u(d % (p - 1n)), dq: b64u(d % (q - 1n)), qi: b64u(inverse(q, p)) };
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    return { tokenKey: new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })), privateKey };
  }
}

function inverse(value: bigint, modulus: bigint): bigint {
  let [r0, r1, s0, s1] = [value % modulus, modulus, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return ((s0 % modulus) + modulus) % modulus;
}

// Raw RSA (x^d mod n) by node:crypto: the issuer's side, outside the code under test.
const rawSign = (privateKey: KeyObject, value: Uint8Array): Uint8Array =>
  new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, value));

// Raw RSA the other way (s^e mod n): the encoded message a signature carries.
const rawOpen = (tokenKey: Uint8Array, signature: Uint8Array): Uint8Array =>
  new Uint8Array(publicEncrypt({ key: createPublicKey({ key: Buffer.from(tokenKey), format: 'der', type: 'spki' }), padding: constants.RSA_NO_PADDING }, signature));

const bigIntOf = (bytes: Uint8Array): bigint => BigInt(`0x${bytesToHex(bytes)}`);
const bytesOf = (value: bigint, length: number): Uint8Array => Uint8Array.from(Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex'));

function pssSpki(options: { hashAlgorithm?: string; mgf1HashAlgorithm?: string; saltLength?: number }): Uint8Array {
  // @types/node declares saltLength a string; node:crypto wants the number.
  const { publicKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048, ...options } as unknown as RSAPSSKeyPairKeyObjectOptions);
  return new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
}

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof PrivacyPassError ? error.code : String(error);
  }
};

describe('issuer keys', () => {
  // Odd sizes exercise emLen < k (RFC 8017 §9.1: emBits = modBits - 1 drops a whole byte at 2049 bits).
  it.each([2049, 3071, 4096])('issues and verifies with a %i-bit rsaEncryption key, as node:crypto agrees', async (bits) => {
    const { tokenKey, privateKey } = rsaKey(bits);
    const pending = await beginIssuance({ challenge, tokenKey });
    const token = await pending.finalize(rawSign(privateKey, pending.tokenRequest.subarray(3)));
    expect(await verifyToken(token, tokenKey)).toBe(true);
    const key = createPublicKey({ key: Buffer.from(tokenKey), format: 'der', type: 'spki' });
    expect(nodeVerify('sha384', token.subarray(0, 98), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, token.subarray(98))).toBe(true);
  });

  it.each([2047, 4097])('refuses a %i-bit key as bad-key', (bits) => {
    expect(codeOf(() => parseRsaSpki(rsaKey(bits).tokenKey))).toBe('bad-key');
  });

  it('reads id-RSASSA-PSS keys that name SHA-384, MGF1-SHA-384 and salt 48, or name nothing', () => {
    expect(parseRsaSpki(pssSpki({ hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 48 })).modulusBits).toBe(2048);
    expect(parseRsaSpki(pssSpki({})).modulusBits).toBe(2048);
  });

  it.each([
    ['SHA-256', { hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 }],
    ['salt 32', { hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 32 }],
    ['MGF1-SHA-256', { hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha256', saltLength: 48 }],
    // DER leaves out defaults, so SHA-1 / salt 20 is an empty parameter SEQUENCE.
    ['the SHA-1 defaults', { hashAlgorithm: 'sha1', mgf1HashAlgorithm: 'sha1', saltLength: 20 }],
  ])('refuses an id-RSASSA-PSS key restricted to %s', (_, options) => {
    expect(codeOf(() => parseRsaSpki(pssSpki(options)))).toBe('bad-key');
  });

  it('refuses a DER length claiming 2^31 bytes at once', () => {
    const { tokenKey } = rsaKey(2048);
    const hostile = Uint8Array.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, ...tokenKey.subarray(4)]);
    expect(codeOf(() => parseRsaSpki(hostile))).toBe('bad-key');
    expect(codeOf(() => parseRsaSpki(new Uint8Array(4096)))).toBe('bad-key');
  });

  // RFC 8017 §9.1.2 step 6: EM must fit in emBits. With a 2049-bit key that bit sits in a byte of the
  // integer that EM (256 bytes) does not have, so dropping that byte silently would accept it.
  it('rejects a signature whose encoded message has the bit above emBits set', async () => {
    const { tokenKey, privateKey } = rsaKey(2049);
    const key = parseRsaSpki(tokenKey);
    let checked = 0;
    for (let attempt = 0; attempt < 40 && checked < 3; attempt += 1) {
      const pending = await beginIssuance({ challenge, tokenKey });
      const token = await pending.finalize(rawSign(privateKey, pending.tokenRequest.subarray(3)));
      const input = token.subarray(0, 98);
      const encoded = bigIntOf(rawOpen(tokenKey, token.subarray(98)));
      const raised = encoded + (1n << 2048n);
      if (raised >= key.n) continue;
      checked += 1;
      // The same EM signed again verifies; only the extra bit differs.
      expect(await verify(key, input, rawSign(privateKey, bytesOf(encoded, 257)), rsabssaSha384PssDeterministic)).toBe(true);
      expect(await verify(key, input, rawSign(privateKey, bytesOf(raised, 257)), rsabssaSha384PssDeterministic)).toBe(false);
    }
    expect(checked).toBeGreaterThan(0);
  });
});
