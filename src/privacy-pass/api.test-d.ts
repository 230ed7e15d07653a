import { describe, expectTypeOf, it } from 'vitest';
import {
  type PrivacyPassError,
  beginIssuance,
  decodeToken,
  decodeTokenChallenge,
  parseChallengeHeader,
  parseRsaSpki,
  tokenKeyId,
  verifyToken,
  type ParsedChallenge,
  type PendingToken,
  type PrivacyPassErrorCode,
  type RsaPublicKey,
  type Token,
  type TokenChallenge,
} from './index.ts';

describe('privacy-pass public types', () => {
  it('pins the issuance API of DESIGN.md', () => {
    expectTypeOf(beginIssuance).parameter(0).toEqualTypeOf<{ challenge: Uint8Array; tokenKey: Uint8Array; nonce?: Uint8Array; salt?: Uint8Array; blind?: Uint8Array }>();
    expectTypeOf(beginIssuance).returns.toEqualTypeOf<Promise<PendingToken>>();
    expectTypeOf<PendingToken['tokenRequest']>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<PendingToken['finalize']>().toEqualTypeOf<(tokenResponse: Uint8Array) => Promise<Uint8Array>>();
    expectTypeOf(verifyToken).toEqualTypeOf<(token: Uint8Array, tokenKey: Uint8Array) => Promise<boolean>>();
    expectTypeOf(tokenKeyId).toEqualTypeOf<(tokenKey: Uint8Array) => Promise<Uint8Array>>();
  });

  it('pins the decoded structures', () => {
    expectTypeOf(parseChallengeHeader).returns.toEqualTypeOf<ParsedChallenge[]>();
    expectTypeOf<ParsedChallenge['tokenChallenge']>().toEqualTypeOf<TokenChallenge | undefined>();
    expectTypeOf(decodeTokenChallenge).returns.toEqualTypeOf<TokenChallenge>();
    expectTypeOf(decodeToken).returns.toEqualTypeOf<Token>();
    expectTypeOf(parseRsaSpki).returns.toEqualTypeOf<RsaPublicKey>();
  });

  it('keeps the error codes a closed union callers can switch on', () => {
    expectTypeOf<PrivacyPassError['code']>().toEqualTypeOf<PrivacyPassErrorCode>();
    expectTypeOf<PrivacyPassErrorCode>().toEqualTypeOf<'bad-challenge' | 'unsupported-token-type' | 'bad-key' | 'key-id-mismatch' | 'bad-response' | 'bad-signature'>();
  });
});
