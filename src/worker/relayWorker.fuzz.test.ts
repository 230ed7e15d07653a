import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkerRequest, type WorkerResponse } from './protocol.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 1000);
const posted: WorkerResponse[] = [];
let onmessage: ((event: MessageEvent) => void) | null = null;
let cases = 0;

beforeAll(async () => {
  // The real worker entry, run in Node with a stand-in for its global scope.
  const scope = {
    postMessage: (message: WorkerResponse) => posted.push(message),
    onmessage: null as ((event: MessageEvent) => void) | null,
  };
  Object.assign(globalThis, { self: scope });
  await import('./relay.worker.ts');
  onmessage = scope.onmessage;
});

/** Hands `data` to the worker's own handler; fails (instead of passing vacuously) when the entry installed none. */
function deliver(data: unknown): void {
  if (typeof onmessage !== 'function') throw new Error('the worker entry installed no onmessage handler');
  onmessage(new MessageEvent('message', { data }));
}

afterAll(() => {
  Reflect.deleteProperty(globalThis, 'self');
  console.log(`worker entry fuzz: ${String(cases)} malformed messages, each answered with a typed bad-message error`);
});

describe('the worker entry under malformed messages', () => {
  it('answers each with one typed RelayProtocolError and keeps running', () => {
    expect(onmessage).toBeTypeOf('function');
    const malformed = fc
      .oneof(fc.anything(), fc.record({ type: fc.constantFrom('token', 'cancel'), id: fc.anything(), baseUrl: fc.anything(), sessionId: fc.anything() }))
      .filter((data) => parseWorkerRequest(data) === undefined);
    fc.assert(
      fc.property(malformed, (data) => {
        cases += 1;
        posted.length = 0;
        deliver(data);
        expect(posted).toHaveLength(1);
        expect(posted[0]).toMatchObject({ type: 'error', error: { name: 'RelayProtocolError', code: 'bad-message' } });
      }),
      { numRuns: runs },
    );
  });

  it('ignores a cancel for a request it never saw, and still answers the next message', () => {
    posted.length = 0;
    deliver({ type: 'cancel', id: 12345 });
    expect(posted).toHaveLength(0);
    // The silence above is the handler's choice, not a missing handler: it answers the next bad message.
    deliver({ type: 'cancel', id: 'not a number' });
    expect(posted).toEqual([expect.objectContaining({ type: 'error', id: -1, error: expect.objectContaining({ code: 'bad-message' }) })]);
  });
});
