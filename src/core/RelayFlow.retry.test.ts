import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { MemoryStore } from '../server/memoryStore.ts';
import { StoreUnavailableError, type SessionRecord } from '../server/store.ts';
import { RelayApiError, RelayNetworkError } from '../wire/errors.ts';
import { createRelayClient } from '../wire/client.ts';
import { createInThreadTokenSource } from '../worker/tokenSource.ts';
import { finalFlowStatuses, type RelayFlowSnapshot } from './flowState.ts';
import { RelayFlow } from './RelayFlow.ts';
import { transientRetryDelay } from './transientError.ts';

/**
 * A MemoryStore whose reads of a passed session fail the next `failures` times, as a Redis that went away
 * right after the claim was written would: only the browser's polls meet the outage, never the redeem.
 */
class FlakyStore extends MemoryStore {
  failures = 0;
  failed = 0;

  override async get(id: string): Promise<SessionRecord | undefined> {
    const record = await super.get(id);
    if (this.failures > 0 && record?.status === 'passed') {
      this.failures -= 1;
      this.failed += 1;
      throw new StoreUnavailableError();
    }
    return record;
  }
}

const store = new FlakyStore();
let stack: RelayStack;
beforeAll(async () => {
  // Redeems answered 'redeeming' at once: these tests are about the polls that follow.
  stack = await startRelayStack({ handler: { store, redeemWaitMs: 0 } });
});
afterAll(async () => {
  await stack.close();
  await store.close();
});

const settled = (flow: RelayFlow): Promise<RelayFlowSnapshot> =>
  new Promise((resolve) => {
    const check = (): void => {
      const snapshot = flow.getSnapshot();
      if ((finalFlowStatuses as readonly string[]).includes(snapshot.status)) resolve(snapshot);
    };
    flow.subscribe(check);
    check();
  });

describe('RelayFlow polling through transient answers', () => {
  it('a poll answered 503 + Retry-After (the store is down) is retried after the hint, and the flow passes', async () => {
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const flow = new RelayFlow({
      client,
      claimType: 'age_over_18_germany',
      tokenSource: createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) }),
      pollIntervalMs: 20,
      onEvent: (event) => {
        // The redeem is in; the store goes away for the next two reads of the result (the polls): 503 + Retry-After: 1.
        if (event.type === 'redeem-sent') store.failures = 2;
      },
    });
    flow.start();
    await new Promise<void>((resolve) => {
      const stop = flow.subscribe(() => {
        const s = flow.getSnapshot();
        if (s.status === 'inquiry' && s.tokenReady) {
          stop();
          stack.emulator.control.finishInquiry(stack.relayTokenOf(s.session.sessionAccessToken), { status: 'completed', claimResult: 'passed' });
          flow.handleInquiryEvent({ type: 'complete' });
          resolve();
        }
      });
    });
    const polledFrom = Date.now();
    const final = await settled(flow);
    expect(final).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    expect(store.failed).toBe(2);
    // Two 503s each saying "Retry-After: 1": the flow waited them out instead of polling at its 20 ms pace.
    expect(Date.now() - polledFrom).toBeGreaterThanOrEqual(1_900);
    flow.dispose();
  }, 20_000);
});

describe('transientRetryDelay', () => {
  it('retries 429/502/503/504/408 and lost answers, honours Retry-After (capped), and gives up on the rest', () => {
    const api = (status: number, retryAfterMs?: number): RelayApiError =>
      new RelayApiError({ status, title: 't', ...(retryAfterMs === undefined ? {} : { meta: { retryAfterMs } }) });
    expect(transientRetryDelay(api(503, 1_000), 250)).toBe(1_000);
    expect(transientRetryDelay(api(503), 250)).toBe(250);
    expect(transientRetryDelay(api(429, 10), 250)).toBe(250);
    expect(transientRetryDelay(api(503, 3_600_000), 250)).toBe(30_000);
    for (const status of [408, 502, 504]) expect(transientRetryDelay(api(status), 100)).toBe(100);
    expect(transientRetryDelay(new RelayNetworkError({ title: 'offline' }), 100)).toBe(100);
    for (const status of [400, 401, 404, 409, 500]) expect(transientRetryDelay(api(status), 100)).toBeUndefined();
    expect(transientRetryDelay(new Error('boom'), 100)).toBeUndefined();
  });
});
