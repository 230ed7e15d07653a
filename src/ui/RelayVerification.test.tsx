// @vitest-environment jsdom
import { QueryClient } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRemoteStack, type RemoteStack } from '../../test/support/remoteStack.ts';
import { RelayProvider } from '../react/RelayProvider.tsx';
import type { RelayClaim } from '../core/types.ts';
import { de } from './messages.ts';
import { RelayVerification, type RelayVerificationProps } from './RelayVerification.tsx';

// The embed against the real handler and emulator over HTTP; jsdom has no Worker, so tokens are made in-thread.
let stack: RemoteStack;
let emulatorOrigin: string;
beforeAll(async () => {
  stack = await startRemoteStack();
  emulatorOrigin = new URL(stack.emulatorUrl).origin;
});
afterAll(() => stack.close());
afterEach(async () => {
  cleanup();
  vi.useRealTimers();
  await stack.setFaults({});
});

/** A fetch that records every call, so tests can count sessions and see traffic stop. */
function countingFetch() {
  const calls: string[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const fetchImpl: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    signals.push(init?.signal ?? undefined);
    // The body is read here, so once settled() resolves the caller holds its whole answer.
    const answer = fetch(input, init).then(async (r) => new Response([101, 204, 205, 304].includes(r.status) ? null : await r.arrayBuffer(), { status: r.status, statusText: r.statusText, headers: r.headers }));
    const tracked = answer.catch(() => undefined);
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return answer;
  };
  return {
    calls,
    fetchImpl,
    sessions: () => calls.filter((c) => c === 'POST /api/relay/sessions').length,
    /** The calls from index `from` on whose signal is not aborted: requests that can still reach the wire. */
    live: (from = 0) => calls.slice(from).filter((_, i) => signals[from + i]?.aborted !== true),
    /** Resolves once every request made so far has its whole answer, or has failed. */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

function mount(props: RelayVerificationProps, options: { strict?: boolean; fetchImpl?: typeof fetch; queryClient?: QueryClient } = {}) {
  const wrap = (node: ReactNode) => (
    <RelayProvider baseUrl={stack.baseUrl} fetch={options.fetchImpl ?? fetch} inquiry={{ url: `${stack.emulatorUrl}/persona/relay` }} queryClient={options.queryClient}>
      {node}
    </RelayProvider>
  );
  const tree = (p: RelayVerificationProps) => (options.strict ? <StrictMode>{wrap(<RelayVerification {...p} />)}</StrictMode> : wrap(<RelayVerification {...p} />));
  const result = render(tree(props));
  return { ...result, rerenderWith: (p: RelayVerificationProps) => { result.rerender(tree(p)); } };
}

async function frameOf(container: HTMLElement, index = 0): Promise<HTMLIFrameElement> {
  return waitFor(
    () => {
      const frame = container.querySelectorAll('iframe')[index];
      if (!frame) throw new Error('no inquiry frame yet');
      return frame;
    },
    { timeout: 10_000 },
  );
}

function relayTokenOf(frame: HTMLIFrameElement): string {
  const token = new URL(frame.src).searchParams.get('relay-session-access-token');
  if (!token) throw new Error('the frame carries no session access token');
  return stack.relayTokenOf(token);
}

/** What the hosted page does when the person finishes: the emulator records it, the page posts to its parent. */
async function finish(frame: HTMLIFrameElement, claimResult: 'passed' | 'failed', methodology?: RelayClaim['methodology']) {
  await stack.finishInquiry(relayTokenOf(frame), { status: 'completed', claimResult, ...(methodology ? { methodology } : {}) });
  post(frame, { type: 'relay:complete', status: 'completed' });
}

function post(frame: HTMLIFrameElement, data: unknown, origin = emulatorOrigin, source: Window | null = frame.contentWindow) {
  act(() => {
    window.dispatchEvent(new MessageEvent('message', { data, origin, source }));
  });
}

const long = { timeout: 15_000 };

describe('RelayVerification against the handler and the emulator', () => {
  it('walks creating → inquiry → verifying → passed, in StrictMode with one session, and focuses the result', async () => {
    const counter = countingFetch();
    const onResult = vi.fn();
    const { container } = mount({ claimType: 'age_over_18_germany', onResult }, { strict: true, fetchImpl: counter.fetchImpl });
    expect(screen.getByRole('status').textContent).toMatch(/Preparing|not started/);
    const frame = await frameOf(container);
    expect(frame.getAttribute('allow')).toBe('camera');
    expect(frame.title).toBe('Identity verification: age 18+ (Germany)');
    expect(new URL(frame.src).pathname).toBe('/persona/relay');
    expect(screen.getByRole('status').textContent).toBe('Verification page open.');
    // The token is made during the inquiry; wait for the issue call before finishing.
    await waitFor(() => { expect(counter.calls.some((c) => c.endsWith('/issue'))).toBe(true); }, long);
    await finish(frame, 'passed', [{ method: 'document_selfie', result: 'passed' }, { method: 'voice_match', result: 'passed' }]);
    const heading = await screen.findByRole('heading', { name: 'Verified: age 18+ (Germany)' }, long);
    expect(document.activeElement).toBe(heading);
    expect(screen.getByText('Document and selfie')).toBeTruthy();
    expect(screen.getByText('voice_match')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Verification passed.');
    expect(counter.sessions()).toBe(1);
    expect(onResult).toHaveBeenCalledTimes(1);
    expect(onResult).toHaveBeenCalledWith({ claimType: 'age_over_18_germany', claimResult: 'passed', methodology: [{ method: 'document_selfie', result: 'passed' }, { method: 'voice_match', result: 'passed' }] });
  }, 30_000);

  it('ignores messages from another origin or another window', async () => {
    const { container } = mount({ claimType: 'age_over_18_germany' });
    const frame = await frameOf(container);
    post(frame, { type: 'relay:cancel' }, 'http://evil.test');
    post(frame, { type: 'relay:cancel' }, emulatorOrigin, window);
    post(frame, { type: 'not-ours' });
    expect(container.querySelector('section')?.dataset.status).toBe('inquiry');
    post(frame, { type: 'relay:cancel' });
    expect(await screen.findByRole('heading', { name: 'Verification canceled' })).toBeTruthy();
  }, 20_000);

  it('shows a failed claim, "methodology not shared" for France, and retries with a new session', async () => {
    const counter = countingFetch();
    const { container } = mount({ claimType: 'age_over_18_france' }, { fetchImpl: counter.fetchImpl });
    const frame = await frameOf(container);
    await waitFor(() => { expect(counter.calls.some((c) => c.endsWith('/issue'))).toBe(true); }, long);
    await finish(frame, 'failed', [{ method: 'facial_age_estimation', result: 'failed' }]);
    expect(await screen.findByRole('heading', { name: 'Not verified: age 18+ (France)' }, long)).toBeTruthy();
    expect(screen.getByText('Methodology not shared for this claim.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => { expect(container.querySelector('section')?.dataset.status).toBe('inquiry'); }, long);
    expect(counter.sessions()).toBe(2);
  }, 30_000);

  it('cancel from the frame view, then expiry reported by the page', async () => {
    const { container } = mount({ claimType: 'live_human_presence' });
    await frameOf(container);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel verification' }));
    expect(await screen.findByRole('heading', { name: 'Verification canceled' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    const frame = await frameOf(container);
    post(frame, { type: 'relay:expire' });
    expect(await screen.findByRole('heading', { name: 'Verification expired' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Verification expired.');
  }, 20_000);

  it('an upstream error shows the Request-Id to quote and calls onError; no secret is shown', async () => {
    await stack.setFaults({ errorRate: 1, status: 400 });
    const onError = vi.fn();
    const { container } = mount({ claimType: 'age_over_18_germany', onError });
    expect(await screen.findByRole('heading', { name: 'The verification could not finish' }, long)).toBeTruthy();
    const reference = container.querySelector('.relay-kit__reference code')?.textContent ?? '';
    expect(reference).toMatch(/.+/);
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0]?.[0] as { requestId?: string }).requestId).toBe(reference);
    expect(container.innerHTML).not.toMatch(/sk_test|relay-secret|relaySecret/i);
  }, 20_000);

  it('German messages for every view it reaches', async () => {
    const { container } = mount({ claimType: 'age_over_18_germany', messages: de });
    const frame = await frameOf(container);
    expect(frame.title).toBe('Identitätsprüfung: Alter 18+ (Deutschland)');
    expect(screen.getByRole('button', { name: 'Prüfung abbrechen' })).toBeTruthy();
    post(frame, { type: 'relay:cancel' });
    expect(await screen.findByRole('heading', { name: 'Prüfung abgebrochen' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Erneut versuchen' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Prüfung abgebrochen.');
  }, 20_000);

  it('render slots and components replace the default views', async () => {
    const { container } = mount({
      claimType: 'age_over_18_germany',
      autoStart: false,
      render: { idle: (state, messages) => <button type="button" onClick={state.start}>{`custom ${messages.tryAgain}`}</button> },
      components: { Button: (props) => <button type="button" data-slot="button" {...props} /> },
    });
    expect(screen.getByRole('status').textContent).toBe('Verification not started.');
    fireEvent.click(screen.getByRole('button', { name: 'custom Try again' }));
    await frameOf(container);
    expect(container.querySelector('[data-slot="button"]')?.textContent).toBe('Cancel verification');
  }, 20_000);

  it('unmount mid-flow stops all traffic and logs no React error', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const counter = countingFetch();
    const errors = vi.spyOn(console, 'error');
    const { container, unmount } = mount({ claimType: 'age_over_18_germany' }, { fetchImpl: counter.fetchImpl });
    await frameOf(container);
    unmount();
    // Unmounting aborts every request the embed made (the run's signal), so none still on the wire can land.
    expect(counter.live()).toEqual([]);
    // Explicit events instead of a sleep: those requests have settled, then the test clock runs past the
    // session's expiry; a request made after that would have to carry an aborted signal, or fail the check.
    await counter.settled();
    await vi.advanceTimersByTimeAsync(31 * 60_000);
    expect(counter.live()).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  }, 20_000);

  it('a changed claimType disposes the old flow and starts a new session of the new type', async () => {
    const counter = countingFetch();
    const { container, rerenderWith } = mount({ claimType: 'age_over_18_germany' }, { fetchImpl: counter.fetchImpl });
    const first = await frameOf(container);
    rerenderWith({ claimType: 'age_over_18_brazil' });
    await waitFor(() => {
      const frame = container.querySelector('iframe');
      if (!frame || frame.src === first.src) throw new Error('still the old frame');
      expect(frame.title).toBe('Identity verification: age 18+ (Brazil)');
    }, long);
    expect(counter.sessions()).toBe(2);
    // The old session is gone for the page: its messages no longer reach anything.
    post(first, { type: 'relay:cancel' });
    expect(container.querySelector('section')?.dataset.status).toBe('inquiry');
  }, 20_000);

  it('two embeds on one page are independent and share the app QueryClient', async () => {
    const queryClient = new QueryClient();
    const { container } = render(
      <RelayProvider baseUrl={stack.baseUrl} fetch={fetch} inquiry={{ url: `${stack.emulatorUrl}/persona/relay` }} queryClient={queryClient}>
        <RelayVerification claimType="age_over_18_germany" />
        <RelayVerification claimType="age_over_18_brazil" />
      </RelayProvider>,
    );
    const a = await frameOf(container, 0);
    const b = await frameOf(container, 1);
    expect(a.src).not.toBe(b.src);
    post(b, { type: 'relay:cancel' });
    const sections = container.querySelectorAll('section');
    await waitFor(() => { expect(sections[1]?.dataset.status).toBe('canceled'); });
    expect(sections[0]?.dataset.status).toBe('inquiry');
  }, 20_000);
});
