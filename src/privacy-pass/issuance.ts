import { rsabssaSha384PssDeterministic, blind, finalize, verify } from './blindRsa.ts';
import { assertBytes, assertObject, concatBytes, equalBytes } from './bytes.ts';
import { decodeTokenChallenge } from './challenge.ts';
import { PrivacyPassError } from './errors.ts';
import { parseRsaSpki } from './spki.ts';

/** RFC 9578 §6: the Blind RSA token type, the only one this client issues. */
export const TOKEN_TYPE_BLIND_RSA = 0x0002;

const nonceLength = 32;
const digestLength = 32;
const headerLength = 2 + nonceLength + digestLength + digestLength;

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}

/** RFC 9578 §6.5: token_key_id is the SHA-256 of the issuer's SPKI. */
export async function tokenKeyId(tokenKey: Uint8Array): Promise<Uint8Array> {
  assertBytes(tokenKey, 'tokenKey');
  return sha256(tokenKey);
}

/** RFC 9578 §6.1 TokenRequest, decoded. */
export interface TokenRequest {
  tokenType: number;
  truncatedTokenKeyId: number;
  blindedMessage: Uint8Array;
}

/** Encodes a TokenRequest: token_type(2) || truncated_token_key_id(1) || blinded_msg(Nk). */
export function encodeTokenRequest(request: TokenRequest): Uint8Array {
  assertBytes(request.blindedMessage, 'tokenRequest.blindedMessage');
  return concatBytes(Uint8Array.of(request.tokenType >> 8, request.tokenType & 0xff, request.truncatedTokenKeyId & 0xff), request.blindedMessage);
}

/** Decodes a TokenRequest of a 2048–4096-bit key; RangeError when the length cannot be one. */
export function decodeTokenRequest(bytes: Uint8Array): TokenRequest {
  assertBytes(bytes, 'tokenRequest');
  if (bytes.length < 3 + 256 || bytes.length > 3 + 512) throw new RangeError('tokenRequest: expected 259 to 515 bytes');
  const tokenType = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  if (tokenType !== TOKEN_TYPE_BLIND_RSA) throw new PrivacyPassError('unsupported-token-type', `token type ${tokenType} is not 0x0002`);
  return { tokenType, truncatedTokenKeyId: bytes[2] ?? 0, blindedMessage: bytes.slice(3) };
}

/** RFC 9577 §2.2 Token of type 0x0002, decoded. */
export interface Token {
  tokenType: number;
  nonce: Uint8Array;
  challengeDigest: Uint8Array;
  tokenKeyId: Uint8Array;
  authenticator: Uint8Array;
}

/** Encodes a Token: token_type || nonce || challenge_digest || token_key_id || authenticator. */
export function encodeToken(token: Token): Uint8Array {
  for (const [name, value, length] of [
    ['nonce', token.nonce, nonceLength],
    ['challengeDigest', token.challengeDigest, digestLength],
    ['tokenKeyId', token.tokenKeyId, digestLength],
  ] as const) {
    assertBytes(value, `token.${name}`);
    if (value.length !== length) throw new RangeError(`token.${name}: expected ${length} bytes`);
  }
  assertBytes(token.authenticator, 'token.authenticator');
  return concatBytes(Uint8Array.of(token.tokenType >> 8, token.tokenType & 0xff), token.nonce, token.challengeDigest, token.tokenKeyId, token.authenticator);
}

/** Decodes a Token of type 0x0002 (authenticator 256–512 bytes); RangeError on a bad length. */
export function decodeToken(bytes: Uint8Array): Token {
  assertBytes(bytes, 'token');
  if (bytes.length < headerLength + 256 || bytes.length > headerLength + 512) throw new RangeError('token: expected 354 to 610 bytes');
  const tokenType = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  if (tokenType !== TOKEN_TYPE_BLIND_RSA) throw new PrivacyPassError('unsupported-token-type', `token type ${tokenType} is not 0x0002`);
  return {
    tokenType,
    nonce: bytes.slice(2, 2 + nonceLength),
    challengeDigest: bytes.slice(2 + nonceLength, 2 + nonceLength + digestLength),
    tokenKeyId: bytes.slice(2 + nonceLength + digestLength, headerLength),
    authenticator: bytes.slice(headerLength),
  };
}

/** A token on its way: send `tokenRequest` to the issuer, then `finalize` its TokenResponse. */
export interface PendingToken {
  tokenRequest: Uint8Array;
  finalize(tokenResponse: Uint8Array): Promise<Uint8Array>;
}

/** What `beginIssuance` takes; `nonce`, `salt` and `blind` are injectable only so vectors can pin them. */
export interface BeginIssuanceArgs {
  challenge: Uint8Array;
  tokenKey: Uint8Array;
  nonce?: Uint8Array;
  salt?: Uint8Array;
  blind?: Uint8Array;
}

/** RFC 9578 §6.1: blinds a token input for `challenge` under the issuer's `tokenKey` (SPKI DER). */
export async function beginIssuance(args: BeginIssuanceArgs): Promise<PendingToken> {
  assertObject(args, 'args');
  assertBytes(args.challenge, 'challenge');
  assertBytes(args.tokenKey, 'tokenKey');
  if (args.nonce !== undefined) {
    assertBytes(args.nonce, 'nonce');
    if (args.nonce.length !== nonceLength) throw new RangeError('nonce: expected 32 bytes');
  }
  if (args.salt !== undefined) assertBytes(args.salt, 'salt');
  if (args.blind !== undefined) assertBytes(args.blind, 'blind');
  const { tokenType } = decodeTokenChallenge(args.challenge);
  if (tokenType !== TOKEN_TYPE_BLIND_RSA) throw new PrivacyPassError('unsupported-token-type', `token type ${tokenType} is not 0x0002`);
  const key = parseRsaSpki(args.tokenKey);
  const nonce = args.nonce ?? crypto.getRandomValues(new Uint8Array(nonceLength));
  const [challengeDigest, keyId] = await Promise.all([sha256(args.challenge), sha256(args.tokenKey)]);
  const tokenInput = concatBytes(Uint8Array.of(0x00, 0x02), nonce, challengeDigest, keyId);
  const blinded = await blind(key, tokenInput, rsabssaSha384PssDeterministic, { salt: args.salt, blind: args.blind });
  const tokenRequest = encodeTokenRequest({
    tokenType: TOKEN_TYPE_BLIND_RSA,
    // §6.1: the last byte of the key id lets the issuer pick its key without the whole id.
    truncatedTokenKeyId: keyId[31] ?? 0,
    blindedMessage: blinded.blindedMessage,
  });
  return {
    tokenRequest,
    async finalize(tokenResponse) {
      assertBytes(tokenResponse, 'tokenResponse');
      // §6.3: the response is the blind signature alone, Nk bytes.
      const authenticator = await finalize(key, tokenInput, tokenResponse, blinded.inverse, rsabssaSha384PssDeterministic);
      return concatBytes(tokenInput, authenticator);
    },
  };
}

/** RFC 9578 §6.4: true when `token` is a 0x0002 token signed by `tokenKey`; false for any other token. */
export async function verifyToken(token: Uint8Array, tokenKey: Uint8Array): Promise<boolean> {
  assertBytes(token, 'token');
  const key = parseRsaSpki(tokenKey);
  if (token.length !== headerLength + key.modulusBytes) return false;
  if (token[0] !== 0x00 || token[1] !== 0x02) return false;
  const keyId = await sha256(tokenKey);
  if (!equalBytes(token.subarray(2 + nonceLength + digestLength, headerLength), keyId)) return false;
  return verify(key, token.subarray(0, headerLength), token.subarray(headerLength), rsabssaSha384PssDeterministic);
}
