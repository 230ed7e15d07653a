/**
 * Issue 14 across instances: two handlers on one real Redis (as behind a load balancer) share the
 * rate limit and the binding, so neither can be sidestepped by landing on the other instance.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import { startRedisServer, type RedisServerHandle } from '../../test/support/redisServer.ts';
import { BrowserDriver, CookieJar, serveHandler, type ServedHandler } from '../../test/support/relayDriver.ts';
import { bindingCookieName, createRelayHandler, type RelayHandler } from './index.ts';
import { RedisStore } from './redisStore.ts';

const apiKey = 'sk_test_attack_redis';
const claimType = 'age_over_18_germany';
let redis: RedisServerHandle;
let emulator: RunningEmulator;
const stores: RedisStore[] = [];
const handlers: RelayHandler[] = [];
let a: ServedHandler;
let b: ServedHandler;

async function instance(): Promise<ServedHandler> {
  const store = new RedisStore({ url: redis.url, prefix: 'attack:' });
  stores.push(store);
  const handler = createRelayHandler({ apiKey, personaBaseUrl: emulator.url, store, claimTypes: [claimType], rateLimit: { limit: 4, windowMs: 60_000 } });
  handlers.push(handler);
  return serveHandler(handler);
}

beforeAll(async () => {
  redis = await startRedisServer();
  emulator = await startEmulator({ apiKey, control: true, rateLimit: 1_000_000_000 });
  a = await instance();
  b = await instance();
});

afterAll(async () => {
  await Promise.all(handlers.map((h) => h.close()));
  await Promise.all([a.close(), b.close()]);
  await Promise.all(stores.map((s) => s.close()));
  await emulator.close();
  await redis.stop();
});

describe('two instances on one Redis', () => {
  it('share the binding: the creating browser continues on either instance, another browser is refused on both', async () => {
    const jar = new CookieJar();
    const onA = new BrowserDriver(`${a.url}/api/relay`, new Set(), 0, jar);
    const onB = new BrowserDriver(`${b.url}/api/relay`, new Set(), 0, jar);
    const session = await onA.createSession(claimType);
    const token = await onB.obtainToken(session.sessionId);
    const record = await stores[0]?.get(session.sessionId);
    emulator.control.finishInquiry(record?.relayToken ?? '', { status: 'completed', claimResult: 'passed' });
    for (const served of [a, b]) {
      // A binding cookie of its own (well-formed, so the subjects are compared), not the creator's.
      const jar2 = new CookieJar();
      jar2.keep(served.url, [`${bindingCookieName}=${randomBytes(32).toString('base64url')}`]);
      const stranger = new BrowserDriver(`${served.url}/api/relay`, new Set(), 0, jar2);
      expect((await stranger.read(session.sessionId)).status).toBe(404);
      expect((await stranger.redeem(session.sessionId, token)).status).toBe(404);
    }
    expect((await onB.redeem(session.sessionId, token)).status).toBe(202);
    expect(await onA.pollUntilSettled(session.sessionId)).toMatchObject({ status: 'passed' });
  });

  it('share the rate limit: creates spread over both instances are counted once', async () => {
    // The binding test above spent one of this address's four creates.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const served = i % 2 === 0 ? b : a;
      statuses.push((await new BrowserDriver(`${served.url}/api/relay`, new Set(), 0, new CookieJar()).call('POST', '/sessions', { claimType })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
  });
});
