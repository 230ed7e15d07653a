import { randomBytes } from 'node:crypto';
import type { RelaySessionStatus } from '../wire/types.ts';
import { base64urlDecode, base64urlEncode } from '../privacy-pass/index.ts';
import { sameSubject } from './binding.ts';
import { logUpstream, type HandlerContext, type RelaySessionView } from './context.ts';
import { HttpError } from './http.ts';
import { PersonaUnreachableError, createRelay, issueToken, requestChallenge, upstreamError, type PersonaAnswer, type RelayProtocol } from './persona.ts';
import { retrying, type Attempt } from './retry.ts';
import { sessionRef } from './sessionRef.ts';
import type { SessionRecord } from './store.ts';

const sessionLifetimeMs = 30 * 60_000;
/** Results stay readable this long after the session itself expired. */
const resultGraceMs = 60 * 60_000;
/** Challenge and issuance are retried for this long: the browser is waiting on them. */
const browserWaitMs = 10_000;
const sessionIdPattern = /^[A-Za-z0-9_-]{22}$/;

/** Statuses after which nothing changes a session. */
export const finalStatuses: readonly RelaySessionStatus[] = ['passed', 'failed', 'canceled', 'expired', 'error'];

/** What the challenge route answers: Persona's values as given, and which profile they are in. */
export interface ChallengeAnswer {
  protocol: RelayProtocol;
  challenge: string;
  tokenKey: string;
  tokenKeyId: string;
}

/** Session bookkeeping: create (a relay), challenge, issue, and compare-and-set updates of the record. */
export interface Sessions {
  /** The record, or undefined for an unknown or malformed id. */
  find(id: string): Promise<SessionRecord | undefined>;
  /** The record, or a 404. */
  load(id: string): Promise<SessionRecord>;
  /** The record if it was made for `subject`; otherwise the same 404 as for an unknown id. */
  owned(id: string, subject: string): Promise<SessionRecord>;
  /** Applies `change` with compare-and-set, re-reading on conflict; undefined when `change` declines. */
  update(id: string, change: (record: SessionRecord) => SessionRecord | undefined): Promise<SessionRecord | undefined>;
  /** The status as of now: a session past its expiry that never settled is `expired`. */
  statusOf(record: SessionRecord): RelaySessionStatus;
  view(record: SessionRecord): RelaySessionView;
  /** Creates a relay and a session bound to `subject`. */
  create(claimType: string, subject: string): Promise<SessionRecord>;
  challenge(id: string): Promise<ChallengeAnswer>;
  /** Signs the browser's blinded message for this session; capped per session. */
  issue(id: string, tokenRequest: Uint8Array): Promise<Uint8Array>;
}

function jwtExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(new TextDecoder().decode(base64urlDecode(token.split('.')[1] ?? ''))) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const transient = (status: number): boolean => status === 429 || status >= 500;

/** Builds the session bookkeeping over the handler's store and Persona client. */
export function createSessions(ctx: HandlerContext): Sessions {
  const { store, now, persona } = ctx;

  const statusOf = (record: SessionRecord): RelaySessionStatus =>
    !finalStatuses.includes(record.status) && now() >= record.expiresAt ? 'expired' : record.status;

  const ttlFor = (record: SessionRecord): number => Math.max(record.expiresAt - now(), 0) + resultGraceMs;

  const find = async (id: string): Promise<SessionRecord | undefined> => (sessionIdPattern.test(id) ? store.get(id) : undefined);

  async function load(id: string): Promise<SessionRecord> {
    const record = await find(id);
    if (!record) throw new HttpError(404, 'Not Found', 'no such session');
    return record;
  }

  async function owned(id: string, subject: string): Promise<SessionRecord> {
    const record = await find(id);
    if (!record || !sameSubject(record.subject, subject)) throw new HttpError(404, 'Not Found', 'no such session');
    return record;
  }

  async function update(id: string, change: (record: SessionRecord) => SessionRecord | undefined): Promise<SessionRecord | undefined> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const current = await store.get(id);
      if (!current) return undefined;
      const next = change(current);
      if (!next) return undefined;
      const written = { ...next, version: current.version + 1 };
      if (await store.compareAndSet(written, current.version, ttlFor(written))) return written;
    }
    throw new HttpError(503, 'Service Unavailable', 'the session is too busy; try again');
  }

  function refuseFinal(record: SessionRecord): void {
    const status = statusOf(record);
    if (finalStatuses.includes(status)) throw new HttpError(409, 'Conflict', `the session is ${status}`);
  }

  /** A read-only or idempotent call, retried briefly through 429, 5xx and lost connections. */
  function briefly(call: () => Promise<PersonaAnswer>): Promise<PersonaAnswer | PersonaUnreachableError> {
    return retrying<PersonaAnswer | PersonaUnreachableError>({ policy: ctx.policy, deadlineMs: browserWaitMs, now }, async () => {
      try {
        const answer = await call();
        return transient(answer.status) ? { settled: false, last: answer, headers: answer.headers } : { settled: true, value: answer };
      } catch (error) {
        if (error instanceof PersonaUnreachableError) return { settled: false, last: error };
        throw error;
      }
    });
  }

  async function create(claimType: string, subject: string): Promise<SessionRecord> {
    const answer = await createRelay(persona, claimType, ctx.publicPem);
    const title = 'Persona could not create the relay';
    if (answer.status !== 200 && answer.status !== 201) {
      logUpstream(ctx, 'relay: create-relay refused', answer);
      throw upstreamError(answer, title);
    }
    const { relaytoken: relayToken, relaysecret: relaySecret, relaysessionaccesstoken: sessionAccessToken } = answer.fields;
    if (typeof relayToken !== 'string' || typeof relaySecret !== 'string' || typeof sessionAccessToken !== 'string') {
      throw new HttpError(502, title, 'Persona answered without relay tokens', answer.requestId);
    }
    const createdAt = now();
    const record: SessionRecord = {
      id: base64urlEncode(randomBytes(16)),
      claimType,
      relayToken,
      relaySecret,
      sessionAccessToken,
      createdAt,
      expiresAt: jwtExpiry(sessionAccessToken) ?? createdAt + sessionLifetimeMs,
      status: 'inquiry',
      issued: 0,
      version: 0,
      subject,
    };
    // Most abandoned sessions never start their inquiry: they need not outlive it by the result grace.
    if (!(await store.create(record, Math.min(ttlFor(record), ctx.unstartedTtlMs)))) throw new HttpError(503, 'Service Unavailable', 'session id collision; try again');
    return record;
  }

  async function challenge(id: string): Promise<ChallengeAnswer> {
    const record = await load(id);
    refuseFinal(record);
    const title = 'Persona could not give a challenge';
    const answer = await briefly(() => requestChallenge(persona, record.claimType));
    if (answer instanceof PersonaUnreachableError) throw answer;
    if (answer.status !== 200) {
      logUpstream(ctx, 'relay: challenge refused', answer, { session: sessionRef(id) });
      throw upstreamError(answer, title);
    }
    const { challenge: tokenChallenge, tokenkey: tokenKey, tokenkeyid: tokenKeyId } = answer.fields;
    if (typeof tokenChallenge !== 'string' || typeof tokenKey !== 'string' || typeof tokenKeyId !== 'string' || tokenKeyId.length > 256) {
      throw new HttpError(502, title, 'Persona answered without challenge materials', answer.requestId);
    }
    // persona's issuance names the key the token was blinded for; the browser sends only the blinded token.
    const keyChanged = persona.protocol === 'persona' && record.tokenKeyId !== tokenKeyId;
    // The first challenge means the inquiry started: the write gives the session its whole lifetime back.
    if (keyChanged || !record.started) {
      await update(id, (current) => ({ ...current, started: true, ...(persona.protocol === 'persona' ? { tokenKeyId } : {}) }));
    }
    return { protocol: persona.protocol, challenge: tokenChallenge, tokenKey, tokenKeyId };
  }

  async function issue(id: string, tokenRequest: Uint8Array): Promise<Uint8Array> {
    const counted = await update(id, (record) => {
      if (finalStatuses.includes(statusOf(record)) || record.issued >= ctx.maxIssuances) return undefined;
      return { ...record, issued: record.issued + 1 };
    });
    if (!counted) {
      refuseFinal(await load(id));
      throw new HttpError(429, 'Too Many Requests', `at most ${String(ctx.maxIssuances)} tokens per session`);
    }
    if (persona.protocol === 'persona' && counted.tokenKeyId === undefined) throw new HttpError(409, 'Conflict', 'ask for a challenge first');
    const title = 'Persona could not sign the token';
    // Signing the same blinded message twice gives the same signature: a retry is safe.
    const outcome = await retrying<Uint8Array | PersonaAnswer | PersonaUnreachableError>({ policy: ctx.policy, deadlineMs: browserWaitMs, now }, async (): Promise<Attempt<Uint8Array | PersonaAnswer | PersonaUnreachableError>> => {
      try {
        const issued = await issueToken(persona, { tokenRequest, ...(counted.tokenKeyId === undefined ? {} : { keyId: counted.tokenKeyId }) });
        if ('signature' in issued) return { settled: true, value: issued.signature };
        const { refused } = issued;
        return transient(refused.status) ? { settled: false, last: refused, headers: refused.headers } : { settled: true, value: refused };
      } catch (error) {
        if (error instanceof PersonaUnreachableError) return { settled: false, last: error };
        throw error;
      }
    });
    if (outcome instanceof Uint8Array) return outcome;
    if (outcome instanceof PersonaUnreachableError) throw outcome;
    logUpstream(ctx, 'relay: issuance refused', outcome, { session: sessionRef(id) });
    throw upstreamError(outcome, title);
  }

  const view = (record: SessionRecord): RelaySessionView => ({
    sessionId: record.id,
    subject: record.subject ?? '',
    claimType: record.claimType,
    status: statusOf(record),
    ...(record.claim ? { claim: record.claim } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.claimRequestId ? { requestId: record.claimRequestId } : {}),
    createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString(),
  });

  return { find, load, owned, update, statusOf, view, create, challenge, issue };
}
