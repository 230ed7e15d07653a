import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeListener } from '../shared/nodeListener.ts';
import { createEmulatorHandler } from './handler.ts';
import type { EmulatorControl, EmulatorOptions } from './options.ts';

/** Options of `startEmulator`: the handler's plus where to listen (port 0 = any free port). */
export interface StartEmulatorOptions extends EmulatorOptions {
  port?: number;
  host?: string;
  /** Read deadline for a request body (default 10 000 ms); a slower body gets 408 and the connection is closed. */
  bodyTimeoutMs?: number;
}

/**
 * Node's own limits, set well below its defaults (300 s for a request, 60 s for headers): a client
 * that trickles its headers or body cannot hold a connection for minutes. Node checks them every
 * `connectionsCheckingInterval` (30 s), so the body deadline of `toNodeListener` is the precise one.
 */
const serverTimeouts = { requestTimeout: 30_000, headersTimeout: 15_000 } as const;

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:4010` (plus the basePath, if any). */
  url: string;
  control: EmulatorControl;
  close(): Promise<void>;
}

/** Starts the emulator on Node's http server. */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const handler = createEmulatorHandler(options);
  // Idle keep-alive sockets outlive a busy client's pauses (e.g. a test making RSA keys), so a reused
  // connection is not closed under a request on its way.
  const server = createServer(
    { keepAliveTimeout: 30_000, ...serverTimeouts },
    toNodeListener(handler, options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
  );
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}${(options.basePath ?? '').replace(/\/+$/, '')}`,
    control: handler.control,
    close: async () => {
      handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
}
