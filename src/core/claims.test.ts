import { describe, expect, it } from 'vitest';
import { claimTypeInfo, normalizeClaimType, parseClaimPayload } from './claims.ts';
import { RelayProtocolError } from './errors.ts';

describe('claim types', () => {
  it('accepts both of Persona spellings', () => {
    expect(normalizeClaimType('age_over18_germany')).toBe('age_over_18_germany');
    expect(normalizeClaimType('age_over_18_germany')).toBe('age_over_18_germany');
    expect(claimTypeInfo('age_over18_france')?.hidesMethodology).toBe(true);
    expect(claimTypeInfo('live_human_presence')?.label).toBe('A live human is present');
  });

  it('passes unknown types through', () => {
    expect(normalizeClaimType('age_over_65_mars')).toBe('age_over_65_mars');
    expect(claimTypeInfo('age_over_65_mars')).toBeUndefined();
  });
});

describe('parseClaimPayload', () => {
  it('reads a claim with methodology, keeping unknown methods and the wire spelling', () => {
    const claim = parseClaimPayload(
      JSON.stringify({ claim_type: 'age_over18_germany', claim_result: 'passed', methodology: [{ method: 'palm_reading', result: 'failed' }, { method: 'document_selfie', result: 'passed' }] }),
    );
    expect(claim).toEqual({
      claimType: 'age_over18_germany',
      claimResult: 'passed',
      methodology: [
        { method: 'palm_reading', result: 'failed' },
        { method: 'document_selfie', result: 'passed' },
      ],
    });
  });

  it('reads a claim whose methodology is hidden', () => {
    expect(parseClaimPayload({ claim_type: 'age_over_18_france', claim_result: 'failed' })).toEqual({ claimType: 'age_over_18_france', claimResult: 'failed' });
  });

  it.each([
    ['not json', '{'],
    ['a list', '[]'],
    ['no type', { claim_result: 'passed' }],
    ['a third result', { claim_type: 'x', claim_result: 'maybe' }],
    ['methodology not a list', { claim_type: 'x', claim_result: 'passed', methodology: 'all' }],
    ['a bad step', { claim_type: 'x', claim_result: 'passed', methodology: [{ method: 1, result: 'passed' }] }],
  ])('rejects %s with a RelayProtocolError', (_name, payload) => {
    expect(() => parseClaimPayload(payload)).toThrow(RelayProtocolError);
  });
});
