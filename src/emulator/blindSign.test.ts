import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blindSign } from './blindSign.ts';
import { issuerKeyFrom } from './issuerKey.ts';

interface IssuanceVector {
  skS: string;
  pkS: string;
  token_request: string;
  token_response: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/rfc9578-type2-issuance.json', import.meta.url), 'utf8'),
) as IssuanceVector[];
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('issuer key and blind signature (RFC 9578 A.2 vectors)', () => {
  it.each(vectors.map((v, i) => [i + 1, v] as const))('vector %i: token key and token response', (_, v) => {
    const key = issuerKeyFrom(createPrivateKey(Buffer.from(hex(v.skS)).toString('utf8')));
    expect(toHex(key.tokenKey)).toBe(v.pkS);
    // TokenRequest = token_type(2) || truncated_token_key_id(1) || blinded_msg(Nk)
    const request = hex(v.token_request);
    expect(request[2]).toBe(key.tokenKeyId[31]);
    expect(toHex(blindSign(key, request.subarray(3)))).toBe(v.token_response);
  });

  it('accepts rsa-pss key objects and gives the same token key as the plain rsa form', () => {
    const pem = generateKeyPairSync('rsa-pss', {
      modulusLength: 2048,
      hashAlgorithm: 'sha384',
      mgf1HashAlgorithm: 'sha384',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }).privateKey;
    const key = issuerKeyFrom(createPrivateKey(pem));
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
    expect(key.modulusBytes).toBe(256);
    expect(toHex(key.tokenKey).startsWith('30820152303d06092a864886f70d01010a')).toBe(true);
  });

  it('refuses keys outside 2048–4096 bits and non-RSA keys', () => {
    expect(() => issuerKeyFrom(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey)).toThrow(RangeError);
    expect(() => issuerKeyFrom(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(TypeError);
  });

  it('refuses a blinded message of the wrong length or not below n', () => {
    const v = vectors[0]!;
    const key = issuerKeyFrom(createPrivateKey(Buffer.from(hex(v.skS)).toString('utf8')));
    expect(() => blindSign(key, new Uint8Array(255))).toThrow(RangeError);
    expect(() => blindSign(key, new Uint8Array(256).fill(0xff))).toThrow(RangeError);
  });
});
