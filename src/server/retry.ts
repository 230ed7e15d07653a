/** How the handler retries Persona: capped exponential backoff with full jitter, within a deadline. */
export interface RetryPolicy {
  /** First delay; doubles per attempt. Default 100 ms. */
  baseDelayMs: number;
  /** Largest delay between two attempts. Default 2 s. */
  maxDelayMs: number;
  /** Give up once this much time has passed since the first attempt. Default 30 s. */
  deadlineMs: number;
}

/** The defaults of `RetryPolicy`. */
export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 2_000, deadlineMs: 30_000 };

/**
 * Milliseconds to wait before attempt `attempt + 1`. The server's own hint (`Retry-After`, or
 * `RateLimit-Reset` when the window is spent) wins over the backoff, still capped by the policy.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, headers: Headers | undefined, random: () => number = Math.random): number {
  const backoff = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const hint = hintedDelay(headers);
  return hint === undefined ? backoff : Math.min(Math.max(hint, backoff), policy.maxDelayMs * 4);
}

function hintedDelay(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  const remaining = headers.get('ratelimit-remaining');
  const reset = Number(headers.get('ratelimit-reset'));
  if (remaining === '0' && Number.isFinite(reset) && reset >= 0) return reset * 1000;
  return undefined;
}

/** One attempt's outcome: `settled` ends the loop; otherwise `last` is what the caller gets if time runs out. */
export type Attempt<T> = { settled: true; value: T } | { settled: false; last: T; headers?: Headers };

/** How `retrying` paces itself. */
export interface RetryingOptions {
  policy: RetryPolicy;
  /** Give up once this much time has passed since `started`; default `policy.deadlineMs`. */
  deadlineMs?: number;
  now: () => number;
  /** When the whole job began (a redeem spans several tokens); default: now. */
  started?: number;
}

/**
 * Runs `attempt` until it settles or the next wait would pass the deadline, then returns the last
 * outcome. The one retry loop of the handler: the caller decides what is transient, this decides when.
 */
export async function retrying<T>(options: RetryingOptions, attempt: (index: number) => Promise<Attempt<T>>): Promise<T> {
  const started = options.started ?? options.now();
  const deadlineMs = options.deadlineMs ?? options.policy.deadlineMs;
  for (let index = 0; ; index += 1) {
    const outcome = await attempt(index);
    if (outcome.settled) return outcome.value;
    const delay = retryDelay(options.policy, index, outcome.headers);
    if (options.now() + delay - started > deadlineMs) return outcome.last;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
