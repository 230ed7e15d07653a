import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { createInThreadTokenSource, type TokenSource } from '../worker/tokenSource.ts';
import { createRelayClient } from './client.ts';
import { RelayApiError, RelayNetworkError } from './errors.ts';
import { finalFlowStatuses, type RelayFlowEvent, type RelayFlowSnapshot } from './flowState.ts';
import { RelayFlow, nextPollDelay, type RelayFlowTimers } from './RelayFlow.ts';

// The flow against the real handler and emulator over HTTP; tokens are made in-thread (Node has no Worker).
// redeemWaitMs 0: the backend answers every redeem 'redeeming' at once, so these suites follow the
// polling path whatever the machine's load; the held answer that carries the result has its own tests.
let stack: RelayStack;
beforeAll(async () => {
  stack = await startRelayStack({ handler: { redeemWaitMs: 0 } });
});
afterAll(() => stack.close());

function makeFlow(options: { claimType?: string; externalPolling?: boolean } = {}) {
  const client = createRelayClient({ baseUrl: stack.baseUrl });
  const events: RelayFlowEvent[] = [];
  const statuses: string[] = [];
  const flow = new RelayFlow({
    client,
    claimType: options.claimType ?? 'age_over_18_germany',
    tokenSource: createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) }),
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

const isFinal = (s: RelayFlowSnapshot): boolean => (finalFlowStatuses as readonly string[]).includes(s.status);

/** Waits for a snapshot `test` accepts; a final status it does not accept fails at once, naming the status and error. */
function until(flow: RelayFlow, test: (s: RelayFlowSnapshot) => boolean, timeoutMs = 10_000): Promise<RelayFlowSnapshot> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const snapshot = flow.getSnapshot();
      if (test(snapshot) || isFinal(snapshot)) {
        clearTimeout(timer);
        stop();
        if (test(snapshot)) resolve(snapshot);
        else reject(new Error(`flow ended in ${snapshot.status}${snapshot.status === 'error' ? `: ${snapshot.error.message}` : ''}`));
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

/** The flow's final snapshot, whichever it is: the caller asserts which, so a wrong ending fails with a diff instead of a timeout. */
const settled = (flow: RelayFlow): Promise<RelayFlowSnapshot> => until(flow, isFinal);

async function finishAs(flow: RelayFlow, claimResult: 'passed' | 'failed', methodology = [{ method: 'document_selfie', result: claimResult }], on: RelayStack = stack) {
  const inquiry = await until(flow, (s) => s.status === 'inquiry' && s.tokenReady);
  if (inquiry.status !== 'inquiry') throw new Error('not in inquiry');
  on.emulator.control.finishInquiry(on.relayTokenOf(inquiry.session.sessionAccessToken), { status: 'completed', claimResult, methodology });
  flow.handleInquiryEvent({ type: 'complete' });
  return inquiry;
}

describe('RelayFlow against the handler and the emulator', () => {
  it('walks idle → creating → inquiry → redeeming → polling → passed and makes the token during the inquiry', async () => {
    const { flow, statuses, events } = makeFlow();
    flow.start();
    const inquiry = await finishAs(flow, 'passed');
    // The widget is mounted with the session's access token; the flow guesses no page URL.
    expect(inquiry.status === 'inquiry' && inquiry.session.sessionAccessToken).toEqual(expect.any(String));
    expect(inquiry).not.toHaveProperty('inquiryUrl');
    const done = await settled(flow);
    expect(done).toMatchObject({ status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'passed', methodology: [{ method: 'document_selfie', result: 'passed' }] } });
    expect(statuses).toEqual(['creating', 'inquiry', 'redeeming', 'polling', 'passed']);
    expect(events.map((e) => e.type)).toContain('token-ready');
    flow.dispose();
  });

  it('reads a failed claim, and the refunded token serves the next session of that type', async () => {
    const first = makeFlow({ claimType: 'age_over_18_brazil' });
    first.flow.start();
    await finishAs(first.flow, 'failed');
    expect(await settled(first.flow)).toMatchObject({ status: 'failed', claim: { claimType: 'age_over_18_brazil', claimResult: 'failed' } });
    await stack.handler.idle();
    const second = makeFlow({ claimType: 'age_over_18_brazil' });
    second.flow.start();
    await finishAs(second.flow, 'passed');
    expect(await settled(second.flow)).toMatchObject({ status: 'passed', claim: { claimType: 'age_over_18_brazil', claimResult: 'passed' } });
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
    const done = await settled(flow);
    expect(done).toMatchObject({ status: 'passed', claim: { claimType: 'age_over18_france', claimResult: 'passed' } });
    expect(done.status === 'passed' && 'methodology' in done.claim).toBe(false);
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
    flow.cancel();
    expect(flow.getSnapshot().status).toBe('canceled');
    flow.retry();
    const second = await until(flow, (s) => s.status === 'inquiry');
    expect(second.status === 'inquiry' && first.status === 'inquiry' && second.session.sessionId).not.toBe(first.status === 'inquiry' && first.session.sessionId);
    expect(statuses).toEqual(['creating', 'inquiry', 'canceled', 'idle', 'creating', 'inquiry']);
    flow.dispose();
  });

  it('reports a claim type the backend does not allow as an API error with its status', async () => {
    // The server refuses it before asking Persona (its claimTypes list), so no upstream Request-Id here.
    const { flow } = makeFlow({ claimType: 'age_over_99_atlantis' });
    flow.start();
    const failed = await until(flow, (s) => s.status === 'error');
    if (failed.status !== 'error') throw new Error('unreachable');
    expect(failed.error).toBeInstanceOf(RelayApiError);
    expect(failed.error.status).toBe(400);
    expect(failed.error.title).not.toBe('');
    flow.dispose();
  });

  it('expires when the session has expired, and says nothing after dispose', async () => {
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const session = await client.createSession('age_over_18_germany');
    const flow = new RelayFlow({ client, session, tokenSource: createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) }), now: () => Date.parse(session.expiresAt) + 1 });
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

/** A test clock: timers run only when the test says so; the backend stays real. */
interface Scheduled {
  run: () => void;
  at: number;
  ms: number;
}

interface ManualClock {
  now: number;
  delays: number[];
  timers: RelayFlowTimers;
  pending(): Scheduled[];
  runNext(limitMs?: number): boolean;
}

function manualClock(start: number): ManualClock {
  const scheduled = new Set<Scheduled>();
  const clock: ManualClock = {
    now: start,
    delays: [],
    timers: {
      setTimeout: (run: () => void, ms: number) => {
        const entry: Scheduled = { run, at: clock.now + ms, ms };
        scheduled.add(entry);
        clock.delays.push(ms);
        return entry;
      },
      clearTimeout: (handle: unknown) => {
        scheduled.delete(handle as Scheduled);
      },
    },
    pending: () => [...scheduled].sort((a, b) => a.at - b.at),
    /** Moves time to the next timer due no later than `limitMs` from now, and runs it. */
    runNext(limitMs = 60_000): boolean {
      const next = clock.pending()[0];
      if (!next || next.at - clock.now > limitMs) return false;
      scheduled.delete(next);
      clock.now = Math.max(clock.now, next.at);
      next.run();
      return true;
    },
  };
  return clock;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

describe('RelayFlow timing, on a test clock against the real backend', () => {
  it('expires at the session deadline, aborts the token work and says nothing more', async () => {
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const session = await client.createSession('age_over_18_germany');
    const clock = manualClock(Date.now());
    // The real in-thread source, with its signal and its answer kept so the test can wait for the token work itself.
    const inner = createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) });
    const work: { signal?: AbortSignal; done?: Promise<unknown> } = {};
    const tokenSource: TokenSource = {
      obtain: (id, signal) => {
        const token = inner.obtain(id, signal);
        Object.assign(work, { signal, done: token.then(() => 'token', () => 'rejected') });
        return token;
      },
      dispose: () => { inner.dispose(); },
    };
    const flow = new RelayFlow({ client, session, tokenSource, now: () => clock.now, timers: clock.timers });
    let calls = 0;
    flow.subscribe(() => (calls += 1));
    flow.start();
    expect(flow.getSnapshot().status).toBe('inquiry');
    expect(work.signal?.aborted).toBe(false);
    expect(clock.pending()[0]?.at).toBe(Date.parse(session.expiresAt));
    expect(clock.runNext(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(flow.getSnapshot().status).toBe('expired');
    expect(work.signal?.aborted).toBe(true);
    const after = calls;
    // The explicit event: the token work has ended (aborted, or finished anyway); then one macrotask lets the
    // flow react to it, and it must not.
    await work.done;
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pending()).toEqual([]);
    expect(flow.getSnapshot().status).toBe('expired');
    expect(calls).toBe(after);
    flow.handleInquiryEvent({ type: 'complete' });
    expect(flow.getSnapshot().status).toBe('expired');
    flow.dispose();
  });

  it('polls first after firstPollDelayMs, backs off, and never sooner than the backend asks', async () => {
    const real = createRelayClient({ baseUrl: stack.baseUrl });
    // The real client, with the hints it received written down.
    const hints: (number | undefined)[] = [];
    const client = {
      ...real,
      getSession: async (...args: Parameters<typeof real.getSession>) => {
        const state = await real.getSession(...args);
        hints.push(state.pollAfterMs);
        return state;
      },
    };
    const clock = manualClock(Date.now());
    const flow = new RelayFlow({
      client,
      claimType: 'age_over_18_germany',
      tokenSource: createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) }),
      now: () => clock.now,
      timers: clock.timers,
      firstPollDelayMs: 10,
      pollIntervalMs: 40,
      maxPollIntervalMs: 150,
    });
    flow.start();
    const inquiry = await until(flow, (s) => s.status === 'inquiry' && s.tokenReady);
    if (inquiry.status !== 'inquiry') throw new Error('unreachable');
    // The person has not finished yet at Persona: the backend's generate-claim gets 403 and keeps retrying,
    // so the session stays 'redeeming' (with the backend's poll hint) while the flow polls.
    flow.handleInquiryEvent({ type: 'complete' });
    await until(flow, (s) => s.status === 'polling');
    // The redeem was answered 'redeeming', so the first poll waits firstPollDelayMs.
    expect(clock.delays.at(-1)).toBe(10);
    clock.delays.length = 0;
    hints.length = 0;
    for (let poll = 0; poll < 5; poll += 1) {
      const before = clock.delays.length;
      expect(clock.runNext(1_000)).toBe(true);
      for (let i = 0; i < 100 && clock.delays.length === before; i += 1) await settle();
    }
    expect(flow.getSnapshot().status).toBe('polling');
    // After answer i: ×1.5 backoff from 40 ms capped at 150 ms, but never below the backend's hint.
    expect(hints.slice(0, 5).every((hint) => typeof hint === 'number' && hint > 0)).toBe(true);
    const backoff = [40, 60, 90, 135, 150];
    expect(clock.delays.slice(0, 5)).toEqual(backoff.map((ms, i) => Math.max(ms, hints[i] ?? 0)));
    stack.emulator.control.finishInquiry(stack.relayTokenOf(inquiry.session.sessionAccessToken), { status: 'completed', claimResult: 'passed' });
    await stack.handler.idle();
    expect(clock.runNext(1_000)).toBe(true);
    const done = await settled(flow);
    expect(done).toMatchObject({ status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'passed' } });
    const left = clock.pending().filter((t) => t.ms < 60_000);
    expect(left).toEqual([]);
    flow.dispose();
  });

  it('takes the result from a redeem answer the backend held until the claim was in: no poll at all', async () => {
    // The backend holds its redeem answer until the claim is in (up to redeemWaitMs); on a loaded machine
    // the default 150 ms can pass first and the answer is 'redeeming', which is not what this test is about.
    const patient = await startRelayStack({ handler: { redeemWaitMs: 15_000 } });
    onTestFinished(() => patient.close());
    const client = createRelayClient({ baseUrl: patient.baseUrl });
    const clock = manualClock(Date.now());
    const statuses: string[] = [];
    const flow = new RelayFlow({ client, claimType: 'age_over_18_germany', tokenSource: createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(patient.emulator.url) }), now: () => clock.now, timers: clock.timers, firstPollDelayMs: 500 });
    flow.subscribe(() => { if (statuses.at(-1) !== flow.getSnapshot().status) statuses.push(flow.getSnapshot().status); });
    flow.start();
    await finishAs(flow, 'passed', undefined, patient);
    expect(await settled(flow)).toMatchObject({ status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'passed', methodology: [{ method: 'document_selfie', result: 'passed' }] } });
    expect(statuses).toEqual(['creating', 'inquiry', 'redeeming', 'passed']);
    // No poll was scheduled and none reached the backend.
    expect(clock.pending().filter((t) => t.ms < 60_000)).toEqual([]);
    const reads = patient.emulator.control.log().filter((e) => e.path.endsWith('/generate-claim'));
    expect(reads).toHaveLength(1);
    flow.dispose();
  });

  it('polls for a result a redeem answer names without its claim (an older backend), at once', async () => {
    const patient = await startRelayStack({ handler: { redeemWaitMs: 15_000 } });
    onTestFinished(() => patient.close());
    // The backend of an earlier release answered only `{ status }`: the flow must still poll for the claim.
    const client = createRelayClient({
      baseUrl: patient.baseUrl,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!(input instanceof Request ? input.url : input instanceof URL ? input.href : input).endsWith('/redeem')) return response;
        const { status } = (await response.json()) as { status: string };
        return Response.json({ status }, { status: response.status });
      },
    });
    const clock = manualClock(Date.now());
    const flow = new RelayFlow({ client, claimType: 'age_over_18_germany', tokenSource: createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(patient.emulator.url) }), now: () => clock.now, timers: clock.timers, firstPollDelayMs: 500 });
    flow.start();
    await finishAs(flow, 'passed', undefined, patient);
    await until(flow, (s) => s.status === 'polling');
    expect(clock.delays.at(-1)).toBe(0);
    expect(clock.runNext(0)).toBe(true);
    expect(await settled(flow)).toMatchObject({ status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'passed' } });
    flow.dispose();
  });
});

describe('RelayFlow lifecycle', () => {
  it('reportError ends a live verification with that error, and is ignored once final', async () => {
    const { flow } = makeFlow({ externalPolling: true });
    flow.start();
    await finishAs(flow, 'passed');
    await until(flow, (s) => s.status === 'polling');
    const error = new RelayNetworkError({ title: 'polling gave up' });
    flow.reportError(error);
    const failed = flow.getSnapshot();
    expect(failed.status === 'error' && failed.error).toBe(error);
    flow.reportError(new Error('later'));
    expect(flow.getSnapshot()).toBe(failed);
    flow.dispose();
  });

  it('getSnapshot is the same object until something changes', async () => {
    const { flow } = makeFlow();
    const idle = flow.getSnapshot();
    expect(flow.getSnapshot()).toBe(idle);
    flow.start();
    const inquiry = await until(flow, (s) => s.status === 'inquiry');
    expect(flow.getSnapshot()).toBe(flow.getSnapshot());
    expect(inquiry).not.toBe(idle);
    flow.dispose();
  });

  it('cancel frees the token source; retry then works with it again', async () => {
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const inner = createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) });
    let disposed = 0;
    const tokenSource: TokenSource = { obtain: (id, signal) => inner.obtain(id, signal), dispose: () => (disposed += 1) };
    const flow = new RelayFlow({ client, claimType: 'age_over_18_germany', tokenSource, pollIntervalMs: 20 });
    flow.start();
    await until(flow, (s) => s.status === 'inquiry');
    flow.cancel();
    expect(flow.getSnapshot().status).toBe('canceled');
    expect(disposed).toBe(1);
    flow.retry();
    await finishAs(flow, 'passed');
    expect(await settled(flow)).toMatchObject({ status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'passed' } });
    flow.dispose();
    expect(disposed).toBe(2);
  });

  it('makes a new token when Persona refuses a spent one (needs-token), then passes', async () => {
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const inner = createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) });
    // Session A spends a token; session B's flow is first handed that same, spent token.
    const sessionA = await client.createSession('age_over_18_united_kingdom');
    const spent = await inner.obtain(sessionA.sessionId);
    stack.emulator.control.finishInquiry(stack.relayTokenOf(sessionA.sessionAccessToken), { status: 'completed', claimResult: 'passed' });
    await client.redeem(sessionA.sessionId, spent);
    await stack.handler.idle();
    expect((await client.getSession(sessionA.sessionId)).status).toBe('passed');
    let handedOut = 0;
    const tokenSource: TokenSource = {
      obtain: (id, signal) => (handedOut++ === 0 ? Promise.resolve(spent) : inner.obtain(id, signal)),
      dispose: () => undefined,
    };
    const flow = new RelayFlow({ client, claimType: 'age_over_18_united_kingdom', tokenSource, pollIntervalMs: 20 });
    const statuses: string[] = [];
    flow.subscribe(() => {
      if (statuses.at(-1) !== flow.getSnapshot().status) statuses.push(flow.getSnapshot().status);
    });
    flow.start();
    await finishAs(flow, 'passed');
    expect(await settled(flow)).toMatchObject({ status: 'passed', claim: { claimType: 'age_over_18_united_kingdom', claimResult: 'passed' } });
    expect(handedOut).toBe(2);
    expect(statuses).toEqual(['creating', 'inquiry', 'redeeming', 'polling', 'redeeming', 'polling', 'passed']);
    flow.dispose();
  });
});
