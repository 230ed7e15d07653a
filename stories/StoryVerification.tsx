import { QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { RelayProvider } from '../src/react/RelayProvider.tsx';
import { de, en, type RelayMessages } from '../src/i18n/messages.ts';
import { RelayVerification, type RelayComponents, type RelayRenderers } from '../src/ui/RelayVerification.tsx';
import { createFakeBackend, type FakeScenario } from './fakeBackend.ts';
import { createStoryRelay } from './storyRelay.ts';

/** The story controls plus the scenario the fake backend and the stand-in widget play. */
export interface StoryVerificationProps {
  claimType: string;
  theme: 'light' | 'dark' | 'system';
  locale: 'en' | 'de';
  scenario: FakeScenario;
  /** What the stand-in widget reports by itself; none waits for a click. (Cancel is the kit's own button: see the story's play.) */
  inquiryAct?: 'complete' | 'expire';
  autoStart?: boolean;
  render?: RelayRenderers;
  components?: RelayComponents;
}

/** The messages a story shows in `locale`: the play functions find buttons by these names, not by English text. */
export function storyMessages(locale: StoryVerificationProps['locale']): RelayMessages {
  return locale === 'de' ? de : en;
}

/** `RelayVerification` under a provider whose backend is the deterministic fake: one per story mount. */
export function StoryVerification({ claimType, theme, locale, scenario, inquiryAct, autoStart, render, components }: StoryVerificationProps) {
  const [fetchImpl] = useState(() => createFakeBackend(scenario));
  const [queryClient] = useState(() => new QueryClient());
  // Stable per story mount: the provider's widget is Persona's Relay class in an app.
  const [widget] = useState(() => createStoryRelay(inquiryAct));
  // The fake backend lives in this page's fetch, which a worker cannot reach: make the token in-thread.
  return (
    <RelayProvider baseUrl="/api/relay" fetch={fetchImpl} worker={false} queryClient={queryClient} widget={widget} messages={storyMessages(locale)}>
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
