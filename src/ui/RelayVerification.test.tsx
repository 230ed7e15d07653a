// @vitest-environment jsdom
import { QueryClient } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { emulatorPageMessage } from '../../test/support/emulatorPage.ts';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRemoteStack, type RemoteStack } from '../../test/support/remoteStack.ts';
import { EmulatorRelay } from '../emulator/widget/index.ts';
import type { PageEvent } from '../emulator/widget/protocol.ts';
import { RelayProvider } from '../react/RelayProvider.tsx';
import type { RelayClaim } from '../core/types.ts';
import { de } from '../i18n/messages.ts';
import { RelayVerification, type RelayVerificationProps } from './RelayVerification.tsx';
import { recordingFetch } from '../../test/support/recordingFetch.ts';

// The embed against the real handler and emulator over HTTP, with EmulatorRelay as the widget (what an app
// passes as `widget`); jsdom has no Worker, so tokens are made in-thread, and it does not run the emulator's
// page inside the iframe, so the tests post what that page posts.
let stack: RemoteStack;
let emulatorOrigin: string;
beforeAll(async () => {
  stack = await startRemoteStack();
  emulatorOrigin = new URL(stack.emulatorUrl).origin;
  EmulatorRelay.configure({ url: `${stack.emulatorUrl}/persona` });
});
afterAll(() => stack.close());
afterEach(async () => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  await stack.setFaults({});
});

/** A fetch that records every call, so tests can count sessions and see traffic stop. */
function countingFetch() {
  const net = recordingFetch();
  return {
    ...net,
    sessions: () => net.calls.filter((c) => c === 'POST /api/relay/sessions').length,
    /** The calls from index `from` on whose signal is not aborted: requests that can still reach the wire. */
    live: (from = 0) => net.calls.slice(from).filter((_, i) => net.signals[from + i]?.aborted !== true),
  };
}

function mount(props: RelayVerificationProps, options: { strict?: boolean; fetchImpl?: typeof fetch; queryClient?: QueryClient } = {}) {
  const wrap = (node: ReactNode) => (
    <RelayProvider baseUrl={stack.baseUrl} fetch={options.fetchImpl ?? fetch} widget={EmulatorRelay} expectedIssuer={emulatorIssuerName(stack.emulatorUrl)} queryClient={options.queryClient}>
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

function relayTokenOf(frame: HTMLIFrameElement): Promise<string> {
  const token = new URL(frame.src).searchParams.get('relay-session-access-token');
  if (!token) throw new Error('the frame carries no session access token');
  return stack.relayTokenOf(token);
}

/** What the hosted page does when the person finishes: the emulator records it, the page tells the widget. */
async function finish(frame: HTMLIFrameElement, claimResult: 'passed' | 'failed', methodology?: RelayClaim['methodology']) {
  await stack.finishInquiry(await relayTokenOf(frame), { status: 'completed', claimResult, ...(methodology ? { methodology } : {}) });
  post(frame, 'complete');
}

function post(frame: HTMLIFrameElement, event: PageEvent, origin = emulatorOrigin, source: MessageEventSource | null = frame.contentWindow) {
  act(() => {
    window.dispatchEvent(emulatorPageMessage(frame, event, { origin, source }));
  });
}

/** The window `message` listeners added and not yet removed (EmulatorRelay's are the only ones here). */
function messageListeners() {
  const add = vi.spyOn(window, 'addEventListener');
  const remove = vi.spyOn(window, 'removeEventListener');
  const live = () => {
    const added = add.mock.calls.filter(([type]) => type === 'message').map(([, listener]) => listener);
    const removed = new Set(remove.mock.calls.filter(([type]) => type === 'message').map(([, listener]) => listener));
    return added.filter((listener) => !removed.has(listener)).length;
  };
  return { live, added: () => add.mock.calls.filter(([type]) => type === 'message').length };
}

const long = { timeout: 15_000 };

describe('RelayVerification against the handler and the emulator', () => {
  it('walks creating → inquiry → verifying → passed, in StrictMode with one session, and focuses the result', async () => {
    const counter = countingFetch();
    const onResult = vi.fn();
    const listeners = messageListeners();
    const { container } = mount({ claimType: 'age_over_18_germany', onResult }, { strict: true, fetchImpl: counter.fetchImpl });
    expect(screen.getByRole('status').textContent).toMatch(/Preparing|not started/);
    const frame = await frameOf(container);
    // The widget mounts into the kit's labelled container, once: StrictMode's double mount constructs one widget.
    expect(frame.parentElement?.getAttribute('aria-label')).toBe('Identity verification: Age 18+ (Germany)');
    expect(new URL(frame.src).pathname).toBe('/persona/relay');
    expect(new URL(frame.src).searchParams.get('theme')).toBe('auto');
    expect(new URL(frame.src).searchParams.get('language')).toBe('en');
    expect(container.querySelectorAll('iframe')).toHaveLength(1);
    expect(listeners.added()).toBe(1);
    expect(screen.getByRole('status').textContent).toBe('Verification page open.');
    // The token is made during the inquiry; wait for the issue call before finishing.
    await waitFor(() => { expect(counter.calls.some((c) => c.endsWith('/issue'))).toBe(true); }, long);
    await finish(frame, 'passed', [{ method: 'document_selfie', result: 'passed' }, { method: 'voice_match', result: 'passed' }]);
    const heading = await screen.findByRole('heading', { name: 'Verified: Age 18+ (Germany)' }, long);
    expect(document.activeElement).toBe(heading);
    expect(screen.getByText('Document and selfie')).toBeTruthy();
    expect(screen.getByText('Voice match')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Verification passed.');
    expect(counter.sessions()).toBe(1);
    // Complete ended the inquiry: the widget is destroyed with it.
    expect(container.querySelector('iframe')).toBeNull();
    expect(listeners.live()).toBe(0);
    expect(onResult).toHaveBeenCalledTimes(1);
    expect(onResult).toHaveBeenCalledWith({ claimType: 'age_over_18_germany', claimResult: 'passed', methodology: [{ method: 'document_selfie', result: 'passed' }, { method: 'voice_match', result: 'passed' }] });
  }, 30_000);

  it('the widget ignores messages from another origin or another window', async () => {
    const { container } = mount({ claimType: 'age_over_18_germany' });
    const frame = await frameOf(container);
    post(frame, 'expire', 'http://evil.test');
    post(frame, 'expire', emulatorOrigin, window);
    expect(container.querySelector('section')?.dataset.status).toBe('inquiry');
    post(frame, 'expire');
    expect(await screen.findByRole('heading', { name: 'Verification expired' })).toBeTruthy();
  }, 20_000);

  it('forwards the theme and the locale to the widget', async () => {
    const { container } = mount({ claimType: 'age_over_18_germany', theme: 'dark', messages: de });
    const src = new URL((await frameOf(container)).src);
    expect(src.searchParams.get('theme')).toBe('dark');
    expect(src.searchParams.get('language')).toBe('de');
  }, 20_000);

  it('a provider without a widget throws a clear error at render and creates no relay', async () => {
    const counter = countingFetch();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const noWidget = { baseUrl: stack.baseUrl, fetch: counter.fetchImpl } as unknown as Parameters<typeof RelayProvider>[0];
    expect(() => render(<RelayProvider {...noWidget}><RelayVerification claimType="age_over_18_germany" /></RelayProvider>)).toThrow(
      /needs widget=\{Relay\}.*@persona\/relay.*EmulatorRelay/,
    );
    errors.mockRestore();
    cleanup();
    // A provider with a widget on the same fetch: once its session exists, the failed one had made none.
    mount({ claimType: 'age_over_18_germany' }, { fetchImpl: counter.fetchImpl });
    await waitFor(() => { expect(counter.sessions()).toBe(1); }, long);
    expect(counter.calls.filter((c) => c === 'POST /api/relay/sessions')).toHaveLength(1);
  }, 20_000);

  it('shows a failed claim, "methodology not shared" for France, and retries with a new session', async () => {
    const counter = countingFetch();
    const { container } = mount({ claimType: 'age_over_18_france' }, { fetchImpl: counter.fetchImpl });
    const frame = await frameOf(container);
    await waitFor(() => { expect(counter.calls.some((c) => c.endsWith('/issue'))).toBe(true); }, long);
    await finish(frame, 'failed', [{ method: 'facial_age_estimation', result: 'failed' }]);
    expect(await screen.findByRole('heading', { name: 'Not verified: Age 18+ (France)' }, long)).toBeTruthy();
    expect(screen.getByText('Methodology not shared for this claim.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => { expect(container.querySelector('section')?.dataset.status).toBe('inquiry'); }, long);
    expect(counter.sessions()).toBe(2);
  }, 30_000);

  it('Cancel destroys the widget and tells the backend; Try again mounts a new one; then expiry reported by the widget', async () => {
    const counter = countingFetch();
    const listeners = messageListeners();
    const { container } = mount({ claimType: 'live_human_presence' }, { fetchImpl: counter.fetchImpl });
    const first = await frameOf(container);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel verification' }));
    expect(await screen.findByRole('heading', { name: 'Verification canceled' })).toBeTruthy();
    expect(first.isConnected).toBe(false);
    expect(listeners.live()).toBe(0);
    await waitFor(() => { expect(counter.calls.filter((c) => c.endsWith('/cancel'))).toHaveLength(1); }, long);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    const frame = await frameOf(container);
    expect(frame).not.toBe(first);
    expect(listeners.live()).toBe(1);
    post(frame, 'expire');
    expect(await screen.findByRole('heading', { name: 'Verification expired' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Verification expired.');
    expect(frame.isConnected).toBe(false);
    expect(listeners.live()).toBe(0);
  }, 20_000);

  it('an error reported by the widget ends in the error view', async () => {
    const { container } = mount({ claimType: 'age_over_18_germany' });
    const frame = await frameOf(container);
    act(() => {
      window.dispatchEvent(emulatorPageMessage(frame, 'error', { origin: emulatorOrigin, code: 'invalid-session' }));
    });
    expect(await screen.findByRole('heading', { name: 'The verification could not finish' })).toBeTruthy();
    expect(frame.isConnected).toBe(false);
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
    expect(frame.parentElement?.getAttribute('aria-label')).toBe('Identitätsprüfung: Ab 18 Jahren (Deutschland)');
    fireEvent.click(screen.getByRole('button', { name: 'Prüfung abbrechen' }));
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

  it('unmount during the inquiry destroys the widget (no listener left), stops all traffic and logs no React error', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const counter = countingFetch();
    const errors = vi.spyOn(console, 'error');
    const listeners = messageListeners();
    const { container, unmount } = mount({ claimType: 'age_over_18_germany' }, { fetchImpl: counter.fetchImpl });
    const frame = await frameOf(container);
    expect(listeners.live()).toBe(1);
    unmount();
    expect(frame.isConnected).toBe(false);
    expect(listeners.live()).toBe(0);
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
      expect(frame.parentElement?.getAttribute('aria-label')).toBe('Identity verification: Age 18+ (Brazil)');
    }, long);
    expect(counter.sessions()).toBe(2);
    // The old session's widget is gone: its page's messages no longer reach anything.
    expect(first.isConnected).toBe(false);
    post(first, 'expire');
    expect(container.querySelector('section')?.dataset.status).toBe('inquiry');
  }, 20_000);

  it('two embeds on one page are independent and share the app QueryClient', async () => {
    const queryClient = new QueryClient();
    const { container } = render(
      <RelayProvider baseUrl={stack.baseUrl} fetch={fetch} widget={EmulatorRelay} expectedIssuer={emulatorIssuerName(stack.emulatorUrl)} queryClient={queryClient}>
        <RelayVerification claimType="age_over_18_germany" />
        <RelayVerification claimType="age_over_18_brazil" />
      </RelayProvider>,
    );
    const a = await frameOf(container, 0);
    const b = await frameOf(container, 1);
    expect(a.src).not.toBe(b.src);
    post(b, 'expire');
    const sections = container.querySelectorAll('section');
    await waitFor(() => { expect(sections[1]?.dataset.status).toBe('expired'); });
    expect(sections[0]?.dataset.status).toBe('inquiry');
  }, 20_000);
});
