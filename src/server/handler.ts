import { constants, createHash, createPrivateKey, createPublicKey, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { parseClaimPayload } from '../core/claims.ts';
import type { RelayClaim, RelaySessionState, RelaySessionStatus } from '../core/types.ts';
import { base64urlDecode, base64urlEncode } from '../privacy-pass/index.ts';
import { HttpError, errorResponse, json, readJsonObject } from './http.ts';
import { MemoryStore } from './memoryStore.ts';
import { PersonaUnreachableError, callPersona, issueToken, upstreamError, type PersonaAnswer, type PersonaConfig } from './persona.ts';
import { defaultRetryPolicy, retryDelay, type RetryPolicy } from './retry.ts';
import type { RelayStore, SessionRecord } from './store.ts';

/** Where the handler may write what went wrong; it never passes a secret, a token or a payload. */
export interface RelayLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** What the app's server knows about a session: no relay token, no secret. */
export interface RelaySessionView {
  sessionId: string;
  claimType: string;
  status: RelaySessionStatus;
  claim?: RelayClaim;
  error?: SessionRecord['error'];
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** Options of `createRelayHandler`. Only `apiKey` and `personaBaseUrl` are required. */
export interface RelayHandlerOptions {
  /** Persona API key (server-side only). */
  apiKey: string;
  /** Persona's base URL, or the emulator's; routes go under `/api/v1`. */
  personaBaseUrl: string;
  /** The Privacy Pass issuer; default `${personaBaseUrl}/api/v1/token-request`. */
  issuerUrl?: string;
  /** RSA private key (KeyObject or PEM). Its public half goes to Persona, which then encrypts payloads (RSA-OAEP SHA-256). */
  encryptionKey?: KeyObject | string;
  /** Default: a `MemoryStore`. Use `RedisStore` for several instances. */
  store?: RelayStore;
  /** Where the routes live; default `/api/relay`. */
  basePath?: string;
  /** A list, or a test; default any `^[a-z0-9_]{1,64}$` (Persona adds claim types without notice). */
  allowedClaimTypes?: readonly string[] | ((claimType: string) => boolean);
  /** Sent as `Persona-Version`. */
  personaVersion?: string;
  /** Sent as `Key-Inflection`; answers are read in any inflection. */
  keyInflection?: 'camel' | 'kebab' | 'snake';
  /** Fires once per session, on the server, when the claim is final: the result the app should trust. */
  onClaim?: (session: RelaySessionView, claim: RelayClaim) => void | Promise<void>;
  fetch?: typeof fetch;
  logger?: RelayLogger;
  /** generate-claim retries: backoff, cap and total deadline. */
  retry?: Partial<RetryPolicy>;
  /** Per upstream request; default 10 s. */
  requestTimeoutMs?: number;
  /** The issue route signs whatever it is given, so it is capped per session; default 3. */
  maxIssuancesPerSession?: number;
  /** How long the redeem answer waits for the claim before answering `redeeming`; default 150 ms, 0 answers at once. */
  redeemWaitMs?: number;
  /** Injected clock (ms since epoch). */
  now?: () => number;
}

/** A fetch-style handler with the server-side reads an app needs. */
export interface RelayHandler {
  (request: Request): Promise<Response>;
  /** The server-side truth for a session (undefined when unknown). */
  getSession(sessionId: string): Promise<RelaySessionView | undefined>;
  /** Resolves once every redeem started so far has settled (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Frees the store's timers and connections when the handler created the store. */
  close(): Promise<void>;
}

const sessionLifetimeMs = 30 * 60_000;
/** Results stay readable this long after the session itself expired. */
const resultGraceMs = 60 * 60_000;
const refundTtlMs = 24 * 60 * 60_000;
const bodyLimit = 64 * 1024;
const finalStatuses: readonly RelaySessionStatus[] = ['passed', 'failed', 'expired', 'error'];
const redeemable: readonly RelaySessionStatus[] = ['inquiry', 'needs-token', 'redeeming'];
const sessionIdPattern = /^[A-Za-z0-9_-]{22}$/;
/** Challenge and issuance are retried for this long: the browser is waiting on them. */
const idempotentDeadlineMs = 10_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const base64urlPattern = /^[A-Za-z0-9_-]+={0,2}$/;

type RedeemOutcome =
  | { kind: 'claim'; claimPayload: string; tokenConsumed: boolean; requestId?: string }
  | { kind: 'spent' }
  | { kind: 'error'; error: NonNullable<SessionRecord['error']> };

function readBase64url(body: Record<string, unknown>, field: string, minBytes: number, maxBytes: number): Uint8Array {
  const value = body[field];
  if (typeof value !== 'string' || !base64urlPattern.test(value) || value.length > Math.ceil((maxBytes * 4) / 3) + 2) {
    throw new HttpError(400, 'Bad Request', `${field} must be a base64url string`);
  }
  const bytes = base64urlDecode(value);
  if (bytes.length < minBytes || bytes.length > maxBytes) throw new HttpError(400, 'Bad Request', `${field} has the wrong length`);
  return bytes;
}

/** True when `job` settles within `ms`; the timer never keeps the process alive. */
async function settlesWithin(job: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => { resolve(false); }, ms);
  });
  try {
    return await Promise.race([job.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function jwtExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(new TextDecoder().decode(base64urlDecode(token.split('.')[1] ?? ''))) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The app backend's relay routes (DESIGN.md "server") as a fetch-style handler. It holds the API key,
 * the relay secrets and the decryption key; the browser only ever sees a session id.
 */
export function createRelayHandler(options: RelayHandlerOptions): RelayHandler {
  const now = options.now ?? Date.now;
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryStore({ now });
  const basePath = (options.basePath ?? '/api/relay').replace(/\/+$/, '');
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const maxIssuances = options.maxIssuancesPerSession ?? 3;
  const redeemWaitMs = options.redeemWaitMs ?? 150;
  const logger = options.logger;
  const privateKey = typeof options.encryptionKey === 'string' ? createPrivateKey(options.encryptionKey) : options.encryptionKey;
  const publicPem = privateKey ? (createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string) : null;
  const persona: PersonaConfig = {
    apiKey: options.apiKey,
    baseUrl: options.personaBaseUrl,
    issuerUrl: options.issuerUrl ?? `${options.personaBaseUrl.replace(/\/+$/, '')}/api/v1/token-request`,
    personaVersion: options.personaVersion,
    keyInflection: options.keyInflection,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.requestTimeoutMs ?? 10_000,
  };
  const running = new Set<Promise<void>>();

  const allowed = (claimType: string): boolean => {
    const rule = options.allowedClaimTypes;
    if (typeof rule === 'function') return rule(claimType);
    if (rule) return rule.includes(claimType);
    return /^[a-z0-9_]{1,64}$/.test(claimType);
  };

  const statusOf = (record: SessionRecord): RelaySessionStatus =>
    !finalStatuses.includes(record.status) && now() >= record.expiresAt ? 'expired' : record.status;

  const ttlFor = (record: SessionRecord): number => Math.max(record.expiresAt - now(), 0) + resultGraceMs;

  const view = (record: SessionRecord): RelaySessionView => ({
    sessionId: record.id,
    claimType: record.claimType,
    status: statusOf(record),
    ...(record.claim ? { claim: record.claim } : {}),
    ...(record.error ? { error: record.error } : {}),
    createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString(),
  });

  async function load(id: string): Promise<SessionRecord> {
    const record = sessionIdPattern.test(id) ? await store.get(id) : undefined;
    if (!record) throw new HttpError(404, 'Not Found', 'no such session');
    return record;
  }

  /** Applies `change` with compare-and-set, re-reading on conflict; undefined when `change` declines. */
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

  async function createSession(request: Request): Promise<Response> {
    const body = await readJsonObject(request, bodyLimit);
    const { claimType } = body;
    if (typeof claimType !== 'string' || !allowed(claimType)) throw new HttpError(400, 'Bad Request', 'claimType is missing or not allowed');
    const answer = await callPersona(persona, '/relays', { method: 'POST', json: { 'claim-type': claimType, 'encryption-key-pem': publicPem } });
    if (answer.status !== 200 && answer.status !== 201) throw upstreamError(answer, 'Persona could not create the relay');
    const { relaytoken: relayToken, relaysecret: relaySecret, relaysessionaccesstoken: sessionAccessToken } = answer.fields;
    if (typeof relayToken !== 'string' || typeof relaySecret !== 'string' || typeof sessionAccessToken !== 'string') {
      throw new HttpError(502, 'Bad Gateway', 'Persona answered without relay tokens', answer.requestId);
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
    };
    if (!(await store.create(record, ttlFor(record)))) throw new HttpError(503, 'Service Unavailable', 'session id collision; try again');
    return json(201, { sessionId: record.id, sessionAccessToken, expiresAt: new Date(record.expiresAt).toISOString() });
  }

  async function challenge(id: string): Promise<Response> {
    const record = await load(id);
    if (finalStatuses.includes(statusOf(record))) throw new HttpError(409, 'Conflict', `the session is ${statusOf(record)}`);
    const answer = await withRetries(() => callPersona(persona, '/relays/challenge', { method: 'POST', json: { 'claim-type': record.claimType } }));
    if (answer.status !== 200) throw upstreamError(answer, 'Persona could not give a challenge');
    const { challenge: tokenChallenge, tokenkey: tokenKey, tokenkeyid: tokenKeyId } = answer.fields;
    if (typeof tokenChallenge !== 'string' || typeof tokenKey !== 'string' || typeof tokenKeyId !== 'string') {
      throw new HttpError(502, 'Bad Gateway', 'Persona answered without challenge materials', answer.requestId);
    }
    return json(200, { challenge: tokenChallenge, tokenKey, tokenKeyId });
  }

  async function issue(id: string, request: Request): Promise<Response> {
    const tokenRequest = readBase64url(await readJsonObject(request, bodyLimit), 'tokenRequest', 3 + 256, 3 + 512);
    const counted = await update(id, (record) => {
      if (finalStatuses.includes(statusOf(record)) || record.issued >= maxIssuances) return undefined;
      return { ...record, issued: record.issued + 1 };
    });
    if (!counted) {
      const record = await load(id);
      if (finalStatuses.includes(statusOf(record))) throw new HttpError(409, 'Conflict', `the session is ${statusOf(record)}`);
      throw new HttpError(429, 'Too Many Requests', `at most ${maxIssuances} tokens per session`);
    }
    let attempt = 0;
    const started = now();
    for (;;) {
      try {
        return json(200, { tokenResponse: base64urlEncode(await issueToken(persona, tokenRequest)) });
      } catch (error) {
        // Signing the same blinded message twice gives the same signature: a retry is safe.
        const transient = error instanceof PersonaUnreachableError || (error instanceof HttpError && (error.status === 502 || error.status === 503));
        const delay = retryDelay(policy, attempt, undefined);
        if (!transient || now() + delay - started > idempotentDeadlineMs) throw error;
        attempt += 1;
        await sleep(delay);
      }
    }
  }

  /** Retries a read-only or idempotent Persona call through 429, 5xx and lost connections, briefly. */
  async function withRetries(call: () => Promise<PersonaAnswer>): Promise<PersonaAnswer> {
    const started = now();
    for (let attempt = 0; ; attempt += 1) {
      let answer: PersonaAnswer | undefined;
      try {
        answer = await call();
        if (answer.status !== 429 && answer.status < 500) return answer;
      } catch (error) {
        if (!(error instanceof PersonaUnreachableError)) throw error;
      }
      const delay = retryDelay(policy, attempt, answer?.headers);
      if (now() + delay - started > idempotentDeadlineMs) {
        if (answer) return answer;
        throw new PersonaUnreachableError(false);
      }
      await sleep(delay);
    }
  }

  /** `started`: when the redeem began; the deadline covers every token tried, so the redeem lock outlives it. */
  async function generateClaim(record: SessionRecord, token: string, started: number): Promise<RedeemOutcome> {
    // One key per (session, token): a retry after a lost answer, even from another instance, is a replay.
    const idempotencyKey = createHash('sha256').update(`${record.id}:${token}`).digest('hex').slice(0, 40);
    let lastRequestId: string | undefined;
    let timeoutMs = persona.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      let headers: Headers | undefined;
      // No attempt runs past the deadline, which is what lets the redeem lock's TTL bound the whole redeem.
      const attemptTimeoutMs = Math.max(Math.min(timeoutMs, policy.deadlineMs - (now() - started)), 1);
      try {
        const answer = await callPersona({ ...persona, timeoutMs: attemptTimeoutMs }, `/relays/${encodeURIComponent(record.relayToken)}/generate-claim`, {
          method: 'POST',
          headers: { authorization: `PrivateToken token=${token}`, 'persona-relay-secret': record.relaySecret, 'idempotency-key': idempotencyKey },
        });
        lastRequestId = answer.requestId ?? lastRequestId;
        headers = answer.headers;
        if (answer.status === 200) {
          const { claimpayload: claimPayload, tokenconsumed: tokenConsumed } = answer.fields;
          if (typeof claimPayload !== 'string') {
            return { kind: 'error', error: { status: 502, title: 'Persona answered without a claim payload', requestId: answer.requestId } };
          }
          return { kind: 'claim', claimPayload, tokenConsumed: tokenConsumed !== false, requestId: answer.requestId };
        }
        // A spent or foreign token: Persona says so with a fresh PrivateToken challenge.
        if (answer.status === 401 && /privatetoken/i.test(answer.headers.get('www-authenticate') ?? '')) return { kind: 'spent' };
        const retryable = answer.status === 403 || answer.status === 429 || answer.status >= 500;
        if (!retryable) {
          const error = upstreamError(answer, 'Persona refused to generate the claim');
          return { kind: 'error', error: { status: error.status, title: error.title, detail: error.detail, requestId: answer.requestId } };
        }
        logger?.warn('relay: generate-claim will be retried', { sessionId: record.id, status: answer.status, requestId: answer.requestId, attempt });
      } catch (error) {
        if (!(error instanceof PersonaUnreachableError)) throw error;
        // A slow Persona may have spent the token already; the replay of the same key is as slow, so give it longer.
        if (error.timedOut) timeoutMs *= 2;
        logger?.warn('relay: generate-claim did not get an answer; retrying with the same idempotency key', { sessionId: record.id, attempt, timedOut: error.timedOut });
      }
      const delay = retryDelay(policy, attempt, headers);
      if (now() + delay - started > policy.deadlineMs) {
        return {
          kind: 'error',
          error: { status: 504, title: 'Persona did not produce the claim in time', detail: `gave up after ${attempt + 1} attempts`, ...(lastRequestId ? { requestId: lastRequestId } : {}) },
        };
      }
      await sleep(delay);
    }
  }

  function readClaim(claimPayload: string): RelayClaim {
    const plain = privateKey
      ? privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(claimPayload, 'base64')).toString('utf8')
      : claimPayload;
    return parseClaimPayload(plain);
  }

  async function finish(id: string, change: Partial<SessionRecord>): Promise<void> {
    const written = await update(id, (record) => ({ ...record, ...change }));
    if (!written || !finalStatuses.includes(written.status) || !written.claim || !options.onClaim) return;
    // `notified` is flipped with compare-and-set, so onClaim fires once even across instances.
    const claimed = await update(id, (record) => (record.notified ? undefined : { ...record, notified: true }));
    if (!claimed?.claim) return;
    try {
      await options.onClaim(view(claimed), claimed.claim);
    } catch {
      logger?.warn('relay: onClaim threw', { sessionId: id });
    }
  }

  async function runRedeem(record: SessionRecord, browserToken: string, lock: string): Promise<void> {
    const refunded = await store.popRefund(record.claimType);
    // A refunded token is spendable and older than the browser's: use it first, keep the fresh one.
    const candidates = refunded ? [refunded, browserToken] : [browserToken];
    const started = now();
    try {
      for (const [index, token] of candidates.entries()) {
        const outcome = await generateClaim(record, token, started);
        if (outcome.kind === 'spent') continue;
        for (const unused of candidates.slice(index + 1)) await store.pushRefund(record.claimType, unused, refundTtlMs);
        if (outcome.kind === 'error') {
          await finish(record.id, { status: 'error', error: outcome.error });
          return;
        }
        if (!outcome.tokenConsumed) await store.pushRefund(record.claimType, token, refundTtlMs);
        let claim: RelayClaim;
        try {
          claim = readClaim(outcome.claimPayload);
        } catch {
          await finish(record.id, { status: 'error', error: { status: 502, title: 'Persona sent a claim payload the app could not read', requestId: outcome.requestId } });
          return;
        }
        await finish(record.id, { status: claim.claimResult, claim });
        return;
      }
      await finish(record.id, { status: 'needs-token' });
    } catch (error) {
      logger?.warn('relay: redeem failed', { sessionId: record.id, reason: error instanceof Error ? error.name : 'unknown' });
      await finish(record.id, { status: 'error', error: { status: 503, title: 'The redeem could not be completed' } }).catch(() => undefined);
    } finally {
      await store.release(lock).catch(() => undefined);
    }
  }

  async function redeem(id: string, request: Request): Promise<Response> {
    const token = base64urlEncode(readBase64url(await readJsonObject(request, bodyLimit), 'token', 2 + 32 + 32 + 32 + 256, 2 + 32 + 32 + 32 + 512));
    const record = await load(id);
    const status = statusOf(record);
    if (!redeemable.includes(status)) return json(202, { status });
    const lock = `redeem:${id}`;
    // Outlives the deadline plus one last upstream request, so a live redeem never loses its lock.
    if (!(await store.acquire(lock, policy.deadlineMs + persona.timeoutMs + 30_000))) return json(202, { status: 'redeeming' });
    // Holding the lock while the record still says 'redeeming' means its runner died (an instance
    // restarted mid-redeem): runners release only after writing a final state. Take it over; the same
    // token gives the same Idempotency-Key, so Persona replays rather than spends twice.
    const started = await update(id, (current) => (redeemable.includes(statusOf(current)) ? { ...current, status: 'redeeming' } : undefined));
    if (!started) {
      await store.release(lock);
      return json(202, { status: statusOf(await load(id)) });
    }
    const job = runRedeem(started, token, lock);
    running.add(job);
    void job.finally(() => running.delete(job));
    // Persona usually answers within a few tens of ms: holding the 202 that long lets the browser's first
    // poll find the claim instead of waiting out a poll interval. A slow redeem still answers on time.
    if (!(await settlesWithin(job, redeemWaitMs))) return json(202, { status: 'redeeming' });
    return json(202, { status: statusOf(await load(id)) });
  }

  async function read(id: string): Promise<Response> {
    const record = await load(id);
    const status = statusOf(record);
    const state: RelaySessionState = {
      status,
      ...(record.claim ? { claim: record.claim } : {}),
      ...(record.error ? { error: record.error } : {}),
      // A redeem against Persona takes tens of milliseconds: poll it briskly, an open inquiry slowly.
      ...(finalStatuses.includes(status) ? {} : { pollAfterMs: status === 'redeeming' ? 100 : 1000 }),
    };
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
    const id = decodeURIComponent(parts[1] ?? '');
    if (parts.length === 1) {
      only('POST');
      return createSession(request);
    }
    if (parts.length === 2) {
      only('GET');
      return read(id);
    }
    only('POST');
    switch (parts[2]) {
      case 'challenge':
        return challenge(id);
      case 'issue':
        return issue(id, request);
      case 'redeem':
        return redeem(id, request);
      default:
        throw new HttpError(404, 'Not Found', 'no such route');
    }
  }

  const handler = async (request: Request): Promise<Response> => {
    try {
      return await route(request);
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error);
      if (error instanceof PersonaUnreachableError) {
        return errorResponse(new HttpError(error.timedOut ? 504 : 502, error.timedOut ? 'Gateway Timeout' : 'Bad Gateway', error.message));
      }
      if ((error as { code?: unknown } | null)?.code === 'store-unavailable') {
        return errorResponse(new HttpError(503, 'Service Unavailable', 'the session store is unavailable; try again', undefined, { 'retry-after': '1' }));
      }
      if (error instanceof URIError) return errorResponse(new HttpError(404, 'Not Found', 'no such session'));
      logger?.warn('relay: unexpected error', { reason: error instanceof Error ? error.name : 'unknown' });
      return errorResponse(new HttpError(500, 'Internal Server Error'));
    }
  };

  const idle = async (): Promise<void> => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  return Object.assign(handler, {
    async getSession(sessionId: string) {
      const record = sessionIdPattern.test(sessionId) ? await store.get(sessionId) : undefined;
      return record ? view(record) : undefined;
    },
    idle,
    async close() {
      await idle();
      if (ownsStore) await store.close?.();
    },
  });
}
