import { once } from 'node:events';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';

/** Id fragments that attack routing and storage: traversal, encodings, null bytes, separators, unicode. */
export const hostileId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('..', '../..', '..%2f..', '%2e%2e', '%2e%2e%2f', '%00', 'a%00b', '%0d%0aX-Injected:%201', '%25', '%', '%zz', '*', 'session:*',
    'lock:redeem', '%E2%80%AE', '%C3%A4', '%F0%9F%98%80', '%ff%fe', ';', '..;', '~', 'sessions', 'CON', '.'),
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => encodeURIComponent(s)),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
);

/** Values of every JSON type, so a field can be handed the wrong one. */
export const wrongTypedValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.string({ maxLength: 30 }),
  fc.constant('x'.repeat(5000)),
);

/** Request bodies that are never valid: broken JSON, non-objects, prototype tricks, random objects. */
export const hostileBody: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"a":', '[]', 'null', '""', '0', 'true', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '\u0000', '\ufeff{}'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
);

/** A JSON body just over, or far over, the 64 kB limit. */
export const hugeBody: fc.Arbitrary<string> = fc
  .integer({ min: 64 * 1024 + 1, max: 512 * 1024 })
  .map((n) => JSON.stringify({ claimType: 'a'.repeat(n) }));

/** HTTP methods, including ones no route accepts. */
export const anyMethod: fc.Arbitrary<string> = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');

/** A raw HTTP answer. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Sends a request with `path` exactly as given (no URL normalisation, unlike fetch), so `..` and
 * encoded tricks reach the server as an attacker would send them.
 */
export function rawRequest(base: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        // A fresh connection per case: a server may close one after a 413 with the body unread.
        agent: false,
        method,
        path,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** True when `body` is the `{errors:[{status:"NNN", title}]}` shape with the answer's status. */
export function isErrorShape(status: number, body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return false;
  const first = errors[0] as Record<string, unknown>;
  return first.status === String(status) && typeof first.title === 'string';
}

/** Throws unless `answer` is a 4xx in Persona's `{errors:[…]}` shape with none of `secrets` in it. */
export function expectClientError(answer: RawAnswer, what: string, secrets: readonly string[]): void {
  const seen = answer.text + JSON.stringify(answer.headers);
  if (secrets.some((s) => seen.includes(s))) throw new Error(`${what}: a secret appeared in the answer`);
  if (answer.status < 400 || answer.status > 499) throw new Error(`${what}: expected 4xx, got ${String(answer.status)} ${answer.text.slice(0, 200)}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new Error(`${what}: error body is not JSON: ${answer.text.slice(0, 200)}`);
  }
  if (!isErrorShape(answer.status, body)) throw new Error(`${what}: not the {errors:[…]} shape: ${answer.text.slice(0, 200)}`);
}

/** A request body as `Transfer-Encoding: chunked` framing, in chunks of at most `chunkSize` bytes. */
export function chunked(body: string | Buffer, chunkSize = 16 * 1024): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) {
    const chunk = bytes.subarray(at, at + chunkSize);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** The head of an HTTP/1.1 request, ready to write on a raw connection. */
export function requestHead(method: string, path: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ host: 'localhost', ...headers }).map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

/** How a raw connection ended: the server closed it cleanly (`end`) or reset it (`reset`). */
export type ConnectionEnd = 'end' | 'reset';

/**
 * One TCP connection speaking HTTP/1.1 by hand, for what `fetch` cannot send: chunked bodies written
 * piece by piece, pipelined requests, a client that trickles or vanishes mid-body.
 */
export class RawConnection {
  private buffered = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  /** Settles when the server ends the connection; never rejects. */
  readonly ended: Promise<ConnectionEnd>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, data]);
      this.waiting?.();
    });
    this.ended = new Promise((resolve) => {
      socket.once('end', () => {
        resolve('end');
      });
      socket.once('error', () => {
        resolve('reset');
      });
      socket.once('close', () => {
        resolve('end');
        this.waiting?.();
      });
    });
  }

  /** Connects to the host and port of `base`. */
  static async open(base: string): Promise<RawConnection> {
    const url = new URL(base);
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    return new RawConnection(socket);
  }

  /** Writes bytes; resolves once they are handed to the kernel (rejects if the connection is gone). */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** True while the connection can still be written to. */
  get open(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  /** Cuts the connection at once (RST), as a client that crashes mid-request does. */
  destroy(): void {
    this.socket.resetAndDestroy();
  }

  /** Reads the next response (Content-Length or chunked); rejects if the connection ends first. */
  async response(): Promise<RawAnswer> {
    for (;;) {
      const parsed = parseResponse(this.buffered);
      if (parsed) {
        this.buffered = this.buffered.subarray(parsed.length);
        return parsed.answer;
      }
      if (this.socket.destroyed || this.socket.readableEnded) {
        throw new Error(`the connection ended before a full response (${String(this.buffered.length)} bytes read)`);
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
      this.waiting = undefined;
    }
  }
}

function parseResponse(data: Buffer): { answer: RawAnswer; length: number } | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  let at = headEnd + 4;
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = [];
    for (;;) {
      const sizeEnd = data.indexOf('\r\n', at);
      if (sizeEnd === -1) return undefined;
      const size = parseInt(data.subarray(at, sizeEnd).toString('latin1'), 16);
      if (data.length < sizeEnd + 2 + size + 2) return undefined;
      parts.push(data.subarray(sizeEnd + 2, sizeEnd + 2 + size));
      at = sizeEnd + 2 + size + 2;
      if (size === 0) break;
    }
    return { answer: { status, headers, text: Buffer.concat(parts).toString() }, length: at };
  }
  const length = Number(headers['content-length'] ?? '0');
  if (data.length < at + length) return undefined;
  return { answer: { status, headers, text: data.subarray(at, at + length).toString() }, length: at + length };
}

/**
 * Sends `body` with `Transfer-Encoding: chunked` in chunks of `chunkSize` bytes on a fresh raw
 * connection and reads the answer; `connection` says whether the server kept the connection.
 */
export async function rawChunkedRequest(
  base: string,
  method: string,
  path: string,
  body: string,
  chunkSize: number,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const connection = await RawConnection.open(base);
  try {
    await connection.write(requestHead(method, path, { 'content-type': 'application/json', ...headers, 'transfer-encoding': 'chunked' }));
    // A server that answered early (413) may have closed before the last chunk: the answer still counts.
    await connection.write(chunked(body, chunkSize)).catch(() => undefined);
    return await connection.response();
  } finally {
    connection.destroy();
  }
}

/** Chunk sizes from one byte (a chunk header per byte) to larger than the 64 kB limit. */
export const chunkSize: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(1, 7, 1024, 16 * 1024, 64 * 1024 + 1), fc.integer({ min: 1, max: 100_000 }));
