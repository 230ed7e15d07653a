import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modInverse } from './bigint.ts';
import {
  beginIssuance,
  blind,
  bytesToHex,
  decodeTokenChallenge,
  encodeTokenChallenge,
  finalize,
  hexToBytes,
  parseChallengeHeader,
  prepare,
  tokenKeyId,
  verify,
  verifyToken,
  type BlindRsaVariant,
  type RsaPublicKey,
} from './index.ts';

type Vector = Record<string, string>;
const vectors = (file: string): Vector[] =>
  JSON.parse(readFileSync(new URL(`../../test/vectors/${file}`, import.meta.url), 'utf8')) as Vector[];
const field = (v: Vector, name: string): string => {
  const value = v[name];
  if (value === undefined) throw new Error(`vector has no ${name}`);
  return value;
};
const bytes = (v: Vector, name: string) => hexToBytes(field(v, name));
const text = (v: Vector, name: string) => new TextDecoder().decode(bytes(v, name));

describe('RFC 9474 appendix A (blind RSA)', () => {
  for (const v of vectors('rfc9474-blind-rsa.json')) {
    it(field(v, 'name'), async () => {
      const n = BigInt(`0x${field(v, 'n')}`);
      const key: RsaPublicKey = { n, e: BigInt(`0x${field(v, 'e')}`), modulusBits: n.toString(2).length, modulusBytes: field(v, 'n').length / 2 };
      const variant: BlindRsaVariant = { saltLength: field(v, 'salt') === '' ? 0 : 48, randomized: field(v, 'msg_prefix') !== '' };
      const prepared = prepare(bytes(v, 'msg'), variant, variant.randomized ? bytes(v, 'msg_prefix') : undefined);
      expect(bytesToHex(prepared)).toBe(field(v, 'prepared_msg'));
      // The vectors give inv = r^-1; blinding takes r itself.
      const r = modInverse(BigInt(`0x${field(v, 'inv')}`), n);
      expect(r).toBeDefined();
      const blinded = await blind(key, prepared, variant, { salt: bytes(v, 'salt'), blind: hexToBytes(r!.toString(16).padStart(key.modulusBytes * 2, '0')) });
      expect(bytesToHex(blinded.blindedMessage)).toBe(field(v, 'blinded_msg'));
      expect(blinded.inverse.toString(16)).toBe(BigInt(`0x${field(v, 'inv')}`).toString(16));
      const signature = await finalize(key, prepared, bytes(v, 'blind_sig'), blinded.inverse, variant);
      expect(bytesToHex(signature)).toBe(field(v, 'sig'));
      expect(await verify(key, prepared, signature, variant)).toBe(true);
      expect(await verify(key, bytes(v, 'msg'), signature, variant)).toBe(variant.randomized ? false : true);
    });
  }
});

describe('RFC 9578 appendix A.2 (issuance protocol 2, blind RSA 2048)', () => {
  for (const v of vectors('rfc9578-type2-issuance.json')) {
    it(field(v, 'comment'), async () => {
      const pending = await beginIssuance({
        challenge: bytes(v, 'token_challenge'),
        tokenKey: bytes(v, 'pkS'),
        nonce: bytes(v, 'nonce'),
        salt: bytes(v, 'salt'),
        blind: bytes(v, 'blind'),
      });
      expect(bytesToHex(pending.tokenRequest)).toBe(field(v, 'token_request'));
      const token = await pending.finalize(bytes(v, 'token_response'));
      expect(bytesToHex(token)).toBe(field(v, 'token'));
      expect(await verifyToken(token, bytes(v, 'pkS'))).toBe(true);
      expect(bytesToHex(await tokenKeyId(bytes(v, 'pkS')))).toBe(field(v, 'token').slice(132, 196));
    });
  }
});

describe('RFC 9577 appendix A.1 (challenge and redemption structures)', () => {
  for (const v of vectors('rfc9577-challenge.json')) {
    it(field(v, 'comment'), async () => {
      if (field(v, 'token_type') === '0000') {
        // The greasing vector is random bytes after the type: not a TokenChallenge we can decode.
        expect(bytesToHex(bytes(v, 'token_authenticator_input').subarray(0, 2))).toBe('0000');
        return;
      }
      const origins = text(v, 'origin_info');
      const challenge = encodeTokenChallenge({
        tokenType: Number.parseInt(field(v, 'token_type'), 16),
        issuerName: text(v, 'issuer_name'),
        redemptionContext: bytes(v, 'redemption_context'),
        originInfo: origins === '' ? [] : origins.split(','),
      });
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', challenge.slice()));
      const input = field(v, 'token_type') + field(v, 'nonce') + bytesToHex(digest) + field(v, 'token_key_id');
      expect(input).toBe(field(v, 'token_authenticator_input'));
      expect(encodeTokenChallenge(decodeTokenChallenge(challenge))).toEqual(challenge);
    });
  }
});

describe('RFC 9577 appendix A.2 (WWW-Authenticate)', () => {
  vectors('rfc9577-header.json').forEach((v, index) => {
    it(`header vector ${index + 1}`, () => {
      const parsed = parseChallengeHeader(field(v, 'WWW-Authenticate'));
      const count = Object.keys(v).filter((k) => k.startsWith('token-type-')).length;
      expect(parsed).toHaveLength(count);
      parsed.forEach((challenge, i) => {
        expect(challenge.tokenType).toBe(Number.parseInt(field(v, `token-type-${i}`), 16));
        expect(bytesToHex(challenge.challenge)).toBe(field(v, `token-challenge-${i}`));
        expect(bytesToHex(challenge.tokenKey)).toBe(field(v, `token-key-${i}`));
        expect(challenge.maxAge).toBe(v[`max-age-${i}`] === undefined ? undefined : Number(v[`max-age-${i}`]));
        expect(challenge.supported).toBe(challenge.tokenType === 2);
      });
    });
  });

  it('reads unquoted parameters and unpadded base64url', () => {
    const [v] = vectors('rfc9577-header.json');
    const unquoted = field(v!, 'WWW-Authenticate').replace(/"/g, '').replace(/=+(,|$)/g, '$1');
    const [challenge] = parseChallengeHeader(unquoted);
    expect(bytesToHex(challenge!.challenge)).toBe(field(v!, 'token-challenge-0'));
    expect(bytesToHex(challenge!.tokenKey)).toBe(field(v!, 'token-key-0'));
  });
});
