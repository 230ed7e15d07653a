import { QueryClient, type Query } from '@tanstack/react-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayClient, type RelayClient } from '../core/client.ts';
import type { RelaySessionState } from '../core/types.ts';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { relayClaimQueryOptions } from './relayClaimQueryOptions.ts';

// The options against the real handler and emulator: what an app's own `useQuery` would poll.
let stack: RelayStack;
let client: RelayClient;
beforeAll(async () => {
  stack = await startRelayStack();
  client = createRelayClient({ baseUrl: stack.baseUrl });
});
afterAll(() => stack.close());

type Interval = (query: Query<RelaySessionState>) => number | false | undefined;

/** Fetches once through a real QueryClient and asks the options when the next poll would be. */
async function nextPoll(sessionId: string, pollIntervalMs?: number) {
  const queryClient = new QueryClient();
  const options = relayClaimQueryOptions(sessionId, { client, ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }) });
  const data = await queryClient.query(options).catch(() => undefined);
  const query = queryClient.getQueryCache().find<RelaySessionState>({ queryKey: options.queryKey });
  if (!query) throw new Error('the query is not cached');
  const interval = (options.refetchInterval as Interval)(query);
  queryClient.clear();
  return { data, interval, key: options.queryKey };
}

describe('relayClaimQueryOptions', () => {
  it('keys the query by backend and session, and polls an open session', async () => {
    const session = await client.createSession('age_over_18_germany');
    const { data, interval, key } = await nextPoll(session.sessionId);
    expect(key).toEqual(['relay-claim-kit', 'session', stack.baseUrl, session.sessionId]);
    expect(data?.status).toBe('inquiry');
    expect(interval).toBe(data?.pollAfterMs ?? 500);
    expect(interval).toBeGreaterThanOrEqual(50);
  });

  it('falls back to pollIntervalMs only when the backend gives no hint', async () => {
    const session = await client.createSession('age_over_18_germany');
    const { data, interval } = await nextPoll(session.sessionId, 1_234);
    expect(interval).toBe(data?.pollAfterMs ?? 1_234);
  });

  it('stops polling at a final state', async () => {
    const session = await client.createSession('age_over_18_germany');
    const relayToken = stack.relayTokenOf(session.sessionAccessToken);
    stack.emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });
    const { obtainToken } = await import('../worker/obtainToken.ts');
    await client.redeem(session.sessionId, await obtainToken({ ...client.options, sessionId: session.sessionId, expectedIssuer: emulatorIssuerName(stack.emulator.url) }));
    let last: Awaited<ReturnType<typeof nextPoll>> | undefined;
    for (let i = 0; i < 50; i += 1) {
      last = await nextPoll(session.sessionId);
      if (last.data?.status === 'passed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(last?.data?.status).toBe('passed');
    expect(last?.interval).toBe(false);
  }, 20_000);

  it('stops polling a session the person canceled', async () => {
    const session = await client.createSession('age_over_18_germany');
    await client.cancel(session.sessionId);
    const { data, interval } = await nextPoll(session.sessionId);
    expect(data?.status).toBe('canceled');
    expect(interval).toBe(false);
  });

  it('stops polling after an error answer (unknown session → 404), not repeating it', async () => {
    const { data, interval } = await nextPoll('no-such-session');
    expect(data).toBeUndefined();
    expect(interval).toBe(false);
  });
});
