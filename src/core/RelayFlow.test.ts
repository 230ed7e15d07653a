import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayStack, type RelayStack } from '../testing/relayStack.ts';
import { createInThreadTokenSource } from '../worker/tokenSource.ts';
import { createRelayClient } from './client.ts';
import { RelayApiError } from './errors.ts';
import type { RelayFlowEvent, RelayFlowSnapshot } from './flowState.ts';
import { RelayFlow, nextPollDelay } from './RelayFlow.ts';

// The flow against the real handler and emulator over HTTP; tokens are made in-thread (Node has no Worker).
let stack: RelayStack;
beforeAll(async () => {
  stack = await startRelayStack();
});
afterAll(() => stack.close());

function makeFlow(options: { claimType?: string; externalPolling?: boolean } = {}) {
  const client = createRelayClient({ baseUrl: stack.baseUrl });
  const events: RelayFlowEvent[] = [];
  const statuses: string[] = [];
  const flow = new RelayFlow({
    client,
    claimType: options.claimType ?? 'age_over_18_germany',
    inquiryUrl: 'http://inquiry.test/relay',
    origin: 'http://app.test',
    tokenSource: createInThreadTokenSource(client),
    externalPolling: options.externalPolling,
    pollIntervalMs: 20,
    onEvent: (event) => events.push(event),
  });
  flow.subscribe(() => {
    const { status } = flow.getSnapshot();
    if (statuses.at(-1) !== status) statuses.push(status);
  });
  return { flow, client, events, statuses };
}

function until(flow: RelayFlow, test: (s: RelayFlowSnapshot) => boolean, timeoutMs = 10_000): Promise<RelayFlowSnapshot> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const snapshot = flow.getSnapshot();
      if (test(snapshot)) {
        clearTimeout(timer);
        stop();
        resolve(snapshot);
      }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`flow stuck in ${flow.getSnapshot().status}`));
    }, timeoutMs);
    const stop = flow.subscribe(check);
    check();
  });
}

async function finishAs(flow: RelayFlow, claimResult: 'passed' | 'failed', methodology = [{ method: 'document_selfie', result: claimResult }]) {
  const inquiry = await until(flow, (s) => s.status === 'inquiry' && s.tokenReady);
  if (inquiry.status !== 'inquiry') throw new Error('not in inquiry');
  stack.emulator.control.finishInquiry(stack.relayTokenOf(inquiry.session.sessionAccessToken), { status: 'completed', claimResult, methodology });
  flow.handleInquiryEvent({ type: 'relay:complete' });
  return inquiry;
}

describe('RelayFlow against the handler and the emulator', () => {
  it('walks idle → creating → inquiry → redeeming → polling → passed and makes the token during the inquiry', async () => {
    const { flow, statuses, events } = makeFlow();
    flow.start();
    const inquiry = await finishAs(flow, 'passed');
    expect(inquiry.status === 'inquiry' && inquiry.inquiryUrl).toMatch(/^http:\/\/inquiry\.test\/relay\?relay-session-access-token=.+&origin=http%3A%2F%2Fapp\.test$/);
    const done = await until(flow, (s) => s.status === 'passed');
    expect(done.status === 'passed' && done.claim).toEqual({ claimType: 'age_over_18_germany', claimResult: 'passed', methodology: [{ method: 'document_selfie', result: 'passed' }] });
    expect(statuses).toEqual(['creating', 'inquiry', 'redeeming', 'polling', 'passed']);
    expect(events.map((e) => e.type)).toContain('token-ready');
    flow.dispose();
  });

  it('reads a failed claim, and the refunded token serves the next session of that type', async () => {
    const first = makeFlow({ claimType: 'age_over_18_brazil' });
    first.flow.start();
    await finishAs(first.flow, 'failed');
    expect((await until(first.flow, (s) => s.status === 'failed')).status).toBe('failed');
    await stack.handler.idle();
    const second = makeFlow({ claimType: 'age_over_18_brazil' });
    second.flow.start();
    await finishAs(second.flow, 'passed');
    expect((await until(second.flow, (s) => s.status === 'passed')).status).toBe('passed');
    const spent = stack.emulator.control.log().filter((e) => e.path.endsWith('/generate-claim') && e.tokenConsumed === true && e.replayed !== true);
    const refunded = stack.emulator.control.log().filter((e) => e.path.endsWith('/generate-claim') && e.tokenConsumed === false);
    expect(refunded.length).toBeGreaterThan(0);
    expect(spent.length).toBeGreaterThan(0);
    first.flow.dispose();
    second.flow.dispose();
  });

  it('hides methodology for France', async () => {
    const { flow } = makeFlow({ claimType: 'age_over18_france' });
    flow.start();
    await finishAs(flow, 'passed');
    const done = await until(flow, (s) => s.status === 'passed');
    expect(done.status === 'passed' && done.claim.methodology).toBeUndefined();
    flow.dispose();
  });

  it('polls through receiveSessionState when the caller polls (the React hook does)', async () => {
    const { flow, client } = makeFlow({ externalPolling: true });
    flow.start();
    const inquiry = await finishAs(flow, 'passed');
    await until(flow, (s) => s.status === 'polling');
    if (inquiry.status !== 'inquiry') throw new Error('unreachable');
    for (let i = 0; i < 100 && flow.getSnapshot().status === 'polling'; i += 1) {
      flow.receiveSessionState(await client.getSession(inquiry.session.sessionId));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(flow.getSnapshot().status).toBe('passed');
    flow.dispose();
  });

  it('cancel, then retry with a new session', async () => {
    const { flow, statuses } = makeFlow();
    flow.start();
    const first = await until(flow, (s) => s.status === 'inquiry');
    flow.handleInquiryEvent({ type: 'relay:cancel' });
    expect(flow.getSnapshot().status).toBe('canceled');
    flow.retry();
    const second = await until(flow, (s) => s.status === 'inquiry');
    expect(second.status === 'inquiry' && first.status === 'inquiry' && second.session.sessionId).not.toBe(first.status === 'inquiry' && first.session.sessionId);
    expect(statuses).toEqual(['creating', 'inquiry', 'canceled', 'idle', 'creating', 'inquiry']);
    flow.dispose();
  });

  it('reports an unknown claim type from the backend as an error with the upstream Request-Id', async () => {
    const { flow } = makeFlow({ claimType: 'age_over_99_atlantis' });
    flow.start();
    const failed = await until(flow, (s) => s.status === 'error');
    if (failed.status !== 'error') throw new Error('unreachable');
    expect(failed.error).toBeInstanceOf(RelayApiError);
    expect(failed.error.status).toBe(400);
    expect(failed.error.requestId).toMatch(/^req_/);
    flow.dispose();
  });

  it('expires when the session has expired, and says nothing after dispose', async () => {
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const session = await client.createSession('age_over_18_germany');
    const flow = new RelayFlow({ client, session, inquiryUrl: '/relay', tokenSource: createInThreadTokenSource(client), now: () => Date.parse(session.expiresAt) + 1 });
    flow.start();
    expect(flow.getSnapshot().status).toBe('expired');
    let calls = 0;
    flow.subscribe(() => (calls += 1));
    flow.dispose();
    flow.retry();
    expect(calls).toBe(0);
  });

  it('backs off between polls and never polls sooner than the backend asks', () => {
    expect(nextPollDelay({ pollIntervalMs: 100, maxPollIntervalMs: 1000 }, 1, undefined)).toBe(100);
    expect(nextPollDelay({ pollIntervalMs: 100, maxPollIntervalMs: 1000 }, 3, undefined)).toBe(225);
    expect(nextPollDelay({ pollIntervalMs: 100, maxPollIntervalMs: 1000 }, 30, undefined)).toBe(1000);
    expect(nextPollDelay({ pollIntervalMs: 100, maxPollIntervalMs: 1000 }, 1, 800)).toBe(800);
  });
});
