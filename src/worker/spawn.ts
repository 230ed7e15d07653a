/**
 * Starts the kit's module worker. Written exactly as `new Worker(new URL('./relay.worker.…',
 * import.meta.url), { type: 'module' })` because that is the one shape Vite, webpack 5, Turbopack,
 * Rspack and Parcel all detect: they emit the worker as a same-origin chunk of the app, which a
 * strict `worker-src 'self'` CSP allows. The library build (scripts/libBuild.ts) keeps this
 * expression verbatim in dist, pointing at the separately minified `relay.worker.js`.
 */
export function spawnRelayWorker(): Worker {
  return new Worker(new URL('./relay.worker.ts', import.meta.url), { type: 'module' });
}
