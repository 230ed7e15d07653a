import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayClient } from './client.ts';
import { RelayApiError, RelayNetworkError, RelayProtocolError, RelayTimeoutError } from './errors.ts';

// A backend that misbehaves on purpose, over real HTTP: what a broken proxy or a bad deploy sends.
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path.endsWith('/sessions')) {
      res.writeHead(502, { 'content-type': 'application/json', 'request-id': 'req_header' });
      res.end(JSON.stringify({ errors: [{ status: '502', title: 'Bad Gateway', detail: 'Persona answered 503', requestId: 'req_body' }] }));
    } else if (path.endsWith('/html')) {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<h1>down</h1>');
    } else if (path.endsWith('/slow')) {
      setTimeout(() => res.end('{}'), 500);
    } else if (path.endsWith('/challenge')) {
      res.end(JSON.stringify({ challenge: 'AAI', tokenKey: '' }));
    } else {
      res.end('not json');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/relay`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));

describe('createRelayClient', () => {
  it('maps an error body to RelayApiError with status, title, detail and the Request-Id', async () => {
    const error = await createRelayClient({ baseUrl: base }).createSession('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayApiError);
    expect(error).toMatchObject({ status: 502, title: 'Bad Gateway', detail: 'Persona answered 503', requestId: 'req_body' });
  });

  it('keeps the status of an HTML error page', async () => {
    const error = await createRelayClient({ baseUrl: `${base}/x` }).getSession('html').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RelayApiError', status: 503 });
  });

  it('rejects a malformed success with RelayProtocolError, never a TypeError', async () => {
    await expect(createRelayClient({ baseUrl: base }).challenge('s')).rejects.toBeInstanceOf(RelayProtocolError);
    await expect(createRelayClient({ baseUrl: base }).getSession('s')).rejects.toBeInstanceOf(RelayProtocolError);
  });

  it('times out with RelayTimeoutError', async () => {
    const error = await createRelayClient({ baseUrl: `${base}/x`, timeoutMs: 100 }).getSession('slow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayTimeoutError);
  });

  it('reports an unreachable backend as RelayNetworkError', async () => {
    const error = await createRelayClient({ baseUrl: 'http://127.0.0.1:9/api' }).getSession('s').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayNetworkError);
  });

  it('lets the caller abort', async () => {
    const controller = new AbortController();
    const call = createRelayClient({ baseUrl: `${base}/x` }).getSession('slow', { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });
});
