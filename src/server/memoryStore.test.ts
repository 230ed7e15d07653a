import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from './memoryStore.ts';
import type { SessionRecord } from './store.ts';

function record(id: string): SessionRecord {
  return { id, claimType: 'age_over_18_germany', relayToken: 'rt', relaySecret: 'rs', sessionAccessToken: 'sat', createdAt: 0, expiresAt: 1, status: 'inquiry', issued: 0, version: 0 };
}

/** A store on a clock the test moves. */
function clocked() {
  const clock = { now: 1_000_000 };
  return { clock, store: new MemoryStore({ now: () => clock.now }) };
}

describe('MemoryStore TTLs', () => {
  it('forgets a session at its TTL and lets the id be created again', async () => {
    const { clock, store } = clocked();
    expect(await store.create(record('a'), 1_000)).toBe(true);
    clock.now += 999;
    expect((await store.get('a'))?.id).toBe('a');
    expect(await store.create(record('a'), 1_000)).toBe(false);
    clock.now += 1;
    expect(await store.get('a')).toBeUndefined();
    expect(await store.compareAndSet({ ...record('a'), version: 1 }, 0, 1_000)).toBe(false);
    expect(await store.create(record('a'), 1_000)).toBe(true);
    await store.close();
  });

  it('renews the TTL on every compare-and-set', async () => {
    const { clock, store } = clocked();
    await store.create(record('b'), 1_000);
    clock.now += 900;
    expect(await store.compareAndSet({ ...record('b'), version: 1 }, 0, 1_000)).toBe(true);
    clock.now += 900;
    expect((await store.get('b'))?.version).toBe(1);
    await store.close();
  });

  it('hands back copies, so a caller cannot change the stored record behind compare-and-set', async () => {
    const { store } = clocked();
    await store.create(record('c'), 1_000);
    const copy = await store.get('c');
    if (!copy) throw new Error('missing');
    copy.status = 'passed';
    expect((await store.get('c'))?.status).toBe('inquiry');
    await store.close();
  });

  it('frees a lock at its TTL or on release', async () => {
    const { clock, store } = clocked();
    expect(await store.acquire('redeem:x', 500)).toBe(true);
    expect(await store.acquire('redeem:x', 500)).toBe(false);
    clock.now += 500;
    expect(await store.acquire('redeem:x', 500)).toBe(true);
    await store.release('redeem:x');
    expect(await store.acquire('redeem:x', 500)).toBe(true);
    await store.close();
  });

  it('hands out refunded tokens first in, first out, per claim type, skipping expired ones', async () => {
    const { clock, store } = clocked();
    await store.pushRefund('de', 'old', 100);
    await store.pushRefund('de', 'mid', 1_000);
    await store.pushRefund('fr', 'french', 1_000);
    await store.pushRefund('de', 'new', 1_000);
    clock.now += 100;
    expect(await store.popRefund('de')).toBe('mid');
    expect(await store.popRefund('de')).toBe('new');
    expect(await store.popRefund('de')).toBeUndefined();
    expect(await store.popRefund('fr')).toBe('french');
    await store.close();
  });

  it('sweeps expired sessions, locks and refunds out of memory', async () => {
    const { clock, store } = clocked();
    for (let i = 0; i < 50; i += 1) await store.create(record(`s${String(i)}`), i < 40 ? 1_000 : 10_000);
    await store.pushRefund('de', 't', 1_000);
    expect(store.size).toBe(50);
    clock.now += 1_000;
    store.sweep();
    expect(store.size).toBe(10);
    expect(await store.popRefund('de')).toBeUndefined();
    await store.close();
  });

  it('sweeps on its own timer', async () => {
    vi.useFakeTimers();
    try {
      const clock = { now: 0 };
      const store = new MemoryStore({ now: () => clock.now, sweepIntervalMs: 10 });
      await store.create(record('d'), 5);
      clock.now = 5;
      // Nothing but the store's own interval can remove the record: one tick short of it, it is still there.
      await vi.advanceTimersByTimeAsync(9);
      expect(store.size).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(store.size).toBe(0);
      await store.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('MemoryStore maxSessions', () => {
  it('refuses a session past maxSessions with a store-unavailable error, after sweeping expired ones', async () => {
    const clock = { now: 1_000_000 };
    const store = new MemoryStore({ now: () => clock.now, maxSessions: 2 });
    expect(await store.create(record('a'), 1_000)).toBe(true);
    expect(await store.create(record('b'), 5_000)).toBe(true);
    await expect(store.create(record('c'), 1_000)).rejects.toMatchObject({ code: 'store-unavailable', status: 503 });
    expect(store.size).toBe(2);
    clock.now += 1_000;
    // 'a' expired: its place is free again.
    expect(await store.create(record('c'), 1_000)).toBe(true);
    expect(store.size).toBe(2);
    expect(() => new MemoryStore({ maxSessions: 0 })).toThrow(RangeError);
    await store.close();
  });
});
