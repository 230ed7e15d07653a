import { describe, expectTypeOf, it } from 'vitest';
import type { RelayClaim } from '../core/types.ts';
import { createRelayHandler, toNodeListener, type MemoryStore, type RelayHandler, type RelayHandlerOptions, type RelaySessionView, type RelayStore } from './index.ts';

describe('relay-claim-kit/server types', () => {
  it('is a fetch-style handler with server-side reads', () => {
    const handler = createRelayHandler({ apiKey: 'k', personaBaseUrl: 'http://persona.test' });
    expectTypeOf(handler).toEqualTypeOf<RelayHandler>();
    expectTypeOf(handler).parameters.toEqualTypeOf<[Request]>();
    expectTypeOf(handler).returns.toEqualTypeOf<Promise<Response>>();
    expectTypeOf<RelayHandler['getSession']>().returns.toEqualTypeOf<Promise<RelaySessionView | undefined>>();
    expectTypeOf<RelayHandler['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(toNodeListener(handler)).toBeFunction();
  });

  it('needs only the API key; the Persona URL and the wire profile have defaults', () => {
    expectTypeOf<{ apiKey: string }>().toExtend<RelayHandlerOptions>();
    expectTypeOf<{ apiKey: string; personaBaseUrl: string; protocol: 'rfc9578' }>().toExtend<RelayHandlerOptions>();
    expectTypeOf<{ personaBaseUrl: string }>().not.toExtend<RelayHandlerOptions>();
    expectTypeOf<NonNullable<RelayHandlerOptions['protocol']>>().toEqualTypeOf<'persona' | 'rfc9578'>();
  });

  it('takes claim types as a list or a test, and onClaim gets the view and the claim', () => {
    expectTypeOf<readonly string[]>().toExtend<RelayHandlerOptions['allowedClaimTypes']>();
    expectTypeOf<(claimType: string) => boolean>().toExtend<RelayHandlerOptions['allowedClaimTypes']>();
    expectTypeOf<NonNullable<RelayHandlerOptions['onClaim']>>().parameters.toEqualTypeOf<[RelaySessionView, RelayClaim]>();
    expectTypeOf<'camel' | 'kebab' | 'snake'>().toEqualTypeOf<NonNullable<RelayHandlerOptions['keyInflection']>>();
  });

  it('never exposes the relay token or secret in what the app reads, and keeps the claim\'s Request-Id', () => {
    expectTypeOf<RelaySessionView['requestId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RelaySessionView>().not.toHaveProperty('relaySecret');
    expectTypeOf<RelaySessionView>().not.toHaveProperty('relayToken');
    expectTypeOf<RelaySessionView['status']>().toEqualTypeOf<'inquiry' | 'redeeming' | 'needs-token' | 'passed' | 'failed' | 'canceled' | 'expired' | 'error'>();
  });

  it('MemoryStore is a RelayStore', () => {
    expectTypeOf<MemoryStore>().toExtend<RelayStore>();
  });
});
