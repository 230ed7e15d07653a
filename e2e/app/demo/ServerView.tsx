import { useEffect, useState } from 'react';
import { claimLabel, methodLabel, type RelayMessages } from '../../../src/index.ts';
import type { DemoMessages } from './demoMessages.ts';

interface ServerClaim {
  sessionId: string;
  subject: string;
  claimType: string;
  claimResult: 'passed' | 'failed';
  methodology?: { method: string; result: string }[];
  at: string;
  encrypted: boolean;
}

/** What the app's server learned through `onClaim` (the latest five), pushed by the demo server (server-sent events) the moment it is final. */
export function ServerView({ messages, text }: { messages: RelayMessages; text: DemoMessages }) {
  const [claims, setClaims] = useState<ServerClaim[]>([]);
  useEffect(() => {
    // Each event carries the whole list (a handful of entries), so a reconnect needs no catch-up logic.
    const events = new EventSource('/api/demo/events');
    events.onmessage = (event: MessageEvent<string>) => { setClaims(JSON.parse(event.data) as ServerClaim[]); };
    return () => { events.close(); };
  }, []);
  const time = new Intl.DateTimeFormat(messages.locale, { timeStyle: 'medium' });
  return (
    <section className="demo-server" aria-labelledby="server-view-title">
      <h2 id="server-view-title">{text.serverTitle}</h2>
      <p className="demo-muted">{text.serverNote}</p>
      {claims.length === 0 ? (
        <p>{text.serverNone}</p>
      ) : (
        <ol aria-label={text.serverTitle}>
          {claims.slice(0, 5).map((c) => (
            <li key={c.sessionId} data-session={c.sessionId} data-result={c.claimResult}>
              <p className="demo-claim">
                <strong>{claimLabel(c.claimType, messages)}</strong>
                <span className="demo-badge">{c.claimResult === 'passed' ? messages.methodPassed : messages.methodFailed}</span>
              </p>
              <dl>
                <dt>{text.subject}</dt>
                <dd>
                  <code>{c.subject}</code>
                </dd>
                <dt>{text.methodology}</dt>
                <dd>{c.methodology ? c.methodology.map((m) => `${methodLabel(m.method, messages)}: ${m.result === 'passed' ? messages.methodPassed : messages.methodFailed}`).join(', ') : messages.methodologyHidden}</dd>
                <dt>{text.time}</dt>
                <dd>
                  <time dateTime={c.at}>{time.format(new Date(c.at))}</time>
                </dd>
              </dl>
              {c.encrypted ? <p className="demo-muted">{text.decrypted}</p> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
