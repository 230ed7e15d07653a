import { afterEach, describe, expect, it } from 'vitest';
import type { RelayStore, SessionRecord } from '../../src/server/store.ts';

/** Makes a fresh, empty store for one test; `close()` is called after it. */
export type StoreFactory = () => RelayStore | Promise<RelayStore>;

/** A plausible session record for store tests; fields can be overridden. */
export function sampleRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    id: `s_${Math.random().toString(36).slice(2)}`,
    claimType: 'age_over_18_germany',
    relayToken: 'rt_sample',
    relaySecret: 'rs_sample_secret',
    sessionAccessToken: 'eyJ.sample.jwt',
    createdAt: now,
    expiresAt: now + 30 * 60_000,
    status: 'inquiry',
    issued: 0,
    version: 1,
    ...overrides,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const long = 60_000;

/**
 * The RelayStore contract as tests: every store (MemoryStore, RedisStore, an app's own) must pass it,
 * so the handler can rely on the same atomicity whichever store it is given.
 */
export function runStoreSuite(name: string, factory: StoreFactory): void {
  describe(`RelayStore contract: ${name}`, () => {
    let opened: RelayStore[] = [];
    const open = async (): Promise<RelayStore> => {
      const store = await factory();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.map((s) => s.close?.() ?? Promise.resolve()));
      opened = [];
    });

    it('answers undefined for an unknown id', async () => {
      const store = await open();
      expect(await store.get('nope')).toBeUndefined();
    });

    it('round-trips a record, claim and error included', async () => {
      const store = await open();
      const record = sampleRecord({
        status: 'failed',
        claim: { claimType: 'age_over_18_germany', claimResult: 'failed', methodology: [{ method: 'id', result: 'failed' }] },
        error: { status: 502, title: 'Upstream', detail: 'x', requestId: 'req_1' },
        notified: true,
      });
      expect(await store.create(record, long)).toBe(true);
      expect(await store.get(record.id)).toEqual(record);
    });

    it('refuses to create an id twice and keeps the first record', async () => {
      const store = await open();
      const first = sampleRecord();
      expect(await store.create(first, long)).toBe(true);
      expect(await store.create({ ...first, relayToken: 'rt_other' }, long)).toBe(false);
      expect((await store.get(first.id))?.relayToken).toBe('rt_sample');
    });

    it('gives the caller a copy: mutating it does not change the store', async () => {
      const store = await open();
      const record = sampleRecord();
      await store.create(record, long);
      record.status = 'passed';
      const read = await store.get(record.id);
      expect(read?.status).toBe('inquiry');
      if (read) read.status = 'error';
      expect((await store.get(record.id))?.status).toBe('inquiry');
    });

    it('compareAndSet writes on the expected version only', async () => {
      const store = await open();
      const record = sampleRecord();
      await store.create(record, long);
      const next = { ...record, status: 'redeeming' as const, version: 2 };
      expect(await store.compareAndSet(next, 1, long)).toBe(true);
      expect(await store.get(record.id)).toEqual(next);
      expect(await store.compareAndSet({ ...record, status: 'error', version: 2 }, 1, long)).toBe(false);
      expect((await store.get(record.id))?.status).toBe('redeeming');
    });

    it('compareAndSet on an unknown id writes nothing', async () => {
      const store = await open();
      const ghost = sampleRecord();
      expect(await store.compareAndSet({ ...ghost, version: 2 }, 1, long)).toBe(false);
      expect(await store.get(ghost.id)).toBeUndefined();
    });

    it('lets exactly one of 50 concurrent compareAndSet calls win', async () => {
      const store = await open();
      const record = sampleRecord();
      await store.create(record, long);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.compareAndSet({ ...record, relayToken: `w${String(i)}`, version: 2 }, 1, long)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await store.get(record.id))?.relayToken).toBe(`w${String(winner)}`);
    });

    it('forgets a record after its TTL, and compareAndSet sets a new TTL', async () => {
      const store = await open();
      const short = sampleRecord();
      await store.create(short, 80);
      const renewed = sampleRecord();
      await store.create(renewed, 80);
      await store.compareAndSet({ ...renewed, version: 2 }, 1, long);
      await sleep(200);
      expect(await store.get(short.id)).toBeUndefined();
      expect((await store.get(renewed.id))?.version).toBe(2);
    });

    it('keeps ids with path tricks, separators and unicode apart', async () => {
      const store = await open();
      const ids = ['a', 'a:b', '../a', '%2e%2e/a', 'lock:a', 'refunds:a', 'a\u0000b', 'ä', '*', ''];
      for (const [i, id] of ids.entries()) {
        expect(await store.create(sampleRecord({ id, relayToken: `t${String(i)}` }), long)).toBe(true);
      }
      for (const [i, id] of ids.entries()) {
        expect((await store.get(id))?.relayToken).toBe(`t${String(i)}`);
      }
    });

    it('gives a lock to exactly one of 50 concurrent callers, again after release', async () => {
      const store = await open();
      const first = await Promise.all(Array.from({ length: 50 }, () => store.acquire('redeem:s1', long)));
      expect(first.filter(Boolean)).toHaveLength(1);
      expect(await store.acquire('redeem:s1', long)).toBe(false);
      expect(await store.acquire('redeem:s2', long)).toBe(true);
      await store.release('redeem:s1');
      const second = await Promise.all(Array.from({ length: 50 }, () => store.acquire('redeem:s1', long)));
      expect(second.filter(Boolean)).toHaveLength(1);
    });

    it('frees a lock once its TTL has passed', async () => {
      const store = await open();
      expect(await store.acquire('k', 80)).toBe(true);
      expect(await store.acquire('k', 80)).toBe(false);
      await sleep(200);
      expect(await store.acquire('k', 80)).toBe(true);
    });

    it('hands out each refunded token once, per claim type', async () => {
      const store = await open();
      await store.pushRefund('age_over_18_germany', 'tokA', long);
      await store.pushRefund('age_over_18_germany', 'tokB', long);
      await store.pushRefund('age_over_21_us', 'tokC', long);
      const popped = [await store.popRefund('age_over_18_germany'), await store.popRefund('age_over_18_germany')];
      expect(popped.sort()).toEqual(['tokA', 'tokB']);
      expect(await store.popRefund('age_over_18_germany')).toBeUndefined();
      expect(await store.popRefund('age_over_21_us')).toBe('tokC');
      expect(await store.popRefund('unknown_type')).toBeUndefined();
    });

    it('never gives one refunded token to two of 60 concurrent callers', async () => {
      const store = await open();
      const tokens = Array.from({ length: 20 }, (_, i) => `tok${String(i)}`);
      for (const t of tokens) await store.pushRefund('t', t, long);
      const popped = await Promise.all(Array.from({ length: 60 }, () => store.popRefund('t')));
      const got = popped.filter((t): t is string => t !== undefined);
      expect(got.sort()).toEqual([...tokens].sort());
    });

    it('counts hits per key in a window that the first hit opens, then starts again', async (context) => {
      const store = await open();
      if (!store.increment) {
        context.skip();
        return;
      }
      const first = await store.increment('create:a', 150);
      expect(first.count).toBe(1);
      expect(first.resetInMs).toBeGreaterThan(0);
      expect(first.resetInMs).toBeLessThanOrEqual(150);
      expect((await store.increment('create:a', 150)).count).toBe(2);
      expect((await store.increment('create:b', 150)).count).toBe(1);
      const third = await store.increment('create:a', 150);
      expect(third.count).toBe(3);
      // The window is the first hit's: later hits do not push it out.
      expect(third.resetInMs).toBeLessThanOrEqual(first.resetInMs);
      await sleep(250);
      expect((await store.increment('create:a', 150)).count).toBe(1);
    });

    it('never loses a hit among 100 concurrent increments', async (context) => {
      const store = await open();
      if (!store.increment) {
        context.skip();
        return;
      }
      const increment = store.increment.bind(store);
      const counts = await Promise.all(Array.from({ length: 100 }, () => increment('burst', long)));
      expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    });

    it('drops a refunded token after its TTL, keeping fresher ones', async () => {
      const store = await open();
      await store.pushRefund('t', 'old', 80);
      await store.pushRefund('t', 'fresh', long);
      await sleep(200);
      expect(await store.popRefund('t')).toBe('fresh');
      expect(await store.popRefund('t')).toBeUndefined();
    });
  });
}
