import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChallengeMaterials, parseIssueAnswer, parseRedeemAnswer, parseSessionInfo, parseSessionState } from './answers.ts';
import { parseCreateSessionBody, parseIssueBody, parseRedeemBody, parseTokenBody } from './bodies.ts';
import type { WireResult } from './result.ts';

const validators: Record<string, (body: unknown) => WireResult<unknown>> = {
  parseSessionInfo,
  parseChallengeMaterials,
  parseIssueAnswer,
  parseRedeemAnswer,
  parseSessionState: (body) => parseSessionState(body),
  parseCreateSessionBody,
  parseIssueBody,
  parseTokenBody,
  parseRedeemBody,
};

const problem = (result: WireResult<unknown>): string | undefined => (result.ok ? undefined : result.problem);

describe('wire validators', () => {
  it('never throw, and a problem never quotes the input', () => {
    for (const [name, parse] of Object.entries(validators)) {
      fc.assert(
        fc.property(fc.jsonValue(), (body) => {
          const result = parse(body);
          if (!result.ok) expect(result.problem, name).not.toContain('SECRET');
        }),
        { numRuns: 200 },
      );
      expect(problem(parse({ claimType: 'SECRET!', tokenRequest: 'SECRET!', token: 'SECRET!', tokenResponse: 'SECRET!' })), name).not.toContain('SECRET');
    }
  });

  it('read a session answer, and refuse one that is not a date or not printable', () => {
    const session = { sessionId: 'ses_1', sessionAccessToken: 'a.b.c', expiresAt: '2030-01-01T00:00:00Z' };
    expect(parseSessionInfo({ ...session, extra: 1 })).toEqual({ ok: true, value: session });
    expect(problem(parseSessionInfo({ ...session, expiresAt: 'soon' }))).toBe('expiresAt is not a date');
    expect(problem(parseSessionInfo({ ...session, sessionId: 'a b' }))).toBe('sessionId is not printable ASCII');
    expect(problem(parseSessionInfo([]))).toBe('not a JSON object');
  });

  it('read the challenge answer in both profiles; one without protocol is the rfc9578 answer of old', () => {
    const materials = { challenge: 'eyJ0b2tlbl90eXBlIjoyfQ', tokenKey: 'MIIBIjAN', tokenKeyId: 'ab'.repeat(32) };
    expect(parseChallengeMaterials({ protocol: 'persona', ...materials })).toEqual({ ok: true, value: { protocol: 'persona', ...materials } });
    expect(parseChallengeMaterials(materials)).toEqual({ ok: true, value: { protocol: 'rfc9578', ...materials } });
    expect(problem(parseChallengeMaterials({ protocol: 'privacypass-2030', ...materials }))).toBe('protocol is not persona or rfc9578');
    expect(problem(parseChallengeMaterials({ protocol: 'persona', ...materials, tokenKey: 'a+b/' }))).toBe('tokenKey is not base64url');
    expect(problem(parseChallengeMaterials({ protocol: 'persona', ...materials, challenge: 'a'.repeat(8193) }))).toBe('challenge is longer than 8192 characters');
  });

  it('read session states field by field', () => {
    expect(parseSessionState({ status: 'canceled' })).toEqual({ ok: true, value: { status: 'canceled' } });
    expect(parseSessionState({ status: 'redeeming' }, 2000)).toEqual({ ok: true, value: { status: 'redeeming', pollAfterMs: 2000 } });
    expect(parseSessionState({ status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'passed', methodology: [{ method: 'x', result: 'failed' }] } })).toMatchObject({ ok: true });
    expect(problem(parseSessionState({ status: 'done' }))).toBe('session status');
    expect(problem(parseSessionState({ status: 'passed', claim: { claimType: 'a', claimResult: 'maybe' } }))).toBe('claim');
    expect(problem(parseSessionState({ status: 'error', error: { status: '500', title: 'x' } }))).toBe('error');
    expect(problem(parseSessionState({ status: 'inquiry', pollAfterMs: -1 }))).toBe('pollAfterMs');
    expect(parseRedeemAnswer({ status: 'redeeming' })).toEqual({ ok: true, value: { status: 'redeeming' } });
    // A redeem that settled while the server held its answer carries the claim, checked like a poll's.
    expect(parseRedeemAnswer({ status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'passed' } })).toEqual({ ok: true, value: { status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'passed' } } });
    expect(problem(parseRedeemAnswer({ status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'yes' } }))).toBe('claim');
  });

  it('check request bodies for the server', () => {
    expect(parseCreateSessionBody({ claimType: 'age_over_18_germany' })).toEqual({ ok: true, value: { claimType: 'age_over_18_germany' } });
    expect(problem(parseCreateSessionBody({ claimType: 'Age 18+' }))).toBe('claimType is not a claim type');
    expect(problem(parseCreateSessionBody({}))).toBe('claimType is missing');
    expect(problem(parseIssueBody({ tokenRequest: 'A'.repeat(701) }))).toBe('tokenRequest is longer than 700 characters');
    expect(parseIssueBody({ tokenRequest: 'AAEC' })).toEqual({ ok: true, value: { tokenRequest: 'AAEC' } });
    expect(parseRedeemBody({})).toEqual({ ok: true, value: {} });
    expect(problem(parseRedeemBody({ token: 42 }))).toBe('token is missing');
    expect(problem(parseTokenBody({ token: 'a b' }))).toBe('token is not base64url');
  });
});
