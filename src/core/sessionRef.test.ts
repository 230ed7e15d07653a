import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { sessionRef } from '../server/sessionRef.ts';
import { createInThreadTokenSource } from '../worker/tokenSource.ts';
import { createRelayClient } from './client.ts';
import type { RelayFlowEvent, RelayFlowSnapshot } from './flowState.ts';
import { RelayFlow } from './RelayFlow.ts';
import { browserSessionRef } from './sessionRef.ts';

describe('browserSessionRef', () => {
  it('matches the server’s sessionRef for the same id, and differs between ids', async () => {
    const ids = ['a', '', 'Zm9vYmFy_-', ...Array.from({ length: 20 }, () => randomBytes(16).toString('base64url'))];
    for (const id of ids) expect(await browserSessionRef(id)).toBe(sessionRef(id));
    expect(new Set(await Promise.all(ids.map(browserSessionRef))).size).toBe(ids.length);
    expect(await browserSessionRef('x')).toMatch(/^sess_[A-Za-z0-9_-]{16}$/);
  });
});

describe('RelayFlow onEvent', () => {
  let stack: RelayStack;
  beforeAll(async () => {
    // Redeems answered 'redeeming' at once, so a full verification includes polls (and their events).
    stack = await startRelayStack({ handler: { redeemWaitMs: 0 } });
  });
  afterAll(() => stack.close());

  it('names the session by its sessionRef, never its id, in every event of a full verification', async () => {
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const events: RelayFlowEvent[] = [];
    const flow = new RelayFlow({
      client,
      claimType: 'age_over_18_germany',
      tokenSource: createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) }),
      pollIntervalMs: 20,
      onEvent: (event) => events.push(event),
    });
    const when = (test: (s: RelayFlowSnapshot) => boolean) =>
      new Promise<RelayFlowSnapshot>((resolve) => {
        const check = () => {
          if (test(flow.getSnapshot())) {
            stop();
            resolve(flow.getSnapshot());
          }
        };
        const stop = flow.subscribe(check);
        check();
      });
    flow.start();
    const inquiry = await when((s) => (s.status === 'inquiry' && s.tokenReady) || s.status === 'error');
    if (inquiry.status !== 'inquiry') throw new Error(`flow ended in ${inquiry.status}`);
    const { sessionId } = inquiry.session;
    stack.emulator.control.finishInquiry(stack.relayTokenOf(inquiry.session.sessionAccessToken), { status: 'completed', claimResult: 'passed' });
    flow.handleInquiryEvent({ type: 'complete' });
    expect((await when((s) => s.status === 'passed' || s.status === 'error')).status).toBe('passed');
    flow.dispose();

    const named = events.filter((e) => e.type !== 'status');
    expect(named.map((e) => e.type)).toEqual(expect.arrayContaining(['inquiry', 'token-ready', 'redeem-sent', 'poll']));
    const ref = sessionRef(sessionId);
    for (const event of named) expect(event).toMatchObject({ sessionRef: ref });
    expect(JSON.stringify(events)).not.toContain(sessionId);
  });
});
