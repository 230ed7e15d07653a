import { describe, expect, it } from 'vitest';
import { api, createRelay, generateClaim, issueToken, startEmulatorPerTest } from '../../test/support/emulatorApi.ts';

const start = startEmulatorPerTest();

const body = { 'claim-type': 'age_over_18_germany', 'encryption-key-pem': null };
const control = (base: string, path: string, payload?: unknown): Promise<Response> =>
  fetch(`${base}/__emulator${path}`, payload === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

describe('rate limit', () => {
  it('answers 429 with Retry-After over the per-key limit, and resets with the window', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const { url } = await start({ protocol: 'rfc9578', rateLimit: 3, clock: { now: () => now } });
    for (let i = 0; i < 3; i += 1) expect((await api(url, '/relays', body)).status).toBe(201);
    const limited = await api(url, '/relays', body);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    now += 61_000;
    expect((await api(url, '/relays', body)).status).toBe(201);
  });
});

describe('faults', () => {
  it('burst429, errorRate with a status, and latency, set over HTTP', async () => {
    const { url } = await start({ protocol: 'rfc9578', control: true });
    expect((await control(url, '/faults', { burst429: 2 })).status).toBe(200);
    expect((await api(url, '/relays', body)).status).toBe(429);
    expect((await api(url, '/relays', body)).status).toBe(429);
    expect((await api(url, '/relays', body)).status).toBe(201);
    await control(url, '/faults', { errorRate: 1, status: 502 });
    const failed = await api(url, '/relays', body);
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as { errors: { status: string }[] }).errors[0]?.status).toBe('502');
    await control(url, '/faults', { latencyMs: 150 });
    const started = performance.now();
    expect((await api(url, '/relays', body)).status).toBe(201);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect((await control(url, '/faults', { errorRate: 2 })).status).toBe(400);
  });

  it('dropRate cuts the connection after reading the request', async () => {
    const emulator = await start({ protocol: 'rfc9578', faults: { dropRate: 1 } });
    const error = await api(emulator.url, '/relays', body).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    emulator.control.setFaults({});
    expect((await api(emulator.url, '/relays', body)).status).toBe(201);
  });

  it('errorRate applies with the injected random source only', async () => {
    const draws = [0.9, 0.1];
    const emulator = await start({ protocol: 'rfc9578', faults: { errorRate: 0.5 }, random: () => draws.shift() ?? 0.9 });
    expect((await api(emulator.url, '/relays', body)).status).toBe(201);
    expect((await api(emulator.url, '/relays', body)).status).toBe(503);
  });
});

describe('test control', () => {
  it('is absent unless control is on', async () => {
    const { url } = await start({ protocol: 'rfc9578' });
    expect((await control(url, '/log')).status).toBe(404);
    expect((await control(url, '/clock', { advanceSeconds: 10 })).status).toBe(404);
  });

  it('finishes inquiries, moves the clock and lists the log over HTTP', async () => {
    const { url } = await start({ protocol: 'rfc9578', control: true });
    const relay = await createRelay(url, 'age_over_18_germany');
    const token = await issueToken(url, 'age_over_18_germany');
    expect((await control(url, `/relays/${relay.relayToken}/inquiry`, { status: 'bogus' })).status).toBe(400);
    expect((await control(url, '/relays/rly_missing/inquiry', { status: 'completed' })).status).toBe(404);
    const finished = await control(url, `/relays/${relay.relayToken}/inquiry`, { status: 'completed', claimResult: 'passed', methodology: [{ method: 'document_selfie', result: 'passed' }] });
    expect(await finished.json()).toEqual({ status: 'completed' });
    expect((await generateClaim(url, relay, token)).status).toBe(200);
    const log = (await (await control(url, '/log')).json()) as { entries: { path: string; status: number; tokenConsumed?: boolean }[] };
    expect(log.entries.filter((e) => e.tokenConsumed === true)).toHaveLength(1);
    expect(log.entries.map((e) => e.status)).toContain(201);
    const moved = (await (await control(url, '/clock', { advanceSeconds: 3600 })).json()) as { now: string };
    expect(Date.parse(moved.now) - Date.now()).toBeGreaterThan(3590_000);
  });
});
