import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConnectionDrop } from '../shared/connectionDrop.ts';
import { errorBody, EmulatorApiError } from './apiError.ts';
import { createRelay, generateClaim, issueToken, requestChallenge } from './apiRoutes.ts';
import { defaultClaimTypes } from './claimTypes.ts';
import type { EmulatorContext } from './context.ts';
import { safeDecode } from './safeDecode.ts';
import { controlRoutes, createControl } from './controlRoutes.ts';
import { hostedPageRoutes } from './hostedPage.ts';
import { createIdempotencyStore, type StoredResponse } from './idempotency.ts';
import { inflectKeys, parseKeyInflection, type KeyInflection } from './inflection.ts';
import { createIssuerKeyring } from './issuerKeyring.ts';
import type { EmulatorHandler, EmulatorOptions } from './options.ts';
import { createRateLimiter, type RateLimitState } from './rateLimiter.ts';
import { readBody } from './readBody.ts';
import { createRelayRegistry } from './relays.ts';
import { createRequestLog, redactedHeaders } from './requestLog.ts';
import type { RouteResult } from './routeResult.ts';
import { createSessionTokens } from './sessionToken.ts';

/** `Persona-Version` values the emulator answers to; anything else is a 400, as on Persona. */
export const knownPersonaVersions = ['2021-07-05', '2022-09-01', '2023-01-05', '2025-01-01'];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A local Persona Relay as a fetch-style handler: the Relay API and issuer under `{basePath}/api/v1`,
 * the hosted inquiry page at `{basePath}/relay`, and test control under `{basePath}/__emulator/`.
 */
export function createEmulatorHandler(options: EmulatorOptions = {}): EmulatorHandler {
  const clock = options.clock ?? { now: () => Date.now() };
  let offsetMs = 0;
  const now = (): number => clock.now() + offsetMs;
  const claimTypes = options.claimTypes ?? defaultClaimTypes();
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const ctx: EmulatorContext = {
    apiKey: options.apiKey ?? 'sk_test_emulator',
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
    if (path.startsWith('/api/v1/')) return api(ctx, req, url, path.slice('/api/v1'.length));
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

/** Faults first (they stand for the network and Persona's own health), then auth, limits, routing. */
async function api(ctx: EmulatorContext, req: Request, url: URL, route: string): Promise<Response> {
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

  const claimMatch = /^\/relays\/([^/]+)\/generate-claim$/.exec(route);
  const bearer = bearerFrom(req.headers.get('authorization'));
  // generate-claim authenticates with the relay secret and the token; a Bearer key, if sent, must still be right.
  if (claimMatch ? bearer !== undefined && !sameSecret(bearer, ctx.apiKey) : bearer === undefined || !sameSecret(bearer, ctx.apiKey)) {
    log(401);
    return jsonResponse(401, errorBody(401, 'Missing or invalid API key.'), { 'Request-Id': requestId });
  }
  const limit = ctx.rateLimiter.hit(ctx.apiKey);
  const headers = rateHeaders(ctx, limit, requestId);
  try {
    if (!limit.allowed) throw new EmulatorApiError(429, 'Rate limit exceeded for this API key.', { 'Retry-After': String(limit.resetSeconds) });
    const version = req.headers.get('persona-version');
    if (version !== null && !knownPersonaVersions.includes(version.trim())) {
      throw new EmulatorApiError(400, `Unknown Persona-Version; known: ${knownPersonaVersions.join(', ')}.`);
    }
    const inflection = parseKeyInflection(req.headers.get('key-inflection'));
    if (!inflection) throw new EmulatorApiError(400, 'Key-Inflection must be camel, kebab or snake.');

    const respond = (result: RouteResult): Response => {
      log(result.status, result.tokenConsumed === undefined ? {} : { tokenConsumed: result.tokenConsumed });
      return toResponse(result, inflection, headers);
    };
    if (claimMatch) {
      if (req.method !== 'POST') throw new EmulatorApiError(405, 'Use POST.');
      const relayToken = safeDecode(claimMatch[1] ?? '');
      const run = async (): Promise<Response> => respond(await generateClaim(ctx, req, url, relayToken));
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

    const routes: Record<string, (() => Promise<RouteResult>) | undefined> = {
      '/relays': () => createRelay(ctx, req),
      '/relays/challenge': () => requestChallenge(ctx, req, url),
      '/token-request': () => issueToken(ctx, req),
    };
    const handle = routes[route];
    if (!handle) throw new EmulatorApiError(404, 'No such route.');
    if (req.method !== 'POST') throw new EmulatorApiError(405, 'Use POST.');
    return respond(await handle());
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
