import { createHash } from 'node:crypto';
import { decodeToken, decodeTokenRequest, encodeTokenChallenge, TOKEN_TYPE_BLIND_RSA, verifyToken, type Token, type TokenRequest } from '../privacy-pass/index.ts';
import type { IssuerKey } from './issuerKey.ts';

/**
 * The Privacy Pass wire structures as the emulator meets them, all from the kit's own pure client,
 * so the emulator and the kit cannot drift apart on a byte.
 */

/** RFC 9578 §6: Blind RSA (2048–4096) token type. */
export const tokenTypeBlindRsa = TOKEN_TYPE_BLIND_RSA;

/** RFC 9577 §2.1.1 TokenChallenge with an empty redemption context (a token serves any relay of the type) and no origin info. */
export function encodeIssuerChallenge(issuerName: string): Uint8Array {
  return encodeTokenChallenge({ tokenType: TOKEN_TYPE_BLIND_RSA, issuerName, redemptionContext: new Uint8Array(0), originInfo: [] });
}

/** Decoded TokenRequest (RFC 9578 §6.1); throws RangeError / PrivacyPassError when it is not one. */
export function splitTokenRequest(bytes: Uint8Array): TokenRequest {
  return decodeTokenRequest(bytes);
}

/** Decoded Token (RFC 9577 §2.2); throws when it is not a type-2 token. */
export function splitToken(bytes: Uint8Array): Token {
  return decodeToken(bytes);
}

/** SHA-256, for challenge digests. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** RFC 9578 §6.4: the token's authenticator is a valid signature under this issuer key. */
export function verifyTokenSignature(token: Uint8Array, key: IssuerKey): Promise<boolean> {
  return verifyToken(token, key.tokenKey);
}
