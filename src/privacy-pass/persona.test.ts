import { constants, createHash, createPublicKey, generateKeyPairSync, privateDecrypt, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PrivacyPassError,
  base64urlDecode,
  base64urlEncode,
  beginIssuance,
  beginPersonaIssuance,
  decodePersonaChallenge,
  encodeTokenChallenge,
  parseRsaSpki,
  personaTokenInput,
  verifyPersonaToken,
  verifyToken,
  type BeginPersonaIssuanceArgs,
} from './index.ts';

interface TestIssuer {
  tokenKey: Uint8Array;
  tokenKeyId: string;
  privateKey: KeyObject;
  sign(blinded: Uint8Array): Uint8Array;
}

// Raw RSA (m^d mod n) by node:crypto: the issuer's side, outside the code under test.
function issuer(bits = 2048, publicExponent = 65537): TestIssuer {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent });
  const tokenKey = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return {
    tokenKey,
    tokenKeyId: createHash('sha256').update(tokenKey).digest('hex'),
    privateKey,
    sign: (blinded) => new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, blinded)),
  };
}

const fields = { token_type: 2, issuer_name: 'withpersona.com/api/v1/privacy-passes', origin_info: '/api/privacy/v1/relays', expires_at: '2030-01-01T10:00:00Z', mac: 'ab'.repeat(32) };
const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const challenge = encode(fields);
const now = Date.parse('2030-01-01T09:00:00Z');
const tokenJson = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;

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

const isTyped = (error: unknown): boolean => error instanceof PrivacyPassError || error instanceof RangeError || error instanceof TypeError;

const flipBit = (bytes: Uint8Array, bit: number): Uint8Array => {
  const out = bytes.slice();
  const index = bit % (out.length * 8);
  out[index >> 3] = (out[index >> 3] ?? 0) ^ (1 << (index & 7));
  return out;
};

let main: TestIssuer;
beforeAll(() => {
  main = issuer();
});

async function issue(by: TestIssuer, extra: Partial<BeginPersonaIssuanceArgs> = {}): Promise<string> {
  const pending = await beginPersonaIssuance({ challenge, tokenKey: by.tokenKey, tokenKeyId: by.tokenKeyId, now, ...extra });
  return pending.finalize(by.sign(pending.blindedToken));
}

describe('Persona issuance against independent implementations', () => {
  it('node:crypto verifies our signature as RSA-PSS SHA-384, salt 48, over the 98-byte token input', async () => {
    const token = await issue(main);
    const json = tokenJson(token) as { token_nonce: string; signature: string; key_id: string };
    expect(Object.keys(tokenJson(token))).toEqual(['token_nonce', 'signature', 'key_id', 'challenge']);
    expect(json.token_nonce).toMatch(/^[\da-f]{64}$/);
    expect(json.key_id).toBe(main.tokenKeyId);
    expect(token).not.toMatch(/[=+/]/);
    const input = await personaTokenInput(json.token_nonce, fields.mac, main.tokenKeyId);
    const signature = Buffer.from(json.signature, 'base64url');
    const key = createPublicKey({ key: Buffer.from(main.tokenKey), format: 'der', type: 'spki' });
    expect(nodeVerify('sha384', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, signature)).toBe(true);
    // Salt 48 exactly: PSS verification with another salt length fails.
    expect(nodeVerify('sha384', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)).toBe(false);
    expect((await verifyPersonaToken(token, main.tokenKey))?.tokenNonce).toBe(json.token_nonce);
  });

  describe('@cloudflare/blindrsa-ts (RSABSSA-SHA384-PSS, blind without prepare, as PROTOCOL.md §4.3 says)', () => {
    const suite = RSABSSA.SHA384.PSS.Randomized();
    let keys: CryptoKeyPair;
    let tokenKey: Uint8Array;
    let tokenKeyId: string;

    beforeAll(async () => {
      keys = await RSABSSA.SHA384.generateKey({ modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) });
      tokenKey = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
      tokenKeyId = createHash('sha256').update(tokenKey).digest('hex');
    });

    it('its blindSign of our blinded token finalizes with us, and its verify accepts the result', async () => {
      const pending = await beginPersonaIssuance({ challenge, tokenKey, tokenKeyId, now });
      const token = await pending.finalize(await suite.blindSign(keys.privateKey, pending.blindedToken));
      const json = tokenJson(token) as { token_nonce: string; signature: string };
      const input = await personaTokenInput(json.token_nonce, fields.mac, tokenKeyId);
      expect(await suite.verify(keys.publicKey, base64urlDecode(json.signature), input)).toBe(true);
    });

    it('a token it blinds and finalizes verifies with us', async () => {
      const nonce = 'cd'.repeat(32);
      const input = await personaTokenInput(nonce, fields.mac, tokenKeyId);
      const { blindedMsg, inv } = await suite.blind(keys.publicKey, input);
      const signature = await suite.finalize(keys.publicKey, input, await suite.blindSign(keys.privateKey, blindedMsg), inv);
      const token = encode({ token_nonce: nonce, signature: base64urlEncode(signature), key_id: tokenKeyId, challenge: fields });
      const verified = await verifyPersonaToken(token, tokenKey);
      expect(verified).toEqual({ tokenNonce: nonce, signature, keyId: tokenKeyId, challenge: { ...decodePersonaChallenge(challenge) } });
      // The same signature under another nonce is not a token.
      expect(await verifyPersonaToken(encode({ ...tokenJson(token), token_nonce: 'ef'.repeat(32) }), tokenKey)).toBeUndefined();
    });
  });
});

describe('refusals', () => {
  let smallExponent: TestIssuer;
  beforeAll(() => {
    smallExponent = issuer(2048, 3);
  });

  it('refuses a public exponent other than 65537 in both profiles (a huge one would make every check slow)', async () => {
    expect(await thrown(() => beginPersonaIssuance({ challenge, tokenKey: smallExponent.tokenKey, tokenKeyId: smallExponent.tokenKeyId, now }))).toBe('bad-key');
    expect(await thrown(() => verifyPersonaToken('e30', smallExponent.tokenKey))).toBe('bad-key');
    const rfcChallenge = encodeTokenChallenge({ tokenType: 2, issuerName: 'issuer.example', redemptionContext: new Uint8Array(0), originInfo: [] });
    expect(await thrown(() => beginIssuance({ challenge: rfcChallenge, tokenKey: smallExponent.tokenKey }))).toBe('bad-key');
    expect(await thrown(() => verifyToken(new Uint8Array(354), smallExponent.tokenKey))).toBe('bad-key');
    // A 4095-bit exponent: refused from the SPKI alone.
    const n = BigInt(`0x${parseRsaSpki(main.tokenKey).n.toString(16)}`);
    const hugeE = createPublicKey({ key: { kty: 'RSA', n: b64uOf(n), e: b64uOf((1n << 2047n) + 1n) }, format: 'jwk' });
    expect(await thrown(() => parseRsaSpki(new Uint8Array(hugeE.export({ format: 'der', type: 'spki' }))))).toBe('bad-key');
  });

  it.each([2047, 4097, 1024])('refuses a %i-bit key as bad-key', async (bits) => {
    // Only the public key is read, so an odd number of the right size stands in for a modulus.
    const n = (1n << BigInt(bits - 1)) + 1n;
    const spki = new Uint8Array(createPublicKey({ key: { kty: 'RSA', n: b64uOf(n), e: 'AQAB' }, format: 'jwk' }).export({ format: 'der', type: 'spki' }));
    const keyId = createHash('sha256').update(spki).digest('hex');
    expect(await thrown(() => beginPersonaIssuance({ challenge, tokenKey: spki, tokenKeyId: keyId, now }))).toBe('bad-key');
  });

  it.each([
    [{ ...fields, token_type: 1 }, 'unsupported-token-type'],
    [{ ...fields, token_type: 3 }, 'unsupported-token-type'],
    [{ ...fields, token_type: '2' }, 'bad-challenge'],
    [{ ...fields, mac: '' }, 'bad-challenge'],
    [{ ...fields, expires_at: 'tomorrow' }, 'bad-challenge'],
    [{ ...fields, expires_at: '2030-13-01T10:00:00Z' }, 'bad-challenge'],
    [{ ...fields, issuer_name: 7 }, 'bad-challenge'],
    [[fields], 'bad-challenge'],
  ])('refuses the challenge %j as %s', async (value, code) => {
    expect(await thrown(() => decodePersonaChallenge(encode(value)))).toBe(code);
    expect(await thrown(() => beginPersonaIssuance({ challenge: encode(value), tokenKey: main.tokenKey, tokenKeyId: main.tokenKeyId, now }))).toBe(code);
  });

  it('refuses an expired challenge (injectable now), and takes one a second before expiry', async () => {
    const expiry = Date.parse(fields.expires_at);
    expect(await thrown(() => beginPersonaIssuance({ challenge, tokenKey: main.tokenKey, tokenKeyId: main.tokenKeyId, now: expiry }))).toBe('bad-challenge');
    expect(await thrown(() => issue(main, { now: expiry - 1000 }))).toBe('nothing');
  });

  it('refuses a token-key-id that is not the SHA-256 of the token key, in any documented spelling', async () => {
    const digest = createHash('sha256').update(main.tokenKey).digest();
    const ofText = createHash('sha256').update(Buffer.from(main.tokenKey).toString('base64url')).digest();
    const accepted = [digest.toString('hex'), digest.toString('hex').toUpperCase(), digest.toString('base64url'), `${digest.toString('base64url')}=`, ofText.toString('hex'), ofText.toString('base64url')];
    for (const tokenKeyId of accepted) {
      const token = await issue(main, { tokenKeyId });
      // The key id goes into the token exactly as given.
      expect(tokenJson(token).key_id).toBe(tokenKeyId);
      expect((await verifyPersonaToken(token, main.tokenKey))?.keyId).toBe(tokenKeyId);
    }
    const other = issuer();
    for (const tokenKeyId of [other.tokenKeyId, 'abc123', `${main.tokenKeyId}0`, main.tokenKeyId.slice(1)]) {
      expect(await thrown(() => beginPersonaIssuance({ challenge, tokenKey: main.tokenKey, tokenKeyId, now }))).toBe('key-id-mismatch');
    }
  });

  it('finalize refuses a blind signature of the wrong length, one not below n, and another key’s', async () => {
    const pending = await beginPersonaIssuance({ challenge, tokenKey: main.tokenKey, tokenKeyId: main.tokenKeyId, now });
    expect(await thrown(() => pending.finalize(new Uint8Array(255)))).toBe('bad-response');
    expect(await thrown(() => pending.finalize(new Uint8Array(256).fill(0xff)))).toBe('bad-response');
    // Another key's signature only reaches the signature check when both numbers fit below both moduli
    // (raw RSA refuses an input not below its modulus, and finalize refuses an answer not below n):
    // about one blinding in four, so try fresh blindings until one does.
    const other = issuer();
    const modulus = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).n ?? '', 'base64url');
    const below = (value: Uint8Array, key: KeyObject): boolean => Buffer.compare(Buffer.from(value), modulus(key)) < 0;
    let attempt = pending;
    for (let i = 0; i < 64 && !(below(attempt.blindedToken, other.privateKey) && below(other.sign(attempt.blindedToken), main.privateKey)); i++) {
      attempt = await beginPersonaIssuance({ challenge, tokenKey: main.tokenKey, tokenKeyId: main.tokenKeyId, now });
    }
    expect(await thrown(() => attempt.finalize(other.sign(attempt.blindedToken)))).toBe('bad-signature');
    expect(await thrown(() => pending.finalize('AAAA' as never))).toMatch(/^TypeError: blindSig/);
  });
});

describe('boundary checks name the argument', () => {
  const args = (): BeginPersonaIssuanceArgs => ({ challenge, tokenKey: main.tokenKey, tokenKeyId: main.tokenKeyId, now });
  it.each<[string, () => unknown, RegExp]>([
    ['args null', () => beginPersonaIssuance(null as never), /^TypeError: args/],
    ['challenge bytes', () => beginPersonaIssuance({ ...args(), challenge: new Uint8Array(3) as never }), /^TypeError: challenge/],
    ['challenge not base64url', () => beginPersonaIssuance({ ...args(), challenge: 'a b' }), /^RangeError: challenge/],
    ['challenge too long', () => decodePersonaChallenge('a'.repeat(5000)), /^RangeError: challenge/],
    ['challenge a number', () => decodePersonaChallenge(7 as never), /^TypeError: challenge/],
    ['tokenKey a string', () => beginPersonaIssuance({ ...args(), tokenKey: 'MIIB' as never }), /^TypeError: tokenKey/],
    ['tokenKeyId bytes', () => beginPersonaIssuance({ ...args(), tokenKeyId: new Uint8Array(32) as never }), /^TypeError: tokenKeyId/],
    ['tokenKeyId empty', () => beginPersonaIssuance({ ...args(), tokenKeyId: '' }), /^RangeError: tokenKeyId/],
    ['nonce bytes', () => beginPersonaIssuance({ ...args(), nonce: new Uint8Array(32) as never }), /^TypeError: nonce/],
    ['nonce upper-case', () => beginPersonaIssuance({ ...args(), nonce: 'AB'.repeat(32) }), /^RangeError: nonce/],
    ['nonce 62 digits', () => beginPersonaIssuance({ ...args(), nonce: 'ab'.repeat(31) }), /^RangeError: nonce/],
    ['salt 47 bytes', () => beginPersonaIssuance({ ...args(), salt: new Uint8Array(47) }), /^RangeError: salt/],
    ['now a string', () => beginPersonaIssuance({ ...args(), now: '2030' as never }), /^TypeError: now/],
    ['now NaN', () => beginPersonaIssuance({ ...args(), now: Number.NaN }), /^RangeError: now/],
    ['token bytes', () => verifyPersonaToken(new Uint8Array(3) as never, main.tokenKey), /^TypeError: token/],
  ])('%s', async (_, run, expected) => {
    expect(await thrown(run)).toMatch(expected);
  });

  it('verifyPersonaToken answers undefined for what is not a token', async () => {
    for (const token of ['', 'e30', 'not base64!', encode({ token_nonce: 'ab'.repeat(32), signature: 'AA', key_id: 'k', challenge: fields }), encode([1]), 'x'.repeat(20000)]) {
      expect(await verifyPersonaToken(token, main.tokenKey)).toBeUndefined();
    }
  });
});

function b64uOf(value: bigint): string {
  const hex = value.toString(16);
  return Buffer.from(hex.padStart(hex.length + (hex.length % 2), '0'), 'hex').toString('base64url');
}

// Strings that stress the JSON handling: HTML characters Go escapes, quotes, backslashes, U+2028,
// astral characters, and names that look like the token's own members.
const jsonText = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 10 }), fc.constantFrom('<a&b>', '\u2028\u2029', '"\\', '"challenge":{', '}', 'mac'));
const space = fc.constantFrom('', ' ', '\n  ', '\t');

// A challenge JSON text with random formatting and extra members, as any server might write it.
const challengeText = fc
  .record({
    issuer_name: jsonText,
    origin_info: jsonText,
    mac: jsonText.filter((s) => s !== ''),
    extra: fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !(k in fields)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    space,
  })
  .map(({ extra, space: s, ...values }) => {
    const members = { ...extra, token_type: 2, expires_at: fields.expires_at, ...values };
    return `{${s}${Object.entries(members).map(([k, v]) => `${JSON.stringify(k)}${s}:${s}${JSON.stringify(v)}`).join(`,${s}`)}${s}}`;
  });

describe('properties', () => {
  it('any well-formed challenge issues a token that verifies and carries the challenge, compacted, member for member', async () => {
    await fc.assert(
      fc.asyncProperty(challengeText, async (text) => {
        const encoded = Buffer.from(text).toString('base64url');
        const decoded = decodePersonaChallenge(encoded);
        expect(JSON.parse(decoded.json)).toEqual(JSON.parse(text));
        expect(decoded.json).not.toMatch(/[<>&\u2028\u2029]/);
        const token = await issue(main, { challenge: encoded });
        const verified = await verifyPersonaToken(token, main.tokenKey);
        expect(verified?.challenge).toEqual(decoded);
        expect(tokenJson(token).challenge).toEqual(JSON.parse(text));
      }),
      { numRuns: 60 },
    );
  });

  it('a flipped bit in the blind signature is bad-signature or bad-response, never a token', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (bit) => {
        const pending = await beginPersonaIssuance({ challenge, tokenKey: main.tokenKey, tokenKeyId: main.tokenKeyId, now });
        const code = await thrown(() => pending.finalize(flipBit(main.sign(pending.blindedToken), bit)));
        expect(['bad-signature', 'bad-response']).toContain(code);
      }),
      { numRuns: 60 },
    );
  });

  it('a flipped bit in a token fails, unless it only touched challenge fields the MAC (checked by the issuer) covers', async () => {
    const token = await issue(main);
    const original = await verifyPersonaToken(token, main.tokenKey);
    const bytes = Buffer.from(token, 'base64url');
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (bit) => {
        const verified = await verifyPersonaToken(Buffer.from(flipBit(bytes, bit)).toString('base64url'), main.tokenKey);
        if (verified === undefined) return;
        expect([verified.tokenNonce, verified.signature, verified.keyId, verified.challenge.mac]).toEqual([original?.tokenNonce, original?.signature, original?.keyId, original?.challenge.mac]);
      }),
      { numRuns: 200 },
    );
  });

  it('a flipped bit in the key gives a typed error or no token', async () => {
    const token = await issue(main);
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (bit) => {
        const key = flipBit(main.tokenKey, bit);
        const verified = await verifyPersonaToken(token, key).catch((error: unknown) => {
          expect(isTyped(error)).toBe(true);
          return undefined;
        });
        if (verified !== undefined) expect([parseRsaSpki(key).n, parseRsaSpki(key).e]).toEqual([parseRsaSpki(main.tokenKey).n, 65537n]);
        await beginPersonaIssuance({ challenge, tokenKey: key, tokenKeyId: main.tokenKeyId, now }).catch((error: unknown) => { expect(isTyped(error)).toBe(true); });
      }),
      { numRuns: 80 },
    );
  });

  it('hostile strings give only typed errors (or undefined) in every decoder', async () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.jsonValue({ maxDepth: 3 }).map(encode),
      fc.record({ token_nonce: fc.string(), signature: fc.string(), key_id: fc.string(), challenge: fc.jsonValue({ maxDepth: 2 }) }).map(encode),
      fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(hostile, fc.string({ maxLength: 80 }), async (text, other) => {
        const attempts: (() => unknown)[] = [
          () => decodePersonaChallenge(text),
          () => verifyPersonaToken(text, main.tokenKey),
          () => beginPersonaIssuance({ challenge: text, tokenKey: main.tokenKey, tokenKeyId: main.tokenKeyId, now }),
          () => beginPersonaIssuance({ challenge, tokenKey: main.tokenKey, tokenKeyId: other, nonce: other, now }),
          () => personaTokenInput(text, other, text),
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
