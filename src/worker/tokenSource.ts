import type { RelayClient } from '../core/client.ts';
import { RelayTimeoutError } from '../core/errors.ts';
import { obtainToken } from './obtainToken.ts';
import { deserializeError, parseWorkerResponse, type WorkerRequest } from './protocol.ts';

/** Where a `RelayFlow` gets its Privacy Pass tokens (base64url) from. */
export interface TokenSource {
  obtain(sessionId: string, signal?: AbortSignal): Promise<string>;
  /** Stops all work and frees the worker, if any. */
  dispose(): void;
}

/** Makes tokens on the calling thread: the fallback where there is no `Worker` or `fetch` was injected. */
export function createInThreadTokenSource(client: RelayClient): TokenSource {
  return {
    obtain: (sessionId, signal) => obtainToken(client, sessionId, { signal }),
    dispose() {
      // Nothing is held between calls.
    },
  };
}

/** Options of `createWorkerTokenSource`. */
export interface WorkerTokenSourceOptions {
  client: RelayClient;
  /** Per token; default 30 s. */
  timeoutMs?: number;
  /** Injected in tests; by default the kit's own module worker. */
  createWorker?: () => Worker;
}

function spawnRelayWorker(): Worker {
  return new Worker(new URL('./relay.worker.ts', import.meta.url), { type: 'module', name: 'relay-claim-kit' });
}

function absoluteBaseUrl(baseUrl: string): string {
  // The worker's own URL is the chunk's, so relative backend URLs must be resolved here.
  const documentUrl = (globalThis as { document?: { baseURI?: string } }).document?.baseURI;
  return new URL(baseUrl, documentUrl).href.replace(/\/+$/, '');
}

/**
 * Makes tokens in a module Web Worker so no crypto or network work lands on the main thread.
 * The worker is created on first use, and again after a failed start, so a retry really retries.
 */
export function createWorkerTokenSource(options: WorkerTokenSourceOptions): TokenSource {
  const { client } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pending = new Map<number, { resolve: (token: string) => void; reject: (error: Error) => void }>();
  let worker: Worker | undefined;
  let nextId = 1;

  const failAll = (error: Error): void => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };

  const getWorker = (): Worker => {
    if (worker) return worker;
    const created = (options.createWorker ?? spawnRelayWorker)();
    created.onmessage = (event: MessageEvent) => {
      const response = parseWorkerResponse(event.data);
      const entry = response && pending.get(response.id);
      if (!response || !entry) return;
      pending.delete(response.id);
      if (response.type === 'token') entry.resolve(response.token);
      else entry.reject(deserializeError(response.error));
    };
    created.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      created.terminate();
      if (worker === created) worker = undefined;
      failAll(new Error(`the relay worker failed to start: ${event.message || 'script error'}`));
    };
    worker = created;
    return created;
  };

  return {
    obtain(sessionId, signal) {
      signal?.throwIfAborted();
      const id = nextId++;
      const target = getWorker();
      return new Promise<string>((resolve, reject) => {
        const finish = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        };
        const onAbort = (): void => {
          pending.delete(id);
          target.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
          finish();
          reject(signal?.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'));
        };
        const timer = setTimeout(() => {
          pending.delete(id);
          target.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
          finish();
          reject(new RelayTimeoutError({ title: 'The Privacy Pass token took too long', detail: `${timeoutMs} ms` }));
        }, timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, {
          resolve: (token) => {
            finish();
            resolve(token);
          },
          reject: (error) => {
            finish();
            reject(error);
          },
        });
        const { baseUrl, headers, credentials, timeoutMs: requestTimeoutMs } = client.options;
        const request: WorkerRequest = { type: 'token', id, baseUrl: absoluteBaseUrl(baseUrl), sessionId, headers, credentials, timeoutMs: requestTimeoutMs };
        target.postMessage(request);
      });
    },
    dispose() {
      worker?.terminate();
      worker = undefined;
      failAll(new DOMException('The token source was disposed', 'AbortError'));
    },
  };
}

/** The worker where the platform has one and `fetch` was not injected; in-thread otherwise. */
export function createDefaultTokenSource(client: RelayClient): TokenSource {
  if (typeof Worker === 'undefined' || client.options.fetch) return createInThreadTokenSource(client);
  return createWorkerTokenSource({ client });
}
