import { createRelayClient, createWorkerTokenSource, type RelayError } from '../../../../src/core/index.ts';
import { spawnRelayWorker } from '../../../../src/worker/spawn.ts';

/** What a call into the worker ended with, as plain data Playwright can read. */
type Outcome = { token: string } | { name: string; code?: string; status?: number; message: string };

const outcome = (promise: Promise<string>): Promise<Outcome> =>
  promise.then(
    (token) => ({ token }),
    (error: unknown) => {
      const { name, code, status, message } = error as RelayError;
      return { name, code, status, message };
    },
  );

const client = createRelayClient({ baseUrl: '/api/relay' });
// The emulator names itself as the issuer; the worker accepts only the issuer it is told (Persona's by default).
const expectedIssuer = `${location.host}/persona/api/v1/privacy-passes`;

async function newSession(claimType = 'age_over_18_germany'): Promise<string> {
  return (await client.createSession(claimType)).sessionId;
}

/** Posts raw messages to a fresh real worker and collects every answer, up to the answer to a last probe. */
async function postRaw(messages: unknown[]): Promise<unknown[]> {
  const worker = spawnRelayWorker();
  const answers: unknown[] = [];
  worker.onmessage = (event: MessageEvent) => answers.push(event.data);
  for (const message of messages) worker.postMessage(message);
  // The explicit event instead of a wait: messages are handled in order, so once the probe (itself malformed)
  // is answered, every answer the messages before it got right away has arrived.
  const probeId = 98;
  worker.postMessage({ id: probeId });
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (answers.some((a) => (a as { id?: unknown }).id === probeId)) resolve();
      else setTimeout(check, 20);
    };
    check();
  });
  answers.splice(answers.findIndex((a) => (a as { id?: unknown }).id === probeId), 1);
  // The worker must still work after the junk.
  const sessionId = await newSession();
  worker.postMessage({ type: 'token', id: 99, baseUrl: new URL('/api/relay', location.href).href, sessionId, expectedIssuer });
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (answers.some((a) => (a as { id?: unknown }).id === 99)) resolve();
      else setTimeout(check, 20);
    };
    check();
  });
  worker.terminate();
  return answers;
}

/** A failing start (a worker script that 404s), then the kit's own worker: the retry must really retry. */
async function retryAfterFailedStart(): Promise<Outcome[]> {
  let starts = 0;
  const source = createWorkerTokenSource({
    client,
    expectedIssuer,
    createWorker: () => (starts++ === 0 ? new Worker('/no-such-worker.js', { type: 'module' }) : spawnRelayWorker()),
  });
  const first = await outcome(source.obtain(await newSession()));
  const second = await outcome(source.obtain(await newSession()));
  source.dispose();
  return [first, second, { token: String(starts) }];
}

/** Abort one request mid-way, then make another on the same worker. */
async function abortThenContinue(): Promise<Outcome[]> {
  const source = createWorkerTokenSource({ client, expectedIssuer });
  const controller = new AbortController();
  const aborted = outcome(source.obtain(await newSession(), controller.signal));
  controller.abort();
  const next = await outcome(source.obtain(await newSession()));
  source.dispose();
  return [await aborted, next];
}

/** A deadline shorter than any token: a typed timeout, not a hang. */
async function timeout(): Promise<Outcome> {
  const source = createWorkerTokenSource({ client, expectedIssuer, timeoutMs: 1 });
  const result = await outcome(source.obtain(await newSession()));
  source.dispose();
  return result;
}

/** terminate() rejects what is pending; the next request starts a new worker. */
async function terminateThenContinue(): Promise<Outcome[]> {
  const source = createWorkerTokenSource({ client, expectedIssuer });
  const pending = outcome(source.obtain(await newSession()));
  source.dispose();
  const next = await outcome(source.obtain(await newSession()));
  source.dispose();
  return [await pending, next];
}

/** The backend's typed error crosses the worker boundary as the same class with its status. */
async function backendError(): Promise<Outcome> {
  const source = createWorkerTokenSource({ client, expectedIssuer });
  const result = await outcome(source.obtain('no-such-session'));
  source.dispose();
  return result;
}

Object.assign(window, { harness: { postRaw, retryAfterFailedStart, abortThenContinue, timeout, terminateThenContinue, backendError } });
document.body.dataset.ready = 'true';
