import { constants, createHash, verify, type KeyObject } from 'node:crypto';

/** The fields of Persona's Privacy Pass token (PROTOCOL.md §4.4), as the redeemer reads them. */
export interface PersonaTokenParts {
  tokenNonce: string;
  signature: Uint8Array;
  keyId: string;
  /** The challenge object the client echoed verbatim. */
  challenge: Record<string, unknown>;
}

const base64urlPattern = /^[A-Za-z0-9_-]+={0,2}$/;

function fromBase64url(value: string): Uint8Array | undefined {
  return base64urlPattern.test(value) ? new Uint8Array(Buffer.from(value, 'base64url')) : undefined;
}

/** Decodes the value after `PrivateToken token=`; undefined when it is not Persona's token JSON. */
export function parsePersonaToken(value: string): PersonaTokenParts | undefined {
  const bytes = fromBase64url(value);
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { token_nonce, signature, key_id, challenge } = json as Record<string, unknown>;
  if (typeof token_nonce !== 'string' || token_nonce === '' || token_nonce.length > 256) return undefined;
  if (typeof key_id !== 'string' || key_id === '' || key_id.length > 256) return undefined;
  if (typeof signature !== 'string') return undefined;
  if (typeof challenge !== 'object' || challenge === null || Array.isArray(challenge)) return undefined;
  const sig = fromBase64url(signature);
  if (!sig) return undefined;
  return { tokenNonce: token_nonce, signature: sig, keyId: key_id, challenge: challenge as Record<string, unknown> };
}

/** PROTOCOL.md §4.2: 0x0002 ‖ SHA-256(nonce) ‖ SHA-256(mac) ‖ SHA-256(key id), each string as UTF-8. */
export function personaTokenInput(tokenNonce: string, mac: string, keyId: string): Uint8Array {
  const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return new Uint8Array(Buffer.concat([Buffer.from([0x00, 0x02]), sha256(tokenNonce), sha256(mac), sha256(keyId)]));
}

/**
 * PROTOCOL.md §4.3: the finalized blind signature is a plain RSASSA-PSS signature (SHA-384, MGF1-SHA-384,
 * 48-byte salt) over the raw 98-byte token input, with no message prefix.
 */
export function personaSignatureValid(publicKey: KeyObject, modulusBytes: number, tokenInput: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== modulusBytes) return false;
  try {
    return verify('sha384', tokenInput, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, signature);
  } catch {
    return false;
  }
}
