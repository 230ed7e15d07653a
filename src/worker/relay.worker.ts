import { isRecord } from '../wire/result.ts';
import { obtainToken } from './obtainToken.ts';
import { parseWorkerRequest, serializeError, type WorkerResponse } from './protocol.ts';

// The worker's own global; typed locally so the DOM lib of the rest of the package stays as it is.
const scope = self as unknown as { postMessage(message: WorkerResponse): void; onmessage: ((event: MessageEvent) => void) | null };
const running = new Map<number, AbortController>();

scope.onmessage = ({ data }: MessageEvent) => {
  const request = parseWorkerRequest(data);
  if (!request) {
    const id = isRecord(data) && typeof data.id === 'number' ? data.id : -1;
    scope.postMessage({ type: 'error', id, error: { name: 'RelayProtocolError', title: 'Malformed worker message', code: 'bad-message' } });
    return;
  }
  const { id } = request;
  if (request.type === 'cancel') {
    running.get(id)?.abort();
    running.delete(id);
    return;
  }
  const controller = new AbortController();
  const { signal } = controller;
  running.set(id, controller);
  const started = performance.now();
  // The request holds exactly the checked fields (parseWorkerRequest copies no others).
  obtainToken({ ...request, signal })
    .then(
      (token) => {
        if (!signal.aborted) scope.postMessage({ type: 'token', id, token, ms: performance.now() - started });
      },
      (error: unknown) => {
        if (!signal.aborted) scope.postMessage({ type: 'error', id, error: serializeError(error) });
      },
    )
    .finally(() => running.delete(id));
};
