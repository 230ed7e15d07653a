import { isBodyTimeout } from '../shared/bodyTimeoutError.ts';
import { readLimitedBody } from '../shared/readLimitedBody.ts';

/** An error the handler answers with `{errors:[{status,title,detail,requestId?}]}`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly requestId?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

/** A JSON response with the kit's defaults (no caching: every answer is about one live session). */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** The Persona-shaped error body for `error`, with the upstream Request-Id as a header too. */
export function errorResponse(error: HttpError): Response {
  const entry = {
    status: String(error.status),
    title: error.title,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(error.requestId ? { requestId: error.requestId } : {}),
  };
  return json(error.status, { errors: [entry] }, { ...error.headers, ...(error.requestId ? { 'request-id': error.requestId } : {}) });
}

/** Reads a JSON object body of at most `limit` bytes; 413 past it, 408 past the read deadline, 400 for anything but an object. */
export async function readJsonObject(request: Request, limit: number): Promise<Record<string, unknown>> {
  const body = await readLimitedBody(request, limit).catch((error: unknown) => {
    if (isBodyTimeout(error)) throw new HttpError(408, 'Request Timeout', 'the request body did not arrive in time');
    throw error;
  });
  if (body === undefined) throw new HttpError(413, 'Payload Too Large', `bodies are limited to ${limit} bytes`);
  const text = new TextDecoder().decode(body);
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Bad Request', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'Bad Request', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}
