import { RelayApiError, RelayError, RelayNetworkError, RelayProtocolError, RelayTimeoutError } from './errors.ts';
import type { RelaySessionInfo, RelaySessionState, RelaySessionStatus } from './types.ts';

/** How to reach the app's backend (the routes `createRelayHandler` serves). */
export interface RelayClientOptions {
  /** E.g. `/api/relay`; relative URLs resolve against the document. */
  baseUrl: string;
  /** Injected fetch (tests, Storybook). When set, tokens are made in-thread: a function cannot enter a worker. */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  credentials?: RequestCredentials;
  /** Per request; default 15 s. */
  timeoutMs?: number;
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

const sessionStatuses: readonly string[] = ['inquiry', 'redeeming', 'needs-token', 'passed', 'failed', 'expired', 'error'];
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function unexpected(detail: string, requestId?: string): RelayProtocolError {
  return new RelayProtocolError({ title: 'Unexpected answer from the relay backend', detail, code: 'bad-backend-response', requestId });
}

function requireStrings<K extends string>(body: unknown, keys: readonly K[], requestId?: string): Record<K, string> {
  if (!isRecord(body)) throw unexpected('not a JSON object', requestId);
  for (const key of keys) if (typeof body[key] !== 'string' || body[key] === '') throw unexpected(`${key} is missing`, requestId);
  return body as Record<K, string>;
}

function readSessionState(body: unknown, requestId?: string): RelaySessionState {
  if (!isRecord(body) || typeof body.status !== 'string' || !sessionStatuses.includes(body.status)) throw unexpected('session status', requestId);
  return body as unknown as RelaySessionState;
}

async function apiError(response: Response): Promise<RelayApiError> {
  const headerId = response.headers.get('request-id') ?? undefined;
  let first: Record<string, unknown> = {};
  try {
    const body = (await response.json()) as unknown;
    if (isRecord(body) && Array.isArray(body.errors) && isRecord(body.errors[0])) first = body.errors[0];
  } catch {
    // A proxy's HTML error page: keep the status, say what we know.
  }
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  return new RelayApiError({
    status: response.status,
    title: text(first.title) ?? (response.statusText || `HTTP ${response.status}`),
    detail: text(first.detail),
    code: text(first.code),
    requestId: text(first.requestId) ?? headerId,
  });
}

/** Makes a `RelayClient`; errors come out as `RelayApiError`, `RelayNetworkError` or `RelayTimeoutError`. */
export function createRelayClient(options: RelayClientOptions): RelayClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function call(method: 'GET' | 'POST', path: string, body: unknown, init: RelayRequestOptions = {}): Promise<{ body: unknown; requestId?: string }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const doFetch = options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        signal,
        credentials: options.credentials,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      if (init.signal?.aborted) throw init.signal.reason;
      if (timeout.aborted) throw new RelayTimeoutError({ title: 'The relay backend did not answer in time', detail: `${method} ${path}`, cause });
      throw new RelayNetworkError({ title: 'Could not reach the relay backend', detail: `${method} ${path}`, cause });
    }
    if (!response.ok) throw await apiError(response);
    const requestId = response.headers.get('request-id') ?? undefined;
    try {
      return { body: (await response.json()) as unknown, requestId };
    } catch (cause) {
      if (cause instanceof RelayError) throw cause;
      throw unexpected('body is not JSON', requestId);
    }
  }

  const id = (sessionId: string): string => `/sessions/${encodeURIComponent(sessionId)}`;
  return {
    options,
    async createSession(claimType, init) {
      const { body, requestId } = await call('POST', '/sessions', { claimType }, init);
      const { sessionId, sessionAccessToken, expiresAt } = requireStrings(body, ['sessionId', 'sessionAccessToken', 'expiresAt'], requestId);
      return { sessionId, sessionAccessToken, expiresAt };
    },
    async challenge(sessionId, init) {
      const { body, requestId } = await call('POST', `${id(sessionId)}/challenge`, {}, init);
      const { challenge, tokenKey, tokenKeyId } = requireStrings(body, ['challenge', 'tokenKey', 'tokenKeyId'], requestId);
      return { challenge, tokenKey, tokenKeyId };
    },
    async issue(sessionId, tokenRequest, init) {
      const { body, requestId } = await call('POST', `${id(sessionId)}/issue`, { tokenRequest }, init);
      return requireStrings(body, ['tokenResponse'], requestId).tokenResponse;
    },
    async redeem(sessionId, token, init) {
      const { body, requestId } = await call('POST', `${id(sessionId)}/redeem`, { token }, init);
      return { status: readSessionState(body, requestId).status };
    },
    async getSession(sessionId, init) {
      const { body, requestId } = await call('GET', id(sessionId), undefined, init);
      return readSessionState(body, requestId);
    },
  };
}
