/**
 * The request body did not arrive within the read deadline (`bodyTimeoutMs` of `toNodeListener`).
 * Reading the body rejects with it; the handlers answer 408 and the connection is closed.
 */
export class BodyTimeoutError extends Error {
  override name = 'BodyTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`the request body did not arrive within ${String(timeoutMs)} ms`);
  }
}

/** True for a `BodyTimeoutError`, also one from another copy of this module (a second bundle). */
export function isBodyTimeout(error: unknown): error is BodyTimeoutError {
  return error instanceof BodyTimeoutError || (error instanceof Error && error.name === 'BodyTimeoutError');
}
