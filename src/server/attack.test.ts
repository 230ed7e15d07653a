/**
 * Issue 14's attacks, over real HTTP against the real emulator: what someone holding only a session id,
 * another web page, a flood of anonymous requests, or a careless upstream can make the handler do.
 * Each `it` is one row of the README's security-model table.
 */
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RelayClaim } from '../core/types.ts';
import { startEmulator, type EmulatorLogEntry, type RunningEmulator } from '../emulator/index.ts';
import { startEchoUpstream, type EchoUpstream } from '../../test/support/echoUpstream.ts';
import { isErrorShape, rawRequest } from '../../test/support/hostileInput.ts';
import { BrowserDriver, CookieJar, consumptions, serveHandler, type Answer, type ServedHandler } from '../../test/support/relayDriver.ts';
import { createRelayHandler, MemoryStore, type RelayHandler, type RelayHandlerOptions, type RelaySessionView } from './index.ts';
import { sessionRef } from './sessionRef.ts';

const apiKey = 'sk_test_attack_suite_key';
const claimType = 'age_over_21_verified';
let emulator: RunningEmulator;

interface App {
  handler: RelayHandler;
  store: MemoryStore;
  served: ServedHandler;
  base: string;
  /** A browser of its own (its own cookies), unless given a jar. */
  browser(jar?: CookieJar): BrowserDriver;
}
const apps: App[] = [];

async function startApp(options: Partial<RelayHandlerOptions> = {}): Promise<App> {
  const store = new MemoryStore();
  const handler = createRelayHandler({ apiKey, personaBaseUrl: emulator.url, store, claimTypes: [claimType], ...options });
  const served = await serveHandler(handler);
  const base = `${served.url}/api/relay`;
  const app: App = { handler, store, served, base, browser: (jar = new CookieJar()) => new BrowserDriver(base, new Set(), 0, jar) };
  apps.push(app);
  return app;
}

/** Relay creations Persona saw so far, read from the emulator's own log over HTTP. */
async function relayCreations(): Promise<number> {
  const answer = await fetch(`${emulator.url}/__emulator/log`);
  const { entries } = (await answer.json()) as { entries: EmulatorLogEntry[] };
  return entries.filter((e) => e.method === 'POST' && /\/relays\/?$/.test(e.path)).length;
}

async function relayTokenOf(app: App, sessionId: string): Promise<string> {
  const record = await app.store.get(sessionId);
  if (!record) throw new Error(`no record for ${sessionId}`);
  return record.relayToken;
}

/** Runs a session to its claim as its owner would. */
async function finish(app: App, owner: BrowserDriver, sessionId: string, token: string): Promise<void> {
  emulator.control.finishInquiry(await relayTokenOf(app, sessionId), { status: 'completed', claimResult: 'passed' });
  expect((await owner.redeem(sessionId, token)).status).toBe(202);
  expect(await owner.pollUntilSettled(sessionId)).toMatchObject({ status: 'passed', claim: { claimType, claimResult: 'passed' } });
}

/** A JSON POST from another loopback address: another client, as far as the handler's socket can tell. */
function postFrom(localAddress: string, url: string, body: unknown): Promise<{ status: number; retryAfter?: string; body: unknown }> {
  const target = new URL(url);
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, ...(typeof retryAfter === 'string' ? { retryAfter } : {}), body: JSON.parse(Buffer.concat(chunks).toString() || 'null') as unknown });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** Every route a session id opens, with well-formed bodies, so only the binding can refuse them. */
function everyRoute(browser: BrowserDriver, sessionId: string, token: string): Promise<Answer>[] {
  const path = `/sessions/${sessionId}`;
  return [
    browser.read(sessionId),
    browser.call('POST', `${path}/challenge`, {}),
    browser.call('POST', `${path}/issue`, { tokenRequest: Buffer.alloc(256, 7).toString('base64url') }),
    browser.redeem(sessionId, token),
    browser.call('POST', `${path}/token`, { token }),
    browser.call('POST', `${path}/cancel`, {}),
  ];
}

beforeAll(async () => {
  emulator = await startEmulator({ apiKey, control: true, rateLimit: 1_000_000_000 });
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map(async (app) => {
    await app.handler.close();
    await app.served.close();
    await app.store.close();
  }));
});

afterAll(async () => {
  await emulator.close();
});

describe('who can use a session id', () => {
  it('another browser, with or without a binding cookie of its own, cannot read, challenge, issue into, redeem, hand a token to or cancel the session', async () => {
    const app = await startApp();
    const owner = app.browser();
    const session = await owner.createSession(claimType);
    const token = await owner.obtainToken(session.sessionId);
    const relayToken = await relayTokenOf(app, session.sessionId);

    const stranger = app.browser();
    await stranger.createSession(claimType);
    const upstreamBefore = emulator.control.log().length;
    const cookieless = app.browser();
    const unknown = await cookieless.read('AAAAAAAAAAAAAAAAAAAAAA');
    for (const intruder of [stranger, cookieless]) {
      for (let round = 0; round < 2; round += 1) {
        const answers = await Promise.all(everyRoute(intruder, session.sessionId, token));
        expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404]);
        // Nothing tells a bound session from one that does not exist.
        expect(answers[0]?.body).toEqual(unknown.body);
      }
    }
    // Not one upstream call on the intruders' behalf: no challenge, no issuance, no generate-claim.
    expect(emulator.control.log().slice(upstreamBefore)).toEqual([]);
    const record = await app.store.get(session.sessionId);
    expect(record).toMatchObject({ status: 'inquiry', issued: 1 });

    await finish(app, owner, session.sessionId, token);
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it("with authorize: only the subject the session was made for may use it; onClaim, getSession and consume carry that subject, and consume gives a result once, to that subject only", async () => {
    const claims: [string, RelayClaim][] = [];
    const app = await startApp({
      // The app's own login: here a cookie naming the user, as a session middleware would resolve it.
      authorize: (req) => {
        const user = /(?:^|; )login=([a-z]+)/.exec(req.headers.get('cookie') ?? '')?.[1];
        return user ? { subject: `user:${user}` } : new Response(JSON.stringify({ error: 'log in' }), { status: 401 });
      },
      onClaim: (session: RelaySessionView, claim: RelayClaim) => {
        claims.push([session.subject, claim]);
      },
    });
    const loggedIn = (user: string): BrowserDriver => {
      const jar = new CookieJar();
      jar.keep(app.base, [`login=${user}`]);
      return app.browser(jar);
    };
    const alice = loggedIn('alice');
    const bob = loggedIn('bob');
    const session = await alice.createSession(claimType);
    const token = await alice.obtainToken(session.sessionId);
    // authorize binds, not a cookie of the kit's: none is set.
    expect((await alice.call('POST', '/sessions', { claimType })).headers.getSetCookie()).toEqual([]);

    expect((await Promise.all(everyRoute(bob, session.sessionId, token))).map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404]);
    const anonymous = await Promise.all(everyRoute(app.browser(), session.sessionId, token));
    expect(anonymous.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(anonymous[0]?.body).toEqual({ error: 'log in' });

    await finish(app, alice, session.sessionId, token);
    await app.handler.idle();
    expect(claims).toEqual([['user:alice', { claimType, claimResult: 'passed', methodology: expect.any(Array) as unknown }]]);
    expect(await app.handler.getSession(session.sessionId)).toMatchObject({ subject: 'user:alice', status: 'passed' });

    // Bob hands Alice's session id to the app as if it were his: the app asks for it as Bob's.
    expect(await app.handler.consume(session.sessionId, 'user:bob')).toBeUndefined();
    const used = await Promise.all([app.handler.consume(session.sessionId, 'user:alice'), app.handler.consume(session.sessionId, 'user:alice')]);
    expect(used.filter(Boolean)).toHaveLength(1);
    expect(used.find(Boolean)).toMatchObject({ subject: 'user:alice', claim: { claimType, claimResult: 'passed' } });
    expect(await app.handler.consume(session.sessionId, 'user:alice')).toBeUndefined();
  });
});

describe('what another web page can make a visitor do', () => {
  it('a cross-site or text/plain create is refused before Persona is called: no relay is made', async () => {
    const app = await startApp();
    const before = await relayCreations();
    const body = JSON.stringify({ claimType });
    const path = '/api/relay/sessions';
    const attempts: { status: number; headers: Record<string, string> }[] = [
      // A form or no-cors fetch from https://evil.example, as a browser sends it.
      { status: 403, headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' } },
      { status: 403, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null', 'sec-fetch-site': 'cross-site' } },
      // JSON with a foreign Origin (only after a preflight the app never grants, but refused anyway).
      { status: 403, headers: { 'content-type': 'application/json', origin: 'https://evil.example' } },
      // An old browser that sends neither header: the content type alone refuses it.
      { status: 415, headers: { 'content-type': 'text/plain' } },
      { status: 415, headers: { 'content-type': 'multipart/form-data; boundary=x' } },
    ];
    for (const attempt of attempts) {
      const answer = await rawRequest(app.served.url, 'POST', path, body, attempt.headers);
      expect(answer.status, JSON.stringify(attempt.headers)).toBe(attempt.status);
      expect(isErrorShape(attempt.status, JSON.parse(answer.text))).toBe(true);
    }
    expect(await relayCreations()).toBe(before);
    // The same request from the app's own page goes through.
    const own = await rawRequest(app.served.url, 'POST', path, body, { 'content-type': 'application/json', origin: app.served.url, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(201);
    expect(await relayCreations()).toBe(before + 1);
  });
});

describe("the app's Persona quota", () => {
  it('200 creates from one client are cut off by 429 + Retry-After after the default limit (far before 100 relays), while another client still gets through', async () => {
    const app = await startApp();
    const before = await relayCreations();
    const answers: Awaited<ReturnType<typeof postFrom>>[] = [];
    const queue = Array.from({ length: 200 }, (_, i) => i);
    await Promise.all(Array.from({ length: 20 }, async () => {
      while (queue.shift() !== undefined) answers.push(await postFrom('127.0.0.2', `${app.base}/sessions`, { claimType }));
    }));
    const created = answers.filter((a) => a.status === 201).length;
    const limited = answers.filter((a) => a.status === 429);
    expect(created).toBe(10);
    expect(limited).toHaveLength(190);
    for (const answer of limited) {
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
      expect(isErrorShape(429, answer.body)).toBe(true);
    }
    expect((await relayCreations()) - before).toBe(10);

    // A visitor on another address is not held back by the flood.
    const visitor = app.browser();
    const session = await visitor.createSession(claimType);
    await finish(app, visitor, session.sessionId, await visitor.obtainToken(session.sessionId));
  });

  it('limits per subject when the app authorizes: one account cannot spend the quota of all', async () => {
    const app = await startApp({
      authorize: (req) => ({ subject: req.headers.get('cookie')?.includes('login=mallory') ? 'user:mallory' : 'user:ann' }),
      rateLimit: { limit: 3, windowMs: 60_000 },
    });
    const jar = new CookieJar();
    jar.keep(app.base, ['login=mallory']);
    const mallory = app.browser(jar);
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await mallory.call('POST', '/sessions', { claimType })).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect((await app.browser().call('POST', '/sessions', { claimType })).status).toBe(201);
  });

  it('a flood of sessions that never start their inquiry does not pile up: they are forgotten after unstartedSessionTtlMs, started ones live on', async () => {
    let clock = Date.now();
    const store = new MemoryStore({ now: () => clock, maxSessions: 3 });
    const app = await startApp({ store, now: () => clock, unstartedSessionTtlMs: 60_000 });
    const visitor = app.browser();
    const started = await visitor.createSession(claimType);
    expect((await visitor.call('POST', `/sessions/${started.sessionId}/challenge`, {})).status).toBe(200);
    const abandoned = await visitor.createSession(claimType);
    await visitor.createSession(claimType);
    // Full: the fourth is refused (503) rather than growing the process.
    const refused = await visitor.call('POST', '/sessions', { claimType });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    clock += 61_000;
    expect((await visitor.read(abandoned.sessionId)).status).toBe(404);
    expect((await visitor.read(started.sessionId)).body).toMatchObject({ status: 'inquiry' });
    expect(await visitor.createSession(claimType)).toMatchObject({ sessionId: expect.any(String) as unknown });
    await store.close();
  });
});

describe('what is being verified is the server’s decision', () => {
  it('a browser asking for a weaker claim type than the app allows is refused, and no relay is made', async () => {
    const app = await startApp({ claimTypes: ['age_over_21_verified'] });
    const visitor = app.browser();
    const before = await relayCreations();
    for (const downgrade of ['age_over_13_estimated', 'age_over_18_verified', 'AGE_OVER_21_VERIFIED', 'age_over_21_verified ']) {
      const answer = await visitor.call('POST', '/sessions', { claimType: downgrade });
      expect(answer.status, downgrade).toBe(400);
    }
    expect(await relayCreations()).toBe(before);
    expect((await visitor.call('POST', '/sessions', { claimType: 'age_over_21_verified' })).status).toBe(201);
  });

  it('claimTypes as a function decides per request and subject', async () => {
    const app = await startApp({
      authorize: (req) => ({ subject: req.headers.get('cookie')?.includes('login=teen') ? 'site:teen' : 'site:adult' }),
      claimTypes: (_request, subject) => (subject === 'site:teen' ? ['age_over_13_estimated'] : ['age_over_21_verified']),
    });
    const jar = new CookieJar();
    jar.keep(app.base, ['login=teen']);
    const teen = app.browser(jar);
    const adult = app.browser();
    expect((await teen.call('POST', '/sessions', { claimType: 'age_over_13_estimated' })).status).toBe(201);
    expect((await adult.call('POST', '/sessions', { claimType: 'age_over_13_estimated' })).status).toBe(400);
    expect((await adult.call('POST', '/sessions', { claimType: 'age_over_21_verified' })).status).toBe(201);
  });
});

describe('what leaves the server', () => {
  let echo: EchoUpstream | undefined;
  afterEach(async () => {
    await echo?.close();
    echo = undefined;
  });

  it('an upstream that echoes the request into its errors leaks nothing to the browser: fixed texts and the Request-Id only', async () => {
    const key = 'sk_live_never_in_a_browser_0123';
    const logLines: string[] = [];
    const logger = { warn: (m: string, meta?: Record<string, unknown>) => logLines.push(`${m} ${JSON.stringify(meta ?? {})}`) };
    const expectNothingEchoed = (answer: Answer): void => {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(isErrorShape(answer.status, answer.body)).toBe(true);
      expect(answer.headers.get('request-id')).toBe(echo?.requestId);
      const seen = JSON.stringify(answer.body) + JSON.stringify([...answer.headers]);
      for (const leaked of [key, 'Bad request', '"headers"', 'claimType', 'authorization', '/api/']) expect(seen).not.toContain(leaked);
    };

    // Relay creation echoed.
    echo = await startEchoUpstream();
    const app = await startApp({ personaBaseUrl: echo.url, apiKey: key, logger });
    expectNothingEchoed(await app.browser().call('POST', '/sessions', { claimType }));
    expect(echo.echoed()).toBe(1);
    await echo.close();

    // Issuance echoed: the one call that carries the API key (Authorization: Bearer).
    echo = await startEchoUpstream({ forwardTo: emulator.url, echo: (_method, path) => (path.includes('/relays') ? undefined : 400) });
    const issuing = await startApp({ personaBaseUrl: echo.url, apiKey: key, logger });
    const visitor = issuing.browser();
    const session = await visitor.createSession(claimType);
    expect((await visitor.call('POST', `/sessions/${session.sessionId}/challenge`, {})).status).toBe(200);
    expectNothingEchoed(await visitor.call('POST', `/sessions/${session.sessionId}/issue`, { tokenRequest: Buffer.alloc(256, 7).toString('base64url') }));
    expect(echo.echoed()).toBe(1);
    // The detail is for the server's log, with the key redacted.
    const log = logLines.join('\n');
    expect(log).toContain('Bearer [redacted]');
    expect(log).not.toContain(key);
  });

  it('an echoed relay secret, token or API key at generate-claim reaches neither the browser nor the log; logs name sessions by a one-way hash', async () => {
    echo = await startEchoUpstream({ forwardTo: emulator.url, echo: (_method, path) => (path.includes('/generate-claim') ? 422 : undefined) });
    const logLines: string[] = [];
    const app = await startApp({ personaBaseUrl: echo.url, logger: { warn: (m, meta) => logLines.push(`${m} ${JSON.stringify(meta ?? {})}`) } });
    const owner = app.browser();
    const session = await owner.createSession(claimType);
    const token = await owner.obtainToken(session.sessionId);
    const record = await app.store.get(session.sessionId);
    if (!record) throw new Error('no record');
    emulator.control.finishInquiry(record.relayToken, { status: 'completed', claimResult: 'passed' });
    expect((await owner.redeem(session.sessionId, token)).status).toBe(202);
    const state = await owner.pollUntilSettled(session.sessionId);
    expect(state.status).toBe('error');
    expect(state.error?.requestId).toBe(echo.requestId);
    expect(echo.echoed()).toBeGreaterThan(0);
    const read = await owner.read(session.sessionId);
    const seen = JSON.stringify(read.body) + JSON.stringify([...read.headers]);
    const log = logLines.join('\n');
    for (const secret of [record.relaySecret, record.relayToken, token, apiKey]) {
      expect(seen).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    expect(seen).not.toContain('persona-relay-secret');
    expect(log).toContain('[redacted]');
    expect(log).not.toContain(session.sessionId);
    expect(log).toContain(sessionRef(session.sessionId));
  });
});
