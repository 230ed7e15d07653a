import { generateKeyPair, privateDecrypt, constants } from 'node:crypto';
import { promisify } from 'node:util';
import { WWWAuthenticateHeader } from '@cloudflare/privacypass-ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from './index.ts';
import { verifyToken } from '../privacy-pass/index.ts';
import { startEmulator as start } from './startEmulator.ts';
import { api, createRelay, generateClaim, issueToken, issueTokenWithKit } from '../../test/support/emulatorApi.ts';

let emulator: RunningEmulator;
let base: string;

beforeAll(async () => {
  emulator = await startEmulator({ protocol: 'rfc9578', control: true });
  base = emulator.url;
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.control.reset();
});

const consumptions = (): number => emulator.control.log().filter((e) => e.tokenConsumed === true).length;

describe('generate-claim', () => {
  it('answers 403 until the inquiry is finished, then the passed claim, spending the token', async () => {
    const relay = await createRelay(base, 'age_over_18_germany');
    const token = await issueToken(base, 'age_over_18_germany');
    const early = await generateClaim(base, relay, token);
    expect(early.status).toBe(403);
    expect(((await early.json()) as { errors: { status: string; detail: string }[] }).errors[0]).toMatchObject({ status: '403' });
    emulator.control.finishInquiry(relay.relayToken, { status: 'completed', methodology: [{ method: 'document_selfie', result: 'passed' }] });
    const res = await generateClaim(base, relay, token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { 'claim-payload': string; 'token-consumed': boolean };
    expect(body['token-consumed']).toBe(true);
    expect(JSON.parse(body['claim-payload'])).toEqual({
      claim_type: 'age_over_18_germany',
      claim_result: 'passed',
      methodology: [{ method: 'document_selfie', result: 'passed' }],
    });
    expect(consumptions()).toBe(1);
  });

  it('redeems tokens from the kit’s own client at 2048 and 4096 bits', async () => {
    const big = await start({ protocol: 'rfc9578', keyBits: 4096, control: true });
    try {
      for (const server of [emulator, big]) {
        const relay = await createRelay(server.url, 'age_over_18_germany');
        server.control.finishInquiry(relay.relayToken, { status: 'completed' });
        const token = await issueTokenWithKit(server.url, 'age_over_18_germany');
        expect((await generateClaim(server.url, relay, token)).status).toBe(200);
        expect((await generateClaim(server.url, relay, token)).status).toBe(401);
      }
    } finally {
      await big.close();
    }
  });

  it('gives Cloudflare’s client tokens the kit’s verifier accepts (RFC 9578 type 2 is 2048-bit there)', async () => {
    const token = await issueToken(base, 'age_over_18_germany');
    const { 'token-key': tokenKey } = (await (await api(base, '/relays/challenge', { 'claim-type': 'age_over_18_germany' })).json()) as { 'token-key': string };
    expect(await verifyToken(token, new Uint8Array(Buffer.from(tokenKey, 'base64url')))).toBe(true);
  });

  it('refuses a spent token with 401 and a fresh PrivateToken challenge Cloudflare can parse', async () => {
    const a = await createRelay(base, 'age_over18_germany');
    const b = await createRelay(base, 'age_over18_germany');
    emulator.control.finishInquiry(a.relayToken, { status: 'completed' });
    emulator.control.finishInquiry(b.relayToken, { status: 'completed' });
    const token = await issueToken(base, 'age_over18_germany');
    expect((await generateClaim(base, a, token)).status).toBe(200);
    const again = await generateClaim(base, b, token);
    expect(again.status).toBe(401);
    const header = again.headers.get('www-authenticate') ?? '';
    const [parsed] = WWWAuthenticateHeader.parse(header);
    expect(parsed?.challenge.tokenType).toBe(2);
    expect(parsed?.challenge.issuerName).toBe(new URL(base).host);
    expect(parsed?.tokenKey.length).toBeGreaterThan(256);
  });

  it('answers 401 with a challenge when the token is missing, malformed or for another claim type', async () => {
    const relay = await createRelay(base, 'age_over_18_united_kingdom');
    emulator.control.finishInquiry(relay.relayToken, { status: 'completed' });
    const missing = await generateClaim(base, relay, undefined);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^PrivateToken challenge="[\w-]+=*", token-key="[\w-]+=*"$/);
    expect((await generateClaim(base, relay, new Uint8Array(10))).status).toBe(401);
    const otherType = await issueToken(base, 'age_over_18_brazil');
    expect((await generateClaim(base, relay, otherType)).status).toBe(401);
    const good = await issueToken(base, 'age_over_18_united_kingdom');
    const tampered = good.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect((await generateClaim(base, relay, tampered)).status).toBe(401);
    expect(consumptions()).toBe(0);
    expect((await generateClaim(base, relay, good)).status).toBe(200);
  });

  it('answers 404 for an unknown relay and for a wrong relay secret', async () => {
    const relay = await createRelay(base, 'age_over_18_verified');
    const token = await issueToken(base, 'age_over_18_verified');
    expect((await generateClaim(base, { ...relay, relayToken: 'rly_nope' }, token)).status).toBe(404);
    expect((await generateClaim(base, { ...relay, relaySecret: 'rls_wrong' }, token)).status).toBe(404);
    const noSecret = await fetch(`${base}/api/v1/relays/${relay.relayToken}/generate-claim`, { method: 'POST' });
    expect(noSecret.status).toBe(404);
  });

  it('refunds the token when the claim failed, and the same token is spent on a later pass', async () => {
    const failed = await createRelay(base, 'age_over_21_verified');
    emulator.control.finishInquiry(failed.relayToken, { status: 'failed' });
    const token = await issueToken(base, 'age_over_21_verified');
    const res = await generateClaim(base, failed, token);
    const body = (await res.json()) as { 'claim-payload': string; 'token-consumed': boolean };
    expect(body['token-consumed']).toBe(false);
    expect(JSON.parse(body['claim-payload'])).toMatchObject({ claim_result: 'failed' });
    const passed = await createRelay(base, 'age_over_21_verified');
    emulator.control.finishInquiry(passed.relayToken, { status: 'completed' });
    const second = (await (await generateClaim(base, passed, token)).json()) as { 'token-consumed': boolean };
    expect(second['token-consumed']).toBe(true);
    expect((await generateClaim(base, passed, token)).status).toBe(401);
  });

  it('omits methodology for France and Italy', async () => {
    for (const claimType of ['age_over_18_france', 'age_over18_italy']) {
      const relay = await createRelay(base, claimType);
      emulator.control.finishInquiry(relay.relayToken, { status: 'completed', methodology: [{ method: 'live_selfie', result: 'passed' }] });
      const body = (await (await generateClaim(base, relay, await issueToken(base, claimType))).json()) as { 'claim-payload': string };
      expect(JSON.parse(body['claim-payload'])).toEqual({ claim_type: claimType, claim_result: 'passed' });
    }
  });

  it('encrypts the payload with RSA-OAEP SHA-256 for the key given at creation', async () => {
    for (const bits of [2048, 4096]) {
      // Off the event loop: a blocking 4096-bit generation would stall the in-process emulator's sockets.
      const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: bits });
      const relay = await createRelay(base, 'live_human_presence', publicKey.export({ type: 'spki', format: 'pem' }).toString());
      emulator.control.finishInquiry(relay.relayToken, { status: 'completed' });
      const body = (await (await generateClaim(base, relay, await issueToken(base, 'live_human_presence'))).json()) as { 'claim-payload': string };
      const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(body['claim-payload'], 'base64'));
      expect(JSON.parse(plain.toString())).toEqual({ claim_type: 'live_human_presence', claim_result: 'passed', methodology: [{ method: 'live_selfie', result: 'passed' }] });
    }
  });

  it('inflects the response keys (camel, snake) but not the payload JSON', async () => {
    for (const [inflection, keys] of [
      ['camel', ['claimPayload', 'tokenConsumed']],
      ['snake', ['claim_payload', 'token_consumed']],
    ] as const) {
      const relay = await createRelay(base, 'age_over_18_australia');
      emulator.control.finishInquiry(relay.relayToken, { status: 'completed' });
      const res = await generateClaim(base, relay, await issueToken(base, 'age_over_18_australia'), { 'key-inflection': inflection });
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual([...keys].sort());
      expect(JSON.parse(body[keys[0]] as string)).toHaveProperty('claim_type', 'age_over_18_australia');
    }
  });

  it('replays a stored answer for the same Idempotency-Key and answers 409 for a different request', async () => {
    const relay = await createRelay(base, 'age_over_16_australia');
    emulator.control.finishInquiry(relay.relayToken, { status: 'completed' });
    const token = await issueToken(base, 'age_over_16_australia');
    const first = await generateClaim(base, relay, token, { 'idempotency-key': 'idem-1' });
    const replay = await generateClaim(base, relay, token, { 'idempotency-key': 'idem-1' });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(await first.text());
    const other = await issueToken(base, 'age_over_16_australia');
    const conflict = await generateClaim(base, relay, other, { 'idempotency-key': 'idem-1' });
    expect(conflict.status).toBe(409);
    expect(consumptions()).toBe(1);
    // After 24 hours the record is gone: the same request is a fresh one (and the token is spent).
    emulator.control.advanceClock(24 * 3600 + 1);
    expect((await generateClaim(base, relay, token, { 'idempotency-key': 'idem-1' })).status).toBe(401);
  });

  it('does not store a 403: a retry with the same Idempotency-Key after the inquiry ends gets the claim', async () => {
    const relay = await createRelay(base, 'age_over_18_germany');
    const token = await issueToken(base, 'age_over_18_germany');
    expect((await generateClaim(base, relay, token, { 'idempotency-key': 'retry-me' })).status).toBe(403);
    emulator.control.finishInquiry(relay.relayToken, { status: 'completed' });
    expect((await generateClaim(base, relay, token, { 'idempotency-key': 'retry-me' })).status).toBe(200);
    expect((await generateClaim(base, relay, token, { 'idempotency-key': 'x'.repeat(256) })).status).toBe(400);
  });

  it('spends the token once for 100 concurrent calls with one Idempotency-Key, all with the same body', async () => {
    const relay = await createRelay(base, 'age_over_18_estimated');
    emulator.control.finishInquiry(relay.relayToken, { status: 'completed' });
    const token = await issueToken(base, 'age_over_18_estimated');
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => generateClaim(base, relay, token, { 'idempotency-key': 'same-key' }).then(async (r) => [r.status, await r.text()] as const)),
    );
    expect(new Set(answers.map(([status]) => status))).toEqual(new Set([200]));
    expect(new Set(answers.map(([, text]) => text)).size).toBe(1);
    expect(consumptions()).toBe(1);
  });

  it('treats an inquiry left open for 24 hours as expired: failed claim, token refunded', async () => {
    const relay = await createRelay(base, 'age_over_13_verified');
    const token = await issueToken(base, 'age_over_13_verified');
    emulator.control.advanceClock(24 * 3600);
    const body = (await (await generateClaim(base, relay, token)).json()) as { 'claim-payload': string; 'token-consumed': boolean };
    expect(body['token-consumed']).toBe(false);
    expect(JSON.parse(body['claim-payload'])).toMatchObject({ claim_result: 'failed' });
  });
});
