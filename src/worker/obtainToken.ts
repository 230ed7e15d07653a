import { sessionPath } from '../core/client.ts';
import { RelayProtocolError } from '../core/errors.ts';
import { requestJson, requireStrings, type BackendTarget } from '../core/request.ts';
import {
  PrivacyPassError,
  base64urlDecode,
  base64urlEncode,
  beginIssuance,
  bytesToHex,
  decodeTokenChallenge,
  tokenKeyId,
} from '../privacy-pass/index.ts';

/** Where and for which session to make a token; the backend options are a `RelayClientOptions`' own. */
export interface ObtainTokenOptions extends BackendTarget {
  sessionId: string;
  signal?: AbortSignal;
  /** When set, the challenge's issuer_name must equal it. */
  expectedIssuer?: string;
}

function protocolError(code: string, detail: string, cause?: unknown): RelayProtocolError {
  return new RelayProtocolError({ title: 'The Privacy Pass exchange failed', detail, code, cause });
}

function decode(value: string, name: string): Uint8Array {
  try {
    return base64urlDecode(value);
  } catch (cause) {
    throw protocolError(name === 'tokenResponse' ? 'bad-response' : 'bad-challenge', `${name} is not base64url`, cause);
  }
}

/**
 * One Privacy Pass token (base64url) for a session, start to finish: challenge → checks → blind →
 * issue → finalize (which verifies the signature). Runs in the worker, and in-thread where there is none.
 */
export async function obtainToken(options: ObtainTokenOptions): Promise<string> {
  const { signal, sessionId } = options;
  const materials = requireStrings(await requestJson(options, 'POST', `${sessionPath(sessionId)}/challenge`, {}, signal), ['challenge', 'tokenKey', 'tokenKeyId']);
  const challenge = decode(materials.challenge, 'challenge');
  const tokenKey = decode(materials.tokenKey, 'tokenKey');
  try {
    // RFC 9578 §6.5: the key id names the key; a mismatch means the materials were mixed or tampered.
    if (bytesToHex(await tokenKeyId(tokenKey)) !== materials.tokenKeyId.toLowerCase()) {
      throw new PrivacyPassError('key-id-mismatch', 'token-key-id is not the SHA-256 of token-key');
    }
    // RFC 9577 §2.1.1: a token is only good for the issuer the origin named.
    if (options.expectedIssuer !== undefined && decodeTokenChallenge(challenge).issuerName !== options.expectedIssuer) {
      throw new PrivacyPassError('bad-challenge', 'the challenge names another issuer');
    }
    // beginIssuance checks the token type (0x0002) and the key (RSA, 2048–4096 bits, §6.5 parameters).
    const pending = await beginIssuance({ challenge, tokenKey });
    signal?.throwIfAborted();
    const issued = await requestJson(options, 'POST', `${sessionPath(sessionId)}/issue`, { tokenRequest: base64urlEncode(pending.tokenRequest) }, signal);
    const { tokenResponse } = requireStrings(issued, ['tokenResponse']);
    return base64urlEncode(await pending.finalize(decode(tokenResponse, 'tokenResponse')));
  } catch (error) {
    if (error instanceof PrivacyPassError) throw protocolError(error.code, error.message, error);
    if (error instanceof RangeError || error instanceof TypeError) throw protocolError('bad-response', error.message, error);
    throw error;
  }
}
