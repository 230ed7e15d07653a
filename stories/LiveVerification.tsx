import { EmulatorRelay } from '../src/emulator/widget/index.ts';
import { RelayProvider } from '../src/react/RelayProvider.tsx';
import { de } from '../src/i18n/messages.ts';
import { RelayVerification } from '../src/ui/RelayVerification.tsx';

/** Props of the live story: the controls only, the backend is real. */
export interface LiveVerificationProps {
  claimType: string;
  theme: 'light' | 'dark' | 'system';
  locale: 'en' | 'de';
}

// The dev server mounts the emulator at /persona on Storybook's own origin.
EmulatorRelay.configure({ url: '/persona' });

/**
 * The whole flow against the emulator and the real handler, which `npm run storybook` mounts on its own
 * dev server (`/persona`, `/api/relay`); tokens come from the real module worker. The static build has no backend.
 */
export function LiveVerification({ claimType, theme, locale }: LiveVerificationProps) {
  return (
    <RelayProvider baseUrl="/api/relay" widget={EmulatorRelay} expectedIssuer={`${location.host}/persona/api/v1/privacy-passes`} messages={locale === 'de' ? de : undefined}>
      <RelayVerification claimType={claimType} theme={theme} autoStart={false} />
    </RelayProvider>
  );
}
