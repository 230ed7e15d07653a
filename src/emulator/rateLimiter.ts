/** Where a key stands in its current window; what the `RateLimit-*` headers report. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
  allowed: boolean;
}

/** A fixed one-minute window per API key on the given clock, like Persona's per-key limit. */
export function createRateLimiter(limit: number, now: () => number) {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    hit(key: string): RateLimitState {
      const t = now();
      let window = windows.get(key);
      if (!window || t - window.start >= 60_000) {
        window = { start: t, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      const resetSeconds = Math.max(1, Math.ceil((window.start + 60_000 - t) / 1000));
      return { limit, remaining: Math.max(0, limit - window.count), resetSeconds, allowed: window.count <= limit };
    },
    reset(): void {
      windows.clear();
    },
  };
}
