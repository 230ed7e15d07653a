import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RelayClaim } from '../core/types.ts';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import { BrowserDriver, consumptions, serveHandler, sleep, type ServedHandler } from '../../test/support/relayDriver.ts';
import { testHandlerDefaults } from '../../test/support/handlerDefaults.ts';
import { createRelayHandler, MemoryStore, type RelayHandler, type RelaySessionView } from './index.ts';

/** The wire profile both sides speak in this suite. */
const protocol = 'persona' as const;

const apiKey = 'sk_test_handler_suite_key';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const logLines: string[] = [];
const seen: string[] = [];
const secrets: string[] = [apiKey, privatePem];
const claims: [RelaySessionView, RelayClaim][] = [];

let emulator: RunningEmulator;
let store: MemoryStore;
let handler: RelayHandler;
let served: ServedHandler;
let browser: BrowserDriver;

/** Records every answer the browser saw so the leak check covers the whole suite. */
class RecordingDriver extends BrowserDriver {
  override async call<T = unknown>(method: string, path: string, body?: unknown, init: RequestInit = {}) {
    const answer = await super.call<T>(method, path, body, init);
    seen.push(JSON.stringify(answer.body) + JSON.stringify([...answer.headers]));
    return answer;
  }
}

/** A handler on a store of its own, on a clock the test moves (`clock.now`); everything is closed after `body`. */
async function withClockedHandler(
  body: (clocked: { handler: RelayHandler; store: MemoryStore; browser: RecordingDriver; clock: { now: number } }) => Promise<void>,
): Promise<void> {
  const clock = { now: Date.now() };
  const clockedStore = new MemoryStore({ now: () => clock.now });
  const clockedHandler = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store: clockedStore, now: () => clock.now });
  const clockedServed = await serveHandler(clockedHandler);
  try {
    await body({ handler: clockedHandler, store: clockedStore, browser: new RecordingDriver(`${clockedServed.url}/api/relay`, new Set()), clock });
  } finally {
    await clockedServed.close();
    await clockedHandler.close();
    await clockedStore.close();
  }
}

async function relayTokenOf(sessionId: string): Promise<string> {
  const record = await store.get(sessionId);
  if (!record) throw new Error('no record');
  secrets.push(record.relaySecret);
  return record.relayToken;
}

function finish(relayToken: string, claimResult: 'passed' | 'failed'): void {
  emulator.control.finishInquiry(relayToken, {
    status: 'completed',
    claimResult,
    methodology: [{ method: 'facial_age_estimation', result: claimResult }],
  });
}

function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** Every request a handler sent upstream (the emulator's log redacts Authorization, so the tests look here). */
const outgoing: { url: string; headers: Headers }[] = [];
const tappedFetch: typeof fetch = (input, init) => {
  outgoing.push({ url: urlOf(input), headers: new Headers(init?.headers) });
  return fetch(input, init);
};

/** The Authorization of the last generate-claim sent for `relayToken`. */
function lastRedeemAuthorization(relayToken: string): string | null | undefined {
  return outgoing.filter((call) => call.url.endsWith(`/relays/${relayToken}/generate-claim`)).at(-1)?.headers.get('authorization');
}

async function startSession(claimType: string) {
  const { sessionId } = await browser.createSession(claimType);
  return { sessionId, relayToken: await relayTokenOf(sessionId) };
}

beforeAll(async () => {
  emulator = await startEmulator({ protocol, apiKey, control: true });
  store = new MemoryStore();
  handler = createRelayHandler({
    ...testHandlerDefaults,
    protocol,
    apiKey,
    personaBaseUrl: emulator.url,
    encryptionKey: privatePem,
    store,
    fetch: tappedFetch,
    retry: { baseDelayMs: 10, maxDelayMs: 50, deadlineMs: 5_000 },
    logger: { warn: (message, meta) => logLines.push(message + JSON.stringify(meta ?? {})) },
    onClaim: (session, claim) => { claims.push([session, claim]); },
  });
  served = await serveHandler(handler);
  browser = new RecordingDriver(`${served.url}/api/relay`, new Set());
});

afterAll(async () => {
  await served.close();
  await handler.close();
  await store.close();
  await emulator.close();
});

beforeEach(() => {
  emulator.control.setFaults({});
});

describe('routes and errors', () => {
  it('creates a session with a 22-char id and an expiry 30 minutes out', async () => {
    const answer = await browser.call<{ sessionId: string; expiresAt: string; sessionAccessToken: string }>('POST', '/sessions', { claimType: 'age_over_18_germany' });
    expect(answer.status).toBe(201);
    expect(answer.body.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const minutes = (Date.parse(answer.body.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(28);
    expect(minutes).toBeLessThanOrEqual(30.5);
    expect((await browser.read(answer.body.sessionId)).body.status).toBe('inquiry');
  });

  it('answers bad input with typed {errors} and the right status', async () => {
    const bad = await browser.call<{ errors: { status: string }[] }>('POST', '/sessions', { claimType: 'Not A Type!' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.status).toBe('400');
    expect((await browser.call('GET', '/sessions/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await browser.call('GET', '/nowhere')).status).toBe(404);
    const wrong = await browser.call('DELETE', '/sessions');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('POST');
    const huge = await browser.call('POST', '/sessions', { claimType: 'x'.repeat(70 * 1024) });
    expect(huge.status).toBe(413);
    const { sessionId } = await startSession('age_over_18_germany');
    expect((await browser.call('POST', `/sessions/${sessionId}/issue`, { tokenRequest: '***' })).status).toBe(400);
    expect((await browser.call('POST', `/sessions/${sessionId}/redeem`, {})).status).toBe(400);
  });

  it('caps issuance at 3 per session with 429', async () => {
    const { sessionId } = await startSession('age_over_18_germany');
    for (let i = 0; i < 3; i += 1) await browser.obtainToken(sessionId);
    await expect(browser.obtainToken(sessionId)).rejects.toThrow(/429/);
  });
});

describe('flows against the emulator', () => {
  it('passes, fires onClaim once and keeps the answer server-side', async () => {
    const { sessionId, relayToken } = await startSession('age_over_18_germany');
    finish(relayToken, 'passed');
    const token = await browser.obtainToken(sessionId);
    expect((await browser.redeem(sessionId, token)).status).toBe(202);
    expect((await browser.redeem(sessionId, token)).status).toBe(202);
    const state = await browser.pollUntilSettled(sessionId);
    expect(state.status).toBe('passed');
    expect(state.claim?.methodology?.[0]?.method).toBe('facial_age_estimation');
    await handler.idle();
    expect((await handler.getSession(sessionId))?.status).toBe('passed');
    expect(claims.filter(([s]) => s.sessionId === sessionId)).toHaveLength(1);
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it('hides the methodology for France (every relay here is created with the encryption key, so payloads are decrypted)', async () => {
    const { sessionId, relayToken } = await startSession('age_over_18_france');
    finish(relayToken, 'passed');
    await browser.redeem(sessionId, await browser.obtainToken(sessionId));
    const state = await browser.pollUntilSettled(sessionId);
    expect(state.status).toBe('passed');
    expect(state.claim?.methodology).toBeUndefined();
  });

  it('a failed claim refunds the token and the next session of that type spends it', async () => {
    const first = await startSession('age_over_18_united_kingdom');
    finish(first.relayToken, 'failed');
    await browser.redeem(first.sessionId, await browser.obtainToken(first.sessionId));
    expect((await browser.pollUntilSettled(first.sessionId)).status).toBe('failed');
    const refundedCall = emulator.control.log().filter((e) => e.path.includes(first.relayToken)).at(-1);
    expect(refundedCall?.tokenConsumed).toBe(false);

    const second = await startSession('age_over_18_united_kingdom');
    finish(second.relayToken, 'passed');
    const fresh = await browser.obtainToken(second.sessionId);
    await browser.redeem(second.sessionId, fresh);
    expect((await browser.pollUntilSettled(second.sessionId)).status).toBe('passed');
    const authFirst = lastRedeemAuthorization(first.relayToken);
    const authSecond = lastRedeemAuthorization(second.relayToken);
    expect(authFirst).toMatch(/^PrivateToken token=/);
    // The refunded token, not the fresh one, was spent; the fresh one went into the pool.
    expect(authSecond).toBe(authFirst);
    expect(authSecond).not.toContain(fresh);
  });

  it('a double-spent token → needs-token → a new token passes', async () => {
    const a = await startSession('age_over_18_germany');
    const b = await startSession('age_over_18_germany');
    finish(a.relayToken, 'passed');
    finish(b.relayToken, 'passed');
    const token = await browser.obtainToken(a.sessionId);
    await browser.redeem(a.sessionId, token);
    expect((await browser.pollUntilSettled(a.sessionId)).status).toBe('passed');
    await browser.redeem(b.sessionId, token);
    expect((await browser.pollUntilSettled(b.sessionId)).status).toBe('needs-token');
    await browser.redeem(b.sessionId, await browser.obtainToken(b.sessionId));
    expect((await browser.pollUntilSettled(b.sessionId)).status).toBe('passed');
  });

  it('retries 403 not-yet-available until the inquiry finishes mid-retry, one consumption', async () => {
    const { sessionId, relayToken } = await startSession('age_over_18_germany');
    await browser.redeem(sessionId, await browser.obtainToken(sessionId));
    // The explicit event: Persona has refused twice (inquiry not finished), so the handler is retrying.
    const refusals = () => emulator.control.log().filter((e) => e.path.includes(`${relayToken}/generate-claim`) && e.status === 403).length;
    await expect.poll(refusals, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect((await browser.read(sessionId)).body.status).toBe('redeeming');
    finish(relayToken, 'passed');
    expect((await browser.pollUntilSettled(sessionId)).status).toBe('passed');
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it('rides out a 429 burst and 5xx with one consumption', async () => {
    const { sessionId, relayToken } = await startSession('age_over_18_germany');
    finish(relayToken, 'passed');
    const token = await browser.obtainToken(sessionId);
    emulator.control.setFaults({ burst429: 3, errorRate: 0.3, status: 503 });
    await browser.redeem(sessionId, token);
    expect((await browser.pollUntilSettled(sessionId)).status).toBe('passed');
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it('a wrong relay secret ends in error with the upstream request id', async () => {
    const { sessionId, relayToken } = await startSession('age_over_18_germany');
    finish(relayToken, 'passed');
    const record = await store.get(sessionId);
    if (!record) throw new Error('no record');
    expect(await store.compareAndSet({ ...record, relaySecret: 'tampered-secret', version: record.version + 1 }, record.version, 60_000)).toBe(true);
    await browser.redeem(sessionId, await browser.obtainToken(sessionId));
    const state = await browser.pollUntilSettled(sessionId);
    expect(state.status).toBe('error');
    expect(state.error?.requestId).toMatch(/.+/);
    expect(consumptions(emulator.control.log(), relayToken)).toBe(0);
  });

  it('a claim still "not yet available" at the deadline returns the session to inquiry and keeps its token; 503s until the deadline end in error', async () => {
    const short = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store, encryptionKey: privatePem, fetch: tappedFetch, retry: { baseDelayMs: 20, maxDelayMs: 100, deadlineMs: 1_000 } });
    const shortServed = await serveHandler(short);
    try {
      const shortBrowser = new RecordingDriver(`${shortServed.url}/api/relay`, new Set());
      const waiting = await startSession('age_over_18_australia');
      const token = await shortBrowser.obtainToken(waiting.sessionId);
      await shortBrowser.redeem(waiting.sessionId, token);
      await short.idle();
      expect((await shortBrowser.read(waiting.sessionId)).body).toEqual(expect.objectContaining({ status: 'inquiry' }));
      expect((await short.getSession(waiting.sessionId))?.error).toBeUndefined();
      // The unspent token was kept: the next redeem of this claim type spends it, not the fresh one.
      finish(waiting.relayToken, 'passed');
      const fresh = await shortBrowser.obtainToken(waiting.sessionId);
      await shortBrowser.redeem(waiting.sessionId, fresh);
      expect((await shortBrowser.pollUntilSettled(waiting.sessionId)).status).toBe('passed');
      expect(lastRedeemAuthorization(waiting.relayToken)).toBe(`PrivateToken token=${token}`);

      const failing = await startSession('age_over_18_australia');
      finish(failing.relayToken, 'passed');
      const failingToken = await shortBrowser.obtainToken(failing.sessionId);
      emulator.control.setFaults({ errorRate: 1, status: 503 });
      await shortBrowser.redeem(failing.sessionId, failingToken);
      const state = await shortBrowser.pollUntilSettled(failing.sessionId);
      emulator.control.setFaults({});
      expect(state.status).toBe('error');
      expect(state.error?.status).toBe(504);
    } finally {
      await shortServed.close();
      await short.close();
    }
  });

  it('expires with the session access token', async () => {
    await withClockedHandler(async ({ browser: agedBrowser, clock }) => {
      const { sessionId } = await agedBrowser.createSession('age_over_18_germany');
      // A started inquiry (its challenge asked) keeps the session; one never started is forgotten sooner.
      expect((await agedBrowser.call('POST', `/sessions/${sessionId}/challenge`, {})).status).toBe(200);
      clock.now += 31 * 60_000;
      emulator.control.advanceClock(31 * 60);
      expect((await agedBrowser.read(sessionId)).body.status).toBe('expired');
    });
  });
});

describe('more of the contract', () => {
  it('hints the next poll with pollAfterMs and Retry-After until final, and stops hinting after', async () => {
    const { sessionId, relayToken } = await startSession('age_over_18_germany');
    const waiting = await browser.read(sessionId);
    expect(waiting.body.pollAfterMs).toBeGreaterThan(0);
    expect(Number(waiting.headers.get('retry-after'))).toBe(Math.ceil((waiting.body.pollAfterMs ?? 0) / 1000));
    finish(relayToken, 'passed');
    await browser.redeem(sessionId, await browser.obtainToken(sessionId));
    await browser.pollUntilSettled(sessionId);
    const final = await browser.read(sessionId);
    expect(final.body.pollAfterMs).toBeUndefined();
    expect(final.headers.get('retry-after')).toBeNull();
  });

  it('answers 405 with Allow on each route and 409 when a final session is asked for more tokens', async () => {
    const { sessionId, relayToken } = await startSession('age_over_18_germany');
    const expectations: [string, string, string][] = [
      ['GET', '/sessions', 'POST'],
      ['POST', `/sessions/${sessionId}`, 'GET'],
      ['GET', `/sessions/${sessionId}/challenge`, 'POST'],
      ['PUT', `/sessions/${sessionId}/issue`, 'POST'],
      ['GET', `/sessions/${sessionId}/redeem`, 'POST'],
    ];
    for (const [method, path, allow] of expectations) {
      const answer = await browser.call<{ errors: { status: string }[] }>(method, path);
      expect(answer.status, `${method} ${path}`).toBe(405);
      expect(answer.headers.get('allow')).toBe(allow);
      expect(answer.body.errors[0]?.status).toBe('405');
    }
    expect((await browser.call('POST', `/sessions/${sessionId}/unknown`)).status).toBe(404);
    finish(relayToken, 'passed');
    await browser.redeem(sessionId, await browser.obtainToken(sessionId));
    expect((await browser.pollUntilSettled(sessionId)).status).toBe('passed');
    expect((await browser.call('POST', `/sessions/${sessionId}/challenge`)).status).toBe(409);
  });

  it('holds the redeem answer until the claim is in (up to redeemWaitMs) and answers the session state with its claim, or answers redeeming at once', async () => {
    for (const [redeemWaitMs, expected] of [[10_000, 'passed'], [0, 'redeeming']] as const) {
      const own = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store, redeemWaitMs });
      const ownServed = await serveHandler(own);
      try {
        const ownBrowser = new RecordingDriver(`${ownServed.url}/api/relay`, new Set());
        const { sessionId } = await ownBrowser.createSession('age_over_18_germany');
        finish(await relayTokenOf(sessionId), 'passed');
        const answer = await ownBrowser.redeem(sessionId, await ownBrowser.obtainToken(sessionId));
        expect(answer.status).toBe(202);
        expect(answer.body.status).toBe(expected);
        // Settled while held, the answer is the poll's answer (claim included), so the browser need not poll;
        // still redeeming, it says when to poll.
        if (expected === 'passed') expect(answer.body).toEqual(await ownBrowser.pollUntilSettled(sessionId));
        else expect(answer.body).toEqual({ status: 'redeeming', pollAfterMs: 100 });
        expect((await ownBrowser.pollUntilSettled(sessionId)).status).toBe('passed');
      } finally {
        await ownServed.close();
        await own.close();
      }
    }
  });

  it('carries the upstream Request-Id in the body and the header when Persona fails a call', async () => {
    emulator.control.setFaults({ errorRate: 1, status: 500 });
    const answer = await browser.call<{ errors: { status: string; requestId?: string }[] }>('POST', '/sessions', { claimType: 'age_over_18_germany' });
    emulator.control.setFaults({});
    expect(answer.status).toBe(502);
    const requestId = answer.body.errors[0]?.requestId;
    expect(requestId).toMatch(/^req_/);
    expect(answer.headers.get('request-id')).toBe(requestId);
    expect(emulator.control.log().some((e) => e.requestId === requestId && e.status === 500)).toBe(true);
  });

  it('sends Persona-Version on every Persona call, and a version Persona rejects surfaces as 400 with its Request-Id', async () => {
    for (const [personaVersion, expected] of [['2023-01-05', 201], ['1999-01-01', 400]] as const) {
      const versioned = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, personaVersion });
      const versionedServed = await serveHandler(versioned);
      try {
        const answer = await new RecordingDriver(`${versionedServed.url}/api/relay`, new Set()).call<{ errors?: { requestId?: string }[] }>('POST', '/sessions', { claimType: 'age_over_18_germany' });
        expect(answer.status).toBe(expected);
        const call = emulator.control.log().filter((e) => e.path.endsWith('/relays')).at(-1);
        expect(call?.headers['persona-version']).toBe(personaVersion);
        if (expected === 400) expect(answer.body.errors?.[0]?.requestId).toBe(call?.requestId);
      } finally {
        await versionedServed.close();
        await versioned.close();
      }
    }
  });

  it('refuses claim types outside claimTypes without calling Persona', async () => {
    const strict = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, claimTypes: ['age_over_18_germany'] });
    const strictServed = await serveHandler(strict);
    try {
      const strictBrowser = new RecordingDriver(`${strictServed.url}/api/relay`, new Set());
      const before = emulator.control.log().length;
      expect((await strictBrowser.call('POST', '/sessions', { claimType: 'age_over_18_france' })).status).toBe(400);
      expect(emulator.control.log().length).toBe(before);
      expect((await strictBrowser.call('POST', '/sessions', { claimType: 'age_over_18_germany' })).status).toBe(201);
    } finally {
      await strictServed.close();
      await strict.close();
    }
  });

  it('rides out latency and dropped connections at redeem with one consumption', async () => {
    const { sessionId, relayToken } = await startSession('age_over_18_germany');
    finish(relayToken, 'passed');
    const token = await browser.obtainToken(sessionId);
    const dropsBefore = logLines.filter((line) => line.includes('did not get an answer')).length;
    emulator.control.setFaults({ latencyMs: 150, dropRate: 1 });
    await browser.redeem(sessionId, token);
    // Every connection is cut until the handler has seen two of them fail; then only the latency stays.
    while (logLines.filter((line) => line.includes('did not get an answer')).length < dropsBefore + 2) await sleep(20);
    expect((await browser.read(sessionId)).body.status).toBe('redeeming');
    emulator.control.setFaults({ latencyMs: 150 });
    expect((await browser.pollUntilSettled(sessionId)).status).toBe('passed');
    emulator.control.setFaults({});
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it('when Persona is slower than the request timeout, the replay gets longer and the claim still arrives, spent once', async () => {
    const slow = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store, requestTimeoutMs: 300, retry: { baseDelayMs: 10, maxDelayMs: 50, deadlineMs: 5_000 }, logger: { warn: (m, meta) => logLines.push(m + JSON.stringify(meta ?? {})) } });
    const slowServed = await serveHandler(slow);
    try {
      const slowBrowser = new RecordingDriver(`${slowServed.url}/api/relay`, new Set());
      const { sessionId } = await slowBrowser.createSession('age_over_18_germany');
      const relayToken = await relayTokenOf(sessionId);
      finish(relayToken, 'passed');
      const token = await slowBrowser.obtainToken(sessionId);
      emulator.control.setFaults({ latencyMs: 450 });
      await slowBrowser.redeem(sessionId, token);
      expect((await slowBrowser.pollUntilSettled(sessionId)).status).toBe('passed');
      emulator.control.setFaults({});
      expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
      expect(emulator.control.log().some((e) => e.path.includes(`${relayToken}/generate-claim`) && e.replayed === true)).toBe(true);
    } finally {
      await slowServed.close();
      await slow.close();
    }
  });

  it('a redeem after the session expired answers expired and spends nothing', async () => {
    await withClockedHandler(async ({ handler: aged, store: clocked, browser: agedBrowser, clock }) => {
      const { sessionId } = await agedBrowser.createSession('age_over_18_germany');
      const token = await agedBrowser.obtainToken(sessionId);
      const record = await clocked.get(sessionId);
      const relayToken = record?.relayToken ?? '';
      secrets.push(record?.relaySecret ?? apiKey);
      // The expiry is the one Persona put in the session access token (earlier tests moved its clock).
      clock.now = (record?.expiresAt ?? 0) + 60_000;
      expect((await agedBrowser.redeem(sessionId, token)).body.status).toBe('expired');
      expect((await aged.getSession(sessionId))?.status).toBe('expired');
      expect(emulator.control.log().filter((e) => e.path.includes(`${relayToken}/generate-claim`))).toHaveLength(0);
    });
  });
});

describe('payloads and inflections', () => {
  /** A handler on its own store whose Persona answers to generate-claim are recorded, to see the wire. */
  async function recordedHandler(options: { encryptionKey?: string; keyInflection?: 'camel' | 'kebab' | 'snake' }) {
    const bodies: string[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (urlOf(input).endsWith('/generate-claim')) bodies.push(await response.clone().text());
      return response;
    };
    const ownStore = new MemoryStore();
    const own = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, fetch: recordingFetch, store: ownStore, ...options });
    const ownServed = await serveHandler(own);
    const driver = new RecordingDriver(`${ownServed.url}/api/relay`, new Set());
    return {
      bodies,
      browser: driver,
      /** Creates a session and finishes its inquiry with `claimResult`; returns the ids. */
      async session(claimResult: 'passed' | 'failed') {
        const { sessionId } = await driver.createSession('age_over_18_germany');
        const record = await ownStore.get(sessionId);
        if (!record) throw new Error('no record');
        secrets.push(record.relaySecret);
        finish(record.relayToken, claimResult);
        return { sessionId, relayToken: record.relayToken };
      },
      async close() {
        await ownServed.close();
        await own.close();
        await ownStore.close();
      },
    };
  }

  it('decrypts an RSA-OAEP payload, and reads a plain one when no key is set', async () => {
    for (const encryptionKey of [privatePem, undefined]) {
      const run = await recordedHandler({ encryptionKey });
      try {
        const { sessionId } = await run.session('passed');
        await run.browser.redeem(sessionId, await run.browser.obtainToken(sessionId));
        const state = await run.browser.pollUntilSettled(sessionId);
        expect(state.status).toBe('passed');
        expect(state.claim?.claimType).toBe('age_over_18_germany');
        const payload = (JSON.parse(run.bodies.at(-1) ?? '{}') as Record<string, unknown>)['claim-payload'];
        expect(typeof payload).toBe('string');
        const parsesAsJson = (() => { try { JSON.parse(String(payload)); return true; } catch { return false; } })();
        expect(parsesAsJson).toBe(encryptionKey === undefined);
      } finally {
        await run.close();
      }
    }
  });

  for (const keyInflection of ['camel', 'snake', 'kebab'] as const) {
    it(`sends Key-Inflection: ${keyInflection} and reads the answers in it`, async () => {
      const run = await recordedHandler({ keyInflection });
      try {
        const { sessionId, relayToken } = await run.session('failed');
        await run.browser.redeem(sessionId, await run.browser.obtainToken(sessionId));
        const state = await run.browser.pollUntilSettled(sessionId);
        expect(state.status).toBe('failed');
        const call = emulator.control.log().filter((e) => e.path.includes(`${relayToken}/generate-claim`)).at(-1);
        expect(call?.headers['key-inflection']).toBe(keyInflection);
        const key = { camel: 'claimPayload', snake: 'claim_payload', kebab: 'claim-payload' }[keyInflection];
        expect(Object.keys(JSON.parse(run.bodies.at(-1) ?? '{}') as object)).toContain(key);
      } finally {
        await run.close();
      }
    });
  }
});

describe('several instances, one store', () => {
  it('onClaim fires once when two instances race to redeem the same session', async () => {
    const shared = new MemoryStore();
    const fired: string[] = [];
    const make = () => createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store: shared, onClaim: (s) => { fired.push(s.sessionId); } });
    const [one, two] = [make(), make()];
    const [servedOne, servedTwo] = await Promise.all([serveHandler(one), serveHandler(two)]);
    try {
      const first = new RecordingDriver(`${servedOne.url}/api/relay`, new Set());
      const second = new RecordingDriver(`${servedTwo.url}/api/relay`, new Set());
      const { sessionId } = await first.createSession('age_over_18_germany');
      const relayToken = (await shared.get(sessionId))?.relayToken ?? '';
      secrets.push((await shared.get(sessionId))?.relaySecret ?? apiKey);
      finish(relayToken, 'passed');
      const token = await second.obtainToken(sessionId);
      await Promise.all([first.redeem(sessionId, token), second.redeem(sessionId, token), first.redeem(sessionId, token)]);
      expect((await second.pollUntilSettled(sessionId)).status).toBe('passed');
      await Promise.all([one.idle(), two.idle()]);
      expect(fired).toEqual([sessionId]);
      expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
    } finally {
      await Promise.all([servedOne.close(), servedTwo.close()]);
      await Promise.all([one.close(), two.close()]);
      await shared.close();
    }
  });

  it('a redeem orphaned by a dead instance is taken over with the same Idempotency-Key, and spends once', async () => {
    let skew = 0;
    const shared = new MemoryStore({ now: () => Date.now() + skew });
    // The doomed instance's generate-claim reaches Persona, which spends the token; the answer never comes back.
    let reachedPersona!: () => void;
    const spent = new Promise<void>((resolve) => { reachedPersona = resolve; });
    const doomedFetch: typeof fetch = async (input, init) => {
      if (!urlOf(input).endsWith('/generate-claim')) return fetch(input, init);
      await fetch(input, { ...init, signal: null });
      reachedPersona();
      return new Promise<Response>(() => undefined);
    };
    const doomed = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store: shared, fetch: doomedFetch, requestTimeoutMs: 60_000 });
    const survivor = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store: shared, logger: { warn: (m, meta) => logLines.push(m + JSON.stringify(meta ?? {})) } });
    const [doomedServed, survivorServed] = await Promise.all([serveHandler(doomed), serveHandler(survivor)]);
    try {
      const before = new RecordingDriver(`${doomedServed.url}/api/relay`, new Set());
      const after = new RecordingDriver(`${survivorServed.url}/api/relay`, new Set());
      const { sessionId } = await before.createSession('age_over_18_germany');
      const relayToken = (await shared.get(sessionId))?.relayToken ?? '';
      secrets.push((await shared.get(sessionId))?.relaySecret ?? apiKey);
      finish(relayToken, 'passed');
      const token = await before.obtainToken(sessionId);
      await before.redeem(sessionId, token);
      await spent;
      expect((await after.redeem(sessionId, token)).body.status).toBe('redeeming');
      expect((await after.read(sessionId)).body.status).toBe('redeeming');
      // The dead instance's redeem lock runs out (as its TTL would), and the person's page redeems again.
      skew += 10 * 60_000;
      await after.redeem(sessionId, token);
      expect((await after.pollUntilSettled(sessionId)).status).toBe('passed');
      const calls = emulator.control.log().filter((e) => e.path.includes(`${relayToken}/generate-claim`));
      expect(calls).toHaveLength(2);
      expect(calls[1]?.headers['idempotency-key']).toBe(calls[0]?.headers['idempotency-key']);
      expect(calls[1]?.replayed).toBe(true);
      expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
    } finally {
      await Promise.all([doomedServed.close(), survivorServed.close()]);
      await survivor.close();
      await shared.close();
    }
  });
});

describe('secrets', () => {
  it('no answer and no log line carries the API key, a relay secret or the private key', async () => {
    // The test makes its own traffic down the paths that handle secrets (a claim, Persona retries that are
    // logged, a refused relay secret, a failed Persona call), so it holds alone or in any order; it then checks
    // everything the suite recorded so far as well.
    const seenBefore = seen.length;
    const logsBefore = logLines.length;
    const passed = await startSession('age_over_18_germany');
    finish(passed.relayToken, 'passed');
    const token = await browser.obtainToken(passed.sessionId);
    emulator.control.setFaults({ burst429: 2 });
    await browser.redeem(passed.sessionId, token);
    expect((await browser.pollUntilSettled(passed.sessionId)).status).toBe('passed');
    emulator.control.setFaults({});

    const refused = await startSession('age_over_18_germany');
    finish(refused.relayToken, 'passed');
    const record = await store.get(refused.sessionId);
    if (!record) throw new Error('no record');
    const wrongSecret = `wrong-relay-secret-${randomUUID()}`;
    secrets.push(wrongSecret);
    expect(await store.compareAndSet({ ...record, relaySecret: wrongSecret, version: record.version + 1 }, record.version, 60_000)).toBe(true);
    await browser.redeem(refused.sessionId, await browser.obtainToken(refused.sessionId));
    expect((await browser.pollUntilSettled(refused.sessionId)).status).toBe('error');

    emulator.control.setFaults({ errorRate: 1, status: 500 });
    expect((await browser.call('POST', '/sessions', { claimType: 'age_over_18_germany' })).status).toBe(502);
    emulator.control.setFaults({});

    // What the check reads must hold what this test did, or it would pass on an empty record.
    const own = seen.slice(seenBefore).join('\n');
    expect(own).toContain('"status":"passed"');
    expect(own).toContain('"status":"error"');
    expect(logLines.length).toBeGreaterThan(logsBefore);
    // JSON escapes the PEM's line breaks, so its base64 lines are looked for one by one as well.
    const pemLines = privatePem.split('\n').filter((line) => line.length >= 40);
    expect(pemLines.length).toBeGreaterThan(10);
    const everything = seen.join('\n') + '\n' + logLines.join('\n');
    for (const [index, secret] of [...secrets, ...pemLines].entries()) expect(everything.includes(secret), `secret #${String(index)} leaked`).toBe(false);
  });
});
