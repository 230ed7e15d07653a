import { errorBody } from './apiError.ts';
import type { EmulatorContext } from './context.ts';
import { safeDecode } from './safeDecode.ts';
import type { EmulatorControl, EmulatorFaults, FinishInquiry } from './options.ts';
import { readJsonObject } from './readBody.ts';

const statuses = new Set(['completed', 'failed', 'canceled', 'expired']);
const results = new Set(['passed', 'failed']);

/** Programmatic control over one emulator instance. */
export function createControl(ctx: EmulatorContext, advance: (seconds: number) => void): EmulatorControl {
  return {
    finishInquiry(relayToken, outcome) {
      const relay = ctx.relays.get(relayToken);
      if (!relay) throw new RangeError('relayToken: no such relay');
      ctx.relays.finish(relay, parseFinish(outcome), 'control');
    },
    setFaults(faults) {
      const checked = parseFaults(faults);
      ctx.faults.current = checked;
      ctx.faults.burstLeft = checked.burst429 ?? 0;
    },
    advanceClock(seconds) {
      if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('seconds: expected a finite number ≥ 0');
      advance(seconds);
    },
    relayTokenOfSession(sessionAccessToken) {
      const claims = ctx.sessions.resolve(sessionAccessToken);
      if (typeof claims === 'string') throw new RangeError(`sessionAccessToken: ${claims}`);
      return claims.relayToken;
    },
    log: () => ctx.log.list(),
    reset() {
      ctx.relays.reset();
      ctx.spentTokens.clear();
      ctx.spentNonces.clear();
      ctx.idempotency.reset();
      ctx.rateLimiter.reset();
      ctx.log.reset();
      ctx.faults.current = {};
      ctx.faults.burstLeft = 0;
    },
  };
}

/** Validates a finish request; RangeError names the bad field. */
function parseFinish(value: unknown): FinishInquiry {
  if (typeof value !== 'object' || value === null) throw new RangeError('body: expected an object');
  const { status, claimResult, methodology } = value as Record<string, unknown>;
  if (typeof status !== 'string' || !statuses.has(status)) throw new RangeError('status: expected completed, failed, canceled or expired');
  if (claimResult !== undefined && (typeof claimResult !== 'string' || !results.has(claimResult))) {
    throw new RangeError('claimResult: expected passed or failed');
  }
  if (methodology !== undefined && !isMethodology(methodology)) throw new RangeError('methodology: expected [{method, result}]');
  return {
    status: status as FinishInquiry['status'],
    ...(claimResult === undefined ? {} : { claimResult: claimResult as 'passed' | 'failed' }),
    ...(methodology === undefined ? {} : { methodology }),
  };
}

function isMethodology(value: unknown): value is NonNullable<FinishInquiry['methodology']> {
  return (
    Array.isArray(value) &&
    value.every((m: unknown) => {
      if (typeof m !== 'object' || m === null) return false;
      const { method, result } = m as Record<string, unknown>;
      return typeof method === 'string' && typeof result === 'string' && results.has(result);
    })
  );
}

function parseFaults(value: unknown): EmulatorFaults {
  if (typeof value !== 'object' || value === null) throw new RangeError('faults: expected an object');
  const raw = value as Record<string, unknown>;
  const out: EmulatorFaults = {};
  const number = (name: keyof EmulatorFaults, min: number, max: number): void => {
    const v = raw[name];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new RangeError(`${name}: expected a number from ${min} to ${max}`);
    out[name] = v;
  };
  number('latencyMs', 0, 60_000);
  number('errorRate', 0, 1);
  number('status', 400, 599);
  number('burst429', 0, 1_000_000);
  number('dropRate', 0, 1);
  return out;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
}

/** `/__emulator/…`: the HTTP face of the control, as DESIGN.md lists it. */
export async function controlRoutes(ctx: EmulatorContext, control: EmulatorControl, req: Request, route: string): Promise<Response> {
  try {
    if (route === '/log' && req.method === 'GET') return json(200, { entries: control.log() });
    if (req.method !== 'POST') return json(405, errorBody(405, 'Use POST.'));
    const inquiry = /^\/relays\/([^/]+)\/inquiry$/.exec(route);
    if (inquiry) {
      const relayToken = safeDecode(inquiry[1] ?? '');
      if (!ctx.relays.get(relayToken)) return json(404, errorBody(404, 'No relay with this token.'));
      control.finishInquiry(relayToken, parseFinish(await readJsonObject(req)));
      const relay = ctx.relays.get(relayToken);
      return json(200, { status: relay?.status });
    }
    if (route === '/sessions/relay-token') {
      const { sessionAccessToken } = await readJsonObject(req);
      if (typeof sessionAccessToken !== 'string') return json(400, errorBody(400, 'sessionAccessToken: expected a string.'));
      return json(200, { relayToken: control.relayTokenOfSession(sessionAccessToken) });
    }
    if (route === '/faults') {
      control.setFaults(await readJsonObject(req));
      return json(200, { faults: ctx.faults.current });
    }
    if (route === '/clock') {
      const { advanceSeconds } = await readJsonObject(req);
      if (typeof advanceSeconds !== 'number') return json(400, errorBody(400, 'advanceSeconds: expected a number.'));
      control.advanceClock(advanceSeconds);
      return json(200, { now: new Date(ctx.now()).toISOString() });
    }
    if (route === '/reset') {
      control.reset();
      return json(200, {});
    }
    return json(404, errorBody(404, 'No such control route.'));
  } catch (error) {
    if (error instanceof RangeError) return json(400, errorBody(400, error.message));
    if (error instanceof Error && 'status' in error && typeof error.status === 'number') {
      return json(error.status, errorBody(error.status, error.message));
    }
    return json(500, errorBody(500, 'Internal error.'));
  }
}
