// Runs RFC 9578 A.2 vector 1 through the privacy-pass client inside a real module worker built by
// Vite, and writes what the worker answered into the page for the Playwright smoke test.
const worker = new Worker(new URL('./pp.worker.ts', import.meta.url), { type: 'module' });
const output = document.getElementById('result') as HTMLOutputElement;
worker.onmessage = (event: MessageEvent<{ token?: string; verified?: boolean; error?: string; inWorker: boolean }>) => {
  output.dataset.token = event.data.token ?? '';
  output.dataset.verified = String(event.data.verified);
  output.dataset.inWorker = String(event.data.inWorker);
  output.textContent = event.data.error ?? 'done';
};
