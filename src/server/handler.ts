import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { RelayClaim } from '../wire/types.ts';
import { sameSubject, type BindingCookieOptions, type RelayAuthorize } from './binding.ts';
import type { HandlerContext, RelayLogger, RelaySessionView } from './context.ts';
import { MemoryStore } from './memoryStore.ts';
import type { RelayProtocol } from './persona.ts';
import { createRateLimiter, type RateLimitOptions } from './rateLimit.ts';
import { createRedeemer, type ReconcileReport } from './redeem.ts';
import { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
import { createRoutes } from './routes.ts';
import { createSessions, finalStatuses } from './sessions.ts';
import type { RelayStore } from './store.ts';

export type { RelayLogger, RelaySessionView } from './context.ts';
export type { RelayProtocol } from './persona.ts';
export type { ReconcileReport } from './redeem.ts';

/** Options of `createRelayHandler`. `apiKey` and `claimTypes` are required. */
export interface RelayHandlerOptions {
  /** Persona API key (server-side only). In the persona profile only issuance carries it. */
  apiKey: string;
  /** Which wire Persona speaks: `persona` (default, PROTOCOL.md) or `rfc9578` (RFC 9577/9578 formats under `/api/v1`). */
  protocol?: RelayProtocol;
  /** Persona's base URL, or the emulator's; default `https://api.withpersona.com`. */
  personaBaseUrl?: string;
  /** rfc9578 only: the Privacy Pass issuer; default `${personaBaseUrl}/api/v1/token-request`. */
  issuerUrl?: string;
  /** RSA private key, 2048–4096 bits (KeyObject or PEM). Its public half goes to Persona, which then encrypts payloads (RSA-OAEP SHA-256). */
  encryptionKey?: KeyObject | string;
  /** Default: a `MemoryStore`. Use `RedisStore` for several instances. */
  store?: RelayStore;
  /** Where the routes live; default `/api/relay`. */
  basePath?: string;
  /**
   * What this app verifies: the claim types a browser may ask for, as a list or per request and subject.
   * The browser's choice is never trusted: an app gating 21+ lists only its 21+ type.
   */
  claimTypes: readonly string[] | ((request: Request, subject: string) => readonly string[] | Promise<readonly string[]>);
  /**
   * Who is asking, on every route (the app's login): the session is made for that subject and only that
   * subject may use it. Without it, sessions are bound to the creating browser by an HttpOnly cookie.
   */
  authorize?: RelayAuthorize;
  /** The browser binding cookie's attributes, when there is no `authorize`. */
  bindingCookie?: BindingCookieOptions;
  /** Session creations per subject (or client address) and window; default 10 a minute. `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** The client's address for the rate limit behind a proxy; default the socket's peer under `toNodeListener`. */
  clientAddress?: (request: Request) => string | undefined;
  /** Origins besides the request's own host that may call the routes (a front end on another host). */
  allowedOrigins?: readonly string[];
  /** How long a session whose inquiry never started (no challenge asked) is kept; default 10 min. */
  unstartedSessionTtlMs?: number;
  /** Sent as `Persona-Version`. */
  personaVersion?: string;
  /** Sent as `Key-Inflection`; answers are read in any inflection. */
  keyInflection?: 'camel' | 'kebab' | 'snake';
  /** The result the app should trust, on the server, when the claim is final: delivered at least once (retried until it resolves; keyed by `session.sessionId`, so make it idempotent). */
  onClaim?: (session: RelaySessionView, claim: RelayClaim) => void | Promise<void>;
  fetch?: typeof fetch;
  logger?: RelayLogger;
  /** generate-claim retries: backoff, cap and total deadline. */
  retry?: Partial<RetryPolicy>;
  /** Per upstream request; default 10 s. */
  requestTimeoutMs?: number;
  /** The issue route signs whatever it is given, so it is capped per session; default 3. */
  maxIssuancesPerSession?: number;
  /** How long the redeem answer waits for the claim before answering `redeeming`; default 150 ms, 0 answers at once. */
  redeemWaitMs?: number;
  /** The redeem lock's lease, renewed while its instance lives: a dead instance's redeem is taken over by a poll this soon. Default 5 s. */
  redeemLeaseMs?: number;
  /** Runs `reconcile()` this often (ms) on a timer that never keeps the process alive; default off. */
  reconcileIntervalMs?: number;
  /** Injected clock (ms since epoch). */
  now?: () => number;
}

/** A fetch-style handler with the server-side reads an app needs. */
export interface RelayHandler {
  (request: Request): Promise<Response>;
  /** The server-side truth for a session (undefined when unknown). */
  getSession(sessionId: string): Promise<RelaySessionView | undefined>;
  /**
   * A final session with its claim, once, to the subject it was made for: for an app that is handed a
   * session id later (a form, a redirect). Undefined when unknown, not final, another subject's, or used.
   */
  consume(sessionId: string, subject: string): Promise<RelaySessionView | undefined>;
  /**
   * Finishes sessions whose browser went away: redeems those holding a token (backing off while Persona
   * says "not yet available", until the relay expires) and re-delivers claims `onClaim` never acknowledged.
   * Safe on every instance at once: one wins per session. Resolves when this pass's redeems have settled.
   */
  reconcile(): Promise<ReconcileReport>;
  /** Resolves once every redeem started so far has settled (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Frees the store's timers and connections when the handler created the store. */
  close(): Promise<void>;
}

/**
 * The decryption key, checked now: Persona takes 2048–4096-bit RSA keys only (PROTOCOL.md §5.4), and a key
 * it refuses would otherwise fail every session later, in the browser.
 * @throws TypeError when it is not an RSA private key; RangeError when its size is outside 2048–4096 bits.
 */
function readEncryptionKey(key: KeyObject | string | undefined): KeyObject | undefined {
  if (key === undefined) return undefined;
  let privateKey: KeyObject;
  try {
    privateKey = typeof key === 'string' ? createPrivateKey(key) : key;
  } catch {
    throw new TypeError('encryptionKey must be an RSA private key (PEM or KeyObject)');
  }
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') throw new TypeError('encryptionKey must be an RSA private key (PEM or KeyObject)');
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048 || bits > 4096) throw new RangeError(`encryptionKey must have 2048 to 4096 bits, not ${String(bits)}`);
  return privateKey;
}

/**
 * The app backend's relay routes (DESIGN.md "server") as a fetch-style handler. It holds the API key,
 * the relay secrets and the decryption key; the browser only ever sees a session id.
 * @throws TypeError / RangeError for an unusable `encryptionKey`.
 */
export function createRelayHandler(options: RelayHandlerOptions): RelayHandler {
  const now = options.now ?? Date.now;
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryStore({ now });
  const privateKey = readEncryptionKey(options.encryptionKey);
  const baseUrl = (options.personaBaseUrl ?? 'https://api.withpersona.com').replace(/\/+$/, '');
  const rule: unknown = options.claimTypes;
  if (typeof rule !== 'function' && !(Array.isArray(rule) && rule.every((t) => typeof t === 'string'))) {
    throw new TypeError('claimTypes is required: the claim types this app verifies (a list, or (request, subject) => list)');
  }
  const claimTypes = options.claimTypes;
  const limiter = options.rateLimit === false
    ? undefined
    : createRateLimiter(store, options.rateLimit ?? {}, () => options.logger?.warn('relay: the store has no increment(); the rate limit counts per process, not across instances'));
  const ctx: HandlerContext = {
    store,
    now,
    policy: { ...defaultRetryPolicy, ...options.retry },
    persona: {
      protocol: options.protocol ?? 'persona',
      apiKey: options.apiKey,
      baseUrl,
      issuerUrl: options.issuerUrl ?? `${baseUrl}/api/v1/token-request`,
      personaVersion: options.personaVersion,
      keyInflection: options.keyInflection,
      fetch: options.fetch ?? globalThis.fetch,
      timeoutMs: options.requestTimeoutMs ?? 10_000,
    },
    ...(options.logger ? { logger: options.logger } : {}),
    publicPem: privateKey ? (createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string) : null,
    ...(privateKey ? { privateKey } : {}),
    maxIssuances: options.maxIssuancesPerSession ?? 3,
    redeemWaitMs: options.redeemWaitMs ?? 150,
    claimTypesFor: async (request, subject) => (typeof claimTypes === 'function' ? claimTypes(request, subject) : claimTypes),
    ...(options.authorize ? { authorize: options.authorize } : {}),
    ...(options.bindingCookie ? { bindingCookie: options.bindingCookie } : {}),
    ...(limiter ? { limiter } : {}),
    ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}),
    allowedOrigins: options.allowedOrigins ?? [],
    unstartedTtlMs: options.unstartedSessionTtlMs ?? 10 * 60_000,
    ...(options.onClaim ? { onClaim: options.onClaim } : {}),
  };
  const sessions = createSessions(ctx);
  const redeemer = createRedeemer(ctx, sessions, options.redeemLeaseMs === undefined ? {} : { leaseMs: options.redeemLeaseMs });
  let reconciling: Promise<unknown> | undefined;
  const reconcileTimer = options.reconcileIntervalMs
    ? setInterval(() => {
      // One pass at a time per instance; a pass that throws (store away) is simply tried again next tick.
      reconciling ??= redeemer.reconcile().catch(() => undefined).finally(() => { reconciling = undefined; });
    }, options.reconcileIntervalMs)
    : undefined;
  (reconcileTimer as { unref?: () => void } | undefined)?.unref?.();
  const handler = createRoutes(ctx, (options.basePath ?? '/api/relay').replace(/\/+$/, ''), sessions, redeemer);
  return Object.assign(handler, {
    async getSession(sessionId: string) {
      const record = await sessions.find(sessionId);
      return record ? sessions.view(record) : undefined;
    },
    async consume(sessionId: string, subject: string) {
      const used = await sessions.update(sessionId, (record) => {
        const final = record.claim !== undefined && finalStatuses.includes(sessions.statusOf(record));
        return final && !record.consumed && sameSubject(record.subject, subject) ? { ...record, consumed: true } : undefined;
      });
      return used ? sessions.view(used) : undefined;
    },
    reconcile: () => redeemer.reconcile(),
    idle: () => redeemer.idle(),
    async close() {
      clearInterval(reconcileTimer);
      redeemer.stop();
      await reconciling;
      await redeemer.idle();
      await limiter?.close();
      if (ownsStore) await store.close?.();
    },
  });
}
