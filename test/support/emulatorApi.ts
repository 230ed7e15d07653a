/**
 * Helpers for the emulator's own tests (not exported by the package): talk to a running emulator as
 * the app backend would, and get tokens from an independent client (@cloudflare/privacypass-ts).
 */
import { publicVerif, TokenChallenge } from '@cloudflare/privacypass-ts';
import { afterEach } from 'vitest';
import { beginIssuance, beginPersonaIssuance } from '../../src/privacy-pass/index.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/startEmulator.ts';

export const apiKey = 'sk_test_emulator';

/** A `start` for one test file: every emulator it starts is closed after each test. */
export function startEmulatorPerTest(): (options?: Parameters<typeof startEmulator>[0]) => Promise<RunningEmulator> {
  const running: RunningEmulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.close()));
  });
  return async (options = {}) => {
    const emulator = await startEmulator(options);
    running.push(emulator);
    return emulator;
  };
}

/** POST a JSON body to the emulator API with the API key. */
export async function api(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Creates a relay and returns the three values Persona hands out. */
export async function createRelay(base: string, claimType: string, encryptionKeyPem: string | null = null) {
  const res = await api(base, '/relays', { 'claim-type': claimType, 'encryption-key-pem': encryptionKeyPem });
  if (res.status !== 201) throw new Error(`create relay: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { 'relay-token': string; 'relay-secret': string; 'relay-session-access-token': string };
  return { relayToken: body['relay-token'], relaySecret: body['relay-secret'], sessionToken: body['relay-session-access-token'] };
}

/** Gets a challenge for the claim type and runs the whole RFC 9578 issuance with Cloudflare's client. */
export async function issueToken(base: string, claimType: string): Promise<Uint8Array> {
  const res = await api(base, '/relays/challenge', { 'claim-type': claimType });
  const body = (await res.json()) as { challenge: string; 'token-key': string };
  const challenge = TokenChallenge.deserialize(new Uint8Array(Buffer.from(body.challenge, 'base64url')));
  const tokenKey = new Uint8Array(Buffer.from(body['token-key'], 'base64url'));
  const client = new publicVerif.Client(publicVerif.BlindRSAMode.PSS);
  const tokenRequest = await client.createTokenRequest(challenge, tokenKey);
  const issued = await fetch(`${base}/api/v1/token-request`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/private-token-request' },
    body: new Uint8Array(tokenRequest.serialize()),
  });
  if (issued.status !== 200) throw new Error(`token-request: ${issued.status} ${await issued.text()}`);
  const token = await client.finalize(publicVerif.TokenResponse.deserialize(new Uint8Array(await issued.arrayBuffer())));
  return token.serialize();
}

/** POST generate-claim with a token, as the app backend does. */
export async function generateClaim(
  base: string,
  relay: { relayToken: string; relaySecret: string },
  token: Uint8Array | undefined,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}/api/v1/relays/${relay.relayToken}/generate-claim`, {
    method: 'POST',
    headers: {
      'persona-relay-secret': relay.relaySecret,
      ...(token ? { authorization: `PrivateToken token=${Buffer.from(token).toString('base64url')}` } : {}),
      ...headers,
    },
  });
}

/** The same issuance with the kit's own pure client (src/privacy-pass), as the worker runs it. */
export async function issueTokenWithKit(base: string, claimType: string): Promise<Uint8Array> {
  const res = await api(base, '/relays/challenge', { 'claim-type': claimType });
  const body = (await res.json()) as { challenge: string; 'token-key': string };
  const pending = await beginIssuance({
    challenge: new Uint8Array(Buffer.from(body.challenge, 'base64url')),
    tokenKey: new Uint8Array(Buffer.from(body['token-key'], 'base64url')),
  });
  const issued = await fetch(`${base}/api/v1/token-request`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/private-token-request' },
    body: new Uint8Array(pending.tokenRequest),
  });
  if (issued.status !== 200) throw new Error(`token-request: ${issued.status} ${await issued.text()}`);
  return pending.finalize(new Uint8Array(await issued.arrayBuffer()));
}

/** The sandbox key every emulator accepts by default. */
export const sandboxApiKey = 'persona_sandbox_emulator';

/** POST JSON to one of Persona's paths (`/api/privacy/v1/…` or `/api/v1/privacy-passes`) of the persona profile. */
export async function personaPost(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Creates a relay on the persona profile (no auth, camelCase body as the Go SDK sends it). */
export async function createPersonaRelay(base: string, claimType: string, extra: Record<string, unknown> = {}) {
  const res = await personaPost(base, '/api/privacy/v1/relays', { claimType, encryptionKeyPem: null, ...extra });
  if (res.status !== 200) throw new Error(`create relay: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { 'relay-token': string; 'relay-secret': string; 'relay-session-access-token': string };
  return { relayToken: body['relay-token'], relaySecret: body['relay-secret'], sessionToken: body['relay-session-access-token'] };
}

/** A Persona token made with the kit's own client (src/privacy-pass), as the worker makes it. */
export async function issuePersonaTokenWithKit(
  base: string,
  claimType: string,
  options: { apiKey?: string; sandbox?: boolean } = {},
): Promise<string> {
  const res = await personaPost(base, '/api/privacy/v1/relays/challenge', { claimType, ...(options.sandbox ? { sandbox: true } : {}) });
  if (res.status !== 200) throw new Error(`challenge: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { challenge: string; 'token-key': string; 'token-key-id': string };
  const pending = await beginPersonaIssuance({
    challenge: body.challenge,
    tokenKey: new Uint8Array(Buffer.from(body['token-key'], 'base64url')),
    tokenKeyId: body['token-key-id'],
  });
  const issued = await personaPost(
    base,
    '/api/v1/privacy-passes',
    { blindedToken: Buffer.from(pending.blindedToken).toString('base64url'), keyId: body['token-key-id'] },
    { authorization: `Bearer ${options.apiKey ?? apiKey}` },
  );
  if (issued.status !== 200) throw new Error(`privacy-passes: ${issued.status} ${await issued.text()}`);
  const { 'blind-sig': blindSig } = (await issued.json()) as { 'blind-sig': string };
  return pending.finalize(new Uint8Array(Buffer.from(blindSig, 'base64url')));
}

/** POST generate-claim on the persona profile with a token, as the app backend does. */
export async function generatePersonaClaim(
  base: string,
  relay: { relayToken: string; relaySecret: string },
  token: string | undefined,
  headers: Record<string, string> = {},
): Promise<Response> {
  return personaPost(base, `/api/privacy/v1/relays/${relay.relayToken}/generate-claim`, {}, {
    'persona-relay-secret': relay.relaySecret,
    ...(token === undefined ? {} : { authorization: `PrivateToken token=${token}` }),
    ...headers,
  });
}
