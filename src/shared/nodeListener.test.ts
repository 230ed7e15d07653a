import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { RawConnection, requestHead } from '../../test/support/hostileInput.ts';
import { ConnectionDrop } from './connectionDrop.ts';
import { toNodeListener, type FetchHandler } from './nodeListener.ts';

let server: Server | undefined;

afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
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
    let resolveReached: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (resolveReached = resolve));
    const handler: FetchHandler = (req) =>
      new Promise((resolve) => {
        resolveReached();
        req.signal.addEventListener('abort', () => {
          resolveAborted(true);
          resolve(new Response('late'));
        });
      });
    const url = await serve(toNodeListener(handler));
    const client = new AbortController();
    const pending = fetch(url, { signal: client.signal }).catch((e: unknown) => e);
    // The client goes away once the request is in the handler, not after a guessed delay.
    await reached;
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

  it('refuses a read deadline that is not a positive number', () => {
    const handler: FetchHandler = async () => new Response(null);
    for (const bodyTimeoutMs of [0, -1, Number.NaN]) expect(() => toNodeListener(handler, { bodyTimeoutMs })).toThrow(RangeError);
  });

  it('answers 408 itself when a handler lets the read deadline through, and closes the connection', async () => {
    const url = await serve(toNodeListener(async (req) => new Response(await req.text()), { bodyTimeoutMs: 200 }));
    const connection = await RawConnection.open(url);
    await connection.write(`${requestHead('POST', '/', { 'content-length': '100' })}partial`);
    const answer = await connection.response();
    expect(answer.status).toBe(408);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.text)).toEqual({ errors: [{ status: '408', title: 'Request Timeout', detail: 'the request body did not arrive in time' }] });
    await connection.ended;
    expect((await fetch(url, { method: 'POST', body: 'whole' })).status).toBe(200);
  });

  it('cuts the connection when the response body fails half-way, and keeps serving', async () => {
    const url = await serve(
      toNodeListener(async (req) => {
        if (new URL(req.url).pathname === '/ok') return new Response('fine');
        let sent = false;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent) controller.error(new Error('upstream broke'));
            else controller.enqueue(new TextEncoder().encode('first part'));
            sent = true;
          },
        });
        return new Response(body);
      }),
    );
    const broken = await fetch(`${url}/broken`).then(
      (res) => res.text(),
      (e: unknown) => e,
    );
    expect(broken).toBeInstanceOf(Error);
    expect(await (await fetch(`${url}/ok`)).text()).toBe('fine');
  });

  it('stops writing when the client leaves during a long response', async () => {
    let pulls = 0;
    let resolveCancelled: () => void = () => undefined;
    const cancelled = new Promise<void>((resolve) => (resolveCancelled = resolve));
    const url = await serve(
      toNodeListener(async () => {
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            pulls += 1;
            controller.enqueue(new Uint8Array(64 * 1024));
          },
          cancel() {
            resolveCancelled();
          },
        });
        return new Response(body);
      }),
    );
    const connection = await RawConnection.open(url);
    await connection.write(requestHead('GET', '/endless'));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (pulls > 4) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    connection.destroy();
    await cancelled;
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('toNodeListener behind real Express body parsers', () => {
  async function serveExpress(...middleware: express.RequestHandler[]): Promise<string> {
    const app = express();
    app.use(...middleware);
    app.use('/relay', toNodeListener(async (req) => Response.json({ text: await req.text(), path: new URL(req.url).pathname })));
    return serve(app);
  }

  const post = async (url: string, body: string, contentType: string): Promise<{ text: string; path: string }> => {
    // A hang (the stream already consumed) fails here, fast, rather than at the test timeout.
    const res = await fetch(`${url}/relay/sessions`, { method: 'POST', body, headers: { 'content-type': contentType }, signal: AbortSignal.timeout(3_000) });
    expect(res.status).toBe(200);
    return (await res.json()) as { text: string; path: string };
  };

  it('reads the empty object express.json() already parsed instead of waiting for a consumed stream', async () => {
    const url = await serveExpress(express.json());
    expect(await post(url, '{}', 'application/json')).toEqual({ text: '{}', path: '/relay/sessions' });
    expect(JSON.parse((await post(url, '{"claimType":"age_over_18"}', 'application/json')).text)).toEqual({ claimType: 'age_over_18' });
  });

  it('reads strings from express.text() and Buffers from express.raw() as they were sent', async () => {
    const url = await serveExpress(express.text(), express.raw({ type: 'application/octet-stream' }));
    expect((await post(url, 'plain words', 'text/plain')).text).toBe('plain words');
    expect((await post(url, 'raw bytes', 'application/octet-stream')).text).toBe('raw bytes');
  });

  it('reads the stream itself when the parser skipped a content type it does not handle', async () => {
    const url = await serveExpress(express.json());
    expect((await post(url, '{"x":1}', 'text/plain')).text).toBe('{"x":1}');
  });
});
