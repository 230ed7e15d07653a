import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { RelayProvider, RelayVerification } from 'relay-claim-kit';
import { EmulatorRelay } from 'relay-claim-kit/emulator/widget';
import 'relay-claim-kit/styles.css';

// Against Persona: `import Relay from '@persona/relay'` and widget={Relay}; here the local emulator's page.
EmulatorRelay.configure({ url: '/persona' });
// The emulator names its own host as issuer; against Persona leave expectedIssuer out.
const expectedIssuer = `${location.host}/persona/api/v1/privacy-passes`;

function App() {
  const [result, setResult] = useState<string>();
  return (
    <RelayProvider baseUrl="/api/relay" widget={EmulatorRelay} expectedIssuer={expectedIssuer}>
      <main>
        <h1>Vite + Express consumer</h1>
        <RelayVerification claimType="age_over_18_germany" onResult={(claim) => setResult(claim.claimResult)} />
        {result ? <p data-testid="app-result">App saw: {result}</p> : null}
      </main>
    </RelayProvider>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
