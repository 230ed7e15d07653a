import { generateKeyPairSync } from 'node:crypto';
import type { Connect, Plugin } from 'vite';
import type { RelayClaim } from '../src/core/types.ts';
import { createEmulatorHandler, defaultClaimTypes } from '../src/emulator/index.ts';
import { createRelayHandler, type RelaySessionView } from '../src/server/index.ts';
import { toNodeListener } from '../src/shared/nodeListener.ts';

/** How the dev server wires the kit: the emulator on the same origin, or a real Persona environment. */
export interface RelayDevOptions {
  /** RSA-OAEP payload encryption (the handler's `encryptionKey`). */
  encrypted?: boolean;
  /** A real Persona environment instead of the emulator. */
  live?: { apiKey: string; baseUrl: string };
  /** Origins the emulator's hosted page may be framed by (its `frame-ancestors`); default: any local port. */
  frameAncestors?: string[];
  /**
   * The handler's `reconcileIntervalMs`: short here so e2e/reconcile.spec.ts sees a closed tab's claim
   * within seconds; `E2E_RECONCILE_MS=0` turns it off (how that spec is shown to fail without it).
   */
  reconcileIntervalMs?: number;
}

/** One claim as the app's server learned it through `onClaim`. */
export interface ServerClaim extends RelayClaim {
  sessionId: string;
  /** Whom the session was made for (here the browser's cookie binding). */
  subject: string;
  at: string;
  /** The payload came RSA-OAEP encrypted and was decrypted by the handler. */
  encrypted: boolean;
}

/** A claim type the kit's label table does not know, configured in the emulator the way Persona would add one. */
export const unknownClaimType = 'age_over_25_mars';
/** A claim type whose issuer key is 4096 bits. */
export const largeKeyClaimType = 'age_over_21_strict';

const cspPages = /^\/flow-csp\//;
/** Nonce of the dev server's own inline preamble (a built app has none). */
export const devCspNonce = 'relay-dev-preamble';
const strictCsp = `default-src 'self'; script-src 'self' 'nonce-${devCspNonce}'; worker-src 'self'; frame-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'`;

/**
 * The relay backend on the Vite dev server: the emulator at `/persona` (control on), the app
 * handler at `/api/relay`, and `/api/demo/*` so the demo can show what the server learned.
 */
export function relayDevPlugin(options: RelayDevOptions = {}): Plugin {
  // The dev server and the preview server of a production build (bench/demo-e2e.bench.ts) mount the same backend.
  const mount = (middlewares: Connect.Server, port: number): void => {
    const origin = `http://127.0.0.1:${port}`;
    const claims: ServerClaim[] = [];
    // The demo's server panel listens here (server-sent events): it learns a claim when onClaim does.
    const listeners = new Set<(list: ServerClaim[]) => void>();
    const claimTypes = {
      ...defaultClaimTypes(),
      // Configured, never coded: a type the kit's label table has never heard of, and a 4096-bit issuer.
      [unknownClaimType]: { label: 'Age 25+ on Mars', methods: ['document_selfie', 'palm_reading'] },
      [largeKeyClaimType]: { label: 'Age 21+ (4096-bit issuer key)', methods: ['document_selfie'], keyBits: 4096 },
    };
    const emulator = createEmulatorHandler({ basePath: '/persona', control: true, claimTypes, ...(options.frameAncestors ? { frameAncestors: options.frameAncestors } : {}) });
    const reconcileIntervalMs = options.reconcileIntervalMs ?? Number(process.env.E2E_RECONCILE_MS ?? 500);
    const handlerFor = (encrypted: boolean) =>
      createRelayHandler({
        apiKey: options.live?.apiKey ?? 'sk_test_emulator',
        personaBaseUrl: options.live?.baseUrl ?? `${origin}/persona`,
        basePath: encrypted ? '/api/relay-encrypted' : '/api/relay',
        claimTypes: Object.keys(claimTypes),
        // The e2e suites and benches start many verifications from one address; the default is 10 a minute.
        rateLimit: { limit: 600, windowMs: 60_000 },
        // Sessions whose tab closed after the inquiry finished are redeemed by the server itself.
        ...(reconcileIntervalMs > 0 ? { reconcileIntervalMs } : {}),
        encryptionKey: encrypted ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : undefined,
        onClaim: (session: RelaySessionView, claim: RelayClaim) => {
          claims.unshift({ sessionId: session.sessionId, subject: session.subject, ...claim, at: new Date().toISOString(), encrypted });
          for (const listener of listeners) listener(claims);
        },
      });
    const relay = handlerFor(Boolean(options.encrypted));
    const encryptedRelay = handlerFor(true);
    const demoApi: Connect.NextHandleFunction = (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'no-store');
      if (req.url?.startsWith('/config')) {
        const types = Object.keys(claimTypes).filter((t) => !/^age_over\d/.test(t));
        res.end(JSON.stringify({ claimTypes: types, emulatorUrl: '/persona', encrypted: Boolean(options.encrypted), persona: options.live ? 'live' : 'emulator' }));
      } else if (req.url?.startsWith('/server-view')) {
        res.end(JSON.stringify(claims));
      } else if (req.url?.startsWith('/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        const send = (list: ServerClaim[]) => res.write(`data: ${JSON.stringify(list)}\n\n`);
        send(claims);
        listeners.add(send);
        req.on('close', () => listeners.delete(send));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    };
    middlewares.use('/healthz', (_req, res) => {
      res.end('ok');
    });
    middlewares.use((req, res, next) => {
      if (cspPages.test(req.url ?? '')) res.setHeader('content-security-policy', strictCsp);
      next();
    });
    middlewares.use('/persona', toNodeListener(emulator));
    middlewares.use('/api/demo', demoApi);
    middlewares.use('/api/relay-encrypted', toNodeListener(encryptedRelay));
    middlewares.use('/api/relay', toNodeListener(relay));
  };
  return {
    name: 'relay-dev',
    configureServer(server) {
      mount(server.middlewares, server.config.server.port ?? 5173);
    },
    configurePreviewServer(server) {
      mount(server.middlewares, server.config.preview.port ?? 4173);
    },
  };
}
