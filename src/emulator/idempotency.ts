/** A stored answer, replayed byte for byte. */
export interface StoredResponse {
  status: number;
  body: string;
  headers: [string, string][];
}

const replayWindowMs = 24 * 60 * 60 * 1000;

/**
 * Idempotency-Key records: calls with one key run one after another, a stored success is replayed
 * for 24 hours, and the same key with a different request is a conflict.
 */
export function createIdempotencyStore(now: () => number) {
  const records = new Map<string, { fingerprint: string; at: number; response: StoredResponse }>();
  const queues = new Map<string, Promise<unknown>>();

  return {
    /** Runs `work` alone for this key; `work` sees what is stored (if anything, and still fresh). */
    async serialise<T>(key: string, work: () => Promise<T>): Promise<T> {
      const previous = queues.get(key) ?? Promise.resolve();
      const run = previous.then(work, work);
      const tail = run.catch(() => undefined);
      queues.set(key, tail);
      try {
        return await run;
      } finally {
        if (queues.get(key) === tail) queues.delete(key);
      }
    },
    lookup(key: string): { fingerprint: string; response: StoredResponse } | undefined {
      const record = records.get(key);
      if (!record) return undefined;
      if (now() - record.at >= replayWindowMs) {
        records.delete(key);
        return undefined;
      }
      return record;
    },
    store(key: string, fingerprint: string, response: StoredResponse): void {
      records.set(key, { fingerprint, at: now(), response });
    },
    reset(): void {
      records.clear();
    },
  };
}
