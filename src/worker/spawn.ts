/**
 * Starts the kit's module worker. Written as `new Worker(new URL(…, import.meta.url))` so bundlers
 * emit the worker as its own same-origin chunk, which a strict `worker-src 'self'` CSP allows.
 */
export function spawnRelayWorker(): Worker {
  return new Worker(new URL('./relay.worker.ts', import.meta.url), { type: 'module', name: 'relay-claim-kit' });
}
