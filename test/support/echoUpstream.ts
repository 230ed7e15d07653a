import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in Persona that repeats requests back inside its error answers. */
export interface EchoUpstream {
  url: string;
  /** The Request-Id every echoed answer carries. */
  requestId: string;
  /** How many requests it echoed. */
  echoed(): number;
  close(): Promise<void>;
}

/** Which requests to echo, and with which status; the others are forwarded to `forwardTo` unchanged. */
export interface EchoUpstreamOptions {
  /** The real upstream (an emulator) for requests `echo` declines. */
  forwardTo?: string;
  /** The status to echo with, or undefined to forward. Default: echo everything with 400. */
  echo?: (method: string, path: string) => number | undefined;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A real HTTP server playing a careless upstream: its errors quote the request line, every header
 * (the API key, the relay secret, the token) and the body, in `title`, `detail` and `details`, as an
 * upstream that echoes request material might. What the kit passes on to a browser must hold none of it.
 */
export async function startEchoUpstream(options: EchoUpstreamOptions = {}): Promise<EchoUpstream> {
  const requestId = 'req_echo_upstream_1';
  let echoed = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const path = req.url ?? '/';
      const status = options.echo ? options.echo(req.method ?? 'GET', path) : 400;
      if (status === undefined && options.forwardTo) {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
        const upstream = await fetch(`${options.forwardTo}${path}`, { method: req.method ?? 'GET', headers, ...(body.length > 0 ? { body: new Uint8Array(body) } : {}) });
        res.statusCode = upstream.status;
        upstream.headers.forEach((value, name) => {
          if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'content-encoding') res.setHeader(name, value);
        });
        res.end(Buffer.from(await upstream.arrayBuffer()));
        return;
      }
      echoed += 1;
      const quoted = JSON.stringify({ request: `${req.method ?? ''} ${path}`, headers: req.headers, body: body.toString('utf8') });
      res.statusCode = status ?? 400;
      res.setHeader('content-type', 'application/json');
      res.setHeader('request-id', requestId);
      res.end(JSON.stringify({ errors: [{ status: String(res.statusCode), title: `Bad request: ${quoted}`, detail: quoted, details: quoted }] }));
    })().catch(() => {
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requestId,
    echoed: () => echoed,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => { resolve(); });
      }),
  };
}
