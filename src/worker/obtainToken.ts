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
import { parseChallengeMaterials, parseIssueAnswer } from '../wire/answers.ts';
import { RelayProtocolError, type RelayErrorCode } from '../wire/errors.ts';
import { expectAnswer, requestJson, type BackendTarget } from '../wire/request.ts';
import type { WireResult } from '../wire/result.ts';

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

function checkIssuer(issuerName: string, expected: string | undefined): void {
  // A token is only good for the issuer the app trusts: a backend cannot swap in an issuer of its own.
  if (expected !== undefined && issuerName !== expected) throw protocolError('unexpected-issuer', 'the challenge names another issuer');
}

/**
 * One Privacy Pass token for a session, start to finish: challenge → checks → blind → issue →
 * finalize (which verifies the signature), in the profile the challenge answer names. Returns
 * persona's PrivateToken value or RFC 9577's Token as base64url. Runs in the worker, and in-thread
 * where there is none.
 */
export async function obtainToken(options: ObtainTokenOptions): Promise<string> {
  const { sessionId, signal, expectedIssuer } = options;
  // The two session routes of wire/routes.ts, written out: its route table (the server's) would
  // otherwise ship in the worker. The tests run this against the real handler, so a drift fails them.
  const post = async <T>(action: 'challenge' | 'issue', body: object, parse: (body: unknown) => WireResult<T>): Promise<T> =>
    expectAnswer(await requestJson(options, 'POST', `/sessions/${encodeURIComponent(sessionId)}/${action}`, body, signal), parse);
  // Sends persona's blinded token or RFC 9578's TokenRequest; returns the issuer's answer as bytes.
  const issue = async (blinded: Uint8Array): Promise<Uint8Array> =>
    decode((await post('issue', { tokenRequest: base64urlEncode(blinded) }, parseIssueAnswer)).tokenResponse, 'tokenResponse', 'bad-response');

  const materials = await post('challenge', {}, parseChallengeMaterials);
  const tokenKey = decode(materials.tokenKey, 'tokenKey', 'bad-challenge');
  try {
    if (materials.protocol === 'persona') {
      // PROTOCOL.md §3–4: JSON challenge → blinded token → blind signature → PrivateToken value.
      let issuerName: string;
      try {
        ({ issuerName } = decodePersonaChallenge(materials.challenge));
      } catch (error) {
        // A challenge that is not base64url JSON is a bad challenge, not a bad issuer answer.
        throw error instanceof PrivacyPassError ? error : protocolError('bad-challenge', (error as Error).message, error);
      }
      checkIssuer(issuerName, expectedIssuer ?? personaIssuerName);
      // Checks the token type, the expiry, the key (RSA, e = 65537, 2048–4096 bits) and that
      // token-key-id is the SHA-256 of token-key.
      const pending = await beginPersonaIssuance({ challenge: materials.challenge, tokenKey, tokenKeyId: materials.tokenKeyId });
      return await pending.finalize(await issue(pending.blindedToken));
    }
    // RFC 9578 §6: TokenChallenge → TokenRequest → TokenResponse → Token (base64url).
    const challenge = decode(materials.challenge, 'challenge', 'bad-challenge');
    // §6.5: the key id names the key; a mismatch means the materials were mixed or tampered.
    if (bytesToHex(await tokenKeyId(tokenKey)) !== materials.tokenKeyId.toLowerCase()) {
      throw protocolError('key-id-mismatch', 'token-key-id is not the SHA-256 of token-key');
    }
    // RFC 9577 §2.1.1: a token is only good for the issuer the origin named (no check without one).
    if (expectedIssuer !== undefined) checkIssuer(decodeTokenChallenge(challenge).issuerName, expectedIssuer);
    // beginIssuance checks the token type (0x0002) and the key (RSA, 2048–4096 bits, §6.5 parameters).
    const pending = await beginIssuance({ challenge, tokenKey });
    return base64urlEncode(await pending.finalize(await issue(pending.tokenRequest)));
  } catch (error) {
    if (error instanceof PrivacyPassError) throw protocolError(error.code, error.message, error);
    if (error instanceof RangeError || error instanceof TypeError) throw protocolError('bad-response', error.message, error);
    throw error;
  }
}
