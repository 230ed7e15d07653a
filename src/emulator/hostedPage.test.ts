import { describe, expect, it } from 'vitest';
import { createRelay, generateClaim, issueToken, startEmulatorPerTest } from '../../test/support/emulatorApi.ts';
import { pageMessageTag } from './widget/protocol.ts';

const start = startEmulatorPerTest();

const page = (base: string, token: string, origin?: string): Promise<Response> =>
  fetch(`${base}/relay?relay-session-access-token=${encodeURIComponent(token)}${origin === undefined ? '' : `&origin=${encodeURIComponent(origin)}`}`);
const decide = (base: string, payload: unknown): Promise<Response> =>
  fetch(`${base}/relay/decision`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

describe('hosted inquiry page', () => {
  it('renders a labelled form with same-origin script and style only, framed by local hosts by default', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    const relay = await createRelay(url, 'age_over_18_germany');
    const res = await page(url, relay.sessionToken, 'http://localhost:5173');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'self' http://localhost:* http://127.0.0.1:*");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('data-event="ready"');
    expect(html).toContain('data-origin="http://localhost:5173"');
    expect(html).toMatch(/<label for="method">/);
    expect(html).toMatch(/<script src="\/relay\/inquiry\.js" defer><\/script>/);
    expect(html).not.toMatch(/<script>/);
    expect(html).not.toMatch(/ on\w+="/);
    expect(html).not.toContain(relay.relaySecret);
    expect((await fetch(`${url}/relay/inquiry.js`)).headers.get('content-type')).toMatch(/javascript/);
  });

  it('labels claim types and methods as the kit does, and offers no Cancel of its own (the kit has one)', async () => {
    const { url } = await start({
      protocol: 'rfc9578',
      // The configured label is not what the kit shows in its result, so the page does not show it either.
      claimTypes: { age_over_25_mars: { label: 'Age 25+ on Mars', methods: ['document_selfie', 'palm_reading'] }, age_over_18_germany: {} },
    });
    const html = async (claimType: string) => (await page(url, (await createRelay(url, claimType)).sessionToken)).text();
    const mars = await html('age_over_25_mars');
    expect(mars).toContain('<h1 tabindex="-1">Verify: Age 25+ (mars)</h1>');
    expect(mars).not.toContain('on Mars');
    expect(mars).toContain('<option value="palm_reading">Palm reading</option>');
    expect(mars).toContain('<option value="document_selfie">Document and selfie</option>');
    expect(mars).not.toMatch(/<button[^>]*>\s*Cancel/);
    expect(mars).not.toContain('id="cancel"');
    expect(mars).not.toContain('canceled-screen');
    expect(await html('age_over_18_germany')).toContain('Verify: Age 18+ (Germany)');
    expect(await (await fetch(`${url}/relay/inquiry.js`)).text()).not.toContain("'cancel'");
  });

  it('limits frame-ancestors to a configured origin, and posts nowhere without a valid origin', async () => {
    const { url } = await start({ protocol: 'rfc9578', frameAncestors: ['https://shop.example'] });
    const relay = await createRelay(url, 'age_over_18_germany');
    expect((await page(url, relay.sessionToken, 'https://shop.example')).headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://shop.example");
    expect((await page(url, relay.sessionToken, 'https://evil.example')).headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'$/);
    for (const origin of [undefined, '*', 'javascript:alert(1)', 'https://shop.example/path', '"><script>']) {
      expect(await (await page(url, relay.sessionToken, origin)).text()).not.toContain('data-origin');
    }
  });

  it('shows the error screen for a bad token and the expired screen after 30 minutes', async () => {
    const emulator = await start({ protocol: 'rfc9578' });
    const bad = await page(emulator.url, 'not.a.jwt', 'http://localhost:1');
    expect(bad.status).toBe(401);
    const badHtml = await bad.text();
    expect(badHtml).toContain('data-event="error" data-error-code="invalid-session"');
    expect(badHtml).toMatch(/<section id="error-screen" data-screen>/);
    const relay = await createRelay(emulator.url, 'age_over_18_germany');
    const forged = relay.sessionToken.slice(0, -2) + (relay.sessionToken.endsWith('AA') ? 'BB' : 'AA');
    expect((await page(emulator.url, forged)).status).toBe(401);
    emulator.control.advanceClock(31 * 60);
    const expired = await page(emulator.url, relay.sessionToken);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('data-event="expire"');
  });

  it('hands the browser an opaque session token: no segment reveals the relay token, yet the page and control resolve it', async () => {
    const { url } = await start({ protocol: 'rfc9578', control: true });
    const relay = await createRelay(url, 'age_over_18_germany');
    const segments = relay.sessionToken.split('.');
    expect(segments).toHaveLength(3);
    for (const segment of segments) {
      expect(segment).not.toContain(relay.relayToken);
      const decoded = Buffer.from(segment, 'base64url');
      expect(decoded.toString('latin1')).not.toContain(relay.relayToken);
      expect(decoded.includes(Buffer.from(relay.relayToken, 'base64url'))).toBe(false);
    }
    expect(Object.keys(JSON.parse(Buffer.from(segments[1] ?? '', 'base64url').toString('utf8')) as object).sort()).toEqual(['exp', 'iat', 'iss', 'ref']);
    const res = await page(url, relay.sessionToken);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data-event="ready"');
    const resolve = (sessionAccessToken: string) =>
      fetch(`${url}/__emulator/sessions/relay-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionAccessToken }) });
    const resolved = await resolve(relay.sessionToken);
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toEqual({ relayToken: relay.relayToken });
    expect((await resolve('not.a.jwt')).status).toBe(400);
  });

  it('keeps the session-token control route off unless control is enabled', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    const relay = await createRelay(url, 'age_over_18_germany');
    const res = await fetch(`${url}/__emulator/sessions/relay-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionAccessToken: relay.sessionToken }) });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(relay.relayToken);
  });

  it('moves the inquiry to pending on open and records the person’s choice once', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    const relay = await createRelay(url, 'age_over_18_united_kingdom');
    const token = await issueToken(url, 'age_over_18_united_kingdom');
    await page(url, relay.sessionToken);
    expect((await generateClaim(url, relay, token)).status).toBe(403);
    expect((await decide(url, { token: relay.sessionToken, action: 'complete', outcome: 'maybe', method: 'live_selfie' })).status).toBe(400);
    const done = await decide(url, { token: relay.sessionToken, action: 'complete', outcome: 'passed', method: 'document_selfie' });
    expect(await done.json()).toEqual({ status: 'completed' });
    expect((await decide(url, { token: relay.sessionToken, action: 'cancel' })).status).toBe(409);
    const claim = (await (await generateClaim(url, relay, token)).json()) as { 'claim-payload': string };
    expect(JSON.parse(claim['claim-payload'])).toEqual({
      claim_type: 'age_over_18_united_kingdom',
      claim_result: 'passed',
      methodology: [{ method: 'document_selfie', result: 'passed' }],
    });
  });

  it('records a cancel, and refuses decisions with a bad or expired token', async () => {
    const emulator = await start({ protocol: 'rfc9578' });
    const relay = await createRelay(emulator.url, 'age_over_18_germany');
    expect((await decide(emulator.url, { token: 'x', action: 'cancel' })).status).toBe(401);
    expect(await (await decide(emulator.url, { token: relay.sessionToken, action: 'cancel' })).json()).toEqual({ status: 'canceled' });
    const other = await createRelay(emulator.url, 'age_over_18_germany');
    emulator.control.advanceClock(31 * 60);
    const late = await decide(emulator.url, { token: other.sessionToken, action: 'cancel' });
    expect(late.status).toBe(401);
    expect(await late.json()).toMatchObject({ reason: 'expired' });
  });

  it('applies the widget theme, records a well-formed language, and drops malformed ones', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    const relay = await createRelay(url, 'age_over_18_germany');
    const look = (query: string) => fetch(`${url}/relay?relay-session-access-token=${encodeURIComponent(relay.sessionToken)}&${query}`).then((r) => r.text());
    const dark = await look('theme=dark&language=pt-BR');
    expect(dark).toContain('<html lang="pt-BR" data-theme="dark">');
    expect(dark).toContain('data-language="pt-BR"');
    const junk = await look('theme=%22%3E%3Cscript%3E&language=%22%3E%3Cscript%3E');
    expect(junk).toContain('<html lang="en">');
    expect(junk).not.toContain('data-language');
    expect(junk).not.toContain('<script>');
    const css = await (await fetch(`${url}/relay/inquiry.css`)).text();
    expect(css).toContain(':root[data-theme="dark"] { color-scheme: dark; }');
  });

  it('tells a reopened page whose inquiry already ended apart from a bad token, and tags every message', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    const relay = await createRelay(url, 'age_over_18_germany');
    await decide(url, { token: relay.sessionToken, action: 'cancel' });
    const html = await (await page(url, relay.sessionToken)).text();
    expect(html).toContain('data-event="error" data-error-code="inquiry-finished"');
    const script = await (await fetch(`${url}/relay/inquiry.js`)).text();
    expect(script).toContain(`tag: ${JSON.stringify(pageMessageTag)}`);
    expect(script).not.toContain('relay:');
  });

  it('is served under a basePath', async () => {
    const { url } = await start({ protocol: 'rfc9578', basePath: '/persona/' });
    expect(url.endsWith('/persona')).toBe(true);
    const relay = await createRelay(url, 'age_over_18_germany');
    const html = await (await page(url, relay.sessionToken)).text();
    expect(html).toContain('src="/persona/relay/inquiry.js"');
    expect(html).toContain('data-decision-url="/persona/relay/decision"');
    expect((await fetch(`${new URL(url).origin}/api/v1/relays`, { method: 'POST' })).status).toBe(404);
  });
});
