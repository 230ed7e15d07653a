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
        onmessage?.(new MessageEvent('message', { data }));
        expect(posted).toHaveLength(1);
        expect(posted[0]).toMatchObject({ type: 'error', error: { name: 'RelayProtocolError', code: 'bad-message' } });
      }),
      { numRuns: runs },
    );
  });

  it('ignores a cancel for a request it never saw', () => {
    posted.length = 0;
    onmessage?.(new MessageEvent('message', { data: { type: 'cancel', id: 12345 } }));
    expect(posted).toHaveLength(0);
  });
});
