import { blindEncoded, rsabssaSha384PssDeterministic, unblind, verify } from './blindRsa.ts';
import { assertBytes, assertObject, assertString, base64urlDecode, base64urlEncode, bytesToHex, concatBytes, digest, fromUtf8, randomBytes, utf8 } from './bytes.ts';
import { PrivacyPassError } from './errors.ts';
import { goCompactJson, goJsonString, memberText } from './json.ts';
import { parseRsaSpki } from './spki.ts';

/** Which wire profile a challenge, token or route speaks (DESIGN.md "Two wire profiles"). */
export type PrivacyPassProtocol = 'persona' | 'rfc9578';

/** Persona's challenge (PROTOCOL.md §3.2), decoded; `json` is what goes into the token. */
export interface PersonaChallenge {
  /** Always 2 (Blind RSA): other types are refused. */
  tokenType: 2;
  /** The issuance endpoint, e.g. `withpersona.com/api/v1/privacy-passes`. */
  issuerName: string;
  /** The redemption endpoint the token is scoped to, e.g. `/api/privacy/v1/relays`. */
  originInfo: string;
  /** RFC 3339 UTC, as sent (`Date.parse` reads it). */
  expiresAt: string;
  /** Persona's HMAC over the other fields, opaque to clients. */
  mac: string;
  /** The challenge JSON text as sent, unknown fields kept, compacted as Persona's Go SDK echoes it. */
  json: string;
}

/** The fields of a Persona token (PROTOCOL.md §4.4) whose signature verified. */
export interface PersonaTokenFields {
  /** 64 lowercase hex digits; the one-time-use key of the token. */
  tokenNonce: string;
  signature: Uint8Array;
  keyId: string;
  challenge: PersonaChallenge;
}

/** A Persona token on its way: post `blindedToken` to the issuer, then `finalize` its `blind-sig`. */
export interface PendingPersonaToken {
  /** The blinded message, modulus length; Persona's `blinded-token` is its unpadded base64url. */
  blindedToken: Uint8Array;
  /** Unblinds `blindSig`, verifies it and returns the token for `Authorization: PrivateToken token=…`. */
  finalize(blindSig: Uint8Array): Promise<string>;
}

/** What `beginPersonaIssuance` takes; `nonce`, `salt`, `blind` and `now` are injectable for vectors and tests. */
export interface BeginPersonaIssuanceArgs {
  /** The `challenge` value: base64url of the challenge JSON. */
  challenge: string;
  /** The `token-key`, base64url-decoded: an RSA SubjectPublicKeyInfo (DER). */
  tokenKey: Uint8Array;
  /** The `token-key-id` string exactly as received. */
  tokenKeyId: string;
  /** 64 lowercase hex digits (32 random bytes by default). */
  nonce?: string;
  salt?: Uint8Array;
  blind?: Uint8Array;
  /** Milliseconds since the epoch, to check `expires_at` against (`Date.now()` by default). */
  now?: number;
}

const sha256 = (text: string): Promise<Uint8Array> => digest('SHA-256', utf8(text));

const noncePattern = /^[\da-f]{64}$/;
// RFC 3339 date-time (§5.6); Date.parse then rejects impossible dates such as month 13.
const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i;
// A real challenge is about 300 characters and a token about 1 100 (4096-bit); the caps bound the
// work hostile input can cause before it is refused.
const maxChallengeLength = 4096;
const maxTokenLength = 16384;
const maxKeyIdLength = 512;

function badChallenge(message: string): never {
  throw new PrivacyPassError('bad-challenge', message);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// §3.2: the challenge JSON. The Go SDK reads only `mac`, but a client needs the type and the expiry.
function parseChallengeJson(text: string): PersonaChallenge {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    badChallenge('challenge: not JSON');
  }
  if (!isRecord(value)) badChallenge('challenge: not a JSON object');
  const { token_type: tokenType, issuer_name: issuerName, origin_info: originInfo, expires_at: expiresAt, mac } = value;
  if (typeof tokenType !== 'number') badChallenge('challenge: token_type is not a number');
  if (tokenType !== 2) throw new PrivacyPassError('unsupported-token-type', `token type ${tokenType} is not 2`);
  if (typeof mac !== 'string' || mac === '') badChallenge('challenge: no mac');
  if (typeof issuerName !== 'string' || typeof originInfo !== 'string') badChallenge('challenge: issuer_name or origin_info is not a string');
  if (typeof expiresAt !== 'string' || !rfc3339.test(expiresAt) || Number.isNaN(Date.parse(expiresAt))) badChallenge('challenge: expires_at is not an RFC 3339 time');
  return { tokenType, issuerName, originInfo, expiresAt, mac, json: goCompactJson(text) };
}

/**
 * Decodes Persona's `challenge` (PROTOCOL.md §3.2): base64url of a JSON object, kept verbatim for
 * the token. Does not check expiry (`beginPersonaIssuance` does).
 * @throws TypeError when `challenge` is not a string; RangeError when it is too long or not base64url;
 *   PrivacyPassError `bad-challenge` (not a well-formed challenge) or `unsupported-token-type` (type ≠ 2).
 * @example
 * const { mac, expiresAt } = decodePersonaChallenge(body.challenge);
 */
export function decodePersonaChallenge(challenge: string): PersonaChallenge {
  assertString(challenge, 'challenge');
  if (challenge.length > maxChallengeLength) throw new RangeError(`challenge: longer than ${maxChallengeLength} characters`);
  let text: string;
  try {
    text = fromUtf8(base64urlDecode(challenge));
  } catch (error) {
    if (error instanceof RangeError) throw new RangeError('challenge: not base64url', { cause: error });
    badChallenge('challenge: not UTF-8');
  }
  return parseChallengeJson(text);
}

/**
 * PROTOCOL.md §4.2: `0x0002 ‖ SHA-256(nonce) ‖ SHA-256(mac) ‖ SHA-256(keyId)` (98 bytes), each string
 * hashed as UTF-8 exactly as given — what is signed, and what a verifier rebuilds.
 * @throws TypeError when an argument is not a string.
 */
export async function personaTokenInput(nonce: string, mac: string, keyId: string): Promise<Uint8Array> {
  assertString(nonce, 'nonce');
  assertString(mac, 'mac');
  assertString(keyId, 'keyId');
  return concatBytes(Uint8Array.of(0, 2), ...(await Promise.all([sha256(nonce), sha256(mac), sha256(keyId)])));
}

// The token-key-id is documented as the (hex) SHA-256 of the token key (§3.2, §10): of the DER bytes
// is what vectors.json and the emulator use; the placeholder says base64url, and whether the DER or
// its base64url text is hashed is not stated, so each of those spellings is accepted.
async function checkKeyId(tokenKey: Uint8Array, keyId: string): Promise<void> {
  const spellings = (hash: Uint8Array): string[] => [bytesToHex(hash), base64urlEncode(hash)];
  const given = /^[\da-f]{64}$/i.test(keyId) ? keyId.toLowerCase() : keyId.replace(/=+$/, '');
  if (spellings(await digest('SHA-256', tokenKey)).includes(given)) return;
  if (spellings(await sha256(base64urlEncode(tokenKey))).includes(given)) return;
  throw new PrivacyPassError('key-id-mismatch', 'token-key-id is not the SHA-256 of token-key');
}

function randomNonce(): string {
  return bytesToHex(randomBytes(32));
}

// §4.4: unpadded base64url of the JSON, keys in the order Go emits them, the challenge as an object.
function encodePersonaToken(nonce: string, signature: Uint8Array, keyId: string, challengeJson: string): string {
  const json = `{"token_nonce":"${nonce}","signature":"${base64urlEncode(signature)}","key_id":${goJsonString(keyId)},"challenge":${challengeJson}}`;
  return base64urlEncode(utf8(json));
}

/**
 * Blinds a Persona token input (PROTOCOL.md §4.1–4.3: RSA-PSS SHA-384, salt 48, no message prefix)
 * for `challenge` under the claim type's `tokenKey`.
 * @throws TypeError/RangeError for ill-typed or ill-sized arguments; PrivacyPassError `bad-challenge`
 *   (malformed or expired challenge), `unsupported-token-type`, `bad-key` (not RSA 2048–4096 bits with
 *   e = 65537) or `key-id-mismatch` (`tokenKeyId` is not the SHA-256 of `tokenKey`).
 * @example
 * const pending = await beginPersonaIssuance({ challenge, tokenKey: base64urlDecode(tokenKeyB64), tokenKeyId });
 * const { 'blind-sig': blindSig } = await issue({ 'blinded-token': base64urlEncode(pending.blindedToken), 'key-id': tokenKeyId });
 * const token = await pending.finalize(base64urlDecode(blindSig)); // Authorization: PrivateToken token=${token}
 */
export async function beginPersonaIssuance(args: BeginPersonaIssuanceArgs): Promise<PendingPersonaToken> {
  assertObject(args, 'args');
  const { challenge, tokenKey, tokenKeyId, nonce = randomNonce(), now = Date.now() } = args;
  assertString(tokenKeyId, 'tokenKeyId');
  if (tokenKeyId === '' || tokenKeyId.length > maxKeyIdLength) throw new RangeError(`tokenKeyId: expected 1 to ${maxKeyIdLength} characters`);
  assertString(nonce, 'nonce');
  if (!noncePattern.test(nonce)) throw new RangeError('nonce: expected 64 lowercase hex digits');
  if (typeof now !== 'number') throw new TypeError('now: expected a number');
  if (!Number.isFinite(now)) throw new RangeError('now: not a finite time');
  const decoded = decodePersonaChallenge(challenge);
  // §4.5 step 2: Persona refuses an expired challenge at redemption, so a token made from one is wasted.
  if (Date.parse(decoded.expiresAt) <= now) badChallenge('challenge: expired');
  const key = parseRsaSpki(tokenKey);
  const [, tokenInput] = await Promise.all([checkKeyId(tokenKey, tokenKeyId), personaTokenInput(nonce, decoded.mac, tokenKeyId)]);
  const blinding = await blindEncoded(key, tokenInput, rsabssaSha384PssDeterministic, args);
  return {
    blindedToken: blinding.blindedMessage,
    async finalize(blindSig) {
      assertBytes(blindSig, 'blindSig');
      return encodePersonaToken(nonce, unblind(key, blindSig, blinding), tokenKeyId, decoded.json);
    },
  };
}

// The token's JSON, or undefined for anything that is not one (§4.4).
function decodePersonaToken(token: string): PersonaTokenFields | undefined {
  if (token.length > maxTokenLength) return undefined;
  try {
    const text = fromUtf8(base64urlDecode(token));
    const value: unknown = JSON.parse(text);
    const challengeText = memberText(text, 'challenge');
    if (!isRecord(value) || !isRecord(value.challenge) || challengeText === undefined) return undefined;
    const { token_nonce: tokenNonce, signature, key_id: keyId } = value;
    if (typeof tokenNonce !== 'string' || !noncePattern.test(tokenNonce) || typeof signature !== 'string' || typeof keyId !== 'string') return undefined;
    return { tokenNonce, signature: base64urlDecode(signature), keyId, challenge: parseChallengeJson(challengeText) };
  } catch {
    // Not base64url, UTF-8, JSON, or a well-formed challenge inside: not a token.
    return undefined;
  }
}

/**
 * The issuer's check of PROTOCOL.md §4.5 step 4: decodes a Persona token and verifies its signature
 * under `tokenKey` over the rebuilt token input. The caller checks the rest of §4.5 (the MAC, the
 * expiry, `origin_info`, the key for `keyId`, double spending).
 * @returns the token's fields, or undefined when it is malformed or its signature does not verify.
 * @throws TypeError when `token` is not a string; PrivacyPassError `bad-key` for an unusable `tokenKey`.
 * @example
 * const fields = await verifyPersonaToken(token, tokenKey);
 * if (!fields || fields.challenge.originInfo !== '/api/privacy/v1/relays') return unauthorized();
 */
export async function verifyPersonaToken(token: string, tokenKey: Uint8Array): Promise<PersonaTokenFields | undefined> {
  assertString(token, 'token');
  const key = parseRsaSpki(tokenKey);
  const fields = decodePersonaToken(token);
  if (!fields || fields.signature.length !== key.modulusBytes) return undefined;
  const input = await personaTokenInput(fields.tokenNonce, fields.challenge.mac, fields.keyId);
  return (await verify(key, input, fields.signature, rsabssaSha384PssDeterministic)) ? fields : undefined;
}
