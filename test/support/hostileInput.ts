import { request } from 'node:http';
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
