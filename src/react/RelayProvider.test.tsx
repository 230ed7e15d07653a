// @vitest-environment jsdom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorRelay } from '../emulator/widget/index.ts';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRemoteStack, type RemoteStack } from '../../test/support/remoteStack.ts';
import { RelayProvider } from './RelayProvider.tsx';
import { useRelayClaim } from './useRelayClaim.ts';

// The provider against the real handler and emulator over HTTP (a child process). An app that writes
// fetch={(u, i) => …} or headers={{…}} inline hands the provider new identities on every render; none
// of them may rebuild the client or restart the flow (each restart would create a Persona relay).
let stack: RemoteStack;
beforeAll(async () => {
  stack = await startRemoteStack();
  EmulatorRelay.configure({ url: `${stack.emulatorUrl}/persona` });
});
afterAll(() => stack.close());
afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

interface Call {
  /** Which render's fetch prop made the call. */
  fetchOfRender: number;
  /** The x-app header the call carried. */
  header: string | null;
  path: string;
  method: string;
}

describe('RelayProvider', () => {
  it('takes a new inline fetch and headers on every render without a new relay, and calls use the latest', { timeout: 20_000 }, async () => {
    const calls: Call[] = [];
    let render = 0;
    const wrapper = ({ children }: { children: ReactNode }) => {
      render += 1;
      const mine = render;
      return (
        <RelayProvider
          baseUrl={stack.baseUrl}
          widget={EmulatorRelay}
          expectedIssuer={emulatorIssuerName(stack.emulatorUrl)}
          headers={{ 'x-app': `render-${String(mine)}` }}
          fetch={(input, init) => {
            const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
            calls.push({ fetchOfRender: mine, header: new Headers(init?.headers).get('x-app'), path: new URL(url).pathname, method: init?.method ?? 'GET' });
            return fetch(input, init);
          }}
        >
          {children}
        </RelayProvider>
      );
    };
    const hook = renderHook(() => useRelayClaim({ claimType: 'age_over_18_germany' }), { wrapper });
    await waitFor(() => {
      expect(hook.result.current.status).toBe('inquiry');
    }, { timeout: 10_000 });
    const sessionId = hook.result.current.session?.sessionId;

    for (let i = 0; i < 3; i += 1) hook.rerender();
    const latest = render;
    expect(latest).toBeGreaterThanOrEqual(4);
    expect(hook.result.current.status).toBe('inquiry');
    expect(hook.result.current.session?.sessionId).toBe(sessionId);

    // A call made now goes through the latest fetch prop with the latest headers.
    act(() => {
      hook.result.current.cancel();
    });
    await waitFor(() => {
      expect(calls.some((c) => c.path.endsWith('/cancel'))).toBe(true);
    });
    expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/sessions'))).toHaveLength(1);
    const cancel = calls.find((c) => c.path.endsWith('/cancel'));
    expect(cancel).toMatchObject({ fetchOfRender: latest, header: `render-${String(latest)}` });
    // And the first call carried the headers of the render it was made in.
    expect(calls[0]?.header).toBe(`render-${String(calls[0]?.fetchOfRender)}`);
  });
});
