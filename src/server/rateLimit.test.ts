import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { toNodeListener } from '../shared/nodeListener.ts';
import { HttpError } from './http.ts';
import { MemoryStore } from './memoryStore.ts';
import { createRateLimiter, rateLimitKey } from './rateLimit.ts';
import type { RelayStore } from './store.ts';

async function refusal(check: Promise<void>): Promise<HttpError | undefined> {
  try {
    await check;
    return undefined;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
}

describe('createRateLimiter', () => {
  it('lets `limit` creations through per key and window, then answers 429 with Retry-After', async () => {
    const clock = { now: 1_000_000 };
    const store = new MemoryStore({ now: () => clock.now });
    const limiter = createRateLimiter(store, { limit: 3, windowMs: 10_000 });
    for (let i = 0; i < 3; i += 1) expect(await refusal(limiter.check('a'))).toBeUndefined();
    clock.now += 2_500;
    const refused = await refusal(limiter.check('a'));
    expect(refused?.status).toBe(429);
    expect(refused?.headers['retry-after']).toBe('8');
    expect(await refusal(limiter.check('b'))).toBeUndefined();
    clock.now += 7_500;
    expect(await refusal(limiter.check('a'))).toBeUndefined();
    await store.close();
  });

  it('counts in a per-process fallback, and says so once, for a store without increment', async () => {
    const inner = new MemoryStore();
    const bare: RelayStore = { get: (id) => inner.get(id), create: (r, t) => inner.create(r, t), compareAndSet: (r, v, t) => inner.compareAndSet(r, v, t), acquire: (k, t) => inner.acquire(k, t), release: (k) => inner.release(k), pushRefund: (c, t, ttl) => inner.pushRefund(c, t, ttl), popRefund: (c) => inner.popRefund(c) };
    let told = 0;
    const limiter = createRateLimiter(bare, { limit: 1 }, () => { told += 1; });
    expect(await refusal(limiter.check('a'))).toBeUndefined();
    expect((await refusal(limiter.check('a')))?.status).toBe(429);
    expect(told).toBe(1);
    await limiter.close();
    await inner.close();
  });

  it('refuses limits that are not positive integers', () => {
    const store = new MemoryStore();
    for (const options of [{ limit: 0 }, { limit: 1.5 }, { windowMs: 0 }, { windowMs: Number.NaN }]) expect(() => createRateLimiter(store, options)).toThrow(RangeError);
    void store.close();
  });
});

describe('rateLimitKey', () => {
  it('counts by subject when there is one, else by address; both hashed', () => {
    const request = new Request('http://app.test/');
    const bySubject = rateLimitKey(request, { subject: 'user:ada', clientAddress: () => '203.0.113.9' });
    expect(bySubject.addressKnown).toBe(true);
    expect(bySubject.key).not.toContain('ada');
    expect(rateLimitKey(request, { subject: 'user:ada' }).key).toBe(bySubject.key);
    const byAddress = rateLimitKey(request, { clientAddress: () => '203.0.113.9' });
    expect(byAddress.key).not.toBe(bySubject.key);
    expect(byAddress.key).not.toContain('203');
    expect(rateLimitKey(request, { clientAddress: () => '203.0.113.10' }).key).not.toBe(byAddress.key);
    expect(rateLimitKey(request, {})).toEqual({ key: rateLimitKey(request, { clientAddress: () => undefined }).key, addressKnown: false });
  });

  it("reads the socket's peer address of a request that came through toNodeListener", async () => {
    const seen: { key: string; addressKnown: boolean }[] = [];
    const server = createServer(toNodeListener(async (request) => {
      seen.push(rateLimitKey(request, {}));
      return new Response(null, { status: 204 });
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await fetch(`http://127.0.0.1:${String(port)}/`);
    } finally {
      server.closeAllConnections();
      server.close();
    }
    expect(seen[0]?.addressKnown).toBe(true);
    expect(seen[0]?.key).toBe(rateLimitKey(new Request('http://x/'), { clientAddress: () => '127.0.0.1' }).key);
  });
});
