import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RelayError } from '../core/errors.ts';
import { deserializeError, parseWorkerRequest, parseWorkerResponse, serializeError, type WorkerResponse } from './protocol.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 1000);
let cases = 0;

/** Valid messages with one field swapped for a hostile value, so the parser's every branch is reached. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.constantFrom('', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'ftp://x', '__proto__', 'constructor', 'toString', 'hasOwnProperty', -1, 2 ** 53, Number.NaN, Infinity, -0, null),
  fc.string({ minLength: 257, maxLength: 300 }),
);

const requestLike = fc.oneof(
  fc.anything(),
  fc.record({ type: fc.constantFrom('token', 'cancel', 'x'), id: hostileValue, baseUrl: hostileValue, sessionId: hostileValue }),
  fc.record({
    type: fc.constant('token'),
    id: fc.integer(),
    baseUrl: fc.constantFrom('http://127.0.0.1:1/api/relay', 'https://app.example/api/relay'),
    sessionId: fc.string({ minLength: 1, maxLength: 20 }),
    headers: hostileValue,
    credentials: hostileValue,
    timeoutMs: hostileValue,
  }),
);

const responseLike = fc.oneof(
  fc.anything(),
  fc.record({ type: fc.constantFrom('token', 'error'), id: hostileValue, token: hostileValue, ms: hostileValue, error: hostileValue }),
  fc.record({
    type: fc.constant('error'),
    id: fc.integer(),
    error: fc.record({ name: hostileValue, title: fc.string(), detail: fc.option(fc.string(), { nil: undefined }), status: hostileValue, code: hostileValue }),
  }),
);

afterAll(() => {
  console.log(`worker protocol fuzz: ${String(cases)} hostile messages`);
});

describe('worker message protocol under hostile messages', () => {
  it('parseWorkerRequest never throws and only lets well-formed requests through', () => {
    fc.assert(
      fc.property(requestLike, (data) => {
        cases += 1;
        const parsed = parseWorkerRequest(data);
        if (parsed === undefined) return;
        expect(Number.isSafeInteger(parsed.id)).toBe(true);
        if (parsed.type === 'cancel') return;
        expect(parsed.baseUrl).toMatch(/^https?:\/\//);
        expect(parsed.sessionId.length).toBeGreaterThan(0);
        expect(parsed.sessionId.length).toBeLessThanOrEqual(256);
        for (const value of Object.values(parsed.headers ?? {})) expect(typeof value).toBe('string');
        if (parsed.timeoutMs !== undefined) expect(parsed.timeoutMs).toBeGreaterThan(0);
      }),
      { numRuns: runs },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('parseWorkerResponse never throws, and whatever it accepts deserializes to a RelayError', () => {
    fc.assert(
      fc.property(responseLike, (data) => {
        cases += 1;
        const parsed: WorkerResponse | undefined = parseWorkerResponse(data);
        if (parsed?.type !== 'error') return;
        const error = deserializeError(parsed.error);
        expect(error).toBeInstanceOf(RelayError);
        expect(typeof error.title).toBe('string');
      }),
      { numRuns: runs },
    );
  });

  it('serializeError keeps no stack or cause, and its output survives structured cloning', () => {
    fc.assert(
      fc.property(fc.anything(), fc.stringMatching(/^[a-z0-9]{6,20}$/).map((s) => `sk_live_${s}`), (thrown, secret) => {
        cases += 1;
        const wrapped = new RelayError({ title: 'x', cause: new Error(`secret ${secret}`) });
        const plain = JSON.stringify(serializeError(wrapped));
        expect(plain).not.toContain('stack');
        expect(plain).not.toContain(secret);
        expect(() => structuredClone(serializeError(thrown))).not.toThrow();
      }),
      { numRuns: runs },
    );
  });
});
