import { createHash } from 'node:crypto';

/**
 * A one-way stand-in for a session id, for log lines and events: whoever reads the logs can follow one
 * session across lines and instances, but cannot use the id, which is what the routes accept.
 * @example logger.warn('relay: redeem failed', { session: sessionRef(id) })
 */
export function sessionRef(sessionId: string): string {
  // Ids are 128 random bits, so the hash cannot be reversed by trying ids; the label keeps it distinct
  // from any other SHA-256 of the same string an app might log.
  return `sess_${createHash('sha256').update(`relay-claim-kit session ${sessionId}`).digest('base64url').slice(0, 16)}`;
}
