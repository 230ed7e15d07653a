import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { createInThreadTokenSource } from '../worker/tokenSource.ts';
import { createRelayClient } from './client.ts';
import { finalFlowStatuses, type RelayFlowSnapshot } from './flowState.ts';
import { RelayFlow } from './RelayFlow.ts';
import type { InquiryEvent, RelaySessionState } from './types.ts';

// Random sequences of everything a page or a hook can do to a flow, against the real backend:
// nothing throws, snapshots stay well-formed and stable, and a disposed flow never calls back.
const runs = Number(process.env.FUZZ_RUNS ?? 60);
let stack: RelayStack;
beforeAll(async () => {
  // A short redeem deadline, so redeems of inquiries nobody finished end before the stack closes.
  stack = await startRelayStack({ handler: { retry: { deadlineMs: 1_000 } } });
});
afterAll(() => stack.close(), 30_000);

/** The flow's requests to the app backend (through the global fetch), with their signals and their endings. */
const sent: { path: string; signal: AbortSignal | undefined; ended: Promise<unknown> }[] = [];
beforeAll(() => {
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const answer = realFetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // The handler's own calls to the emulator go through here too; only the flow's count.
    if (url.startsWith(stack.baseUrl)) sent.push({ path: new URL(url).pathname, signal: init?.signal ?? undefined, ended: answer.then((r) => r.clone().arrayBuffer()).catch(() => undefined) });
    return answer;
  });
});
afterAll(() => {
  vi.restoreAllMocks();
});

const statuses = ['idle', 'creating', 'inquiry', 'redeeming', 'polling', 'passed', 'failed', 'canceled', 'expired', 'error'];
const sessionState: fc.Arbitrary<RelaySessionState> = fc.record(
  {
    status: fc.constantFrom('inquiry', 'redeeming', 'needs-token', 'passed', 'failed', 'expired', 'error'),
    claim: fc.record({ claimType: fc.constant('age_over_18_germany'), claimResult: fc.constantFrom('passed', 'failed') }),
    error: fc.record({ status: fc.constantFrom(401, 502), title: fc.string() }),
  },
  { requiredKeys: ['status'] },
);
type Action =
  | { type: 'start' | 'cancel' | 'retry' | 'wait' | 'finish-at-persona' | 'settle' }
  | { type: 'widget'; event: InquiryEvent; stale: boolean }
  | { type: 'state'; state: RelaySessionState };
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.constantFrom('start', 'cancel', 'retry', 'wait', 'finish-at-persona', 'settle', 'settle').map((type) => ({ type })),
  fc.constant({ type: 'widget' as const, event: { type: 'complete' as const }, stale: false }),
  fc.record({
    type: fc.constant('widget' as const),
    event: fc.oneof(fc.constant({ type: 'complete' as const }), fc.constant({ type: 'expire' as const }), fc.record({ type: fc.constant('error' as const), code: fc.string(), message: fc.option(fc.string(), { nil: undefined }) })),
    stale: fc.boolean(),
  }),
  fc.record({ type: fc.constant('state'), state: sessionState }),
);

function checkSnapshot(snapshot: RelayFlowSnapshot): void {
  expect(statuses).toContain(snapshot.status);
  if (snapshot.status === 'passed' || snapshot.status === 'failed') expect(snapshot.claim.claimResult).toBe(snapshot.status);
  if (snapshot.status === 'error') expect(snapshot.error.name).toMatch(/^Relay/);
}

describe('RelayFlow under random call sequences', () => {
  it('never throws, keeps snapshots well-formed, and is silent after dispose', async () => {
    const reached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), fc.boolean(), fc.boolean(), async (actions, externalPolling, startFirst) => {
        const client = createRelayClient({ baseUrl: stack.baseUrl });
        const flow = new RelayFlow({ client, claimType: 'age_over_18_germany', tokenSource: createInThreadTokenSource(client, { expectedIssuer: emulatorIssuerName(stack.emulator.url) }), externalPolling, pollIntervalMs: 5, firstPollDelayMs: 1 });
        let seen = flow.getSnapshot();
        flow.subscribe(() => {
          seen = flow.getSnapshot();
          checkSnapshot(seen);
        });
        // Most sequences begin the way a page does, so the later states get their share of the runs.
        const steps: Action[] = startFirst ? [{ type: 'start' }, { type: 'settle' }, ...actions] : actions;
        for (const step of steps) {
          if (step.type === 'start') flow.start();
          else if (step.type === 'cancel') flow.cancel();
          else if (step.type === 'retry') flow.retry();
          else if (step.type === 'wait') await new Promise((resolve) => setTimeout(resolve, 30));
          else if (step.type === 'settle') {
            // Let the flow get where it is going: past creating, the token, the redeem.
            for (let i = 0; i < 150; i += 1) {
              const snapshot = flow.getSnapshot();
              if (snapshot.status !== 'creating' && snapshot.status !== 'redeeming' && !(snapshot.status === 'inquiry' && !snapshot.tokenReady)) break;
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
            reached.add(flow.getSnapshot().status);
          }
          else if (step.type === 'widget') {
            // A stale callback comes from a widget of an earlier session (one a retry replaced).
            flow.handleInquiryEvent(step.event, step.stale ? 'ses_earlier' : undefined);
          } else if (step.type === 'state') flow.receiveSessionState(step.state);
          else {
            const snapshot = flow.getSnapshot();
            if ('session' in snapshot && snapshot.session) {
              stack.emulator.control.finishInquiry(stack.relayTokenOf(snapshot.session.sessionAccessToken), { status: 'completed', claimResult: 'passed' });
            }
          }
          await Promise.resolve();
          reached.add(flow.getSnapshot().status);
          // The snapshot a listener last saw is the current one: nothing changed without telling.
          expect(flow.getSnapshot()).toBe(seen);
          expect(flow.getSnapshot()).toBe(flow.getSnapshot());
        }
        const wasFinal = (finalFlowStatuses as readonly string[]).includes(flow.getSnapshot().status);
        const sentBefore = sent.length;
        const snapshotAtDispose = flow.getSnapshot();
        flow.dispose();
        // Listeners are dropped at dispose, so silence is checked where it can fail: every request the flow
        // made is aborted at once, and once those have ended (the explicit event) the snapshot is the same
        // object and anything sent after carried an aborted signal.
        expect(sent.filter((r) => r.signal?.aborted !== true).map((r) => r.path)).toEqual([]);
        await Promise.all(sent.map((r) => r.ended));
        expect(flow.getSnapshot()).toBe(snapshotAtDispose);
        expect(sent.slice(sentBefore).filter((r) => r.signal?.aborted !== true).map((r) => r.path)).toEqual([]);
        sent.length = 0;
        if (wasFinal) expect(flow.getSnapshot().status).toBe(seen.status);
      }),
      { numRuns: runs },
    );
    // The sequences must get past the inquiry, or the later states went untested.
    expect([...reached]).toEqual(expect.arrayContaining(['inquiry', 'redeeming', 'polling', 'canceled']));
  }, 120_000);
});
