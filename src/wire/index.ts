/**
 * The app backend's wire contract (DESIGN.md "server"): route table, request and answer types with
 * their validators, the error family and the request helper. A leaf: it imports nothing of the kit.
 */
export { relayRoutes, relayRoutePath, matchRelayRoute, sessionPath, type RelayRouteMatch, type RelayRouteName, type RelaySessionRouteName } from './routes.ts';
export { parseChallengeMaterials, parseIssueAnswer, parseRedeemAnswer, parseSessionInfo, parseSessionState } from './answers.ts';
export { parseCreateSessionBody, parseIssueBody, parseRedeemBody, parseTokenBody } from './bodies.ts';
export { isRecord, type WireResult } from './result.ts';
export { expectAnswer, requestJson, unexpectedAnswer, type BackendAnswer, type BackendTarget } from './request.ts';
export { createRelayClient, type RelayClient, type RelayClientOptions, type RelayRequestOptions } from './client.ts';
export {
  RelayApiError,
  RelayError,
  RelayNetworkError,
  RelayProtocolError,
  RelayTimeoutError,
  isRelayErrorCode,
  type RelayErrorCode,
  type RelayErrorInit,
} from './errors.ts';
export {
  relaySessionStatuses,
  type ChallengeMaterials,
  type CreateSessionBody,
  type IssueAnswer,
  type IssueBody,
  type MethodologyCalculation,
  type RedeemAnswer,
  type RedeemBody,
  type RelayClaim,
  type RelaySessionError,
  type RelaySessionInfo,
  type RelaySessionState,
  type RelaySessionStatus,
  type TokenBody,
  type TokenProtocol,
} from './types.ts';
