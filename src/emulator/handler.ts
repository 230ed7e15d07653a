import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConnectionDrop } from '../shared/connectionDrop.ts';
import { errorBody, EmulatorApiError } from './apiError.ts';
import { createRelay, generateClaim, issueToken, requestChallenge } from './apiRoutes.ts';
import { createPersonaRelay, generatePersonaClaim, issuePrivacyPass, requestPersonaChallenge } from './personaRoutes.ts';
import { defaultClaimTypes } from './claimTypes.ts';
import type { EmulatorContext } from './context.ts';
import { safeDecode } from './safeDecode.ts';
import { controlRoutes, createControl } from './controlRoutes.ts';
import { hostedPageRoutes } from './hostedPage.ts';
import { createIdempotencyStore, type StoredResponse } from './idempotency.ts';
import { inflectKeys, parseKeyInflection, type KeyInflection } from './inflection.ts';
import { createIssuerKeyring, type RelayEnvironment } from './issuerKeyring.ts';
import type { EmulatorHandler, EmulatorOptions, EmulatorProtocol } from './options.ts';
import { createRateLimiter, type RateLimitState } from './rateLimiter.ts';
import { readBody } from './readBody.ts';
import { createRelayRegistry } from './relays.ts';
import { createRequestLog, redactedHeaders } from './requestLog.ts';
import type { RouteResult } from './routeResult.ts';
import { createSessionTokens } from './sessionToken.ts';

/** `Persona-Version` values the emulator answers to (the API reference's enum, PROTOCOL.md §2.5); anything else is a 400. */
export const knownPersonaVersions: readonly string[] = Object.freeze([
  '2025-12-08',
  '2025-10-27',
  '2023-01-05',
  '2022-09-01',
  '2021-08-18',
  '2021-07-05',
  '2021-02-21',
  '2020-05-18',
]);

const sandboxKeyPrefix = 'persona_sandbox_';

/** Accepted Bearer keys and their environments: a `persona_sandbox_…` key selects the sandbox (PROTOCOL.md §7). */
function acceptedKeys(apiKey: string, sandboxApiKey: string): Map<string, RelayEnvironment> {
  if (!sandboxApiKey.startsWith(sandboxKeyPrefix)) throw new RangeError(`sandboxApiKey: expected a key starting with ${sandboxKeyPrefix}`);
  return new Map<string, RelayEnvironment>([
    [sandboxApiKey, 'sandbox'],
    [apiKey, apiKey.startsWith(sandboxKeyPrefix) ? 'sandbox' : 'production'],
  ]);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A local Persona Relay as a fetch-style handler: the Relay API and issuer (Persona's paths under
 * `{basePath}/api/privacy/v1` and `/api/v1/privacy-passes`, or the RFC profile's under `/api/v1`), the
 * hosted inquiry page at `{basePath}/relay`, and test control under `{basePath}/__emulator/`.
 * @throws RangeError for an unknown `protocol`, a `sandboxApiKey` without the `persona_sandbox_` prefix, or a
 *   `challengeSecret` under 16 bytes.
 */
export function createEmulatorHandler(options: EmulatorOptions = {}): EmulatorHandler {
  const clock = options.clock ?? { now: () => Date.now() };
  let offsetMs = 0;
  const now = (): number => clock.now() + offsetMs;
  const claimTypes = options.claimTypes ?? defaultClaimTypes();
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const protocol: string = options.protocol ?? 'persona';
  // Checked at run time too: JavaScript callers and the CLI pass plain strings.
  if (protocol !== 'persona' && protocol !== 'rfc9578') throw new RangeError('protocol: expected persona or rfc9578');
  const apiKey = options.apiKey ?? 'sk_test_emulator';
  if (options.challengeSecret !== undefined && (!(options.challengeSecret instanceof Uint8Array) || options.challengeSecret.length < 16)) {
    throw new RangeError('challengeSecret: expected at least 16 bytes');
  }
  const ctx: EmulatorContext = {
    protocol,
    apiKey,
    apiKeys: acceptedKeys(apiKey, options.sandboxApiKey ?? 'persona_sandbox_emulator'),
    challengeSecret: options.challengeSecret ?? new Uint8Array(randomBytes(32)),
    claimTypes,
    rateLimit: options.rateLimit ?? 300,
    environmentId: options.environmentId ?? 'env_emulator',
    organizationId: options.organizationId ?? 'org_emulator',
    basePath,
    publicUrl: options.publicUrl === undefined ? undefined : new URL(options.publicUrl),
    frameAncestors: options.frameAncestors,
    control: options.control ?? false,
    random: options.random ?? Math.random,
    now,
    relays: createRelayRegistry(now),
    keyring: createIssuerKeyring(claimTypes, options.keyBits ?? 2048),
    sessions: createSessionTokens('relay-emulator', now),
    idempotency: createIdempotencyStore(now),
    rateLimiter: createRateLimiter(options.rateLimit ?? 300, now),
    log: createRequestLog(),
    faults: { current: { ...options.faults }, burstLeft: options.faults?.burst429 ?? 0 },
    spentTokens: new Set(),
    spentNonces: new Set(),
    issuedChallenges: new Map(),
  };
  const control = createControl(ctx, (seconds) => {
    offsetMs += seconds * 1000;
  });

  const handler = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    if (basePath !== '' && url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) {
      return jsonResponse(404, errorBody(404, 'Not found.'), {});
    }
    const path = url.pathname.slice(basePath.length) || '/';
    const route = resolveRoute(protocol, path);
    if (route) return api(ctx, req, url, route);
    if (path === '/relay' || path.startsWith('/relay/')) return hostedPageRoutes(ctx, req, url, path);
    if (ctx.control && path.startsWith('/__emulator/')) return controlRoutes(ctx, control, req, path.slice('/__emulator'.length));
    return jsonResponse(404, errorBody(404, 'Not found.'), {});
  };
  return Object.assign(handler, {
    control,
    close(): void {
      control.reset();
    },
  });
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function bearerFrom(header: string | null): string | undefined {
  return header ? /(?:^|,)\s*Bearer\s+([^\s,]+)/i.exec(header)?.[1] : undefined;
}

function rateHeaders(ctx: EmulatorContext, state: RateLimitState | undefined, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { 'Request-Id': requestId };
  if (!state) return headers;
  return {
    ...headers,
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(state.remaining),
    'RateLimit-Reset': String(state.resetSeconds),
    'Persona-Environment-Id': ctx.environmentId,
    'Persona-Organization-Id': ctx.organizationId,
  };
}

/** One API call the emulator serves, and how it authenticates. */
interface ApiRoute {
  kind: 'create' | 'challenge' | 'issue' | 'claim' | 'unknown';
  /** `bearer`: the API key is required; `optional`: one sent must be right; `none`: not looked at. */
  auth: 'bearer' | 'optional' | 'none';
  relayToken?: string;
}

/** Maps a path to a route of the profile: Persona's (PROTOCOL.md §2.0) or the RFC profile's `/api/v1`. */
function resolveRoute(protocol: EmulatorProtocol, path: string): ApiRoute | undefined {
  if (protocol === 'rfc9578') {
    if (!path.startsWith('/api/v1/')) return undefined;
    const route = path.slice('/api/v1'.length);
    const claim = /^\/relays\/([^/]+)\/generate-claim$/.exec(route);
    // generate-claim authenticates with the relay secret and the token; a Bearer key, if sent, must still be right.
    if (claim) return { kind: 'claim', auth: 'optional', relayToken: safeDecode(claim[1] ?? '') };
    const kinds: Record<string, ApiRoute['kind'] | undefined> = { '/relays': 'create', '/relays/challenge': 'challenge', '/token-request': 'issue' };
    return { kind: kinds[route] ?? 'unknown', auth: 'bearer' };
  }
  if (path === '/api/v1/privacy-passes') return { kind: 'issue', auth: 'bearer' };
  if (path === '/api/privacy/v1/relays') return { kind: 'create', auth: 'none' };
  if (path === '/api/privacy/v1/relays/challenge') return { kind: 'challenge', auth: 'none' };
  const claim = /^\/api\/privacy\/v1\/relays\/([^/]+)\/generate-claim$/.exec(path);
  if (claim) return { kind: 'claim', auth: 'none', relayToken: safeDecode(claim[1] ?? '') };
  return path.startsWith('/api/') ? { kind: 'unknown', auth: 'none' } : undefined;
}

/** The environment of a correct Bearer key, undefined when the key is missing or wrong (compared in constant time). */
function keyEnvironment(ctx: EmulatorContext, bearer: string | undefined): RelayEnvironment | undefined {
  if (bearer === undefined) return undefined;
  let found: RelayEnvironment | undefined;
  for (const [key, environment] of ctx.apiKeys) if (sameSecret(bearer, key)) found = environment;
  return found;
}

/** Faults first (they stand for the network and Persona's own health), then auth, limits, routing. */
async function api(ctx: EmulatorContext, req: Request, url: URL, route: ApiRoute): Promise<Response> {
  const requestId = `req_${randomBytes(12).toString('hex')}`;
  const log = (status: number, extra: { tokenConsumed?: boolean; replayed?: boolean } = {}): void => {
    ctx.log.add({ time: ctx.now(), method: req.method, path: url.pathname, status, requestId, headers: redactedHeaders(req.headers), ...extra });
  };
  const faults = ctx.faults.current;
  if (faults.latencyMs) await sleep(faults.latencyMs);
  if (faults.dropRate && ctx.random() < faults.dropRate) {
    await readBody(req).catch(() => undefined);
    log(0);
    throw new ConnectionDrop();
  }
  if (ctx.faults.burstLeft > 0) {
    ctx.faults.burstLeft -= 1;
    log(429);
    return jsonResponse(429, errorBody(429, 'Rate limited (injected fault).'), { 'Request-Id': requestId, 'Retry-After': '1' });
  }
  if (faults.errorRate && ctx.random() < faults.errorRate) {
    const status = faults.status ?? 503;
    log(status);
    return jsonResponse(status, errorBody(status, 'Injected fault.'), { 'Request-Id': requestId });
  }

  const bearer = bearerFrom(req.headers.get('authorization'));
  const environment = keyEnvironment(ctx, bearer);
  if (route.auth === 'bearer' ? environment === undefined : route.auth === 'optional' && bearer !== undefined && environment === undefined) {
    log(401);
    return jsonResponse(401, errorBody(401, 'Missing or invalid API key.'), { 'Request-Id': requestId });
  }
  // The RFC profile counts every call against its one key; Persona's unauthenticated calls share one anonymous bucket.
  const authenticated = ctx.protocol === 'rfc9578' || route.auth === 'bearer';
  const limit = ctx.rateLimiter.hit(authenticated ? (bearer ?? ctx.apiKey) : '\0anonymous');
  // RateLimit-* and the environment/organization ids are documented on authenticated responses (§2.5).
  const headers = authenticated ? rateHeaders(ctx, limit, requestId) : { 'Request-Id': requestId };
  try {
    if (!limit.allowed) throw new EmulatorApiError(429, 'Rate limit exceeded.', { 'Retry-After': String(limit.resetSeconds) });
    const version = req.headers.get('persona-version');
    if (version !== null && !knownPersonaVersions.includes(version.trim())) {
      throw new EmulatorApiError(400, `Unknown Persona-Version; known: ${knownPersonaVersions.join(', ')}.`);
    }
    const inflection = parseKeyInflection(req.headers.get('key-inflection'));
    if (!inflection) throw new EmulatorApiError(400, 'Key-Inflection must be camel, kebab or snake.');
    if (route.kind === 'unknown') throw new EmulatorApiError(404, 'No such route.');
    if (req.method !== 'POST') throw new EmulatorApiError(405, 'Use POST.');

    const respond = (result: RouteResult): Response => {
      log(result.status, result.tokenConsumed === undefined ? {} : { tokenConsumed: result.tokenConsumed });
      return toResponse(result, inflection, headers);
    };
    const persona = ctx.protocol === 'persona';
    if (route.kind === 'claim') {
      const relayToken = route.relayToken ?? '';
      const run = async (): Promise<Response> =>
        respond(await (persona ? generatePersonaClaim(ctx, req, url, relayToken) : generateClaim(ctx, req, url, relayToken)));
      const idempotencyKey = req.headers.get('idempotency-key');
      if (idempotencyKey === null) return await run();
      if (idempotencyKey === '' || idempotencyKey.length > 255) throw new EmulatorApiError(400, 'Idempotency-Key must be 1 to 255 characters.');
      const fingerprint = createHash('sha256')
        .update([relayToken, req.headers.get('authorization') ?? '', req.headers.get('persona-relay-secret') ?? '', inflection].join('\n'))
        .digest('hex');
      return await idempotent(ctx, idempotencyKey, fingerprint, run, (stored) => {
        log(stored.status, { replayed: true, tokenConsumed: false });
        return new Response(stored.body, { status: stored.status, headers: { ...Object.fromEntries(stored.headers), ...headers, 'Idempotent-Replayed': 'true' } });
      });
    }
    const handlers: Record<'create' | 'challenge' | 'issue', () => Promise<RouteResult>> = persona
      ? {
          create: () => createPersonaRelay(ctx, req),
          challenge: () => requestPersonaChallenge(ctx, req, url),
          issue: () => issuePrivacyPass(ctx, req, environment ?? 'production'),
        }
      : { create: () => createRelay(ctx, req), challenge: () => requestChallenge(ctx, req, url), issue: () => issueToken(ctx, req) };
    return respond(await handlers[route.kind]());
  } catch (error) {
    if (error instanceof ConnectionDrop) throw error;
    const status = error instanceof EmulatorApiError ? error.status : 500;
    // Only our own error texts reach the client: anything else may carry internals.
    const detail = error instanceof EmulatorApiError ? error.detail : 'Internal error.';
    log(status);
    return jsonResponse(status, errorBody(status, detail), { ...headers, ...(error instanceof EmulatorApiError ? error.headers : {}) });
  }
}

function toResponse(result: RouteResult, inflection: KeyInflection, headers: Record<string, string>): Response {
  if (result.binary) {
    return new Response(new Uint8Array(result.binary), {
      status: result.status,
      headers: { 'content-type': result.contentType ?? 'application/octet-stream', 'cache-control': 'no-store', ...headers },
    });
  }
  return jsonResponse(result.status, inflectKeys(result.body ?? {}, inflection), { ...headers, ...result.headers });
}

/**
 * Runs one call per Idempotency-Key at a time: a fresh key runs and stores a success; a stored one
 * with the same fingerprint is replayed; with another fingerprint it is a 409.
 */
async function idempotent(
  ctx: EmulatorContext,
  key: string,
  fingerprint: string,
  run: () => Promise<Response>,
  replay: (stored: StoredResponse) => Response,
): Promise<Response> {
  return ctx.idempotency.serialise(key, async () => {
    const stored = ctx.idempotency.lookup(key);
    if (stored && stored.fingerprint !== fingerprint) throw new EmulatorApiError(409, 'This Idempotency-Key was used with a different request.');
    if (stored) return replay(stored.response);
    const response = await run();
    // Only successes are kept: a 403 "not yet available" must be retried with the same key.
    if (response.ok) {
      const body = await response.clone().text();
      ctx.idempotency.store(key, fingerprint, { status: response.status, body, headers: [['content-type', response.headers.get('content-type') ?? '']] });
    }
    return response;
  });
}
