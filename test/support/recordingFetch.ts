/** A real `fetch` that records every call, for tests that count requests or wait for traffic to stop. */
export interface RecordingFetch {
  /** `METHOD /path` of every call, in order. */
  calls: string[];
  /** The string bodies sent, in order. */
  bodies: string[];
  /** Each call's signal (undefined when none), by the index of its call. */
  signals: (AbortSignal | undefined)[];
  fetchImpl: typeof fetch;
  /** Calls whose `METHOD /path` ends with `suffix`. */
  count(suffix: string): number;
  /** Resolves once every request made so far has its whole answer, or has failed. */
  settled(): Promise<void>;
}

/** Wraps the global fetch; each answer's body is read before it is handed back, so `settled()` means done. */
export function recordingFetch(): RecordingFetch {
  const calls: string[] = [];
  const bodies: string[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const fetchImpl: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`);
    signals.push(init?.signal ?? undefined);
    if (typeof init?.body === 'string') bodies.push(init.body);
    const answer = fetch(input, init).then(async (r) => new Response([101, 204, 205, 304].includes(r.status) ? null : await r.arrayBuffer(), { status: r.status, statusText: r.statusText, headers: r.headers }));
    const tracked = answer.catch(() => undefined);
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    return answer;
  };
  return {
    calls,
    bodies,
    signals,
    fetchImpl,
    count: (suffix) => calls.filter((c) => c.endsWith(suffix)).length,
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
