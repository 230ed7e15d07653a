import { base64urlPattern, claimTypePattern, readStrings, type StringRule } from './fields.ts';
import { invalid, isRecord, valid, type WireResult } from './result.ts';
import type { CreateSessionBody, IssueBody, RedeemBody, TokenBody } from './types.ts';

// A TokenRequest is 3 bytes + the modulus (at most 4096 bits): 515 bytes, 687 base64url characters.
const tokenRequestRule: StringRule = { max: 700, pattern: base64urlPattern, shape: 'base64url' };
// A persona token embeds its challenge JSON and a 512-byte signature: a few kB at most.
const tokenRule: StringRule = { max: 16384, pattern: base64urlPattern, shape: 'base64url' };

/** Validates the body of `POST {base}/sessions`. */
export function parseCreateSessionBody(body: unknown): WireResult<CreateSessionBody> {
  return readStrings(body, { claimType: { max: 64, pattern: claimTypePattern, shape: 'a claim type' } });
}

/** Validates the body of `POST {base}/sessions/:id/issue` (the profile decides the exact length). */
export function parseIssueBody(body: unknown): WireResult<IssueBody> {
  return readStrings(body, { tokenRequest: tokenRequestRule });
}

/** Validates the body of `POST {base}/sessions/:id/token`. */
export function parseTokenBody(body: unknown): WireResult<TokenBody> {
  return readStrings(body, { token: tokenRule });
}

/** Validates the body of `POST {base}/sessions/:id/redeem`: `{}` or `{token}`. */
export function parseRedeemBody(body: unknown): WireResult<RedeemBody> {
  if (!isRecord(body)) return invalid('not a JSON object');
  if (body.token === undefined) return valid({});
  return parseTokenBody(body);
}
