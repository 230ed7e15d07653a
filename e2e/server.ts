/**
 * The Playwright fixture server: Vite in dev mode over e2e/app, with the relay middleware
 * (emulator + app-backend handler) mounted on the same origin, as an app would.
 * `--build`: the demo page (e2e/app/index.html) as a production build instead, served by Vite's preview
 * server with the same middleware: what bench/demo-e2e.bench.ts times, since an app ships React's
 * production build and no StrictMode double render.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import react from '@vitejs/plugin-react';
import { build, createServer, preview } from 'vite';
import { devCspNonce, relayDevPlugin } from './relayDevPlugin.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '5174' }, build: { type: 'boolean', default: false } } });
const port = Number(values.port);
const root = new URL('./app/', import.meta.url).pathname;

let close: () => Promise<void>;
if (values.build) {
  const outDir = mkdtempSync(join(tmpdir(), 'relay-e2e-build-'));
  await build({ configFile: false, root, plugins: [react()], logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    configFile: false,
    root,
    plugins: [relayDevPlugin()],
    build: { outDir },
    preview: { port, host: '127.0.0.1', strictPort: true },
    logLevel: 'warn',
  });
  close = async () => {
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  };
} else {
  const server = await createServer({
    configFile: false,
    root,
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
  close = () => server.close();
}
console.log(`e2e fixture server on http://127.0.0.1:${String(port)}${values.build ? ' (production build)' : ''}`);

const stop = (): void => {
  void close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
