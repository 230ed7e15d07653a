/**
 * relay-claim-kit/core: the verification without React — a typed client for the app backend's relay
 * routes, the `RelayFlow` state machine, claim parsing and the error family.
 */
export { RelayFlow, nextPollDelay, type RelayFlowOptions, type RelayFlowTimers } from './RelayFlow.ts';
export type { BackendTarget } from './request.ts';
export { createRelayClient, type ChallengeMaterials, type RelayClient, type RelayClientOptions, type RelayRequestOptions } from './client.ts';
export { claimTypeInfo, claimTypes, methodLabels, normalizeClaimType, parseClaimPayload, type ClaimTypeInfo } from './claims.ts';
export { buildInquiryUrl, parseInquiryMessage } from './inquiry.ts';
export { RelayApiError, RelayError, RelayNetworkError, RelayProtocolError, RelayTimeoutError, type RelayErrorInit } from './errors.ts';
export { finalFlowStatuses, type RelayFlowEvent, type RelayFlowSnapshot, type RelayFlowStatus } from './flowState.ts';
export type { InquiryEvent, MethodologyCalculation, RelayClaim, RelaySessionInfo, RelaySessionState, RelaySessionStatus } from './types.ts';
export {
  createDefaultTokenSource,
  createInThreadTokenSource,
  createWorkerTokenSource,
  type TokenSource,
  type WorkerTokenSourceOptions,
} from '../worker/tokenSource.ts';
