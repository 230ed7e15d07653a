import { RelayApiError, RelayNetworkError, RelayTimeoutError } from '../wire/errors.ts';

/** Statuses that say "not now" rather than "no": the store or Persona is away for a moment, or busy. */
const transientStatuses: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);
/** A `Retry-After` longer than this is read as this: the session's own deadline bounds the waiting anyway. */
const maxHintMs = 30_000;

/**
 * How long to wait before asking again after `error`, when it is transient (no answer, a timeout, or
 * 408/429/502/503/504, e.g. the backend's 503 while its Redis is down); undefined when it is final.
 * The server's `Retry-After` (carried as `meta.retryAfterMs`) wins over `fallbackMs`.
 */
export function transientRetryDelay(error: unknown, fallbackMs: number): number | undefined {
  if (error instanceof RelayNetworkError || error instanceof RelayTimeoutError) return fallbackMs;
  if (!(error instanceof RelayApiError) || error.status === undefined || !transientStatuses.has(error.status)) return undefined;
  const hint = error.meta?.retryAfterMs;
  return typeof hint === 'number' && Number.isFinite(hint) && hint >= 0 ? Math.min(Math.max(hint, fallbackMs), maxHintMs) : fallbackMs;
}
