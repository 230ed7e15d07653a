import { describe, expect, it } from 'vitest';
import { createRelayClient } from '../core/client.ts';
import { RelayApiError, RelayNetworkError } from '../core/errors.ts';
import { relayClaimQueryOptions } from './relayClaimQueryOptions.ts';

const options = relayClaimQueryOptions('s1', { client: createRelayClient({ baseUrl: 'http://127.0.0.1:1/api/relay' }) });
const retry = options.retry as (failureCount: number, error: Error) => boolean;
const retryDelay = options.retryDelay as (failureCount: number, error: Error) => number;
const api = (status: number, retryAfterMs?: number): RelayApiError =>
  new RelayApiError({ status, title: 't', ...(retryAfterMs === undefined ? {} : { meta: { retryAfterMs } }) });

describe('relayClaimQueryOptions retries transient polls (issue 13)', () => {
  it('retries 503 + Retry-After after the hint, and lost answers with backoff, however many times', () => {
    expect(retry(50, api(503, 2_000))).toBe(true);
    expect(retryDelay(0, api(503, 2_000))).toBe(2_000);
    expect(retry(3, new RelayNetworkError({ title: 'offline' }))).toBe(true);
    expect(retryDelay(1, new RelayNetworkError({ title: 'offline' }))).toBe(500);
    expect(retryDelay(10, api(502))).toBe(4_000);
  });

  it('does not retry an answer: a 404, a 400 or a 500 surfaces at once', () => {
    for (const status of [400, 404, 500]) expect(retry(0, api(status))).toBe(false);
  });
});
