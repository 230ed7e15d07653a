import type { IncomingMessage } from 'node:http';
import { BodyTimeoutError } from './bodyTimeoutError.ts';

/**
 * Where a Node request body stands: still `open`, read to its `end`, `cancelled` by its reader (the
 * rest not yet read), or `failed` (the client went away, or the read deadline passed).
 */
export type RequestBodyState = 'open' | 'ended' | 'cancelled' | 'failed';

/** A Node request body as a web stream, with a read deadline and a bounded way to discard the rest. */
export interface RequestBody {
  readonly stream: ReadableStream<Uint8Array>;
  readonly state: RequestBodyState;
  /** True once the read deadline passed before the body ended. */
  readonly timedOut: boolean;
  /**
   * Reads and throws away what is left of a cancelled body, at most `maxBytes`, until the deadline.
   * Resolves true when the body was read to its end (the connection is clean for the next request).
   */
  discard(maxBytes: number): Promise<boolean>;
}

/**
 * Wraps `req` in a pull-based, byte-counted stream (Readable.toWeb is slow on Node 20 for large
 * bodies). Every event after a cancel or an error is ignored: a late `end` must not close a stream
 * that is already closed, which Node would throw from the event listener and kill the process with.
 */
export function requestBody(req: IncomingMessage, timeoutMs: number): RequestBody {
  let state: RequestBodyState = 'open';
  let timedOut = false;
  let streamController: ReadableStreamDefaultController<Uint8Array> | undefined;
  const deadlineListeners = new Set<() => void>();

  const onData = (chunk: Buffer): void => {
    if (state !== 'open' || !streamController) return;
    streamController.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((streamController.desiredSize ?? 0) <= 0) req.pause();
  };
  const fail = (error: unknown): void => {
    if (state !== 'open') return;
    state = 'failed';
    req.off('data', onData);
    streamController?.error(error);
  };
  const onEnd = (): void => {
    clearTimeout(timer);
    if (state !== 'open') return;
    state = 'ended';
    streamController?.close();
  };
  // Stays for the request's life: an abort after a cancel must still find a listener.
  req.on('error', fail);
  req.once('end', onEnd);
  req.once('close', () => {
    clearTimeout(timer);
    if (!req.complete) fail(new Error('the client went away before the body ended'));
  });
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        fail(new BodyTimeoutError(timeoutMs));
        for (const listener of deadlineListeners) listener();
      }, timeoutMs)
    : undefined;
  timer?.unref();

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        streamController = controller;
        req.on('data', onData);
        req.pause();
      },
      pull() {
        if (state === 'open') req.resume();
      },
      cancel() {
        // The reader stopped (e.g. over its size limit). The rest stays unread until discard() or a close.
        if (state !== 'open') return;
        state = 'cancelled';
        req.off('data', onData);
        req.pause();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );

  return {
    stream,
    get state() {
      return state;
    },
    get timedOut() {
      return timedOut;
    },
    discard(maxBytes) {
      if (state === 'ended' || req.readableEnded) return Promise.resolve(true);
      if (state !== 'cancelled' || timedOut || req.destroyed) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        let seen = 0;
        const finish = (ended: boolean): void => {
          req.off('data', count);
          req.off('end', onDrained);
          req.off('close', onGone);
          deadlineListeners.delete(onGone);
          if (!ended) req.pause();
          resolve(ended);
        };
        const count = (chunk: Buffer): void => {
          seen += chunk.byteLength;
          if (seen > maxBytes) finish(false);
        };
        const onDrained = (): void => {
          finish(true);
        };
        const onGone = (): void => {
          finish(false);
        };
        req.on('data', count);
        req.once('end', onDrained);
        req.once('close', onGone);
        deadlineListeners.add(onGone);
        req.resume();
      });
    },
  };
}
