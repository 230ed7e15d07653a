import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayClaim } from '../wire/types.ts';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import { startSink, startTap, type Listening, type TapAction, type TappedRequest } from '../../test/support/personaTap.ts';
import { BrowserDriver, consumptions, serveHandler } from '../../test/support/relayDriver.ts';
import { createRelayHandler, MemoryStore, type RelayHandlerOptions, type RelaySessionView } from './index.ts';

const apiKey = 'sk_test_persona_wire_key';
const claimType = 'age_over_18_germany';

let emulator: RunningEmulator;
let rfcEmulator: RunningEmulator;

beforeAll(async () => {
  [emulator, rfcEmulator] = await Promise.all([
    startEmulator({ protocol: 'persona', apiKey, control: true, rateLimit: 1_000_000 }),
    startEmulator({ protocol: 'rfc9578', apiKey, control: true, rateLimit: 1_000_000 }),
  ]);
});

afterAll(async () => {
  await Promise.all([emulator.close(), rfcEmulator.close()]);
});

/** A handler whose every upstream request goes through a tap in front of `target`, over real HTTP. */
async function tappedStack(options: Partial<RelayHandlerOptions> & { decide?: (request: TappedRequest) => TapAction; target?: RunningEmulator } = {}) {
  const { decide, target = emulator, ...handlerOptions } = options;
  const tap = await startTap(target.url, decide);
  const store = new MemoryStore();
  const lines: string[] = [];
  const claims: [RelaySessionView, RelayClaim][] = [];
  const handler = createRelayHandler({
    apiKey,
    claimTypes: [claimType],
    personaBaseUrl: tap.url,
    store,
    retry: { baseDelayMs: 10, maxDelayMs: 50, deadlineMs: 2_000 },
    logger: { warn: (message, meta) => lines.push(message + JSON.stringify(meta ?? {})) },
    onClaim: (session, claim) => { claims.push([session, claim]); },
    ...handlerOptions,
  });
  const served = await serveHandler(handler);
  const browser = new BrowserDriver(`${served.url}/api/relay`, new Set());
  return {
    tap,
    store,
    lines,
    claims,
    handler,
    browser,
    async session() {
      const { sessionId } = await browser.createSession(claimType);
      const record = await store.get(sessionId);
      if (!record) throw new Error('no record');
      return { sessionId, relayToken: record.relayToken, relaySecret: record.relaySecret };
    },
    finish(relayToken: string, claimResult: 'passed' | 'failed' = 'passed') {
      target.control.finishInquiry(relayToken, { status: 'completed', claimResult, methodology: [{ method: 'facial_age_estimation', result: claimResult }] });
    },
    async close() {
      await served.close();
      await handler.close();
      await store.close();
      await tap.close();
    },
  };
}

type Stack = Awaited<ReturnType<typeof tappedStack>>;

async function withStack(options: Parameters<typeof tappedStack>[0], run: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await tappedStack(options);
  try {
    await run(stack);
  } finally {
    await stack.close();
  }
}

const bodyOf = (request: TappedRequest | undefined): Record<string, unknown> => JSON.parse(request?.body || '{}') as Record<string, unknown>;
const onPath = (stack: Stack, pattern: RegExp): TappedRequest[] => stack.tap.requests.filter((r) => pattern.test(r.path));

describe('the persona profile on the wire (PROTOCOL.md §2)', () => {
  it('creates and challenges without the API key, issues with it and names no relay, redeems anonymously, in the Go SDK\'s camelCase', async () => {
    await withStack({}, async (stack) => {
      const { sessionId, relayToken, relaySecret } = await stack.session();
      stack.finish(relayToken);
      const token = await stack.browser.obtainToken(sessionId);
      await stack.browser.redeem(sessionId, token);
      expect((await stack.browser.pollUntilSettled(sessionId)).status).toBe('passed');

      const [create] = onPath(stack, /^\/api\/privacy\/v1\/relays$/);
      expect(create?.headers.authorization).toBeUndefined();
      expect(Object.keys(bodyOf(create)).sort()).toEqual(['claimType', 'encryptionKeyPem']);
      expect(bodyOf(create)).toEqual({ claimType, encryptionKeyPem: null });

      const [challenge] = onPath(stack, /^\/api\/privacy\/v1\/relays\/challenge$/);
      expect(challenge?.headers.authorization).toBeUndefined();
      expect(bodyOf(challenge)).toEqual({ claimType });

      const issuance = onPath(stack, /^\/api\/v1\/privacy-passes$/);
      expect(issuance).toHaveLength(1);
      expect(issuance[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
      expect(issuance[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f]{40}$/);
      expect(Object.keys(bodyOf(issuance[0])).sort()).toEqual(['blindedToken', 'keyId']);
      // Unlinkability: nothing Persona could tie to the relay it will later read.
      const issuanceWire = JSON.stringify(issuance[0]);
      for (const linking of [relayToken, relaySecret, sessionId]) expect(issuanceWire).not.toContain(linking);
      expect(issuanceWire).not.toMatch(/relay/i);

      const [redeem] = onPath(stack, /\/generate-claim$/);
      expect(redeem?.path).toBe(`/api/privacy/v1/relays/${relayToken}/generate-claim`);
      expect(redeem?.headers.authorization).toBe(`PrivateToken token=${token}`);
      expect(redeem?.headers['persona-relay-secret']).toBe(relaySecret);
      expect(redeem?.headers['idempotency-key']).toMatch(/.+/);
      expect(JSON.stringify(redeem)).not.toContain(apiKey);
    });
  });

  it('answers the challenge as Persona gave it, with the profile', async () => {
    await withStack({}, async (stack) => {
      const { sessionId } = await stack.session();
      const answer = await stack.browser.call<Record<string, string>>('POST', `/sessions/${sessionId}/challenge`);
      expect(answer.status).toBe(200);
      const upstream = onPath(stack, /\/relays\/challenge$/).at(-1);
      expect(upstream).toBeDefined();
      expect(Object.keys(answer.body).sort()).toEqual(['challenge', 'protocol', 'tokenKey', 'tokenKeyId']);
      expect(answer.body.protocol).toBe('persona');
      // The tap saw Persona's kebab answer; the values are handed on untouched.
      const challenge = await fetch(`${emulator.url}/api/privacy/v1/relays/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ claimType }) });
      const fresh = (await challenge.json()) as Record<string, string>;
      expect(answer.body.tokenKey).toBe(fresh['token-key']);
      expect(answer.body.tokenKeyId).toBe(fresh['token-key-id']);
    });
  });

  it('refuses a redeem token that is not a Persona token before calling Persona', async () => {
    await withStack({}, async (stack) => {
      const { sessionId } = await stack.session();
      const wellFormed = { token_nonce: 'a'.repeat(64), signature: 'AAAA', key_id: 'k', challenge: { mac: 'm', expires_at: '2099-01-01T00:00:00Z' } };
      const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const token of [42, '', 'not base64url!', encode('a string'), encode({ ...wellFormed, token_nonce: 'XYZ' }), encode({ ...wellFormed, challenge: 'flat' }), 'A'.repeat(5000)]) {
        const answer = await stack.browser.call('POST', `/sessions/${sessionId}/redeem`, { token });
        expect(answer.status, JSON.stringify(token).slice(0, 40)).toBe(400);
      }
      expect(onPath(stack, /generate-claim/)).toHaveLength(0);
    });
  });

  it('keeps the Request-Id of the generate-claim that gave the claim, for onClaim and getSession', async () => {
    await withStack({}, async (stack) => {
      const { sessionId, relayToken } = await stack.session();
      stack.finish(relayToken);
      await stack.browser.redeem(sessionId, await stack.browser.obtainToken(sessionId));
      expect((await stack.browser.pollUntilSettled(sessionId)).status).toBe('passed');
      await stack.handler.idle();
      const spent = emulator.control.log().find((e) => e.path.endsWith(`/relays/${relayToken}/generate-claim`) && e.tokenConsumed === true);
      expect(spent?.requestId).toMatch(/^req_/);
      expect(stack.claims).toHaveLength(1);
      expect(stack.claims[0]?.[0].requestId).toBe(spent?.requestId);
      expect((await stack.handler.getSession(sessionId))?.requestId).toBe(spent?.requestId);
    });
  });

  it('a claim payload about another claim type ends the session in error, never in passed', async () => {
    const decide = (request: TappedRequest): TapAction =>
      request.path.endsWith('/generate-claim')
        ? { kind: 'forward', rewrite: (text) => text.replace(/claim_type\\":\\"[a-z0-9_]+/, 'claim_type\\":\\"live_human_presence') }
        : { kind: 'forward' };
    await withStack({ decide }, async (stack) => {
      const { sessionId, relayToken } = await stack.session();
      stack.finish(relayToken);
      await stack.browser.redeem(sessionId, await stack.browser.obtainToken(sessionId));
      const state = await stack.browser.pollUntilSettled(sessionId);
      expect(state.status).toBe('error');
      expect(state.claim).toBeUndefined();
      expect(state.error?.title).toMatch(/another claim type/);
      expect(stack.claims).toHaveLength(0);
      expect(stack.lines.some((line) => line.includes('another claim type'))).toBe(true);
    });
  });

  it('reads Persona\'s error text from `detail` and `details` into the log only: the browser gets a fixed text and the Request-Id', async () => {
    for (const key of ['detail', 'details']) {
      const marker = `upstream-internal-${key}-note`;
      const decide = (request: TappedRequest): TapAction =>
        request.path === '/api/privacy/v1/relays'
          ? { kind: 'answer', status: 422, headers: { 'request-id': 'req_tapped422' }, body: JSON.stringify({ errors: [{ status: '422', title: 'Unprocessable', [key]: `${marker} ${apiKey}` }] }) }
          : { kind: 'forward' };
      await withStack({ decide }, async (stack) => {
        const answer = await stack.browser.call<{ errors: { status: string; title: string; detail?: string; requestId?: string }[] }>('POST', '/sessions', { claimType });
        expect(answer.status).toBe(400);
        expect(answer.body.errors[0]?.requestId).toBe('req_tapped422');
        expect(JSON.stringify(answer.body)).not.toContain(marker);
        const logged = stack.lines.join('\n');
        expect(logged).toContain(marker);
        expect(logged).not.toContain(apiKey);
      });
    }
  });
});

describe('tokens left unspent are kept for the next session of the claim type', () => {
  const refusal = (status: number) => ({ kind: 'answer', status, headers: { 'request-id': `req_tapped${String(status)}` }, body: JSON.stringify({ errors: [{ status: String(status), title: 'Refused' }] }) }) as const;

  it('after an error (a relay Persona does not know): the next session spends the kept token, not its fresh one', async () => {
    let refuseRelay: string | undefined;
    const decide = (request: TappedRequest): TapAction => (refuseRelay && request.path.includes(`/${refuseRelay}/generate-claim`) ? refusal(404) : { kind: 'forward' });
    await withStack({ decide, claimTypes: ['age_over_18_brazil'] }, async (stack) => {
      const first = await stack.browser.createSession('age_over_18_brazil');
      const firstRecord = await stack.store.get(first.sessionId);
      refuseRelay = firstRecord?.relayToken;
      const kept = await stack.browser.obtainToken(first.sessionId);
      await stack.browser.redeem(first.sessionId, kept);
      const failed = await stack.browser.pollUntilSettled(first.sessionId);
      expect(failed.status).toBe('error');
      expect(failed.error?.requestId).toBe('req_tapped404');

      const second = await stack.browser.createSession('age_over_18_brazil');
      const secondRecord = await stack.store.get(second.sessionId);
      stack.finish(secondRecord?.relayToken ?? '');
      const fresh = await stack.browser.obtainToken(second.sessionId);
      await stack.browser.redeem(second.sessionId, fresh);
      expect((await stack.browser.pollUntilSettled(second.sessionId)).status).toBe('passed');
      const redeemed = onPath(stack, new RegExp(`/${secondRecord?.relayToken ?? '-'}/generate-claim$`));
      expect(redeemed.map((r) => r.headers.authorization)).toEqual([`PrivateToken token=${kept}`]);
    });
  });

  it('a kept token Persona refuses as a token (400) is dropped, and the fresh one is spent', async () => {
    let refuseToken: string | undefined;
    const decide = (request: TappedRequest): TapAction =>
      refuseToken && request.path.endsWith('/generate-claim') && request.headers.authorization === `PrivateToken token=${refuseToken}` ? refusal(400) : { kind: 'forward' };
    let refuseRelay: string | undefined;
    const decideBoth = (request: TappedRequest): TapAction => (refuseRelay && request.path.includes(`/${refuseRelay}/generate-claim`) ? refusal(404) : decide(request));
    await withStack({ decide: decideBoth, claimTypes: ['age_over_18_australia'] }, async (stack) => {
      const first = await stack.browser.createSession('age_over_18_australia');
      refuseRelay = (await stack.store.get(first.sessionId))?.relayToken;
      const kept = await stack.browser.obtainToken(first.sessionId);
      await stack.browser.redeem(first.sessionId, kept);
      expect((await stack.browser.pollUntilSettled(first.sessionId)).status).toBe('error');

      refuseToken = kept;
      const second = await stack.browser.createSession('age_over_18_australia');
      const relayToken = (await stack.store.get(second.sessionId))?.relayToken ?? '';
      stack.finish(relayToken);
      const fresh = await stack.browser.obtainToken(second.sessionId);
      await stack.browser.redeem(second.sessionId, fresh);
      expect((await stack.browser.pollUntilSettled(second.sessionId)).status).toBe('passed');
      expect(onPath(stack, new RegExp(`/${relayToken}/generate-claim$`)).map((r) => r.headers.authorization)).toEqual([
        `PrivateToken token=${kept}`,
        `PrivateToken token=${fresh}`,
      ]);
      expect(await stack.store.popRefund('age_over_18_australia')).toBeUndefined();
    });
  });
});

describe('a sandbox key (PROTOCOL.md §7)', () => {
  it('marks create and challenge with sandbox: true, not issuance, and its claims pass without a person', async () => {
    await withStack({ apiKey: 'persona_sandbox_emulator' }, async (stack) => {
      const { sessionId, relayToken } = await stack.session();
      await stack.browser.redeem(sessionId, await stack.browser.obtainToken(sessionId));
      expect((await stack.browser.pollUntilSettled(sessionId)).status).toBe('passed');
      expect(bodyOf(onPath(stack, /^\/api\/privacy\/v1\/relays$/)[0])).toEqual({ claimType, encryptionKeyPem: null, sandbox: true });
      expect(bodyOf(onPath(stack, /\/relays\/challenge$/)[0])).toEqual({ claimType, sandbox: true });
      const issuance = onPath(stack, /\/privacy-passes$/)[0];
      expect(issuance?.headers.authorization).toBe('Bearer persona_sandbox_emulator');
      expect(bodyOf(issuance)).not.toHaveProperty('sandbox');
      expect(consumptions(emulator.control.log(), relayToken)).toBe(1);
    });
  });
});

describe('redirects never carry a secret (redirect: "error")', () => {
  it('a 307 to another origin at issuance and at generate-claim: the API key and the relay secret never arrive there', async () => {
    const sink: Listening = await startSink();
    let redirect: RegExp | undefined;
    const decide = (request: TappedRequest): TapAction =>
      redirect?.test(request.path) ? { kind: 'answer', status: 307, headers: { location: `${sink.url}${request.path}` }, body: '' } : { kind: 'forward' };
    try {
      await withStack({ decide, retry: { baseDelayMs: 10, maxDelayMs: 50, deadlineMs: 500 } }, async (stack) => {
        const { sessionId, relayToken } = await stack.session();
        stack.finish(relayToken);

        redirect = /\/privacy-passes$/;
        await expect(stack.browser.obtainToken(sessionId)).rejects.toThrow(/issue: expected 200, got 50\d/);
        expect(onPath(stack, /\/privacy-passes$/).length).toBeGreaterThan(0);

        redirect = undefined;
        const token = await stack.browser.obtainToken(sessionId);
        redirect = /\/generate-claim$/;
        await stack.browser.redeem(sessionId, token);
        await stack.handler.idle();
        expect(onPath(stack, /\/generate-claim$/).length).toBeGreaterThan(0);
        expect((await stack.browser.read(sessionId)).body.status).toBe('error');
        expect(consumptions(emulator.control.log(), relayToken)).toBe(0);
      });
      expect(sink.requests).toEqual([]);
    } finally {
      await sink.close();
    }
  });
});

describe('encryptionKey is checked when the handler is made', () => {
  const make = (encryptionKey: RelayHandlerOptions['encryptionKey']) => () => createRelayHandler({ apiKey, claimTypes: [claimType], personaBaseUrl: emulator.url, encryptionKey });

  it('refuses keys Persona would refuse, with a TypeError or RangeError naming the option', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(make(small)).toThrow(RangeError);
    expect(make(small)).toThrow(/encryptionKey.*2048 to 4096 bits, not 1024/);
    expect(make(ec)).toThrow(TypeError);
    expect(make('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----')).toThrow(TypeError);
    expect(make(rsa.publicKey)).toThrow(/encryptionKey must be an RSA private key/);
    expect(make(rsa.privateKey)).not.toThrow();
  });
});

describe('the rfc9578 profile keeps today\'s /api/v1 wire', () => {
  it('passes a session end to end, refunds a failed claim and spends the refund next', async () => {
    await withStack({ protocol: 'rfc9578', target: rfcEmulator }, async (stack) => {
      const first = await stack.session();
      stack.finish(first.relayToken, 'failed');
      await stack.browser.redeem(first.sessionId, await stack.browser.obtainToken(first.sessionId));
      expect((await stack.browser.pollUntilSettled(first.sessionId)).status).toBe('failed');
      const refunded = onPath(stack, /\/generate-claim$/).at(-1)?.headers.authorization;

      const second = await stack.session();
      stack.finish(second.relayToken, 'passed');
      await stack.browser.redeem(second.sessionId, await stack.browser.obtainToken(second.sessionId));
      const state = await stack.browser.pollUntilSettled(second.sessionId);
      expect(state.status).toBe('passed');
      expect(state.claim?.claimType).toBe(claimType);
      expect(onPath(stack, /\/generate-claim$/).at(-1)?.headers.authorization).toBe(refunded);

      expect(stack.tap.requests.map((r) => r.path.replace(/rly_[^/]+/, ':relay'))).toEqual(
        expect.arrayContaining(['/api/v1/relays', '/api/v1/relays/challenge', '/api/v1/token-request', '/api/v1/relays/:relay/generate-claim']),
      );
      expect(onPath(stack, /^\/api\/v1\/token-request$/)[0]?.headers['content-type']).toBe('application/private-token-request');
      expect(onPath(stack, /\/privacy\//)).toHaveLength(0);
    });
  });
});
