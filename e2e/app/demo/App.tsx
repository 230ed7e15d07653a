import { useEffect, useState } from 'react';
import { EmulatorRelay } from '../../../src/emulator/widget/index.ts';
import { RelayProvider, RelayVerification } from '../../../src/index.ts';
import { ServerView } from './ServerView.tsx';

interface DemoConfig {
  claimTypes: string[];
  /** Where the emulator runs; EmulatorRelay frames its hosted page. */
  emulatorUrl: string;
  encrypted: boolean;
  persona: 'emulator' | 'live';
}

const params = new URLSearchParams(location.search);
// Demo knobs for the Playwright demos and the benchmark: an encrypted-payload backend, and tokens made
// on the main thread (an injected fetch cannot enter a worker) to compare with the worker.
const baseUrl = params.get('encrypted') === '1' ? '/api/relay-encrypted' : '/api/relay';
const mainThreadFetch = params.get('tokens') === 'main-thread' ? (...args: Parameters<typeof fetch>) => fetch(...args) : undefined;

/** The demo: pick a claim, verify it in the embed, and compare with what the server learned. */
export function App() {
  const [config, setConfig] = useState<DemoConfig>();
  const [claimType, setClaimType] = useState(params.get('claimType') ?? 'age_over_18_germany');
  const [round, setRound] = useState(0);

  useEffect(() => {
    void fetch('/api/demo/config')
      .then((r) => r.json() as Promise<DemoConfig>)
      .then((loaded) => {
        // EmulatorRelay is used as an app uses Persona's widget; against Persona: `import Relay from '@persona/relay'`, widget={Relay}.
        EmulatorRelay.configure({ url: loaded.emulatorUrl });
        setConfig(loaded);
      });
  }, []);

  if (!config) return <p>Loading the demo…</p>;
  return (
    <RelayProvider
      baseUrl={baseUrl}
      widget={EmulatorRelay}
      fetch={mainThreadFetch}
      // The emulator names itself as the issuer of its challenges; against Persona the kit's default applies.
      {...(config.persona === 'emulator' ? { expectedIssuer: `${location.host}/persona/api/v1/privacy-passes` } : {})}
    >
      <main className="demo">
        <header>
          <h1>relay-claim-kit demo</h1>
          <p>
            Persona: <strong>{config.persona === 'emulator' ? 'local emulator (no account needed)' : 'live environment'}</strong>
            {config.encrypted ? ' · payloads encrypted with RSA-OAEP' : ''}
          </p>
        </header>
        <section className="demo-controls" aria-label="Claim to verify">
          <label>
            Claim type{' '}
            <select
              value={claimType}
              onChange={(e) => {
                setClaimType(e.target.value);
                setRound((n) => n + 1);
              }}
            >
              {config.claimTypes.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
        </section>
        <div className="demo-columns">
          <section className="demo-embed" aria-label="What the person sees">
            <RelayVerification key={`${claimType}-${round}`} claimType={claimType} />
          </section>
          <ServerView />
        </div>
      </main>
    </RelayProvider>
  );
}
