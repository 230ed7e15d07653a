import type * as answers from './answers.ts';
import { loadOnDemand } from './onDemand.ts';
import { expectAnswer, requestJson, type BackendAnswer, type BackendTarget } from './request.ts';
import { sessionPath } from './routes.ts';
import type { ChallengeMaterials, RedeemAnswer, RelaySessionInfo, RelaySessionState } from './types.ts';

/** How to reach the app's backend (the routes `createRelayHandler` serves). */
export interface RelayClientOptions extends BackendTarget {
  /** Injected fetch for the calls made on this thread; a worker makes its own calls with `headers` and `credentials`. */
  fetch?: typeof fetch;
}

/** Per-call options. */
export interface RelayRequestOptions {
  signal?: AbortSignal;
}

/** Typed calls to the app backend's relay routes; every answer is validated before it is returned. */
export interface RelayClient {
  /** The options it was made with (read by token sources to rebuild it inside a worker). */
  readonly options: Readonly<RelayClientOptions>;
  createSession(claimType: string, init?: RelayRequestOptions): Promise<RelaySessionInfo>;
  challenge(sessionId: string, init?: RelayRequestOptions): Promise<ChallengeMaterials>;
  /** Sends persona's blinded token or RFC 9578's TokenRequest (base64url); returns the base64url answer. */
  issue(sessionId: string, tokenRequest: string, init?: RelayRequestOptions): Promise<string>;
  /** Hands the finished token to the server, which can then redeem it even if the tab closes. */
  submitToken(sessionId: string, token: string, init?: RelayRequestOptions): Promise<void>;
  /** Asks the server to redeem; without `token` it uses the one it was handed. */
  redeem(sessionId: string, token?: string, init?: RelayRequestOptions): Promise<RedeemAnswer>;
  /** Tells the server the person gave up, so it stops waiting for the claim. */
  cancel(sessionId: string, init?: RelayRequestOptions): Promise<void>;
  getSession(sessionId: string, init?: RelayRequestOptions): Promise<RelaySessionState>;
}

/** The answer validators (answers.ts), which the client loads on demand. */
export type AnswerChecks = typeof answers;

/**
 * The answer validators, fetched with the first request rather than with the app: no answer can be
 * checked before it arrives, and they are most of the client's weight in an app's main chunk. `load`
 * is for the tests.
 */
export function loadAnswerChecks(load: () => Promise<AnswerChecks> = () => import('./answers.ts')): Promise<AnswerChecks> {
  return loadOnDemand(load, 'Could not load the relay client code');
}

/** A request's answer and the validators to check it with, loaded while the request is under way. */
async function withChecks(request: Promise<BackendAnswer>): Promise<[BackendAnswer, AnswerChecks]> {
  const checks = loadAnswerChecks();
  // A failed request is reported as itself, even when the validators failed to load too.
  checks.catch(() => undefined);
  return [await request, await checks];
}

/**
 * Makes a `RelayClient`; errors come out as `RelayApiError`, `RelayNetworkError`, `RelayTimeoutError`,
 * or `RelayProtocolError` (code `bad-backend-response`) when a 2xx answer breaks the wire contract.
 */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  const post = (path: string, body: object, signal?: AbortSignal) => requestJson(options, 'POST', path, body, signal);
  // Paths written out rather than read from routes.ts's table (the server's, methods and statuses) so
  // the table stays out of every app's bundle; the tests drive each method against the real handler.
  const at = (sessionId: string, action: string) => `${sessionPath(sessionId)}/${action}`;
  return {
    options,
    async createSession(claimType, { signal } = {}) {
      const [answer, checks] = await withChecks(post('/sessions', { claimType }, signal));
      return expectAnswer(answer, checks.parseSessionInfo);
    },
    async challenge(sessionId, { signal } = {}) {
      const [answer, checks] = await withChecks(post(at(sessionId, 'challenge'), {}, signal));
      return expectAnswer(answer, checks.parseChallengeMaterials);
    },
    async issue(sessionId, tokenRequest, { signal } = {}) {
      const [answer, checks] = await withChecks(post(at(sessionId, 'issue'), { tokenRequest }, signal));
      return expectAnswer(answer, checks.parseIssueAnswer).tokenResponse;
    },
    async submitToken(sessionId, token, { signal } = {}) {
      await post(at(sessionId, 'token'), { token }, signal);
    },
    async redeem(sessionId, token, { signal } = {}) {
      const [answer, checks] = await withChecks(post(at(sessionId, 'redeem'), token === undefined ? {} : { token }, signal));
      return expectAnswer(answer, checks.parseRedeemAnswer);
    },
    async cancel(sessionId, { signal } = {}) {
      await post(at(sessionId, 'cancel'), {}, signal);
    },
    async getSession(sessionId, { signal } = {}) {
      const [answer, checks] = await withChecks(requestJson(options, 'GET', sessionPath(sessionId), undefined, signal));
      return expectAnswer(answer, (body) => checks.parseSessionState(body, answer.retryAfterMs));
    },
  };
}
