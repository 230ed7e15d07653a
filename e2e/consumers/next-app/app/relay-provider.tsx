'use client';

import type { ReactNode } from 'react';
import { RelayProvider } from 'relay-claim-kit';
import { EmulatorRelay } from 'relay-claim-kit/emulator/widget';

// Functions and classes (the widget constructor, callbacks) cannot cross from a server component, so
// the provider is configured here, in a client module. Against Persona: `import Relay from '@persona/relay'`.
if (typeof window !== 'undefined') EmulatorRelay.configure({ url: '/persona' });

/** The kit's provider as this app configures it; server pages pass it plain data only. */
export function AppRelayProvider({ children, expectedIssuer }: { children: ReactNode; expectedIssuer?: string }) {
  return (
    <RelayProvider baseUrl="/api/relay" widget={EmulatorRelay} expectedIssuer={expectedIssuer}>
      {children}
    </RelayProvider>
  );
}
