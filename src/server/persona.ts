import { HttpError } from './http.ts';

/** How the handler reaches Persona (or the emulator). */
export interface PersonaConfig {
  apiKey: string;
  /** E.g. `https://withpersona.com` or the emulator's URL; routes go under `/api/v1`. */
  baseUrl: string;
  issuerUrl: string;
  personaVersion?: string;
  keyInflection?: 'camel' | 'kebab' | 'snake';
  fetch: typeof fetch;
  /** Per request. */
  timeoutMs: number;
}

/** One answer from Persona, read whatever the key inflection. */
export interface PersonaAnswer {
  status: number;
  /** Keys lower-cased with `-` and `_` removed, so `relay-token`, `relayToken` and `relay_token` meet. */
  fields: Record<string, unknown>;
  headers: Headers;
  requestId?: string;
  /** Persona's first `errors[]` entry, when it sent one. */
  error?: { title?: string; detail?: string };
}

const flatKey = (key: string): string => key.replace(/[-_]/g, '').toLowerCase();

function flatten(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [flatKey(key), value]));
}

/** A network failure or timeout on the way to Persona; never carries the request (it has the secret). */
export class PersonaUnreachableError extends Error {
  override name = 'PersonaUnreachableError';
  constructor(readonly timedOut: boolean) {
    super(timedOut ? 'Persona did not answer in time' : 'Persona could not be reached');
  }
}

/** Calls one Persona route. Network failures become `PersonaUnreachableError`; HTTP errors are answers. */
export async function callPersona(
  config: PersonaConfig,
  path: string,
  init: { method: 'POST'; json?: unknown; headers?: Record<string, string>; signal?: AbortSignal },
): Promise<PersonaAnswer> {
  const timeout = AbortSignal.timeout(config.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await config.fetch(`${config.baseUrl.replace(/\/+$/, '')}/api/v1${path}`, {
      method: init.method,
      signal,
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        accept: 'application/json',
        'content-type': 'application/json',
        ...(config.personaVersion ? { 'persona-version': config.personaVersion } : {}),
        ...(config.keyInflection ? { 'key-inflection': config.keyInflection } : {}),
        ...init.headers,
      },
      body: JSON.stringify(init.json ?? {}),
    });
  } catch {
    throw new PersonaUnreachableError(timeout.aborted);
  }
  return readAnswer(response);
}

async function readAnswer(response: Response): Promise<PersonaAnswer> {
  const requestId = response.headers.get('request-id') ?? undefined;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const fields = flatten(body);
  const errors = fields.errors;
  const first = Array.isArray(errors) && typeof errors[0] === 'object' && errors[0] !== null ? (errors[0] as Record<string, unknown>) : undefined;
  const error = first
    ? { title: typeof first.title === 'string' ? first.title : undefined, detail: typeof first.detail === 'string' ? first.detail : undefined }
    : undefined;
  return { status: response.status, fields, headers: response.headers, requestId, ...(error ? { error } : {}) };
}

/** Posts a TokenRequest to the issuer (RFC 9578 §6.2) and returns the TokenResponse bytes. */
export async function issueToken(config: PersonaConfig, tokenRequest: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(config.timeoutMs);
  let response: Response;
  try {
    response = await config.fetch(config.issuerUrl, {
      method: 'POST',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        accept: 'application/private-token-response',
        'content-type': 'application/private-token-request',
      },
      body: tokenRequest as Uint8Array<ArrayBuffer>,
    });
  } catch {
    throw new PersonaUnreachableError(timeout.aborted);
  }
  if (!response.ok) {
    const answer = await readAnswer(response);
    throw upstreamError(answer, 'The issuer refused the token request');
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** An upstream answer as the HttpError the browser gets: bad input stays 4xx, Persona trouble is 502/503. */
export function upstreamError(answer: PersonaAnswer, title: string): HttpError {
  const detail = answer.error?.detail ?? answer.error?.title;
  if (answer.status === 400 || answer.status === 422) return new HttpError(400, title, detail, answer.requestId);
  if (answer.status === 429) {
    const retryAfter = answer.headers.get('retry-after');
    return new HttpError(503, title, 'Persona is rate limiting this app; try again shortly', answer.requestId, retryAfter ? { 'retry-after': retryAfter } : {});
  }
  return new HttpError(502, title, detail ?? `Persona answered ${answer.status}`, answer.requestId);
}
