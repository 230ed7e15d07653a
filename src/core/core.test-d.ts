import { describe, expectTypeOf, it } from 'vitest';
import { obtainToken } from '../worker/obtainToken.ts';
import type { TokenSource } from '../worker/tokenSource.ts';
import { createRelayClient, type RelayClient } from './client.ts';
import type { RelayError, RelayErrorCode } from './errors.ts';
import type { RelayFlowEvent, RelayFlowSnapshot } from './flowState.ts';
import { RelayFlow, type RelayFlowOptions } from './RelayFlow.ts';
import type { InquiryEvent, RelayClaim, RelaySessionInfo, RelaySessionState } from './types.ts';
import { mountRelayWidget, type RelayWidget, type RelayWidgetConstructor, type RelayWidgetError, type RelayWidgetOptions } from './widget.ts';

describe('core public types', () => {
  it('narrows the snapshot on status, with no `!` needed', () => {
    const snapshot = {} as RelayFlowSnapshot;
    if (snapshot.status === 'passed' || snapshot.status === 'failed') expectTypeOf(snapshot.claim).toEqualTypeOf<RelayClaim>();
    if (snapshot.status === 'error') expectTypeOf(snapshot.error).toEqualTypeOf<RelayError>();
    if (snapshot.status === 'inquiry') {
      expectTypeOf(snapshot).not.toHaveProperty('inquiryUrl');
      expectTypeOf(snapshot.tokenReady).toBeBoolean();
      expectTypeOf(snapshot.session).toEqualTypeOf<RelaySessionInfo>();
    }
    if (snapshot.status === 'canceled') expectTypeOf(snapshot.session).toEqualTypeOf<RelaySessionInfo | undefined>();
    if (snapshot.status === 'idle') expectTypeOf(snapshot).not.toHaveProperty('claim');
  });

  it('names the session in events by sessionRef only, never its id', () => {
    const event = {} as Exclude<RelayFlowEvent, { type: 'status' }>;
    expectTypeOf(event.sessionRef).toBeString();
    expectTypeOf(event).not.toHaveProperty('sessionId');
    expectTypeOf<Extract<RelayFlowEvent, { type: 'poll' }>>().toEqualTypeOf<{ type: 'poll'; sessionRef: string; attempt: number }>();
  });

  it('gives useSyncExternalStore what it takes', () => {
    expectTypeOf<RelayFlow['subscribe']>().toEqualTypeOf<(listener: () => void) => () => void>();
    expectTypeOf<RelayFlow['getSnapshot']>().returns.toEqualTypeOf<RelayFlowSnapshot>();
    expectTypeOf<RelayFlow['handleInquiryEvent']>().parameter(0).toEqualTypeOf<InquiryEvent>();
  });

  it('requires a client and no page URL; token source and timers are optional', () => {
    expectTypeOf<RelayFlowOptions>().toHaveProperty('client').toEqualTypeOf<RelayClient>();
    expectTypeOf<RelayFlowOptions>().not.toHaveProperty('inquiryUrl');
    expectTypeOf<RelayFlowOptions['tokenSource']>().toEqualTypeOf<TokenSource | undefined>();
    new RelayFlow({ client: createRelayClient({ baseUrl: '/api/relay' }), claimType: 'x' });
  });

  it('takes a claimType to create a session, or the app\'s own session: never neither', () => {
    const client = createRelayClient({ baseUrl: '/api/relay' });
    const session: RelaySessionInfo = { sessionId: 's', sessionAccessToken: 't', expiresAt: '2030-01-01T00:00:00Z' };
    new RelayFlow({ client, session });
    new RelayFlow({ client, session, claimType: 'age_over_18_germany', expectedIssuer: 'withpersona.com/api/v1/privacy-passes' });
    // @ts-expect-error a flow needs a claimType or a session
    new RelayFlow({ client });
    // @ts-expect-error the session is the app's object, not a bare id
    new RelayFlow({ client, session: 's' });
  });

  it("types Persona's widget from its documented contract", () => {
    expectTypeOf<RelayWidgetConstructor>().constructorParameters.toEqualTypeOf<[string | HTMLElement, RelayWidgetOptions]>();
    expectTypeOf<RelayWidgetOptions['onError']>().toEqualTypeOf<((error: RelayWidgetError) => void) | undefined>();
    expectTypeOf<RelayWidgetOptions['theme']>().toEqualTypeOf<'light' | 'dark' | 'auto' | undefined>();
    expectTypeOf(mountRelayWidget).returns.toEqualTypeOf<RelayWidget | undefined>();
  });

  it('types the client calls and obtainToken', () => {
    expectTypeOf(createRelayClient).returns.toEqualTypeOf<RelayClient>();
    expectTypeOf<RelayClient['getSession']>().returns.resolves.toEqualTypeOf<RelaySessionState>();
    expectTypeOf<RelayClient['createSession']>().returns.resolves.toEqualTypeOf<RelaySessionInfo>();
    expectTypeOf<RelayClient['challenge']>().returns.resolves.toHaveProperty('protocol').toEqualTypeOf<'persona' | 'rfc9578'>();
    expectTypeOf<RelayError['code']>().toEqualTypeOf<RelayErrorCode | undefined>();
    expectTypeOf(obtainToken).returns.resolves.toBeString();
    // @ts-expect-error sessionId is required
    void obtainToken({ baseUrl: '/api/relay' });
  });
});
