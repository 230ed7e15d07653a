/**
 * Fixture: EmulatorRelay used exactly as an app uses Persona's `Relay`. The page asks the app backend
 * for a session (POST /api/relay/sessions), mounts the widget with its access token, and records the
 * callbacks. `?emulator=` points it at the emulator (another origin in the spec); `?theme=`/`?language=`
 * are forwarded. It also records every window message AFTER the widget's own listener has seen it, so a
 * spec can wait for a message to arrive and then check what the widget made of it.
 */
import { EmulatorRelay } from '../../../src/emulator/widget/index.ts';

const params = new URLSearchParams(location.search);
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => {
  violations.push(`${event.violatedDirective}: ${event.blockedURI}`);
});

EmulatorRelay.configure({ url: params.get('emulator') ?? '/persona' });

interface Seen {
  origin: string;
  fromWidgetFrame: boolean;
  data: unknown;
}
const callbacks: string[] = [];
const seen: Seen[] = [];
const list = document.getElementById('callbacks');
const slot = document.getElementById('relay-container');
let widget: EmulatorRelay | undefined;

function record(entry: string): void {
  callbacks.push(entry);
  const item = document.createElement('li');
  item.textContent = entry;
  list?.append(item);
}

async function createSession(claimType = params.get('claimType') ?? 'age_over_18_germany'): Promise<{ sessionId: string; sessionAccessToken: string }> {
  const res = await fetch('/api/relay/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ claimType }) });
  if (res.status !== 201) throw new Error(`create session: ${res.status}`);
  return (await res.json()) as { sessionId: string; sessionAccessToken: string };
}

function mount(accessToken: string): void {
  const theme = params.get('theme');
  widget = new EmulatorRelay('#relay-container', {
    accessToken,
    onComplete: () => { record('complete'); },
    onError: (error) => { record(`error:${error.code}`); },
    onExpire: () => { record('expire'); },
    ...(theme === 'light' || theme === 'dark' || theme === 'auto' ? { theme } : {}),
    ...(params.get('language') ? { language: params.get('language') ?? undefined } : {}),
  });
}

function destroy(): void {
  widget?.destroy();
  widget = undefined;
}

const token = params.get('token');
const accessToken = token ?? (await createSession()).sessionAccessToken;
mount(accessToken);
// Registered after the widget's listener: listeners run in order, so once a message is here, the widget has handled it.
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  seen.push({ origin: event.origin, fromWidgetFrame: event.source === slot?.querySelector('iframe')?.contentWindow, data: event.data });
});
Object.assign(window, { widgetFixture: { callbacks, seen, violations, accessToken, createSession, destroy, ready: true } });
document.body.dataset.ready = 'true';
