import { createHash } from 'node:crypto';
import { socketAddressOf } from '../shared/clientAddress.ts';
import { HttpError } from './http.ts';
import { MemoryStore } from './memoryStore.ts';
import type { RateWindow, RelayStore } from './store.ts';

/** How many sessions one subject (or one client address) may create per window. */
export interface RateLimitOptions {
  /** Sessions per window; default 10. */
  limit?: number;
  /** Default 60 000 (one minute). */
  windowMs?: number;
}

/** Answers 429 + Retry-After once a key has used up its window. */
export interface CreateRateLimiter {
  /** Counts one session creation for `key`. @throws HttpError 429 past the limit. */
  check(key: string): Promise<void>;
  /** Frees the fallback counter's timer, if one was made. */
  close(): Promise<void>;
}

/** The rate limit of `createRelayHandler` when the app sets none. */
export const defaultRateLimit: Readonly<Required<RateLimitOptions>> = Object.freeze({ limit: 10, windowMs: 60_000 });

/**
 * A limiter that counts in `store` (so several instances sharing a RedisStore share the limit). A store
 * without `increment` gets a per-process counter, and `onFallback` is told once.
 * @throws RangeError when `limit` or `windowMs` is not a positive integer.
 */
export function createRateLimiter(store: RelayStore, options: RateLimitOptions = {}, onFallback?: () => void): CreateRateLimiter {
  const limit = options.limit ?? defaultRateLimit.limit;
  const windowMs = options.windowMs ?? defaultRateLimit.windowMs;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('rateLimit.limit must be a positive integer');
  if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError('rateLimit.windowMs must be a positive integer of milliseconds');
  let fallback: MemoryStore | undefined;
  const increment = (key: string): Promise<RateWindow> => {
    if (store.increment) return store.increment(key, windowMs);
    if (!fallback) {
      fallback = new MemoryStore();
      onFallback?.();
    }
    return fallback.increment(key, windowMs);
  };
  return {
    async check(key) {
      const window = await increment(`create:${key}`);
      if (window.count <= limit) return;
      const seconds = Math.max(1, Math.ceil(window.resetInMs / 1000));
      throw new HttpError(429, 'Too Many Requests', 'too many verifications started; try again later', undefined, { 'retry-after': String(seconds) });
    },
    async close() {
      await fallback?.close();
    },
  };
}

/**
 * The key a request is counted under: its subject when the app authorizes requests, else the client
 * address (`clientAddress`, or the socket's peer under `toNodeListener`). With neither, every such
 * request shares one key (`addressKnown: false`): the quota stays guarded, at the price of one shared
 * limit, and the handler says so in its log. Keys are hashed: a store need not hold user ids or addresses.
 */
export function rateLimitKey(
  request: Request,
  options: { subject?: string; clientAddress?: (request: Request) => string | undefined },
): { key: string; addressKnown: boolean } {
  const address = options.subject === undefined ? (options.clientAddress?.(request) ?? socketAddressOf(request)) : undefined;
  const raw = options.subject !== undefined ? `subject:${options.subject}` : `address:${address ?? 'unknown'}`;
  return { key: createHash('sha256').update(raw).digest('base64url').slice(0, 22), addressKnown: options.subject !== undefined || address !== undefined };
}
