import { describe, expectTypeOf, it } from 'vitest';
import {
  type PrivacyPassError,
  beginIssuance,
  beginPersonaIssuance,
  decodePersonaChallenge,
  decodeToken,
  decodeTokenChallenge,
  parseChallengeHeader,
  parseRsaSpki,
  tokenKeyId,
  verifyPersonaToken,
  verifyToken,
  type ParsedChallenge,
  type PendingPersonaToken,
  type PersonaChallenge,
  type PersonaTokenFields,
  type PrivacyPassProtocol,
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

  it("pins Persona's profile as DESIGN.md writes it", () => {
    expectTypeOf(decodePersonaChallenge).toEqualTypeOf<(challenge: string) => PersonaChallenge>();
    expectTypeOf(beginPersonaIssuance)
      .parameter(0)
      .toEqualTypeOf<{ challenge: string; tokenKey: Uint8Array; tokenKeyId: string; nonce?: string; salt?: Uint8Array; blind?: Uint8Array; now?: number }>();
    expectTypeOf(beginPersonaIssuance).returns.toEqualTypeOf<Promise<PendingPersonaToken>>();
    expectTypeOf<PendingPersonaToken>().toEqualTypeOf<{ blindedToken: Uint8Array; finalize(blindSig: Uint8Array): Promise<string> }>();
    expectTypeOf(verifyPersonaToken).toEqualTypeOf<(token: string, tokenKey: Uint8Array) => Promise<PersonaTokenFields | undefined>>();
    expectTypeOf<PersonaTokenFields>().toEqualTypeOf<{ tokenNonce: string; signature: Uint8Array; keyId: string; challenge: PersonaChallenge }>();
    expectTypeOf<PersonaChallenge>().toEqualTypeOf<{ tokenType: 2; issuerName: string; originInfo: string; expiresAt: string; mac: string; json: string }>();
    expectTypeOf<PrivacyPassProtocol>().toEqualTypeOf<'persona' | 'rfc9578'>();
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
