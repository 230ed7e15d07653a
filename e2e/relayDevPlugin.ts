import type { Plugin } from 'vite';
import { createEmulatorHandler } from '../src/emulator/index.ts';
import { toNodeListener } from '../src/shared/nodeListener.ts';

/** Mounts /healthz (and, once built, the emulator and the relay handler) on the Vite dev server. */
export function relayDevPlugin(): Plugin {
  return {
    name: 'relay-dev',
    configureServer(server) {
      server.middlewares.use('/healthz', (_req, res) => {
        res.end('ok');
      });
      // The Persona Relay emulator on the same origin, with test control (e2e/emulator-inquiry.spec.ts).
      server.middlewares.use('/persona', toNodeListener(createEmulatorHandler({ basePath: '/persona', control: true })));
    },
  };
}
