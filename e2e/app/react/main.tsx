import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { EmulatorRelay } from '../../../src/emulator/widget/index.ts';
import { RelayProvider, RelayVerification, de } from '../../../src/index.ts';
import '../../../src/ui/styles.css';

// The kit from its main entry, as an app imports it: real module worker, EmulatorRelay as the widget.
EmulatorRelay.configure({ url: '/persona' });
// The emulator names itself as the issuer of its challenges; the kit checks that name (Persona's by default).
const emulatorIssuer = `${location.host}/persona/api/v1/privacy-passes`;
const params = new URLSearchParams(location.search);
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => {
  violations.push(`${event.violatedDirective}: ${event.blockedURI}`);
});
Object.assign(window, { relayCspViolations: violations });

const root = document.getElementById('root');
if (!root) throw new Error('no #root');
createRoot(root).render(
  <StrictMode>
    <h1>React fixture</h1>
    <RelayProvider baseUrl="/api/relay" widget={EmulatorRelay} expectedIssuer={emulatorIssuer} {...(params.get('locale') === 'de' ? { messages: de } : {})}>
      <RelayVerification claimType={params.get('claimType') ?? 'age_over_18_germany'} theme="system" />
    </RelayProvider>
  </StrictMode>,
);
