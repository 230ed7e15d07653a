/** Fields every relay error carries; they mirror Persona's `PersonaError`. */
export interface RelayErrorInit {
  status?: number;
  title: string;
  detail?: string;
  code?: string;
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
  readonly code: string | undefined;
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

/** A Privacy Pass step failed: bad challenge, wrong key, a signature that does not verify. */
export class RelayProtocolError extends RelayError {
  override name = 'RelayProtocolError';
}

/** A request or the whole verification ran past its deadline. */
export class RelayTimeoutError extends RelayError {
  override name = 'RelayTimeoutError';
}
