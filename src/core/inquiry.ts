import type { InquiryEvent } from './types.ts';

/**
 * The hosted inquiry page URL for a session: `base` plus the session access token and the embedding
 * origin (the page posts its messages to that origin only).
 */
export function buildInquiryUrl(base: string, sessionAccessToken: string, origin?: string): string {
  const hashAt = base.indexOf('#');
  const hash = hashAt === -1 ? '' : base.slice(hashAt);
  const withoutHash = hashAt === -1 ? base : base.slice(0, hashAt);
  const queryAt = withoutHash.indexOf('?');
  const path = queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? '' : withoutHash.slice(queryAt + 1));
  params.set('relay-session-access-token', sessionAccessToken);
  if (origin) params.set('origin', origin);
  return `${path}?${params.toString()}${hash}`;
}

const inquiryTypes: readonly string[] = ['relay:ready', 'relay:complete', 'relay:cancel', 'relay:error', 'relay:expire'];

/** A hosted page's postMessage as an `InquiryEvent`, or undefined for anything else on the channel. */
export function parseInquiryMessage(data: unknown): InquiryEvent | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type, status, message } = data as Record<string, unknown>;
  if (typeof type !== 'string' || !inquiryTypes.includes(type)) return undefined;
  const extra = {
    ...(typeof status === 'string' ? { status } : {}),
    ...(typeof message === 'string' ? { message: message.slice(0, 500) } : {}),
  };
  return { type, ...extra } as InquiryEvent;
}
