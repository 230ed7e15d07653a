/** An API failure the emulator answers as Persona does: `{errors:[{status,title,detail}]}`. */
export class EmulatorApiError extends Error {
  override name = 'EmulatorApiError';
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.status = status;
    this.title = statusTitles[status] ?? 'Error';
    this.detail = detail;
    this.headers = headers;
  }
}

const statusTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The JSON error body; `status` is a string, as in Persona's error reference. */
export function errorBody(status: number, detail: string): { errors: { status: string; title: string; detail: string }[] } {
  return { errors: [{ status: String(status), title: statusTitles[status] ?? 'Error', detail }] };
}
