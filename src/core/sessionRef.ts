import { base64urlEncode } from '../privacy-pass/index.ts';

/**
 * The browser's one-way stand-in for a session id in `onEvent` payloads: the same value the app
 * backend logs as `sessionRef` (src/server/sessionRef.ts), so browser events and server logs correlate,
 * while whoever reads the analytics cannot replay the id the routes accept. WebCrypto, so it is async.
 */
export async function browserSessionRef(sessionId: string): Promise<string> {
  // Same label and cut as the server's derivation; change both together or the two stop matching.
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`relay-claim-kit session ${sessionId}`));
  return `sess_${base64urlEncode(new Uint8Array(digest)).slice(0, 16)}`;
}
