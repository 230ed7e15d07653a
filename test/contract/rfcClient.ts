/**
 * The emulator's RFC profile (`/api/v1`, RFC 9577/9578 wire) behind the contract's `RelayWire`, with
 * Cloudflare's independent Privacy Pass client making the tokens.
 */
import { publicVerif, TokenChallenge } from '@cloudflare/privacypass-ts';
import { randomUUID } from 'node:crypto';
import type { RelayWire } from './personaClient.ts';

/** The RFC wire of a host at `base` (the emulator with `protocol: 'rfc9578'`). */
export function rfcWire(base: string, apiKey: string): RelayWire {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return {
    profile: 'rfc9578',
    createdStatus: 201,
    createRelay: (claimType, o = {}) => post('/relays', o.body ?? { 'claim-type': claimType, 'encryption-key-pem': null }, o.headers),
    async issueToken(claimType) {
      const res = await post('/relays/challenge', { 'claim-type': claimType });
      const body = (await res.json()) as { challenge: string; 'token-key': string };
      const challenge = TokenChallenge.deserialize(new Uint8Array(Buffer.from(body.challenge, 'base64url')));
      const client = new publicVerif.Client(publicVerif.BlindRSAMode.PSS);
      const request = await client.createTokenRequest(challenge, new Uint8Array(Buffer.from(body['token-key'], 'base64url')));
      const issued = await fetch(`${base}/api/v1/token-request`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/private-token-request' },
        body: new Uint8Array(request.serialize()),
      });
      if (issued.status !== 200) throw new Error(`token-request: HTTP ${issued.status}`);
      const token = await client.finalize(publicVerif.TokenResponse.deserialize(new Uint8Array(await issued.arrayBuffer())));
      return Buffer.from(token.serialize()).toString('base64url');
    },
    generateClaim: (relay, token, headers = {}) =>
      fetch(`${base}/api/v1/relays/${encodeURIComponent(relay.relayToken)}/generate-claim`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'persona-relay-secret': relay.relaySecret,
          'idempotency-key': randomUUID(),
          ...(token === undefined ? {} : { authorization: `PrivateToken token=${token}` }),
          ...headers,
        },
        body: '{}',
      }),
  };
}
