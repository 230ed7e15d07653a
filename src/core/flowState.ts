import type { RelayError } from './errors.ts';
import type { RelayClaim, RelaySessionInfo } from './types.ts';

/**
 * Every state of a `RelayFlow`, discriminated on `status`:
 * idle → creating → inquiry → redeeming → polling → passed | failed | canceled | expired | error.
 */
export type RelayFlowSnapshot =
  | { status: 'idle' }
  | { status: 'creating' }
  | { status: 'inquiry'; session: RelaySessionInfo; tokenReady: boolean }
  | { status: 'redeeming'; session: RelaySessionInfo }
  | { status: 'polling'; session: RelaySessionInfo }
  | { status: 'passed'; session: RelaySessionInfo; claim: RelayClaim }
  | { status: 'failed'; session: RelaySessionInfo; claim: RelayClaim }
  | { status: 'canceled'; session?: RelaySessionInfo }
  | { status: 'expired'; session?: RelaySessionInfo }
  | { status: 'error'; session?: RelaySessionInfo; error: RelayError };

/** A flow status. */
export type RelayFlowStatus = RelayFlowSnapshot['status'];

/** Statuses after which the flow does nothing until `retry()`. */
export const finalFlowStatuses = ['passed', 'failed', 'canceled', 'expired', 'error'] as const satisfies readonly RelayFlowStatus[];

/**
 * Lifecycle events for `onEvent` (analytics, logs); never carry a token, secret or session id.
 * `sessionRef` is a one-way hash of the session id (`sess_` + 16 base64url chars of a labelled SHA-256),
 * the same value the app backend logs as `sessionRef`, so the two can be joined without exposing the id.
 * It is '' where WebCrypto is missing (an insecure context).
 */
export type RelayFlowEvent =
  | { type: 'status'; status: RelayFlowStatus }
  | { type: 'token-ready'; sessionRef: string; ms: number }
  | { type: 'redeem-sent'; sessionRef: string }
  | { type: 'poll'; sessionRef: string; attempt: number }
  | { type: 'inquiry'; sessionRef: string; event: string };
