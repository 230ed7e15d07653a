import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anyMethod,
  chunkSize,
  hostileBody,
  hostileId,
  hugeBody,
  expectClientError,
  rawChunkedRequest,
  rawRequest,
  wrongTypedValue,
  type RawAnswer,
} from '../../test/support/hostileInput.ts';
import { beginIssuance } from '../privacy-pass/index.ts';
import { startEmulator, type RunningEmulator } from './index.ts';

const apiKey = 'sk_test_fuzz_secret_key';
const auth = { authorization: `Bearer ${apiKey}` };
const runs = Number(process.env.FUZZ_RUNS ?? 150);
let emulator: RunningEmulator;
let victim: { relayToken: string; relaySecret: string };
let cases = 0;

async function victimView(): Promise<string> {
  const answer = await rawRequest(emulator.url, 'POST', `/api/v1/relays/${victim.relayToken}/generate-claim`, '', {
    'persona-relay-secret': victim.relaySecret,
    authorization: 'PrivateToken token=AAAA',
  });
  return `${String(answer.status)} ${JSON.stringify(JSON.parse(answer.text).errors?.[0]?.title ?? null)}`;
}

/** The checks every hostile case must pass: a 4xx with the error shape and no secret in the answer. */
function expectRejected(answer: RawAnswer, what: string): void {
  cases += 1;
  expectClientError(answer, what, [apiKey, victim.relaySecret]);
}

beforeAll(async () => {
  emulator = await startEmulator({ protocol: 'rfc9578', apiKey, rateLimit: 1_000_000_000, control: true });
  const created = await rawRequest(emulator.url, 'POST', '/api/v1/relays', JSON.stringify({ 'claim-type': 'age_over_18_germany', 'encryption-key-pem': null }), auth);
  expect(created.status).toBe(201);
  const body = JSON.parse(created.text) as Record<string, string>;
  victim = { relayToken: body['relay-token'] ?? '', relaySecret: body['relay-secret'] ?? '' };
});

afterAll(async () => {
  console.log(`emulator fuzz: ${String(cases)} hostile cases, every one a 4xx with the error shape and no secret`);
  await emulator.close();
});

describe('emulator under hostile input', () => {
  it('rejects broken and huge chunked bodies on every route, closing the connection past 64 kB', async () => {
    const before = await victimView();
    const path = fc.constantFrom('/api/v1/relays', '/api/v1/relays/challenge', '/api/v1/token-request', `/api/v1/relays/${victim.relayToken}/generate-claim`);
    // One-byte chunks only for small bodies: 64 K chunk headers per case would only slow the run.
    const sized = fc.oneof(fc.tuple(hostileBody, chunkSize), fc.tuple(hugeBody, fc.integer({ min: 1024, max: 100_000 })));
    await fc.assert(
      fc.asyncProperty(path, sized, async (route, [body, size]) => {
        const answer = await rawChunkedRequest(emulator.url, 'POST', route, body, size, auth);
        expectRejected(answer, `chunked POST ${route} in ${String(size)}-byte chunks`);
        if (body.length > 64 * 1024) expect(answer.headers.connection).toBe('close');
      }),
      { numRuns: runs },
    );
    // Still serving, on a new connection, and the victim relay untouched.
    expect(await victimView()).toBe(before);
  });

  it('rejects broken, mistyped and huge bodies on POST /relays and /relays/challenge', async () => {
    const before = await victimView();
    const mistyped = fc.record({ 'claim-type': wrongTypedValue, 'encryption-key-pem': wrongTypedValue }).map((o) => JSON.stringify(o));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/v1/relays', '/api/v1/relays/challenge'), fc.oneof(hostileBody, mistyped, hugeBody), async (path, body) => {
        expectRejected(await rawRequest(emulator.url, 'POST', path, body, auth), `POST ${path}`);
      }),
      { numRuns: runs },
    );
    expect(await victimView()).toBe(before);
  });

  it('rejects forged, truncated and foreign tokens, wrong secrets and path tricks on generate-claim', async () => {
    const before = await victimView();
    const token = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 700 }).map((b) => Buffer.from(b).toString('base64url')),
      fc.string({ maxLength: 80 }).filter((s) => !/[\r\n]/.test(s) && /^[\x20-\x7e]*$/.test(s)),
    );
    const secret = fc.oneof(fc.constant(victim.relaySecret), fc.stringMatching(/^[A-Za-z0-9_]{0,60}$/));
    const relay = fc.oneof(fc.constant(victim.relayToken), hostileId);
    await fc.assert(
      fc.asyncProperty(relay, secret, token, fc.stringMatching(/^[\x21-\x7e]{1,80}$/), async (relayToken, relaySecret, t, key) => {
        const answer = await rawRequest(emulator.url, 'POST', `/api/v1/relays/${relayToken}/generate-claim`, '', {
          'persona-relay-secret': relaySecret,
          authorization: `PrivateToken token=${t}`,
          'idempotency-key': key,
        });
        expectRejected(answer, `generate-claim ${relayToken}`);
      }),
      { numRuns: runs },
    );
    expect(await victimView()).toBe(before);
  });

  it('rejects malformed TokenRequests on the issuer', async () => {
    const validLengths = new Set([2 + 1 + 256, 2 + 1 + 384, 2 + 1 + 512]);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }).filter((b) => !validLengths.has(b.length)), async (bytes) => {
        const answer = await new Promise<RawAnswer>((resolve, reject) => {
          fetch(`${emulator.url}/api/v1/token-request`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/private-token-request' },
            body: bytes,
          })
            .then(async (r) => { resolve({ status: r.status, headers: Object.fromEntries(r.headers), text: await r.text() }); })
            .catch(reject);
        });
        expectRejected(answer, `token-request of ${String(bytes.length)} bytes`);
      }),
      { numRuns: runs },
    );
  });

  it('answers unknown paths, path tricks and wrong methods with 4xx', async () => {
    const before = await victimView();
    await fc.assert(
      fc.asyncProperty(anyMethod, fc.array(hostileId, { minLength: 1, maxLength: 4 }), async (method, segments) => {
        const path = `/api/v1/${segments.join('/')}`;
        if (['relays', 'relays/challenge', 'token-request'].includes(segments.join('/'))) return;
        const answer = await rawRequest(emulator.url, method, path, method === 'GET' ? undefined : '{}', auth);
        expectRejected(answer, `${method} ${path}`);
      }),
      { numRuns: runs },
    );
    expect(await victimView()).toBe(before);
  });

  it('rejects a missing or wrong API key, bad Persona-Version and Key-Inflection', async () => {
    const header = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
    await fc.assert(
      fc.asyncProperty(header, header, header, async (bearer, version, inflection) => {
        const badAuth = bearer.trim() !== apiKey;
        const answer = await rawRequest(emulator.url, 'POST', '/api/v1/relays/challenge', JSON.stringify({ 'claim-type': 'age_over_18_germany' }), {
          authorization: badAuth ? `Bearer ${bearer}` : `Bearer ${apiKey}`,
          'persona-version': `x${version}`,
          'key-inflection': `x${inflection}`,
        });
        expectRejected(answer, 'headers');
      }),
      { numRuns: runs },
    );
  });

  it('survives CR/LF smuggled into Idempotency-Key on the raw socket', async () => {
    const url = new URL(emulator.url);
    const attempts = ['a\rX-Injected: 1', 'a\nX-Injected: 1', 'a\r\nX-Injected: 1\r\n', 'a\u0000b', 'a\r\n\r\nGET / HTTP/1.1'];
    for (const key of attempts) {
      const text = await new Promise<string>((resolve) => {
        const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
          socket.write(
            `POST /api/v1/relays/${victim.relayToken}/generate-claim HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nIdempotency-Key: ${key}\r\nConnection: close\r\n\r\n`,
          );
        });
        let got = '';
        socket.on('data', (c) => (got += c.toString()));
        socket.on('close', () => { resolve(got); });
        socket.on('error', () => { resolve(got); });
      });
      cases += 1;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 400);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(text).not.toMatch(/^X-Injected/im);
    }
    const healthy = await rawRequest(emulator.url, 'POST', '/api/v1/relays/challenge', JSON.stringify({ 'claim-type': 'age_over_18_germany' }), auth);
    expect(healthy.status).toBe(200);
  });

  it('still serves the victim relay exactly once after all of the above', async () => {
    const challenge = await rawRequest(emulator.url, 'POST', '/api/v1/relays/challenge', JSON.stringify({ 'claim-type': 'age_over_18_germany' }), auth);
    const materials = JSON.parse(challenge.text) as Record<string, string>;
    const pending = await beginIssuance({
      challenge: new Uint8Array(Buffer.from(materials.challenge ?? '', 'base64url')),
      tokenKey: new Uint8Array(Buffer.from(materials['token-key'] ?? '', 'base64url')),
    });
    const issued = await fetch(`${emulator.url}/api/v1/token-request`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/private-token-request' },
      body: new Uint8Array(pending.tokenRequest),
    });
    expect(issued.status).toBe(200);
    const token = Buffer.from(await pending.finalize(new Uint8Array(await issued.arrayBuffer()))).toString('base64url');
    emulator.control.finishInquiry(victim.relayToken, { status: 'completed', claimResult: 'passed' });
    const redeem = (): Promise<RawAnswer> =>
      rawRequest(emulator.url, 'POST', `/api/v1/relays/${victim.relayToken}/generate-claim`, '', {
        'persona-relay-secret': victim.relaySecret,
        authorization: `PrivateToken token=${token}`,
      });
    const first = await redeem();
    expect(first.status).toBe(200);
    expect(first.text).toContain('passed');
    expect((await redeem()).status).toBe(401);
    const spent = emulator.control.log().filter((e) => e.path.includes(victim.relayToken) && e.tokenConsumed === true);
    expect(spent).toHaveLength(1);
  });
});
