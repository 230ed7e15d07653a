import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

/** Lifetime of a relay session access token (Persona: 30 minutes). */
export const sessionTokenSeconds = 30 * 60;

/** What the hosted page learns from a session access token. */
export interface SessionClaims {
  relayToken: string;
  claimType: string;
}

/** Why a session access token was refused. */
export type SessionTokenFailure = 'expired' | 'invalid';

/** HS256 session tokens with a per-process secret; time comes from the emulator clock. */
export function createSessionTokens(issuer: string, nowMs: () => number) {
  const secret = new Uint8Array(randomBytes(32));
  return {
    async sign(claims: SessionClaims): Promise<string> {
      const iat = Math.floor(nowMs() / 1000);
      return new SignJWT({ rtk: claims.relayToken, claim_type: claims.claimType })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(issuer)
        .setIssuedAt(iat)
        .setExpirationTime(iat + sessionTokenSeconds)
        .sign(secret);
    },
    async verify(token: string): Promise<SessionClaims | SessionTokenFailure> {
      try {
        const { payload } = await jwtVerify(token, secret, {
          issuer,
          algorithms: ['HS256'],
          currentDate: new Date(nowMs()),
        });
        const relayToken = payload.rtk;
        const claimType = payload.claim_type;
        if (typeof relayToken !== 'string' || typeof claimType !== 'string') return 'invalid';
        return { relayToken, claimType };
      } catch (error) {
        return error instanceof errors.JWTExpired ? 'expired' : 'invalid';
      }
    },
  };
}
