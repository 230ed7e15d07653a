import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../../test/support/redisServer.ts';
import { MemoryStore } from './memoryStore.ts';
import { RedisStore } from './redisStore.ts';
import type { RelayStore } from './store.ts';

let redis: RedisServerHandle;
const opened: RelayStore[] = [];
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(opened.map(async (s) => { await s.close?.(); }));
  await redis.stop();
});

const makers: Record<string, () => RelayStore> = {
  MemoryStore: () => new MemoryStore(),
  RedisStore: () => new RedisStore({ url: redis.url, prefix: `lease${String((prefixes += 1))}:` }),
};

/** The redeem lease and the reconcile list, as issue 13 needs them from every store. */
describe.each(Object.keys(makers))('%s: owned leases and the pending list', (name) => {
  const open = (): RelayStore => {
    const store = (makers[name] as () => RelayStore)();
    opened.push(store);
    return store;
  };

  it('only the owner renews or releases a lease; a lapsed lease goes to the next taker, whom the old owner cannot free', async () => {
    const store = open();
    expect(await store.acquire('redeem:s', 200, 'one')).toBe(true);
    expect(await store.acquire('redeem:s', 200, 'two')).toBe(false);
    expect(await store.renew?.('redeem:s', 'two', 200)).toBe(false);
    expect(await store.renew?.('redeem:s', 'one', 400)).toBe(true);
    await store.release('redeem:s', 'two');
    expect(await store.acquire('redeem:s', 200, 'two')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 450));
    // Lapsed: the owner cannot bring it back, the next taker gets it, and the old owner's release leaves it be.
    expect(await store.renew?.('redeem:s', 'one', 400)).toBe(false);
    expect(await store.acquire('redeem:s', 5_000, 'two')).toBe(true);
    await store.release('redeem:s', 'one');
    expect(await store.acquire('redeem:s', 5_000, 'three')).toBe(false);
    await store.release('redeem:s', 'two');
    expect(await store.acquire('redeem:s', 5_000, 'three')).toBe(true);
  });

  it('lists pending sessions until their deadline, keeps the later deadline, and forgets removed ones', async () => {
    const store = open();
    const now = Date.now();
    await store.addPending?.('a', now + 60_000);
    await store.addPending?.('b', now + 300);
    await store.addPending?.('b', now + 100);
    await store.addPending?.('c', now + 60_000);
    expect((await store.listPending?.(10))?.sort()).toEqual(['a', 'b', 'c']);
    expect(await store.listPending?.(2)).toHaveLength(2);
    await store.removePending?.('c');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await store.listPending?.(10)).toEqual(['a']);
  });
});

describe('RedisStore pending list', () => {
  it('expires with its last entry, so an app that never reconciles leaves no key without a TTL', async () => {
    const store = new RedisStore({ url: redis.url, prefix: 'leasettl:' });
    opened.push(store);
    await store.addPending('x', Date.now() + 60_000);
    const { createClient } = await import('redis');
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const ttl = await client.pTTL('leasettl:pending');
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      client.destroy();
    }
  });
});
