/**
 * `npm run demo`: the demo app with the app backend and the Persona Relay emulator on one origin.
 *   npm run demo                   → http://127.0.0.1:5173, emulator, plain payloads
 *   npm run demo -- --port 5180    → another port (or PORT=5180); a taken port ends with a one-line message
 *   npm run demo -- --encrypted    → the handler asks Persona for RSA-OAEP encrypted payloads
 *   PERSONA_API_KEY=… PERSONA_BASE_URL=https://withpersona.com npm run demo
 *                                  → the handler talks to a real Persona environment; the page needs Persona's
 *                                    widget then (`import Relay from '@persona/relay'` in e2e/app/demo/App.tsx)
 */
import { parseArgs } from 'node:util';
import react from '@vitejs/plugin-react';
import { createServer } from 'vite';
import { relayDevPlugin } from '../e2e/relayDevPlugin.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '5173' },
    host: { type: 'string', default: '127.0.0.1' },
    encrypted: { type: 'boolean', default: process.env.RELAY_ENCRYPTED === '1' },
  },
});

const { PERSONA_API_KEY: apiKey, PERSONA_BASE_URL: baseUrl } = process.env;
const live = apiKey && baseUrl ? { apiKey, baseUrl } : undefined;
if (apiKey && !live) {
  console.error('PERSONA_API_KEY is set, but PERSONA_BASE_URL is needed too; using the emulator.');
}

const server = await createServer({
  configFile: false,
  root: new URL('../e2e/app/', import.meta.url).pathname,
  // Only the demo's own pages may frame the emulator's hosted page (clickjacking: no other site can).
  plugins: [react(), relayDevPlugin({ encrypted: values.encrypted, live, frameAncestors: [`http://${values.host}:${values.port}`] })],
  server: { port: Number(values.port), host: values.host, strictPort: true, fs: { allow: [new URL('../', import.meta.url).pathname] } },
  // Pre-bundled at start: a dependency discovered on first load would make Vite reload the page mid-flow.
  optimizeDeps: { include: ['react', 'react-dom', 'react-dom/client', 'react/jsx-dev-runtime', '@tanstack/react-query'] },
  logLevel: 'warn',
});
// Node's defaults let a client trickle a request for 300 s; the relay routes' bodies are small.
if (server.httpServer && 'requestTimeout' in server.httpServer) {
  server.httpServer.requestTimeout = 30_000;
  server.httpServer.headersTimeout = 15_000;
}
try {
  await server.listen();
} catch (error) {
  // A taken port is the one start-up failure people hit; say which port and how to pick another. Vite's
  // strictPort reports it as a plain Error ("Port … is already in use"), Node's listen as EADDRINUSE.
  const taken = error instanceof Error && ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' || /already in use/.test(error.message));
  if (taken) {
    console.error(
      `\nPort ${values.port} on ${values.host} is already in use (another demo or dev server?).\n` +
        `Pick another: npm run demo -- --port 5180   (or PORT=5180 npm run demo)\n`,
    );
    await server.close();
    process.exit(1);
  }
  throw error;
}
const url = `http://${values.host}:${values.port}/`;
console.log(`\nrelay-claim-kit demo on ${url}`);
console.log(`  Persona: ${live ? `${live.baseUrl} (live)` : 'local emulator at /persona (no account needed)'}${values.encrypted ? ', encrypted payloads' : ''}`);
console.log('  Ctrl-C stops it.\n');

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
