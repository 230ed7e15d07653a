import { constants, createHash, verify } from 'node:crypto';
import type { IssuerKey } from './issuerKey.ts';

/**
 * The Privacy Pass wire structures the emulator reads and writes.
 * Interim: src/privacy-pass does not export encodeTokenChallenge / decodeToken / decodeTokenRequest
 * yet; once it does, this file becomes a thin re-export of those and nothing else changes.
 */

/** RFC 9578 §6: Blind RSA (2048–4096) token type. */
export const tokenTypeBlindRsa = 0x0002;

/** RFC 9577 §2.1.1 TokenChallenge with an empty redemption context and origin info. */
export function encodeIssuerChallenge(issuerName: string): Uint8Array {
  const name = new TextEncoder().encode(issuerName);
  if (name.length === 0 || name.length > 0xffff) throw new RangeError('issuerName: expected 1 to 65535 bytes');
  const out = new Uint8Array(2 + 2 + name.length + 1 + 2);
  const view = new DataView(out.buffer);
  view.setUint16(0, tokenTypeBlindRsa);
  view.setUint16(2, name.length);
  out.set(name, 4);
  // redemption_context length 0 (a token serves any relay of the claim type), origin_info length 0.
  return out;
}

/** RFC 9578 §6.1 TokenRequest. */
export interface TokenRequestParts {
  tokenType: number;
  truncatedTokenKeyId: number;
  blindedMsg: Uint8Array;
}

/** Splits a TokenRequest; RangeError when it is too short to be one. */
export function splitTokenRequest(bytes: Uint8Array): TokenRequestParts {
  if (bytes.length < 3 + 256) throw new RangeError('tokenRequest: too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { tokenType: view.getUint16(0), truncatedTokenKeyId: view.getUint8(2), blindedMsg: bytes.subarray(3) };
}

/** RFC 9577 §2.2 Token. */
export interface TokenParts {
  tokenType: number;
  nonce: Uint8Array;
  challengeDigest: Uint8Array;
  tokenKeyId: Uint8Array;
  authenticator: Uint8Array;
}

/** Splits a Token; RangeError when it is too short to be a type-2 token. */
export function splitToken(bytes: Uint8Array): TokenParts {
  if (bytes.length < 2 + 32 + 32 + 32 + 256) throw new RangeError('token: too short');
  return {
    tokenType: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(0),
    nonce: bytes.subarray(2, 34),
    challengeDigest: bytes.subarray(34, 66),
    tokenKeyId: bytes.subarray(66, 98),
    authenticator: bytes.subarray(98),
  };
}

/** SHA-256, for challenge digests. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/**
 * RFC 9578 §6.4 verification: the authenticator is an RSASSA-PSS (SHA-384, 48-byte salt) signature
 * over token_type || nonce || challenge_digest || token_key_id under the issuer key.
 */
export function verifyTokenSignature(token: Uint8Array, key: IssuerKey): boolean {
  if (token.length !== 98 + key.modulusBytes) return false;
  return verify(
    'sha384',
    token.subarray(0, 98),
    { key: key.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 },
    token.subarray(98),
  );
}
