import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayStack, type RelayStack } from '../../test/support/relayStack.ts';
import { loadAnswerChecks } from '../wire/client.ts';
import { createRelayClient } from './client.ts';
import { transientRetryDelay } from './transientError.ts';
import { RelayApiError, RelayNetworkError, RelayProtocolError, RelayTimeoutError } from './errors.ts';

// A backend that misbehaves on purpose, over real HTTP: what a broken proxy or a bad deploy sends.
const scriptedAnswers: Record<string, { status?: number; headers?: Record<string, string>; body: unknown } | undefined> = {
  'bad-claim': { body: { status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'yes' } } },
  'bad-methodology': { body: { status: 'failed', claim: { claimType: 'x', claimResult: 'failed', methodology: [{ method: 1 }] } } },
  'bad-error': { body: { status: 'error', error: { title: 'no status' } } },
  'bad-hint': { body: { status: 'redeeming', pollAfterMs: -5 } },
  'retry-after': { headers: { 'retry-after': '2' }, body: { status: 'redeeming' } },
  'extra-fields': {
    body: { status: 'passed', relaySecret: 'leak', claim: { claimType: 'age_over_18_germany', claimResult: 'passed', methodology: [{ method: 'live_selfie', result: 'passed', score: 9 }], extra: 1 } },
  },
  'bad-date': { status: 201, body: { sessionId: 's', sessionAccessToken: 't', expiresAt: 'soon' } },
};
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    const scripted = scriptedAnswers[path.split('/')[1] ?? ''];
    if (scripted) {
      res.writeHead(scripted.status ?? 200, { 'content-type': 'application/json', ...scripted.headers });
      res.end(JSON.stringify(scripted.body));
    } else if (path.endsWith('/sessions')) {
      res.writeHead(502, { 'content-type': 'application/json', 'request-id': 'req_header' });
      res.end(JSON.stringify({ errors: [{ status: '502', title: 'Bad Gateway', detail: 'Persona answered 503', requestId: 'req_body' }] }));
    } else if (path.endsWith('/html')) {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<h1>down</h1>');
    } else if (path.endsWith('/slow')) {
      setTimeout(() => res.end('{}'), 500);
    } else if (path.endsWith('/challenge')) {
      res.end(JSON.stringify({ challenge: 'AAI', tokenKey: '' }));
    } else {
      res.end('not json');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/relay`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));

describe('createRelayClient', () => {
  it('maps an error body to RelayApiError with status, title, detail and the Request-Id', async () => {
    const error = await createRelayClient({ baseUrl: base }).createSession('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayApiError);
    expect(error).toMatchObject({ status: 502, title: 'Bad Gateway', detail: 'Persona answered 503', requestId: 'req_body' });
  });

  it('keeps the status of an HTML error page', async () => {
    const error = await createRelayClient({ baseUrl: `${base}/x` }).getSession('html').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RelayApiError', status: 503 });
  });

  it('rejects a malformed success with RelayProtocolError, never a TypeError', async () => {
    await expect(createRelayClient({ baseUrl: base }).challenge('s')).rejects.toBeInstanceOf(RelayProtocolError);
    await expect(createRelayClient({ baseUrl: base }).getSession('s')).rejects.toBeInstanceOf(RelayProtocolError);
  });

  it('times out with RelayTimeoutError', async () => {
    const error = await createRelayClient({ baseUrl: `${base}/x`, timeoutMs: 100 }).getSession('slow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayTimeoutError);
  });

  it('reports an unreachable backend as RelayNetworkError', async () => {
    const error = await createRelayClient({ baseUrl: 'http://127.0.0.1:9/api' }).getSession('s').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayNetworkError);
  });

  it('lets the caller abort', async () => {
    const controller = new AbortController();
    const call = createRelayClient({ baseUrl: `${base}/x` }).getSession('slow', { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });

  it.each(['bad-claim', 'bad-methodology', 'bad-error', 'bad-hint'])('rejects a session answer with a malformed field (%s) as RelayProtocolError', async (name) => {
    const error = await createRelayClient({ baseUrl: `${base.replace('/api/relay', '')}/${name}` }).getSession('s').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayProtocolError);
    expect(error).toMatchObject({ code: 'bad-backend-response' });
  });

  it('takes the poll hint from Retry-After when the body has none', async () => {
    const state = await createRelayClient({ baseUrl: `${base.replace('/api/relay', '')}/retry-after` }).getSession('s');
    expect(state).toEqual({ status: 'redeeming', pollAfterMs: 2000 });
  });

  it('copies only the fields of the wire contract', async () => {
    const state = await createRelayClient({ baseUrl: `${base.replace('/api/relay', '')}/extra-fields` }).getSession('s');
    expect(state).toEqual({ status: 'passed', claim: { claimType: 'age_over_18_germany', claimResult: 'passed', methodology: [{ method: 'live_selfie', result: 'passed' }] } });
  });

  it('rejects a session whose expiresAt is not a date', async () => {
    await expect(createRelayClient({ baseUrl: `${base.replace('/api/relay', '')}/bad-date` }).createSession('x')).rejects.toBeInstanceOf(RelayProtocolError);
  });
});

describe('loadAnswerChecks (the validators load with the first request, not with the app)', () => {
  it('loads the real validators', async () => {
    const checks = await loadAnswerChecks();
    expect(checks.parseSessionState({ status: 'redeeming' })).toEqual({ ok: true, value: { status: 'redeeming' } });
  });

  it('a failed load rejects with RelayNetworkError (transient: polling asks again), and the next call loads again', async () => {
    const lost = new TypeError('Failed to fetch dynamically imported module');
    let loads = 0;
    const flaky = async () => {
      loads += 1;
      if (loads === 1) throw lost;
      return import('../wire/answers.ts');
    };
    const error = await loadAnswerChecks(flaky).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayNetworkError);
    expect((error as RelayNetworkError).cause).toBe(lost);
    expect(transientRetryDelay(error, 250)).toBe(250);
    await expect(loadAnswerChecks(flaky)).resolves.toHaveProperty('parseSessionInfo');
    expect(loads).toBe(2);
  });
});

describe('createRelayClient against the real handler', () => {
  let stack: RelayStack;
  beforeAll(async () => {
    stack = await startRelayStack();
  });
  afterAll(() => stack.close());

  // A wrong path or method is a 404 or 405; any other answer means the call reached its route.
  const reachesRoute = async (call: Promise<unknown>): Promise<void> => {
    const error = await call.then(() => undefined, (e: unknown) => e);
    if (error === undefined) return;
    expect(error).toBeInstanceOf(RelayApiError);
    expect([404, 405]).not.toContain((error as RelayApiError).status);
  };

  it('reaches each route with its method (the client writes the paths out; this keeps them honest)', async () => {
    const client = createRelayClient({ baseUrl: stack.baseUrl });
    const session = await client.createSession('age_over_18_germany');
    const { sessionId } = session;
    expect((await client.challenge(sessionId)).protocol).toBe('persona');
    // Not a blinded token: the issuer refuses it, and the refusal is the route's own answer.
    await reachesRoute(client.issue(sessionId, 'AAAA'));
    await reachesRoute(client.submitToken(sessionId, 'AAAA'));
    await reachesRoute(client.redeem(sessionId, 'AAAA'));
    expect(typeof (await client.getSession(sessionId)).status).toBe('string');
    await expect(client.cancel(sessionId)).resolves.toBeUndefined();
    // An id cannot climb out of /sessions/: the escaped path names an unknown session, not another route.
    await expect(client.getSession('../../sessions')).rejects.toMatchObject({ status: 404 });
  });
});
