import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionTokens, sessionTokenSeconds, signHs256Jwt, verifyHs256Jwt } from './sessionToken.ts';

// RFC 7515 Appendix A.1: the HS256 example (its header has CRLFs and "typ" first; the MAC covers the bytes as sent).
const rfcKey = new Uint8Array(Buffer.from('AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow', 'base64url'));
const rfcToken =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
  '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

describe('HS256 compact JWS on node:crypto', () => {
  it('verifies the RFC 7515 A.1 example and returns its payload', () => {
    expect(verifyHs256Jwt(rfcToken, rfcKey)).toEqual({ iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true });
  });

  it('refuses the example with any signature, header or payload byte changed, or under another key', () => {
    const [h, p, s] = rfcToken.split('.') as [string, string, string];
    const flip = (v: string, i: number): string => v.slice(0, i) + (v[i] === 'A' ? 'B' : 'A') + v.slice(i + 1);
    expect(verifyHs256Jwt(`${h}.${p}.${flip(s, 5)}`, rfcKey)).toBeUndefined();
    expect(verifyHs256Jwt(`${flip(h, 3)}.${p}.${s}`, rfcKey)).toBeUndefined();
    expect(verifyHs256Jwt(`${h}.${flip(p, 7)}.${s}`, rfcKey)).toBeUndefined();
    expect(verifyHs256Jwt(rfcToken, new Uint8Array(64))).toBeUndefined();
    expect(verifyHs256Jwt(`${h}.${p}`, rfcKey)).toBeUndefined();
    expect(verifyHs256Jwt(`${h}.${p}.${s}=`, rfcKey)).toBeUndefined();
  });

  it('refuses alg none and a MAC-valid token whose header names another alg', () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"a":1}').toString('base64url')}.`;
    expect(verifyHs256Jwt(none, rfcKey)).toBeUndefined();
    const input = `${Buffer.from('{"alg":"HS384"}').toString('base64url')}.${Buffer.from('{"a":1}').toString('base64url')}`;
    const mac = createHmac('sha256', rfcKey).update(input).digest('base64url');
    expect(verifyHs256Jwt(`${input}.${mac}`, rfcKey)).toBeUndefined();
  });

  it('round-trips what it signs, with the header a JWT library expects', () => {
    const token = signHs256Jwt({ a: 'b', n: 1 }, rfcKey);
    expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(verifyHs256Jwt(token, rfcKey)).toEqual({ a: 'b', n: 1 });
  });
});

describe('createSessionTokens', () => {
  const issuer = 'http://127.0.0.1:4010';

  it('accepts its own token until exp, then says expired; another issuer or key is invalid', async () => {
    let now = Date.UTC(2026, 0, 1);
    const tokens = createSessionTokens(issuer, () => now, rfcKey);
    const token = await tokens.sign({ relayToken: 'rtk_1', claimType: 'age_over_18_germany' });
    expect(await tokens.verify(token)).toEqual({ relayToken: 'rtk_1', claimType: 'age_over_18_germany' });
    now += (sessionTokenSeconds - 1) * 1000;
    expect(await tokens.verify(token)).toEqual({ relayToken: 'rtk_1', claimType: 'age_over_18_germany' });
    now += 1000;
    expect(await tokens.verify(token)).toBe('expired');
    expect(await createSessionTokens('http://elsewhere', () => 0, rfcKey).verify(token)).toBe('invalid');
    expect(await createSessionTokens(issuer, () => 0).verify(token)).toBe('invalid');
  });

  it('says invalid for a MAC-valid token whose ref it never issued, or without one', async () => {
    const tokens = createSessionTokens(issuer, () => 0, rfcKey);
    expect(await tokens.verify(signHs256Jwt({ iss: issuer, exp: 10 }, rfcKey))).toBe('invalid');
    expect(await tokens.verify(signHs256Jwt({ iss: issuer, exp: '10', rtk: 'r', claim_type: 'c' }, rfcKey))).toBe('invalid');
    // The old readable shape is no longer honoured: the relay token must come from this process's map.
    expect(await tokens.verify(signHs256Jwt({ iss: issuer, exp: 10, rtk: 'r', claim_type: 'c' }, rfcKey))).toBe('invalid');
    expect(await tokens.verify(signHs256Jwt({ iss: issuer, exp: 10, ref: 'AAAA' }, rfcKey))).toBe('invalid');
    // A ref issued by another instance (same key) means nothing here.
    const other = await createSessionTokens(issuer, () => 0, rfcKey).sign({ relayToken: 'rtk_x', claimType: 'c' });
    expect(await tokens.verify(other)).toBe('invalid');
    expect(await tokens.verify('not a token')).toBe('invalid');
  });

  it('puts only an opaque random ref in the payload, never the relay token or claim type', async () => {
    const tokens = createSessionTokens(issuer, () => Date.UTC(2026, 0, 1), rfcKey);
    const relayToken = 'rtk_secret_relay_token_value';
    const a = await tokens.sign({ relayToken, claimType: 'age_over_18_germany' });
    const b = await tokens.sign({ relayToken, claimType: 'age_over_18_germany' });
    for (const token of [a, b]) {
      for (const segment of token.split('.')) {
        const text = Buffer.from(segment, 'base64url').toString('latin1');
        expect(text).not.toContain(relayToken);
        expect(text).not.toContain('age_over_18_germany');
      }
    }
    const payloadOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(payloadOf(a)).sort()).toEqual(['exp', 'iat', 'iss', 'ref']);
    expect(Buffer.from(String(payloadOf(a).ref), 'base64url')).toHaveLength(32);
    expect(payloadOf(a).ref).not.toBe(payloadOf(b).ref);
    expect(tokens.resolve(a)).toEqual({ relayToken, claimType: 'age_over_18_germany' });
  });

  it('forgets expired refs when it signs again, and an expired token still says expired', async () => {
    let now = Date.UTC(2026, 0, 1);
    const tokens = createSessionTokens(issuer, () => now, rfcKey);
    const old = await tokens.sign({ relayToken: 'rtk_old', claimType: 'c' });
    now += sessionTokenSeconds * 1000;
    await tokens.sign({ relayToken: 'rtk_new', claimType: 'c' });
    expect(await tokens.verify(old)).toBe('expired');
  });
});
