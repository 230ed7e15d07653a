import { QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { RelayProvider } from '../src/react/RelayProvider.tsx';
import { de } from '../src/ui/messages.ts';
import { RelayVerification, type RelayComponents, type RelayRenderers } from '../src/ui/RelayVerification.tsx';
import { createFakeBackend, type FakeScenario } from './fakeBackend.ts';

/** The story controls plus the scenario the fake backend and the stand-in inquiry page play. */
export interface StoryVerificationProps {
  claimType: string;
  theme: 'light' | 'dark' | 'system';
  locale: 'en' | 'de';
  scenario: FakeScenario;
  /** What the stand-in inquiry page posts by itself; none waits for a click. */
  inquiryAct?: 'complete' | 'cancel' | 'expire';
  autoStart?: boolean;
  render?: RelayRenderers;
  components?: RelayComponents;
}

/** `RelayVerification` under a provider whose backend is the deterministic fake: one per story mount. */
export function StoryVerification({ claimType, theme, locale, scenario, inquiryAct, autoStart, render, components }: StoryVerificationProps) {
  const [fetchImpl] = useState(() => createFakeBackend(scenario));
  const [queryClient] = useState(() => new QueryClient());
  const inquiryUrl = inquiryAct ? `fake-inquiry.html?act=${inquiryAct}` : 'fake-inquiry.html';
  return (
    <RelayProvider baseUrl="/api/relay" fetch={fetchImpl} queryClient={queryClient} inquiry={{ url: inquiryUrl }} messages={locale === 'de' ? de : undefined}>
      <RelayVerification
        claimType={claimType}
        theme={theme}
        {...(autoStart === undefined ? {} : { autoStart })}
        {...(render ? { render } : {})}
        {...(components ? { components } : {})}
      />
    </RelayProvider>
  );
}
