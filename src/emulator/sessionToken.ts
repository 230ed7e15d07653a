import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Lifetime of a relay session access token (Persona: 30 minutes). */
export const sessionTokenSeconds = 30 * 60;

/** What the hosted page learns from a session access token. */
export interface SessionClaims {
  relayToken: string;
  claimType: string;
}

/** Why a session access token was refused. */
export type SessionTokenFailure = 'expired' | 'invalid';

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
const hs256 = (input: string, secret: Uint8Array): Buffer => createHmac('sha256', secret).update(input).digest();

/** A compact JWS (RFC 7515) signed with HMAC-SHA-256 over `payload`; header `{alg: HS256, typ: JWT}`. */
export function signHs256Jwt(payload: Record<string, unknown>, secret: Uint8Array): string {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(hs256(input, secret))}`;
}

/**
 * The payload of a compact JWS whose header says HS256 and whose MAC checks out under `secret`;
 * undefined for anything else (another alg, `none`, a bad MAC, malformed parts). Claims are not checked here.
 */
export function verifyHs256Jwt(token: string, secret: Uint8Array): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const b64urlShape = /^[A-Za-z0-9_-]*$/;
  if (!b64urlShape.test(header) || !b64urlShape.test(payload) || !b64urlShape.test(signature)) return undefined;
  // MAC first, over the exact bytes received, so nothing unauthenticated is parsed.
  const expected = hs256(`${header}.${payload}`, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const head: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    if (typeof head !== 'object' || head === null || (head as { alg?: unknown }).alg !== 'HS256') return undefined;
    const body: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * HS256 session tokens with a per-process secret; time comes from the emulator clock. The payload
 * carries only an opaque random `ref` (plus iss/iat/exp, which the app backend reads for expiry):
 * the relay token it stands for stays in this process, so the browser holding the token never sees
 * it. `secret` is only for tests that need a known key.
 */
export function createSessionTokens(issuer: string, nowMs: () => number, secret: Uint8Array = new Uint8Array(randomBytes(32))) {
  const byRef = new Map<string, SessionClaims & { expiresAt: number }>();
  // Entries past exp can never verify again (exp is checked first), so dropping them changes no answer.
  const sweep = (now: number): void => {
    for (const [ref, entry] of byRef) if (now >= entry.expiresAt) byRef.delete(ref);
  };
  const resolve = (token: string): SessionClaims | SessionTokenFailure => {
    const payload = verifyHs256Jwt(token, secret);
    if (!payload || payload.iss !== issuer || typeof payload.exp !== 'number') return 'invalid';
    // RFC 7519 §4.1.4: not accepted on or after exp.
    if (Math.floor(nowMs() / 1000) >= payload.exp) return 'expired';
    const entry = typeof payload.ref === 'string' ? byRef.get(payload.ref) : undefined;
    return entry ? { relayToken: entry.relayToken, claimType: entry.claimType } : 'invalid';
  };
  return {
    sign(claims: SessionClaims): Promise<string> {
      const iat = Math.floor(nowMs() / 1000);
      const exp = iat + sessionTokenSeconds;
      sweep(iat * 1000);
      const ref = randomBytes(32).toString('base64url');
      byRef.set(ref, { relayToken: claims.relayToken, claimType: claims.claimType, expiresAt: exp * 1000 });
      return Promise.resolve(signHs256Jwt({ ref, iss: issuer, iat, exp }, secret));
    },
    verify(token: string): Promise<SessionClaims | SessionTokenFailure> {
      return Promise.resolve(resolve(token));
    },
    /** `verify` without the promise, for the synchronous test control. */
    resolve,
  };
}
