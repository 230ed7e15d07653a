// @vitest-environment jsdom
import { act, waitFor } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EmulatorRelay } from '../emulator/widget/index.ts';
import { RelayProvider } from '../react/RelayProvider.tsx';
import { emulatorIssuerName } from '../../test/support/relayDriver.ts';
import { startRemoteStack, type RemoteStack } from '../../test/support/remoteStack.ts';
import { RelayVerification } from './RelayVerification.tsx';

// Server markup, then hydration in the browser: the markup matches, and only then does the flow start.
let stack: RemoteStack;
beforeAll(async () => {
  stack = await startRemoteStack();
});
afterAll(() => stack.close());

describe('hydration', () => {
  it('hydrates the server’s idle markup without a mismatch, then starts one session', async () => {
    const calls: string[] = [];
    const fetchImpl: typeof fetch = (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${typeof input === 'string' ? new URL(input).pathname : ''}`);
      return fetch(input, init);
    };
    const tree = (
      <RelayProvider baseUrl={stack.baseUrl} fetch={fetchImpl} widget={EmulatorRelay} expectedIssuer={emulatorIssuerName(stack.emulatorUrl)}>
        <RelayVerification claimType="age_over_18_germany" />
      </RelayProvider>
    );
    const html = renderToString(tree);
    expect(calls).toEqual([]);
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const recoverable = vi.fn();
    const errors = vi.spyOn(console, 'error');
    const root = await act(async () => hydrateRoot(container, tree, { onRecoverableError: recoverable }));
    await waitFor(() => { expect(container.querySelector('section')?.dataset.status).toBe('inquiry'); }, { timeout: 15_000 });
    expect(recoverable).not.toHaveBeenCalled();
    expect(errors).not.toHaveBeenCalled();
    expect(calls.filter((c) => c === 'POST /api/relay/sessions')).toHaveLength(1);
    act(() => {
      root.unmount();
    });
    errors.mockRestore();
    container.remove();
  }, 20_000);
});
