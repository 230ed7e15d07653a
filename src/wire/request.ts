import { isRelayErrorCode, RelayApiError, RelayError, RelayNetworkError, RelayProtocolError, RelayTimeoutError } from './errors.ts';
import type { WireResult } from './result.ts';
import { isRecord } from './result.ts';

/** How to reach the app backend: shared by the client and by the worker, which rebuilds a client from it. */
export interface BackendTarget {
  /** E.g. `/api/relay`; relative URLs resolve against the document (the worker gets it absolute). */
  baseUrl: string;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
  credentials?: RequestCredentials;
  /** Per request; default 15 s. */
  timeoutMs?: number;
}

/** A parsed 2xx answer and what came with it; `body` is undefined for a 204. */
export interface BackendAnswer {
  body: unknown;
  requestId?: string;
  /** `Retry-After` in milliseconds, when the backend sent one in seconds. */
  retryAfterMs?: number;
}

/** The error for a 2xx answer whose body is not what the wire contract says. */
export function unexpectedAnswer(detail: string, requestId?: string): RelayProtocolError {
  return new RelayProtocolError({ title: 'Unexpected answer from the relay backend', detail, code: 'bad-backend-response', requestId });
}

/** The validated body of a 2xx answer; a `RelayProtocolError` naming the broken field otherwise. */
export function expectAnswer<T>(answer: BackendAnswer, parse: (body: unknown) => WireResult<T>): T {
  const result = parse(answer.body);
  if (!result.ok) throw unexpectedAnswer(result.problem, answer.requestId);
  return result.value;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value.slice(0, 500) : undefined);

async function apiError(response: Response): Promise<RelayApiError> {
  const headerId = response.headers.get('request-id') ?? undefined;
  const retryAfter = retryAfterMs(response);
  let first: Record<string, unknown> = {};
  try {
    const body = (await response.json()) as unknown;
    if (isRecord(body) && Array.isArray(body.errors) && isRecord(body.errors[0])) first = body.errors[0];
  } catch {
    // A proxy's HTML error page: keep the status, say what we know.
  }
  return new RelayApiError({
    status: response.status,
    title: text(first.title) ?? (response.statusText || `HTTP ${String(response.status)}`),
    detail: text(first.detail),
    ...(isRelayErrorCode(first.code) ? { code: first.code } : {}),
    requestId: text(first.requestId) ?? headerId,
    // A 503 or 429 with Retry-After says when to ask again: the flow's polling honours it.
    ...(retryAfter === undefined ? {} : { meta: { retryAfterMs: retryAfter } }),
  });
}

function retryAfterMs(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after') ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * One JSON call to a backend route, with the kit's error mapping: HTTP errors → RelayApiError,
 * no answer → RelayNetworkError, past the deadline → RelayTimeoutError, the caller's abort as is.
 */
export async function requestJson(target: BackendTarget, method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<BackendAnswer> {
  const timeout = AbortSignal.timeout(target.timeoutMs ?? 15_000);
  const doFetch = target.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(`${target.baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      credentials: target.credentials,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...target.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) throw new RelayTimeoutError({ title: 'The relay backend did not answer in time', detail: `${method} ${path}`, cause });
    throw new RelayNetworkError({ title: 'Could not reach the relay backend', detail: `${method} ${path}`, cause });
  }
  if (!response.ok) throw await apiError(response);
  const requestId = response.headers.get('request-id') ?? undefined;
  try {
    if (response.status === 204) {
      await response.body?.cancel();
      return { body: undefined, requestId };
    }
    return { body: (await response.json()) as unknown, requestId, retryAfterMs: retryAfterMs(response) };
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    if (cause instanceof RelayError) throw cause;
    if (timeout.aborted) throw new RelayTimeoutError({ title: 'The relay backend did not answer in time', detail: `${method} ${path}`, cause });
    throw unexpectedAnswer('body is not JSON', requestId);
  }
}
