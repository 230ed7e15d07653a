import { RelayVerification } from 'relay-claim-kit';
import { emulatorIssuer } from '../lib/issuer';
import { AppRelayProvider } from './relay-provider';

// A server component rendering the kit directly: only plain-data props (claimType, strings).
// Rendered per request: the issuer comes from the runtime environment.
export const dynamic = 'force-dynamic';

export default function Page() {
  return (
    <main>
      <h1>Next.js consumer</h1>
      <AppRelayProvider expectedIssuer={emulatorIssuer()}>
        <RelayVerification claimType="age_over_18_germany" />
      </AppRelayProvider>
    </main>
  );
}
