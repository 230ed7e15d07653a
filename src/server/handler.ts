import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { RelayClaim } from '../wire/types.ts';
import type { HandlerContext, RelayLogger, RelaySessionView } from './context.ts';
import { MemoryStore } from './memoryStore.ts';
import type { RelayProtocol } from './persona.ts';
import { createRedeemer, type ReconcileReport } from './redeem.ts';
import { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
import { createRoutes } from './routes.ts';
import { createSessions } from './sessions.ts';
import type { RelayStore } from './store.ts';

export type { RelayLogger, RelaySessionView } from './context.ts';
export type { RelayProtocol } from './persona.ts';
export type { ReconcileReport } from './redeem.ts';

/** Options of `createRelayHandler`. Only `apiKey` is required. */
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
  /** A list, or a test; default any `^[a-z0-9_]{1,64}$` (Persona adds claim types without notice). */
  allowedClaimTypes?: readonly string[] | ((claimType: string) => boolean);
  /** Sent as `Persona-Version`. */
  personaVersion?: string;
  /** Sent as `Key-Inflection`; answers are read in any inflection. */
  keyInflection?: 'camel' | 'kebab' | 'snake';
  /** Fires once per session, on the server, when the claim is final: the result the app should trust. */
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
  const rule = options.allowedClaimTypes;
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
    allowed: (claimType) => (typeof rule === 'function' ? rule(claimType) : rule ? rule.includes(claimType) : /^[a-z0-9_]{1,64}$/.test(claimType)),
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
    reconcile: () => redeemer.reconcile(),
    idle: () => redeemer.idle(),
    async close() {
      clearInterval(reconcileTimer);
      redeemer.stop();
      await reconciling;
      await redeemer.idle();
      if (ownsStore) await store.close?.();
    },
  });
}
