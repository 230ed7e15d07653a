/**
 * relay-claim-kit/core: the verification without React — a typed client for the app backend's relay
 * routes, the `RelayFlow` state machine, claim parsing and the error family.
 */
export { RelayFlow, nextPollDelay, type RelayFlowOptions, type RelayFlowSettings, type RelayFlowTimers } from './RelayFlow.ts';
export { RelayFlowMachine } from './RelayFlowMachine.ts';
export type { BackendTarget } from '../wire/request.ts';
export { createRelayClient, type ChallengeMaterials, type RelayClient, type RelayClientOptions, type RelayRequestOptions } from './client.ts';
export { claimTypeInfo, claimTypes, methodLabels, normalizeClaimType, parseClaimPayload, type ClaimTypeInfo } from './claims.ts';
export {
  mountRelayWidget,
  type RelayWidget,
  type RelayWidgetConstructor,
  type RelayWidgetError,
  type RelayWidgetLook,
  type RelayWidgetOptions,
  type RelayWidgetTheme,
} from './widget.ts';
export { RelayApiError, RelayError, RelayNetworkError, RelayProtocolError, RelayTimeoutError, isRelayErrorCode, type RelayErrorCode, type RelayErrorInit } from './errors.ts';
export { finalFlowStatuses, type RelayFlowEvent, type RelayFlowSnapshot, type RelayFlowStatus } from './flowState.ts';
export type { InquiryEvent, MethodologyCalculation, RelayClaim, RelaySessionError, RelaySessionInfo, RelaySessionState, RelaySessionStatus, TokenProtocol } from './types.ts';
export {
  createDefaultTokenSource,
  createInThreadTokenSource,
  createWorkerTokenSource,
  type TokenCheckOptions,
  type TokenSource,
  type WorkerTokenSourceOptions,
} from '../worker/tokenSource.ts';
