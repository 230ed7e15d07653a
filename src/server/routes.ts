import { parseIssueBody, parseRedeemBody, parseTokenBody } from '../wire/bodies.ts';
import type { WireResult } from '../wire/result.ts';
import type { RelaySessionState, RelaySessionStatus } from '../wire/types.ts';
import { base64urlDecode, base64urlEncode } from '../privacy-pass/index.ts';
import { bindRequest, type RequestBinding } from './binding.ts';
import type { HandlerContext } from './context.ts';
import { assertJsonBody, assertSameSite } from './guards.ts';
import { HttpError, errorResponse, json, readJsonObject } from './http.ts';
import { PersonaUnreachableError } from './persona.ts';
import { rateLimitKey } from './rateLimit.ts';
import type { Redeemer } from './redeem.ts';
import { readRedeemToken } from './redeemToken.ts';
import { finalStatuses, type Sessions } from './sessions.ts';
import { StoreUnavailableError, type SessionRecord } from './store.ts';

const bodyLimit = 64 * 1024;

/** The wire contract's verdict on a body, or the 400 that names its problem. */
function accepted<T>(result: WireResult<T>): T {
  if (!result.ok) throw new HttpError(400, 'Bad Request', result.problem);
  return result.value;
}

/** The issue body's bytes: rfc9578 a TokenRequest (RFC 9578 §6.1), persona the bare blinded token (PROTOCOL.md §4.3). */
function tokenRequestBytes(ctx: HandlerContext): { min: number; max: number } {
  const header = ctx.persona.protocol === 'persona' ? 0 : 3;
  return { min: header + 256, max: header + 512 };
}

/** HTTP routing and answers: every route's body is read and checked here, the work is done by sessions and redeem. */
export function createRoutes(ctx: HandlerContext, basePath: string, sessions: Sessions, redeemer: Redeemer): (request: Request) => Promise<Response> {
  let warnedNoAddress = false;

  /** Counts a creation against the quota: per subject when the app authorizes, else per client address. */
  async function countCreation(request: Request, binding: RequestBinding): Promise<void> {
    if (!ctx.limiter) return;
    const { key, addressKnown } = rateLimitKey(request, {
      ...(ctx.authorize ? { subject: binding.subject } : {}),
      ...(ctx.clientAddress ? { clientAddress: ctx.clientAddress } : {}),
    });
    if (!addressKnown && !warnedNoAddress) {
      warnedNoAddress = true;
      ctx.logger?.warn('relay: no client address (not served by toNodeListener, no clientAddress option): anonymous visitors share one rate limit');
    }
    await ctx.limiter.check(key);
  }

  async function create(request: Request, binding: RequestBinding): Promise<Response> {
    const { claimType } = await readJsonObject(request, bodyLimit);
    const allowed = await ctx.claimTypesFor(request, binding.subject);
    if (typeof claimType !== 'string' || !allowed.includes(claimType)) throw new HttpError(400, 'Bad Request', 'claimType is missing or not allowed');
    await countCreation(request, binding);
    const record = await sessions.create(claimType, binding.subject);
    const body = { sessionId: record.id, sessionAccessToken: record.sessionAccessToken, expiresAt: new Date(record.expiresAt).toISOString() };
    return json(201, body, binding.setCookie ? { 'set-cookie': binding.setCookie } : {});
  }

  async function issue(id: string, request: Request): Promise<Response> {
    const { min, max } = tokenRequestBytes(ctx);
    const tokenRequest = base64urlDecode(accepted(parseIssueBody(await readJsonObject(request, bodyLimit))).tokenRequest);
    if (tokenRequest.length < min || tokenRequest.length > max) throw new HttpError(400, 'Bad Request', 'tokenRequest has the wrong length');
    return json(200, { tokenResponse: base64urlEncode(await sessions.issue(id, tokenRequest)) });
  }

  async function redeem(id: string, request: Request): Promise<Response> {
    const { token } = accepted(parseRedeemBody(await readJsonObject(request, bodyLimit)));
    // No token: the one the worker handed over (`POST …/token`) is redeemed.
    const record = await redeemer.start(id, token === undefined ? undefined : readRedeemToken(ctx.persona.protocol, token));
    // Settled while the answer was held (redeemWaitMs): the state carries the claim, so the browser need not poll.
    return json(202, record ? stateOf(record) : { status: 'redeeming', pollAfterMs: pollAfterMs('redeeming') });
  }

  function pollAfterMs(status: RelaySessionStatus): number {
    // A redeem against Persona takes tens of milliseconds: poll it briskly, an open inquiry slowly.
    return status === 'redeeming' ? 100 : 1000;
  }

  function stateOf(record: SessionRecord): RelaySessionState {
    const status = sessions.statusOf(record);
    return {
      status,
      ...(record.claim ? { claim: record.claim } : {}),
      ...(record.error ? { error: record.error } : {}),
      ...(finalStatuses.includes(status) ? {} : { pollAfterMs: pollAfterMs(status) }),
    };
  }

  async function submitToken(id: string, request: Request): Promise<Response> {
    const { token } = accepted(parseTokenBody(await readJsonObject(request, bodyLimit)));
    await redeemer.submitToken(id, readRedeemToken(ctx.persona.protocol, token));
    return new Response(null, { status: 204 });
  }

  async function read(id: string): Promise<Response> {
    let record = await sessions.load(id);
    // A poll is what notices a dead instance's redeem (its lease lapsed): it takes it over, same token, same key.
    if (redeemer.mayTakeOver(record) && (await redeemer.takeOver(id))) record = await sessions.load(id);
    const state = stateOf(record);
    return json(200, state, state.pollAfterMs ? { 'retry-after': String(Math.ceil(state.pollAfterMs / 1000)) } : {});
  }

  async function route(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname !== basePath && !pathname.startsWith(`${basePath}/`)) throw new HttpError(404, 'Not Found', 'no such route');
    const parts = pathname.slice(basePath.length).split('/').filter(Boolean);
    const method = request.method.toUpperCase();
    const only = (allowedMethod: string): void => {
      if (method !== allowedMethod) throw new HttpError(405, 'Method Not Allowed', `use ${allowedMethod}`, undefined, { allow: allowedMethod });
    };
    if (parts[0] !== 'sessions' || parts.length > 3) throw new HttpError(404, 'Not Found', 'no such route');
    assertSameSite(request, ctx.allowedOrigins);
    const id = decodeURIComponent(parts[1] ?? '');
    only(parts.length === 2 ? 'GET' : 'POST');
    if (method === 'POST') assertJsonBody(request);
    const binding = await bindRequest(request, { ...(ctx.authorize ? { authorize: ctx.authorize } : {}), ...(ctx.bindingCookie ? { cookie: ctx.bindingCookie } : {}), mint: parts.length === 1 });
    if (binding instanceof Response) return binding;
    // Another browser or user gets the answer an unknown id gets: a session id alone opens nothing.
    if (!binding) throw new HttpError(404, 'Not Found', 'no such session');
    if (parts.length === 1) return create(request, binding);
    await sessions.owned(id, binding.subject);
    if (parts.length === 2) return read(id);
    switch (parts[2]) {
      case 'challenge':
        return json(200, await sessions.challenge(id));
      case 'issue':
        return issue(id, request);
      case 'redeem':
        return redeem(id, request);
      case 'token':
        return submitToken(id, request);
      case 'cancel':
        await redeemer.cancel(id);
        return new Response(null, { status: 204 });
      default:
        throw new HttpError(404, 'Not Found', 'no such route');
    }
  }

  return async (request: Request): Promise<Response> => {
    try {
      return await route(request);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
      if (error instanceof PersonaUnreachableError) {
        return errorResponse(new HttpError(error.timedOut ? 504 : 502, error.timedOut ? 'Gateway Timeout' : 'Bad Gateway', error.message));
      }
      if (error instanceof StoreUnavailableError) {
        return errorResponse(new HttpError(503, 'Service Unavailable', 'the session store is unavailable; try again', undefined, { 'retry-after': '1' }));
      }
      if (error instanceof URIError) return errorResponse(new HttpError(404, 'Not Found', 'no such session'));
      ctx.logger?.warn('relay: unexpected error', { reason: error instanceof Error ? error.name : 'unknown' });
      return errorResponse(new HttpError(500, 'Internal Server Error'));
    }
  };
}
