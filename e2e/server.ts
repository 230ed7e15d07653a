/**
 * The Playwright fixture server: Vite in dev mode over e2e/app, with the relay middleware
 * (emulator + app-backend handler) mounted on the same origin, as an app would.
 */
import { parseArgs } from 'node:util';
import react from '@vitejs/plugin-react';
import { createServer } from 'vite';
import { devCspNonce, relayDevPlugin } from './relayDevPlugin.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '5174' } } });
const port = Number(values.port);

const server = await createServer({
  configFile: false,
  root: new URL('./app/', import.meta.url).pathname,
  plugins: [react(), relayDevPlugin()],
  server: {
    port,
    host: '127.0.0.1',
    strictPort: true,
    // The fixtures import the kit from src/ and the RFC vectors from test/vectors.
    fs: { allow: [new URL('../', import.meta.url).pathname] },
  },
  // Vite's dev preamble is an inline script; a nonce lets the strict-CSP pages allow it and nothing else.
  html: { cspNonce: devCspNonce },
  // Pre-bundled at start: a dependency discovered on first load would make Vite reload the page mid-flow.
  optimizeDeps: { include: ['react', 'react-dom', 'react-dom/client', 'react/jsx-dev-runtime', '@tanstack/react-query'] },
  logLevel: 'warn',
});
await server.listen();
console.log(`e2e fixture server on http://127.0.0.1:${port}`);

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
