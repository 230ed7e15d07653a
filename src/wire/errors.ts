/**
 * Why a relay error happened, as a closed set the kit itself raises. Privacy Pass failures reuse the
 * privacy-pass layer's codes; HTTP errors from the backend carry no code unless the backend sent one of these.
 */
export type RelayErrorCode =
  // A 2xx answer or a request body that breaks the wire contract.
  | 'bad-backend-response'
  | 'bad-request-body'
  // Privacy Pass (the privacy-pass layer's PrivacyPassErrorCode, plus the issuer check).
  | 'bad-challenge'
  | 'unexpected-issuer'
  | 'unsupported-token-type'
  | 'bad-key'
  | 'key-id-mismatch'
  | 'bad-response'
  | 'bad-signature'
  // The worker.
  | 'bad-message'
  | 'worker-start'
  | 'worker-error'
  // The flow and the claim.
  | 'inquiry-error'
  | 'token-refused'
  | 'bad-claim-payload'
  // The server's session store.
  | 'store-unavailable';

const relayErrorCodes: ReadonlySet<string> = new Set<RelayErrorCode>([
  'bad-backend-response',
  'bad-request-body',
  'bad-challenge',
  'unexpected-issuer',
  'unsupported-token-type',
  'bad-key',
  'key-id-mismatch',
  'bad-response',
  'bad-signature',
  'bad-message',
  'worker-start',
  'worker-error',
  'inquiry-error',
  'token-refused',
  'bad-claim-payload',
  'store-unavailable',
]);

/** True for a code of the kit's closed `RelayErrorCode` set (e.g. one read back from a worker message). */
export const isRelayErrorCode = (value: unknown): value is RelayErrorCode => typeof value === 'string' && relayErrorCodes.has(value);

/** Fields every relay error carries; they mirror Persona's `PersonaError`. */
export interface RelayErrorInit {
  status?: number;
  title: string;
  detail?: string;
  code?: RelayErrorCode;
  requestId?: string;
  meta?: Record<string, unknown>;
  cause?: unknown;
}

/** Base of every error the kit raises past its crypto layer; `requestId` is what to quote to support. */
export class RelayError extends Error {
  override name = 'RelayError';
  readonly status: number | undefined;
  readonly title: string;
  readonly detail: string | undefined;
  readonly code: RelayErrorCode | undefined;
  readonly requestId: string | undefined;
  readonly meta: Record<string, unknown> | undefined;

  constructor(init: RelayErrorInit) {
    super(init.detail ? `${init.title}: ${init.detail}` : init.title, { cause: init.cause });
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.code = init.code;
    this.requestId = init.requestId;
    this.meta = init.meta;
  }
}

/** The backend (or Persona through it) answered with an HTTP error and a `{errors:[…]}` body. */
export class RelayApiError extends RelayError {
  override name = 'RelayApiError';
}

/** The request never got an HTTP answer (offline, DNS, CORS, connection reset). */
export class RelayNetworkError extends RelayError {
  override name = 'RelayNetworkError';
}

/** A Privacy Pass step failed, or a 2xx answer broke the wire contract. */
export class RelayProtocolError extends RelayError {
  override name = 'RelayProtocolError';
}

/** A request or the whole verification ran past its deadline. */
export class RelayTimeoutError extends RelayError {
  override name = 'RelayTimeoutError';
}
