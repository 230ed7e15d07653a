import { constants, createPrivateKey, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PrivacyPassError,
  base64urlDecode,
  beginIssuance,
  decodeToken,
  decodeTokenChallenge,
  decodeTokenRequest,
  encodeTokenChallenge,
  hexToBytes,
  parseChallengeHeader,
  parseRsaSpki,
  verifyToken,
  type TokenChallenge,
} from './index.ts';

interface TestIssuer {
  tokenKey: Uint8Array;
  sign(tokenRequest: Uint8Array): Uint8Array;
}

// Raw RSA (m^d mod n) through node:crypto: the issuer side of RFC 9474 §4.3, outside the code under test.
function issuerFrom(privateKey: KeyObject, tokenKey: Uint8Array): TestIssuer {
  return {
    tokenKey,
    sign: (tokenRequest) => new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, tokenRequest.subarray(3))),
  };
}

function freshIssuer(): TestIssuer {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return issuerFrom(privateKey, new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })));
}

// The RFC 9578 A.2 key: an id-RSASSA-PSS SPKI (§6.5) next to the fresh rsaEncryption one.
function vectorIssuer(): TestIssuer {
  const [vector] = JSON.parse(readFileSync(new URL('../../test/vectors/rfc9578-type2-issuance.json', import.meta.url), 'utf8')) as Record<string, string>[];
  const pem = Buffer.from(vector!.skS!, 'hex').toString('utf8');
  return issuerFrom(createPrivateKey(pem), hexToBytes(vector!.pkS!));
}

const issuers = [freshIssuer(), vectorIssuer()];

const challengeArb: fc.Arbitrary<TokenChallenge> = fc.record({
  tokenType: fc.constant(2),
  issuerName: fc.stringMatching(/^[a-z0-9.-]{1,40}$/),
  redemptionContext: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 32, maxLength: 32 })),
  originInfo: fc.array(fc.stringMatching(/^[a-z0-9.-]{1,20}$/), { maxLength: 3 }),
});

const flipBit = (bytes: Uint8Array, bit: number): Uint8Array => {
  const out = bytes.slice();
  const index = bit % (out.length * 8);
  out[index >> 3] = (out[index >> 3] ?? 0) ^ (1 << (index & 7));
  return out;
};

const isTyped = (error: unknown): boolean => error instanceof PrivacyPassError || error instanceof RangeError || error instanceof TypeError;

describe('properties', () => {
  it('random challenges round-trip and issue tokens that verify, with both SPKI forms', async () => {
    await fc.assert(
      fc.asyncProperty(challengeArb, fc.integer({ min: 0, max: issuers.length - 1 }), async (challenge, which) => {
        const issuer = issuers[which]!;
        const bytes = encodeTokenChallenge(challenge);
        expect(decodeTokenChallenge(bytes)).toEqual({ ...challenge, redemptionContext: challenge.redemptionContext });
        const pending = await beginIssuance({ challenge: bytes, tokenKey: issuer.tokenKey });
        const token = await pending.finalize(issuer.sign(pending.tokenRequest));
        expect(await verifyToken(token, issuer.tokenKey)).toBe(true);
        expect(decodeToken(token).authenticator).toHaveLength(256);
      }),
      { numRuns: 40 },
    );
  });

  it('a flipped bit in a TokenResponse is bad-signature or bad-response, never a token', async () => {
    const issuer = issuers[0]!;
    const challenge = encodeTokenChallenge({ tokenType: 2, issuerName: 'issuer.example', redemptionContext: new Uint8Array(0), originInfo: [] });
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (bit) => {
        const pending = await beginIssuance({ challenge, tokenKey: issuer.tokenKey });
        const response = flipBit(issuer.sign(pending.tokenRequest), bit);
        const error = await pending.finalize(response).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(PrivacyPassError);
        expect(['bad-signature', 'bad-response']).toContain((error as PrivacyPassError).code);
      }),
      { numRuns: 60 },
    );
  });

  it('a flipped bit in a Token makes it fail verification', async () => {
    const issuer = issuers[1]!;
    const challenge = encodeTokenChallenge({ tokenType: 2, issuerName: 'issuer.example', redemptionContext: new Uint8Array(0), originInfo: [] });
    const pending = await beginIssuance({ challenge, tokenKey: issuer.tokenKey });
    const token = await pending.finalize(issuer.sign(pending.tokenRequest));
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (bit) => {
        expect(await verifyToken(flipBit(token, bit), issuer.tokenKey)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('a flipped bit in the key gives a typed error, never a token', async () => {
    const issuer = issuers[0]!;
    const challenge = encodeTokenChallenge({ tokenType: 2, issuerName: 'issuer.example', redemptionContext: new Uint8Array(0), originInfo: [] });
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (bit) => {
        const key = flipBit(issuer.tokenKey, bit);
        const outcome = await (async () => {
          const pending = await beginIssuance({ challenge, tokenKey: key });
          let response: Uint8Array;
          try {
            response = issuer.sign(pending.tokenRequest);
          } catch {
            // The real issuer refuses a blinded value that is not below its modulus.
            return undefined;
          }
          return pending.finalize(response);
        })().then(
          (token) => ({ token }),
          (error: unknown) => ({ error }),
        );
        if ('token' in outcome) {
          if (outcome.token === undefined) return;
          // Only a bit outside the numbers (a DER detail the parser tolerates) may leave a working key:
          // then n and e are unchanged, and the token is bound to the bytes it was made for.
          const real = parseRsaSpki(issuer.tokenKey);
          const flipped = parseRsaSpki(key);
          expect([flipped.n, flipped.e]).toEqual([real.n, real.e]);
          expect(await verifyToken(outcome.token, key)).toBe(true);
        } else {
          expect(isTyped(outcome.error)).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('random and truncated bytes give only typed errors in every parser', async () => {
    const key = issuers[0]!.tokenKey;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 700 }), fc.string({ maxLength: 300 }), async (bytes, text) => {
        const attempts: (() => unknown)[] = [
          () => decodeTokenChallenge(bytes),
          () => decodeToken(bytes),
          () => decodeTokenRequest(bytes),
          () => parseRsaSpki(bytes),
          () => parseRsaSpki(key.subarray(0, bytes.length % key.length)),
          () => parseChallengeHeader(text),
          () => parseChallengeHeader(`PrivateToken challenge="${text}", token-key=${text}`),
          () => base64urlDecode(text),
          () => hexToBytes(text),
          () => verifyToken(bytes, key),
          () => beginIssuance({ challenge: bytes, tokenKey: key }),
          () => beginIssuance({ challenge: bytes, tokenKey: bytes }),
        ];
        for (const attempt of attempts) {
          try {
            await attempt();
          } catch (error) {
            if (!isTyped(error)) throw error;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
