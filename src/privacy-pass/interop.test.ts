import { constants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { Token, TokenChallenge, publicVerif } from '@cloudflare/privacypass-ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { beginIssuance, encodeTokenChallenge, verifyToken } from './index.ts';

const { BLIND_RSA, BlindRSAMode, Client, Issuer, TokenRequest, getPublicKeyBytes } = publicVerif;

// An independent implementation on both sides of the exchange: Cloudflare's issuer signs what we
// blind, and Cloudflare's verifier and node:crypto check what we finalize.
describe('interop with @cloudflare/privacypass-ts', () => {
  let issuer: InstanceType<typeof Issuer>;
  let tokenKey: Uint8Array;
  const challenge = encodeTokenChallenge({ tokenType: 2, issuerName: 'issuer.example', redemptionContext: new Uint8Array(32).fill(7), originInfo: ['origin.example'] });

  beforeAll(async () => {
    const keys = await Issuer.generateKey(BlindRSAMode.PSS, { modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) });
    issuer = new Issuer(BlindRSAMode.PSS, 'issuer.example', keys.privateKey, keys.publicKey);
    tokenKey = await getPublicKeyBytes(keys.publicKey);
  });

  it('our TokenRequest, signed by its issuer and finalized by us, verifies everywhere', async () => {
    const pending = await beginIssuance({ challenge, tokenKey });
    const response = await issuer.issue(TokenRequest.deserialize(BLIND_RSA, pending.tokenRequest));
    const token = await pending.finalize(response.serialize());

    expect(await verifyToken(token, tokenKey)).toBe(true);
    expect(await issuer.verify(Token.deserialize(BLIND_RSA, token))).toBe(true);
    const key = createPublicKey({ key: Buffer.from(tokenKey), format: 'der', type: 'spki' });
    const input = token.subarray(0, 98);
    const authenticator = token.subarray(98);
    expect(nodeVerify('sha384', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, authenticator)).toBe(true);
  });

  it('reads its challenge bytes and verifies its tokens', async () => {
    const theirs = new TokenChallenge(2, 'issuer.example', new Uint8Array(32).fill(7), ['origin.example']);
    expect(theirs.serialize()).toEqual(challenge);
    const client = new Client(BlindRSAMode.PSS);
    const request = await client.createTokenRequest(theirs, tokenKey);
    const token = await client.finalize(await issuer.issue(request));
    expect(await verifyToken(token.serialize(), tokenKey)).toBe(true);
  });
});
