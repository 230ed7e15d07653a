import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import { isErrorShape } from '../../test/support/hostileInput.ts';
import { startRedisServer, type RedisServerHandle } from '../../test/support/redisServer.ts';
import { BrowserDriver, consumptions, serveHandler, sleep, type ServedHandler } from '../../test/support/relayDriver.ts';
import { testHandlerDefaults } from '../../test/support/handlerDefaults.ts';
import { createRelayHandler } from './index.ts';
import { RedisStore } from './redisStore.ts';

/** The wire profile both sides speak in this suite. */
const protocol = 'persona' as const;

const apiKey = 'sk_test_multi_instances';
const claimType = 'age_over_18_germany';
let redis: RedisServerHandle;
let emulator: RunningEmulator;
const stores: RedisStore[] = [];
let a: ServedHandler;
let b: ServedHandler;

function instance(prefix: string): RedisStore {
  const store = new RedisStore({ url: redis.url, prefix, commandTimeoutMs: 500 });
  stores.push(store);
  return store;
}

async function startInstance(store: RedisStore): Promise<ServedHandler> {
  return serveHandler(createRelayHandler({ ...testHandlerDefaults, protocol, apiKey, personaBaseUrl: emulator.url, store }));
}

const driver = (served: ServedHandler): BrowserDriver => new BrowserDriver(`${served.url}/api/relay`);

async function relayTokenOf(store: RedisStore, sessionId: string): Promise<string> {
  const record = await store.get(sessionId);
  if (!record) throw new Error(`no record for ${sessionId}`);
  return record.relayToken;
}

beforeAll(async () => {
  redis = await startRedisServer();
  emulator = await startEmulator({ protocol, apiKey, control: true, rateLimit: 1_000_000 });
  a = await startInstance(instance('multi:'));
  b = await startInstance(instance('multi:'));
});

afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
  await Promise.all(stores.map((s) => s.close()));
  await emulator.close();
  await redis.stop();
});

describe('two handler instances on one Redis', () => {
  it('creates on one, issues and redeems across both, reads the claim on the other', async () => {
    const onA = driver(a);
    const onB = driver(b);
    const session = await onA.createSession(claimType);
    const token = await onB.obtainToken(session.sessionId);
    emulator.control.finishInquiry(await relayTokenOf(stores[0] as RedisStore, session.sessionId), { status: 'completed', claimResult: 'passed' });
    expect((await onB.redeem(session.sessionId, token)).status).toBe(202);
    const state = await onA.pollUntilSettled(session.sessionId);
    expect(state.status).toBe('passed');
    expect(state.claim).toMatchObject({ claimType, claimResult: 'passed' });
    expect((await onB.read(session.sessionId)).body.status).toBe('passed');
  });

  it('turns 200 concurrent redeems of one session over both instances into one consumption', async () => {
    const onA = driver(a);
    const onB = driver(b);
    const session = await onA.createSession(claimType);
    const token = await onA.obtainToken(session.sessionId);
    const relayToken = await relayTokenOf(stores[0] as RedisStore, session.sessionId);
    emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? onA : onB).redeem(session.sessionId, token)));
    expect(answers.map((x) => x.status).filter((s) => s !== 202)).toEqual([]);
    const [fromA, fromB] = await Promise.all([onA.pollUntilSettled(session.sessionId), onB.pollUntilSettled(session.sessionId)]);
    expect(fromA).toMatchObject({ status: 'passed' });
    expect(fromB).toMatchObject({ status: 'passed' });
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it('answers clear 503s while Redis is hung, and the session finishes untouched once it answers again', async () => {
    const onA = driver(a);
    const onB = driver(b);
    const session = await onA.createSession(claimType);
    const token = await onA.obtainToken(session.sessionId);
    const relayToken = await relayTokenOf(stores[0] as RedisStore, session.sessionId);
    emulator.control.finishInquiry(relayToken, { status: 'completed', claimResult: 'passed' });
    redis.pause();
    try {
      const during = [await onB.redeem(session.sessionId, token), await onA.read(session.sessionId), await onA.call('POST', '/sessions', { claimType })];
      for (const answer of during) {
        expect(answer.status).toBe(503);
        expect(isErrorShape(503, answer.body)).toBe(true);
      }
    } finally {
      redis.resume();
    }
    await sleep(100);
    expect((await onB.redeem(session.sessionId, token)).status).toBe(202);
    expect(await onA.pollUntilSettled(session.sessionId)).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
  });

  it('answers clear 503s when Redis dies mid-flow, and a clean 404 (never a half session) once it is back empty', async () => {
    const onA = driver(a);
    const onB = driver(b);
    const session = await onA.createSession(claimType);
    const token = await onA.obtainToken(session.sessionId);
    await redis.kill();
    const during = [await onB.redeem(session.sessionId, token), await onA.read(session.sessionId), await onB.call('POST', `/sessions/${session.sessionId}/challenge`)];
    for (const answer of during) {
      expect(answer.status).toBe(503);
      expect(isErrorShape(503, answer.body)).toBe(true);
      expect(JSON.stringify(answer.body)).not.toContain(redis.url);
    }
    await redis.restart();
    await expect.poll(async () => (await onA.read(session.sessionId)).status, { timeout: 5000 }).toBe(404);
    expect((await onB.redeem(session.sessionId, token)).status).toBe(404);
    const fresh = await onB.createSession(claimType);
    const freshToken = await onA.obtainToken(fresh.sessionId);
    emulator.control.finishInquiry(await relayTokenOf(stores[1] as RedisStore, fresh.sessionId), { status: 'completed', claimResult: 'failed' });
    expect((await onA.redeem(fresh.sessionId, freshToken)).status).toBe(202);
    expect(await onB.pollUntilSettled(fresh.sessionId)).toMatchObject({ status: 'failed' });
  });
});
