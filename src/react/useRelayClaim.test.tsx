// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRelayClient } from '../core/client.ts';
import type { RelayFlowEvent } from '../core/flowState.ts';
import { RelayProvider } from './RelayProvider.tsx';
import { startRemoteStack, type RemoteStack } from '../../test/support/remoteStack.ts';
import type { UseRelayClaimOptions, UseRelayClaimReturn } from './types.ts';
import { useRelayClaim } from './useRelayClaim.ts';

// The hook against the real handler and emulator over HTTP (in a child process, away from jsdom's globals);
// jsdom has no Worker, so tokens are made in-thread.
let stack: RemoteStack;
let emulatorOrigin: string;
beforeAll(async () => {
  stack = await startRemoteStack();
  emulatorOrigin = new URL(stack.emulatorUrl).origin;
});
afterAll(() => stack.close());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const long = { timeout: 15_000 };

function recorder() {
  const calls: string[] = [];
  const bodies: string[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const fetchImpl: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    if (typeof init?.body === 'string') bodies.push(init.body);
    // The body is read here, so once settled() resolves the caller holds its whole answer.
    const answer = fetch(input, init).then(async (r) => new Response([101, 204, 205, 304].includes(r.status) ? null : await r.arrayBuffer(), { status: r.status, statusText: r.statusText, headers: r.headers }));
    const tracked = answer.catch(() => undefined);
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return answer;
  };
  return {
    calls,
    bodies,
    fetchImpl,
    count: (suffix: string) => calls.filter((c) => c.endsWith(suffix)).length,
    /** Resolves once every request made so far has its whole answer, or has failed. */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

/** Renders the hook under a provider aimed at the stack; `seen` lists every status a render returned. */
function mountHook(initial: UseRelayClaimOptions, options: { strict?: boolean; fetchImpl?: typeof fetch } = {}) {
  const seen: string[] = [];
  const wrapper = ({ children }: { children: ReactNode }) => {
    const provider = (
      <RelayProvider baseUrl={stack.baseUrl} fetch={options.fetchImpl ?? fetch} inquiry={{ url: `${stack.emulatorUrl}/persona/relay` }}>
        {children}
      </RelayProvider>
    );
    return options.strict ? <StrictMode>{provider}</StrictMode> : provider;
  };
  const hook = renderHook(
    (props: UseRelayClaimOptions) => {
      const state = useRelayClaim(props);
      if (seen.at(-1) !== state.status) seen.push(state.status);
      return state;
    },
    { wrapper, initialProps: initial },
  );
  return { ...hook, seen };
}

/** Gives the hook a frame whose window is the one the hosted page would post from. */
function attachFrame(state: UseRelayClaimReturn): HTMLIFrameElement {
  if (state.status !== 'inquiry') throw new Error(`expected the inquiry, got ${state.status}`);
  const frame = document.createElement('iframe');
  document.body.append(frame);
  act(() => {
    state.inquiryProps.ref(frame);
  });
  return frame;
}

function relayTokenOf(state: UseRelayClaimReturn): string {
  if (!state.session) throw new Error('no session yet');
  return stack.relayTokenOf(state.session.sessionAccessToken);
}

function post(frame: HTMLIFrameElement, data: unknown) {
  act(() => {
    window.dispatchEvent(new MessageEvent('message', { data, origin: emulatorOrigin, source: frame.contentWindow }));
  });
}

describe('useRelayClaim', () => {
  it('returns idle → creating → inquiry → verifying → passed with the claim, under StrictMode with one session', async () => {
    const net = recorder();
    const events: RelayFlowEvent[] = [];
    const { result, seen } = mountHook({ claimType: 'age_over_18_united_kingdom', onEvent: (e) => events.push(e) }, { strict: true, fetchImpl: net.fetchImpl });
    await waitFor(() => { expect(result.current.status).toBe('inquiry'); }, long);
    const inquiry = result.current;
    if (inquiry.status !== 'inquiry') throw new Error('unreachable');
    expect(inquiry.inquiryProps.allow).toBe('camera');
    expect(new URL(inquiry.inquiryProps.src).searchParams.get('relay-session-access-token')).toBe(inquiry.session.sessionAccessToken);
    await waitFor(() => { expect(result.current.status === 'inquiry' && result.current.tokenReady).toBe(true); }, long);
    const frame = attachFrame(result.current);
    await stack.finishInquiry(relayTokenOf(result.current), { status: 'completed', claimResult: 'passed', methodology: [{ method: 'live_selfie', result: 'passed' }] });
    post(frame, { type: 'relay:complete', status: 'completed' });
    await waitFor(() => { expect(result.current.status).toBe('passed'); }, long);
    const done = result.current;
    if (done.status !== 'passed') throw new Error('unreachable');
    expect(done.claim).toEqual({ claimType: 'age_over_18_united_kingdom', claimResult: 'passed', methodology: [{ method: 'live_selfie', result: 'passed' }] });
    expect(done.methodology).toEqual([{ method: 'live_selfie', result: 'passed' }]);
    expect(seen).toEqual(['idle', 'creating', 'inquiry', 'verifying', 'passed']);
    expect(net.count('POST /api/relay/sessions')).toBe(1);
    expect(net.count('/issue')).toBe(1);
    expect(net.count('/redeem')).toBe(1);
    expect(events.filter((e) => e.type === 'status').map((e) => e.status)).toEqual(['creating', 'inquiry', 'redeeming', 'polling', 'passed']);
    // Events carry no token: the session access token and the Privacy Pass token stay out of analytics.
    expect(JSON.stringify(events)).not.toContain(done.session.sessionAccessToken);
    const redeemed = net.bodies.map((body) => (JSON.parse(body) as { token?: unknown }).token).filter((token) => typeof token === 'string');
    expect(redeemed).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(redeemed[0]);
  }, 30_000);

  it('stays idle with enabled: false, and with autoStart: false until start()', async () => {
    // A test clock instead of sleeping: a start deferred by any timer up to a minute would show here.
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const net = recorder();
    const { result, rerender } = mountHook({ claimType: 'age_over_18_germany', enabled: false }, { fetchImpl: net.fetchImpl });
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(result.current.status).toBe('idle');
    act(() => {
      result.current.start();
    });
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(result.current.status).toBe('idle');
    rerender({ claimType: 'age_over_18_germany', autoStart: false });
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(result.current.status).toBe('idle');
    expect(net.calls).toEqual([]);
    vi.useRealTimers();
    act(() => {
      result.current.start();
    });
    await waitFor(() => { expect(result.current.status).toBe('inquiry'); }, long);
    expect(net.count('POST /api/relay/sessions')).toBe(1);
  }, 20_000);

  it('uses the app’s own session (sessionId + sessionAccessToken) without creating one', async () => {
    const own = await createRelayClient({ baseUrl: stack.baseUrl }).createSession('age_over_18_germany');
    const net = recorder();
    const { result } = mountHook({ ...own }, { fetchImpl: net.fetchImpl });
    await waitFor(() => { expect(result.current.status).toBe('inquiry'); }, long);
    expect(result.current.session?.sessionId).toBe(own.sessionId);
    expect(net.count('POST /api/relay/sessions')).toBe(0);
  }, 20_000);

  it('a new onResult each render neither restarts the flow nor calls a stale one', async () => {
    const net = recorder();
    const calls: string[] = [];
    const { result, rerender } = mountHook({ claimType: 'live_human_presence', onResult: () => calls.push('first') }, { fetchImpl: net.fetchImpl });
    await waitFor(() => { expect(result.current.status === 'inquiry' && result.current.tokenReady).toBe(true); }, long);
    for (let i = 0; i < 3; i += 1) rerender({ claimType: 'live_human_presence', onResult: () => calls.push(`render ${String(i)}`) });
    const frame = attachFrame(result.current);
    await stack.finishInquiry(relayTokenOf(result.current), { status: 'completed', claimResult: 'failed' });
    post(frame, { type: 'relay:complete' });
    await waitFor(() => { expect(result.current.status).toBe('failed'); }, long);
    expect(calls).toEqual(['render 2']);
    expect(net.count('POST /api/relay/sessions')).toBe(1);
  }, 30_000);

  it('onError gets the RelayError with the upstream Request-Id; retry() starts a new session', async () => {
    const onError = vi.fn();
    await stack.setFaults({ errorRate: 1, status: 400 });
    const net = recorder();
    const { result } = mountHook({ claimType: 'age_over_18_germany', onError }, { fetchImpl: net.fetchImpl });
    await waitFor(() => { expect(result.current.status).toBe('error'); }, long);
    await stack.setFaults({});
    const failed = result.current;
    if (failed.status !== 'error') throw new Error('unreachable');
    expect(failed.error.requestId).toMatch(/\S+/);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledWith(failed.error);
    expect(failed.error.message).not.toMatch(/sk_test|secret/i);
    act(() => {
      result.current.retry();
    });
    await waitFor(() => { expect(result.current.status).toBe('inquiry'); }, long);
    expect(net.count('POST /api/relay/sessions')).toBe(2);
  }, 30_000);

  it('unmount mid-flow disposes the flow: no more events, no request after', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const net = recorder();
    const onEvent = vi.fn();
    const errors = vi.spyOn(console, 'error');
    const { result, unmount } = mountHook({ claimType: 'age_over_18_germany', onEvent }, { fetchImpl: net.fetchImpl });
    await waitFor(() => { expect(result.current.status).toBe('inquiry'); }, long);
    unmount();
    const events = onEvent.mock.calls.length;
    const requests = net.calls.length;
    // Explicit events instead of a sleep: every request on the wire has its answer, then the test clock runs
    // past the session's expiry, so a late answer or a timer the flow still acted on would show.
    await net.settled();
    await vi.advanceTimersByTimeAsync(31 * 60_000);
    expect(onEvent.mock.calls.length).toBe(events);
    expect(net.calls.length).toBe(requests);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  }, 20_000);

  it('throws a clear error without a RelayProvider', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => renderHook(() => useRelayClaim({ claimType: 'age_over_18_germany' }))).toThrow(/RelayProvider/);
    errors.mockRestore();
  });
});
