import { useEffect, useState } from 'react';

interface ServerClaim {
  sessionId: string;
  claimType: string;
  claimResult: 'passed' | 'failed';
  methodology?: { method: string; result: string }[];
  at: string;
  encrypted: boolean;
}

/** What the app's server learned through `onClaim`: the only result the app should trust. */
export function ServerView() {
  const [claims, setClaims] = useState<ServerClaim[]>([]);
  useEffect(() => {
    let stopped = false;
    const load = async () => {
      const r = await fetch('/api/demo/server-view');
      if (!stopped && r.ok) setClaims((await r.json()) as ServerClaim[]);
    };
    void load();
    const timer = setInterval(() => void load(), 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  return (
    <section className="demo-server" aria-labelledby="server-view-title">
      <h2 id="server-view-title">What the server learned</h2>
      {claims.length === 0 ? (
        <p>No claim yet.</p>
      ) : (
        <ol aria-label="Claims received by onClaim">
          {claims.map((c) => (
            <li key={c.sessionId} data-session={c.sessionId}>
              <code>{c.claimType}</code>: <strong>{c.claimResult}</strong>
              {c.methodology ? ` (${c.methodology.map((m) => `${m.method} ${m.result}`).join(', ')})` : ' (methodology not shared)'}
              {c.encrypted ? ' · decrypted from an RSA-OAEP payload' : ''}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
