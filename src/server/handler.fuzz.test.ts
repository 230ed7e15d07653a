import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import {
  anyMethod,
  chunkSize,
  hostileBody,
  hostileId,
  hugeBody,
  expectClientError,
  rawChunkedRequest,
  rawRequest,
  wrongTypedValue,
  type RawAnswer,
} from '../../test/support/hostileInput.ts';
import { BrowserDriver, consumptions, serveHandler, type ServedHandler } from '../../test/support/relayDriver.ts';
import { testHandlerDefaults } from '../../test/support/handlerDefaults.ts';
import { createRelayHandler, MemoryStore } from './index.ts';
import type { RelayStore } from './store.ts';

/** The wire profile both sides speak in this suite. */
const protocol = 'persona' as const;

const apiKey = 'sk_test_handler_fuzz_key';
const base = '/api/relay';
const runs = Number(process.env.FUZZ_RUNS ?? 100);
let emulator: RunningEmulator;
let otherEmulator: RunningEmulator;
let store: RelayStore;
let served: ServedHandler;
let browser: BrowserDriver;
let cases = 0;
const secrets: string[] = [apiKey];

interface Victim {
  sessionId: string;
  token: string;
}
let finished: Victim;
let waiting: Victim;

async function remember(sessionId: string): Promise<void> {
  const record = await store.get(sessionId);
  if (!record) throw new Error('victim missing');
  secrets.push(record.relaySecret, record.relayToken);
}

/** What another person's sessions look like from outside; must be identical before and after every attack. */
async function victimsView(): Promise<string> {
  const [a, b] = await Promise.all([browser.read(finished.sessionId), browser.read(waiting.sessionId)]);
  return JSON.stringify([a.status, a.body, b.status, b.body]);
}

function leaks(answer: RawAnswer): boolean {
  const seen = answer.text + JSON.stringify(answer.headers);
  return secrets.some((s) => seen.includes(s));
}

/** Every hostile case: a 4xx with the `{errors:[…]}` shape and no secret. */
function expectRejected(answer: RawAnswer, what: string): void {
  cases += 1;
  expectClientError(answer, what, secrets);
}

const post = (path: string, body?: string): Promise<RawAnswer> => rawRequest(served.url, 'POST', `${base}${path}`, body);

beforeAll(async () => {
  emulator = await startEmulator({ protocol, apiKey, control: true, rateLimit: 1_000_000_000 });
  otherEmulator = await startEmulator({ protocol, apiKey, control: true, rateLimit: 1_000_000_000 });
  store = new MemoryStore();
  served = await serveHandler(createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store }));
  browser = new BrowserDriver(`${served.url}${base}`);
  const done = await browser.createSession('age_over_18_germany');
  finished = { sessionId: done.sessionId, token: await browser.obtainToken(done.sessionId) };
  const doneRecord = await store.get(done.sessionId);
  emulator.control.finishInquiry(doneRecord?.relayToken ?? '', { status: 'completed', claimResult: 'passed' });
  expect((await browser.redeem(finished.sessionId, finished.token)).status).toBe(202);
  expect((await browser.pollUntilSettled(finished.sessionId)).status).toBe('passed');
  const open = await browser.createSession('age_over_18_germany');
  waiting = { sessionId: open.sessionId, token: await browser.obtainToken(open.sessionId) };
  await remember(finished.sessionId);
  await remember(waiting.sessionId);
});

afterAll(async () => {
  console.log(`handler fuzz: ${String(cases)} hostile cases, each a 4xx with the error shape (or, for well-formed forged tokens, 202 then needs-token with no consumption), no secret, victims unchanged`);
  await served.close();
  await store.close?.();
  await emulator.close();
  await otherEmulator.close();
});

describe('handler under hostile input', () => {
  it('rejects broken and huge chunked bodies on every body route, closing the connection past 64 kB', async () => {
    const target = await browser.createSession('age_over_18_germany');
    const before = await victimsView();
    const route = fc.constantFrom('/sessions', `/sessions/${target.sessionId}/issue`, `/sessions/${target.sessionId}/redeem`, `/sessions/${'A'.repeat(22)}/redeem`);
    // One-byte chunks only for small bodies: 64 K chunk headers per case would only slow the run.
    const sized = fc.oneof(fc.tuple(hostileBody, chunkSize), fc.tuple(hugeBody, fc.integer({ min: 1024, max: 100_000 })));
    await fc.assert(
      fc.asyncProperty(route, sized, async (path, [body, size]) => {
        const answer = await rawChunkedRequest(served.url, 'POST', `${base}${path}`, body, size);
        expectRejected(answer, `chunked POST ${path} in ${String(size)}-byte chunks`);
        if (body.length > 64 * 1024) expect(answer.headers.connection).toBe('close');
      }),
      { numRuns: runs },
    );
    // Still serving, on new connections, with every session as it was.
    expect(await victimsView()).toBe(before);
  });

  it('rejects broken, mistyped and huge bodies on POST /sessions', async () => {
    const before = await victimsView();
    const notAClaimType = wrongTypedValue.filter((v) => !(typeof v === 'string' && /^[a-z0-9_]+$/.test(v)));
    const mistyped = fc.record({ claimType: notAClaimType }).map((o) => JSON.stringify(o));
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileBody, mistyped, hugeBody), async (body) => {
        expectRejected(await post('/sessions', body), 'POST /sessions');
      }),
      { numRuns: runs },
    );
    expect(await victimsView()).toBe(before);
  });

  it('answers 404 for path tricks in session ids on every route, never touching another session', async () => {
    const before = await victimsView();
    const route = fc.constantFrom(['POST', '/challenge'], ['POST', '/issue'], ['POST', '/redeem'], ['GET', '']);
    await fc.assert(
      fc.asyncProperty(hostileId, route, async (id, [method, suffix]) => {
        const body = method === 'POST' ? JSON.stringify({ token: finished.token, tokenRequest: 'AAAA' }) : undefined;
        const answer = await rawRequest(served.url, method, `${base}/sessions/${id}${suffix}`, body);
        expectRejected(answer, `${method} sessions/${id}${suffix}`);
      }),
      { numRuns: runs },
    );
    expect(await victimsView()).toBe(before);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const before = await victimsView();
    await fc.assert(
      fc.asyncProperty(anyMethod, fc.array(hostileId, { maxLength: 4 }), async (method, segments) => {
        const path = `${base}/${segments.join('/')}`;
        const answer = await rawRequest(served.url, method, path, method === 'GET' ? undefined : '{}');
        if (answer.status === 405) expect(answer.headers.allow).toBeTruthy();
        expectRejected(answer, `${method} ${path}`);
      }),
      { numRuns: runs },
    );
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const answer = await rawRequest(served.url, method, `${base}/sessions/${finished.sessionId}`, '{}');
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBeTruthy();
      cases += 1;
    }
    expect(await victimsView()).toBe(before);
  });

  it('rejects broken, mistyped and huge bodies on issue and redeem', async () => {
    const target = await browser.createSession('age_over_18_germany');
    const before = await victimsView();
    const field = fc.oneof(
      fc.record({ tokenRequest: wrongTypedValue.filter((v) => typeof v !== 'string') }).map((o) => JSON.stringify(o)),
      fc.record({ token: wrongTypedValue.filter((v) => typeof v !== 'string') }).map((o) => JSON.stringify(o)),
      fc.constantFrom('{"tokenRequest":""}', '{"token":""}', '{"tokenRequest":"!!!"}', '{"token":"%%%"}', '{"token":"AA==AA"}'),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/issue', '/redeem'), fc.oneof(hostileBody, field, hugeBody), async (route, body) => {
        expectRejected(await post(`/sessions/${target.sessionId}${route}`, body), `POST ${route}`);
      }),
      { numRuns: runs },
    );
    expect(await victimsView()).toBe(before);
  });

  it('rejects TokenRequests of the wrong size or token type at issue', async () => {
    const target = await browser.createSession('age_over_18_germany');
    const before = await victimsView();
    const validLengths = new Set([2 + 1 + 256, 2 + 1 + 384, 2 + 1 + 512]);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 700 }).filter((b) => !validLengths.has(b.length)), async (bytes) => {
        const answer = await post(`/sessions/${target.sessionId}/issue`, JSON.stringify({ tokenRequest: Buffer.from(bytes).toString('base64url') }));
        expectRejected(answer, `issue of ${String(bytes.length)} bytes`);
      }),
      { numRuns: runs },
    );
    expect(await victimsView()).toBe(before);
  });

  it('never passes a session on a forged, truncated, foreign or replayed token, and spends nothing', async () => {
    const foreign = await serveHandler(createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: otherEmulator.url }));
    const foreignBrowser = new BrowserDriver(`${foreign.url}${base}`);
    const foreignSession = await foreignBrowser.createSession('age_over_18_germany');
    const otherKeyToken = await foreignBrowser.obtainToken(foreignSession.sessionId);
    const otherTypeSession = await browser.createSession('age_over_21_verified');
    const otherTypeToken = await browser.obtainToken(otherTypeSession.sessionId);
    const real = Buffer.from(waiting.token, 'base64url');
    const forged = fc.oneof(
      fc.constant(finished.token).map((t) => ({ kind: 'replay of a spent token', token: t })),
      fc.constant(otherKeyToken).map((t) => ({ kind: 'token of another issuer key', token: t })),
      fc.constant(otherTypeToken).map((t) => ({ kind: 'token of another claim type', token: t })),
      fc.integer({ min: 0, max: real.length - 1 }).map((n) => ({ kind: 'truncated', token: real.subarray(0, n).toString('base64url') })),
      fc.tuple(fc.integer({ min: 0, max: real.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const copy = Buffer.from(real);
        copy[i] = (copy[i] ?? 0) ^ x;
        return { kind: 'one byte flipped', token: copy.toString('base64url') };
      }),
      fc.uint8Array({ minLength: 1, maxLength: 700 }).map((b) => ({ kind: 'random bytes', token: Buffer.from(b).toString('base64url') })),
    );
    const kinds = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(forged, async ({ kind, token }) => {
        if (token === waiting.token) return;
        const target = await browser.createSession('age_over_18_germany');
        const record = await store.get(target.sessionId);
        emulator.control.finishInquiry(record?.relayToken ?? '', { status: 'completed', claimResult: 'passed' });
        const answer = await post(`/sessions/${target.sessionId}/redeem`, JSON.stringify({ token }));
        cases += 1;
        if (leaks(answer)) throw new Error(`${kind}: a secret appeared in the answer`);
        if (answer.status >= 400) {
          expectRejected(answer, kind);
          cases -= 1;
          kinds.set(kind, String(answer.status));
          return;
        }
        expect(answer.status).toBe(202);
        const state = await browser.pollUntilSettled(target.sessionId);
        expect(['needs-token', 'error', 'failed']).toContain(state.status);
        expect(consumptions(emulator.control.log(), record?.relayToken)).toBe(0);
        kinds.set(kind, `202 then ${state.status}`);
      }),
      { numRuns: Math.min(runs, 60) },
    );
    await foreign.close();
    console.log('forged tokens:', Object.fromEntries(kinds));
    expect((await browser.read(finished.sessionId)).body.status).toBe('passed');
    expect((await browser.read(waiting.sessionId)).body.status).toBe('inquiry');
  });
});
