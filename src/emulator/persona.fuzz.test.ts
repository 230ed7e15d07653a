import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPersonaRelay, issuePersonaTokenWithKit } from '../../test/support/emulatorApi.ts';
import { expectClientError, hostileBody, rawRequest, wrongTypedValue, type RawAnswer } from '../../test/support/hostileInput.ts';
import { startEmulator, type RunningEmulator } from './index.ts';

const apiKey = 'sk_test_persona_fuzz_key';
const runs = Number(process.env.FUZZ_RUNS ?? 100);
const claimType = 'age_over18_germany';
let emulator: RunningEmulator;
let victim: { relayToken: string; relaySecret: string };
let token: string;
let cases = 0;

function expectRejected(answer: RawAnswer, what: string): void {
  cases += 1;
  expectClientError(answer, what, [apiKey, victim.relaySecret]);
}

const redeem = (value: string) =>
  rawRequest(emulator.url, 'POST', `/api/privacy/v1/relays/${victim.relayToken}/generate-claim`, '{}', {
    'content-type': 'application/json',
    'persona-relay-secret': victim.relaySecret,
    authorization: `PrivateToken token=${value}`,
  });

beforeAll(async () => {
  emulator = await startEmulator({ apiKey, rateLimit: 1_000_000_000, control: true });
  victim = await createPersonaRelay(emulator.url, claimType);
  token = await issuePersonaTokenWithKit(emulator.url, claimType, { apiKey });
  emulator.control.finishInquiry(victim.relayToken, { status: 'completed', claimResult: 'passed' });
});

afterAll(async () => {
  console.log(`persona emulator fuzz: ${String(cases)} hostile cases, every one a 4xx with the error shape and no secret`);
  await emulator.close();
});

describe('persona profile under hostile input', () => {
  it('refuses every mangled Persona token with a 4xx; one whose signed parts are intact spends the pass', async () => {
    let spent = false;
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown> & { challenge: Record<string, unknown> };
    const field = fc.constantFrom('token_nonce', 'signature', 'key_id', 'challenge');
    const challengeField = fc.constantFrom('token_type', 'issuer_name', 'origin_info', 'expires_at', 'mac', 'extra');
    const mangled = fc.oneof(
      fc.tuple(field, wrongTypedValue).map(([name, value]) => ({ ...decoded, [name]: value })),
      fc.tuple(challengeField, wrongTypedValue).map(([name, value]) => ({ ...decoded, challenge: { ...decoded.challenge, [name]: value } })),
      fc.tuple(field).map(([name]) => Object.fromEntries(Object.entries(decoded).filter(([k]) => k !== name))),
    );
    const value = fc.oneof(
      mangled.map((json) => Buffer.from(JSON.stringify(json)).toString('base64url')),
      fc.string({ maxLength: 200 }).map((text) => Buffer.from(text).toString('base64url')),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,300}$/),
    );
    await fc.assert(
      fc.asyncProperty(value, async (candidate) => {
        // A mangling that leaves the token intact (e.g. an extra challenge field keeps its MAC) is not hostile.
        fc.pre(candidate !== token);
        const answer = await redeem(candidate);
        if (answer.status === 200) {
          // Only a token whose signed parts are untouched may redeem: an unknown challenge field is echoed, not signed.
          const parsed = JSON.parse(Buffer.from(candidate, 'base64url').toString('utf8')) as Record<string, unknown>;
          expect(parsed.token_nonce).toBe(decoded.token_nonce);
          expect(spent).toBe(false);
          spent = true;
          return;
        }
        expectRejected(answer, `token ${candidate.slice(0, 60)}`);
      }),
      { numRuns: runs },
    );
    // The nonce is the one-time key (§4.5 step 5): once any variant redeemed, the original is spent too.
    const last = await redeem(token);
    expect(last.status).toBe(spent ? 401 : 200);
  }, 120_000);

  it('answers ill-typed fields and hostile bodies on create, challenge and issuance with a 4xx', async () => {
    const route = fc.constantFrom(
      { path: '/api/privacy/v1/relays', fields: ['claimType', 'encryptionKeyPem', 'sandbox'] },
      { path: '/api/privacy/v1/relays/challenge', fields: ['claimType', 'sandbox'] },
      { path: '/api/v1/privacy-passes', fields: ['blindedToken', 'keyId'] },
    );
    const body = fc.oneof(
      route.chain((r) => fc.tuple(fc.constant(r.path), fc.constantFrom(...r.fields), wrongTypedValue).map(([path, name, value]) => ({ path, body: JSON.stringify({ claimType, [name]: value }) }))),
      fc.tuple(route, hostileBody).map(([r, text]) => ({ path: r.path, body: text })),
    );
    await fc.assert(
      fc.asyncProperty(body, async ({ path, body: text }) => {
        const answer = await rawRequest(emulator.url, 'POST', path, text, { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` });
        if (answer.status === 200) return; // e.g. sandbox: false, or a wrong type the route ignores
        expectRejected(answer, `${path} ${text.slice(0, 80)}`);
      }),
      { numRuns: runs },
    );
  }, 120_000);
});
