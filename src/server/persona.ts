import { createHash } from 'node:crypto';
import { base64urlDecode, base64urlEncode } from '../privacy-pass/index.ts';
import { HttpError } from './http.ts';

/** Which wire Persona speaks: its published protocol (PROTOCOL.md) or the RFC 9577/9578 formats. */
export type RelayProtocol = 'persona' | 'rfc9578';

/** How the handler reaches Persona (or the emulator). */
export interface PersonaConfig {
  protocol: RelayProtocol;
  apiKey: string;
  /** E.g. `https://api.withpersona.com` or the emulator's URL, without a trailing slash. */
  baseUrl: string;
  /** rfc9578 only: where TokenRequests go. */
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
  /** Persona's first `errors[]` entry; `detail` is read from `detail` (Relay pages) or `details` (general API, Go SDK). */
  error?: { title?: string; detail?: string };
}

const flatKey = (key: string): string => key.replace(/[-_]/g, '').toLowerCase();

function flatten(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [flatKey(key), value]));
}

/** A network failure, timeout or redirect on the way to Persona; never carries the request (it has the secret). */
export class PersonaUnreachableError extends Error {
  override name = 'PersonaUnreachableError';
  constructor(readonly timedOut: boolean) {
    super(timedOut ? 'Persona did not answer in time' : 'Persona could not be reached');
  }
}

/** PROTOCOL.md §1: the relay routes moved under `/api/privacy/v1`, issuance stayed under `/api/v1`. */
function relayRoot(config: PersonaConfig): string {
  return `${config.baseUrl}${config.protocol === 'persona' ? '/api/privacy/v1' : '/api/v1'}/relays`;
}

/**
 * The one place a request leaves for Persona. `redirect: 'error'`: a redirect, above all a cross-origin
 * one, would carry `Persona-Relay-Secret` or the API key to a host nobody chose.
 */
async function send(config: PersonaConfig, url: string, init: { body: string | Uint8Array; headers: Record<string, string>; timeoutMs?: number }): Promise<Response> {
  const timeout = AbortSignal.timeout(init.timeoutMs ?? config.timeoutMs);
  try {
    return await config.fetch(url, {
      method: 'POST',
      redirect: 'error',
      signal: timeout,
      headers: {
        ...(config.personaVersion ? { 'persona-version': config.personaVersion } : {}),
        ...(config.keyInflection ? { 'key-inflection': config.keyInflection } : {}),
        ...init.headers,
      },
      body: init.body as string | Uint8Array<ArrayBuffer>,
    });
  } catch (error) {
    // Not worth a retry: the same request would be redirected again.
    if (!timeout.aborted && /redirect/i.test(String((error as { cause?: unknown } | null)?.cause))) {
      throw new HttpError(502, 'Bad Gateway', 'Persona answered with a redirect, which is not followed');
    }
    throw new PersonaUnreachableError(timeout.aborted);
  }
}

/** A JSON call; `bearer`: whether this route takes the API key (PROTOCOL.md §2.0: only issuance does, in persona). */
async function callJson(config: PersonaConfig, url: string, body: unknown, options: { bearer: boolean; headers?: Record<string, string>; timeoutMs?: number }): Promise<PersonaAnswer> {
  const response = await send(config, url, {
    body: JSON.stringify(body),
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      ...(options.bearer ? { authorization: `Bearer ${config.apiKey}` } : {}),
      ...options.headers,
    },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
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
  const first = Array.isArray(errors) && typeof errors[0] === 'object' && errors[0] !== null ? flatten(errors[0]) : undefined;
  const detail = first?.detail ?? first?.details;
  const error = first
    ? { title: typeof first.title === 'string' ? first.title : undefined, detail: typeof detail === 'string' ? detail : undefined }
    : undefined;
  return { status: response.status, fields, headers: response.headers, requestId, ...(error ? { error } : {}) };
}

/**
 * The unauthenticated calls cannot name the environment by their key, so a sandbox key's relays and
 * challenges carry `sandbox: true` (PROTOCOL.md §2.1, §7; what the Go SDK does). Issuance never does.
 */
const environment = (config: PersonaConfig): { sandbox?: true } => (config.apiKey.startsWith('persona_sandbox_') ? { sandbox: true } : {});

/** `POST …/relays`: persona sends the Go SDK's camelCase body and no API key (PROTOCOL.md §2.1). */
export function createRelay(config: PersonaConfig, claimType: string, encryptionKeyPem: string | null): Promise<PersonaAnswer> {
  const persona = config.protocol === 'persona';
  const body = persona ? { claimType, encryptionKeyPem, ...environment(config) } : { 'claim-type': claimType, 'encryption-key-pem': encryptionKeyPem };
  return callJson(config, relayRoot(config), body, { bearer: !persona });
}

/** `POST …/relays/challenge` for a claim type; no API key in persona (§2.2). */
export function requestChallenge(config: PersonaConfig, claimType: string): Promise<PersonaAnswer> {
  const persona = config.protocol === 'persona';
  return callJson(config, `${relayRoot(config)}/challenge`, persona ? { claimType, ...environment(config) } : { 'claim-type': claimType }, { bearer: !persona });
}

/** `POST …/relays/{relay-token}/generate-claim` (§2.4): the token pays, the secret proves ownership, the key makes retries replays. */
export function generateClaim(
  config: PersonaConfig,
  args: { relayToken: string; relaySecret: string; token: string; idempotencyKey: string; timeoutMs: number },
): Promise<PersonaAnswer> {
  return callJson(config, `${relayRoot(config)}/${encodeURIComponent(args.relayToken)}/generate-claim`, {}, {
    // Redemption is anonymous in persona; the rfc9578 profile authenticates every call.
    bearer: config.protocol !== 'persona',
    timeoutMs: args.timeoutMs,
    headers: { authorization: `PrivateToken token=${args.token}`, 'persona-relay-secret': args.relaySecret, 'idempotency-key': args.idempotencyKey },
  });
}

/** What the issue route hands on: rfc9578's TokenRequest, or persona's blinded token and the key id it was blinded for. */
export type IssuanceInput = { tokenRequest: Uint8Array; keyId?: string };

/**
 * Gets a blind signature. persona: `POST /api/v1/privacy-passes {blindedToken, keyId}` → `blind-sig`
 * (§2.3), with the API key and an Idempotency-Key, and nothing that names the relay: Persona must not be
 * able to link the pass it signs to the relay it later reads. rfc9578: TokenRequest → TokenResponse.
 * Throws `HttpError` for a refusal (logged by the caller) and `PersonaUnreachableError`.
 */
export async function issueToken(config: PersonaConfig, input: IssuanceInput): Promise<{ signature: Uint8Array } | { refused: PersonaAnswer }> {
  if (config.protocol === 'rfc9578') {
    const response = await send(config, config.issuerUrl, {
      body: input.tokenRequest,
      headers: { authorization: `Bearer ${config.apiKey}`, accept: 'application/private-token-response', 'content-type': 'application/private-token-request' },
    });
    if (!response.ok) return { refused: await readAnswer(response) };
    return { signature: new Uint8Array(await response.arrayBuffer()) };
  }
  const blindedToken = base64urlEncode(input.tokenRequest);
  // Signing the same blinded message twice is harmless, so the key is its digest: stable across retries, naming nothing.
  const idempotencyKey = createHash('sha256').update(blindedToken).digest('hex').slice(0, 40);
  const answer = await callJson(config, `${config.baseUrl}/api/v1/privacy-passes`, { blindedToken, keyId: input.keyId }, {
    bearer: true,
    headers: { 'idempotency-key': idempotencyKey },
  });
  if (answer.status !== 200 && answer.status !== 201) return { refused: answer };
  const blindSig = answer.fields.blindsig;
  if (typeof blindSig !== 'string' || !/^[A-Za-z0-9_-]+={0,2}$/.test(blindSig)) {
    return { refused: { ...answer, status: 502 } };
  }
  return { signature: base64urlDecode(blindSig) };
}

/** Persona's own words about a failure, for the server log only: secrets redacted, length capped. */
export function upstreamDetail(answer: PersonaAnswer, secrets: readonly string[]): string | undefined {
  const text = [answer.error?.title, answer.error?.detail].filter(Boolean).join(': ');
  if (text === '') return undefined;
  let redacted = text;
  for (const secret of secrets) if (secret.length >= 6) redacted = redacted.split(secret).join('[redacted]');
  return redacted.slice(0, 300);
}

/**
 * An upstream answer as the HttpError the browser gets: fixed texts and the Request-Id, never Persona's
 * detail (it can name internals; the server log has it). Bad input stays 4xx, Persona trouble is 502/503.
 */
export function upstreamError(answer: PersonaAnswer, title: string): HttpError {
  if (answer.status === 400 || answer.status === 422) return new HttpError(400, title, 'Persona refused the request', answer.requestId);
  if (answer.status === 429) {
    const retryAfter = answer.headers.get('retry-after');
    return new HttpError(503, title, 'Persona is rate limiting this app; try again shortly', answer.requestId, retryAfter ? { 'retry-after': retryAfter } : {});
  }
  return new HttpError(502, title, `Persona answered ${String(answer.status)}`, answer.requestId);
}
