import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from '../../src/emulator/index.ts';
import { createRelayHandler, type RelayHandler, type RelayHandlerOptions } from '../../src/server/index.ts';
import { testHandlerDefaults } from './handlerDefaults.ts';
import { serveHandler, type ServedHandler } from './relayDriver.ts';

/** The emulator and an app backend, each on its own loopback port, as tests of the browser side need them. */
export interface RelayStack {
  emulator: RunningEmulator;
  handler: RelayHandler;
  backend: ServedHandler;
  /** The backend's relay routes, e.g. `http://127.0.0.1:PORT/api/relay`. */
  baseUrl: string;
  /** The relay token behind a session (tests finish inquiries with it, as the hosted page would). */
  relayTokenOf(sessionAccessToken: string): string;
  close(): Promise<void>;
}

/** Starts the emulator (control on) and `createRelayHandler` pointed at it, over real HTTP. */
export async function startRelayStack(
  options: { emulator?: StartEmulatorOptions; handler?: Partial<RelayHandlerOptions> } = {},
): Promise<RelayStack> {
  const emulator = await startEmulator({ control: true, ...options.emulator });
  const handler = createRelayHandler({
    ...testHandlerDefaults,
    ...(options.emulator?.claimTypes ? { claimTypes: Object.keys(options.emulator.claimTypes) } : {}),
    // Node's fetch keeps no cookies, so these suites' clients could not hold the browser binding: one
    // fixed subject stands in for "the app's logged-in user". The attack suite tests the binding itself.
    authorize: () => ({ subject: 'user:relay-stack' }),
    apiKey: 'sk_test_emulator',
    personaBaseUrl: emulator.url,
    ...options.handler,
  });
  const backend = await serveHandler(handler);
  return {
    emulator,
    handler,
    backend,
    baseUrl: `${backend.url}/api/relay`,
    // The token is opaque; only the emulator knows which relay it stands for.
    relayTokenOf: (sessionAccessToken) => emulator.control.relayTokenOfSession(sessionAccessToken),
    async close() {
      await handler.close();
      await backend.close();
      await emulator.close();
    },
  };
}
