/**
 * The peer address of a request that came through `toNodeListener`. A fetch `Request` has no socket,
 * so the listener notes the address here, keyed by the Request object it built.
 */
const addresses = new WeakMap<Request, string>();

/** Remembers the socket's peer address for `request` (called by `toNodeListener`). */
export function rememberClientAddress(request: Request, address: string | undefined): void {
  if (address) addresses.set(request, address);
}

/** The socket's peer address of `request`, when it came through `toNodeListener`; otherwise undefined. */
export function socketAddressOf(request: Request): string | undefined {
  return addresses.get(request);
}
