/**
 * `npm run bench -- load` (or `tsx bench/load.bench.ts`): a bounded load test on loopback. N sessions,
 * C at a time, each create → challenge → issue → (inquiry finished via the emulator's control) →
 * redeem → poll, against MemoryStore and RedisStore. Prints a markdown table. The emulator runs in a
 * child process, so the heap figures are the app's (handler, store, client) and not Persona's.
 * LOAD_SESSIONS, LOAD_CONCURRENCY and LOAD_SECONDS bound it. LOAD_SECURITY=on (default) runs the handler as
 * shipped: every session from its own browser (binding cookie) and visitor address (rate limit counted in
 * the store); LOAD_SECURITY=off binds every session to one fixed subject with no rate limit, for comparison. Expiry is reached by moving the
 * handler's (and MemoryStore's) injected clock past the session lifetime and its result grace.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClient } from 'redis';
import { startEmulator } from '../src/emulator/index.ts';
import { createRelayHandler, MemoryStore } from '../src/server/index.ts';
import { RedisStore } from '../src/server/redisStore.ts';
import type { RelayStore } from '../src/server/store.ts';
import { startRedisServer } from '../test/support/redisServer.ts';
import { BrowserDriver, CookieJar, serveHandler } from '../test/support/relayDriver.ts';

const sessions = Number(process.env.LOAD_SESSIONS ?? 300);
const concurrency = Number(process.env.LOAD_CONCURRENCY ?? 20);
const maxSeconds = Number(process.env.LOAD_SECONDS ?? 60);
const security = process.env.LOAD_SECURITY ?? 'on';
if (security !== 'on' && security !== 'off') throw new Error('LOAD_SECURITY must be on or off');
const claimType = 'age_over_18_germany';
/** Rounds of `sessions` each; only the first is timed, the others show whether memory accumulates. */
const rounds = Math.max(2, Number(process.env.LOAD_ROUNDS ?? 2));
/** Session lifetime (30 min) plus the result grace (60 min) of the handler, and a margin. */
const pastExpiryMs = 2 * 60 * 60_000;
let clockOffsetMs = 0;
const now = (): number => Date.now() + clockOffsetMs;
const apiKey = 'sk_test_load';
const routes = ['create', 'challenge+issue', 'redeem', 'poll'] as const;
type Route = (typeof routes)[number];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Result {
  store: string;
  done: number;
  errors: number;
  seconds: number;
  timings: Record<Route, number[]>;
  heapBefore: number;
  heapAfter: number;
  heapExpired: number;
  /** After the last of `rounds` identical rounds has also expired: equal to `heapExpired` when nothing accumulates. */
  heapExpiredAgain: number;
  /** Records (or Redis keys) the store still holds once everything expired. */
  heldAfterExpiry: number;
  firstError?: string;
}

async function timed<T>(timings: number[], run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    timings.push(performance.now() - started);
  }
}

/** The emulator's test control, over HTTP since it lives in another process. */
interface RemoteEmulator {
  url: string;
  control(path: string, body: unknown): Promise<void>;
  close(): void;
}

async function spawnEmulator(): Promise<RemoteEmulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve-emulator'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
  const { url } = JSON.parse(line ?? '{}') as { url: string };
  return {
    url,
    async control(path, body) {
      const answer = await fetch(`${url}/__emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!answer.ok) throw new Error(`emulator control ${path}: ${String(answer.status)}`);
    },
    close: () => child.kill(),
  };
}

async function runOne(name: string, store: RelayStore, emulator: RemoteEmulator, held: () => Promise<number>, count: number): Promise<Result> {
  // The clock only moves forward: the emulator's (Persona's) clock, which stamps the sessions' expiry, was
  // advanced by the runs before this one, and the handler's must stay in step with it.
  const guarded = security === 'on'
    ? // One visitor per session, told apart as a proxy would tell the handler (the load comes from one address).
      { clientAddress: (request: Request) => /(?:^|; )load-visitor=(\d+)/.exec(request.headers.get('cookie') ?? '')?.[1] }
    : { authorize: () => ({ subject: 'load' }), rateLimit: false as const };
  const served = await serveHandler(createRelayHandler({ apiKey, personaBaseUrl: emulator.url, store, now, claimTypes: [claimType], ...guarded }));
  const base = `${served.url}/api/relay`;
  let visitors = 0;
  const newBrowser = (): BrowserDriver => {
    const jar = new CookieJar();
    visitors += 1;
    jar.keep(base, [`load-visitor=${String(visitors)}`]);
    return new BrowserDriver(base, new Set(), 0, jar);
  };
  const timings: Record<Route, number[]> = { create: [], 'challenge+issue': [], redeem: [], poll: [] };
  let next = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const deadline = Date.now() + maxSeconds * 1000;

  const one = async (): Promise<void> => {
    const browser = newBrowser();
    const session = await timed(timings.create, () => browser.createSession(claimType));
    const token = await timed(timings['challenge+issue'], () => browser.obtainToken(session.sessionId));
    const record = await store.get(session.sessionId);
    await emulator.control(`/relays/${record?.relayToken ?? ''}/inquiry`, { status: 'completed', claimResult: 'passed' });
    const redeem = await timed(timings.redeem, () => browser.redeem(session.sessionId, token));
    if (redeem.status !== 202) throw new Error(`redeem ${String(redeem.status)}`);
    for (;;) {
      const state = await timed(timings.poll, () => browser.read(session.sessionId));
      if (state.status !== 200) throw new Error(`poll ${String(state.status)}`);
      if (state.body.status === 'passed') return;
      if (state.body.status !== 'redeeming' && state.body.status !== 'inquiry') throw new Error(`final ${state.body.status}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  const round = async (): Promise<void> => {
    next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count && Date.now() < deadline) {
          next += 1;
          try {
            await one();
            done += 1;
          } catch (error) {
            errors += 1;
            firstError ??= error instanceof Error ? error.message : String(error);
          }
        }
      }),
    );
    // The emulator stands in for Persona; its relays are not the app's memory.
    await emulator.control('/reset', {});
  };
  const expire = async (): Promise<number> => {
    clockOffsetMs += pastExpiryMs;
    // Persona's clock moves with the app's, or the next round's tokens would look expired to the handler.
    await emulator.control('/clock', { advanceSeconds: pastExpiryMs / 1000 });
    // Give a sweeping store a few ticks to notice that everything expired.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return heapMb();
  };

  // Warm the keys and JIT so the first sessions do not dominate p99.
  await one();
  const heapBefore = heapMb();
  const started = performance.now();
  await round();
  const seconds = (performance.now() - started) / 1000;
  const counted = done;
  const heapAfter = heapMb();
  const heapExpired = await expire();
  // A second round, untimed, shows whether anything accumulates from round to round.
  const firstTimings = structuredClone(timings);
  let heapExpiredAgain = Number.NaN;
  for (let extra = 1; extra < rounds; extra += 1) {
    await round();
    heapExpiredAgain = await expire();
    if (process.env.LOAD_TRACE) console.error(`${name} round ${String(extra + 1)}: ${heapExpiredAgain.toFixed(1)} MB after expiry`);
  }
  done = counted;
  const heldAfterExpiry = await held();
  await served.close();
  return { store: name, done, errors, seconds, timings: firstTimings, heapBefore, heapAfter, heapExpired, heapExpiredAgain, heldAfterExpiry, ...(firstError ? { firstError } : {}) };
}

if (process.argv.includes('--serve-emulator')) {
  const served = await startEmulator({ apiKey, control: true, rateLimit: 1_000_000_000 });
  console.log(JSON.stringify({ url: served.url }));
  // The parent ends this process; stdin closing means the parent is gone.
  process.stdin.on('end', () => process.exit(0)).resume();
} else {
  await main();
}

async function main(): Promise<void> {
const emulator = await spawnEmulator();
const results: Result[] = [];
const redis = await startRedisServer();
const counter = createClient({ url: redis.url });
await counter.connect();
// Redis expires by its own clock, which the bench cannot move: a key without a TTL is what would leak.
const keysWithoutTtl = "local n = 0 for _, k in ipairs(redis.call('KEYS', '*')) do if redis.call('PTTL', k) < 0 then n = n + 1 end end return n";
// Each store runs two halves in the order M R R M: whatever the machine does over time (JIT warm-up, a
// neighbour's load) falls on both stores alike, where running one store first flattered the second 2×.
const half = Math.ceil(sessions / 2);
for (const [index, name] of (['MemoryStore', 'RedisStore', 'RedisStore', 'MemoryStore'] as const).entries()) {
  if (name === 'MemoryStore') {
    const memory = new MemoryStore({ now, sweepIntervalMs: 250 });
    results.push(await runOne(name, memory, emulator, () => Promise.resolve(memory.size), half));
    await memory.close();
  } else {
    const redisStore = new RedisStore({ url: redis.url, prefix: `load${String(index)}:` });
    results.push(await runOne(name, redisStore, emulator, async () => Number(await counter.eval(keysWithoutTtl)), half));
    await redisStore.close();
  }
}
counter.destroy();
await redis.stop();
emulator.close();

/** The two halves of one store as one row: sessions and seconds add up, timings pool, heap figures are the later half's. */
function merged(name: string): Result {
  const [first, second] = results.filter((r) => r.store === name) as [Result, Result];
  const timings = Object.fromEntries(routes.map((route) => [route, [...first.timings[route], ...second.timings[route]]])) as Record<Route, number[]>;
  return { ...second, done: first.done + second.done, errors: first.errors + second.errors, seconds: first.seconds + second.seconds, timings, ...(first.firstError ?? second.firstError ? { firstError: first.firstError ?? second.firstError } : {}) };
}
const halves = results.map((r) => `${r.store === 'MemoryStore' ? 'M' : 'R'} ${(r.done / r.seconds).toFixed(1)}`).join(', ');
const rows = [merged('MemoryStore'), merged('RedisStore')];
const [memoryRow, redisRow] = rows as [Result, Result];
const ratio = redisRow.done / redisRow.seconds / (memoryRow.done / memoryRow.seconds);

const f = (n: number): string => n.toFixed(1);
console.log(`${String(sessions)} sessions per round, ${String(concurrency)} at a time, binding + rate limit ${security} (LOAD_SECURITY), loopback; handler + store client + load client in one Node ${process.version} process, emulator in another\n`);
console.log('| store | sessions | errors | sessions/s | ' + routes.map((r) => `${r} p50 / p99 ms`).join(' | ') + ' | heap MB before / after run / after expiry / after the last round expired | held after expiry (Redis: keys without a TTL) |');
console.log('|---|---|---|---|' + routes.map(() => '---').join('|') + '|---|---|');
for (const r of rows) {
  const cells = routes.map((route) => `${f(percentile(r.timings[route], 50))} / ${f(percentile(r.timings[route], 99))}`);
  console.log(`| ${r.store} | ${String(r.done)} | ${String(r.errors)} | ${f(r.done / r.seconds)} | ${cells.join(' | ')} | ${f(r.heapBefore)} / ${f(r.heapAfter)} / ${f(r.heapExpired)} / ${f(r.heapExpiredAgain)} | ${String(r.heldAfterExpiry)} |`);
}
console.log(`\nRedisStore / MemoryStore sessions/s: ${ratio.toFixed(2)} (halves in run order, sessions/s: ${halves})`);
for (const r of rows) if (r.firstError) console.log(`\n${r.store}: first error: ${r.firstError}`);
process.exit(results.every((r) => r.errors === 0) ? 0 : 1);
}
