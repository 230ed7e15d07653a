import { base64urlPattern, printablePattern, readStrings } from './fields.ts';
import { invalid, isRecord, valid, type WireResult } from './result.ts';
import {
  relaySessionStatuses,
  type ChallengeMaterials,
  type IssueAnswer,
  type MethodologyCalculation,
  type RedeemAnswer,
  type RelayClaim,
  type RelaySessionError,
  type RelaySessionInfo,
  type RelaySessionState,
  type RelaySessionStatus,
  type TokenProtocol,
} from './types.ts';

const isResult = (value: unknown): value is 'passed' | 'failed' => value === 'passed' || value === 'failed';
const isStatus = (value: unknown): value is RelaySessionStatus => typeof value === 'string' && (relaySessionStatuses as readonly string[]).includes(value);
const optionalString = (value: unknown): value is string | undefined => value === undefined || typeof value === 'string';

/** Validates the 201 answer of `POST {base}/sessions`. */
export function parseSessionInfo(body: unknown): WireResult<RelaySessionInfo> {
  const session = readStrings(body, {
    sessionId: { max: 256, pattern: printablePattern, shape: 'printable ASCII' },
    sessionAccessToken: { max: 8192, pattern: printablePattern, shape: 'printable ASCII' },
    expiresAt: { max: 64 },
  });
  if (!session.ok) return session;
  if (Number.isNaN(Date.parse(session.value.expiresAt))) return invalid('expiresAt is not a date');
  return session;
}

/**
 * Validates the answer of `POST {base}/sessions/:id/challenge`. An answer without `protocol` predates
 * the field and is read as `rfc9578`, the only profile the backend spoke then.
 */
export function parseChallengeMaterials(body: unknown): WireResult<ChallengeMaterials> {
  if (!isRecord(body)) return invalid('not a JSON object');
  const protocol: unknown = body.protocol ?? 'rfc9578';
  if (protocol !== 'persona' && protocol !== 'rfc9578') return invalid('protocol is not persona or rfc9578');
  const fields = readStrings(body, {
    challenge: { max: 8192, pattern: base64urlPattern, shape: 'base64url' },
    tokenKey: { max: 2048, pattern: base64urlPattern, shape: 'base64url' },
    tokenKeyId: { max: 256, pattern: printablePattern, shape: 'printable ASCII' },
  });
  return fields.ok ? valid({ protocol: protocol satisfies TokenProtocol, ...fields.value }) : fields;
}

/** Validates the answer of `POST {base}/sessions/:id/issue`. */
export function parseIssueAnswer(body: unknown): WireResult<IssueAnswer> {
  return readStrings(body, { tokenResponse: { max: 1024, pattern: base64urlPattern, shape: 'base64url' } });
}

/** Validates the 202 answer of `POST {base}/sessions/:id/redeem`: a session state (see `parseSessionState`). */
export function parseRedeemAnswer(body: unknown): WireResult<RedeemAnswer> {
  return parseSessionState(body);
}

function readClaim(value: unknown): RelayClaim | undefined {
  if (!isRecord(value) || typeof value.claimType !== 'string' || value.claimType === '' || !isResult(value.claimResult)) return undefined;
  const claim: RelayClaim = { claimType: value.claimType, claimResult: value.claimResult };
  if (value.methodology === undefined) return claim;
  if (!Array.isArray(value.methodology)) return undefined;
  const steps: MethodologyCalculation[] = [];
  for (const step of value.methodology as unknown[]) {
    if (!isRecord(step) || typeof step.method !== 'string' || !isResult(step.result)) return undefined;
    steps.push({ method: step.method, result: step.result });
  }
  return { ...claim, methodology: steps };
}

function readError(value: unknown): RelaySessionError | undefined {
  if (!isRecord(value) || typeof value.status !== 'number' || typeof value.title !== 'string') return undefined;
  if (!optionalString(value.detail) || !optionalString(value.requestId)) return undefined;
  return { status: value.status, title: value.title.slice(0, 500), detail: value.detail?.slice(0, 500), requestId: value.requestId };
}

/**
 * Validates a `GET {base}/sessions/:id` answer field by field and copies only known fields, so a
 * malformed answer is a problem here rather than a TypeError in a renderer. `retryAfterMs` (from the
 * `Retry-After` header) stands in for a missing `pollAfterMs`.
 */
export function parseSessionState(body: unknown, retryAfterMs?: number): WireResult<RelaySessionState> {
  if (!isRecord(body) || !isStatus(body.status)) return invalid('session status');
  const state: RelaySessionState = { status: body.status };
  if (body.claim !== undefined) {
    const claim = readClaim(body.claim);
    if (!claim) return invalid('claim');
    state.claim = claim;
  }
  if (body.error !== undefined) {
    const error = readError(body.error);
    if (!error) return invalid('error');
    state.error = error;
  }
  const hint = body.pollAfterMs ?? retryAfterMs;
  if (hint !== undefined) {
    if (typeof hint !== 'number' || !Number.isFinite(hint) || hint < 0) return invalid('pollAfterMs');
    state.pollAfterMs = hint;
  }
  return valid(state);
}
