import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RelayError } from '../wire/errors.ts';
import { createRelayClient } from '../wire/client.ts';
import { base64urlDecode, decodePersonaChallenge, verifyPersonaToken } from '../privacy-pass/index.ts';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { createDefaultTokenSource } from './tokenSource.ts';

// Node has no Worker: each test installs a stand-in for the one way a browser's worker fails (the
// constructor throws, as under Next.js when the URL resolved to file:, or the script fails to load),
// and the tokens made instead come from the real handler and emulator over HTTP.
let stack: RelayStack;
let issuer: string;
let tokenKey: Uint8Array;

async function newSession(): Promise<string> {
  const answer = await fetch(`${stack.baseUrl}/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ claimType: 'age_over_18_germany' }) });
  return ((await answer.json()) as { sessionId: string }).sessionId;
}

beforeAll(async () => {
  stack = await startRelayStack();
  const answer = await fetch(`${stack.baseUrl}/sessions/${await newSession()}/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const materials = (await answer.json()) as { challenge: string; tokenKey: string };
  issuer = decodePersonaChallenge(materials.challenge).issuerName;
  tokenKey = base64urlDecode(materials.tokenKey);
});
afterAll(() => stack.close());
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

let constructed = 0;
class ThrowingWorker {
  constructor() {
    constructed += 1;
    throw new DOMException("Failed to construct 'Worker': Script at 'file:///_next/static/media/relay.worker.js' cannot be accessed from origin", 'SecurityError');
  }
  terminate(): void {}
}

/** Constructs, then reports a load failure on the next turn, as a 404 or a MIME-type refusal does. */
class UnloadableWorker {
  onerror: ((event: { message: string; preventDefault(): void }) => void) | null = null;
  onmessage: unknown = null;
  onmessageerror: unknown = null;
  constructor() {
    constructed += 1;
    setTimeout(() => this.onerror?.({ message: '', preventDefault: () => undefined }), 0);
  }
  postMessage(): void {}
  terminate(): void {}
}

describe('createDefaultTokenSource', () => {
  it('falls back to the calling thread when the Worker constructor throws, warning once across sources', async () => {
    constructed = 0;
    vi.stubGlobal('Worker', ThrowingWorker);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const first = createDefaultTokenSource(client, { expectedIssuer: issuer });
    const token = await first.obtain(await newSession());
    expect(await verifyPersonaToken(token, tokenKey)).toBeDefined();
    // The same source stays in-thread: no second constructor attempt.
    expect(await verifyPersonaToken(await first.obtain(await newSession()), tokenKey)).toBeDefined();
    expect(constructed).toBe(1);
    const second = createDefaultTokenSource(client, { expectedIssuer: issuer });
    expect(await verifyPersonaToken(await second.obtain(await newSession()), tokenKey)).toBeDefined();
    expect(constructed).toBe(2);
    // Once per page: the first source warned, the second fell back silently.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/worker could not run \(The relay worker could not be started\).*main thread/);
    expect(warn.mock.calls.flat().join(' ')).not.toMatch(/sk_test|secret/i);
    first.dispose();
    second.dispose();
  });

  it('falls back when the worker script fails to load', async () => {
    constructed = 0;
    vi.stubGlobal('Worker', UnloadableWorker);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const source = createDefaultTokenSource(createRelayClient({ baseUrl: stack.baseUrl }), { expectedIssuer: issuer });
    expect(await verifyPersonaToken(await source.obtain(await newSession()), tokenKey)).toBeDefined();
    expect(constructed).toBe(1);
    source.dispose();
  });

  it('worker: false never constructs a worker; createWorker and worker: true surface a failed start', async () => {
    constructed = 0;
    vi.stubGlobal('Worker', ThrowingWorker);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const inThread = createDefaultTokenSource(client, { expectedIssuer: issuer, worker: false });
    expect(await verifyPersonaToken(await inThread.obtain(await newSession()), tokenKey)).toBeDefined();
    expect(constructed).toBe(0);

    const custom = createDefaultTokenSource(client, { expectedIssuer: issuer, createWorker: () => new ThrowingWorker() as unknown as Worker });
    await expect(custom.obtain(await newSession())).rejects.toSatisfy((e) => e instanceof RelayError && e.code === 'worker-start');
    const required = createDefaultTokenSource(client, { expectedIssuer: issuer, worker: true });
    await expect(required.obtain(await newSession())).rejects.toSatisfy((e) => e instanceof RelayError && e.code === 'worker-start');
    expect(warn).not.toHaveBeenCalled();
  });

  it('an injected fetch keeps the worker (the first attempt goes to the Worker constructor)', async () => {
    constructed = 0;
    vi.stubGlobal('Worker', ThrowingWorker);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let fetched = 0;
    const client = createRelayClient({ baseUrl: stack.baseUrl, fetch: (input, init) => ((fetched += 1), fetch(input, init)) });
    const source = createDefaultTokenSource(client, { expectedIssuer: issuer });
    expect(await verifyPersonaToken(await source.obtain(await newSession()), tokenKey)).toBeDefined();
    expect(constructed).toBe(1);
    // In-thread after the fallback, the injected fetch carries the challenge and issue calls.
    expect(fetched).toBeGreaterThan(0);
  });

  it('without Worker (SSR, Node) makes tokens in-thread without a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(typeof Worker).toBe('undefined');
    const source = createDefaultTokenSource(createRelayClient({ baseUrl: stack.baseUrl }), { expectedIssuer: issuer });
    expect(await verifyPersonaToken(await source.obtain(await newSession()), tokenKey)).toBeDefined();
    expect(warn).not.toHaveBeenCalled();
  });
});
