import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy, retryDelay, type RetryPolicy } from './retry.ts';

const policy: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 2_000, deadlineMs: 30_000 };

describe('retryDelay', () => {
  it('draws full jitter under a ceiling that doubles per attempt and stops at maxDelayMs', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 10].map((attempt) => retryDelay(policy, attempt, undefined, () => 1));
    expect(ceilings).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
    expect(retryDelay(policy, 7, undefined, () => 0)).toBe(0);
    for (let i = 0; i < 200; i += 1) {
      const delay = retryDelay(policy, 3, new Headers());
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(800);
    }
  });

  it('waits at least Retry-After (seconds or an HTTP date)', () => {
    expect(retryDelay(policy, 0, new Headers({ 'retry-after': '2' }), () => 0.5)).toBe(2_000);
    const inThree = new Date(Date.now() + 3_000).toUTCString();
    const fromDate = retryDelay(policy, 0, new Headers({ 'retry-after': inThree }), () => 0);
    expect(fromDate).toBeGreaterThan(1_000);
    expect(fromDate).toBeLessThanOrEqual(3_000);
    // A hint shorter than the drawn backoff does not shorten it.
    expect(retryDelay(policy, 4, new Headers({ 'retry-after': '0' }), () => 1)).toBe(1_600);
  });

  it('waits for RateLimit-Reset only when the window is spent', () => {
    expect(retryDelay(policy, 0, new Headers({ 'ratelimit-remaining': '0', 'ratelimit-reset': '3' }), () => 0)).toBe(3_000);
    expect(retryDelay(policy, 0, new Headers({ 'ratelimit-remaining': '7', 'ratelimit-reset': '3' }), () => 0)).toBe(0);
    // Retry-After, when both are sent, is the more specific answer.
    expect(retryDelay(policy, 0, new Headers({ 'retry-after': '1', 'ratelimit-remaining': '0', 'ratelimit-reset': '5' }), () => 0)).toBe(1_000);
  });

  it('caps a server hint so one answer cannot park the redeem past its deadline', () => {
    expect(retryDelay(policy, 0, new Headers({ 'retry-after': '3600' }), () => 0)).toBe(policy.maxDelayMs * 4);
  });

  it('ignores hints it cannot read', () => {
    for (const value of ['soon', '-4', '', 'NaN']) {
      expect(retryDelay(policy, 1, new Headers({ 'retry-after': value }), () => 0.5)).toBe(100);
    }
    expect(retryDelay(policy, 1, new Headers({ 'ratelimit-remaining': '0', 'ratelimit-reset': 'later' }), () => 0.5)).toBe(100);
  });

  it('defaults to a 30 s deadline with 100 ms → 2 s backoff', () => {
    expect(defaultRetryPolicy).toEqual({ baseDelayMs: 100, maxDelayMs: 2_000, deadlineMs: 30_000 });
  });
});
