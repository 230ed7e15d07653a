import { describe, expect, it } from 'vitest';
import { buildInquiryUrl, parseInquiryMessage } from './inquiry.ts';

describe('buildInquiryUrl', () => {
  it('appends the session access token and the origin to a relative base', () => {
    expect(buildInquiryUrl('/persona/relay', 'a.b.c', 'http://app.test')).toBe('/persona/relay?relay-session-access-token=a.b.c&origin=http%3A%2F%2Fapp.test');
  });

  it("keeps the base's own query and fragment, and replaces a stale token", () => {
    const url = buildInquiryUrl('https://inquiry.example/relay?locale=de&relay-session-access-token=old#top', 'new', undefined);
    expect(url).toBe('https://inquiry.example/relay?locale=de&relay-session-access-token=new#top');
  });

  it('escapes what it appends, so a token cannot add parameters', () => {
    const url = new URL(buildInquiryUrl('https://inquiry.example/relay', 'x&origin=https://evil.example', 'https://app.example'));
    expect(url.searchParams.get('relay-session-access-token')).toBe('x&origin=https://evil.example');
    expect(url.searchParams.getAll('origin')).toEqual(['https://app.example']);
  });
});

describe('parseInquiryMessage', () => {
  it('reads the hosted page events', () => {
    expect(parseInquiryMessage({ type: 'relay:complete', status: 'completed' })).toEqual({ type: 'relay:complete', status: 'completed' });
    expect(parseInquiryMessage({ type: 'relay:cancel' })).toEqual({ type: 'relay:cancel' });
    expect(parseInquiryMessage({ type: 'relay:expire' })).toEqual({ type: 'relay:expire' });
    expect(parseInquiryMessage({ type: 'relay:error', message: 'camera' })).toEqual({ type: 'relay:error', message: 'camera' });
  });

  it('ignores anything else on the message channel', () => {
    for (const data of [null, undefined, 'relay:complete', 42, [], {}, { type: 'relay:unknown' }, { type: 7 }, { type: 'webpackOk' }]) {
      expect(parseInquiryMessage(data)).toBeUndefined();
    }
  });

  it('drops fields of the wrong type and caps a long message', () => {
    expect(parseInquiryMessage({ type: 'relay:complete', status: 1, extra: 'x' })).toEqual({ type: 'relay:complete' });
    const parsed = parseInquiryMessage({ type: 'relay:error', message: 'x'.repeat(10_000) });
    expect(parsed?.type === 'relay:error' && parsed.message?.length).toBe(500);
  });
});
