/**
 * The app backend's routes by name (DESIGN.md "server"): method, success status and path suffix. Marked
 * pure: only the stories' fake backend and the tests read it, so app bundles drop it.
 */
export const relayRoutes = /* @__PURE__ */ Object.freeze({
  createSession: { method: 'POST', status: 201, action: undefined },
  getSession: { method: 'GET', status: 200, action: undefined },
  challenge: { method: 'POST', status: 200, action: 'challenge' },
  issue: { method: 'POST', status: 200, action: 'issue' },
  submitToken: { method: 'POST', status: 204, action: 'token' },
  redeem: { method: 'POST', status: 202, action: 'redeem' },
  cancel: { method: 'POST', status: 204, action: 'cancel' },
} as const);

/** A route of the app backend, e.g. `'challenge'` for `POST {base}/sessions/:id/challenge`. */
export type RelayRouteName = keyof typeof relayRoutes;

/** Routes that act on one session (all but `createSession`). */
export type RelaySessionRouteName = Exclude<RelayRouteName, 'createSession'>;

/** A request path matched to its route; `sessionId` is already percent-decoded. */
export type RelayRouteMatch = { name: 'createSession' } | { name: RelaySessionRouteName; sessionId: string };

/** The path of a session's routes; the id is escaped so it cannot climb out of `/sessions/`. */
export const sessionPath = (sessionId: string): string => `/sessions/${encodeURIComponent(sessionId)}`;

/** The path (below the base URL) of a route; session routes need the session id. */
export function relayRoutePath(name: 'createSession'): string;
export function relayRoutePath(name: RelaySessionRouteName, sessionId: string): string;
export function relayRoutePath(name: RelayRouteName, sessionId?: string): string {
  if (name === 'createSession') return '/sessions';
  const { action } = relayRoutes[name];
  const base = sessionPath(sessionId ?? '');
  return action ? `${base}/${action}` : base;
}

/**
 * Which route a path (below the base path, e.g. `/sessions/abc/issue`) names, whatever the method;
 * undefined for any other path (a 404). The caller compares `relayRoutes[name].method` for a 405.
 */
export function matchRelayRoute(path: string): RelayRouteMatch | undefined {
  // One leading and one trailing slash are optional; an empty segment (`/sessions//issue`) names nothing.
  const parts = path.replace(/^\//, '').replace(/\/$/, '').split('/');
  if (parts[0] !== 'sessions' || parts.length > 3 || parts.includes('')) return undefined;
  if (parts.length === 1) return { name: 'createSession' };
  let sessionId: string;
  try {
    sessionId = decodeURIComponent(parts[1] ?? '');
  } catch {
    return undefined;
  }
  if (sessionId === '') return undefined;
  if (parts.length === 2) return { name: 'getSession', sessionId };
  const name = (Object.keys(relayRoutes) as RelaySessionRouteName[]).find((route) => relayRoutes[route].action === parts[2]);
  return name ? { name, sessionId } : undefined;
}
