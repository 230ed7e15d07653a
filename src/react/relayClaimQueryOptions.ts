import { queryOptions } from '@tanstack/react-query';
import type { RelayClient } from '../core/client.ts';
import { finalFlowStatuses } from '../core/flowState.ts';
import { transientRetryDelay } from '../core/transientError.ts';
import type { RelaySessionState } from '../core/types.ts';

// A session's final statuses are spelled as the flow's (canceled included): polling stops at them.
const finalSessionStatuses: readonly string[] = finalFlowStatuses;

/** Poll delay when the backend gives no `pollAfterMs` hint. */
const defaultPollMs = 500;

/**
 * TanStack Query options that poll `GET {base}/sessions/:id` for apps that call `useQuery` themselves:
 * the next poll honours the backend's `pollAfterMs`, and polling stops once the session is final.
 */
export function relayClaimQueryOptions(sessionId: string, options: { client: RelayClient; pollIntervalMs?: number }) {
  const { client } = options;
  return queryOptions<RelaySessionState>({
    queryKey: ['relay-claim-kit', 'session', client.options.baseUrl, sessionId],
    queryFn: ({ signal }) => client.getSession(sessionId, { signal }),
    refetchInterval: (query) => {
      const state = query.state.data;
      if (state && finalSessionStatuses.includes(state.status)) return false;
      // A failing poll is surfaced by the query's error; another poll would only repeat it.
      if (query.state.status === 'error') return false;
      // The backend's hint wins; the default only paces a backend that gives none.
      return Math.max(state?.pollAfterMs ?? options.pollIntervalMs ?? defaultPollMs, 50);
    },
    refetchOnWindowFocus: false,
    // Session state changes on the server between polls; a cached answer would hide the result.
    staleTime: 0,
    gcTime: 0,
    // A 503 + Retry-After (the backend's store is down) or a lost answer is not the verdict: ask again as the
    // server hints; the flow's expiry ends the polling. Anything else is an answer and surfaces at once.
    retry: (_failureCount, error) => transientRetryDelay(error, 0) !== undefined,
    retryDelay: (failureCount, error) => transientRetryDelay(error, Math.min(250 * 2 ** failureCount, 4_000)) ?? 1_000,
  });
}
