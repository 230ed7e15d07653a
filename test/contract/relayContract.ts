/**
 * The Persona Relay contract, written from /work/shared/persona/PROTOCOL.md (copied facts are cited
 * by section), run against any host: the emulator in either profile, or Persona itself
 * (`PERSONA_API_KEY`). Steps that need a person to finish the inquiry use the emulator's control
 * API and are skipped, with the reason in their name, where there is none.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personaWire, readRelay, type RelayCredentials, type RelayWire } from './personaClient.ts';
import { rfcWire } from './rfcClient.ts';

/** A host to hold to the contract. */
export interface RelayContractTarget {
  name: string;
  profile: 'persona' | 'rfc9578';
  /** A claim type enabled on the host. */
  claimType: string;
  /** A second enabled claim type, for the "a pass of another claim type is refused" step. */
  otherClaimType?: string;
  /** A sandbox key: claims pass without a person (§7), so the 403 and failure steps change. */
  sandbox?: boolean;
  /**
   * The status of a refused Privacy Pass (MAC, expiry, signature, key, double spend). Persona's is not
   * published (§11); the emulator's choice is 401 with a fresh challenge. Absent: any 4xx but 404/429.
   */
  refusalStatus?: number;
  /** The host serves the emulator's control API (`/__emulator`), which stands in for the person. */
  control: boolean;
  /** Starts (or names) the host; `controlUrl` is the emulator's `/__emulator` when it serves one. */
  start(): Promise<{ baseUrl: string; apiKey: string; controlUrl?: string; close?: () => Promise<void> }>;
}

interface ErrorBody {
  errors: { status?: string; title?: string; detail?: string; details?: string }[];
}

/** §2.6: `{errors:[{status?, title, detail|details}]}`, `status` (when there) equal to the HTTP status. */
async function expectErrorShape(res: Response, status?: number): Promise<ErrorBody> {
  if (status !== undefined) expect(res.status).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/json/);
  const body = (await res.json()) as ErrorBody;
  expect(Array.isArray(body.errors)).toBe(true);
  const first = body.errors[0];
  expect(typeof first?.title).toBe('string');
  if (first?.status !== undefined) expect(first.status).toBe(String(res.status));
  expect(typeof (first?.detail ?? first?.details ?? '')).toBe('string');
  return body;
}

/** §2.5: `Request-Id` starts with `req_` — required on authenticated responses, checked when present elsewhere. */
function expectRequestId(res: Response, required: boolean): void {
  const id = res.headers.get('request-id');
  if (required) expect(id).toMatch(/^req_/);
  else if (id !== null) expect(id).toMatch(/^req_/);
}

const unpaddedBase64url = /^[A-Za-z0-9_-]+$/;

/** Registers the contract's tests for one target. */
export function relayContract(target: RelayContractTarget): void {
  describe(`Persona Relay contract: ${target.name}`, () => {
    let host: Awaited<ReturnType<RelayContractTarget['start']>>;
    let wire: RelayWire;
    let persona: ReturnType<typeof personaWire> | undefined;

    beforeAll(async () => {
      host = await target.start();
      persona = target.profile === 'persona' ? personaWire(host.baseUrl, host.apiKey, { sandbox: target.sandbox ?? false }) : undefined;
      wire = persona ?? rfcWire(host.baseUrl, host.apiKey);
    }, 60_000);
    const personaOf = (): ReturnType<typeof personaWire> => {
      if (!persona) throw new Error('a persona-profile step ran on another profile');
      return persona;
    };
    afterAll(async () => {
      await host.close?.();
    });

    /** Name and skip flag of a step that needs a person to finish the inquiry (the control API), unless a sandbox passes unfinished. */
    const needsPerson = (name: string, sandboxSuffices: boolean) => {
      const skip = !target.control && !(sandboxSuffices && target.sandbox === true);
      return { name: skip ? `${name} — skipped: needs a person to finish the inquiry (no control API on ${target.name})` : name, skip };
    };
    const finish = async (relay: RelayCredentials, outcome: 'passed' | 'failed'): Promise<void> => {
      if (!host.controlUrl) throw new Error('no control API');
      const res = await fetch(`${host.controlUrl}/relays/${encodeURIComponent(relay.relayToken)}/inquiry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(outcome === 'passed' ? { status: 'completed', claimResult: 'passed' } : { status: 'failed', claimResult: 'failed' }),
      });
      expect(res.status).toBe(200);
    };
    const newRelay = async (claimType = target.claimType): Promise<RelayCredentials> => {
      const res = await wire.createRelay(claimType);
      expect(res.status).toBe(wire.createdStatus);
      return readRelay(res);
    };
    /** A relay whose claim can be read: finished by the control API, or a sandbox relay (claims pass unfinished, §7). */
    const readyRelay = async (outcome: 'passed' | 'failed' = 'passed'): Promise<RelayCredentials> => {
      const relay = await newRelay();
      if (!target.sandbox || outcome === 'failed') await finish(relay, outcome);
      return relay;
    };
    const expectRefused = async (res: Response): Promise<void> => {
      if (target.refusalStatus !== undefined) {
        await expectErrorShape(res, target.refusalStatus);
        if (target.refusalStatus === 401) expect(res.headers.get('www-authenticate') ?? '').toMatch(/^PrivateToken /);
        return;
      }
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect([404, 429]).not.toContain(res.status);
      await expectErrorShape(res);
    };
    const claimOf = async (res: Response) => {
      expect(res.status).toBe(200);
      const body = (await res.json()) as { 'claim-payload': string; 'token-consumed': boolean };
      expect(typeof body['token-consumed']).toBe('boolean');
      return { consumed: body['token-consumed'], claim: JSON.parse(body['claim-payload']) as { claim_type: string; claim_result: string; methodology?: unknown } };
    };

    describe('create a relay (§2.1)', () => {
      it('answers the three values, nothing else', async () => {
        const res = await wire.createRelay(target.claimType);
        expect(res.status).toBe(wire.createdStatus);
        expectRequestId(res, false);
        const body = (await res.json()) as Record<string, unknown>;
        expect(Object.keys(body).sort()).toEqual(['relay-secret', 'relay-session-access-token', 'relay-token']);
        for (const value of Object.values(body)) expect(value).toEqual(expect.stringMatching(/\S/));
      });

      it('takes the body in kebab case (API reference) and camel case (Go SDK), and honours Key-Inflection', async () => {
        const sandbox = target.sandbox ? { sandbox: true } : {};
        const kebab = await wire.createRelay(target.claimType, { body: { 'claim-type': target.claimType, 'encryption-key-pem': null, ...sandbox } });
        expect(kebab.status).toBe(wire.createdStatus);
        const camel = await wire.createRelay(target.claimType, { body: { claimType: target.claimType, encryptionKeyPem: null, ...sandbox }, headers: { 'key-inflection': 'camel' } });
        expect(camel.status).toBe(wire.createdStatus);
        expect(Object.keys((await camel.json()) as object).sort()).toEqual(['relaySecret', 'relaySessionAccessToken', 'relayToken']);
      });

      it('accepts a Persona-Version from the API reference enum (§2.5)', async () => {
        const res = await wire.createRelay(target.claimType, { headers: { 'persona-version': '2023-01-05' } });
        expect(res.status).toBe(wire.createdStatus);
      });

      it('refuses a body without a claim type with the error shape of §2.6', async () => {
        const res = await wire.createRelay(target.claimType, { body: { encryptionKeyPem: null } });
        expect([400, 422]).toContain(res.status);
        await expectErrorShape(res);
      });
    });

    describe.skipIf(target.profile !== 'persona')('challenge (§2.2, §3.2) and issuance (§2.3, §4)', () => {
      it('answers a base64url JSON challenge with the documented fields, a full-hour expiry 1–2 h ahead and a 64-hex MAC', async () => {
        const p = personaOf();
        const res = await p.challenge(target.claimType);
        expect(res.status).toBe(200);
        expectRequestId(res, false);
        const raw = (await res.clone().json()) as Record<string, string>;
        expect(Object.keys(raw).sort()).toEqual(['challenge', 'token-key', 'token-key-id']);
        // §12 / §3.2: unpadded base64url, as Go's RawURLEncoding demands.
        expect(raw.challenge).toMatch(unpaddedBase64url);
        expect(raw['token-key']).toMatch(unpaddedBase64url);
        const answer = await p.readChallenge(res);
        const f = answer.fields;
        expect(f.token_type).toBe(2);
        expect(typeof f.issuer_name).toBe('string');
        expect(f.origin_info).toBe('/api/privacy/v1/relays');
        expect(f.mac).toMatch(/^[0-9a-f]{64}$/);
        expect(f.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
        const ahead = Date.parse(String(f.expires_at)) - Date.now();
        expect(ahead).toBeGreaterThan(59 * 60_000);
        expect(ahead).toBeLessThanOrEqual(2 * 60 * 60_000);
        const der = Buffer.from(answer.tokenKey, 'base64url');
        const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
        expect(key.asymmetricKeyType).toBe('rsa');
        expect(key.asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048);
        expect(key.asymmetricKeyDetails?.modulusLength).toBeLessThanOrEqual(4096);
        expect(key.asymmetricKeyDetails?.publicExponent).toBe(65537n);
        // The API reference: token-key-id is the hex SHA-256 of the token key.
        expect(answer.tokenKeyId).toBe(createHash('sha256').update(der).digest('hex'));
      });

      it('gives one key per claim type (§4.5: a pass is bound to its claim type)', async () => {
        const p = personaOf();
        const a = await p.readChallenge(await p.challenge(target.claimType));
        const again = await p.readChallenge(await p.challenge(target.claimType));
        expect(again.tokenKeyId).toBe(a.tokenKeyId);
        if (target.otherClaimType === undefined) return;
        const b = await p.readChallenge(await p.challenge(target.otherClaimType));
        expect(b.tokenKeyId).not.toBe(a.tokenKeyId);
      });

      it('issues a blind signature of modulus length for a Bearer key, bound to no relay', async () => {
        const p = personaOf();
        const answer = await p.readChallenge(await p.challenge(target.claimType));
        // issueWith finalizes, which verifies the signature under the token key.
        const token = await p.issueWith(answer);
        expect(token).toMatch(unpaddedBase64url);
        const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
        expect(Object.keys(decoded)).toEqual(['token_nonce', 'signature', 'key_id', 'challenge']);
      });

      it('refuses issuance without the API key (401) and with another key (401), with Request-Id', async () => {
        const p = personaOf();
        const answer = await p.readChallenge(await p.challenge(target.claimType));
        const body = { 'blinded-token': 'AAAA', 'key-id': answer.tokenKeyId };
        const none = await p.privacyPass(body, {});
        await expectErrorShape(none, 401);
        expectRequestId(none, true);
        const wrong = await p.privacyPass(body, { authorization: 'Bearer persona_production_not_a_key' });
        await expectErrorShape(wrong, 401);
      });

      it('refuses a blinded token that is not modulus-length, with the error shape and Request-Id', async () => {
        const p = personaOf();
        const answer = await p.readChallenge(await p.challenge(target.claimType));
        const res = await p.privacyPass({ 'blinded-token': 'AAAA', 'key-id': answer.tokenKeyId });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expectRequestId(res, true);
        await expectErrorShape(res);
      });
    });

    describe('generate-claim (§2.4, §4.5, §5)', () => {
      it('answers 404 for a wrong relay secret and for an unknown relay token', async () => {
        const relay = await newRelay();
        const token = await wire.issueToken(target.claimType);
        await expectErrorShape(await wire.generateClaim({ ...relay, relaySecret: `${relay.relaySecret}x` }, token), 404);
        await expectErrorShape(await wire.generateClaim({ ...relay, relayToken: `${relay.relayToken}x` }, token), 404);
      });

      const early = needsPerson('answers 403 "claim not yet available" before the inquiry is finished, and does not spend the pass', false);
      const earlyName = target.sandbox ? `${early.name.split(' — ')[0] ?? ''} — skipped: sandbox claims pass unfinished (§7)` : early.name;
      it.skipIf(early.skip || target.sandbox === true)(earlyName, async () => {
        const relay = await newRelay();
        const token = await wire.issueToken(target.claimType);
        await expectErrorShape(await wire.generateClaim(relay, token), 403);
        await finish(relay, 'passed');
        const { claim, consumed } = await claimOf(await wire.generateClaim(relay, token));
        expect(claim.claim_result).toBe('passed');
        expect(consumed).toBe(true);
      });

      const pass = needsPerson('a passed claim: claim-payload JSON with claim_type and claim_result, token-consumed true', true);
      it.skipIf(pass.skip)(pass.name, async () => {
        const relay = await readyRelay('passed');
        const { claim, consumed } = await claimOf(await wire.generateClaim(relay, await wire.issueToken(target.claimType)));
        expect(claim.claim_type).toBe(target.claimType);
        expect(claim.claim_result).toBe('passed');
        expect(consumed).toBe(true);
        if (claim.methodology !== undefined) expect(Array.isArray(claim.methodology)).toBe(true);
      });

      const fail = needsPerson('a failed claim refunds the pass (token-consumed false), which then redeems another relay', false);
      it.skipIf(fail.skip)(fail.name, async () => {
        const failed = await readyRelay('failed');
        const token = await wire.issueToken(target.claimType);
        const first = await claimOf(await wire.generateClaim(failed, token));
        expect(first.claim.claim_result).toBe('failed');
        expect(first.consumed).toBe(false);
        const second = await claimOf(await wire.generateClaim(await readyRelay('passed'), token));
        expect(second.consumed).toBe(true);
      });

      const spend = needsPerson('refuses a spent pass on another relay (double spend, §4.5 step 5)', true);
      it.skipIf(spend.skip)(spend.name, async () => {
        const token = await wire.issueToken(target.claimType);
        expect((await claimOf(await wire.generateClaim(await readyRelay('passed'), token))).consumed).toBe(true);
        await expectRefused(await wire.generateClaim(await readyRelay('passed'), token));
      });

      const replay = needsPerson('replays the stored answer for the same Idempotency-Key (§2.6), even though the pass is now spent', true);
      it.skipIf(replay.skip)(replay.name, async () => {
        const relay = await readyRelay('passed');
        const token = await wire.issueToken(target.claimType);
        const key = crypto.randomUUID();
        const first = await wire.generateClaim(relay, token, { 'idempotency-key': key });
        expect(first.status).toBe(200);
        const again = await wire.generateClaim(relay, token, { 'idempotency-key': key });
        expect(again.status).toBe(200);
        expect(await again.text()).toBe(await first.text());
      });

      it('refuses a request without a pass, and a pass that is not one', async () => {
        const relay = await newRelay();
        await expectRefused(await wire.generateClaim(relay, undefined));
        await expectRefused(await wire.generateClaim(relay, 'bm90LWEtdG9rZW4'));
      });

      it.skipIf(target.profile !== 'persona')('refuses a pass whose challenge was tampered with (MAC, §4.5 step 1) or whose signature is not the issuer\'s (step 4)', async () => {
        const relay = await newRelay();
        const token = await wire.issueToken(target.claimType);
        const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { challenge: Record<string, unknown>; signature: string };
        const reencode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
        const later = { ...decoded, challenge: { ...decoded.challenge, expires_at: '2099-01-01T00:00:00Z' } };
        await expectRefused(await wire.generateClaim(relay, reencode(later)));
        const sig = Buffer.from(decoded.signature, 'base64url');
        sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 1;
        await expectRefused(await wire.generateClaim(relay, reencode({ ...decoded, signature: sig.toString('base64url') })));
      });

      it.skipIf(target.otherClaimType === undefined)('refuses a pass issued for another claim type (§4.5: the key binds the claim type)', async () => {
        const relay = await newRelay();
        await expectRefused(await wire.generateClaim(relay, await wire.issueToken(target.otherClaimType ?? '')));
      });

      const expiry = 'refuses a pass whose challenge expired (§4.5 step 2): the emulator clock moves 2 h';
      it.skipIf(!target.control || target.profile !== 'persona')(target.control ? expiry : `${expiry} — skipped: ${target.name}'s clock cannot be moved`, async () => {
        const relay = await readyRelay('passed');
        const token = await wire.issueToken(target.claimType);
        const moved = await fetch(`${host.controlUrl ?? ''}/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 2 * 60 * 60 }) });
        expect(moved.status).toBe(200);
        await expectRefused(await wire.generateClaim(relay, token));
      });
    });
  });
}
