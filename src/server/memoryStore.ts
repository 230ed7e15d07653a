import { StoreUnavailableError, type RateWindow, type RelayStore, type SessionRecord } from './store.ts';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/** Options of `MemoryStore`. */
export interface MemoryStoreOptions {
  /** Injected clock (ms since epoch). */
  now?: () => number;
  /** How often expired entries are swept; default 60 s. The timer never keeps the process alive. */
  sweepIntervalMs?: number;
  /**
   * Most sessions held at once; default 100 000. Past it, creating a session fails (the handler answers
   * 503) instead of letting a flood of sessions grow the process until it dies.
   */
  maxSessions?: number;
}

/**
 * The default `RelayStore`: one process, in memory, with TTLs. Every method is atomic because it
 * runs to completion on one thread. Use `RedisStore` when several app instances share sessions.
 */
export class MemoryStore implements RelayStore {
  readonly #sessions = new Map<string, Entry<SessionRecord>>();
  readonly #locks = new Map<string, { until: number; owner: string | undefined }>();
  readonly #pending = new Map<string, number>();
  readonly #refunds = new Map<string, Entry<string>[]>();
  readonly #counters = new Map<string, Entry<number>>();
  readonly #maxSessions: number;
  readonly #now: () => number;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxSessions = options.maxSessions ?? 100_000;
    if (!(this.#maxSessions >= 1)) throw new RangeError('maxSessions must be at least 1');
    this.#timer = setInterval(() => {
      this.sweep();
    }, options.sweepIntervalMs ?? 60_000);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  // Reads and writes below never await in between, which is what makes each method atomic.
  #live(id: string): SessionRecord | undefined {
    const entry = this.#sessions.get(id);
    return entry && entry.expiresAt > this.#now() ? entry.value : undefined;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const record = this.#live(id);
    return record && structuredClone(record);
  }

  async create(record: SessionRecord, ttlMs: number): Promise<boolean> {
    if (this.#live(record.id)) return false;
    if (this.#sessions.size >= this.#maxSessions) this.sweep();
    if (this.#sessions.size >= this.#maxSessions) {
      throw new StoreUnavailableError(`MemoryStore holds its maximum of ${String(this.#maxSessions)} sessions`);
    }
    this.#sessions.set(record.id, { value: structuredClone(record), expiresAt: this.#now() + ttlMs });
    return true;
  }

  async compareAndSet(next: SessionRecord, expectedVersion: number, ttlMs: number): Promise<boolean> {
    if (this.#live(next.id)?.version !== expectedVersion) return false;
    this.#sessions.set(next.id, { value: structuredClone(next), expiresAt: this.#now() + ttlMs });
    return true;
  }

  async acquire(key: string, ttlMs: number, owner?: string): Promise<boolean> {
    const lock = this.#locks.get(key);
    if (lock !== undefined && lock.until > this.#now()) return false;
    this.#locks.set(key, { until: this.#now() + ttlMs, owner });
    return true;
  }

  async release(key: string, owner?: string): Promise<void> {
    if (owner === undefined || this.#locks.get(key)?.owner === owner) this.#locks.delete(key);
  }

  async renew(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const lock = this.#locks.get(key);
    if (!lock || lock.owner !== owner || lock.until <= this.#now()) return false;
    lock.until = this.#now() + ttlMs;
    return true;
  }

  async addPending(id: string, untilMs: number): Promise<void> {
    this.#pending.set(id, Math.max(untilMs, this.#pending.get(id) ?? 0));
  }

  async listPending(limit: number): Promise<string[]> {
    const now = this.#now();
    const ids: string[] = [];
    for (const [id, until] of this.#pending) {
      if (until <= now) this.#pending.delete(id);
      else if (ids.length < limit) ids.push(id);
    }
    return ids;
  }

  async removePending(id: string): Promise<void> {
    this.#pending.delete(id);
  }

  async pushRefund(claimType: string, token: string, ttlMs: number): Promise<void> {
    const list = this.#refunds.get(claimType) ?? [];
    list.push({ value: token, expiresAt: this.#now() + ttlMs });
    this.#refunds.set(claimType, list);
  }

  async popRefund(claimType: string): Promise<string | undefined> {
    const list = this.#refunds.get(claimType);
    while (list && list.length > 0) {
      const entry = list.shift();
      if (entry && entry.expiresAt > this.#now()) return entry.value;
    }
    return undefined;
  }

  async increment(key: string, windowMs: number): Promise<RateWindow> {
    const now = this.#now();
    const entry = this.#counters.get(key);
    if (!entry || entry.expiresAt <= now) {
      this.#counters.set(key, { value: 1, expiresAt: now + windowMs });
      return { count: 1, resetInMs: windowMs };
    }
    entry.value += 1;
    return { count: entry.value, resetInMs: entry.expiresAt - now };
  }

  /** Drops everything past its TTL (also done on a timer). */
  sweep(): void {
    const now = this.#now();
    for (const [id, entry] of this.#sessions) if (entry.expiresAt <= now) this.#sessions.delete(id);
    for (const [key, lock] of this.#locks) if (lock.until <= now) this.#locks.delete(key);
    for (const [id, until] of this.#pending) if (until <= now) this.#pending.delete(id);
    for (const [key, entry] of this.#counters) if (entry.expiresAt <= now) this.#counters.delete(key);
    for (const [claimType, list] of this.#refunds) {
      const live = list.filter((entry) => entry.expiresAt > now);
      if (live.length === 0) this.#refunds.delete(claimType);
      else this.#refunds.set(claimType, live);
    }
  }

  /** How many sessions are held (for memory checks in load tests). */
  get size(): number {
    return this.#sessions.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
  }
}
