import { describe, expectTypeOf, it } from 'vitest';
import type { RelayClaim } from '../core/types.ts';
import { createRelayHandler, toNodeListener, type MemoryStore, type RelayAuthorize, type RelayHandler, type RelayHandlerOptions, type RelaySessionView, type RelayStore } from './index.ts';

describe('relay-claim-kit/server types', () => {
  it('is a fetch-style handler with server-side reads', () => {
    const handler = createRelayHandler({ apiKey: 'k', personaBaseUrl: 'http://persona.test', claimTypes: ['age_over_21_verified'] });
    expectTypeOf(handler).toEqualTypeOf<RelayHandler>();
    expectTypeOf(handler).parameters.toEqualTypeOf<[Request]>();
    expectTypeOf(handler).returns.toEqualTypeOf<Promise<Response>>();
    expectTypeOf<RelayHandler['getSession']>().returns.toEqualTypeOf<Promise<RelaySessionView | undefined>>();
    expectTypeOf<RelayHandler['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<RelayHandler['consume']>().parameters.toEqualTypeOf<[string, string]>();
    expectTypeOf<RelayHandler['consume']>().returns.toEqualTypeOf<Promise<RelaySessionView | undefined>>();
    expectTypeOf(toNodeListener(handler)).toBeFunction();
  });

  it('needs the API key and the claim types; the Persona URL and the wire profile have defaults', () => {
    expectTypeOf<{ apiKey: string; claimTypes: string[] }>().toExtend<RelayHandlerOptions>();
    expectTypeOf<{ apiKey: string; claimTypes: string[]; personaBaseUrl: string; protocol: 'rfc9578' }>().toExtend<RelayHandlerOptions>();
    // The browser must never pick what is verified: there is no default list.
    expectTypeOf<{ apiKey: string }>().not.toExtend<RelayHandlerOptions>();
    expectTypeOf<{ personaBaseUrl: string; claimTypes: string[] }>().not.toExtend<RelayHandlerOptions>();
    expectTypeOf<NonNullable<RelayHandlerOptions['protocol']>>().toEqualTypeOf<'persona' | 'rfc9578'>();
  });

  it('takes claim types as a list or per request and subject; authorize answers a subject or a Response; onClaim gets the view (with its subject) and the claim', () => {
    expectTypeOf<readonly string[]>().toExtend<RelayHandlerOptions['claimTypes']>();
    expectTypeOf<(request: Request, subject: string) => string[]>().toExtend<RelayHandlerOptions['claimTypes']>();
    expectTypeOf<(request: Request, subject: string) => Promise<string[]>>().toExtend<RelayHandlerOptions['claimTypes']>();
    expectTypeOf<(claimType: string) => boolean>().not.toExtend<RelayHandlerOptions['claimTypes']>();
    expectTypeOf<(request: Request) => { subject: string }>().toExtend<RelayAuthorize>();
    expectTypeOf<(request: Request) => Promise<Response>>().toExtend<RelayAuthorize>();
    expectTypeOf<RelaySessionView['subject']>().toEqualTypeOf<string>();
    expectTypeOf<false>().toExtend<RelayHandlerOptions['rateLimit']>();
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
