import type { IncomingMessage } from 'node:http';

/**
 * The Node request behind a fetch `Request` built by `toNodeListener`. A `Request` has no socket and no
 * framework state, so the listener notes its origin here, keyed by the Request object it built.
 */
const nodeRequests = new WeakMap<Request, IncomingMessage>();

/** Remembers the Node request `request` was built from (called by `toNodeListener`). */
export function rememberNodeRequest(request: Request, req: IncomingMessage): void {
  nodeRequests.set(request, req);
}

/**
 * The Node request (Express's `req`, with what middleware put on it: `req.user`, `req.session`) behind a
 * Request that came through `toNodeListener`; undefined for any other Request.
 * @example authorize: (request) => { const user = (nodeRequestOf(request) as express.Request | undefined)?.user; … }
 */
export function nodeRequestOf(request: Request): IncomingMessage | undefined {
  return nodeRequests.get(request);
}

/** The socket's peer address of `request`, when it came through `toNodeListener`; otherwise undefined. */
export function socketAddressOf(request: Request): string | undefined {
  return nodeRequests.get(request)?.socket.remoteAddress;
}
