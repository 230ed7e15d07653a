import type { IncomingMessage, ServerResponse } from 'node:http';
import { isBodyTimeout } from './bodyTimeoutError.ts';
import { rememberNodeRequest } from './clientAddress.ts';
import { ConnectionDrop } from './connectionDrop.ts';
import { requestBody, type RequestBody } from './requestBody.ts';

/** A fetch-style handler: what `createRelayHandler` and `createEmulatorHandler` return. */
export type FetchHandler = (req: Request) => Promise<Response>;

/** Node's listener shape, accepted by `http.createServer`, Express and connect/Vite middleware. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** Options of `toNodeListener`. */
export interface NodeListenerOptions {
  /**
   * Read deadline for a request body, counted from when the request reaches the listener
   * (default 10 000 ms). A body still arriving then is refused with 408 and the connection closed.
   */
  bodyTimeoutMs?: number;
}

/** Default read deadline: a 64 kB body needs ~50 kbit/s to arrive in time. */
export const defaultBodyTimeoutMs = 10_000;

/** A body the handler ignored, up to this size, is discarded and the connection kept for the next request. */
const keepAliveDiscardBytes = 64 * 1024;

/**
 * How much of a body the handler left unread is discarded before answering, so that closing the
 * connection afterwards does not reset it under a client that is still sending (and so lose the answer).
 */
const maxDiscardBytes = 1024 * 1024;

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
 * goes away, and destroys the socket when the handler throws `ConnectionDrop`. A body the handler
 * left unread (a 413, a route that ignores it) closes the connection; a body slower than
 * `bodyTimeoutMs` gets 408. Nothing that goes wrong while answering escapes as an exception.
 * @throws RangeError when `bodyTimeoutMs` is not a positive number.
 */
export function toNodeListener(handler: FetchHandler, options: NodeListenerOptions = {}): NodeListener {
  const bodyTimeoutMs = options.bodyTimeoutMs ?? defaultBodyTimeoutMs;
  if (!(bodyTimeoutMs > 0)) throw new RangeError(`bodyTimeoutMs must be a positive number of milliseconds, got ${String(bodyTimeoutMs)}`);
  return (req, res, next) => {
    // A broken answer (a write after the socket died) is the client's loss, never the process's.
    res.on('error', () => {
      req.socket.destroy();
    });
    serve(handler, bodyTimeoutMs, req, res, next).catch(() => {
      req.socket.destroy();
    });
  };
}

async function serve(
  handler: FetchHandler,
  bodyTimeoutMs: number,
  req: MaybeParsedRequest,
  res: ServerResponse,
  next: ((err?: unknown) => void) | undefined,
): Promise<void> {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const body = hasUnreadBody(req) ? requestBody(req, bodyTimeoutMs) : undefined;
  let request: Request;
  try {
    request = toRequest(req, controller.signal, body);
    rememberNodeRequest(request, req);
  } catch {
    await settleBody(body, res);
    answerPlain(res, 400, 'Bad Request');
    return;
  }

  let response: Response;
  try {
    response = await handler(request);
  } catch (error) {
    if (error instanceof ConnectionDrop || controller.signal.aborted) {
      req.socket.destroy();
      return;
    }
    await settleBody(body, res);
    if (isBodyTimeout(error)) {
      answerTimeout(res);
      return;
    }
    if (next) {
      next(error);
      return;
    }
    // The error itself stays on the server: it may carry details that are nobody else's business.
    answerPlain(res, 500, 'Internal Server Error');
    return;
  }

  await settleBody(body, res, response.body);
  try {
    await writeResponse(req, res, response, controller.signal);
  } catch (error) {
    if (next && !res.headersSent) {
      next(error);
      return;
    }
    if (!res.headersSent) answerPlain(res, 500, 'Internal Server Error');
    else res.destroy();
  }
}

function declaresBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? '0') > 0;
}

/** A body parser (express.json(), …) read the stream already: its result is all that is left of the body. */
function consumedByParser(req: IncomingMessage): boolean {
  return req.readableEnded || req.readableDidRead;
}

/** Whether the request carries a body nobody has read yet. */
function hasUnreadBody(req: MaybeParsedRequest): boolean {
  return declaresBody(req) && !consumedByParser(req);
}

/**
 * Before answering, for a body the handler did not read to its end: a small one it ignored is
 * discarded and the connection kept; one it refused (413), or a large or late one, gets
 * `Connection: close`, after the rest is discarded (bounded) so the close is clean. A body still
 * being read or streamed back out is left alone.
 */
async function settleBody(body: RequestBody | undefined, res: ServerResponse, answerBody?: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body || body.state === 'ended') return;
  if (body.state === 'open' && (body.stream.locked || answerBody === body.stream)) return;
  const ignored = body.state === 'open';
  if (ignored) await body.stream.cancel();
  if (ignored && (await body.discard(keepAliveDiscardBytes))) return;
  await body.discard(maxDiscardBytes);
  if (!res.headersSent) res.setHeader('connection', 'close');
}

function answerPlain(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(text);
}

/** 408 in the `{errors:[…]}` shape both handlers speak, for a handler that let the timeout through. */
function answerTimeout(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = 408;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('connection', 'close');
  res.end(JSON.stringify({ errors: [{ status: '408', title: 'Request Timeout', detail: 'the request body did not arrive in time' }] }));
}

function toRequest(req: MaybeParsedRequest, signal: AbortSignal, body: RequestBody | undefined): Request {
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
  if (bodylessMethods.has(method)) return new Request(url, init);
  if (body) {
    init.body = body.stream;
    init.duplex = 'half';
  } else if (declaresBody(req) && consumedByParser(req)) {
    init.body = parsedBody(req.body);
    headers.delete('content-length');
    headers.delete('transfer-encoding');
  }
  return new Request(url, init);
}

function parsedBody(body: unknown): BodyInit | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new Uint8Array(body);
  return JSON.stringify(body);
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
      if (done || signal.aborted) break;
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
