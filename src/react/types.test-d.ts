import { describe, expectTypeOf, it } from 'vitest';
import type { RelayError } from '../core/errors.ts';
import type { MethodologyCalculation, RelayClaim } from '../core/types.ts';
import type { RelayInquiryProps, UseRelayClaimEvent, UseRelayClaimOptions, UseRelayClaimReturn, UseRelayClaimStatus } from './types.ts';

describe('useRelayClaim types', () => {
  it('narrows the union on status', () => {
    const state = {} as UseRelayClaimReturn;
    if (state.status === 'passed') {
      expectTypeOf(state.claim).toEqualTypeOf<RelayClaim>();
      expectTypeOf(state.methodology).toEqualTypeOf<MethodologyCalculation[] | undefined>();
    }
    if (state.status === 'error') expectTypeOf(state.error).toEqualTypeOf<RelayError>();
    if (state.status === 'inquiry') expectTypeOf(state.inquiryProps).toEqualTypeOf<RelayInquiryProps>();
    if (state.status === 'idle') {
      expectTypeOf(state.claim).toEqualTypeOf<undefined>();
      expectTypeOf(state.inquiryProps).toEqualTypeOf<undefined>();
    }
    expectTypeOf(state.status).toEqualTypeOf<'idle' | 'creating' | 'inquiry' | 'verifying' | 'passed' | 'failed' | 'canceled' | 'expired' | 'error'>();
    expectTypeOf(state.retry).toEqualTypeOf<() => void>();
  });

  it('takes a claimType, or a whole session, never half a session', () => {
    expectTypeOf<{ claimType: 'age_over_18_germany' }>().toExtend<UseRelayClaimOptions>();
    expectTypeOf<{ sessionId: 's'; sessionAccessToken: 't'; expiresAt: 'e' }>().toExtend<UseRelayClaimOptions>();
    expectTypeOf<{ sessionId: 's' }>().not.toExtend<UseRelayClaimOptions>();
    expectTypeOf<{ enabled: false }>().not.toExtend<UseRelayClaimOptions>();
  });

  it("reports status events in the hook's own vocabulary (verifying, not redeeming/polling)", () => {
    const event = {} as UseRelayClaimEvent;
    if (event.type === 'status') expectTypeOf(event.status).toEqualTypeOf<UseRelayClaimStatus>();
    expectTypeOf<Extract<UseRelayClaimEvent, { type: 'status' }>['status']>().toEqualTypeOf<UseRelayClaimReturn['status']>();
  });

  it('names the session in hook events by sessionRef only, never its id', () => {
    const event = {} as Exclude<UseRelayClaimEvent, { type: 'status' }>;
    expectTypeOf(event.sessionRef).toBeString();
    expectTypeOf(event).not.toHaveProperty('sessionId');
  });
});
