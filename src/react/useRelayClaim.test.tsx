// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { emulatorPageMessage } from '../../test/support/emulatorPage.ts';
import { createRelayClient } from '../core/client.ts';
import { EmulatorRelay } from '../emulator/widget/index.ts';
import type { PageEvent } from '../emulator/widget/protocol.ts';
import { RelayProvider } from './RelayProvider.tsx';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRemoteStack, type RemoteStack } from '../../test/support/remoteStack.ts';
import type { UseRelayClaimEvent, UseRelayClaimOptions, UseRelayClaimReturn } from './types.ts';
import { useRelayClaim } from './useRelayClaim.ts';
import { recordingFetch } from '../../test/support/recordingFetch.ts';

// The hook against the real handler and emulator over HTTP (in a child process, away from jsdom's globals),
// with EmulatorRelay as the widget; jsdom has no Worker, so tokens are made in-thread, and it does not run the
// emulator's page in the iframe, so the tests post what that page posts.
let stack: RemoteStack;
let emulatorOrigin: string;
beforeAll(async () => {
  stack = await startRemoteStack();
  emulatorOrigin = new URL(stack.emulatorUrl).origin;
  EmulatorRelay.configure({ url: `${stack.emulatorUrl}/persona` });
});
afterAll(() => stack.close());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

const long = { timeout: 15_000 };

/** Renders the hook under a provider aimed at the stack; `seen` lists every status a render returned. */
function mountHook(initial: UseRelayClaimOptions, options: { strict?: boolean; fetchImpl?: typeof fetch } = {}) {
  const seen: string[] = [];
  const wrapper = ({ children }: { children: ReactNode }) => {
    const provider = (
      <RelayProvider baseUrl={stack.baseUrl} fetch={options.fetchImpl ?? fetch} widget={EmulatorRelay} expectedIssuer={emulatorIssuerName(stack.emulatorUrl)}>
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

/** Gives the hook the container `inquiryProps` goes on; resolves with the iframe the widget mounted in it. */
async function attachContainer(state: UseRelayClaimReturn): Promise<HTMLIFrameElement> {
  if (state.status !== 'inquiry') throw new Error(`expected the inquiry, got ${state.status}`);
  const container = document.createElement('div');
  document.body.append(container);
  act(() => {
    state.inquiryProps.ref(container);
  });
  return waitFor(() => {
    const frame = container.querySelector('iframe');
    if (!frame) throw new Error('no widget mounted yet');
    return frame;
  });
}

function relayTokenOf(state: UseRelayClaimReturn): Promise<string> {
  if (!state.session) throw new Error('no session yet');
  return stack.relayTokenOf(state.session.sessionAccessToken);
}

function post(frame: HTMLIFrameElement, event: PageEvent) {
  act(() => {
    window.dispatchEvent(emulatorPageMessage(frame, event, { origin: emulatorOrigin }));
  });
}

describe('useRelayClaim', () => {
  it('returns idle → creating → inquiry → verifying → passed with the claim, under StrictMode with one session', async () => {
    const net = recordingFetch();
    const events: UseRelayClaimEvent[] = [];
    const { result, seen } = mountHook({ claimType: 'age_over_18_united_kingdom', onEvent: (e) => events.push(e) }, { strict: true, fetchImpl: net.fetchImpl });
    await waitFor(() => { expect(result.current.status).toBe('inquiry'); }, long);
    const inquiry = result.current;
    if (inquiry.status !== 'inquiry') throw new Error('unreachable');
    expect(Object.keys(inquiry.inquiryProps)).toEqual(['ref']);
    await waitFor(() => { expect(result.current.status === 'inquiry' && result.current.tokenReady).toBe(true); }, long);
    const frame = await attachContainer(result.current);
    expect(new URL(frame.src).searchParams.get('relay-session-access-token')).toBe(inquiry.session.sessionAccessToken);
    await stack.finishInquiry(await relayTokenOf(result.current), { status: 'completed', claimResult: 'passed', methodology: [{ method: 'live_selfie', result: 'passed' }] });
    post(frame, 'complete');
    await waitFor(() => { expect(result.current.status).toBe('passed'); }, long);
    const done = result.current;
    if (done.status !== 'passed') throw new Error('unreachable');
    expect(done.claim).toEqual({ claimType: 'age_over_18_united_kingdom', claimResult: 'passed', methodology: [{ method: 'live_selfie', result: 'passed' }] });
    expect(done.methodology).toEqual([{ method: 'live_selfie', result: 'passed' }]);
    expect(seen).toEqual(['idle', 'creating', 'inquiry', 'verifying', 'passed']);
    expect(net.count('POST /api/relay/sessions')).toBe(1);
    expect(net.count('/issue')).toBe(1);
    expect(net.count('/redeem')).toBe(1);
    expect(events.filter((e) => e.type === 'status').map((e) => e.status)).toEqual(['creating', 'inquiry', 'verifying', 'passed']);
    // Events carry no token: the session access token and the Privacy Pass token stay out of analytics.
    expect(JSON.stringify(events)).not.toContain(done.session.sessionAccessToken);
    // One token, handed to the server as soon as it was made (/token) and carried by the redeem.
    const redeemed = [...new Set(net.bodies.map((body) => (JSON.parse(body) as { token?: unknown }).token).filter((token) => typeof token === 'string'))];
    expect(redeemed).toHaveLength(1);
    expect(net.count('/token')).toBe(1);
    expect(JSON.stringify(events)).not.toContain(redeemed[0]);
  }, 30_000);

  it('stays idle with enabled: false, and with autoStart: false until start()', async () => {
    // A test clock instead of sleeping: a start deferred by any timer up to a minute would show here.
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const net = recordingFetch();
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
    const net = recordingFetch();
    const { result } = mountHook({ ...own }, { fetchImpl: net.fetchImpl });
    await waitFor(() => { expect(result.current.status).toBe('inquiry'); }, long);
    expect(result.current.session?.sessionId).toBe(own.sessionId);
    expect(net.count('POST /api/relay/sessions')).toBe(0);
  }, 20_000);

  it('a new onResult each render neither restarts the flow nor calls a stale one', async () => {
    const net = recordingFetch();
    const calls: string[] = [];
    const { result, rerender } = mountHook({ claimType: 'live_human_presence', onResult: () => calls.push('first') }, { fetchImpl: net.fetchImpl });
    await waitFor(() => { expect(result.current.status === 'inquiry' && result.current.tokenReady).toBe(true); }, long);
    for (let i = 0; i < 3; i += 1) rerender({ claimType: 'live_human_presence', onResult: () => calls.push(`render ${String(i)}`) });
    const frame = await attachContainer(result.current);
    await stack.finishInquiry(await relayTokenOf(result.current), { status: 'completed', claimResult: 'failed' });
    post(frame, 'complete');
    await waitFor(() => { expect(result.current.status).toBe('failed'); }, long);
    expect(calls).toEqual(['render 2']);
    expect(net.count('POST /api/relay/sessions')).toBe(1);
  }, 30_000);

  it('onError gets the RelayError with the upstream Request-Id; retry() starts a new session', async () => {
    const onError = vi.fn();
    await stack.setFaults({ errorRate: 1, status: 400 });
    const net = recordingFetch();
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

  it('widgetTheme and widgetLanguage reach the widget; without them, the widget default and the provider locale', async () => {
    const { result, rerender } = mountHook({ claimType: 'age_over_18_germany', widgetTheme: 'light', widgetLanguage: 'pt-BR' });
    await waitFor(() => { expect(result.current.status).toBe('inquiry'); }, long);
    const src = new URL((await attachContainer(result.current)).src);
    expect(src.searchParams.get('theme')).toBe('light');
    expect(src.searchParams.get('language')).toBe('pt-BR');
    // Read when the widget mounts: a new value does not remount the person's verification.
    rerender({ claimType: 'age_over_18_germany', widgetTheme: 'dark' });
    expect(document.querySelectorAll('iframe')).toHaveLength(1);
    cleanup();
    const plain = mountHook({ claimType: 'age_over_18_germany' });
    await waitFor(() => { expect(plain.result.current.status).toBe('inquiry'); }, long);
    const defaults = new URL((await attachContainer(plain.result.current)).src);
    expect(defaults.searchParams.has('theme')).toBe(false);
    expect(defaults.searchParams.get('language')).toBe('en');
  }, 30_000);

  it('unmount during the inquiry destroys the widget and leaves no listener; no more events, no request after', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const net = recordingFetch();
    const onEvent = vi.fn();
    const errors = vi.spyOn(console, 'error');
    const add = vi.spyOn(window, 'addEventListener');
    const remove = vi.spyOn(window, 'removeEventListener');
    const { result, unmount } = mountHook({ claimType: 'age_over_18_germany', onEvent }, { fetchImpl: net.fetchImpl });
    await waitFor(() => { expect(result.current.status).toBe('inquiry'); }, long);
    const frame = await attachContainer(result.current);
    const added = add.mock.calls.filter(([type]) => type === 'message');
    expect(added).toHaveLength(1);
    unmount();
    expect(frame.isConnected).toBe(false);
    expect(remove.mock.calls.filter(([type]) => type === 'message').map(([, listener]) => listener)).toEqual([added[0]![1]]);
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
