import { describe, expect, it } from 'vitest';
import { assertJsonBody, assertSameSite } from './guards.ts';
import { HttpError } from './http.ts';

const post = (headers: Record<string, string>, url = 'http://app.test:8080/api/relay/sessions'): Request => new Request(url, { method: 'POST', headers });

function statusOf(check: () => void): number | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

describe('assertSameSite', () => {
  it('lets same-origin and origin-less requests through', () => {
    expect(statusOf(() => { assertSameSite(post({})); })).toBeUndefined();
    expect(statusOf(() => { assertSameSite(post({ origin: 'http://app.test:8080', 'sec-fetch-site': 'same-origin' })); })).toBeUndefined();
    // Behind a TLS-terminating proxy the app sees http while the browser says https.
    expect(statusOf(() => { assertSameSite(post({ origin: 'https://app.test:8080' })); })).toBeUndefined();
    expect(statusOf(() => { assertSameSite(post({ 'sec-fetch-site': 'none' })); })).toBeUndefined();
  });

  it('refuses what another site started: Sec-Fetch-Site cross-site, a foreign or opaque Origin', () => {
    expect(statusOf(() => { assertSameSite(post({ 'sec-fetch-site': 'cross-site' })); })).toBe(403);
    expect(statusOf(() => { assertSameSite(post({ 'sec-fetch-site': 'Cross-Site', origin: 'http://app.test:8080' })); })).toBe(403);
    expect(statusOf(() => { assertSameSite(post({ origin: 'https://evil.test' })); })).toBe(403);
    expect(statusOf(() => { assertSameSite(post({ origin: 'http://app.test:9090' })); })).toBe(403);
    expect(statusOf(() => { assertSameSite(post({ origin: 'http://sub.app.test:8080' })); })).toBe(403);
    expect(statusOf(() => { assertSameSite(post({ origin: 'null' })); })).toBe(403);
    expect(statusOf(() => { assertSameSite(post({ origin: 'not a url' })); })).toBe(403);
  });

  it('takes the host the browser used from Host or X-Forwarded-Host when the URL says localhost (Next.js, proxies)', () => {
    const local = 'http://localhost:3000/api/relay/sessions';
    expect(statusOf(() => { assertSameSite(post({ origin: 'https://shop.test', host: 'shop.test' }, local)); })).toBeUndefined();
    expect(statusOf(() => { assertSameSite(post({ origin: 'https://shop.test', host: '10.0.0.7:3000', 'x-forwarded-host': 'shop.test, cdn.test' }, local)); })).toBeUndefined();
    // Hosts compare case-insensitively, as browsers send them lowercased in Origin.
    expect(statusOf(() => { assertSameSite(post({ origin: 'https://shop.test', host: 'SHOP.test' }, local)); })).toBeUndefined();
    // Only the first X-Forwarded-Host (the client-facing one) counts, and a foreign Origin still fails.
    expect(statusOf(() => { assertSameSite(post({ origin: 'https://cdn.test', host: 'localhost:3000', 'x-forwarded-host': 'shop.test, cdn.test' }, local)); })).toBe(403);
    expect(statusOf(() => { assertSameSite(post({ origin: 'https://evil.test', host: 'shop.test' }, local)); })).toBe(403);
  });

  it('accepts the origins the app lists (a front end on another host)', () => {
    expect(statusOf(() => { assertSameSite(post({ origin: 'https://www.app.test' }), ['https://www.app.test']); })).toBeUndefined();
    expect(statusOf(() => { assertSameSite(post({ origin: 'http://www.app.test' }), ['https://www.app.test']); })).toBe(403);
  });
});

describe('assertJsonBody', () => {
  it('takes application/json with or without parameters, in any case', () => {
    expect(statusOf(() => { assertJsonBody(post({ 'content-type': 'application/json' })); })).toBeUndefined();
    expect(statusOf(() => { assertJsonBody(post({ 'content-type': 'Application/JSON; charset=utf-8' })); })).toBeUndefined();
  });

  it('refuses the bodies a page may send cross-site without a preflight, and none at all, with 415', () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '']) {
      expect(statusOf(() => { assertJsonBody(post(type === '' ? {} : { 'content-type': type })); })).toBe(415);
    }
  });
});
