import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  apiKey,
  createPersonaRelay,
  generatePersonaClaim,
  issuePersonaTokenWithKit,
  personaPost,
  sandboxApiKey,
  startEmulatorPerTest,
} from '../../test/support/emulatorApi.ts';
import { beginPersonaIssuance } from '../privacy-pass/index.ts';
import { knownPersonaVersions } from './index.ts';

const start = startEmulatorPerTest();
const claimType = 'age_over18_germany';
const errorOf = async (res: Response) => ((await res.json()) as { errors: { status: string; title: string; detail: string }[] }).errors[0];
const finish = (url: string, relayToken: string, body: unknown) =>
  fetch(`${url}/__emulator/relays/${relayToken}/inquiry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const claimOf = async (res: Response) => {
  expect(res.status).toBe(200);
  const body = (await res.json()) as { 'claim-payload': string; 'token-consumed': boolean };
  return { consumed: body['token-consumed'], claim: JSON.parse(body['claim-payload']) as Record<string, unknown> };
};
const challengeAt = async (url: string) => {
  const res = await personaPost(url, '/api/privacy/v1/relays/challenge', { 'claim-type': claimType });
  const { challenge } = (await res.json()) as { challenge: string };
  return JSON.parse(Buffer.from(challenge, 'base64url').toString('utf8')) as Record<string, unknown>;
};

describe('persona profile (the default)', () => {
  it('redeems a token made by the kit’s own client; headers: Request-Id everywhere, RateLimit-* and ids on the authenticated issuance', async () => {
    const { url } = await start({ control: true, environmentId: 'env_test', organizationId: 'org_test' });
    const created = await personaPost(url, '/api/privacy/v1/relays', { 'claim-type': claimType, 'encryption-key-pem': null });
    expect(created.status).toBe(200);
    expect(created.headers.get('request-id')).toMatch(/^req_[0-9a-f]{24}$/);
    expect(created.headers.get('ratelimit-limit')).toBeNull();
    const issued = await personaPost(url, '/api/v1/privacy-passes', { 'blinded-token': 'AAAA', 'key-id': 'nope' }, { authorization: `Bearer ${apiKey}` });
    expect(issued.status).toBe(422);
    expect(issued.headers.get('request-id')).toMatch(/^req_/);
    expect(issued.headers.get('ratelimit-limit')).toBe('300');
    expect(issued.headers.get('persona-environment-id')).toBe('env_test');
    expect(issued.headers.get('persona-organization-id')).toBe('org_test');

    const relay = await createPersonaRelay(url, claimType);
    const token = await issuePersonaTokenWithKit(url, claimType);
    expect((await finish(url, relay.relayToken, { status: 'completed', claimResult: 'passed', methodology: [{ method: 'document_selfie', result: 'passed' }] })).status).toBe(200);
    const { claim, consumed } = await claimOf(await generatePersonaClaim(url, relay, token));
    expect(claim).toEqual({ claim_type: claimType, claim_result: 'passed', methodology: [{ method: 'document_selfie', result: 'passed' }] });
    expect(consumed).toBe(true);
  });

  it('does not serve the RFC profile’s paths, and the RFC profile does not serve Persona’s', async () => {
    const persona = await start();
    const rfc = await start({ protocol: 'rfc9578' });
    const body = JSON.stringify({ 'claim-type': claimType, 'encryption-key-pem': null });
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    expect((await fetch(`${persona.url}/api/v1/relays`, { method: 'POST', headers, body })).status).toBe(404);
    expect((await fetch(`${persona.url}/api/v1/token-request`, { method: 'POST', headers, body })).status).toBe(404);
    expect((await fetch(`${rfc.url}/api/privacy/v1/relays`, { method: 'POST', headers, body })).status).toBe(404);
  });

  it('accepts every Persona-Version of the API reference’s enum and refuses others with 400', async () => {
    const { url } = await start();
    expect(knownPersonaVersions).toEqual(expect.arrayContaining(['2025-12-08', '2025-10-27', '2020-05-18']));
    for (const version of knownPersonaVersions) {
      expect((await personaPost(url, '/api/privacy/v1/relays', { claimType }, { 'persona-version': version })).status).toBe(200);
    }
    for (const version of ['2025-01-01', '2026-09-29', '1999-01-01']) {
      const res = await personaPost(url, '/api/privacy/v1/relays', { claimType }, { 'persona-version': version });
      expect(res.status).toBe(400);
      expect((await errorOf(res))?.detail).toContain('Persona-Version');
    }
  });

  it('expires challenges at the next full hour at least one hour ahead', async () => {
    let now = Date.parse('2026-05-18T16:20:00Z');
    const { url } = await start({ clock: { now: () => now } });
    expect((await challengeAt(url)).expires_at).toBe('2026-05-18T18:00:00Z');
    now = Date.parse('2026-05-18T16:00:00Z');
    expect((await challengeAt(url)).expires_at).toBe('2026-05-18T17:00:00Z');
    now = Date.parse('2026-05-18T16:59:59.999Z');
    expect((await challengeAt(url)).expires_at).toBe('2026-05-18T18:00:00Z');
  });

  it('answers Key-Inflection snake and camel, and reads snake_case bodies', async () => {
    const { url } = await start();
    const snake = await personaPost(url, '/api/privacy/v1/relays/challenge', { claim_type: claimType }, { 'key-inflection': 'snake' });
    expect(Object.keys((await snake.json()) as object).sort()).toEqual(['challenge', 'token_key', 'token_key_id']);
    const camel = await personaPost(url, '/api/privacy/v1/relays/challenge', { claimType }, { 'key-inflection': 'camel' });
    expect(Object.keys((await camel.json()) as object).sort()).toEqual(['challenge', 'tokenKey', 'tokenKeyId']);
  });

  it('answers a token-less generate-claim with 401 and a WWW-Authenticate challenge a client can redeem with', async () => {
    const { url } = await start({ control: true });
    const relay = await createPersonaRelay(url, claimType);
    const res = await generatePersonaClaim(url, relay, undefined);
    expect(res.status).toBe(401);
    const header = res.headers.get('www-authenticate') ?? '';
    const params = Object.fromEntries([...header.matchAll(/([a-z-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(header.startsWith('PrivateToken ')).toBe(true);
    expect(Object.keys(params).sort()).toEqual(['challenge', 'token-key', 'token-key-id']);
    for (const value of Object.values(params)) expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    const pending = await beginPersonaIssuance({
      challenge: params.challenge ?? '',
      tokenKey: new Uint8Array(Buffer.from(params['token-key'] ?? '', 'base64url')),
      tokenKeyId: params['token-key-id'] ?? '',
    });
    const issued = await personaPost(url, '/api/v1/privacy-passes', { blindedToken: Buffer.from(pending.blindedToken).toString('base64url'), keyId: params['token-key-id'] }, { authorization: `Bearer ${apiKey}` });
    const token = await pending.finalize(new Uint8Array(Buffer.from(((await issued.json()) as { 'blind-sig': string })['blind-sig'], 'base64url')));
    await finish(url, relay.relayToken, { status: 'completed' });
    expect((await claimOf(await generatePersonaClaim(url, relay, token))).consumed).toBe(true);
  });

  it('refuses a token whose challenge carries a valid MAC but another origin_info (§4.5 step 3)', async () => {
    const challengeSecret = new Uint8Array(32).fill(7);
    const { url } = await start({ control: true, challengeSecret });
    const answer = (await (await personaPost(url, '/api/privacy/v1/relays/challenge', { claimType })).json()) as Record<string, string>;
    const fields = { token_type: 2, issuer_name: 'elsewhere.example/api/v1/privacy-passes', origin_info: '/api/other', expires_at: '2099-01-01T00:00:00Z' };
    // Forged with the pinned secret, so only the origin check can refuse it.
    const mac = createHmac('sha256', challengeSecret).update(JSON.stringify(Object.values(fields))).digest('hex');
    const pending = await beginPersonaIssuance({
      challenge: Buffer.from(JSON.stringify({ ...fields, mac })).toString('base64url'),
      tokenKey: new Uint8Array(Buffer.from(answer['token-key'] ?? '', 'base64url')),
      tokenKeyId: answer['token-key-id'] ?? '',
    });
    const issued = await personaPost(url, '/api/v1/privacy-passes', { blindedToken: Buffer.from(pending.blindedToken).toString('base64url'), keyId: answer['token-key-id'] }, { authorization: `Bearer ${apiKey}` });
    const token = await pending.finalize(new Uint8Array(Buffer.from(((await issued.json()) as { 'blind-sig': string })['blind-sig'], 'base64url')));
    const relay = await createPersonaRelay(url, claimType);
    await finish(url, relay.relayToken, { status: 'completed' });
    const res = await generatePersonaClaim(url, relay, token);
    expect(res.status).toBe(401);
    expect((await errorOf(res))?.detail).toMatch(/another origin/);
  });

  it('reports no methodology for a canceled or expired inquiry, refunds the pass, and hides it for France', async () => {
    const { url } = await start({ control: true });
    for (const status of ['canceled', 'expired'] as const) {
      const relay = await createPersonaRelay(url, claimType);
      await finish(url, relay.relayToken, { status });
      const { claim, consumed } = await claimOf(await generatePersonaClaim(url, relay, await issuePersonaTokenWithKit(url, claimType)));
      expect(claim).toEqual({ claim_type: claimType, claim_result: 'failed', methodology: [] });
      expect(consumed).toBe(false);
    }
    const france = await createPersonaRelay(url, 'age_over18_france');
    await finish(url, france.relayToken, { status: 'completed' });
    const { claim } = await claimOf(await generatePersonaClaim(url, france, await issuePersonaTokenWithKit(url, 'age_over18_france')));
    expect(claim).toEqual({ claim_type: 'age_over18_france', claim_result: 'passed' });
  });

  it('keeps the hosted page working: the person’s choice on the page decides the claim', async () => {
    const { url } = await start();
    const relay = await createPersonaRelay(url, claimType);
    const page = await fetch(`${url}/relay?relay-session-access-token=${encodeURIComponent(relay.sessionToken)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('inquiry-form');
    const decided = await fetch(`${url}/relay/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: relay.sessionToken, action: 'complete', outcome: 'failed', method: 'facial_age_estimation' }),
    });
    expect(decided.status).toBe(200);
    const { claim } = await claimOf(await generatePersonaClaim(url, relay, await issuePersonaTokenWithKit(url, claimType)));
    expect(claim).toEqual({ claim_type: claimType, claim_result: 'failed', methodology: [{ method: 'facial_age_estimation', result: 'failed' }] });
  });
});

describe('persona profile: sandbox', () => {
  it('passes every sandbox claim unfinished (no method ran), unless the control API ends the inquiry otherwise', async () => {
    const { url } = await start({ control: true });
    const relay = await createPersonaRelay(url, claimType, { sandbox: true });
    const token = await issuePersonaTokenWithKit(url, claimType, { apiKey: sandboxApiKey, sandbox: true });
    const { claim, consumed } = await claimOf(await generatePersonaClaim(url, relay, token));
    expect(claim).toEqual({ claim_type: claimType, claim_result: 'passed', methodology: [] });
    expect(consumed).toBe(true);

    const failed = await createPersonaRelay(url, claimType, { sandbox: true });
    await finish(url, failed.relayToken, { status: 'failed' });
    const second = await claimOf(await generatePersonaClaim(url, failed, await issuePersonaTokenWithKit(url, claimType, { apiKey: sandboxApiKey, sandbox: true })));
    expect(second.claim.claim_result).toBe('failed');
  });

  it('a persona_sandbox_ API key is a sandbox key, and its issuance refuses a production key id', async () => {
    const { url } = await start({ apiKey: 'persona_sandbox_mine' });
    const relay = await createPersonaRelay(url, claimType, { sandbox: true });
    const token = await issuePersonaTokenWithKit(url, claimType, { apiKey: 'persona_sandbox_mine', sandbox: true });
    expect((await claimOf(await generatePersonaClaim(url, relay, token))).claim.claim_result).toBe('passed');
    await expect(issuePersonaTokenWithKit(url, claimType, { apiKey: 'persona_sandbox_mine' })).rejects.toThrow(/privacy-passes: 422/);
  });

  it('keeps the two scopes apart: a production pass does not redeem a sandbox relay, nor the reverse', async () => {
    const { url } = await start({ control: true });
    const sandboxRelay = await createPersonaRelay(url, claimType, { sandbox: true });
    const productionRelay = await createPersonaRelay(url, claimType);
    await finish(url, productionRelay.relayToken, { status: 'completed' });
    const productionToken = await issuePersonaTokenWithKit(url, claimType);
    const sandboxToken = await issuePersonaTokenWithKit(url, claimType, { apiKey: sandboxApiKey, sandbox: true });
    expect((await generatePersonaClaim(url, sandboxRelay, productionToken)).status).toBe(401);
    expect((await generatePersonaClaim(url, productionRelay, sandboxToken)).status).toBe(401);
    expect((await claimOf(await generatePersonaClaim(url, productionRelay, productionToken))).consumed).toBe(true);
  });

  it('refuses a sandboxApiKey without the persona_sandbox_ prefix, and an unknown protocol', async () => {
    await expect(start({ sandboxApiKey: 'sk_sandbox' })).rejects.toThrow(RangeError);
    await expect(start({ protocol: 'rfc9999' as 'persona' })).rejects.toThrow(RangeError);
  });
});
