import type { RelaySessionInfo, RelaySessionState } from '../wire/types.ts';
import { globalTimers, RelayFlowMachine, type RelayFlowOptions, type RelayFlowSettings } from './RelayFlowMachine.ts';
import { transientRetryDelay } from './transientError.ts';

export type { RelayFlowOptions, RelayFlowSettings, RelayFlowTimers } from './RelayFlowMachine.ts';

/**
 * The whole verification as a framework-free state machine (DESIGN.md "core"): subscribe to it, read
 * `getSnapshot()`, and drive it with `start`, `cancel`, `retry`, `handleInquiryEvent` and `dispose`.
 * It polls `GET /sessions/:id` itself unless `externalPolling` says the caller does.
 */
export class RelayFlow extends RelayFlowMachine {
  readonly #settings: RelayFlowSettings;
  #pollAttempt = 0;

  constructor(options: RelayFlowOptions) {
    super(options);
    this.#settings = options;
  }

  protected override followSession(session: RelaySessionInfo, signal: AbortSignal, state: RelaySessionState, redeemed = false): void {
    if (this.#settings.externalPolling) return;
    this.#pollAttempt = 0;
    // The backend may hold the redeem answer until the claim is in: then the first poll finds it at once.
    const settled = state.status !== 'redeeming' && state.status !== 'inquiry';
    const firstPoll = redeemed ? (settled ? 0 : (this.#settings.firstPollDelayMs ?? 40)) : nextPollDelay(this.#settings, 1, state.pollAfterMs);
    this.#poll(session, signal, firstPoll);
  }

  #poll(session: RelaySessionInfo, signal: AbortSignal, delayMs: number): void {
    const timers = this.#settings.timers ?? globalTimers;
    // The run's end (a result, cancel, retry, expiry, dispose) aborts the signal: no poll outlives it.
    const stop = (): void => {
      timers.clearTimeout(timer);
    };
    const timer = timers.setTimeout(() => {
      signal.removeEventListener('abort', stop);
      void this.#pollOnce(session, signal);
    }, delayMs);
    signal.addEventListener('abort', stop, { once: true });
  }

  async #pollOnce(session: RelaySessionInfo, signal: AbortSignal): Promise<void> {
    // A function, not `signal.aborted` inline: TypeScript would keep its first narrowing across the await.
    const over = (): boolean => signal.aborted;
    if (over()) return;
    this.#pollAttempt += 1;
    this.reportPoll(session.sessionId, this.#pollAttempt);
    let state: RelaySessionState;
    try {
      state = await this.#settings.client.getSession(session.sessionId, { signal });
    } catch (error) {
      if (over()) return;
      // A 503 + Retry-After (the backend's store is down) or a lost answer is not the verdict: the claim
      // may be safe server-side. Ask again, as the server hints, until the session's expiry timer ends the flow.
      const retryMs = transientRetryDelay(error, nextPollDelay(this.#settings, this.#pollAttempt, undefined));
      if (retryMs === undefined) this.reportError(error);
      else this.#poll(session, signal, retryMs);
      return;
    }
    if (over()) return;
    this.receiveSessionState(state);
    if (over() || this.getSnapshot().status !== 'polling') return;
    this.#poll(session, signal, nextPollDelay(this.#settings, this.#pollAttempt, state.pollAfterMs));
  }
}

/** Delay after poll number `attempt`: ×1.5 per attempt from `pollIntervalMs` up to `maxPollIntervalMs`, never below the backend's hint. */
export function nextPollDelay(options: Pick<RelayFlowSettings, 'pollIntervalMs' | 'maxPollIntervalMs'>, attempt: number, pollAfterMs: number | undefined): number {
  const first = options.pollIntervalMs ?? 250;
  const max = options.maxPollIntervalMs ?? 4_000;
  return Math.max(Math.min(first * 1.5 ** Math.max(attempt - 1, 0), max), pollAfterMs ?? 0);
}
