import type { Plugin } from 'vite';

/** Mounts /healthz (and, once built, the emulator and the relay handler) on the Vite dev server. */
export function relayDevPlugin(): Plugin {
  return {
    name: 'relay-dev',
    configureServer(server) {
      server.middlewares.use('/healthz', (_req, res) => {
        res.end('ok');
      });
    },
  };
}
