import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelaySessionStatus } from '../core/types.ts';
import { startEmulator, type EmulatorFaults, type RunningEmulator } from '../emulator/index.ts';
import { startRedisServer, type RedisServerHandle } from '../../test/support/redisServer.ts';
import { BrowserDriver, consumptions, serveHandler, sleep, type ServedHandler } from '../../test/support/relayDriver.ts';
import { testHandlerDefaults } from '../../test/support/handlerDefaults.ts';
import { createRelayHandler } from './index.ts';
import { RedisStore } from './redisStore.ts';

/** The wire profile both sides speak in this suite. */
const protocol = 'persona' as const;

const apiKey = 'sk_test_fault_matrix';
const claimType = 'age_over_18_germany';

/** Deterministic randomness, so a cell's 10 % is the same 10 % on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Row {
  cell: string;
  expected: string;
  final: string;
  consumed: number;
  browserRetries: number;
  ms: number;
}

const rows: Row[] = [];
let redis: RedisServerHandle;
let emulator: RunningEmulator;
let store: RedisStore;
let served: ServedHandler;
/** Probability that a generate-claim answer is lost after Persona processed it (the connection drops on the way back). */
let lostAnswerRate = 0;
/** How far the app server's clock runs ahead of the real one. */
let appClockSkewMs = 0;
const lostAnswerRandom = seeded(7);

// Persona did the work, the answer never arrived: only the Idempotency-Key can keep the retry from spending again.
const lossyFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  if (url.endsWith('/generate-claim') && lostAnswerRandom() < lostAnswerRate) {
    await response.arrayBuffer();
    throw new TypeError('fetch failed: socket hang up (injected after the request was processed)');
  }
  return response;
};

async function startInstance(): Promise<ServedHandler> {
  return serveHandler(
    createRelayHandler({
      ...testHandlerDefaults,
      protocol,
      apiKey,
      personaBaseUrl: emulator.url,
      store,
      fetch: lossyFetch,
      now: () => Date.now() + appClockSkewMs,
      requestTimeoutMs: 3000,
      retry: { deadlineMs: 8000 },
    }),
  );
}

interface Flow {
  sessionId: string;
  relayToken: string;
  token: string;
}

/** create → challenge → issue, with the browser retrying 429/5xx as a person pressing "try again" would. */
async function prepare(browser: BrowserDriver, result: 'passed' | 'failed' = 'passed'): Promise<Flow> {
  const session = await browser.createSession(claimType);
  const token = await browser.obtainToken(session.sessionId);
  const record = await store.get(session.sessionId);
  if (!record) throw new Error('session missing from the store');
  emulator.control.finishInquiry(record.relayToken, { status: 'completed', claimResult: result });
  return { sessionId: session.sessionId, relayToken: record.relayToken, token };
}

async function cell(
  name: string,
  faults: EmulatorFaults,
  expected: { status: RelaySessionStatus; consumed: number },
  run: (browser: BrowserDriver) => Promise<Flow> = async (browser) => {
    const flow = await prepare(browser, expected.status === 'failed' ? 'failed' : 'passed');
    expect((await browser.retrying('POST', `/sessions/${flow.sessionId}/redeem`, { token: flow.token })).status).toBe(202);
    return flow;
  },
): Promise<void> {
  const browser = new BrowserDriver(`${served.url}/api/relay`);
  const started = Date.now();
  emulator.control.setFaults(faults);
  let flow: Flow;
  let state;
  try {
    flow = await run(browser);
    // A fresh driver: the instance behind the URL may have been replaced during the cell.
    state = await new BrowserDriver(`${served.url}/api/relay`).pollUntilSettled(flow.sessionId, 40_000);
  } finally {
    emulator.control.setFaults({});
    lostAnswerRate = 0;
    appClockSkewMs = 0;
  }
  const consumed = consumptions(emulator.control.log(), flow.relayToken);
  rows.push({ cell: name, expected: `${expected.status}, ${String(expected.consumed)}`, final: state.status, consumed, browserRetries: browser.retries, ms: Date.now() - started });
  expect(state.status).toBe(expected.status);
  if (expected.status === 'passed' || expected.status === 'failed') expect(state.claim?.claimResult).toBe(expected.status);
  expect(consumed).toBe(expected.consumed);
}

beforeAll(async () => {
  redis = await startRedisServer();
  emulator = await startEmulator({ protocol, apiKey, control: true, rateLimit: 1_000_000, random: seeded(42) });
  store = new RedisStore({ url: redis.url, prefix: 'matrix:' });
  served = await startInstance();
});

afterAll(async () => {
  const table = [
    '| cell | expected (status, consumptions) | final status | consumptions | browser retries | ms |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.cell} | ${r.expected} | ${r.final} | ${String(r.consumed)} | ${String(r.browserRetries)} | ${String(r.ms)} |`),
  ].join('\n');
  console.log(`\nFault matrix (handler on RedisStore against the emulator)\n\n${table}\n`);
  await served.close();
  await store.close();
  await emulator.close();
  await redis.stop();
});

describe('fault matrix: each cell asserts the final claim and the consumptions in the emulator log', () => {
  it('no faults (baseline)', () => cell('no faults', {}, { status: 'passed', consumed: 1 }));
  it('failed claim refunds the token', () => cell('claim failed (refund)', {}, { status: 'failed', consumed: 0 }));
  it('Persona latency 300 ms', () => cell('latency 300 ms', { latencyMs: 300 }, { status: 'passed', consumed: 1 }));
  it('Persona latency 2.5 s, just under the 3 s request timeout', () =>
    cell('latency 2.5 s (request timeout 3 s)', { latencyMs: 2500 }, { status: 'passed', consumed: 1 }));
  it('Persona latency past the request timeout at redeem, until the deadline', () =>
    // The handler doubles the timeout after each timed-out attempt, so the replay of the spent token gets through.
    cell('latency 4 s at redeem (timeout 3 s, deadline 8 s): replay waited for', {}, { status: 'passed', consumed: 1 }, async (browser) => {
      const flow = await prepare(browser);
      emulator.control.setFaults({ latencyMs: 4000 });
      expect((await browser.redeem(flow.sessionId, flow.token)).status).toBe(202);
      return flow;
    }));
  it('5xx at 10 %', () => cell('503 at 10 %', { errorRate: 0.1, status: 503 }, { status: 'passed', consumed: 1 }));
  it('5xx at 50 %', () => cell('503 at 50 %', { errorRate: 0.5, status: 503 }, { status: 'passed', consumed: 1 }));
  it('500 at 50 %', () => cell('500 at 50 %', { errorRate: 0.5, status: 500 }, { status: 'passed', consumed: 1 }));
  it('429 at 10 %', () => cell('429 at 10 %', { errorRate: 0.1, status: 429 }, { status: 'passed', consumed: 1 }));
  it('429 at 50 %', () => cell('429 at 50 %', { errorRate: 0.5, status: 429 }, { status: 'passed', consumed: 1 }));
  it('a burst of 429s during redeem', () =>
    cell('burst of 3 × 429 (Retry-After 1) at redeem', {}, { status: 'passed', consumed: 1 }, async (browser) => {
      const flow = await prepare(browser);
      emulator.control.setFaults({ burst429: 3 });
      expect((await browser.redeem(flow.sessionId, flow.token)).status).toBe(202);
      return flow;
    }));
  it('a burst of 503s during redeem', () =>
    cell('503 burst (100 % for 600 ms) at redeem', {}, { status: 'passed', consumed: 1 }, async (browser) => {
      const flow = await prepare(browser);
      emulator.control.setFaults({ errorRate: 1, status: 503 });
      expect((await browser.redeem(flow.sessionId, flow.token)).status).toBe(202);
      await sleep(600);
      emulator.control.setFaults({});
      return flow;
    }));
  it('connections dropped before Persona read them (30 %)', () => cell('dropped requests 30 %', { dropRate: 0.3 }, { status: 'passed', consumed: 1 }));
  it('answers lost after Persona processed generate-claim (50 %)', () =>
    cell('generate-claim answer lost 50 %', {}, { status: 'passed', consumed: 1 }, async (browser) => {
      const flow = await prepare(browser);
      lostAnswerRate = 0.5;
      expect((await browser.redeem(flow.sessionId, flow.token)).status).toBe(202);
      return flow;
    }));
  it('handler restarted between challenge and redeem', () =>
    cell('handler restart between challenge and redeem', {}, { status: 'passed', consumed: 1 }, async (browser) => {
      const flow = await prepare(browser);
      await served.close();
      served = await startInstance();
      const reborn = new BrowserDriver(`${served.url}/api/relay`);
      expect((await reborn.redeem(flow.sessionId, flow.token)).status).toBe(202);
      return flow;
    }));
  it('browser closes mid-redeem and comes back', () =>
    cell('browser closes mid-redeem, polls later', {}, { status: 'passed', consumed: 1 }, async (browser) => {
      const flow = await prepare(browser);
      emulator.control.setFaults({ latencyMs: 300 });
      const gone = new AbortController();
      const redeem = browser.redeem(flow.sessionId, flow.token, { signal: gone.signal }).catch((e: unknown) => e);
      await sleep(5);
      gone.abort();
      await redeem;
      await sleep(800);
      emulator.control.setFaults({});
      const again = await browser.redeem(flow.sessionId, flow.token);
      expect(again.status).toBe(202);
      return flow;
    }));
  it('Persona clock 10 min ahead of the app', () =>
    cell('clock skew +10 min (inside the 30 min session)', {}, { status: 'passed', consumed: 1 }, async (browser) => {
      const flow = await prepare(browser);
      emulator.control.advanceClock(10 * 60);
      expect((await browser.redeem(flow.sessionId, flow.token)).status).toBe(202);
      return flow;
    }));
  it('Persona inquiry expired (24 h) before the person finished', () =>
    // The emulator answers an expired inquiry with a failed claim and refunds the token.
    cell('Persona clock +25 h (inquiry expired)', {}, { status: 'failed', consumed: 0 }, async (browser) => {
      const session = await browser.createSession(claimType);
      const record = await store.get(session.sessionId);
      emulator.control.advanceClock(25 * 60 * 60);
      // After the clock moved: a persona token's challenge lives 1–2 h, and an expired token is a spent one.
      const token = await browser.obtainToken(session.sessionId);
      expect((await browser.redeem(session.sessionId, token)).status).toBeLessThan(500);
      return { sessionId: session.sessionId, relayToken: record?.relayToken ?? '', token };
    }));
  it('app server clock a minute past the session expiry Persona gave', () =>
    cell('app clock past the session expiry', {}, { status: 'expired', consumed: 0 }, async (browser) => {
      const flow = await prepare(browser);
      const record = await store.get(flow.sessionId);
      // Earlier cells moved Persona's clock, so the expiry is measured from what Persona put in the token.
      appClockSkewMs = (record?.expiresAt ?? 0) - Date.now() + 60_000;
      const answer = await browser.redeem(flow.sessionId, flow.token);
      expect(answer.status).toBeLessThan(500);
      return flow;
    }));
});
