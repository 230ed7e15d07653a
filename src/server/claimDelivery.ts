import { randomBytes } from 'node:crypto';
import type { HandlerContext } from './context.ts';
import { sessionRef } from './sessionRef.ts';
import type { Sessions } from './sessions.ts';

/** Longest wait between two `onClaim` attempts. */
const maxBackoffMs = 5 * 60_000;

/** Delivers `onClaim` at least once per session (DESIGN.md "Never lose a result"). */
export interface ClaimDelivery {
  /**
   * Calls `onClaim` for a final session with a claim until it resolves, backing off between attempts; marks
   * the session delivered only after it resolved. A crash in between leaves it undelivered for `reconcile`.
   */
  deliver(id: string): Promise<void>;
  /** Stops waiting between attempts (handler shutdown); what is undelivered stays for `reconcile`. */
  stop(): void;
}

/** Builds the delivery of `onClaim` over the handler's store; several instances deliver each claim once, mostly. */
export function createClaimDelivery(ctx: HandlerContext, sessions: Sessions): ClaimDelivery {
  const { store, logger } = ctx;
  const inFlight = new Set<string>();
  const waits = new Set<() => void>();
  let stopped = false;

  /** Waits `ms`, or less when the handler stops; false when stopped. */
  function pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        waits.delete(done);
        resolve(!stopped);
      };
      const timer = setTimeout(done, ms);
      (timer as { unref?: () => void }).unref?.();
      waits.add(done);
    });
  }

  async function forget(id: string): Promise<void> {
    await store.removePending?.(id).catch(() => undefined);
  }

  async function attemptOnce(id: string, owner: string): Promise<'done' | 'retry' | 'elsewhere'> {
    const record = await sessions.find(id);
    if (!record?.claim || record.notified) return 'done';
    const onClaim = ctx.onClaim;
    if (!onClaim) return 'done';
    const lock = `deliver:${id}`;
    // The lock only spares the app most duplicates across instances; its lapse (a slow onClaim) allows one more.
    if (!(await store.acquire(lock, 60_000, owner))) return 'elsewhere';
    try {
      await onClaim(sessions.view(record), record.claim);
    } catch {
      logger?.warn('relay: onClaim threw; it will be retried', { session: sessionRef(id) });
      await store.release(lock, owner).catch(() => undefined);
      return 'retry';
    }
    // Only now: a crash before this write means the app is asked again, never that it is not asked.
    await sessions.update(id, (current) => (current.notified ? undefined : { ...current, notified: true }));
    await store.release(lock, owner).catch(() => undefined);
    return 'done';
  }

  async function deliver(id: string): Promise<void> {
    if (inFlight.has(id)) return;
    inFlight.add(id);
    const owner = randomBytes(12).toString('base64url');
    try {
      for (let attempt = 0; !stopped; attempt += 1) {
        let outcome: 'done' | 'retry' | 'elsewhere';
        try {
          outcome = await attemptOnce(id, owner);
        } catch {
          // The store is away: the claim is safe in it, the next attempt (or reconcile) delivers it.
          outcome = 'retry';
        }
        if (outcome === 'done') {
          await forget(id);
          return;
        }
        if (outcome === 'elsewhere') return;
        const backoff = Math.min(ctx.policy.baseDelayMs * 10 * 2 ** attempt, maxBackoffMs);
        if (!(await pause(backoff / 2 + Math.random() * (backoff / 2)))) return;
      }
    } finally {
      inFlight.delete(id);
    }
  }

  return {
    deliver,
    stop() {
      stopped = true;
      for (const wake of [...waits]) wake();
    },
  };
}
