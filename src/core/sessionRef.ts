/**
 * The browser's one-way stand-in for a session id in `onEvent` payloads: the same value the app
 * backend logs as `sessionRef` (src/server/sessionRef.ts), so browser events and server logs correlate,
 * while whoever reads the analytics cannot replay the id the routes accept. WebCrypto, so it is async.
 */
export async function browserSessionRef(sessionId: string): Promise<string> {
  // Same label and cut as the server's derivation; change both together or the two stop matching.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`relay-claim-kit session ${sessionId}`)));
  // btoa over the 12 bytes the cut keeps (16 characters), not privacy-pass's encoder: importing that
  // would pull the Privacy Pass chunk, and its crypto, into every app's main bundle.
  const base64 = btoa(String.fromCharCode(...digest.subarray(0, 12)));
  return `sess_${base64.replaceAll('+', '-').replaceAll('/', '_')}`;
}
