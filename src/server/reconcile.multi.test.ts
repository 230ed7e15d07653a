import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import type { RelayClaim, RelaySessionInfo } from '../wire/types.ts';
import { startRedisServer, type RedisServerHandle } from '../../test/support/redisServer.ts';
import { BrowserDriver, consumptions, serveHandler, type ServedHandler } from '../../test/support/relayDriver.ts';
import { testHandlerDefaults } from '../../test/support/handlerDefaults.ts';
import { createRelayHandler, type RelayHandler, type RelayHandlerOptions, type RelaySessionView } from './index.ts';
import { RedisStore } from './redisStore.ts';

/**
 * "Never lose a result" (issue 13) with three instances on one real Redis: a redeem orphaned by a dead
 * instance, a Redis pause while the claim is written, a death while a refunded token is being spent, a
 * tab closed before the redeem, and onClaim delivered at least once.
 */
const protocol = 'persona' as const;
const apiKey = 'sk_test_reconcile';
const claimType = 'age_over_18_germany';
let redis: RedisServerHandle;
let emulator: RunningEmulator;
const stores: RedisStore[] = [];
const served: ServedHandler[] = [];
let prefixCount = 0;

function store(prefix: string, commandTimeoutMs = 500): RedisStore {
  const s = new RedisStore({ url: redis.url, prefix, commandTimeoutMs });
  stores.push(s);
  return s;
}

/** Resolves when `predicate` holds; polls briskly, fails with `what` after `ms`. */
async function until(predicate: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Instance {
  handler: RelayHandler;
  served: ServedHandler;
  store: RedisStore;
  driver: BrowserDriver;
}

async function instance(prefix: string, options: Partial<RelayHandlerOptions> = {}, storeOf: RedisStore = store(prefix)): Promise<Instance> {
  const handler = createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store: storeOf, redeemLeaseMs: 600, redeemWaitMs: 0, retry: { baseDelayMs: 20, maxDelayMs: 200 }, ...options });
  const s = await serveHandler(handler);
  served.push(s);
  return { handler, served: s, store: storeOf, driver: new BrowserDriver(`${s.url}/api/relay`) };
}

/**
 * A fetch that lets generate-claim reach Persona (which spends the token) and then never answers: the
 * instance is dead from here on. `spent` resolves once Persona has answered the first such call.
 */
function dyingFetch(): { fetch: typeof fetch; spent: Promise<void> } {
  let markSpent: () => void = () => undefined;
  const spent = new Promise<void>((resolve) => { markSpent = resolve; });
  return {
    spent,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input instanceof Request ? input.url : input).endsWith('/generate-claim')) return response;
      await response.arrayBuffer();
      markSpent();
      return new Promise<Response>(() => undefined);
    },
  };
}

/**
 * A fetch that holds the first generate-claim call (the probe's) until `release()`, then sends it with
 * `send` (plain fetch by default); `called` resolves once it is held. Every other call goes straight through.
 */
function heldProbeFetch(send: typeof fetch = fetch): { fetch: typeof fetch; called: Promise<void>; release: () => void } {
  let markCalled: () => void = () => undefined;
  const called = new Promise<void>((resolve) => { markCalled = resolve; });
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let held = false;
  return {
    called,
    release: () => { release(); },
    fetch: async (input, init) => {
      if (held || !String(input instanceof Request ? input.url : input).endsWith('/generate-claim')) return fetch(input, init);
      held = true;
      markCalled();
      await released;
      return send(input, init);
    },
  };
}

/** A session on `on` whose browser made its token and handed it over (`POST …/token`), as before the tab closes. */
async function handedOver(on: Instance): Promise<{ session: RelaySessionInfo; token: string; relayToken: string }> {
  const session = await on.driver.createSession(claimType);
  const token = await on.driver.obtainToken(session.sessionId);
  expect((await on.driver.call('POST', `/sessions/${session.sessionId}/token`, { token })).status).toBe(204);
  return { session, token, relayToken: await relayTokenOf(on.store, session.sessionId) };
}

const nextPrefix = (): string => `reconcile${String((prefixCount += 1))}:`;

async function relayTokenOf(s: RedisStore, sessionId: string): Promise<string> {
  const record = await s.get(sessionId);
  if (!record) throw new Error(`no record for ${sessionId}`);
  return record.relayToken;
}

const replays = (relayToken: string): number =>
  emulator.control.log().filter((e) => e.path.endsWith('/generate-claim') && e.path.includes(`/relays/${relayToken}/`) && e.replayed === true).length;

beforeAll(async () => {
  redis = await startRedisServer();
  emulator = await startEmulator({ protocol, apiKey, control: true, rateLimit: 1_000_000 });
});

afterAll(async () => {
  await Promise.all(served.map((s) => s.close().catch(() => undefined)));
  await Promise.all(stores.map((s) => s.close()));
  await emulator.close();
  await redis.stop();
});

describe('three instances on one Redis never lose a claim Persona passed', () => {
  it('a poll takes over a redeem orphaned by a dead instance within seconds, replaying the same Idempotency-Key', async () => {
    const prefix = nextPrefix();
    const dying = dyingFetch();
    const a = await instance(prefix, { fetch: dying.fetch });
    const b = await instance(prefix);
    await instance(prefix);
    const session = await b.driver.createSession(claimType);
    const token = await b.driver.obtainToken(session.sessionId);
    const relayToken = await relayTokenOf(b.store, session.sessionId);
    emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });
    expect((await a.driver.redeem(session.sessionId, token)).status).toBe(202);
    await dying.spent;
    // The instance dies: its connection to Redis goes with it, so its lease is no longer renewed.
    await a.store.close();
    const started = Date.now();
    const state = await b.driver.pollUntilSettled(session.sessionId, 8_000);
    expect(state).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
    expect(replays(relayToken)).toBe(1);
  });

  it('a Redis pause longer than the command timeout while the claim is written ends passed, not error, and onClaim fires', async () => {
    const prefix = nextPrefix();
    const claims: string[] = [];
    let pauseNext = true;
    const pausingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (pauseNext && (input instanceof Request ? input.url : input instanceof URL ? input.href : input).endsWith('/generate-claim')) {
        pauseNext = false;
        // Redis stops answering for 3 s, longer than the 2 s command timeout, right as the claim is to be written.
        redis.pause();
        setTimeout(() => { redis.resume(); }, 3_000);
      }
      return response;
    };
    const a = await instance(prefix, {
      fetch: pausingFetch,
      redeemLeaseMs: 5_000,
      onClaim: (view) => { claims.push(view.sessionId); },
    }, store(prefix, 2_000));
    const session = await a.driver.createSession(claimType);
    const token = await a.driver.obtainToken(session.sessionId);
    const relayToken = await relayTokenOf(a.store, session.sessionId);
    emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });
    expect((await a.driver.redeem(session.sessionId, token)).status).toBe(202);
    await a.handler.idle();
    expect(await a.handler.getSession(session.sessionId)).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    expect(claims).toEqual([session.sessionId]);
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  }, 20_000);

  it('a death while spending a refunded token is taken over with that token and its key: one token spent for the relay', async () => {
    const prefix = nextPrefix();
    const dying = dyingFetch();
    const b = await instance(prefix);
    await instance(prefix);
    // A failed claim refunds its token into the pool this prefix's instances share.
    const first = await b.driver.createSession(claimType);
    const refunded = await b.driver.obtainToken(first.sessionId);
    emulator.control.finishInquiry(await relayTokenOf(b.store, first.sessionId), { status: 'completed', claimResult: 'failed' });
    await b.driver.redeem(first.sessionId, refunded);
    expect(await b.driver.pollUntilSettled(first.sessionId)).toMatchObject({ status: 'failed' });
    const a = await instance(prefix, { fetch: dying.fetch });

    const session = await a.driver.createSession(claimType);
    const browserToken = await a.driver.obtainToken(session.sessionId);
    const relayToken = await relayTokenOf(a.store, session.sessionId);
    emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });
    // The instance redeems with the refunded token first, Persona spends it, the instance dies.
    expect((await a.driver.redeem(session.sessionId, browserToken)).status).toBe(202);
    await dying.spent;
    await a.store.close();
    expect(await b.driver.pollUntilSettled(session.sessionId, 8_000)).toMatchObject({ status: 'passed' });
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
    expect(replays(relayToken)).toBe(1);
    // The browser's token was never sent: it waits in the pool for the next session.
    expect(await b.store.popRefund(claimType)).toBe(browserToken);
  });
});

describe('reconcile: the server finishes the claim without the browser', () => {
  it('redeems a handed-over token after the tab closed, backing off while not yet available; one winner of three; onClaim once', async () => {
    const prefix = nextPrefix();
    let offsetMs = 0;
    const now = (): number => Date.now() + offsetMs;
    const claims: Array<{ session: RelaySessionView; claim: RelayClaim }> = [];
    const onClaim = (session: RelaySessionView, claim: RelayClaim): void => { claims.push({ session, claim }); };
    const instances = await Promise.all([0, 1, 2].map(() => instance(prefix, { now, onClaim })));
    const [a] = instances as [Instance, Instance, Instance];
    const { session, relayToken } = await handedOver(a);

    // The person is still in the inquiry: one probe, "not yet available", then the session waits.
    const early = await Promise.all(instances.map((i) => i.handler.reconcile()));
    expect(early.reduce((n, r) => n + r.redeemed, 0)).toBe(1);
    expect((await a.handler.getSession(session.sessionId))?.status).toBe('inquiry');
    const backedOff = await Promise.all(instances.map((i) => i.handler.reconcile()));
    expect(backedOff.reduce((n, r) => n + r.redeemed, 0)).toBe(0);

    // The person finishes and closes the tab; no redeem ever comes from the browser.
    emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });
    offsetMs += 6_000;
    const late = await Promise.all(instances.map((i) => i.handler.reconcile()));
    expect(late.reduce((n, r) => n + r.redeemed, 0)).toBe(1);
    await Promise.all(instances.map((i) => i.handler.idle()));
    expect(await a.handler.getSession(session.sessionId)).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    expect(claims.map((c) => c.session.sessionId)).toEqual([session.sessionId]);
    expect(claims[0]?.claim).toMatchObject({ claimResult: 'passed' });
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
    // Nothing left to do: the session is off the list.
    const after = await Promise.all(instances.map((i) => i.handler.reconcile()));
    expect(after.reduce((n, r) => n + r.checked, 0)).toBe(0);
  });

  it('a probe that meets Persona unavailable leaves the session waiting, and the redeem the browser sent meanwhile ends passed', async () => {
    const prefix = nextPrefix();
    // The probe's generate-claim is held until the browser's redeem has arrived, then Persona answers it 503.
    const held = heldProbeFetch(async (input, init) => {
      emulator.control.setFaults({ errorRate: 1, status: 503 });
      try {
        return await fetch(input, init);
      } finally {
        emulator.control.setFaults({});
      }
    });
    const a = await instance(prefix, { fetch: held.fetch });
    const { session, token, relayToken } = await handedOver(a);
    emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });

    const probe = a.handler.reconcile();
    await held.called;
    // The person finishes while the probe holds the redeem lock: the browser is told to wait.
    expect((await a.driver.redeem(session.sessionId, token)).body).toMatchObject({ status: 'redeeming' });
    held.release();
    await probe;
    await a.handler.idle();
    expect(await a.handler.getSession(session.sessionId)).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it('a browser redeem that arrives while this instance\'s probe holds the lock answers with the claim the probe got', async () => {
    const prefix = nextPrefix();
    const held = heldProbeFetch();
    const a = await instance(prefix, { redeemWaitMs: 5_000, fetch: held.fetch });
    const { session, token, relayToken } = await handedOver(a);
    emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });

    const probe = a.handler.reconcile();
    await held.called;
    const redeemed = a.driver.redeem(session.sessionId, token);
    await until(async () => (await a.store.get(session.sessionId))?.completed === true, 'the browser redeem to mark the session');
    held.release();
    expect((await redeemed).body).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    await probe;
    await a.handler.idle();
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it('a probe alone that meets Persona unavailable backs off with the token kept; the next probe redeems it', async () => {
    const prefix = nextPrefix();
    let offsetMs = 0;
    const a = await instance(prefix, { now: () => Date.now() + offsetMs });
    const { session, token, relayToken } = await handedOver(a);
    emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });
    emulator.control.setFaults({ errorRate: 1, status: 503 });
    try {
      expect(await a.handler.reconcile()).toMatchObject({ redeemed: 1 });
    } finally {
      emulator.control.setFaults({});
    }
    expect(await a.store.get(session.sessionId)).toMatchObject({ status: 'inquiry', token });
    expect(await a.store.popRefund(claimType)).toBeUndefined();
    offsetMs += 6_000;
    expect(await a.handler.reconcile()).toMatchObject({ redeemed: 1 });
    await a.handler.idle();
    expect(await a.handler.getSession(session.sessionId)).toMatchObject({ status: 'passed' });
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it('a canceled session ends canceled, leaves the reconcile list, and its handed-over token stays spendable', async () => {
    const prefix = nextPrefix();
    const a = await instance(prefix);
    const { session, token, relayToken } = await handedOver(a);
    expect((await a.driver.call('POST', `/sessions/${session.sessionId}/cancel`, {})).status).toBe(204);
    expect((await a.driver.read(session.sessionId)).body).toMatchObject({ status: 'canceled' });
    expect(await a.handler.reconcile()).toMatchObject({ checked: 0, redeemed: 0 });
    expect(await a.store.popRefund(claimType)).toBe(token);
    expect(emulator.control.log().filter((e) => e.path.includes(`/relays/${relayToken}/generate-claim`))).toEqual([]);
  });

  it('retries onClaim until it resolves and marks it delivered only then; reconcile delivers what an instance never acknowledged', async () => {
    const prefix = nextPrefix();
    let calls = 0;
    const a = await instance(prefix, {
      onClaim: () => {
        calls += 1;
        if (calls < 3) throw new Error('the app database is down');
      },
    });
    const session = await a.driver.createSession(claimType);
    const token = await a.driver.obtainToken(session.sessionId);
    emulator.control.finishInquiry(await relayTokenOf(a.store, session.sessionId), { status: 'completed', claimResult: 'passed' });
    await a.driver.redeem(session.sessionId, token);
    await until(() => calls >= 1, 'the first onClaim');
    expect((await a.store.get(session.sessionId))?.notified).not.toBe(true);
    await a.handler.idle();
    expect(calls).toBe(3);
    expect((await a.store.get(session.sessionId))?.notified).toBe(true);

    // An instance that stored the claim and died before onClaim resolved: another instance's reconcile delivers it.
    const delivered: string[] = [];
    let hang = true;
    let deadCalls = 0;
    const dead = await instance(prefix, {
      onClaim: () => {
        deadCalls += 1;
        return hang ? new Promise<void>(() => undefined) : undefined;
      },
    });
    const b = await instance(prefix, { onClaim: (view) => { delivered.push(view.sessionId); } });
    const other = await dead.driver.createSession(claimType);
    const otherToken = await dead.driver.obtainToken(other.sessionId);
    emulator.control.finishInquiry(await relayTokenOf(dead.store, other.sessionId), { status: 'completed', claimResult: 'passed' });
    await dead.driver.redeem(other.sessionId, otherToken);
    await until(async () => (await b.store.get(other.sessionId))?.status === 'passed', 'the claim in the store');
    // The dying instance is inside onClaim (holding the delivery lock) when it dies.
    await until(() => deadCalls === 1, 'the dying instance to call onClaim');
    hang = false;
    // The dead instance's delivery lock would lapse in time; here it is freed as its expiry would.
    await b.store.release(`deliver:${other.sessionId}`);
    const report = await b.handler.reconcile();
    expect(report.delivered).toBe(1);
    expect(delivered).toEqual([other.sessionId]);
    expect((await b.store.get(other.sessionId))?.notified).toBe(true);
  });
});
