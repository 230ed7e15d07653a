import { useEffect, useState, type SyntheticEvent } from 'react';
import { EmulatorRelay } from '../../../src/emulator/widget/index.ts';
import { claimLabel, locales, RelayProvider, RelayVerification, type RelayLocale, type RelayMessages } from '../../../src/index.ts';
import { demoMessages, type DemoMessages } from './demoMessages.ts';
import { ServerView } from './ServerView.tsx';

interface DemoConfig {
  claimTypes: string[];
  /** Where the emulator runs; EmulatorRelay frames its hosted page. */
  emulatorUrl: string;
  encrypted: boolean;
  persona: 'emulator' | 'live';
}

type Theme = 'system' | 'light' | 'dark';
type Group = keyof DemoMessages['groups'];

const params = new URLSearchParams(location.search);
// Demo knobs for the Playwright demos and the benchmark: an encrypted-payload backend, and tokens made
// on the main thread (worker={false}) to compare with the worker.
const baseUrl = params.get('encrypted') === '1' ? '/api/relay-encrypted' : '/api/relay';
const mainThread = params.get('tokens') === 'main-thread';
// `?claimType=` is a deep link (tests, benches, screenshots): it selects the claim and starts at once.
const linkedClaimType = params.get('claimType');
const initialLanguage = (params.get('lang') ?? '') in locales ? (params.get('lang') as RelayLocale) : 'en';
const initialTheme: Theme = params.get('theme') === 'dark' || params.get('theme') === 'light' ? (params.get('theme') as Theme) : 'system';

const groupOrder: Group[] = ['country', 'evidence', 'presence', 'other'];
function groupOf(claimType: string): Group {
  if (claimType.endsWith('_presence')) return 'presence';
  const qualifier = /^age_over_\d+_(.+)$/.exec(claimType)?.[1];
  if (qualifier === 'verified' || qualifier === 'estimated') return 'evidence';
  return qualifier && qualifier in locales.en.claimQualifiers ? 'country' : 'other';
}

/** The claim picker: labels in the page's language, grouped by kind; nothing starts until Verify. */
function ClaimPicker({ claimTypes, messages, text, onVerify }: { claimTypes: string[]; messages: RelayMessages; text: DemoMessages; onVerify: (claimType: string) => void }) {
  const [selected, setSelected] = useState(linkedClaimType ?? claimTypes[0] ?? '');
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    onVerify(selected);
  };
  return (
    <form className="demo-picker" onSubmit={submit}>
      <label htmlFor="demo-claim">{text.claim}</label>
      <div className="demo-picker__row">
        <select id="demo-claim" value={selected} onChange={(e) => { setSelected(e.target.value); }}>
          {groupOrder.map((group) => {
            const members = claimTypes.filter((t) => groupOf(t) === group).map((t) => ({ id: t, label: claimLabel(t, messages) }));
            if (members.length === 0) return null;
            members.sort((a, b) => a.label.localeCompare(b.label, messages.locale, { numeric: true }));
            return (
              <optgroup key={group} label={text.groups[group]}>
                {members.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.label}
                  </option>
                ))}
              </optgroup>
            );
          })}
        </select>
        <button type="submit" className="demo-verify">
          {text.verify}
        </button>
      </div>
    </form>
  );
}

/** The demo: pick a claim, verify it in the embed, and compare with what the server learned. */
export function App() {
  const [config, setConfig] = useState<DemoConfig>();
  const [language, setLanguage] = useState<RelayLocale>(initialLanguage);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  // Each Verify press is a new round: a new embed, a new session.
  const [run, setRun] = useState(linkedClaimType ? { claimType: linkedClaimType, round: 0 } : undefined);
  const messages = locales[language];
  const text = demoMessages[language];

  useEffect(() => {
    void fetch('/api/demo/config')
      .then((r) => r.json() as Promise<DemoConfig>)
      .then((loaded) => {
        // EmulatorRelay is used as an app uses Persona's widget; against Persona: `import Relay from '@persona/relay'`, widget={Relay}.
        EmulatorRelay.configure({ url: loaded.emulatorUrl });
        setConfig(loaded);
      });
  }, []);

  // The whole page follows the switches, not only the kit.
  useEffect(() => {
    document.documentElement.lang = language;
    document.documentElement.dataset.theme = theme;
    document.title = text.title;
  }, [language, theme, text.title]);

  return (
    <RelayProvider
      baseUrl={baseUrl}
      widget={EmulatorRelay}
      worker={mainThread ? false : undefined}
      messages={messages}
      // The emulator names itself as the issuer of its challenges; against Persona the kit's default applies.
      {...(config?.persona === 'emulator' ? { expectedIssuer: `${location.host}/persona/api/v1/privacy-passes` } : {})}
    >
      <header className="demo-header">
        <div>
          <h1>{text.title}</h1>
          {config ? (
            <p className="demo-muted">
              {config.persona === 'emulator' ? text.emulator : text.live}
              {config.encrypted ? ` · ${text.encrypted}` : ''}
            </p>
          ) : null}
        </div>
        <div className="demo-switches">
          <label>
            {text.language}
            <select value={language} onChange={(e) => { setLanguage(e.target.value as RelayLocale); }}>
              {(Object.keys(locales) as RelayLocale[]).map((tag) => (
                <option key={tag} value={tag} lang={tag}>
                  {locales[tag].languageName}
                </option>
              ))}
            </select>
          </label>
          <label>
            {text.theme}
            <select value={theme} onChange={(e) => { setTheme(e.target.value as Theme); }}>
              {(['system', 'light', 'dark'] as const).map((t) => (
                <option key={t} value={t}>
                  {text.themes[t]}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <main className="demo">
        {config ? (
          <>
            <ClaimPicker claimTypes={config.claimTypes} messages={messages} text={text} onVerify={(claimType) => { setRun((r) => ({ claimType, round: (r?.round ?? 0) + 1 })); }} />
            <div className="demo-columns">
              <section className="demo-embed" aria-label={text.personSees}>
                {run ? (
                  <RelayVerification key={`${run.claimType}-${String(run.round)}`} claimType={run.claimType} theme={theme} />
                ) : (
                  <p className="demo-placeholder">{text.placeholder}</p>
                )}
              </section>
              <ServerView messages={messages} text={text} />
            </div>
          </>
        ) : (
          <p className="demo-muted" role="status">
            …
          </p>
        )}
      </main>
    </RelayProvider>
  );
}
