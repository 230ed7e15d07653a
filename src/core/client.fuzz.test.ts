import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayClient, type RelayClient } from './client.ts';
import { RelayError } from './errors.ts';

// A backend that answers whatever the property says, over real HTTP: every answer must come out as a
// typed value or a RelayError, never a TypeError from deep inside.
const runs = Number(process.env.FUZZ_RUNS ?? 200);
let next: { status: number; body: string; headers: Record<string, string> } = { status: 200, body: '{}', headers: {} };
let server: Server;
let client: RelayClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    res.end(next.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = createRelayClient({ baseUrl: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/relay`, timeoutMs: 5_000 });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));

const statusValues = ['inquiry', 'redeeming', 'needs-token', 'passed', 'failed', 'expired', 'error'];
const nearMiss = fc.record(
  {
    status: fc.oneof(fc.constantFrom(...statusValues), fc.anything()),
    claim: fc.oneof(fc.record({ claimType: fc.oneof(fc.string(), fc.anything()), claimResult: fc.oneof(fc.constantFrom('passed', 'failed'), fc.anything()), methodology: fc.anything() }, { requiredKeys: [] }), fc.anything()),
    error: fc.oneof(fc.record({ status: fc.oneof(fc.integer(), fc.anything()), title: fc.oneof(fc.string(), fc.anything()) }, { requiredKeys: [] }), fc.anything()),
    pollAfterMs: fc.oneof(fc.integer(), fc.double(), fc.anything()),
    sessionId: fc.oneof(fc.string(), fc.anything()),
    sessionAccessToken: fc.oneof(fc.string(), fc.anything()),
    expiresAt: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string(), fc.anything()),
    challenge: fc.oneof(fc.string(), fc.anything()),
    tokenKey: fc.oneof(fc.string(), fc.anything()),
    tokenKeyId: fc.oneof(fc.string(), fc.anything()),
    tokenResponse: fc.oneof(fc.string(), fc.anything()),
    errors: fc.anything(),
  },
  { requiredKeys: [] },
);
const word = fc.string({ minLength: 1, maxLength: 20 });
const validClaim = fc.record(
  { claimType: word, claimResult: fc.constantFrom('passed', 'failed'), methodology: fc.array(fc.record({ method: word, result: fc.constantFrom('passed', 'failed') }), { maxLength: 3 }) },
  { requiredKeys: ['claimType', 'claimResult'] },
);
const valid = fc.oneof(
  fc.record({ status: fc.constantFrom(...statusValues), claim: validClaim, pollAfterMs: fc.nat() }, { requiredKeys: ['status'] }),
  fc.record({ sessionId: word, sessionAccessToken: word, expiresAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) }),
  fc.record({ challenge: word, tokenKey: word, tokenKeyId: word, tokenResponse: word }),
);
const body = fc.oneof(
  valid.map((value) => JSON.stringify(value)),
  nearMiss.map((value) => JSON.stringify(value) ?? 'null'),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
);
const answer = fc.record({
  status: fc.constantFrom(200, 201, 202, 204, 299, 400, 404, 413, 429, 500, 502, 503),
  body,
  retryAfter: fc.option(fc.oneof(fc.nat({ max: 100 }).map(String), fc.string({ unit: fc.constantFrom('a', '1', '-', '.', ' ') })), { nil: undefined }),
});

async function settle(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return await call();
  } catch (error) {
    return error;
  }
}

describe('createRelayClient under arbitrary answers', () => {
  it('resolves with contract-shaped values or rejects with a RelayError', async () => {
    let resolved = 0;
    await fc.assert(
      fc.asyncProperty(answer, fc.constantFrom('createSession', 'challenge', 'issue', 'redeem', 'getSession'), async (a, method) => {
        next = { status: a.status, body: a.status === 204 ? '' : a.body, headers: a.retryAfter === undefined ? {} : { 'retry-after': a.retryAfter } };
        const result = await settle(() => {
          switch (method) {
            case 'createSession':
              return client.createSession('age_over_18_germany');
            case 'challenge':
              return client.challenge('s');
            case 'issue':
              return client.issue('s', 'AAAA');
            case 'redeem':
              return client.redeem('s', 'AAAA');
            case 'getSession':
              return client.getSession('s');
          }
        });
        if (result instanceof Error) {
          expect(result).toBeInstanceOf(RelayError);
          if (a.status >= 400) expect(result).toMatchObject({ name: 'RelayApiError', status: a.status });
          return;
        }
        resolved += 1;
        expect(a.status).toBeLessThan(300);
        if (method === 'issue') expect(result).toBeTypeOf('string');
        else if (method === 'getSession' || method === 'redeem') {
          const state = result as { status: unknown; claim?: { claimType: unknown; claimResult: unknown }; pollAfterMs?: unknown };
          expect(statusValues).toContain(state.status);
          if (state.claim) expect([typeof state.claim.claimType, state.claim.claimResult === 'passed' || state.claim.claimResult === 'failed']).toEqual(['string', true]);
          if (state.pollAfterMs !== undefined) expect(state.pollAfterMs).toBeGreaterThanOrEqual(0);
        } else for (const value of Object.values(result as Record<string, unknown>)) expect(value).toBeTypeOf('string');
      }),
      { numRuns: runs },
    );
    // The generator must reach the success path too, or the property proves little.
    expect(resolved).toBeGreaterThan(0);
  });
});
