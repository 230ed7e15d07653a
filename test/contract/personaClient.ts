/**
 * A Persona Relay client written from PROTOCOL.md alone (not from the emulator, not from the kit), so
 * the contract suite can hold any host to the document: Blind RSA by @cloudflare/blindrsa-ts, the
 * token format of §4.2–4.4, request bodies in the casing the Go SDK sends.
 */
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** A host that speaks one wire profile; the contract drives both through this shape. */
export interface RelayWire {
  profile: 'persona' | 'rfc9578';
  /** The status create-relay answers on success (Persona's reference: 200; the RFC profile: 201). */
  createdStatus: number;
  createRelay(claimType: string, options?: { body?: Record<string, unknown>; headers?: Record<string, string> }): Promise<Response>;
  /** Issues one Privacy Pass for the claim type; the value that follows `PrivateToken token=`. */
  issueToken(claimType: string): Promise<string>;
  generateClaim(relay: RelayCredentials, token: string | undefined, headers?: Record<string, string>): Promise<Response>;
}

/** What create-relay hands out. */
export interface RelayCredentials {
  relayToken: string;
  relaySecret: string;
  sessionToken: string;
}

/** Persona's challenge answer (§2.2), decoded. */
export interface PersonaChallengeAnswer {
  challenge: string;
  tokenKey: string;
  tokenKeyId: string;
  /** The challenge JSON, decoded; echoed verbatim inside the token (§3.2). */
  fields: Record<string, unknown>;
}

const json = (body: unknown): string => JSON.stringify(body);
const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const fromB64url = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(text, 'base64url'));
const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** §4.2: 0x0002 ‖ SHA-256(nonce) ‖ SHA-256(mac) ‖ SHA-256(token-key-id). */
export function tokenInput(nonce: string, mac: string, keyId: string): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from([0, 2]), sha256(nonce), sha256(mac), sha256(keyId)]));
}

/** §4.4: base64url (no padding) of `{token_nonce, signature, key_id, challenge}` in the Go SDK's key order. */
export function encodeToken(nonce: string, signature: Uint8Array, keyId: string, challenge: Record<string, unknown>): string {
  return b64url(Buffer.from(json({ token_nonce: nonce, signature: b64url(signature), key_id: keyId, challenge })));
}

/** Persona's wire (PROTOCOL.md §2): `base` is the API host, e.g. https://api.withpersona.com. */
export function personaWire(base: string, apiKey: string, options: { sandbox?: boolean } = {}): RelayWire & {
  challenge(claimType: string, headers?: Record<string, string>): Promise<Response>;
  readChallenge(res: Response): Promise<PersonaChallengeAnswer>;
  privacyPass(body: unknown, headers?: Record<string, string>): Promise<Response>;
  issueWith(answer: PersonaChallengeAnswer): Promise<string>;
} {
  const sandbox = options.sandbox ? { sandbox: true } : {};
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : json(body) });

  const challenge = (claimType: string, headers: Record<string, string> = {}) => post('/api/privacy/v1/relays/challenge', { 'claim-type': claimType, ...sandbox }, headers);
  const readChallenge = async (res: Response): Promise<PersonaChallengeAnswer> => {
    if (res.status !== 200) throw new Error(`challenge: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as Record<string, string>;
    const fields = JSON.parse(Buffer.from(body.challenge ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return { challenge: body.challenge ?? '', tokenKey: body['token-key'] ?? '', tokenKeyId: body['token-key-id'] ?? '', fields };
  };
  const privacyPass = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${apiKey}` }) => post('/api/v1/privacy-passes', body, headers);

  /** §4.1–4.4 with Blind RSA SHA-384 PSS and no message prefix (`prepare` is never called, §4.3). */
  const issueWith = async (answer: PersonaChallengeAnswer): Promise<string> => {
    const nonce = randomBytes(32).toString('hex');
    const mac = answer.fields.mac;
    if (typeof mac !== 'string') throw new Error('challenge has no mac');
    const input = tokenInput(nonce, mac, answer.tokenKeyId);
    const key = await crypto.subtle.importKey('spki', fromB64url(answer.tokenKey), { name: 'RSA-PSS', hash: 'SHA-384' }, true, ['verify']);
    const suite = RSABSSA.SHA384.PSS.Deterministic();
    const { blindedMsg, inv } = await suite.blind(key, input);
    const res = await privacyPass({ blindedToken: b64url(blindedMsg), keyId: answer.tokenKeyId });
    if (res.status !== 200) throw new Error(`privacy-passes: HTTP ${res.status} ${await res.text()}`);
    const blindSig = fromB64url(((await res.json()) as Record<string, string>)['blind-sig'] ?? '');
    // finalize checks the signature against the key, so a wrong key or signature throws here.
    const signature = await suite.finalize(key, input, blindSig, inv);
    return encodeToken(nonce, signature, answer.tokenKeyId, answer.fields);
  };

  return {
    profile: 'persona',
    createdStatus: 200,
    createRelay: (claimType, o = {}) => post('/api/privacy/v1/relays', o.body ?? { claimType, encryptionKeyPem: null, ...sandbox }, o.headers),
    challenge,
    readChallenge,
    privacyPass,
    issueWith,
    issueToken: async (claimType) => issueWith(await readChallenge(await challenge(claimType))),
    generateClaim: (relay, token, headers = {}) =>
      post(`/api/privacy/v1/relays/${encodeURIComponent(relay.relayToken)}/generate-claim`, {}, {
        'persona-relay-secret': relay.relaySecret,
        'idempotency-key': randomUUID(),
        ...(token === undefined ? {} : { authorization: `PrivateToken token=${token}` }),
        ...headers,
      }),
  };
}

/** Reads create-relay's answer (kebab keys). */
export async function readRelay(res: Response): Promise<RelayCredentials> {
  const body = (await res.json()) as Record<string, string>;
  return { relayToken: body['relay-token'] ?? '', relaySecret: body['relay-secret'] ?? '', sessionToken: body['relay-session-access-token'] ?? '' };
}
