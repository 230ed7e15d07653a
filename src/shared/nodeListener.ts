import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectionDrop } from './connectionDrop.ts';

/** A fetch-style handler: what `createRelayHandler` and `createEmulatorHandler` return. */
export type FetchHandler = (req: Request) => Promise<Response>;

/** Node's listener shape, accepted by `http.createServer`, Express and connect/Vite middleware. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

interface MaybeParsedRequest extends IncomingMessage {
  /** Set by Express/connect when a body parser already consumed the stream. */
  body?: unknown;
  /** Set by Express/connect when the request was routed under a mount path. */
  originalUrl?: string;
}

const bodylessMethods = new Set(['GET', 'HEAD']);

/**
 * Adapts a fetch-style handler to Node: streams the request body in and the response body out,
 * keeps every `Set-Cookie`, answers HEAD without a body, aborts `request.signal` when the client
 * goes away, and destroys the socket when the handler throws `ConnectionDrop`.
 */
export function toNodeListener(handler: FetchHandler): NodeListener {
  return (req, res, next) => {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    let request: Request;
    try {
      request = toRequest(req, controller.signal);
    } catch {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('Bad Request');
      return;
    }
    handler(request)
      .then((response) => writeResponse(req, res, response, controller.signal))
      .catch((error: unknown) => {
        if (error instanceof ConnectionDrop || controller.signal.aborted) {
          req.socket.destroy();
          return;
        }
        if (next) {
          next(error);
          return;
        }
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // The error itself stays on the server: it may carry details that are nobody else's business.
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end('Internal Server Error');
      });
  };
}

function toRequest(req: MaybeParsedRequest, signal: AbortSignal): Request {
  const method = (req.method ?? 'GET').toUpperCase();
  const encrypted = 'encrypted' in req.socket && req.socket.encrypted === true;
  const url = new URL(`${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  // originalUrl keeps the mount prefix that connect and Express strip from req.url.
  const rawPath = req.originalUrl ?? req.url ?? '/';
  const queryAt = rawPath.indexOf('?');
  // Assigning pathname (rather than resolving against a base) keeps a path like '//host' a path.
  url.pathname = queryAt === -1 ? rawPath : rawPath.slice(0, queryAt);
  url.search = queryAt === -1 ? '' : rawPath.slice(queryAt);

  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    if (name === undefined || value === undefined || name.startsWith(':')) continue;
    headers.append(name, value);
  }

  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (!bodylessMethods.has(method)) {
    const parsed = parsedBody(req.body);
    if (parsed !== undefined) {
      init.body = parsed;
    } else {
      init.body = bodyStream(req);
      init.duplex = 'half';
    }
  }
  return new Request(url, init);
}

/** Pull-based, byte-counted stream over the request (Readable.toWeb is slow on Node 20 for large bodies). */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once('end', () => {
          controller.close();
        });
        req.once('error', (error) => {
          controller.error(error);
        });
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel() {
        // The handler stopped reading (e.g. over its size limit): discard the rest without buffering it.
        req.removeAllListeners('data');
        req.resume();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
}

function parsedBody(body: unknown): BodyInit | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new Uint8Array(body);
  if (typeof body === 'object' && Object.keys(body).length > 0) return JSON.stringify(body);
  // An empty object is what body parsers leave when they skipped the request: read the stream.
  return undefined;
}

async function writeResponse(req: IncomingMessage, res: ServerResponse, response: Response, signal: AbortSignal): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue;
    res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);

  if (req.method === 'HEAD' || response.body === null) {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const stop = (): void => {
    void reader.cancel().catch(() => undefined);
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res, signal);
    }
    res.end();
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
