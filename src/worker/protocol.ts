import { isRecord } from '../wire/result.ts';
import { RelayApiError, RelayError, RelayNetworkError, RelayProtocolError, RelayTimeoutError, isRelayErrorCode, type RelayErrorCode } from '../wire/errors.ts';

/** Main thread → worker: make a token for a session (URLs already absolute), or stop making one. */
export type WorkerRequest =
  | {
      type: 'token';
      id: number;
      baseUrl: string;
      sessionId: string;
      headers?: Record<string, string>;
      credentials?: RequestCredentials;
      timeoutMs?: number;
      /** The issuer the challenge must name (DESIGN.md flow step 3). */
      expectedIssuer?: string;
    }
  | { type: 'cancel'; id: number };

/** A RelayError as plain data, so it survives structured cloning. */
export interface SerializedRelayError {
  name: 'RelayError' | 'RelayApiError' | 'RelayNetworkError' | 'RelayProtocolError' | 'RelayTimeoutError';
  status?: number;
  title: string;
  detail?: string;
  code?: RelayErrorCode;
  requestId?: string;
}

/** Worker → main thread: the token (base64url) and how long it took, or a typed error. */
export type WorkerResponse = { type: 'token'; id: number; token: string; ms: number } | { type: 'error'; id: number; error: SerializedRelayError };

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';
const credentialsValues: readonly unknown[] = [undefined, 'omit', 'same-origin', 'include'];

/** Validates a message the worker received; undefined for anything that is not a well-formed request. */
export function parseWorkerRequest(data: unknown): WorkerRequest | undefined {
  if (!isRecord(data) || !Number.isSafeInteger(data.id)) return undefined;
  const id = data.id as number;
  if (data.type === 'cancel') return { type: 'cancel', id };
  const { baseUrl, sessionId, headers, credentials, timeoutMs, expectedIssuer } = data;
  const wellFormed =
    data.type === 'token' &&
    typeof baseUrl === 'string' &&
    /^https?:\/\//.test(baseUrl) &&
    typeof sessionId === 'string' &&
    sessionId !== '' &&
    sessionId.length <= 256 &&
    (headers === undefined || (isRecord(headers) && Object.values(headers).every((value) => typeof value === 'string'))) &&
    credentialsValues.includes(credentials) &&
    (timeoutMs === undefined || (typeof timeoutMs === 'number' && timeoutMs > 0)) &&
    (expectedIssuer === undefined || (typeof expectedIssuer === 'string' && expectedIssuer !== ''));
  // Only the known fields are kept; the two casts are what `every` and `includes` checked.
  return wellFormed
    ? {
        type: 'token',
        id,
        baseUrl,
        sessionId,
        headers: headers as Record<string, string> | undefined,
        credentials: credentials as RequestCredentials | undefined,
        timeoutMs,
        expectedIssuer,
      }
    : undefined;
}

const errorNames: readonly unknown[] = ['RelayError', 'RelayApiError', 'RelayNetworkError', 'RelayProtocolError', 'RelayTimeoutError'] satisfies SerializedRelayError['name'][];

function readSerializedError(value: unknown): SerializedRelayError | undefined {
  if (!isRecord(value) || typeof value.title !== 'string') return undefined;
  const { status, detail, code, requestId } = value;
  if ((status !== undefined && typeof status !== 'number') || !optionalString(detail) || !optionalString(requestId)) return undefined;
  return {
    // An unknown class name still rejects the caller's promise, as the base class.
    name: errorNames.includes(value.name) ? (value.name as SerializedRelayError['name']) : 'RelayError',
    title: value.title,
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof detail === 'string' ? { detail } : {}),
    // A code outside the closed set is dropped rather than trusted.
    ...(isRelayErrorCode(code) ? { code } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
}

/** Validates a message from the worker; undefined for anything else. */
export function parseWorkerResponse(data: unknown): WorkerResponse | undefined {
  if (!isRecord(data) || typeof data.id !== 'number') return undefined;
  if (data.type === 'token' && typeof data.token === 'string' && typeof data.ms === 'number') return { type: 'token', id: data.id, token: data.token, ms: data.ms };
  const error = data.type === 'error' ? readSerializedError(data.error) : undefined;
  return error ? { type: 'error', id: data.id, error } : undefined;
}

/** Plain data for any thrown value; never includes a stack or a cause (they could carry secrets). */
export function serializeError(error: unknown): SerializedRelayError {
  if (error instanceof RelayError) {
    const name = error.name as SerializedRelayError['name'];
    return { name, status: error.status, title: error.title, detail: error.detail, code: error.code, requestId: error.requestId };
  }
  return { name: 'RelayError', title: 'The token could not be made', detail: error instanceof Error ? error.message : undefined };
}

const errorClasses = { RelayError, RelayApiError, RelayNetworkError, RelayProtocolError, RelayTimeoutError } as const;

/** The RelayError subclass a serialized error came from. */
export function deserializeError(error: SerializedRelayError): RelayError {
  // Own keys only: a name like 'constructor' must not reach Object.prototype.
  const ErrorClass: typeof RelayError = Object.hasOwn(errorClasses, error.name) ? errorClasses[error.name] : RelayError;
  return new ErrorClass({ status: error.status, title: error.title, detail: error.detail, code: error.code, requestId: error.requestId });
}
