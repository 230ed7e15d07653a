import { RelayError, RelayTimeoutError } from '../wire/errors.ts';
import type { BackendTarget } from '../wire/request.ts';
import { deserializeError, parseWorkerResponse, type WorkerRequest } from './protocol.ts';
import { spawnRelayWorker } from './spawn.ts';

/** Options of `createWorkerClient`. */
export interface WorkerClientOptions {
  /** Per token; default 30 s. */
  timeoutMs?: number;
  /** Injected where the kit's own worker cannot be used (another bundler, tests). */
  createWorker?: () => Worker;
}

/** What the worker needs to make a token: the backend (its `baseUrl` already absolute) and the issuer to expect. */
export type WorkerTokenTarget = Omit<BackendTarget, 'fetch'> & { expectedIssuer?: string };

/** Promise-shaped calls into the relay worker. */
export interface WorkerClient {
  /** A token made by the worker for `sessionId`. */
  requestToken(target: WorkerTokenTarget, sessionId: string, signal?: AbortSignal): Promise<string>;
  /** Stops the worker and rejects what is pending; the next request starts a new one. */
  terminate(): void;
}

interface Pending {
  resolve: (token: string) => void;
  reject: (error: Error) => void;
}

// An abort reason may be any value; promises here always reject with an Error.
const abortError = (reason: unknown): Error => (reason instanceof Error ? reason : new DOMException('The request was aborted', 'AbortError'));

/**
 * Wraps the relay worker in promises with request ids, timeouts and cancellation. The worker is
 * created on first use and cached; a worker that failed to start is dropped, so a retry really retries.
 */
export function createWorkerClient(options: WorkerClientOptions = {}): WorkerClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pending = new Map<number, Pending>();
  let worker: Worker | undefined;
  let nextId = 1;

  const rejectAll = (error: Error): void => {
    const entries = [...pending.values()];
    pending.clear();
    for (const entry of entries) entry.reject(error);
  };

  const drop = (target: Worker, error: Error): void => {
    target.terminate();
    if (worker === target) worker = undefined;
    rejectAll(error);
  };

  const getWorker = (): Worker => {
    if (worker) return worker;
    let created: Worker;
    try {
      created = (options.createWorker ?? spawnRelayWorker)();
    } catch (cause) {
      // A CSP without worker-src, or a blocked script URL: nothing is cached, the next call tries again.
      throw new RelayError({ title: 'The relay worker could not be started', code: 'worker-start', cause });
    }
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
      drop(created, new RelayError({ title: 'The relay worker failed', detail: event.message || 'the worker script did not load', code: 'worker-error' }));
    };
    created.onmessageerror = () => {
      drop(created, new RelayError({ title: 'The relay worker sent a message that could not be read', code: 'worker-error' }));
    };
    worker = created;
    return created;
  };

  return {
    requestToken(target, sessionId, signal) {
      if (signal?.aborted) return Promise.reject(abortError(signal.reason));
      let current: Worker;
      try {
        current = getWorker();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        const settle = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          pending.delete(id);
        };
        const giveUp = (error: Error): void => {
          settle();
          current.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
          reject(error);
        };
        const onAbort = (): void => {
          giveUp(abortError(signal?.reason));
        };
        const timer = setTimeout(() => {
          giveUp(new RelayTimeoutError({ title: 'The Privacy Pass token took too long', detail: `${String(timeoutMs)} ms` }));
        }, timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, {
          resolve: (token) => {
            settle();
            resolve(token);
          },
          reject: (error) => {
            settle();
            reject(error);
          },
        });
        const { baseUrl, headers, credentials, timeoutMs: requestTimeoutMs, expectedIssuer } = target;
        current.postMessage({ type: 'token', id, baseUrl, sessionId, headers, credentials, timeoutMs: requestTimeoutMs, expectedIssuer } satisfies WorkerRequest);
      });
    },
    terminate() {
      const current = worker;
      worker = undefined;
      current?.terminate();
      rejectAll(new DOMException('The relay worker was stopped', 'AbortError'));
    },
  };
}
