import { base64urlDecode, base64urlEncode } from '../privacy-pass/index.ts';
import { HttpError } from './http.ts';
import type { RelayProtocol } from './persona.ts';

const base64urlPattern = /^[A-Za-z0-9_-]+={0,2}$/;
/** A persona token carries a ~300-byte challenge and a signature of at most 512 bytes: 4 kB of text is ample. */
const maxPersonaTokenChars = 4096;
/** RFC 9578 §6.3 Token: type, nonce, challenge digest, key id, then a 256–512-byte authenticator. */
const rfcTokenBytes = { min: 2 + 32 + 32 + 32 + 256, max: 2 + 32 + 32 + 32 + 512 };

/** A token the redeem route accepted, as it goes after `PrivateToken token=`, and when it stops being spendable. */
export interface RedeemToken {
  value: string;
  /** Epoch ms: the challenge's `expires_at` (persona, PROTOCOL.md §4.5 step 2); undefined when the format has none. */
  expiresAt?: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function bad(detail: string): never {
  throw new HttpError(400, 'Bad Request', detail);
}

/** PROTOCOL.md §4.4: base64url of `{token_nonce, signature, key_id, challenge}`; only the shape is checked, Persona verifies. */
function readPersonaToken(value: string): RedeemToken {
  if (value.length > maxPersonaTokenChars || !base64urlPattern.test(value)) bad('token must be a base64url Privacy Pass token');
  let fields: unknown;
  try {
    fields = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64urlDecode(value)));
  } catch {
    bad('token is not a Privacy Pass token');
  }
  if (!isRecord(fields)) bad('token is not a Privacy Pass token');
  const { token_nonce: nonce, signature, key_id: keyId, challenge } = fields;
  if (typeof nonce !== 'string' || !/^[0-9a-f]{64}$/.test(nonce)) bad('token_nonce must be 64 lowercase hex digits');
  if (typeof signature !== 'string' || !base64urlPattern.test(signature) || signature.length > 700) bad('signature must be base64url');
  if (typeof keyId !== 'string' || keyId === '' || keyId.length > 256) bad('key_id is missing');
  if (!isRecord(challenge) || typeof challenge.mac !== 'string') bad('challenge is missing');
  const expiresAt = typeof challenge.expires_at === 'string' ? Date.parse(challenge.expires_at) : Number.NaN;
  return { value, ...(Number.isNaN(expiresAt) ? {} : { expiresAt }) };
}

/** The redeem body's `token` in the handler's profile; a 400 for anything else. */
export function readRedeemToken(protocol: RelayProtocol, value: unknown): RedeemToken {
  if (typeof value !== 'string') bad('token must be a string');
  if (protocol === 'persona') return readPersonaToken(value);
  if (!base64urlPattern.test(value) || value.length > Math.ceil((rfcTokenBytes.max * 4) / 3) + 2) bad('token must be a base64url string');
  const bytes = base64urlDecode(value);
  if (bytes.length < rfcTokenBytes.min || bytes.length > rfcTokenBytes.max) bad('token has the wrong length');
  return { value: base64urlEncode(bytes) };
}

/** When a token kept for later stops being spendable: persona's challenge expiry, else the store's default. */
export function tokenExpiry(protocol: RelayProtocol, value: string): number | undefined {
  if (protocol !== 'persona') return undefined;
  try {
    return readPersonaToken(value).expiresAt;
  } catch {
    return undefined;
  }
}
