import type { TokenSource } from '../worker/tokenSource.ts';
import type { RelayClient } from '../wire/client.ts';
import { RelayApiError, RelayError, RelayProtocolError } from '../wire/errors.ts';
import type { RelaySessionInfo, RelaySessionState } from '../wire/types.ts';
import { createLazyTokenSource, type LazyTokenSource } from './lazyTokenSource.ts';
import { browserSessionRef } from './sessionRef.ts';
import { finalFlowStatuses, type RelayFlowEvent, type RelayFlowSnapshot } from './flowState.ts';
import type { InquiryEvent } from './types.ts';

/**
 * Options of a `RelayFlow`: a `claimType` to create a session, or the `session` the app created
 * itself (then `claimType` is only a label), plus the settings every flow shares.
 */
export type RelayFlowOptions = ({ claimType: string; session?: undefined } | { claimType?: string; session: RelaySessionInfo }) & RelayFlowSettings;

/** What every `RelayFlow` is configured with, however its session comes about. */
export interface RelayFlowSettings {
  client: RelayClient;
  /** Default: a module Web Worker, or in-thread where there is none. */
  tokenSource?: TokenSource;
  /** The issuer the challenge must name (ignored with a `tokenSource`); default: Persona's for the persona profile. */
  expectedIssuer?: string;
  /** Where tokens are made (ignored with a `tokenSource`): `false` in-thread, `true` worker only; default worker, in-thread if it cannot run. */
  worker?: boolean;
  /** Starts the worker yourself (ignored with a `tokenSource`); implies `worker: true`. */
  createWorker?: () => Worker;
  /** True when the caller polls `GET /sessions/:id` itself and feeds `receiveSessionState` (the React hook). */
  externalPolling?: boolean;
  /**
   * Delay of the first poll after a redeem the backend accepted as still `redeeming` (one it answered
   * as settled is polled at once); Persona usually answers within tens of milliseconds. Default 40 ms.
   */
  firstPollDelayMs?: number;
  /** Second poll delay; later ones back off ×1.5 up to `maxPollIntervalMs`, never below the backend's hint. Default 250 ms. */
  pollIntervalMs?: number;
  /** Default 4 s. */
  maxPollIntervalMs?: number;
  /** New tokens to try when Persona refuses one (`needs-token`). Default 3. */
  maxTokenAttempts?: number;
  /** Injected clock (milliseconds since the epoch) for expiry and timings. */
  now?: () => number;
  /** Injected timers for polls and the expiry deadline. */
  timers?: RelayFlowTimers;
  onEvent?: (event: RelayFlowEvent) => void;
}

/** The timer functions a `RelayFlow` uses; inject them to drive polls and expiry from a test clock. */
export interface RelayFlowTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The platform's timers, when none are injected. */
export const globalTimers: RelayFlowTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

// Takes a session's status too: the final ones are spelled the same in both vocabularies.
const isFinal = (status: string): boolean => (finalFlowStatuses as readonly string[]).includes(status);
const isAbort = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError';

function toRelayError(error: unknown): RelayError {
  if (error instanceof RelayError) return error;
  return new RelayError({ title: 'Verification failed', detail: error instanceof Error ? error.message : undefined, cause: error });
}

/** A session's `browserSessionRef`: the promise, and its value once settled. */
interface SessionRefEntry {
  sessionId: string;
  ref: Promise<string>;
  value?: string;
}

/**
 * The verification as a framework-free state machine (DESIGN.md "core") that reads the session's state
 * only from `receiveSessionState`: the React hook feeds it from its TanStack query. `RelayFlow` is this
 * machine polling for itself, so the hook's bundle carries no second polling loop.
 */
export class RelayFlowMachine {
  readonly #options: RelayFlowOptions;
  readonly #client: RelayClient;
  readonly #listeners = new Set<() => void>();
  readonly #tokenSource: TokenSource;
  /** The default source, whose code is fetched when a verification starts; undefined with the caller's `tokenSource`. */
  readonly #lazySource: LazyTokenSource | undefined;
  #snapshot: RelayFlowSnapshot = { status: 'idle' };
  #run: AbortController | undefined;
  #token: Promise<string> | undefined;
  readonly #timers: RelayFlowTimers;
  readonly #now: () => number;
  /** The session's expiry timer, the run's only one. */
  #expiry: unknown;
  #tokenAttempts = 0;
  /** `browserSessionRef` of the latest session: events carry it instead of the id. */
  #sessionRef: SessionRefEntry | undefined;
  #disposed = false;
  readonly #life = new AbortController();

  constructor(options: RelayFlowOptions) {
    if (!options.claimType && !options.session) throw new TypeError('RelayFlow: give claimType or session');
    this.#options = options;
    this.#client = options.client;
    const { expectedIssuer, worker, createWorker } = options;
    if (options.tokenSource) this.#tokenSource = options.tokenSource;
    else this.#tokenSource = this.#lazySource = createLazyTokenSource(options.client, { expectedIssuer, worker, createWorker });
    this.#timers = options.timers ?? globalTimers;
    this.#now = options.now ?? Date.now;
    // A handed-back session enters its inquiry synchronously on start, so its hash starts here.
    if (options.session) this.#refFor(options.session.sessionId);
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The current state; the same object until something changes (what `useSyncExternalStore` needs). */
  getSnapshot = (): RelayFlowSnapshot => this.#snapshot;

  /** Starts the verification once; later calls do nothing until `retry`. */
  start(): void {
    if (this.#disposed || this.#snapshot.status !== 'idle') return;
    void this.#begin();
  }

  /** Stops the verification where it is (the person gave up); `retry` starts again. */
  cancel(): void {
    if (this.#disposed || isFinal(this.#snapshot.status) || this.#snapshot.status === 'idle') return;
    const session = 'session' in this.#snapshot ? this.#snapshot.session : undefined;
    this.#stopRun();
    // The person gave up: free the worker now rather than keep it idle until dispose.
    this.#tokenSource.dispose();
    if (session) this.#tellServerCanceled(session);
    this.#set({ status: 'canceled', session });
  }

  /** From a final state, starts over with a new session (or the app's session again). */
  retry(): void {
    if (this.#disposed || (!isFinal(this.#snapshot.status) && this.#snapshot.status !== 'idle')) return;
    this.#stopRun();
    this.#set({ status: 'idle' });
    void this.#begin();
  }

  /** Stops everything for good: requests aborted, timers cleared, worker terminated, listeners dropped. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#life.abort(new DOMException('The verification was disposed', 'AbortError'));
    this.#stopRun();
    this.#tokenSource.dispose();
    this.#listeners.clear();
  }

  /**
   * Feeds a callback of Persona's widget (see `mountRelayWidget`): complete → redeem, expire → expired,
   * error → error. Ignored outside an inquiry, or when `sessionId` names an earlier session.
   */
  handleInquiryEvent(event: InquiryEvent, sessionId?: string): void {
    const snapshot = this.#snapshot;
    if (this.#disposed || snapshot.status !== 'inquiry') return;
    if (sessionId !== undefined && sessionId !== snapshot.session.sessionId) return;
    this.#emitFor(snapshot.session.sessionId, (sessionRef) => ({ type: 'inquiry', sessionRef, event: event.type }));
    switch (event.type) {
      case 'complete':
        void this.#redeem(snapshot.session);
        return;
      case 'expire':
        this.#end({ status: 'expired', session: snapshot.session });
        return;
      case 'error':
        this.#fail(
          new RelayError({ title: 'The verification widget reported an error', detail: event.message, code: 'inquiry-error', meta: { widgetCode: event.code } }),
          snapshot.session,
        );
        return;
    }
  }

  /** Ends a verification whose result can no longer be read (the caller's polling gave up). */
  reportError(error: unknown): void {
    const snapshot = this.#snapshot;
    if (this.#disposed || isFinal(snapshot.status) || snapshot.status === 'idle') return;
    this.#fail(error, 'session' in snapshot ? snapshot.session : undefined);
  }

  /** Applies a `GET /sessions/:id` answer (from the flow's own polling or the caller's). */
  receiveSessionState(state: RelaySessionState): void {
    const snapshot = this.#snapshot;
    if (this.#disposed || (snapshot.status !== 'redeeming' && snapshot.status !== 'polling')) return;
    const { session } = snapshot;
    switch (state.status) {
      case 'passed':
      case 'failed':
        if (state.claim?.claimResult !== state.status) {
          // A result without its claim, or one that contradicts it, is a backend fault, not an answer.
          this.#fail(new RelayProtocolError({ title: 'The backend reported a result that does not match its claim', code: 'bad-backend-response' }), session);
          return;
        }
        this.#end({ status: state.status, session, claim: state.claim });
        return;
      case 'expired':
      case 'canceled':
        this.#end({ status: state.status, session });
        return;
      case 'error':
        this.#fail(new RelayApiError({ title: 'Verification failed', ...state.error }), session);
        return;
      case 'needs-token':
        if (snapshot.status === 'polling') void this.#redeemAgain(session);
        return;
      case 'inquiry':
      case 'redeeming':
        return;
    }
  }

  #set(next: RelayFlowSnapshot): void {
    if (this.#disposed) return;
    const changed = next.status !== this.#snapshot.status;
    this.#snapshot = next;
    if (changed) this.#emit({ type: 'status', status: next.status });
    for (const listener of [...this.#listeners]) listener();
  }

  /** Best effort: the server stops waiting for the claim; the person sees `canceled` whatever it answers. */
  #tellServerCanceled(session: RelaySessionInfo): void {
    // Outlives the run it ends, but not the flow: dispose aborts it like every other request.
    this.#client.cancel(session.sessionId, { signal: this.#life.signal }).catch(() => undefined);
  }

  #emit(event: RelayFlowEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // An analytics callback must not break the verification.
    }
  }

  /** The hash of `sessionId`, started once per session. */
  #refFor(sessionId: string): SessionRefEntry {
    if (this.#sessionRef?.sessionId === sessionId) return this.#sessionRef;
    const entry: SessionRefEntry = {
      sessionId,
      // Without WebCrypto (an insecure context) events carry '' rather than fail the verification or leak the id.
      ref: browserSessionRef(sessionId).catch(() => '').then((value) => (entry.value = value)),
    };
    this.#sessionRef = entry;
    return entry;
  }

  /** Emits an event naming a session by its ref: at once when hashed (always, but for a handed-back session's first instant), else when it is. */
  #emitFor(sessionId: string, build: (sessionRef: string) => RelayFlowEvent): void {
    const entry = this.#refFor(sessionId);
    if (entry.value !== undefined) {
      this.#emit(build(entry.value));
      return;
    }
    void entry.ref.then((ref) => {
      if (!this.#disposed) this.#emit(build(ref));
    });
  }

  #fail(error: unknown, session?: RelaySessionInfo): void {
    if (isAbort(error) || this.#disposed) return;
    this.#end({ status: 'error', session, error: toRelayError(error) });
  }

  #stopRun(): void {
    this.#run?.abort(new DOMException('The verification was stopped', 'AbortError'));
    this.#run = undefined;
    this.#token = undefined;
    this.#timers.clearTimeout(this.#expiry);
  }

  /** Ends the run in `next` (a result, or where the session went). */
  #end(next: RelayFlowSnapshot): void {
    this.#stopRun();
    this.#set(next);
  }

  async #begin(): Promise<void> {
    const run = new AbortController();
    this.#run = run;
    this.#tokenAttempts = 0;
    // The token code loads while the session is created; it is needed the moment the inquiry starts.
    this.#lazySource?.preload();
    let session = this.#options.session;
    try {
      if (!session) {
        this.#set({ status: 'creating' });
        session = await this.#client.createSession(this.#options.claimType ?? '', { signal: run.signal });
      }
      if (run.signal.aborted) return;
      // Hashed once, before any event can name the session (a handed-back one was started in the constructor).
      if (!this.#options.session) await this.#refFor(session.sessionId).ref;
      // Stopped (cancel, retry, dispose) while hashing: this run no longer owns the flow.
      if (this.#run !== run) return;
      this.#enterInquiry(session, run);
      // A session handed back (a reload) may be further along than its inquiry: ask, without delaying it.
      if (this.#options.session && this.#snapshot.status === 'inquiry') void this.#resume(session, run);
    } catch (error) {
      if (this.#run === run) this.#fail(error, session);
    }
  }

  /**
   * A session handed back (a reload mid-verification) may be further along than its inquiry: a redeem
   * under way is polled and a result is shown (which stops the token work). `refusal`: the backend's 409
   * to the token work, which stands when the session turns out to be in its inquiry after all.
   */
  async #resume(session: RelaySessionInfo, run: AbortController, refusal?: unknown): Promise<void> {
    let state: RelaySessionState | undefined;
    try {
      state = await this.#client.getSession(session.sessionId, { signal: run.signal });
    } catch {
      // The backend cannot show it (or a hiccup): the inquiry goes on as started.
    }
    if (this.#run !== run || this.#snapshot.status !== 'inquiry') return;
    if (!state || state.status === 'inquiry' || state.status === 'needs-token') {
      if (refusal !== undefined) this.#fail(refusal, session);
      return;
    }
    this.#set({ status: 'polling', session });
    this.receiveSessionState(state);
    if (this.getSnapshot().status === 'polling') this.followSession?.(session, run.signal, state);
  }

  #enterInquiry(session: RelaySessionInfo, run: AbortController): void {
    const msLeft = Date.parse(session.expiresAt) - this.#now();
    if (!(msLeft > 0)) {
      this.#end({ status: 'expired', session });
      return;
    }
    // The session access token dies at expiresAt; nothing can finish after it (stopRun clears the timer).
    this.#expiry = this.#timers.setTimeout(() => {
      this.#end({ status: 'expired', session });
    }, Math.min(msLeft, 2 ** 31 - 1));
    this.#set({ status: 'inquiry', session, tokenReady: false });
    // The token is made while the person is busy with the inquiry, so it is ready when they finish.
    this.#token = this.#makeToken(session, run);
  }

  #makeToken(session: RelaySessionInfo, run: AbortController): Promise<string> {
    this.#tokenAttempts += 1;
    const started = this.#now();
    const token = this.#tokenSource.obtain(session.sessionId, run.signal);
    token.then(
      (made) => {
        if (this.#run !== run) return;
        // Handed over at once so the server can redeem it even if this tab closes; the redeem carries it too.
        this.#client.submitToken(session.sessionId, made, { signal: run.signal }).catch(() => undefined);
        const ms = this.#now() - started;
        this.#emitFor(session.sessionId, (sessionRef) => ({ type: 'token-ready', sessionRef, ms }));
        const snapshot = this.#snapshot;
        if (snapshot.status === 'inquiry' && !snapshot.tokenReady) this.#set({ ...snapshot, tokenReady: true });
      },
      (error: unknown) => {
        if (this.#run !== run) return;
        // A handed-back session already redeemed or final refuses a new token (409): show what it holds.
        if (this.#options.session && error instanceof RelayApiError && error.status === 409) void this.#resume(session, run, error);
        else this.#fail(error, session);
      },
    );
    return token;
  }

  async #redeem(session: RelaySessionInfo): Promise<void> {
    const run = this.#run;
    const token = this.#token;
    if (!run || !token) return;
    // The request goes out before the state changes: rendering `verifying` (and tearing down the widget's
    // frame) would otherwise run first and delay the redeem by a frame or more.
    const answer = token.then((value) => this.#client.redeem(session.sessionId, value, { signal: run.signal }));
    this.#set({ status: 'redeeming', session });
    try {
      const state = await answer;
      this.#emitFor(session.sessionId, (sessionRef) => ({ type: 'redeem-sent', sessionRef }));
      if (this.#run !== run) return;
      // Settled while the server held its answer: the result is here, no poll needed. A result without its
      // claim (an older backend answered only the status) is polled for like one still redeeming.
      const withResult = state.status === 'passed' || state.status === 'failed' ? state.claim !== undefined : isFinal(state.status);
      if (withResult) {
        this.receiveSessionState(state);
        return;
      }
      this.#set({ status: 'polling', session });
      this.followSession?.(session, run.signal, state, true);
    } catch (error) {
      if (this.#run === run) this.#fail(error, session);
    }
  }

  async #redeemAgain(session: RelaySessionInfo): Promise<void> {
    const run = this.#run;
    if (!run) return;
    if (this.#tokenAttempts >= (this.#options.maxTokenAttempts ?? 3)) {
      this.#fail(new RelayError({ title: 'Persona refused every token', code: 'token-refused' }), session);
      return;
    }
    this.#set({ status: 'redeeming', session });
    this.#token = this.#makeToken(session, run);
    await this.#redeem(session);
  }

  /** Emits the `poll` event (numbered from 1 per redeem) for the session `followSession` was given. */
  protected reportPoll(sessionId: string, attempt: number): void {
    this.#emitFor(sessionId, (sessionRef) => ({ type: 'poll', sessionRef, attempt }));
  }

  /**
   * Called each time the flow enters `polling`, with the run's signal (aborted when the run ends) and the
   * state that led there: the redeem's answer (`redeemed`) or a handed-back session's state. Absent here:
   * the caller polls and feeds `receiveSessionState`; `RelayFlow` polls from here.
   */
  protected followSession?(session: RelaySessionInfo, signal: AbortSignal, state: RelaySessionState, redeemed?: boolean): void;
}
