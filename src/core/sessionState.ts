import { isRecord, unexpectedAnswer, type BackendAnswer } from './request.ts';
import type { MethodologyCalculation, RelayClaim, RelaySessionState, RelaySessionStatus } from './types.ts';

const sessionStatuses: readonly string[] = ['inquiry', 'redeeming', 'needs-token', 'passed', 'failed', 'expired', 'error'] satisfies RelaySessionStatus[];
const isResult = (value: unknown): value is 'passed' | 'failed' => value === 'passed' || value === 'failed';
const optionalString = (value: unknown): value is string | undefined => value === undefined || typeof value === 'string';

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

function readError(value: unknown): RelaySessionState['error'] {
  if (!isRecord(value) || typeof value.status !== 'number' || typeof value.title !== 'string') return undefined;
  if (!optionalString(value.detail) || !optionalString(value.requestId)) return undefined;
  return {
    status: value.status,
    title: value.title.slice(0, 500),
    ...(value.detail === undefined ? {} : { detail: value.detail.slice(0, 500) }),
    ...(value.requestId === undefined ? {} : { requestId: value.requestId }),
  };
}

/**
 * Checks a `GET /sessions/:id` (or redeem) answer field by field and copies only known fields, so a
 * malformed backend answer is a RelayProtocolError here rather than a TypeError in a renderer.
 */
export function parseSessionState(answer: BackendAnswer): RelaySessionState {
  const { body, requestId } = answer;
  if (!isRecord(body) || typeof body.status !== 'string' || !sessionStatuses.includes(body.status)) throw unexpectedAnswer('session status', requestId);
  const status = body.status as RelaySessionStatus;
  const state: RelaySessionState = { status };
  if (body.claim !== undefined) {
    const claim = readClaim(body.claim);
    if (!claim) throw unexpectedAnswer('claim', requestId);
    state.claim = claim;
  }
  if (body.error !== undefined) {
    const error = readError(body.error);
    if (!error) throw unexpectedAnswer('error', requestId);
    state.error = error;
  }
  const hint = body.pollAfterMs ?? answer.retryAfterMs;
  if (hint !== undefined) {
    if (typeof hint !== 'number' || !Number.isFinite(hint) || hint < 0) throw unexpectedAnswer('pollAfterMs', requestId);
    state.pollAfterMs = hint;
  }
  return state;
}
