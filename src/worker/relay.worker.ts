import { obtainToken } from './obtainToken.ts';
import { parseWorkerRequest, serializeError, type WorkerResponse } from './protocol.ts';

// The worker's own global; typed locally so the DOM lib of the rest of the package stays as it is.
const scope = self as unknown as { postMessage(message: WorkerResponse): void; onmessage: ((event: MessageEvent) => void) | null };
const running = new Map<number, AbortController>();

scope.onmessage = (event: MessageEvent) => {
  const request = parseWorkerRequest(event.data);
  if (!request) {
    const raw: unknown = event.data;
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
    scope.postMessage({ type: 'error', id, error: { name: 'RelayProtocolError', title: 'Malformed worker message', code: 'bad-message' } });
    return;
  }
  if (request.type === 'cancel') {
    running.get(request.id)?.abort();
    running.delete(request.id);
    return;
  }
  const controller = new AbortController();
  running.set(request.id, controller);
  const started = performance.now();
  const { id, baseUrl, sessionId, headers, credentials, timeoutMs, expectedIssuer } = request;
  obtainToken({ baseUrl, sessionId, headers, credentials, timeoutMs, expectedIssuer, signal: controller.signal })
    .then((token) => {
      if (!controller.signal.aborted) scope.postMessage({ type: 'token', id, token, ms: performance.now() - started });
    })
    .catch((error: unknown) => {
      if (!controller.signal.aborted) scope.postMessage({ type: 'error', id, error: serializeError(error) });
    })
    .finally(() => running.delete(id));
};
