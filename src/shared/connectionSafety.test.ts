import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import { createRelayHandler, MemoryStore, type RelayHandler } from '../server/index.ts';
import { chunked, RawConnection, requestHead, type RawAnswer } from '../../test/support/hostileInput.ts';
import { serveHandler, type ServedHandler } from '../../test/support/relayDriver.ts';
import { startRemoteStack, type RemoteStack } from '../../test/support/remoteStack.ts';
import { testHandlerDefaults } from '../../test/support/handlerDefaults.ts';

// Issue 11: one request must never take the process down or poison its connection. Everything here
// runs over real sockets, with the raw HTTP/1.1 that fetch cannot send (chunked, pipelined, trickled).

const apiKey = 'sk_test_connection_safety';
const bodyTimeoutMs = 400;
const overLimit = JSON.stringify({ claimType: 'a'.repeat(70 * 1024) });
const unknownSession = 'A'.repeat(22);

interface Target {
  name: string;
  url: () => string;
  /** A route that reads a JSON body (413 past 64 KiB, 408 past the deadline). */
  bodyRoute: string;
  bodyHeaders: Record<string, string>;
  /** A request answered before its body is read, and its status. */
  unreadRoute: { path: string; headers: Record<string, string>; status: number };
  /** A cheap request that must succeed afterwards, and its status. */
  probe: { method: string; path: string; status: number };
}

let emulator: RunningEmulator;
let handler: RelayHandler;
let served: ServedHandler;

beforeAll(async () => {
  emulator = await startEmulator({ apiKey, control: true, rateLimit: 1_000_000_000, bodyTimeoutMs });
  handler = createRelayHandler({ ...testHandlerDefaults, apiKey, personaBaseUrl: emulator.url, store: new MemoryStore(), claimTypes: ['age_over_18_germany'] });
  served = await serveHandler(handler, { bodyTimeoutMs });
});

afterAll(async () => {
  await handler.close();
  await served.close();
  await emulator.close();
});

const json = { 'content-type': 'application/json' };
const targets: Target[] = [
  {
    name: 'handler (createRelayHandler via toNodeListener)',
    url: () => served.url,
    bodyRoute: '/api/relay/sessions',
    bodyHeaders: json,
    unreadRoute: { path: `/api/relay/sessions/${unknownSession}/challenge`, headers: json, status: 404 },
    probe: { method: 'GET', path: `/api/relay/sessions/${unknownSession}`, status: 404 },
  },
  {
    name: 'emulator (startEmulator)',
    url: () => emulator.url,
    bodyRoute: '/api/privacy/v1/relays/challenge',
    bodyHeaders: json,
    // The issuer wants a Bearer key: without one the 401 goes out before the body is read.
    unreadRoute: { path: '/api/v1/privacy-passes', headers: { 'content-type': 'application/private-token-request' }, status: 401 },
    probe: { method: 'GET', path: '/api/privacy/v1/relays/nope', status: 404 },
  },
];

async function probeOn(connection: RawConnection, target: Target): Promise<RawAnswer> {
  await connection.write(requestHead(target.probe.method, target.probe.path));
  return connection.response();
}

/** A fresh connection still gets a proper answer: the process is alive and serving. */
async function expectServing(target: Target): Promise<void> {
  const connection = await RawConnection.open(target.url());
  const answer = await probeOn(connection, target);
  expect(answer.status).toBe(target.probe.status);
  expect(JSON.parse(answer.text)).toHaveProperty('errors');
  connection.destroy();
}

describe.each(targets)('$name', (target) => {
  it('answers a chunked body over 64 KiB with 413, closes the connection cleanly, and keeps serving', async () => {
    const connection = await RawConnection.open(target.url());
    await connection.write(requestHead('POST', target.bodyRoute, { ...target.bodyHeaders, 'transfer-encoding': 'chunked' }));
    // The last chunk may be refused by a closed socket: what matters is the answer and the server.
    await connection.write(chunked(overLimit)).catch(() => undefined);
    const answer = await connection.response();
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    // Discarded before closing, so the close is a FIN and never a reset that could lose the answer.
    expect(await connection.ended).toBe('end');
    await expectServing(target);
  });

  it('answers a declared Content-Length over 64 KiB with 413 and a clean close', async () => {
    const connection = await RawConnection.open(target.url());
    await connection.write(requestHead('POST', target.bodyRoute, { ...target.bodyHeaders, 'content-length': String(overLimit.length) }) + overLimit);
    const answer = await connection.response();
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(await connection.ended).toBe('end');
    await expectServing(target);
  });

  it('keeps a pipelined keep-alive connection usable after an answer that ignored a small body', async () => {
    const connection = await RawConnection.open(target.url());
    const small = JSON.stringify({ padding: 'x'.repeat(2000) });
    // Both requests in one write: the second must be parsed after the first body, not inside it.
    await connection.write(
      requestHead('POST', target.unreadRoute.path, { ...target.unreadRoute.headers, 'content-length': String(small.length) }) +
        small +
        requestHead(target.probe.method, target.probe.path),
    );
    const first = await connection.response();
    expect(first.status).toBe(target.unreadRoute.status);
    expect(first.headers.connection).not.toBe('close');
    const second = await connection.response();
    expect(second.status).toBe(target.probe.status);
    // And a third request on the same connection, after both answers.
    expect((await probeOn(connection, target)).status).toBe(target.probe.status);
    connection.destroy();
  });

  it('closes the connection after an answer that left a large body unread; the pipelined request goes to a new one', async () => {
    const connection = await RawConnection.open(target.url());
    const large = 'x'.repeat(200 * 1024);
    await connection.write(
      requestHead('POST', target.unreadRoute.path, { ...target.unreadRoute.headers, 'transfer-encoding': 'chunked' }) +
        chunked(large).toString('latin1') +
        requestHead(target.probe.method, target.probe.path),
    );
    const first = await connection.response();
    expect(first.status).toBe(target.unreadRoute.status);
    expect(first.headers.connection).toBe('close');
    expect(await connection.ended).toBe('end');
    await expectServing(target);
  });

  it('answers 408 to a body that trickles past the read deadline, though a byte arrives every 50 ms', async () => {
    const connection = await RawConnection.open(target.url());
    await connection.write(requestHead('POST', target.bodyRoute, { ...target.bodyHeaders, 'content-length': '1000' }) + '{"claimType":"');
    const trickle = setInterval(() => {
      if (connection.open) void connection.write('a').catch(() => undefined);
    }, 50);
    const started = Date.now();
    try {
      const answer = await connection.response();
      expect(answer.status).toBe(408);
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.text)).toMatchObject({ errors: [{ status: '408' }] });
      // Not before the deadline (timers may fire a little early on a loaded machine), and not Node's 300 s.
      expect(Date.now() - started).toBeGreaterThanOrEqual(bodyTimeoutMs - 50);
      expect(Date.now() - started).toBeLessThan(bodyTimeoutMs + 5_000);
    } finally {
      clearInterval(trickle);
    }
    await connection.ended;
    await expectServing(target);
  });

  it('survives a client that vanishes mid-body, and a chunked one that vanishes mid-chunk', async () => {
    const plain = await RawConnection.open(target.url());
    await plain.write(requestHead('POST', target.bodyRoute, { ...target.bodyHeaders, 'content-length': '5000' }) + '{"claimType":"ab');
    const split = await RawConnection.open(target.url());
    await split.write(requestHead('POST', target.bodyRoute, { ...target.bodyHeaders, 'transfer-encoding': 'chunked' }) + '400\r\n{"claimType"');
    // The server is reading both bodies when they go: its answer then meets a dead socket.
    plain.destroy();
    split.destroy();
    await expectServing(target);
    // Past the read deadline too, when a timer might still fire on the dead requests.
    const late = await RawConnection.open(target.url());
    await late.write(requestHead('POST', target.bodyRoute, { ...target.bodyHeaders, 'content-length': '10' }) + '{');
    expect((await late.response()).status).toBe(408);
    await expectServing(target);
  });
});

describe('the stack in its own Node process (as the demo and the CLI run)', () => {
  let remote: RemoteStack;

  beforeAll(async () => {
    remote = await startRemoteStack();
  }, 30_000);

  afterAll(async () => {
    await remote.close();
  });

  it('is still alive after a chunked 70 KiB body to /sessions, to a redeem, and to the emulator', async () => {
    const backend = new URL(remote.baseUrl);
    const sends = [
      { base: backend.origin, path: `${backend.pathname}/sessions` },
      { base: backend.origin, path: `${backend.pathname}/sessions/${unknownSession}/redeem` },
      { base: remote.emulatorUrl, path: '/api/privacy/v1/relays/challenge' },
    ];
    for (const { base, path } of sends) {
      const connection = await RawConnection.open(base);
      await connection.write(requestHead('POST', path, { ...json, 'transfer-encoding': 'chunked' }));
      await connection.write(chunked(overLimit)).catch(() => undefined);
      const answer = await connection.response();
      expect([404, 413]).toContain(answer.status);
      expect(answer.headers.connection).toBe('close');
      await connection.ended;
    }
    // Before the fix the process had died by now: these were refused.
    expect((await fetch(`${remote.baseUrl}/sessions/${unknownSession}`)).status).toBe(404);
    expect((await fetch(`${remote.emulatorUrl}/api/privacy/v1/relays/nope`, { method: 'POST' })).status).toBeGreaterThanOrEqual(400);
  });
});
