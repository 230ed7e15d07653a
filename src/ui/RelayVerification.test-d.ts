import type { ReactNode } from 'react';
import { describe, expectTypeOf, it } from 'vitest';
import type { RelayError } from '../core/errors.ts';
import type { RelayClaim } from '../core/types.ts';
import type { RelayMessages } from '../i18n/messages.ts';
import type { RelayRenderers, RelayStateOf, RelayVerificationProps } from './RelayVerification.tsx';

describe('RelayVerification types', () => {
  it('gives each render slot the state narrowed to its status', () => {
    expectTypeOf<RelayStateOf<'passed'>['claim']>().toEqualTypeOf<RelayClaim>();
    expectTypeOf<RelayStateOf<'error'>['error']>().toEqualTypeOf<RelayError>();
    expectTypeOf<Parameters<NonNullable<RelayRenderers['failed']>>[0]['status']>().toEqualTypeOf<'failed'>();
    expectTypeOf<Parameters<NonNullable<RelayRenderers['inquiry']>>[1]>().toEqualTypeOf<RelayMessages>();
    expectTypeOf<ReturnType<NonNullable<RelayRenderers['idle']>>>().toEqualTypeOf<ReactNode>();
  });

  it('takes the hook’s options plus presentation, and only the three themes', () => {
    expectTypeOf<{ claimType: 'age_over_18_germany'; theme: 'dark'; messages: { tryAgain: 'Nochmal' } }>().toExtend<RelayVerificationProps>();
    expectTypeOf<{ claimType: 'x'; theme: 'sepia' }>().not.toExtend<RelayVerificationProps>();
    expectTypeOf<{ theme: 'dark' }>().not.toExtend<RelayVerificationProps>();
    expectTypeOf<{ claimType: 'x'; render: { passed: (s: RelayStateOf<'failed'>) => ReactNode } }>().not.toExtend<RelayVerificationProps>();
  });
});
