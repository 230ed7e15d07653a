import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PrivacyPassError,
  base64urlDecode,
  base64urlEncode,
  beginIssuance,
  blind,
  decodeToken,
  decodeTokenChallenge,
  decodeTokenRequest,
  encodeTokenChallenge,
  encodeTokenRequest,
  finalize,
  hexToBytes,
  parseChallengeHeader,
  parseRsaSpki,
  prepare,
  rsabssaSha384PssDeterministic,
  verify,
  verifyToken,
  type RsaPublicKey,
  type TokenChallenge,
} from './index.ts';
import { encodeToken } from './issuance.ts';

const [vector] = JSON.parse(readFileSync(new URL('../../test/vectors/rfc9578-type2-issuance.json', import.meta.url), 'utf8')) as Record<string, string>[];
const tokenKey = hexToBytes(vector!.pkS!);
const key = parseRsaSpki(tokenKey);
const challengeFields: TokenChallenge = { tokenType: 2, issuerName: 'issuer.example', redemptionContext: new Uint8Array(0), originInfo: ['a.example', 'b.example'] };
const challenge = encodeTokenChallenge(challengeFields);

// What a call threw, as `Class: message` or `code`, so each case states the whole expectation.
async function thrown(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof PrivacyPassError) return error.code;
    if (error instanceof TypeError || error instanceof RangeError) return `${error.name}: ${error.message}`;
    throw error;
  }
  return 'nothing';
}

describe('boundary checks name the argument', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['beginIssuance(null)', () => beginIssuance(null as never), /^TypeError: args/],
    ['challenge as a string', () => beginIssuance({ challenge: 'x' as never, tokenKey }), /^TypeError: challenge/],
    ['tokenKey missing', () => beginIssuance({ challenge } as never), /^TypeError: tokenKey/],
    ['a 31-byte nonce', () => beginIssuance({ challenge, tokenKey, nonce: new Uint8Array(31) }), /^RangeError: nonce/],
    ['a 47-byte salt', () => beginIssuance({ challenge, tokenKey, salt: new Uint8Array(47) }), /^RangeError: salt/],
    ['a blind of zero', () => beginIssuance({ challenge, tokenKey, blind: new Uint8Array(256) }), /^RangeError: blind/],
    ['blind as an array', () => beginIssuance({ challenge, tokenKey, blind: [1, 2] as never }), /^TypeError: blind/],
    ['tokenType 1.5', () => encodeTokenChallenge({ ...challengeFields, tokenType: 1.5 }), /^RangeError: challenge.tokenType/],
    ['an empty issuer', () => encodeTokenChallenge({ ...challengeFields, issuerName: '' }), /^RangeError: challenge.issuerName/],
    ['a 16-byte context', () => encodeTokenChallenge({ ...challengeFields, redemptionContext: new Uint8Array(16) }), /^RangeError: challenge.redemptionContext/],
    ['an origin with a comma', () => encodeTokenChallenge({ ...challengeFields, originInfo: ['a,b'] }), /^RangeError: challenge.originInfo/],
    ['origins as a string', () => encodeTokenChallenge({ ...challengeFields, originInfo: 'a' as never }), /^TypeError: challenge.originInfo/],
    ['a 70000-byte issuer', () => encodeTokenChallenge({ ...challengeFields, issuerName: 'x'.repeat(70000) }), /^RangeError: challenge.issuerName/],
    ['tokenType 65536', () => encodeTokenRequest({ tokenType: 65536, truncatedTokenKeyId: 0, blindedMessage: new Uint8Array(256) }), /^RangeError: tokenRequest.tokenType/],
    ['key id byte 256', () => encodeTokenRequest({ tokenType: 2, truncatedTokenKeyId: 256, blindedMessage: new Uint8Array(256) }), /^RangeError: tokenRequest.truncatedTokenKeyId/],
    ['a 31-byte token nonce', () => encodeToken({ tokenType: 2, nonce: new Uint8Array(31), challengeDigest: new Uint8Array(32), tokenKeyId: new Uint8Array(32), authenticator: new Uint8Array(256) }), /^RangeError: token.nonce/],
    ['an authenticator as a string', () => encodeToken({ tokenType: 2, nonce: new Uint8Array(32), challengeDigest: new Uint8Array(32), tokenKeyId: new Uint8Array(32), authenticator: 'x' as never }), /^TypeError: token.authenticator/],
    ['a 100-byte Token', () => decodeToken(new Uint8Array(100)), /^RangeError: token/],
    ['a 100-byte TokenRequest', () => decodeTokenRequest(new Uint8Array(100)), /^RangeError: tokenRequest/],
    ['prepare of a string', () => prepare('m' as never, rsabssaSha384PssDeterministic), /^TypeError: message/],
    ['blind with no key', () => blind(undefined as never, new Uint8Array(1), rsabssaSha384PssDeterministic), /^TypeError: key/],
    ['a 512-bit key object', () => blind({ n: 15n, e: 3n, modulusBits: 512, modulusBytes: 64 } satisfies RsaPublicKey, new Uint8Array(1), rsabssaSha384PssDeterministic), /^TypeError: key/],
    ['verify of a string', () => verify(key, new Uint8Array(1), 's' as never, rsabssaSha384PssDeterministic), /^TypeError: signature/],
    ['finalize of null', () => finalize(key, new Uint8Array(1), null as never, 1n, rsabssaSha384PssDeterministic), /^TypeError: blindSignature/],
    ['hex of odd length', () => hexToBytes('abc'), /^RangeError: hex/],
    ['hex with a g', () => hexToBytes('0g'), /^RangeError: hex/],
    ['base64url of a number', () => base64urlDecode(5 as never), /^TypeError: base64url/],
    ['base64url with a space', () => base64urlDecode('ab cd'), /^RangeError: base64url/],
    ['base64url of 5 characters', () => base64urlDecode('abcde'), /^RangeError: base64url/],
    ['a header that is not a string', () => parseChallengeHeader(undefined as never), /^TypeError: value/],
    ['verifyToken of a string', () => verifyToken('t' as never, tokenKey), /^TypeError: token/],
  ];
  it.each(cases)('%s', async (_, run, expected) => {
    expect(await thrown(run)).toMatch(expected);
  });
});

describe('protocol failures carry a code', () => {
  const typeOne = encodeTokenChallenge({ ...challengeFields, tokenType: 1 });
  const cases: [string, () => unknown, string][] = [
    ['a type 1 challenge', () => beginIssuance({ challenge: typeOne, tokenKey }), 'unsupported-token-type'],
    ['a type 1 Token', () => decodeToken(Uint8Array.of(0, 1, ...new Uint8Array(352))), 'unsupported-token-type'],
    ['a type 1 TokenRequest', () => decodeTokenRequest(Uint8Array.of(0, 1, ...new Uint8Array(257))), 'unsupported-token-type'],
    ['a challenge with a trailing byte', () => decodeTokenChallenge(Uint8Array.of(...challenge, 0)), 'bad-challenge'],
    ['a truncated challenge', () => decodeTokenChallenge(challenge.subarray(0, challenge.length - 1)), 'bad-challenge'],
    ['an issuer name that is not UTF-8', () => decodeTokenChallenge(Uint8Array.of(0, 2, 0, 1, 0xff, 0, 0, 0)), 'bad-challenge'],
    ['a key that is not RSA', () => beginIssuance({ challenge, tokenKey: Uint8Array.of(0x30, 0) }), 'bad-key'],
    ['a header without token-key', () => parseChallengeHeader(`PrivateToken challenge="${base64urlEncode(challenge)}"`), 'bad-challenge'],
    ['a header with an open quote', () => parseChallengeHeader('PrivateToken challenge="abc'), 'bad-challenge'],
    ['a header that starts with a parameter', () => parseChallengeHeader('challenge=abc'), 'bad-challenge'],
    ['a TokenResponse one byte short', async () => (await beginIssuance({ challenge, tokenKey })).finalize(new Uint8Array(255)), 'bad-response'],
    ['a TokenResponse of all 0xff (not below n)', async () => (await beginIssuance({ challenge, tokenKey })).finalize(new Uint8Array(256).fill(0xff)), 'bad-response'],
    ['a 10 MB TokenResponse', async () => (await beginIssuance({ challenge, tokenKey })).finalize(new Uint8Array(10_000_000)), 'bad-response'],
    ['a TokenResponse of ones', async () => (await beginIssuance({ challenge, tokenKey })).finalize(new Uint8Array(256).fill(1)), 'bad-signature'],
  ];
  it.each(cases)('%s', async (_, run, code) => {
    expect(await thrown(run)).toBe(code);
  });

  it('verifyToken says false, not an error, for tokens of another type, key or length', async () => {
    const token = hexToBytes(vector!.token!);
    expect(await verifyToken(token, tokenKey)).toBe(true);
    expect(await verifyToken(Uint8Array.of(0, 1, ...token.subarray(2)), tokenKey)).toBe(false);
    expect(await verifyToken(token.subarray(1), tokenKey)).toBe(false);
    const otherKeyId = token.slice();
    otherKeyId[70] = (otherKeyId[70] ?? 0) ^ 1;
    expect(await verifyToken(otherKeyId, tokenKey)).toBe(false);
  });
});

describe('header parsing', () => {
  const b64 = base64urlEncode(challenge);
  const key64 = base64urlEncode(tokenKey);

  it('reads several schemes, quoted and unquoted values, escapes and case-insensitive names', () => {
    const header = `Basic realm="a \\"quoted\\" realm", PrivateToken Challenge=${b64}, token-key="${key64}", max-age=10,privatetoken challenge="${b64}==", token-key=${key64}`;
    const parsed = parseChallengeHeader(header);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]?.maxAge).toBe(10);
    expect(parsed[1]?.maxAge).toBeUndefined();
    expect(parsed.every((p) => p.supported && p.tokenChallenge?.originInfo.join() === 'a.example,b.example')).toBe(true);
  });

  it('keeps an unknown token type, flagged unsupported', () => {
    const [parsed] = parseChallengeHeader(`PrivateToken challenge=${base64urlEncode(Uint8Array.of(0xab, 0xcd, 1, 2, 3))}, token-key=${key64}`);
    expect(parsed).toMatchObject({ tokenType: 0xabcd, supported: false, tokenChallenge: undefined });
  });

  it('ends on hostile input (long runs of quotes, backslashes, commas) with a typed answer', async () => {
    for (const hostile of ['"'.repeat(50000), `a="${'\\'.repeat(50001)}`, ','.repeat(50000), `PrivateToken ${'x='.repeat(20000)}`, `a ${'b=c '.repeat(20000)}`]) {
      expect(['nothing', 'bad-challenge']).toContain(await thrown(() => parseChallengeHeader(hostile)));
    }
  });
});
