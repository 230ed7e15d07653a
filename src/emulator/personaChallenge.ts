import { createHmac, timingSafeEqual } from 'node:crypto';

/** The redemption scope Persona writes into `origin_info` and checks at redemption (PROTOCOL.md §4.5 step 3). */
export const personaOriginInfo = '/api/privacy/v1/relays';

/** Persona's challenge JSON (PROTOCOL.md §3.2); other fields a client echoes are kept but not trusted. */
export interface PersonaChallengeFields {
  token_type: 2;
  issuer_name: string;
  origin_info: string;
  expires_at: string;
  mac: string;
}

const hourMs = 60 * 60 * 1000;

/**
 * `expires_at`: the next full hour at least one hour ahead (PROTOCOL.md §3.2, §12), so a challenge
 * lives one to two hours; RFC 3339 UTC without fractions, as in Persona's example.
 */
export function challengeExpiry(nowMs: number): string {
  const expires = Math.ceil((nowMs + hourMs) / hourMs) * hourMs;
  return new Date(expires).toISOString().replace('.000Z', 'Z');
}

/**
 * The MAC over the four other fields: HMAC-SHA-256 under the emulator's secret, lowercase hex.
 * Persona does not publish its algorithm or serialisation (PROTOCOL.md §11); this one is
 * unambiguous (a JSON array) and makes the 64 hex characters Persona's clients expect.
 */
export function challengeMac(secret: Uint8Array, fields: Omit<PersonaChallengeFields, 'mac'>): string {
  const input = JSON.stringify([fields.token_type, fields.issuer_name, fields.origin_info, fields.expires_at]);
  return createHmac('sha256', secret).update(input).digest('hex');
}

/** A fresh challenge, base64url JSON without padding (Go's RawURLEncoding refuses padding). */
export function makePersonaChallenge(secret: Uint8Array, issuerName: string, nowMs: number): { encoded: string; fields: PersonaChallengeFields } {
  const unsigned = { token_type: 2 as const, issuer_name: issuerName, origin_info: personaOriginInfo, expires_at: challengeExpiry(nowMs) };
  const fields: PersonaChallengeFields = { ...unsigned, mac: challengeMac(secret, unsigned) };
  return { encoded: Buffer.from(JSON.stringify(fields)).toString('base64url'), fields };
}

/** Whether a challenge object (as a token echoes it) carries this emulator's MAC over its own fields. */
export function challengeMacValid(secret: Uint8Array, challenge: Record<string, unknown>): boolean {
  const { token_type, issuer_name, origin_info, expires_at, mac } = challenge;
  if (token_type !== 2 || typeof issuer_name !== 'string' || typeof origin_info !== 'string' || typeof expires_at !== 'string' || typeof mac !== 'string') {
    return false;
  }
  const expected = Buffer.from(challengeMac(secret, { token_type, issuer_name, origin_info, expires_at }));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
