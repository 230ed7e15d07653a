import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TokenChallenge } from '@cloudflare/privacypass-ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from './index.ts';
import { api, apiKey, createRelay } from '../../test/support/emulatorApi.ts';

let emulator: RunningEmulator;
let base: string;

beforeAll(async () => {
  emulator = await startEmulator({ protocol: 'rfc9578', control: true, environmentId: 'env_test', organizationId: 'org_test' });
  base = emulator.url;
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.control.reset();
});

const errorOf = async (res: Response) => ((await res.json()) as { errors: { status: string; title: string; detail: string }[] }).errors[0];
const rsaPem = (bits: number): string => generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('POST /relays', () => {
  it('creates a relay with the three tokens and the headers of an authenticated response', async () => {
    const res = await api(base, '/relays', { 'claim-type': 'age_over18_germany', 'encryption-key-pem': null });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['relay-secret', 'relay-session-access-token', 'relay-token']);
    expect(body['relay-session-access-token']?.split('.')).toHaveLength(3);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(res.headers.get('ratelimit-limit')).toBe('300');
    expect(res.headers.get('ratelimit-remaining')).toBe('299');
    expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(res.headers.get('persona-environment-id')).toBe('env_test');
    expect(res.headers.get('persona-organization-id')).toBe('org_test');
  });

  it.each([
    ['camel', ['relaySecret', 'relaySessionAccessToken', 'relayToken']],
    ['snake', ['relay_secret', 'relay_session_access_token', 'relay_token']],
    ['kebab', ['relay-secret', 'relay-session-access-token', 'relay-token']],
  ])('Key-Inflection %s changes the response keys', async (inflection, keys) => {
    const res = await api(base, '/relays', { claimType: 'live_human_presence', encryptionKeyPem: null }, { 'key-inflection': inflection });
    expect(res.status).toBe(201);
    expect(Object.keys((await res.json()) as object).sort()).toEqual(keys);
  });

  it('accepts every default claim type in both spellings, and only configured ones', async () => {
    for (const claimType of ['age_over_18_germany', 'age_over18_germany', 'age_over_13_estimated', 'age_over13_estimated', 'live_human_presence']) {
      expect((await api(base, '/relays', { 'claim-type': claimType, 'encryption-key-pem': null })).status).toBe(201);
    }
    const unknown = await api(base, '/relays', { 'claim-type': 'age_over_99_mars', 'encryption-key-pem': null });
    expect(unknown.status).toBe(422);
    expect(await errorOf(unknown)).toMatchObject({ status: '422', title: 'Unprocessable Entity' });
  });

  it('adds claim types by configuration', async () => {
    const custom = await startEmulator({ protocol: 'rfc9578', claimTypes: { age_over_18_mars: { label: 'Mars', methods: ['live_selfie'] } } });
    try {
      expect((await api(custom.url, '/relays', { 'claim-type': 'age_over_18_mars', 'encryption-key-pem': null })).status).toBe(201);
      expect((await api(custom.url, '/relays', { 'claim-type': 'age_over_18_germany', 'encryption-key-pem': null })).status).toBe(422);
    } finally {
      await custom.close();
    }
  });

  it('accepts RSA encryption keys of 2048–4096 bits and refuses others with a 422 detail', async () => {
    expect((await api(base, '/relays', { 'claim-type': 'age_over_18_italy', 'encryption-key-pem': rsaPem(2048) })).status).toBe(201);
    const small = await api(base, '/relays', { 'claim-type': 'age_over_18_italy', 'encryption-key-pem': rsaPem(1024) });
    expect(small.status).toBe(422);
    expect((await errorOf(small))?.detail).toMatch(/2048 to 4096 bits, got 1024/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect((await errorOf(await api(base, '/relays', { 'claim-type': 'age_over_18_italy', 'encryption-key-pem': ec })))?.detail).toMatch(/RSA/);
    expect((await api(base, '/relays', { 'claim-type': 'age_over_18_italy', 'encryption-key-pem': 'not a pem' })).status).toBe(422);
    expect((await api(base, '/relays', { 'claim-type': 'age_over_18_italy', 'encryption-key-pem': 42 })).status).toBe(422);
  });

  it('answers 400 for malformed JSON, a missing claim type or a missing encryption-key-pem', async () => {
    expect((await api(base, '/relays', '{"claim-type":')).status).toBe(400);
    expect((await api(base, '/relays', '[1,2]')).status).toBe(400);
    expect((await api(base, '/relays', { 'encryption-key-pem': null })).status).toBe(400);
    expect((await api(base, '/relays', { 'claim-type': 'age_over_18_germany' })).status).toBe(400);
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await api(base, '/relays', { 'claim-type': 'x'.repeat(70 * 1024), 'encryption-key-pem': null });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ status: '413' });
  });

  it('answers 401 for a missing or wrong API key, without the rate limit headers', async () => {
    const missing = await fetch(`${base}/api/v1/relays`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('request-id')).toMatch(/^req_/);
    const wrong = await api(base, '/relays', {}, { authorization: 'Bearer sk_test_wrong' });
    expect(wrong.status).toBe(401);
    expect(await errorOf(wrong)).toEqual({ status: '401', title: 'Unauthorized', detail: 'Missing or invalid API key.' });
  });

  it('accepts known Persona-Version values and refuses unknown ones with 400', async () => {
    const body = { 'claim-type': 'age_over_18_germany', 'encryption-key-pem': null };
    expect((await api(base, '/relays', body, { 'persona-version': '2023-01-05' })).status).toBe(201);
    expect((await api(base, '/relays', body, { 'persona-version': '2021-07-05' })).status).toBe(201);
    const unknown = await api(base, '/relays', body, { 'persona-version': '1999-01-01' });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('ratelimit-limit')).toBe('300');
    expect((await api(base, '/relays', body, { 'key-inflection': 'shouty' })).status).toBe(400);
  });

  it('answers 404 for unknown routes and 405 for wrong methods', async () => {
    expect((await api(base, '/nothing', {})).status).toBe(404);
    const get = await fetch(`${base}/api/v1/relays`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(get.status).toBe(405);
  });
});

describe('POST /relays/challenge', () => {
  it('returns an RFC 9577 type-2 challenge for this host, the key and its SHA-256 id', async () => {
    const res = await api(base, '/relays/challenge', { 'claim-type': 'age_over_18_germany' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    const challenge = TokenChallenge.deserialize(new Uint8Array(Buffer.from(body.challenge ?? '', 'base64url')));
    expect(challenge.tokenType).toBe(2);
    expect(challenge.issuerName).toBe(new URL(base).host);
    expect(challenge.redemptionContext.length).toBe(0);
    const tokenKey = Buffer.from(body['token-key'] ?? '', 'base64url');
    expect(body['token-key-id']).toBe(createHash('sha256').update(tokenKey).digest('hex'));
    // id-RSASSA-PSS (1.2.840.113549.1.1.10) SPKI, as RFC 9578 §6.5 asks.
    expect(tokenKey.toString('hex')).toContain('06092a864886f70d01010a');
    const again = (await (await api(base, '/relays/challenge', { claim_type: 'age_over_18_germany' })).json()) as Record<string, string>;
    expect(again['token-key-id']).toBe(body['token-key-id']);
  });

  it('names the publicUrl host as issuer when mounted behind another server', async () => {
    const mounted = await startEmulator({ protocol: 'rfc9578', publicUrl: 'https://relay.example:8443/persona' });
    try {
      const body = (await (await api(mounted.url, '/relays/challenge', { 'claim-type': 'live_human_presence' })).json()) as Record<string, string>;
      expect(TokenChallenge.deserialize(new Uint8Array(Buffer.from(body.challenge ?? '', 'base64url'))).issuerName).toBe('relay.example:8443');
    } finally {
      await mounted.close();
    }
  });

  it('gives each claim type its own key, and 4096-bit keys when configured', async () => {
    const a = (await (await api(base, '/relays/challenge', { 'claim-type': 'age_over_18_brazil' })).json()) as Record<string, string>;
    const b = (await (await api(base, '/relays/challenge', { 'claim-type': 'age_over18_brazil' })).json()) as Record<string, string>;
    expect(a['token-key-id']).not.toBe(b['token-key-id']);
    const big = await startEmulator({ protocol: 'rfc9578', claimTypes: { age_over_18_germany: { keyBits: 4096 } } });
    try {
      const body = (await (await api(big.url, '/relays/challenge', { 'claim-type': 'age_over_18_germany' })).json()) as Record<string, string>;
      expect(Buffer.from(body['token-key'] ?? '', 'base64url').length).toBeGreaterThan(512);
    } finally {
      await big.close();
    }
  });

  it('serves a ready-made key passed in options (the RFC 9578 A.2 issuer key)', async () => {
    const [vector] = JSON.parse(readFileSync(new URL('../../test/vectors/rfc9578-type2-issuance.json', import.meta.url), 'utf8')) as { skS: string; pkS: string }[];
    const privateKey = createPrivateKey(Buffer.from(vector?.skS ?? '', 'hex').toString('utf8'));
    const premade = await startEmulator({ protocol: 'rfc9578', claimTypes: { age_over_18_germany: { privateKey } } });
    try {
      const body = (await (await api(premade.url, '/relays/challenge', { 'claim-type': 'age_over_18_germany' })).json()) as Record<string, string>;
      expect(Buffer.from(body['token-key'] ?? '', 'base64url').toString('hex')).toBe(vector?.pkS);
    } finally {
      await premade.close();
    }
  });

  it('refuses unknown claim types', async () => {
    expect((await api(base, '/relays/challenge', { 'claim-type': 'nope' })).status).toBe(422);
    expect((await api(base, '/relays/challenge', {})).status).toBe(400);
  });
});

describe('POST /token-request', () => {
  it('insists on the RFC 9578 media type and a key it handed out', async () => {
    const wrongType = await api(base, '/token-request', 'x');
    expect(wrongType.status).toBe(415);
    const unknownKey = await fetch(`${base}/api/v1/token-request`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/private-token-request' },
      body: new Uint8Array(259).fill(2, 0, 2),
    });
    expect(unknownKey.status).toBe(400);
  });
});

describe('relay secret and API key stay out of the log', () => {
  it('redacts Authorization and Persona-Relay-Secret', async () => {
    const relay = await createRelay(base, 'age_over_18_germany');
    await fetch(`${base}/api/v1/relays/${relay.relayToken}/generate-claim`, { method: 'POST', headers: { 'persona-relay-secret': relay.relaySecret } });
    const text = JSON.stringify(emulator.control.log());
    expect(text).not.toContain(relay.relaySecret);
    expect(text).not.toContain(apiKey);
    expect(text).toContain('[redacted]');
  });
});
