import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { EmulatorRelay } from '../emulator/widget/index.ts';
import { RelayProvider } from '../react/RelayProvider.tsx';
import { de } from '../i18n/messages.ts';
import { RelayVerification } from './RelayVerification.tsx';

// Node environment: no window, document or Worker. Rendering must not touch them and must not call the backend.
describe('server rendering', () => {
  it('renders the idle markup without a window and without a request', () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const calls: string[] = [];
    const fetchImpl: typeof fetch = (input) => {
      calls.push(input instanceof Request ? input.url : input.toString());
      return Promise.reject(new Error('no request during render'));
    };
    const html = renderToString(
      <RelayProvider baseUrl="/api/relay" fetch={fetchImpl} widget={EmulatorRelay}>
        <RelayVerification claimType="age_over_18_germany" theme="dark" />
      </RelayProvider>,
    );
    expect(html).toContain('data-status="idle"');
    expect(html).toContain('data-theme="dark"');
    expect(html).toContain('Verify: Age 18+ (Germany)');
    expect(html).toContain('aria-live="polite"');
    expect(html).not.toContain('style=');
    expect(calls).toEqual([]);
  });

  it('uses the German strings on the server too', () => {
    const html = renderToString(
      <RelayProvider baseUrl="/api/relay" messages={de} widget={EmulatorRelay}>
        <RelayVerification claimType="age_over_18_germany" />
      </RelayProvider>,
    );
    expect(html).toContain('Prüfen: Ab 18 Jahren (Deutschland)');
    expect(html).toContain('Prüfung noch nicht gestartet.');
  });
});
