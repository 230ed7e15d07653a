import {
  PrivacyPassError,
  base64urlDecode,
  base64urlEncode,
  beginIssuance,
  beginPersonaIssuance,
  bytesToHex,
  decodePersonaChallenge,
  decodeTokenChallenge,
  tokenKeyId,
} from '../privacy-pass/index.ts';
import { createRelayClient, type RelayClient } from '../wire/client.ts';
import { RelayProtocolError, type RelayErrorCode } from '../wire/errors.ts';
import type { BackendTarget } from '../wire/request.ts';
import type { ChallengeMaterials } from '../wire/types.ts';

/** Where and for which session to make a token; the backend options are a `RelayClientOptions`' own. */
export interface ObtainTokenOptions extends BackendTarget {
  sessionId: string;
  signal?: AbortSignal;
  /**
   * The issuer_name the challenge must carry. Default for the persona profile: Persona's own
   * (`withpersona.com/api/v1/privacy-passes`, PROTOCOL.md §3.2); for rfc9578: no check.
   */
  expectedIssuer?: string;
}

/** Persona's issuer_name (PROTOCOL.md §3.2): the issuance endpoint its challenges name. */
export const personaIssuerName = 'withpersona.com/api/v1/privacy-passes';

function protocolError(code: RelayErrorCode, detail: string, cause?: unknown): RelayProtocolError {
  return new RelayProtocolError({ title: 'The Privacy Pass exchange failed', detail, code, cause });
}

function decode(value: string, name: string, code: RelayErrorCode): Uint8Array {
  try {
    return base64urlDecode(value);
  } catch (cause) {
    throw protocolError(code, `${name} is not base64url`, cause);
  }
}

/** RFC 9578 §6: TokenChallenge → TokenRequest → TokenResponse → Token (base64url). */
async function rfc9578Token(client: RelayClient, materials: ChallengeMaterials, options: ObtainTokenOptions): Promise<string> {
  const { sessionId, signal } = options;
  const challenge = decode(materials.challenge, 'challenge', 'bad-challenge');
  const tokenKey = decode(materials.tokenKey, 'tokenKey', 'bad-challenge');
  // RFC 9578 §6.5: the key id names the key; a mismatch means the materials were mixed or tampered.
  if (bytesToHex(await tokenKeyId(tokenKey)) !== materials.tokenKeyId.toLowerCase()) {
    throw protocolError('key-id-mismatch', 'token-key-id is not the SHA-256 of token-key');
  }
  // RFC 9577 §2.1.1: a token is only good for the issuer the origin named.
  if (options.expectedIssuer !== undefined && decodeTokenChallenge(challenge).issuerName !== options.expectedIssuer) {
    throw protocolError('unexpected-issuer', 'the challenge names another issuer');
  }
  // beginIssuance checks the token type (0x0002) and the key (RSA, 2048–4096 bits, §6.5 parameters).
  const pending = await beginIssuance({ challenge, tokenKey });
  signal?.throwIfAborted();
  const tokenResponse = await client.issue(sessionId, base64urlEncode(pending.tokenRequest), { signal });
  return base64urlEncode(await pending.finalize(decode(tokenResponse, 'tokenResponse', 'bad-response')));
}

/** PROTOCOL.md §3–4: JSON challenge → blinded token → blind signature → PrivateToken value. */
async function personaToken(client: RelayClient, materials: ChallengeMaterials, options: ObtainTokenOptions): Promise<string> {
  const { sessionId, signal } = options;
  let issuerName: string;
  try {
    ({ issuerName } = decodePersonaChallenge(materials.challenge));
  } catch (error) {
    // A challenge that is not base64url JSON is a bad challenge, not a bad issuer answer.
    if (error instanceof RangeError || error instanceof TypeError) throw protocolError('bad-challenge', error.message, error);
    throw error;
  }
  // A token is only good for the issuer the app trusts: a backend cannot swap in an issuer of its own.
  if (issuerName !== (options.expectedIssuer ?? personaIssuerName)) {
    throw protocolError('unexpected-issuer', 'the challenge names another issuer');
  }
  // beginPersonaIssuance checks the token type, the expiry, the key (RSA, e = 65537, 2048–4096 bits)
  // and that token-key-id is the SHA-256 of token-key.
  const pending = await beginPersonaIssuance({
    challenge: materials.challenge,
    tokenKey: decode(materials.tokenKey, 'tokenKey', 'bad-challenge'),
    tokenKeyId: materials.tokenKeyId,
  });
  signal?.throwIfAborted();
  const blindSig = await client.issue(sessionId, base64urlEncode(pending.blindedToken), { signal });
  return pending.finalize(decode(blindSig, 'tokenResponse', 'bad-response'));
}

/**
 * One Privacy Pass token for a session, start to finish: challenge → checks → blind → issue →
 * finalize (which verifies the signature), in the profile the challenge answer names. Returns
 * persona's PrivateToken value or RFC 9577's Token as base64url. Runs in the worker, and in-thread
 * where there is none.
 */
export async function obtainToken(options: ObtainTokenOptions): Promise<string> {
  const client = createRelayClient(options);
  const materials = await client.challenge(options.sessionId, { signal: options.signal });
  try {
    return await (materials.protocol === 'persona' ? personaToken : rfc9578Token)(client, materials, options);
  } catch (error) {
    if (error instanceof PrivacyPassError) throw protocolError(error.code, error.message, error);
    if (error instanceof RangeError || error instanceof TypeError) throw protocolError('bad-response', error.message, error);
    throw error;
  }
}
