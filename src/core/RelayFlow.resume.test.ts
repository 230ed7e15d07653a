import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { MemoryStore } from '../server/memoryStore.ts';
import { createRelayClient, type RelayClient } from '../wire/client.ts';
import type { RelaySessionInfo } from '../wire/types.ts';
import { createInThreadTokenSource } from '../worker/tokenSource.ts';
import { finalFlowStatuses, type RelayFlowSnapshot } from './flowState.ts';
import { RelayFlow } from './RelayFlow.ts';

const claimType = 'age_over_18_germany';
const store = new MemoryStore();
let stack: RelayStack;
beforeAll(async () => {
  stack = await startRelayStack({ handler: { store } });
});
afterAll(async () => {
  await stack.close();
  await store.close();
});

/** The real client, counting the flow's calls per route and remembering the tokens handed over (token work goes around it, by `options`). */
function countingClient(): { client: RelayClient; calls: Record<string, number>; submitted: string[] } {
  const real = createRelayClient({ baseUrl: stack.baseUrl });
  const calls: Record<string, number> = {};
  const submitted: string[] = [];
  const count = (name: string): void => { calls[name] = (calls[name] ?? 0) + 1; };
  const client: RelayClient = {
    options: real.options,
    createSession: (...args) => { count('createSession'); return real.createSession(...args); },
    challenge: (...args) => { count('challenge'); return real.challenge(...args); },
    issue: (...args) => { count('issue'); return real.issue(...args); },
    submitToken: (sessionId, token, init) => { count('submitToken'); submitted.push(token); return real.submitToken(sessionId, token, init); },
    redeem: (...args) => { count('redeem'); return real.redeem(...args); },
    cancel: (...args) => { count('cancel'); return real.cancel(...args); },
    getSession: (...args) => { count('getSession'); return real.getSession(...args); },
  };
  return { client, calls, submitted };
}

function flowOf(client: RelayClient, session?: RelaySessionInfo): RelayFlow {
  const tokenSource = createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) });
  return session
    ? new RelayFlow({ client, session, tokenSource, pollIntervalMs: 20 })
    : new RelayFlow({ client, claimType, tokenSource, pollIntervalMs: 20 });
}

function until(flow: RelayFlow, test: (s: RelayFlowSnapshot) => boolean): Promise<RelayFlowSnapshot> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const s = flow.getSnapshot();
      if (test(s)) resolve(s);
      else if ((finalFlowStatuses as readonly string[]).includes(s.status)) reject(new Error(`flow ended in ${s.status}${s.status === "error" ? `: ${s.error.message}` : ""}`));
    };
    flow.subscribe(check);
    check();
  });
}

const ready = (s: RelayFlowSnapshot): boolean => s.status === 'inquiry' && s.tokenReady;

describe('a reload resumes the same session (sessionId + sessionAccessToken handed back)', () => {
  it('mid-inquiry: the session and its first token survive; the resumed flow passes with one token spent, the other kept', async () => {
    const first = countingClient();
    const before = flowOf(first.client);
    before.start();
    const inquiry = await until(before, ready);
    if (inquiry.status !== 'inquiry') throw new Error('not in inquiry');
    const { session } = inquiry;
    // The worker handed the token over; then the tab reloads: the flow is gone, the server keeps both.
    await expect.poll(async () => (await store.get(session.sessionId))?.token).toBeDefined();
    before.dispose();
    expect(first.submitted).toHaveLength(1);
    expect((await store.get(session.sessionId))?.token).toBe(first.submitted[0]);

    const second = countingClient();
    const after = flowOf(second.client, session);
    after.start();
    await until(after, ready);
    expect(second.calls.createSession).toBeUndefined();
    stack.emulator.control.finishInquiry(stack.relayTokenOf(session.sessionAccessToken), { status: 'completed', claimResult: 'passed' });
    after.handleInquiryEvent({ type: 'complete' });
    const final = await until(after, (s) => s.status === 'passed');
    expect(final).toMatchObject({ status: 'passed', session: { sessionId: session.sessionId } });
    const relayToken = stack.relayTokenOf(session.sessionAccessToken);
    const spent = stack.emulator.control.log().filter((e) => e.path.includes(`/relays/${relayToken}/generate-claim`) && e.tokenConsumed === true && e.replayed !== true);
    expect(spent).toHaveLength(1);
    // Two tokens were made for one relay and one was spent: the other waits, spendable, for the next session.
    expect(second.submitted).toHaveLength(1);
    expect([first.submitted[0], second.submitted[0]]).toContain(await store.popRefund(claimType));
    expect(await store.popRefund(claimType)).toBeUndefined();
    after.dispose();
  });

  it('after the result: the resumed flow shows it at once and makes no token', async () => {
    const first = countingClient();
    const before = flowOf(first.client);
    before.start();
    const inquiry = await until(before, ready);
    if (inquiry.status !== 'inquiry') throw new Error('not in inquiry');
    stack.emulator.control.finishInquiry(stack.relayTokenOf(inquiry.session.sessionAccessToken), { status: 'completed', claimResult: 'passed' });
    before.handleInquiryEvent({ type: 'complete' });
    await until(before, (s) => s.status === 'passed');
    before.dispose();

    const second = countingClient();
    const challenges = (): number => stack.emulator.control.log().filter((e) => e.path.endsWith('/relays/challenge')).length;
    const challengesBefore = challenges();
    const after = flowOf(second.client, inquiry.session);
    after.start();
    expect(await until(after, (s) => s.status === 'passed')).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    // No new inquiry, no token: the backend was asked for the session's state and nothing else.
    expect(second.calls).toEqual({ getSession: 1 });
    expect(challenges()).toBe(challengesBefore);
    after.dispose();
  });
});
