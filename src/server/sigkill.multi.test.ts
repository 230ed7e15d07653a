import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import { startRedisServer, type RedisServerHandle } from '../../test/support/redisServer.ts';
import { BrowserDriver, consumptions, serveHandler, type ServedHandler } from '../../test/support/relayDriver.ts';
import { testHandlerDefaults } from '../../test/support/handlerDefaults.ts';
import { createRelayHandler } from './index.ts';
import { RedisStore } from './redisStore.ts';

/**
 * "Never lose a result" with a real death: an instance in its own process is SIGKILLed the moment
 * Persona has spent the token and before it could write the claim. The surviving instance, sharing one
 * real Redis, takes the redeem over (same Idempotency-Key) and ends passed with one token spent.
 * reconcile.multi.test.ts covers the same losses in-process; this is the one no finally can soften.
 */
const apiKey = 'sk_test_sigkill';
const claimType = 'age_over_18_germany';
const prefix = 'sigkill:';
let redis: RedisServerHandle;
let emulator: RunningEmulator;
let tap: Server;
let child: ChildProcess | undefined;
let survivor: ServedHandler;
let store: RedisStore;
let onSpent: () => void = () => undefined;

/** A proxy in front of the emulator that kills the child once Persona has answered its generate-claim. */
async function startKillingTap(target: string): Promise<string> {
  tap = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([name, value]) => (name === 'host' || value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])));
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const answer = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body });
      const payload = Buffer.from(await answer.arrayBuffer());
      if ((req.url ?? '').endsWith('/generate-claim') && child) {
        // Persona has spent the token; the instance dies before it hears so.
        const dead = new Promise((resolve) => child?.once('exit', resolve));
        child.kill('SIGKILL');
        await dead;
        onSpent();
        res.destroy();
        return;
      }
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(payload);
    })();
  });
  await new Promise<void>((resolve) => tap.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((tap.address() as AddressInfo).port)}`;
}

async function startChild(personaUrl: string): Promise<string> {
  const script = fileURLToPath(new URL('../../test/support/handlerProcess.ts', import.meta.url));
  child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RELAY_API_KEY: apiKey, RELAY_PERSONA_URL: personaUrl, RELAY_REDIS_URL: redis.url, RELAY_PREFIX: prefix },
  });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  for await (const line of lines) return (JSON.parse(line) as { url: string }).url;
  throw new Error('the handler process exited before printing its URL');
}

beforeAll(async () => {
  redis = await startRedisServer();
  emulator = await startEmulator({ protocol: 'persona', apiKey, control: true, rateLimit: 1_000_000 });
  store = new RedisStore({ url: redis.url, prefix, commandTimeoutMs: 500 });
  survivor = await serveHandler(createRelayHandler({ ...testHandlerDefaults, protocol: 'persona', apiKey, personaBaseUrl: emulator.url, store, redeemLeaseMs: 600, redeemWaitMs: 0, retry: { baseDelayMs: 20, maxDelayMs: 200 } }));
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await survivor.close();
  await store.close();
  await new Promise((resolve) => tap.close(resolve));
  await emulator.close();
  await redis.stop();
});

describe('an instance SIGKILLed after Persona spent the token', () => {
  it('leaves a redeem the surviving instance finishes: passed, one token spent, the same Idempotency-Key replayed', async () => {
    const childUrl = await startChild(await startKillingTap(emulator.url));
    const spent = new Promise<void>((resolve) => { onSpent = resolve; });
    const viaChild = new BrowserDriver(`${childUrl}/api/relay`);
    const viaSurvivor = new BrowserDriver(`${survivor.url}/api/relay`);

    const session = await viaChild.createSession(claimType);
    const token = await viaChild.obtainToken(session.sessionId);
    const record = await store.get(session.sessionId);
    if (!record) throw new Error('the child wrote no session to Redis');
    emulator.control.finishInquiry(record.relayToken, { status: 'completed', claimResult: 'passed' });
    // The redeem is accepted (202) and runs on in the child until the tap kills it.
    expect((await viaChild.redeem(session.sessionId, token)).status).toBe(202);
    await spent;
    expect(child?.signalCode).toBe('SIGKILL');

    const state = await viaSurvivor.pollUntilSettled(session.sessionId, 10_000);
    expect(state).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    expect(consumptions(emulator.control.log(), record.relayToken)).toBe(1);
    const spends = emulator.control.log().filter((e) => e.path.endsWith('/generate-claim') && e.path.includes(`/relays/${record.relayToken}/`));
    expect(spends.map((e) => e.replayed === true)).toEqual([false, true]);
  }, 40_000);
});
