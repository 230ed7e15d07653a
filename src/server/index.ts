/**
 * relay-claim-kit/server: the app backend's side. It holds the Persona API key, the relay secrets and
 * the decryption key, and tells the app (through `onClaim` and `getSession`) what Persona decided.
 */
export { createRelayHandler, type RelayHandler, type RelayHandlerOptions, type ReconcileReport, type RelayLogger, type RelaySessionView } from './handler.ts';
export { MemoryStore, type MemoryStoreOptions } from './memoryStore.ts';
export { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
export type { RateWindow, RelayStore, SessionRecord } from './store.ts';
export { bindingCookieName, type BindingCookieOptions, type RelayAuthorize, type RelaySubject } from './binding.ts';
export { defaultRateLimit, type RateLimitOptions } from './rateLimit.ts';
export { nodeRequestOf } from '../shared/clientAddress.ts';
export { toNodeListener, type FetchHandler, type NodeListener, type NodeListenerOptions } from '../shared/nodeListener.ts';
export { BodyTimeoutError } from '../shared/bodyTimeoutError.ts';
