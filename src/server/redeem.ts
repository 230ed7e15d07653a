import { constants, createHash, privateDecrypt, randomBytes } from 'node:crypto';
import { normalizeClaimType, parseClaimPayload } from '../core/claims.ts';
import type { RelayClaim, RelaySessionStatus } from '../wire/types.ts';
import { createClaimDelivery } from './claimDelivery.ts';
import { logUpstream, type HandlerContext } from './context.ts';
import { HttpError } from './http.ts';
import { sessionRef } from './sessionRef.ts';
import { PersonaUnreachableError, generateClaim, upstreamError } from './persona.ts';
import { tokenExpiry, type RedeemToken } from './redeemToken.ts';
import { retrying, type Attempt } from './retry.ts';
import { finalStatuses, type Sessions } from './sessions.ts';
import { StoreUnavailableError, type SessionRecord } from './store.ts';

/** Unspent tokens of a format without an expiry are kept this long. */
const keepTokenMs = 24 * 60 * 60_000;
const redeemable: readonly RelaySessionStatus[] = ['inquiry', 'needs-token', 'redeeming'];
/** Results stay readable (and reconcilable) this long after the session expired; as in sessions.ts. */
const resultGraceMs = 60 * 60_000;
/** `reconcile`'s wait after a "not yet available", doubling per probe up to the max. */
const reconcileBaseMs = 5_000;
const reconcileMaxMs = 5 * 60_000;
/** Upstream statuses that say the token itself was refused: such a token is never kept for later. */
const tokenRefusals = new Set([400, 401, 422]);

type SessionError = NonNullable<SessionRecord['error']>;

type Outcome =
  | { kind: 'claim'; claimPayload: string; tokenConsumed: boolean; requestId?: string }
  | { kind: 'spent' }
  /** 403 "claim not yet available" until the deadline: the person has not finished. */
  | { kind: 'not-ready' }
  /** `transient`: Persona stayed unavailable (5xx, 429, no answer) until the deadline; nothing was refused. */
  | { kind: 'error'; error: SessionError; upstreamStatus?: number; transient?: boolean };

/** What one `reconcile` pass did. */
export interface ReconcileReport {
  /** Sessions on the pending list that were looked at. */
  checked: number;
  /** Redeems run (a probe that heard "not yet available" counts). */
  redeemed: number;
  /** Undelivered claims handed to `onClaim` again. */
  delivered: number;
}

/** How the redeem lock behaves. */
export interface RedeemerOptions {
  /** The redeem lock's lease, renewed while its holder lives: a dead holder's redeem is taken over this soon. Default 5 s. */
  leaseMs?: number;
}

/** The redeem side: generate-claim with retries, unspent tokens kept for later, claim decoding, onClaim. */
export interface Redeemer {
  /**
   * Starts (or joins) the session's redeem with the body's token or the one handed over before. Resolves
   * with the session's record as it stands (settled, or not redeemable), or undefined while the redeem goes on.
   */
  start(id: string, token: RedeemToken | undefined): Promise<SessionRecord | undefined>;
  /** Keeps the browser's finished token on the session, so the server can redeem without the browser. */
  submitToken(id: string, token: RedeemToken): Promise<void>;
  /** Whether a poll of this record should try `takeOver` (a redeem that may be orphaned); no store call. */
  mayTakeOver(record: SessionRecord): boolean;
  /** The person gave up: the session ends `canceled` (unless a redeem is already under way) and its unsent token is kept for another. */
  cancel(id: string): Promise<void>;
  /** From a poll: takes over a redeem whose runner died (its lease lapsed); true when it did. */
  takeOver(id: string): Promise<boolean>;
  /** Finishes sessions whose browser went away and delivers undelivered claims; one winner per session across instances. */
  reconcile(limit?: number): Promise<ReconcileReport>;
  /** Resolves once every redeem and delivery started so far has settled. */
  idle(): Promise<void>;
  /** Stops waiting between `onClaim` attempts (shutdown). */
  stop(): void;
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
export function createRedeemer(ctx: HandlerContext, sessions: Sessions, options: RedeemerOptions = {}): Redeemer {
  const { store, now, persona, policy, logger } = ctx;
  const running = new Set<Promise<void>>();
  /** Sessions this instance's reconcile is redeeming, so a browser redeem arriving meanwhile can wait for it. */
  const probing = new Map<string, Promise<void>>();
  const leaseMs = options.leaseMs ?? 5_000;
  const delivery = createClaimDelivery(ctx, sessions);

  /** `started`: when the redeem began; the deadline covers every token tried. `deadlineMs` 0: one attempt. */
  async function claimWith(record: SessionRecord, token: string, started: number, deadlineMs = policy.deadlineMs): Promise<Outcome> {
    // One key per (session, token), the token actually sent: a retry after a lost answer, even from another
    // instance taking over, is a replay.
    const idempotencyKey = createHash('sha256').update(`${record.id}:${token}`).digest('hex').slice(0, 40);
    let lastRequestId: string | undefined;
    let timeoutMs = persona.timeoutMs;
    // Once Persona said "not yet available", later 429s or lost answers do not make the person finished.
    let notReady = false;
    const gaveUp = (attempts: number): Outcome => notReady ? { kind: 'not-ready' } : ({
      kind: 'error',
      transient: true,
      error: { status: 504, title: 'Persona did not produce the claim in time', detail: `gave up after ${String(attempts)} attempts`, ...(lastRequestId ? { requestId: lastRequestId } : {}) },
    });
    return retrying<Outcome>({ policy, now, started, deadlineMs }, async (attempt): Promise<Attempt<Outcome>> => {
      // No attempt runs past the deadline (without `renew`, the lock's TTL bounds the whole redeem).
      const attemptTimeoutMs = Math.max(Math.min(timeoutMs, Math.max(deadlineMs, persona.timeoutMs) - (now() - started)), 1);
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
          logUpstream(ctx, 'relay: generate-claim refused', answer, { session: sessionRef(record.id) }, [record.relaySecret, record.relayToken, token]);
          const error = upstreamError(answer, 'Persona refused to generate the claim');
          return { settled: true, value: { kind: 'error', upstreamStatus: answer.status, error: { status: error.status, title: error.title, ...(error.detail ? { detail: error.detail } : {}), ...(answer.requestId ? { requestId: answer.requestId } : {}) } } };
        }
        logger?.warn('relay: generate-claim will be retried', { session: sessionRef(record.id), status: answer.status, requestId: answer.requestId, attempt });
        notReady ||= answer.status === 403;
        return { settled: false, last: gaveUp(attempt + 1), headers: answer.headers };
      } catch (error) {
        if (error instanceof HttpError) {
          logger?.warn('relay: generate-claim failed', { session: sessionRef(record.id), reason: error.detail });
          return { settled: true, value: { kind: 'error', error: { status: error.status, title: 'Persona could not be asked for the claim' } } };
        }
        if (!(error instanceof PersonaUnreachableError)) throw error;
        // A slow Persona may have spent the token already; the replay of the same key is as slow, so give it longer.
        if (error.timedOut) timeoutMs *= 2;
        logger?.warn('relay: generate-claim did not get an answer; retrying with the same idempotency key', { session: sessionRef(record.id), attempt, timedOut: error.timedOut });
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

  /**
   * Writes a redeem's outcome. A claim Persona gave is written until the store takes it (a Redis pause
   * must not lose it, the token is spent); then `onClaim` is delivered.
   */
  async function finish(id: string, change: Partial<SessionRecord>, persistUntil = 0): Promise<void> {
    const apply = (record: SessionRecord): SessionRecord | undefined =>
      // Never overwrite a claim already written (a takeover may have finished first).
      (record.claim && finalStatuses.includes(record.status) ? undefined : { ...record, ...change, spendingToken: undefined });
    let written: SessionRecord | undefined;
    for (let attempt = 0; ; attempt += 1) {
      try {
        written = await sessions.update(id, apply);
        break;
      } catch (error) {
        if (!(error instanceof StoreUnavailableError || error instanceof HttpError) || now() > persistUntil) throw error;
        logger?.warn('relay: the claim could not be written yet; retrying', { session: sessionRef(id), attempt });
        await new Promise((resolve) => setTimeout(resolve, Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs)));
      }
    }
    const current = written ?? (await sessions.find(id));
    if (!current) return;
    if (finalStatuses.includes(current.status) && current.claim && ctx.onClaim && !current.notified) {
      void track(delivery.deliver(id));
    } else if (finalStatuses.includes(current.status)) {
      await store.removePending?.(id).catch(() => undefined);
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
      logger?.warn('relay: the claim payload names another claim type', { session: sessionRef(record.id), requestId: outcome.requestId });
      return { status: 'error', error: { status: 502, title: 'Persona sent a claim for another claim type', ...requestId } };
    }
    return { status: claim.claimResult, claim, ...(outcome.requestId ? { claimRequestId: outcome.requestId } : {}) };
  }

  /** Keeps the lease on the redeem lock while this runner lives; a dead runner's lease lapses within `leaseMs`. */
  function holdLease(lock: string, owner: string): () => void {
    if (!store.renew) return () => undefined;
    const renew = store.renew.bind(store);
    const timer = setInterval(() => {
      renew(lock, owner, leaseMs).catch(() => false);
    }, Math.max(Math.floor(leaseMs / 3), 10));
    (timer as { unref?: () => void }).unref?.();
    return () => { clearInterval(timer); };
  }

  /** Records the token a call is about to carry, so a takeover replays it (same Idempotency-Key) instead of spending another. */
  async function recordSpending(id: string, token: string): Promise<void> {
    const written = await sessions.update(id, (current) => (current.spendingToken === token ? undefined : { ...current, spendingToken: token }));
    if (!written && (await sessions.load(id)).spendingToken !== token) throw new HttpError(409, 'Conflict', 'the session changed under the redeem');
  }

  /**
   * `mode`: `browser` retries "not yet available" up to the deadline (the person said they finished);
   * `reconcile` asks once and backs off in the record, since the person may still be in the inquiry.
   */
  async function run(record: SessionRecord, lock: string, owner: string, mode: 'browser' | 'reconcile'): Promise<void> {
    const stopLease = holdLease(lock, owner);
    const browserToken = record.token;
    // A takeover replays the token the dead runner was sending; only a fresh redeem may open a kept one.
    const replay = record.spendingToken;
    const kept = replay === undefined ? await store.popRefund(record.claimType) : undefined;
    const candidates = [...new Set([replay, kept, browserToken].filter((t): t is string => t !== undefined))];
    const started = now();
    const persistUntil = record.expiresAt + resultGraceMs;
    let mayHaveSpent = false;
    try {
      for (const [index, token] of candidates.entries()) {
        await recordSpending(record.id, token);
        mayHaveSpent = true;
        const outcome = await claimWith(record, token, started, mode === 'reconcile' ? 0 : undefined);
        if (outcome.kind === 'spent') continue;
        // A kept token Persona refuses as a token is dropped; the browser's fresh one gets its turn.
        if (outcome.kind === 'error' && token !== browserToken && tokenRefusals.has(outcome.upstreamStatus ?? 0)) continue;
        // The token the session holds lives on in the record (the one just tried, if it had none); others go back to the pool.
        const onSession = browserToken ?? token;
        const spares = (tokens: string[]): string[] => tokens.filter((t) => t !== onSession);
        const unused = candidates.slice(index + 1);
        if (outcome.kind === 'claim') {
          if (!outcome.tokenConsumed) unused.push(token);
          for (const spare of unused) await keep(record.claimType, spare);
          await finish(record.id, { ...settle(record, outcome), reconcileAt: undefined }, persistUntil);
          return;
        }
        // An error or an unfinished inquiry left this token unspent (or a replay will say it was spent).
        if (!(outcome.kind === 'error' && tokenRefusals.has(outcome.upstreamStatus ?? 0))) unused.unshift(token);
        // A probe is one attempt: Persona being briefly unavailable to it says nothing about the claim, so the
        // session waits for the next probe (or the browser's redeem) instead of failing for good.
        const waitsAgain = outcome.kind === 'not-ready' || (mode === 'reconcile' && outcome.transient === true);
        // "Not yet available": the browser's token stays on the session for the next redeem or reconcile.
        for (const spare of waitsAgain ? spares(unused) : unused) await keep(record.claimType, spare);
        if (waitsAgain) {
          // Persona still says "not yet available": the person is not done, the session waits again.
          const attempts = (record.reconcileAttempts ?? 0) + 1;
          const backoff = Math.min(reconcileBaseMs * 2 ** (attempts - 1), reconcileMaxMs);
          await finish(record.id, {
            status: 'inquiry',
            token: onSession,
            ...(mode === 'reconcile' ? { reconcileAt: now() + backoff, reconcileAttempts: attempts } : {}),
          });
          return;
        }
        await finish(record.id, { status: 'error', error: outcome.error, token: undefined });
        return;
      }
      await finish(record.id, { status: 'needs-token', token: undefined });
    } catch (error) {
      logger?.warn('relay: redeem failed', { session: sessionRef(record.id), reason: error instanceof Error ? error.name : 'unknown' });
      // After a generate-claim call the token may be spent: an error would be final and lose the claim. The
      // session stays `redeeming`, so a poll or reconcile takes it over and replays the same key.
      if (!mayHaveSpent && !(error instanceof StoreUnavailableError)) {
        await finish(record.id, { status: 'error', error: { status: 503, title: 'The redeem could not be completed' } }).catch(() => undefined);
      }
    } finally {
      stopLease();
      await store.release(lock, owner).catch(() => undefined);
    }
  }

  function track(job: Promise<void>): Promise<void> {
    const settled = job.catch(() => undefined);
    running.add(settled);
    void settled.finally(() => running.delete(settled));
    return settled;
  }

  /** Takes the redeem lock and marks the session `redeeming`; undefined when another runner holds it or nothing is left to redeem. */
  async function begin(id: string, eligible: (record: SessionRecord) => boolean): Promise<{ record: SessionRecord; lock: string; owner: string } | undefined> {
    const lock = `redeem:${id}`;
    const owner = randomBytes(12).toString('base64url');
    // Without `renew` the lock must outlive the whole redeem (deadline plus one last request).
    const ttlMs = store.renew ? leaseMs : policy.deadlineMs + persona.timeoutMs + 30_000;
    if (!(await store.acquire(lock, ttlMs, owner))) return undefined;
    // Holding the lock while the record says `redeeming` means its runner died (its lease lapsed): runners
    // release only after writing their outcome. Take it over; `spendingToken` makes the call a replay.
    const record = await sessions.update(id, (current) => (eligible(current) ? { ...current, status: 'redeeming' } : undefined)).catch(async (error: unknown) => {
      await store.release(lock, owner).catch(() => undefined);
      throw error;
    });
    if (!record) {
      await store.release(lock, owner);
      return undefined;
    }
    return { record, lock, owner };
  }

  const holdsToken = (record: SessionRecord): boolean => record.token !== undefined || record.spendingToken !== undefined;

  async function start(id: string, token: RedeemToken | undefined): Promise<SessionRecord | undefined> {
    const record = await sessions.load(id);
    if (!redeemable.includes(sessions.statusOf(record))) return record;
    // The person completed: keep the token and that fact in the record first, so whoever holds the lock, or
    // takes over from a dead holder, redeems with it.
    let replaced: string | undefined;
    let seen = record;
    // Declines when nothing changes, so a crowd of identical redeems does not fight over the record.
    const written = await sessions.update(id, (current) => {
      replaced = undefined;
      seen = current;
      if (!redeemable.includes(sessions.statusOf(current))) return undefined;
      if (current.completed === true && (token === undefined || current.token === token.value)) return undefined;
      if (token && current.token !== undefined && current.token !== token.value && current.spendingToken !== current.token) replaced = current.token;
      return { ...current, completed: true, ...(token ? { token: token.value } : {}) };
    });
    // A token the session held but never sent stays spendable: the next redeem of this claim type uses it first.
    if (replaced !== undefined) await keep(record.claimType, replaced);
    const marked = written ?? seen;
    if (!redeemable.includes(sessions.statusOf(marked))) return marked;
    if (!holdsToken(marked)) throw new HttpError(400, 'Bad Request', 'token is missing: none was handed over for this session');
    // Only the redeem that marked the session lists it: the crowd behind it adds nothing.
    if (written) await store.addPending?.(id, marked.expiresAt + resultGraceMs);
    const begun = await begin(id, (current) => redeemable.includes(sessions.statusOf(current)) && holdsToken(current));
    if (!begun) {
      // This instance's reconcile holds the redeem (its probe met the person's Finish): wait for it as for
      // our own, so the answer can carry the claim instead of sending the browser to poll.
      const probe = probing.get(id);
      if (!probe || !(await settlesWithin(probe, ctx.redeemWaitMs))) return undefined;
      const after = await sessions.load(id);
      return finalStatuses.includes(sessions.statusOf(after)) ? after : undefined;
    }
    const job = track(run(begun.record, begun.lock, begun.owner, 'browser'));
    // Persona usually answers within a few tens of ms: holding the 202 that long lets the browser's first
    // poll find the claim instead of waiting out a poll interval. A slow redeem still answers on time.
    if (!(await settlesWithin(job, ctx.redeemWaitMs))) return undefined;
    return sessions.load(id);
  }

  async function submitToken(id: string, token: RedeemToken): Promise<void> {
    let replaced: string | undefined;
    const written = await sessions.update(id, (current) => {
      replaced = undefined;
      if (finalStatuses.includes(sessions.statusOf(current))) return undefined;
      // A reload resumes the session and makes a new token: the old one, never sent, stays spendable.
      if (current.token !== undefined && current.token !== token.value && current.spendingToken !== current.token) replaced = current.token;
      return { ...current, token: token.value, reconcileAt: undefined, reconcileAttempts: 0 };
    });
    if (!written) throw new HttpError(409, 'Conflict', `the session is ${sessions.statusOf(await sessions.load(id))}`);
    if (replaced !== undefined) await keep(written.claimType, replaced);
    await store.addPending?.(id, written.expiresAt + resultGraceMs);
  }

  // `redeeming` with a free lock: its runner died (runners write their outcome before they release).
  const mayTakeOver = (record: SessionRecord): boolean => holdsToken(record) && sessions.statusOf(record) === 'redeeming';

  async function takeOver(id: string): Promise<boolean> {
    const begun = await begin(id, mayTakeOver);
    if (!begun) return false;
    void track(run(begun.record, begun.lock, begun.owner, 'browser'));
    return true;
  }

  async function cancel(id: string): Promise<void> {
    let unsent: string | undefined;
    const written = await sessions.update(id, (current) => {
      const status = sessions.statusOf(current);
      // A redeem under way may already have spent the token: its result stands.
      if (finalStatuses.includes(status) || status === 'redeeming') return undefined;
      unsent = current.spendingToken === undefined ? current.token : undefined;
      return { ...current, status: 'canceled', token: undefined };
    });
    if (!written) return;
    if (unsent !== undefined) await keep(written.claimType, unsent);
    await store.removePending?.(id);
  }

  async function reconcileOne(id: string): Promise<'redeemed' | 'delivered' | 'skipped'> {
    const record = await sessions.find(id);
    if (!record) {
      await store.removePending?.(id);
      return 'skipped';
    }
    const status = sessions.statusOf(record);
    if (finalStatuses.includes(status)) {
      if (record.claim && ctx.onClaim && !record.notified) {
        await delivery.deliver(id);
        return 'delivered';
      }
      await store.removePending?.(id);
      return 'skipped';
    }
    if (!holdsToken(record) || (record.reconcileAt ?? 0) > now()) return 'skipped';
    const begun = await begin(id, (current) => holdsToken(current) && redeemable.includes(sessions.statusOf(current)) && (current.reconcileAt ?? 0) <= now());
    if (!begun) return 'skipped';
    const job = reconcileRun(id, begun, record.status === 'redeeming');
    probing.set(id, job);
    try {
      await job;
    } finally {
      probing.delete(id);
    }
    return 'redeemed';
  }

  /** `orphaned`: the session was `redeeming` before this run took the lock (its runner died). */
  async function reconcileRun(id: string, begun: { record: SessionRecord; lock: string; owner: string }, orphaned: boolean): Promise<void> {
    // The person said they finished (or a runner died mid-redeem): redeem in full; otherwise one probe.
    const mode = begun.record.completed === true || orphaned ? 'browser' : 'reconcile';
    await track(run(begun.record, begun.lock, begun.owner, mode));
    // The browser asked to redeem while this probe held the lock: finish in full.
    const after = await sessions.find(id);
    if (mode === 'reconcile' && after?.completed === true && sessions.statusOf(after) === 'inquiry') {
      const again = await begin(id, (current) => current.completed === true && holdsToken(current) && sessions.statusOf(current) === 'inquiry');
      if (again) await track(run(again.record, again.lock, again.owner, 'browser'));
    }
  }

  async function reconcile(limit = 100): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, redeemed: 0, delivered: 0 };
    if (!store.listPending) return report;
    for (const id of await store.listPending(limit)) {
      report.checked += 1;
      try {
        const outcome = await reconcileOne(id);
        if (outcome !== 'skipped') report[outcome] += 1;
      } catch (error) {
        logger?.warn('relay: reconcile could not finish a session', { session: sessionRef(id), reason: error instanceof Error ? error.name : 'unknown' });
      }
    }
    return report;
  }

  return {
    start,
    submitToken,
    cancel,
    mayTakeOver,
    takeOver,
    reconcile,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    stop() {
      delivery.stop();
    },
  };
}
