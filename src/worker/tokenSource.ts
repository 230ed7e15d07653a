import type { RelayClient } from '../wire/client.ts';
import { RelayError } from '../wire/errors.ts';
import { createWorkerClient, type WorkerClientOptions } from './workerClient.ts';

/** Where a `RelayFlow` gets its Privacy Pass tokens from (persona's PrivateToken value, or base64url Token). */
export interface TokenSource {
  obtain(sessionId: string, signal?: AbortSignal): Promise<string>;
  /** Stops all work and frees the worker, if any; a later `obtain` starts afresh. */
  dispose(): void;
}

/** What every token source checks beyond the protocol itself. */
export interface TokenCheckOptions {
  /** The issuer the challenge must name; default: Persona's for the persona profile, no check for rfc9578. */
  expectedIssuer?: string;
}

/**
 * Makes tokens on the calling thread: where there is no `Worker`, the worker could not run, or `worker: false`.
 * The crypto is imported on first use, so pages that have a worker never load it on the main thread.
 */
export function createInThreadTokenSource(client: RelayClient, checks: TokenCheckOptions = {}): TokenSource {
  return {
    async obtain(sessionId, signal) {
      const { obtainToken } = await import('./obtainToken.ts');
      return obtainToken({ ...client.options, ...checks, sessionId, signal });
    },
    dispose() {
      // Nothing is held between calls; the caller's signal stops a call in flight.
    },
  };
}

/** Options of `createWorkerTokenSource`. */
export interface WorkerTokenSourceOptions extends WorkerClientOptions, TokenCheckOptions {
  client: RelayClient;
}

function absoluteBaseUrl(baseUrl: string): string {
  // The worker's own URL is its chunk's, so a relative backend URL must be resolved here.
  const documentUrl = (globalThis as { document?: { baseURI?: string } }).document?.baseURI;
  return new URL(baseUrl, documentUrl).href;
}

/** Makes tokens in a module Web Worker, so no crypto or token fetches land on the main thread. */
export function createWorkerTokenSource(options: WorkerTokenSourceOptions): TokenSource {
  const { client, expectedIssuer } = options;
  const worker = createWorkerClient(options);
  return {
    obtain(sessionId, signal) {
      const { baseUrl, headers, credentials, timeoutMs } = client.options;
      return worker.requestToken({ baseUrl: absoluteBaseUrl(baseUrl), headers, credentials, timeoutMs, expectedIssuer }, sessionId, signal);
    },
    dispose: () => {
      worker.terminate();
    },
  };
}

/** How `createDefaultTokenSource` chooses where tokens are made. */
export interface DefaultTokenSourceOptions extends TokenCheckOptions {
  /**
   * `false`: always on the calling thread. `true`: always in the worker; a worker that cannot start is
   * an error. Default: the worker where the platform has one, and the calling thread (after one console
   * warning) if it cannot be constructed or fails to load, e.g. a bundler that did not emit it.
   */
  worker?: boolean;
  /** Starts the worker yourself (a custom URL, another bundler); implies `worker: true`. */
  createWorker?: () => Worker;
  /** Per token in the worker; default 30 s. */
  timeoutMs?: number;
}

let warnedFallback = false;

// Failures of the worker as a place to run (it never started or its script did not load), as opposed to
// the token exchange failing inside it: only these are worth redoing on the calling thread.
const isWorkerFailure = (error: unknown): boolean => error instanceof RelayError && (error.code === 'worker-start' || error.code === 'worker-error');

/**
 * The kit's worker, falling back once and for good to the calling thread if it cannot run there;
 * `worker: false` or `createWorker` choose explicitly. An injected `fetch` stays on the calling thread
 * (session, redeem, polling); the worker reaches the backend with the client's `headers` and `credentials`.
 */
export function createDefaultTokenSource(client: RelayClient, options: DefaultTokenSourceOptions = {}): TokenSource {
  const { worker: useWorker, createWorker, timeoutMs, ...checks } = options;
  const inThread = createInThreadTokenSource(client, checks);
  if (useWorker === false) return inThread;
  if (createWorker || useWorker === true) return createWorkerTokenSource({ client, ...checks, createWorker, timeoutMs });
  if (typeof Worker === 'undefined') return inThread;
  let current: TokenSource = createWorkerTokenSource({ client, ...checks, timeoutMs });
  let fellBack = false;
  return {
    async obtain(sessionId, signal) {
      if (fellBack) return inThread.obtain(sessionId, signal);
      try {
        return await current.obtain(sessionId, signal);
      } catch (error) {
        if (!isWorkerFailure(error) || signal?.aborted) throw error;
        if (!warnedFallback) {
          warnedFallback = true;
          const reason = error instanceof RelayError ? [error.title, error.detail].filter(Boolean).join(': ') : '';
          console.warn(
            `relay-claim-kit: the Privacy Pass worker could not run (${reason}); making tokens on the main thread instead. ` +
              'Check that your bundler emits relay.worker.js, or pass worker={false} (or createWorker) to choose explicitly.',
          );
        }
        current.dispose();
        current = inThread;
        fellBack = true;
        return inThread.obtain(sessionId, signal);
      }
    },
    dispose() {
      current.dispose();
    },
  };
}
