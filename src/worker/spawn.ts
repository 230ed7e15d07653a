/** Starts the relay worker as its own module chunk. */
export function spawnRelayWorker(): Worker {
  return new Worker(new URL('./relay.worker.ts', import.meta.url), { type: 'module', name: 'relay-claim-kit' });
}
