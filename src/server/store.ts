import { RelayError } from '../wire/errors.ts';
import type { RelayClaim, RelaySessionStatus } from '../wire/types.ts';

/** Code carried by every `StoreUnavailableError`. */
export const storeUnavailableCode = 'store-unavailable';

/**
 * A store could not answer (Redis down, slow, or holding a record it cannot read). The handler answers
 * 503 + Retry-After for it. The message stays generic: a Redis error can quote the URL and its password.
 */
export class StoreUnavailableError extends RelayError {
  override name = 'StoreUnavailableError';
  constructor(detail?: string, cause?: unknown) {
    super({ status: 503, title: 'Session store unavailable', ...(detail ? { detail } : {}), code: storeUnavailableCode, cause });
  }
}

/** Everything the app's server keeps about one session. Holds the relay secret: never serialise it to a client. */
export interface SessionRecord {
  id: string;
  claimType: string;
  relayToken: string;
  relaySecret: string;
  sessionAccessToken: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  status: RelaySessionStatus;
  claim?: RelayClaim;
  error?: { status: number; title: string; detail?: string; requestId?: string };
  /** Issuances served for this session (the issue route is a signing oracle, so it is capped). */
  issued: number;
  /** Bumped on every write; `compareAndSet` uses it so concurrent instances never both win. */
  version: number;
  /** persona profile: the `token-key-id` of the last challenge, which issuance must name. */
  tokenKeyId?: string;
  /** Persona's Request-Id of the generate-claim call that gave `claim`. */
  claimRequestId?: string;
  /** Set once `onClaim` has fired, so it fires once across instances. */
  notified?: boolean;
  /** Whom the session was made for (`authorize`'s subject, or a hash of the browser's binding cookie): only they may use it. */
  subject?: string;
  /** Set by `handler.consume`: the app has used this result once, and will not be given it again. */
  consumed?: boolean;
  /** The browser asked for a challenge: the inquiry is under way, so the session keeps its whole lifetime. */
  started?: boolean;
  /** The browser's finished token (`POST …/token`, or the redeem body): the server can redeem it after the tab closed. */
  token?: string;
  /**
   * The token a generate-claim call is about to carry, written before the call: whoever takes the redeem
   * over replays this token (and so its Idempotency-Key) instead of spending another one.
   */
  spendingToken?: string;
  /** The browser said the person completed the inquiry (it asked to redeem). */
  completed?: boolean;
  /** Epoch ms before which `reconcile` leaves this session alone (it backs off on "not yet available"). */
  reconcileAt?: number;
  /** `reconcile` attempts so far, for its backoff. */
  reconcileAttempts?: number;
}

/** One rate-limit window as `RelayStore.increment` reports it. */
export interface RateWindow {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window closes and the count starts again. */
  resetInMs: number;
}

/**
 * Where sessions, redeem locks and unspent tokens live. Small enough for Redis: every method is one
 * atomic operation there, so several app instances can share one store. A method that cannot reach
 * its backend throws `StoreUnavailableError` (the handler answers 503 + Retry-After).
 */
export interface RelayStore {
  /** The record, or undefined when unknown or expired. */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Writes a new record; false when the id already exists. */
  create(record: SessionRecord, ttlMs: number): Promise<boolean>;
  /** Writes `next` only if the stored version is still `expectedVersion`; true when written. */
  compareAndSet(next: SessionRecord, expectedVersion: number, ttlMs: number): Promise<boolean>;
  /**
   * Takes a lock named `key` for `ttlMs`; true for exactly one caller until it expires or is released.
   * `owner` names the holder, so only it can `renew` or `release` the lock (a lapsed owner cannot free a successor's lock).
   */
  acquire(key: string, ttlMs: number, owner?: string): Promise<boolean>;
  /** Releases a lock taken with `acquire`; with `owner`, only if that owner still holds it. */
  release(key: string, owner?: string): Promise<void>;
  /**
   * Extends a lock `owner` still holds to `ttlMs` from now; false when it lapsed or another holds it.
   * Optional: without it the redeem lock is taken for the whole redeem deadline (a dead owner's redeem is taken over later).
   */
  renew?(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Puts a session on the list `reconcile` walks (it holds a token, or an undelivered claim) until `untilMs` (epoch). */
  addPending?(id: string, untilMs: number): Promise<void>;
  /** Up to `limit` session ids on that list whose `untilMs` has not passed (lapsed ones are dropped). */
  listPending?(limit: number): Promise<string[]>;
  /** Takes a session off that list. */
  removePending?(id: string): Promise<void>;
  /** Keeps an unspent token (refunded, or left by an error) for the next session of `claimType`. */
  pushRefund(claimType: string, token: string, ttlMs: number): Promise<void>;
  /** Hands out one refunded token of `claimType`, each to one caller only. */
  popRefund(claimType: string): Promise<string | undefined>;
  /**
   * Counts one hit on `key` in a fixed window of `windowMs` that the first hit opens; answers the count
   * so far and the time left in the window. Optional: without it the handler's rate limit counts per
   * process, which does not hold across instances.
   */
  increment?(key: string, windowMs: number): Promise<RateWindow>;
  /** Frees timers and connections. */
  close?(): Promise<void>;
}
