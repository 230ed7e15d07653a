import { blindEncoded, rsabssaSha384PssDeterministic, unblind, verify } from './blindRsa.ts';
import { assertBytes, assertObject, concatBytes, digest, equalBytes, randomBytes, readUint16, uint, uint16 } from './bytes.ts';
import { decodeTokenChallenge } from './challenge.ts';
import { PrivacyPassError } from './errors.ts';
import { parseRsaSpki } from './spki.ts';

/** RFC 9578 §6: the Blind RSA token type, the only one this client issues. */
export const TOKEN_TYPE_BLIND_RSA = 0x0002;

// RFC 9577 §2.2: token_type(2) || nonce(32) || challenge_digest(32) || token_key_id(32), then Nk bytes.
const inputLength = 98;

const sha256 = (data: Uint8Array): Promise<Uint8Array> => digest('SHA-256', data);

// Both wire structs start with a token_type and end with Nk bytes of a 2048–4096-bit key.
function checkWire(bytes: Uint8Array, name: string, fixed: number): void {
  assertBytes(bytes, name);
  if (bytes.length < fixed + 256 || bytes.length > fixed + 512) throw new RangeError(`${name}: expected ${fixed + 256} to ${fixed + 512} bytes`);
  checkType(readUint16(bytes, 0));
}

function checkType(tokenType: number): void {
  if (tokenType !== TOKEN_TYPE_BLIND_RSA) throw new PrivacyPassError('unsupported-token-type', `token type ${tokenType} is not 0x0002`);
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
  assertObject(request, 'tokenRequest');
  assertBytes(request.blindedMessage, 'tokenRequest.blindedMessage');
  return concatBytes(uint16(request.tokenType, 'tokenRequest.tokenType'), Uint8Array.of(uint(request.truncatedTokenKeyId, 0xff, 'tokenRequest.truncatedTokenKeyId')), request.blindedMessage);
}

/** Decodes a TokenRequest of a 2048–4096-bit key; RangeError when the length cannot be one. */
export function decodeTokenRequest(bytes: Uint8Array): TokenRequest {
  checkWire(bytes, 'tokenRequest', 3);
  return { tokenType: TOKEN_TYPE_BLIND_RSA, truncatedTokenKeyId: bytes[2] ?? 0, blindedMessage: bytes.slice(3) };
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
  assertObject(token, 'token');
  const { nonce, challengeDigest, tokenKeyId: keyId, authenticator } = token;
  for (const [name, value] of Object.entries({ nonce, challengeDigest, tokenKeyId: keyId })) assertBytes(value, `token.${name}`, 32);
  assertBytes(authenticator, 'token.authenticator');
  return concatBytes(uint16(token.tokenType, 'token.tokenType'), nonce, challengeDigest, keyId, authenticator);
}

/** Decodes a Token of type 0x0002 (authenticator 256–512 bytes); RangeError on a bad length. */
export function decodeToken(bytes: Uint8Array): Token {
  checkWire(bytes, 'token', inputLength);
  return {
    tokenType: TOKEN_TYPE_BLIND_RSA,
    nonce: bytes.slice(2, 34),
    challengeDigest: bytes.slice(34, 66),
    tokenKeyId: bytes.slice(66, inputLength),
    authenticator: bytes.slice(inputLength),
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
  const { challenge, tokenKey, nonce = randomBytes(32) } = args;
  assertBytes(nonce, 'nonce', 32);
  checkType(decodeTokenChallenge(challenge).tokenType);
  const key = parseRsaSpki(tokenKey);
  const [challengeDigest, keyId] = await Promise.all([sha256(challenge), sha256(tokenKey)]);
  const tokenInput = concatBytes(Uint8Array.of(0, 2), nonce, challengeDigest, keyId);
  const blinding = await blindEncoded(key, tokenInput, rsabssaSha384PssDeterministic, args);
  return {
    // §6.1: the last byte of the key id lets the issuer pick its key without the whole id.
    // token_type(2) || truncated_token_key_id(1) || blinded_msg(Nk), written out: encodeTokenRequest's
    // checks guard callers' values, and these are ours.
    tokenRequest: concatBytes(Uint8Array.of(0, TOKEN_TYPE_BLIND_RSA, keyId[31] ?? 0), blinding.blindedMessage),
    // §6.3: the response is the blind signature alone, Nk bytes; unblind checks it verifies.
    async finalize(tokenResponse) {
      assertBytes(tokenResponse, 'tokenResponse');
      return concatBytes(tokenInput, unblind(key, tokenResponse, blinding));
    },
  };
}

/** RFC 9578 §6.4: true when `token` is a 0x0002 token signed by `tokenKey`; false for any other token. */
export async function verifyToken(token: Uint8Array, tokenKey: Uint8Array): Promise<boolean> {
  assertBytes(token, 'token');
  const key = parseRsaSpki(tokenKey);
  if (token.length !== inputLength + key.modulusBytes || readUint16(token, 0) !== TOKEN_TYPE_BLIND_RSA) return false;
  if (!equalBytes(token.subarray(66, inputLength), await sha256(tokenKey))) return false;
  return verify(key, token.subarray(0, inputLength), token.subarray(inputLength), rsabssaSha384PssDeterministic);
}
