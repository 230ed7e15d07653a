import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayError } from '../wire/errors.ts';
import { startRedisServer, type RedisServerHandle } from '../../test/support/redisServer.ts';
import { RedisStore, storeUnavailableCode } from './redisStore.ts';
import { StoreUnavailableError } from './store.ts';
import { runStoreSuite, sampleRecord } from '../../test/support/storeSuite.ts';

let redis: RedisServerHandle;
let n = 0;
const prefix = (): string => `t${String(process.pid)}_${String((n += 1))}:`;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

runStoreSuite('RedisStore (url)', () => new RedisStore({ url: redis.url, prefix: prefix() }));

describe('RedisStore', () => {
  it('works on a client the app owns, and leaves it open on close', async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    const store = new RedisStore({ client, prefix: prefix() });
    const record = sampleRecord();
    expect(await store.create(record, 60_000)).toBe(true);
    expect(await store.get(record.id)).toEqual(record);
    await store.close();
    expect(await client.ping()).toBe('PONG');
    client.destroy();
  });

  it('shares sessions, locks and refunds between two instances on one Redis', async () => {
    const shared = prefix();
    const a = new RedisStore({ url: redis.url, prefix: shared });
    const b = new RedisStore({ url: redis.url, prefix: shared });
    const other = new RedisStore({ url: redis.url, prefix: prefix() });
    const record = sampleRecord();
    await a.create(record, 60_000);
    expect(await b.get(record.id)).toEqual(record);
    expect(await other.get(record.id)).toBeUndefined();
    const wins = await Promise.all([
      a.compareAndSet({ ...record, status: 'redeeming', version: 2 }, 1, 60_000),
      b.compareAndSet({ ...record, status: 'error', version: 2 }, 1, 60_000),
    ]);
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await Promise.all([a.acquire('x', 60_000), b.acquire('x', 60_000)])).toContain(false);
    await a.pushRefund('t', 'tok', 60_000);
    expect(await Promise.all([a.popRefund('t'), b.popRefund('t')])).toContain(undefined);
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it('rejects a non-positive TTL with a RangeError before touching Redis', async () => {
    const store = new RedisStore({ url: redis.url, prefix: prefix() });
    const record = sampleRecord();
    await expect(store.create(record, 0)).rejects.toBeInstanceOf(RangeError);
    await expect(store.acquire('k', Number.NaN)).rejects.toBeInstanceOf(RangeError);
    expect(await store.get(record.id)).toBeUndefined();
    await store.close();
  });

  it('answers a typed 503 for a record someone else wrote as garbage', async () => {
    const p = prefix();
    const client = createClient({ url: redis.url });
    await client.connect();
    await client.set(`${p}session:bad`, '{not json');
    await client.set(`${p}session:odd`, '{"id":1}');
    const store = new RedisStore({ client, prefix: p });
    for (const id of ['bad', 'odd']) {
      const error: unknown = await store.get(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RelayError);
      expect((error as RelayError).status).toBe(503);
    }
    client.destroy();
  });

  it('fails fast with a 503 that names no URL while Redis is down, then recovers', async () => {
    const own = await startRedisServer();
    const url = own.url.replace('redis://', 'redis://default:hunter2-secret@');
    const store = new RedisStore({ url, prefix: prefix(), commandTimeoutMs: 500 });
    const record = sampleRecord();
    await store.create(record, 60_000);
    await own.kill();
    const started = Date.now();
    const error: unknown = await store.get(record.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayError);
    expect((error as RelayError).status).toBe(503);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as RelayError).code).toBe(storeUnavailableCode);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(JSON.stringify({ m: (error as Error).message, d: (error as RelayError).detail })).not.toMatch(/hunter2|127\.0\.0\.1/);
    await own.restart();
    await expect.poll(() => store.acquire('after', 60_000).catch(() => 'down'), { timeout: 5000 }).toBe(true);
    await store.close();
    await own.stop();
  });

  it('answers a 503 instead of hanging when Redis stops answering', async () => {
    const own = await startRedisServer();
    const store = new RedisStore({ url: own.url, prefix: prefix(), commandTimeoutMs: 300 });
    await store.acquire('warm', 60_000);
    own.pause();
    const error: unknown = await store.get('x').catch((e: unknown) => e);
    own.resume();
    expect((error as RelayError).status).toBe(503);
    await store.close();
    await own.stop();
  });

  it('reports an unreachable Redis at first use as a 503', async () => {
    const own = await startRedisServer();
    await own.stop();
    const store = new RedisStore({ url: own.url, prefix: prefix(), commandTimeoutMs: 300 });
    const error: unknown = await store.get('x').catch((e: unknown) => e);
    expect((error as RelayError).status).toBe(503);
    await store.close();
  });
});
