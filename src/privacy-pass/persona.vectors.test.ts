import { constants, createHash, createPrivateKey, privateDecrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modInverse } from './bigint.ts';
import {
  PrivacyPassError,
  base64urlDecode,
  base64urlEncode,
  beginPersonaIssuance,
  blind,
  bytesToHex,
  decodePersonaChallenge,
  finalize,
  hexToBytes,
  parseRsaSpki,
  personaTokenInput,
  rsabssaSha384PssRandomized,
  verify,
  verifyPersonaToken,
} from './index.ts';

// test/vectors/persona.json (a copy of ../shared/persona/vectors.json): each block says where its
// values come from: Persona's docs, Persona's Go SDK, RFC 9474, or generated with node:crypto.
const vectors = JSON.parse(readFileSync(new URL('../../test/vectors/persona.json', import.meta.url), 'utf8')) as {
  persona_implementation_verification: {
    test_key_pair: {
      public_key_pem_recovered_prefix: { value: string };
      derived_from_rfc9474_a1: { n: string; e: string; modLen: number; token_key_base64url_der: string; token_key_id_hex_sha256_of_der: string; public_key_pem: string; private_key_pkcs8_pem: string };
    };
    test1_blind: { rfc9474_reference: Record<string, string> };
    test2_finalize: { rfc9474_reference: Record<string, string> };
  };
  go_sdk_fixtures: {
    crypto_test_token_input: { nonce: string; challengeMac: string; keyId: string; expected_token_input_hex: { value: string } };
    mock_challenge_json: Record<string, unknown>;
    challenge_validation_tests: { challenge_json: string; expect: string }[];
  };
  doc_examples: { challenge_decoded_example_challenge_page: Record<string, unknown> };
  generated_examples: { persona_style_issuance: Record<string, string> };
};

const testKeys = vectors.persona_implementation_verification.test_key_pair;
const derivedKey = testKeys.derived_from_rfc9474_a1;
const generated = vectors.generated_examples.persona_style_issuance;
const field = (name: string): string => {
  const value = generated[name];
  if (value === undefined) throw new Error(`generated example has no ${name}`);
  return value;
};
const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const b64uJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const beforeExpiry = Date.parse('2026-05-18T17:30:00Z');

const codeOf = async (run: () => unknown): Promise<string> => {
  try {
    await run();
    return 'no error';
  } catch (error) {
    return error instanceof PrivacyPassError ? error.code : String(error);
  }
};

describe('Persona test key (Implementation Verification page, recovered prefix)', () => {
  it('is the RFC 9474 A.1 key: the recovered PEM prefix starts the derived SPKI, which we read as n, e = 65537, 512 bytes', () => {
    const recovered = testKeys.public_key_pem_recovered_prefix.value;
    expect(derivedKey.public_key_pem.startsWith(recovered)).toBe(true);
    const der = base64urlDecode(derivedKey.token_key_base64url_der);
    // The recovered base64 (past the PEM header) is the start of the DER's base64.
    const recoveredBase64 = recovered.replace('-----BEGIN PUBLIC KEY-----', '').replace(/\s/g, '');
    expect(Buffer.from(der).toString('base64').startsWith(recoveredBase64)).toBe(true);
    const key = parseRsaSpki(der);
    expect(key.n.toString(16)).toBe(derivedKey.n);
    expect(key.e).toBe(BigInt(`0x${derivedKey.e}`));
    expect(key.modulusBytes).toBe(derivedKey.modLen);
    expect(createHash('sha256').update(der).digest('hex')).toBe(derivedKey.token_key_id_hex_sha256_of_der);
  });

  it('Test 1 / Test 2 (RFC 9474 A.1 values, msg_prefix included as the page does): blind and finalize reproduce them', async () => {
    const t1 = vectors.persona_implementation_verification.test1_blind.rfc9474_reference;
    const t2 = vectors.persona_implementation_verification.test2_finalize.rfc9474_reference;
    const key = parseRsaSpki(base64urlDecode(derivedKey.token_key_base64url_der));
    const inv = BigInt(`0x${t1.inv}`);
    const r = modInverse(inv, key.n);
    if (r === undefined) throw new Error('inv is not invertible');
    const prepared = hexToBytes(t1.prepared_msg ?? '');
    const blinded = await blind(key, prepared, rsabssaSha384PssRandomized, { salt: hexToBytes(t1.salt ?? ''), blind: hexToBytes(r.toString(16).padStart(1024, '0')) });
    expect(bytesToHex(blinded.blindedMessage)).toBe(t1.blinded_msg);
    expect(blinded.inverse).toBe(inv);
    expect(t2.prepared_msg).toBe(t1.prepared_msg);
    const signature = await finalize(key, prepared, hexToBytes(t2.blind_sig ?? ''), BigInt(`0x${t2.inv}`), rsabssaSha384PssRandomized);
    expect(bytesToHex(signature)).toBe(t2.sig);
    // The prefix is part of what is signed: the same signature fails over msg alone.
    expect(await verify(key, hexToBytes(t1.msg ?? ''), signature, rsabssaSha384PssRandomized)).toBe(false);
  });
});

describe("Persona's Go SDK fixtures", () => {
  it('crypto_test.go token input: 98 bytes, 0x0002, then SHA-256 of each string as given (a 65-character key id too)', async () => {
    const { nonce, challengeMac, keyId, expected_token_input_hex: expected } = vectors.go_sdk_fixtures.crypto_test_token_input;
    expect(keyId).toHaveLength(65);
    const input = await personaTokenInput(nonce, challengeMac, keyId);
    expect(input).toHaveLength(98);
    expect(bytesToHex(input.subarray(0, 2))).toBe('0002');
    expect(bytesToHex(input.subarray(2, 34))).toBe(sha256Hex(nonce));
    expect(bytesToHex(input.subarray(34, 66))).toBe(sha256Hex(challengeMac));
    expect(bytesToHex(input.subarray(66, 98))).toBe(sha256Hex(keyId));
    expect(bytesToHex(input)).toBe(expected.value);
  });

  it('reads the mock challenge (Go map order: keys sorted) and keeps it as sent', () => {
    const mock = { ...vectors.go_sdk_fixtures.mock_challenge_json, mac: 'ab'.repeat(32) };
    const sorted = Object.fromEntries(Object.entries(mock).sort(([a], [b]) => a.localeCompare(b)));
    const decoded = decodePersonaChallenge(b64uJson(sorted));
    expect(decoded).toEqual({
      tokenType: 2,
      issuerName: 'persona',
      originInfo: 'https://withpersona.com',
      expiresAt: '2026-06-25T20:00:00Z',
      mac: 'ab'.repeat(32),
      json: JSON.stringify(sorted),
    });
  });

  it.each([
    ['{"nonce":"x"}', 'bad-challenge'],
    ['{"mac":123}', 'bad-challenge'],
  ])('refuses %s as the SDK does (its 502 "Challenge missing mac" / "Failed to parse challenge")', async (json, code) => {
    expect(vectors.go_sdk_fixtures.challenge_validation_tests.some((t) => t.challenge_json === json)).toBe(true);
    // The other fields are present, so only the mac is wrong.
    const challenge = b64uJson({ token_type: 2, issuer_name: 'persona', origin_info: 'https://withpersona.com', expires_at: '2026-06-25T20:00:00Z', ...(JSON.parse(json) as object) });
    expect(await codeOf(() => decodePersonaChallenge(challenge))).toBe(code);
  });

  it('echoes an unknown challenge field ("extra": "keep-me") verbatim into the token', async () => {
    const challengeJson = `{"expires_at":"2026-05-18T18:00:00Z","extra":"keep-me","issuer_name":"persona","mac":"${'cd'.repeat(32)}","origin_info":"https://withpersona.com","token_type":2}`;
    const token = await issueWithTestKey(Buffer.from(challengeJson).toString('base64url'));
    const tokenJson = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { challenge: Record<string, unknown> };
    expect(tokenJson.challenge.extra).toBe('keep-me');
    expect(Buffer.from(token, 'base64url').toString('utf8')).toContain(`"challenge":${challengeJson}}`);
  });
});

describe("Persona's docs: the challenge page example", () => {
  it('decodes, and compacts it with the HTML escapes Go json.Marshal writes in the token', () => {
    const example = vectors.doc_examples.challenge_decoded_example_challenge_page;
    const decoded = decodePersonaChallenge(Buffer.from(JSON.stringify(example, null, 2)).toString('base64url'));
    expect(decoded).toMatchObject({ tokenType: 2, issuerName: 'withpersona.com/api/v1/privacy-passes', originInfo: '/api/privacy/v1/relays', expiresAt: '2026-05-18T18:00:00Z', mac: '<hmac>' });
    expect(decoded.json).toBe(JSON.stringify(example).replace('<hmac>', '\\u003chmac\\u003e'));
  });
});

// Only the key is RFC 9474's; what follows was generated with node:crypto and checked with
// @cloudflare/blindrsa-ts when vectors.json was written (labelled generated_here there).
async function issueWithTestKey(challenge: string): Promise<string> {
  const pending = await beginPersonaIssuance({
    challenge,
    tokenKey: base64urlDecode(field('token_key_b64u')),
    tokenKeyId: field('token_key_id'),
    nonce: field('nonce'),
    salt: hexToBytes(field('salt_hex')),
    blind: hexToBytes(field('r_hex')),
    now: beforeExpiry,
  });
  // The generated blind signature is over the generated blinded message only, so other challenges
  // are signed here by raw RSA with the private key of the test key.
  if (challenge === field('challenge_b64u')) return pending.finalize(hexToBytes(field('blind_sig_hex')));
  return pending.finalize(signRaw(pending.blindedToken));
}

const privateKey = createPrivateKey(derivedKey.private_key_pkcs8_pem);
const signRaw = (blinded: Uint8Array): Uint8Array => new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, blinded));

describe('generated Persona-style issuance (fixed nonce, salt and r; vectors.json generated_examples)', () => {
  const tokenKey = base64urlDecode(field('token_key_b64u'));

  it('decodes the challenge and keeps its JSON byte for byte', () => {
    const decoded = decodePersonaChallenge(field('challenge_b64u'));
    expect(decoded.json).toBe(field('challenge_json'));
    expect(decoded.mac).toBe((JSON.parse(field('challenge_json')) as { mac: string }).mac);
  });

  it('reproduces the token input, the blinded token, and from the blind signature the token, byte for byte', async () => {
    expect(bytesToHex(await personaTokenInput(field('nonce'), decodePersonaChallenge(field('challenge_b64u')).mac, field('token_key_id')))).toBe(field('token_input_hex'));
    const pending = await beginPersonaIssuance({
      challenge: field('challenge_b64u'),
      tokenKey,
      tokenKeyId: field('token_key_id'),
      nonce: field('nonce'),
      salt: hexToBytes(field('salt_hex')),
      blind: hexToBytes(field('r_hex')),
      now: beforeExpiry,
    });
    expect(bytesToHex(pending.blindedToken)).toBe(field('blinded_msg_hex'));
    expect(base64urlEncode(pending.blindedToken)).toBe(field('blinded_token_b64u'));
    const token = await pending.finalize(base64urlDecode(field('blind_sig_b64u')));
    expect(Buffer.from(token, 'base64url').toString('utf8')).toBe(field('token_json'));
    expect(token).toBe(field('privacy_pass_token'));
  });

  it('verifies the example token and returns its fields', async () => {
    const fields = await verifyPersonaToken(field('privacy_pass_token'), tokenKey);
    expect(fields).toBeDefined();
    expect(fields?.tokenNonce).toBe(field('nonce'));
    expect(fields?.keyId).toBe(field('token_key_id'));
    expect(bytesToHex(fields?.signature ?? new Uint8Array())).toBe(field('sig_hex'));
    expect(fields?.challenge.json).toBe(field('challenge_json'));
  });

  it('refuses the example challenge once it has expired, and a blind signature for another message', async () => {
    const args = { challenge: field('challenge_b64u'), tokenKey, tokenKeyId: field('token_key_id') };
    expect(await codeOf(() => beginPersonaIssuance({ ...args, now: Date.parse('2026-05-18T18:00:00Z') }))).toBe('bad-challenge');
    const pending = await beginPersonaIssuance({ ...args, now: beforeExpiry });
    expect(await codeOf(() => pending.finalize(hexToBytes(field('blind_sig_hex'))))).toBe('bad-signature');
  });
});
