import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionDrop } from './connectionDrop.ts';
import { toNodeListener, type FetchHandler } from './nodeListener.ts';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function serve(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('toNodeListener', () => {
  it('streams a large request body in and the response body out', async () => {
    const url = await serve(toNodeListener(async (req) => new Response(req.body, { headers: { 'content-type': 'application/octet-stream' } })));
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const res = await fetch(`${url}/echo`, { method: 'POST', body });
    expect(res.status).toBe(200);
    // Buffer.equals: a deep toEqual over 3 MB of elements takes seconds.
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
  });

  it('passes method, path, query and repeated headers to the handler', async () => {
    let seen: { method: string; url: string; accept: string | null } | undefined;
    const url = await serve(
      toNodeListener(async (req) => {
        seen = { method: req.method, url: req.url, accept: req.headers.get('x-multi') };
        return new Response(null, { status: 204 });
      }),
    );
    const res = await new Promise<IncomingMessage>((resolve) => {
      httpRequest(`${url}//other-host/p?q=1&r=%20`, { method: 'DELETE', headers: { 'x-multi': ['a', 'b'] } }, resolve).end();
    });
    expect(res.statusCode).toBe(204);
    expect(seen?.method).toBe('DELETE');
    expect(new URL(seen?.url ?? '').host).toBe(new URL(url).host);
    expect(new URL(seen?.url ?? '').pathname).toBe('//other-host/p');
    expect(new URL(seen?.url ?? '').search).toBe('?q=1&r=%20');
    expect(seen?.accept).toBe('a, b');
  });

  it('keeps every Set-Cookie header apart', async () => {
    const url = await serve(
      toNodeListener(async () => {
        const headers = new Headers();
        headers.append('set-cookie', 'a=1; Path=/');
        headers.append('set-cookie', 'b=2; Path=/; HttpOnly');
        return new Response('ok', { headers });
      }),
    );
    const res = await fetch(url);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
  });

  it('answers HEAD with headers and no body', async () => {
    const url = await serve(toNodeListener(async () => new Response('hello', { headers: { 'content-length': '5', 'x-probe': 'yes' } })));
    const res = await new Promise<IncomingMessage>((resolve) => {
      httpRequest(url, { method: 'HEAD' }, resolve).end();
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    expect(res.headers['x-probe']).toBe('yes');
    expect(Buffer.concat(chunks).length).toBe(0);
  });

  it('aborts the request signal when the client goes away', async () => {
    let resolveAborted: (value: boolean) => void = () => undefined;
    const aborted = new Promise<boolean>((resolve) => (resolveAborted = resolve));
    const handler: FetchHandler = (req) =>
      new Promise((resolve) => {
        req.signal.addEventListener('abort', () => {
          resolveAborted(true);
          resolve(new Response('late'));
        });
      });
    const url = await serve(toNodeListener(handler));
    const client = new AbortController();
    const pending = fetch(url, { signal: client.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.abort();
    expect(await pending).toBeInstanceOf(Error);
    expect(await aborted).toBe(true);
  });

  it('destroys the socket on ConnectionDrop', async () => {
    const url = await serve(
      toNodeListener(async (req) => {
        await req.text();
        throw new ConnectionDrop();
      }),
    );
    const error = await fetch(url, { method: 'POST', body: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
  });

  it('answers a bare 500 without the error text when no next is given', async () => {
    const url = await serve(
      toNodeListener(async () => {
        throw new Error('secret sk_live_123');
      }),
    );
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('sk_live_123');
  });

  it('hands errors to next() and keeps the mount prefix from originalUrl', async () => {
    let nextError: unknown;
    let seenPath = '';
    const listener = toNodeListener(async (req) => {
      seenPath = new URL(req.url).pathname;
      if (seenPath.endsWith('/boom')) throw new Error('boom');
      return new Response('ok');
    });
    const url = await serve((req, res) => {
      // What connect does for app.use('/persona', listener): strips the prefix, keeps originalUrl.
      const mounted = Object.assign(req, { originalUrl: req.url });
      mounted.url = (req.url ?? '/').replace(/^\/persona/, '') || '/';
      listener(mounted, res, (err) => {
        nextError = err;
        res.statusCode = 502;
        res.end();
      });
    });
    expect((await fetch(`${url}/persona/api/ok`)).status).toBe(200);
    expect(seenPath).toBe('/persona/api/ok');
    expect((await fetch(`${url}/persona/boom`)).status).toBe(502);
    expect(nextError).toBeInstanceOf(Error);
  });

  it('reads a body an Express parser already consumed', async () => {
    const listener = toNodeListener(async (req) => new Response(await req.text()));
    const url = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        listener(Object.assign(req, { body: JSON.parse(Buffer.concat(chunks).toString()) as unknown }), res);
      });
    });
    const res = await fetch(url, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(await res.text())).toEqual({ a: 1 });
  });
});
