/** The fields of Persona's Privacy Pass token (PROTOCOL.md §4.4) that the redeemer checks before the signature. */
export interface PersonaTokenParts {
  tokenNonce: string;
  keyId: string;
  /** The challenge object the client echoed verbatim. */
  challenge: Record<string, unknown>;
}

const base64urlPattern = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Decodes the value after `PrivateToken token=` far enough for PROTOCOL.md §4.5 steps 1–3 and the key
 * lookup; undefined when it is not Persona's token JSON. The signature is `verifyPersonaToken`'s job.
 */
export function parsePersonaToken(value: string): PersonaTokenParts | undefined {
  if (!base64urlPattern.test(value) || value.length > 16_384) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'base64url')));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const { token_nonce, signature, key_id, challenge } = json as Record<string, unknown>;
  if (typeof token_nonce !== 'string' || token_nonce === '' || token_nonce.length > 256) return undefined;
  if (typeof key_id !== 'string' || key_id === '' || key_id.length > 256) return undefined;
  if (typeof signature !== 'string') return undefined;
  if (typeof challenge !== 'object' || challenge === null || Array.isArray(challenge)) return undefined;
  return { tokenNonce: token_nonce, keyId: key_id, challenge: challenge as Record<string, unknown> };
}
