import { requestJson, requireStrings, unexpectedAnswer, type BackendTarget } from './request.ts';
import { parseSessionState } from './sessionState.ts';
import type { RelaySessionInfo, RelaySessionState, RelaySessionStatus } from './types.ts';

/** How to reach the app's backend (the routes `createRelayHandler` serves). */
export interface RelayClientOptions extends BackendTarget {
  /** Injected fetch (tests, Storybook). When set, tokens are made in-thread: a function cannot enter a worker. */
  fetch?: typeof fetch;
}

/** Per-call options. */
export interface RelayRequestOptions {
  signal?: AbortSignal;
}

/** Privacy Pass materials for a session, exactly as Persona gave them. */
export interface ChallengeMaterials {
  /** base64url TokenChallenge. */
  challenge: string;
  /** base64url SPKI. */
  tokenKey: string;
  /** hex SHA-256 of the SPKI. */
  tokenKeyId: string;
}

/** Typed calls to the app backend's relay routes. */
export interface RelayClient {
  /** The options it was made with (read by token sources to rebuild it inside a worker). */
  readonly options: Readonly<RelayClientOptions>;
  createSession(claimType: string, init?: RelayRequestOptions): Promise<RelaySessionInfo>;
  challenge(sessionId: string, init?: RelayRequestOptions): Promise<ChallengeMaterials>;
  issue(sessionId: string, tokenRequest: string, init?: RelayRequestOptions): Promise<string>;
  redeem(sessionId: string, token: string, init?: RelayRequestOptions): Promise<{ status: RelaySessionStatus }>;
  getSession(sessionId: string, init?: RelayRequestOptions): Promise<RelaySessionState>;
}

/** The path of a session's routes; the id is escaped so it cannot climb out of `/sessions/`. */
export const sessionPath = (sessionId: string): string => `/sessions/${encodeURIComponent(sessionId)}`;

/**
 * Makes a `RelayClient`; errors come out as `RelayApiError`, `RelayNetworkError`, `RelayTimeoutError`,
 * or `RelayProtocolError` when a 2xx answer breaks the wire contract.
 */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  return {
    options,
    async createSession(claimType, init = {}) {
      const answer = await requestJson(options, 'POST', '/sessions', { claimType }, init.signal);
      const session = requireStrings(answer, ['sessionId', 'sessionAccessToken', 'expiresAt']);
      if (Number.isNaN(Date.parse(session.expiresAt))) throw unexpectedAnswer('expiresAt is not a date', answer.requestId);
      return session;
    },
    async challenge(sessionId, init = {}) {
      const answer = await requestJson(options, 'POST', `${sessionPath(sessionId)}/challenge`, {}, init.signal);
      return requireStrings(answer, ['challenge', 'tokenKey', 'tokenKeyId']);
    },
    async issue(sessionId, tokenRequest, init = {}) {
      const answer = await requestJson(options, 'POST', `${sessionPath(sessionId)}/issue`, { tokenRequest }, init.signal);
      return requireStrings(answer, ['tokenResponse']).tokenResponse;
    },
    async redeem(sessionId, token, init = {}) {
      const answer = await requestJson(options, 'POST', `${sessionPath(sessionId)}/redeem`, { token }, init.signal);
      return { status: parseSessionState(answer).status };
    },
    async getSession(sessionId, init = {}) {
      return parseSessionState(await requestJson(options, 'GET', sessionPath(sessionId), undefined, init.signal));
    },
  };
}
