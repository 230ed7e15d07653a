import type { RelayClient } from '../wire/client.ts';
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
 * Makes tokens on the calling thread: the fallback where there is no `Worker` or `fetch` was injected.
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

/** The worker where the platform has one and `fetch` was not injected; in-thread otherwise. */
export function createDefaultTokenSource(client: RelayClient, checks: TokenCheckOptions = {}): TokenSource {
  if (typeof Worker === 'undefined' || client.options.fetch) return createInThreadTokenSource(client, checks);
  return createWorkerTokenSource({ client, ...checks });
}
