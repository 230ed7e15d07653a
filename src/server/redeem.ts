import { constants, createHash, privateDecrypt } from 'node:crypto';
import { normalizeClaimType, parseClaimPayload } from '../core/claims.ts';
import type { RelayClaim, RelaySessionStatus } from '../wire/types.ts';
import { logUpstream, type HandlerContext } from './context.ts';
import { HttpError } from './http.ts';
import { PersonaUnreachableError, generateClaim, upstreamError } from './persona.ts';
import { tokenExpiry, type RedeemToken } from './redeemToken.ts';
import { retrying, type Attempt } from './retry.ts';
import { finalStatuses, type Sessions } from './sessions.ts';
import type { SessionRecord } from './store.ts';

/** Unspent tokens of a format without an expiry are kept this long. */
const keepTokenMs = 24 * 60 * 60_000;
const redeemable: readonly RelaySessionStatus[] = ['inquiry', 'needs-token', 'redeeming'];
/** Upstream statuses that say the token itself was refused: such a token is never kept for later. */
const tokenRefusals = new Set([400, 401, 422]);

type SessionError = NonNullable<SessionRecord['error']>;

type Outcome =
  | { kind: 'claim'; claimPayload: string; tokenConsumed: boolean; requestId?: string }
  | { kind: 'spent' }
  /** 403 "claim not yet available" until the deadline: the person has not finished. */
  | { kind: 'not-ready' }
  | { kind: 'error'; error: SessionError; upstreamStatus?: number };

/** The redeem side: generate-claim with retries, unspent tokens kept for later, claim decoding, onClaim. */
export interface Redeemer {
  /** Starts (or joins) the session's redeem; answers the status to report at once. */
  start(id: string, token: RedeemToken): Promise<RelaySessionStatus>;
  /** Resolves once every redeem started so far has settled. */
  idle(): Promise<void>;
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

/** Builds the redeem side over the session bookkeeping. */
export function createRedeemer(ctx: HandlerContext, sessions: Sessions): Redeemer {
  const { store, now, persona, policy, logger } = ctx;
  const running = new Set<Promise<void>>();

  /** `started`: when the redeem began; the deadline covers every token tried, so the redeem lock outlives it. */
  async function claimWith(record: SessionRecord, token: string, started: number): Promise<Outcome> {
    // One key per (session, token): a retry after a lost answer, even from another instance, is a replay.
    const idempotencyKey = createHash('sha256').update(`${record.id}:${token}`).digest('hex').slice(0, 40);
    let lastRequestId: string | undefined;
    let timeoutMs = persona.timeoutMs;
    // Once Persona said "not yet available", later 429s or lost answers do not make the person finished.
    let notReady = false;
    const gaveUp = (attempts: number): Outcome => notReady ? { kind: 'not-ready' } : ({
      kind: 'error',
      error: { status: 504, title: 'Persona did not produce the claim in time', detail: `gave up after ${String(attempts)} attempts`, ...(lastRequestId ? { requestId: lastRequestId } : {}) },
    });
    return retrying<Outcome>({ policy, now, started }, async (attempt): Promise<Attempt<Outcome>> => {
      // No attempt runs past the deadline, which is what lets the redeem lock's TTL bound the whole redeem.
      const attemptTimeoutMs = Math.max(Math.min(timeoutMs, policy.deadlineMs - (now() - started)), 1);
      try {
        const answer = await generateClaim(persona, { relayToken: record.relayToken, relaySecret: record.relaySecret, token, idempotencyKey, timeoutMs: attemptTimeoutMs });
        lastRequestId = answer.requestId ?? lastRequestId;
        if (answer.status === 200) {
          const { claimpayload: claimPayload, tokenconsumed: tokenConsumed } = answer.fields;
          if (typeof claimPayload !== 'string') {
            return { settled: true, value: { kind: 'error', error: { status: 502, title: 'Persona answered without a claim payload', ...(answer.requestId ? { requestId: answer.requestId } : {}) } } };
          }
          return { settled: true, value: { kind: 'claim', claimPayload, tokenConsumed: tokenConsumed !== false, ...(answer.requestId ? { requestId: answer.requestId } : {}) } };
        }
        // A spent or foreign token: Persona says so with a fresh PrivateToken challenge.
        if (answer.status === 401 && /privatetoken/i.test(answer.headers.get('www-authenticate') ?? '')) return { settled: true, value: { kind: 'spent' } };
        if (answer.status !== 403 && answer.status !== 429 && answer.status < 500) {
          logUpstream(ctx, 'relay: generate-claim refused', answer, { sessionId: record.id }, [record.relaySecret]);
          const error = upstreamError(answer, 'Persona refused to generate the claim');
          return { settled: true, value: { kind: 'error', upstreamStatus: answer.status, error: { status: error.status, title: error.title, ...(error.detail ? { detail: error.detail } : {}), ...(answer.requestId ? { requestId: answer.requestId } : {}) } } };
        }
        logger?.warn('relay: generate-claim will be retried', { sessionId: record.id, status: answer.status, requestId: answer.requestId, attempt });
        notReady ||= answer.status === 403;
        return { settled: false, last: gaveUp(attempt + 1), headers: answer.headers };
      } catch (error) {
        if (error instanceof HttpError) {
          logger?.warn('relay: generate-claim failed', { sessionId: record.id, reason: error.detail });
          return { settled: true, value: { kind: 'error', error: { status: error.status, title: 'Persona could not be asked for the claim' } } };
        }
        if (!(error instanceof PersonaUnreachableError)) throw error;
        // A slow Persona may have spent the token already; the replay of the same key is as slow, so give it longer.
        if (error.timedOut) timeoutMs *= 2;
        logger?.warn('relay: generate-claim did not get an answer; retrying with the same idempotency key', { sessionId: record.id, attempt, timedOut: error.timedOut });
        return { settled: false, last: gaveUp(attempt + 1) };
      }
    });
  }

  function readClaim(claimPayload: string): RelayClaim {
    const plain = ctx.privateKey
      ? privateDecrypt({ key: ctx.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(claimPayload, 'base64')).toString('utf8')
      : claimPayload;
    return parseClaimPayload(plain);
  }

  /** Keeps an unspent token for the next session of this claim type, until its challenge expires. */
  async function keep(claimType: string, token: string): Promise<void> {
    const ttlMs = (tokenExpiry(persona.protocol, token) ?? now() + keepTokenMs) - now();
    if (ttlMs > 0) await store.pushRefund(claimType, token, ttlMs);
  }

  async function finish(id: string, change: Partial<SessionRecord>): Promise<void> {
    const written = await sessions.update(id, (record) => ({ ...record, ...change }));
    if (!written || !finalStatuses.includes(written.status) || !written.claim || !ctx.onClaim) return;
    // `notified` is flipped with compare-and-set, so onClaim fires once even across instances.
    const claimed = await sessions.update(id, (record) => (record.notified ? undefined : { ...record, notified: true }));
    if (!claimed?.claim) return;
    try {
      await ctx.onClaim(sessions.view(claimed), claimed.claim);
    } catch {
      logger?.warn('relay: onClaim threw', { sessionId: id });
    }
  }

  /** The claim of a 200 answer as the session's final state. */
  function settle(record: SessionRecord, outcome: Extract<Outcome, { kind: 'claim' }>): Partial<SessionRecord> {
    const requestId = outcome.requestId ? { requestId: outcome.requestId } : {};
    let claim: RelayClaim;
    try {
      claim = readClaim(outcome.claimPayload);
    } catch {
      return { status: 'error', error: { status: 502, title: 'Persona sent a claim payload the app could not read', ...requestId } };
    }
    // The session was created for one claim type: a payload about another must never pass for it.
    if (normalizeClaimType(claim.claimType) !== normalizeClaimType(record.claimType)) {
      logger?.warn('relay: the claim payload names another claim type', { sessionId: record.id, requestId: outcome.requestId });
      return { status: 'error', error: { status: 502, title: 'Persona sent a claim for another claim type', ...requestId } };
    }
    return { status: claim.claimResult, claim, ...(outcome.requestId ? { claimRequestId: outcome.requestId } : {}) };
  }

  async function run(record: SessionRecord, browserToken: string, lock: string): Promise<void> {
    const kept = await store.popRefund(record.claimType);
    // A kept token is spendable and older than the browser's: use it first, keep the fresh one.
    const candidates = kept ? [kept, browserToken] : [browserToken];
    const started = now();
    try {
      for (const [index, token] of candidates.entries()) {
        const outcome = await claimWith(record, token, started);
        if (outcome.kind === 'spent') continue;
        // A kept token Persona refuses as a token is dropped; the browser's fresh one gets its turn.
        if (outcome.kind === 'error' && token !== browserToken && tokenRefusals.has(outcome.upstreamStatus ?? 0)) continue;
        const unused = candidates.slice(index + 1);
        if (outcome.kind === 'claim') {
          if (!outcome.tokenConsumed) unused.push(token);
          for (const spare of unused) await keep(record.claimType, spare);
          await finish(record.id, settle(record, outcome));
          return;
        }
        // An error or an unfinished inquiry left this token unspent (or a replay will say it was spent).
        if (!(outcome.kind === 'error' && tokenRefusals.has(outcome.upstreamStatus ?? 0))) unused.unshift(token);
        for (const spare of unused) await keep(record.claimType, spare);
        if (outcome.kind === 'not-ready') {
          // Persona still says "not yet available" at the deadline: the person is not done, the session waits again.
          await finish(record.id, { status: 'inquiry' });
          return;
        }
        await finish(record.id, { status: 'error', error: outcome.error });
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

  async function start(id: string, token: RedeemToken): Promise<RelaySessionStatus> {
    const record = await sessions.load(id);
    const status = sessions.statusOf(record);
    if (!redeemable.includes(status)) return status;
    const lock = `redeem:${id}`;
    // Outlives the deadline plus one last upstream request, so a live redeem never loses its lock.
    if (!(await store.acquire(lock, policy.deadlineMs + persona.timeoutMs + 30_000))) return 'redeeming';
    // Holding the lock while the record still says 'redeeming' means its runner died (an instance
    // restarted mid-redeem): runners release only after writing a final state. Take it over; the same
    // token gives the same Idempotency-Key, so Persona replays rather than spends twice.
    const begun = await sessions.update(id, (current) => (redeemable.includes(sessions.statusOf(current)) ? { ...current, status: 'redeeming' } : undefined));
    if (!begun) {
      await store.release(lock);
      return sessions.statusOf(await sessions.load(id));
    }
    const job = run(begun, token.value, lock);
    running.add(job);
    void job.finally(() => running.delete(job));
    // Persona usually answers within a few tens of ms: holding the 202 that long lets the browser's first
    // poll find the claim instead of waiting out a poll interval. A slow redeem still answers on time.
    if (!(await settlesWithin(job, ctx.redeemWaitMs))) return 'redeeming';
    return sessions.statusOf(await sessions.load(id));
  }

  return {
    start,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
