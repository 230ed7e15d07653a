import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it reached a tap or a sink: what the handler really put on the wire. */
export interface TappedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** As UTF-8 text (binary bodies are forwarded as bytes, see `raw`). */
  body: string;
  raw: Buffer;
}

/** What a tap may do with one request instead of forwarding it. */
export type TapAction =
  | { kind: 'forward'; rewrite?: (body: string) => string }
  | { kind: 'answer'; status: number; headers?: Record<string, string>; body: string };

/** An HTTP server on a loopback port, with the requests it received. */
export interface Listening {
  url: string;
  requests: TappedRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listen(onRequest: (tapped: TappedRequest, res: ServerResponse) => Promise<void>): Promise<Listening> {
  const requests: TappedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
      const raw = await readBody(req);
      const tapped = { method: req.method ?? 'GET', path: req.url ?? '/', headers, body: raw.toString('utf8'), raw };
      requests.push(tapped);
      await onRequest(tapped, res);
    })().catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => { resolve(); });
      }),
  };
}

/** A server that records what it receives and answers 404: where a leaked secret would land. */
export function startSink(): Promise<Listening> {
  return listen(async (_tapped, res) => {
    res.statusCode = 404;
    res.end();
  });
}

/**
 * A man-in-the-middle in front of the emulator (another origin, real HTTP): it records every request
 * the handler sends, forwards it unchanged unless `decide` answers instead, and can rewrite answers.
 */
export function startTap(upstream: string, decide: (request: TappedRequest) => TapAction = () => ({ kind: 'forward' })): Promise<Listening> {
  return listen(async (tapped, res) => {
    const action = decide(tapped);
    if (action.kind === 'answer') {
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      res.end(action.body);
      return;
    }
    const hopByHop = new Set(['host', 'connection', 'content-length']);
    const headers = Object.fromEntries(Object.entries(tapped.headers).filter(([name]) => !hopByHop.has(name)));
    const answer = await fetch(`${upstream}${tapped.path}`, {
      method: tapped.method,
      headers,
      ...(tapped.method === 'GET' || tapped.method === 'HEAD' ? {} : { body: new Uint8Array(tapped.raw) }),
      redirect: 'manual',
    });
    const bytes = Buffer.from(await answer.arrayBuffer());
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'content-encoding' && name !== 'transfer-encoding' && name !== 'connection') out[name] = value;
    });
    res.writeHead(answer.status, out);
    res.end(action.rewrite ? action.rewrite(bytes.toString('utf8')) : bytes);
  });
}
