import type { ChallengeMaterials, RelayRequestOptions } from '../core/client.ts';
import { RelayProtocolError } from '../core/errors.ts';
import {
  PrivacyPassError,
  base64urlDecode,
  base64urlEncode,
  beginIssuance,
  bytesToHex,
  decodeTokenChallenge,
  tokenKeyId,
} from '../privacy-pass/index.ts';

/** The two backend calls a token needs; a `RelayClient` is one. */
export interface TokenBackend {
  challenge(sessionId: string, init?: RelayRequestOptions): Promise<ChallengeMaterials>;
  issue(sessionId: string, tokenRequest: string, init?: RelayRequestOptions): Promise<string>;
}

/** What `obtainToken` needs besides the backend. */
export interface ObtainTokenOptions {
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
    throw protocolError('bad-challenge', `${name} is not base64url`, cause);
  }
}

/**
 * One Privacy Pass token for a session, start to finish: challenge → checks → blind → issue →
 * finalize (which verifies the signature). Runs in the worker, and in-thread where there is none.
 */
export async function obtainToken(backend: TokenBackend, sessionId: string, options: ObtainTokenOptions = {}): Promise<string> {
  const { signal } = options;
  const materials = await backend.challenge(sessionId, { signal });
  const challenge = decode(materials.challenge, 'challenge');
  const tokenKey = decode(materials.tokenKey, 'tokenKey');
  try {
    // RFC 9578 §6.5: the key id names the key; a mismatch means the materials were mixed or tampered.
    if (bytesToHex(await tokenKeyId(tokenKey)) !== materials.tokenKeyId.toLowerCase()) {
      throw new PrivacyPassError('key-id-mismatch', 'token-key-id is not the SHA-256 of token-key');
    }
    if (options.expectedIssuer !== undefined && decodeTokenChallenge(challenge).issuerName !== options.expectedIssuer) {
      throw new PrivacyPassError('bad-challenge', 'the challenge names another issuer');
    }
    // beginIssuance checks the token type (0x0002) and the key (RSA, 2048–4096 bits, §6.5 parameters).
    const pending = await beginIssuance({ challenge, tokenKey });
    signal?.throwIfAborted();
    const tokenResponse = await backend.issue(sessionId, base64urlEncode(pending.tokenRequest), { signal });
    return base64urlEncode(await pending.finalize(decode(tokenResponse, 'tokenResponse')));
  } catch (error) {
    if (error instanceof PrivacyPassError) throw protocolError(error.code, error.message, error);
    if (error instanceof RangeError || error instanceof TypeError) throw protocolError('bad-response', error.message, error);
    throw error;
  }
}
