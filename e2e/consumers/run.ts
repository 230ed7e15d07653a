/**
 * `npm run test:consumers`: the kit as an app meets it. Packs the kit (`npm pack`), installs the tarball
 * into a copy of each app under e2e/consumers/, builds it for production, starts it with the Persona
 * Relay emulator mounted beside the app's backend, and runs the Playwright check (consumer.check.ts):
 * one verification passes in Chromium, a module worker runs it, no console error.
 *   apps: vite-express (vite build), next-turbopack (next build), next-dev (next dev, Turbopack),
 *         next-webpack (next build --webpack)
 *   CONSUMERS=vite-express,next-webpack   runs a subset
 *   RELAY_CONSUMERS_DIR=…                  where the copies live (default: the OS temp dir); their
 *                                          node_modules are kept and reused while the app's lockfile is unchanged
 * Prints the kit's share of the Vite app's main JS and the worker asset, gzip.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const here = dirname(new URL(import.meta.url).pathname);
const repo = join(here, '..', '..');
const work = process.env.RELAY_CONSUMERS_DIR ?? join(tmpdir(), 'relay-claim-kit-consumers');
const started = Date.now();

interface Consumer {
  name: string;
  app: string;
  build: string[];
  start: (port: number) => string[];
  env?: Record<string, string>;
  /** Pages the check visits, each ending in a passed verification. */
  paths: string[];
  /**
   * Routes requested once before the check. `next dev` compiles a route on its first request, which on
   * 2 cores takes longer than the kit's request timeout; a developer's second try would work, the check
   * should not depend on it.
   */
  warm?: string[];
}

const consumers: Consumer[] = [
  { name: 'vite-express', app: 'vite-express', build: ['npx', 'vite', 'build'], start: () => ['node', 'server.mjs'], paths: ['/'] },
  {
    name: 'next-turbopack',
    app: 'next-app',
    build: ['npx', 'next', 'build'],
    start: (port) => ['npx', 'next', 'start', '-p', String(port), '-H', '127.0.0.1'],
    paths: ['/', '/wrapped'],
  },
  {
    // The dev server (Turbopack) bundles the worker its own way; the issue saw it fail there too.
    name: 'next-dev',
    app: 'next-app',
    build: [],
    start: (port) => ['npx', 'next', 'dev', '-p', String(port), '-H', '127.0.0.1'],
    env: { NEXT_DIST_DIR: '.next-dev' },
    paths: ['/'],
    warm: ['/api/relay/sessions', '/persona/relay'],
  },
  {
    name: 'next-webpack',
    app: 'next-app',
    build: ['npx', 'next', 'build', '--webpack'],
    start: (port) => ['npx', 'next', 'start', '-p', String(port), '-H', '127.0.0.1'],
    env: { NEXT_DIST_DIR: '.next-webpack' },
    paths: ['/', '/wrapped'],
  },
];

const log = (message: string): void => {
  console.log(`[consumers +${String(Math.round((Date.now() - started) / 1000))}s] ${message}`);
};

function run(command: string[], cwd: string, env: Record<string, string> = {}): void {
  const [bin = '', ...args] = command;
  execFileSync(bin, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${String(child.exitCode)} before answering ${url}`);
    try {
      const answer = await fetch(url);
      if (answer.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${String(timeoutMs)} ms`);
}

/** Packs the kit once; the tarball is what `npm i relay-claim-kit` would fetch. */
function pack(): string {
  if (!existsSync(join(repo, 'dist', 'relay.worker.js'))) run(['npm', 'run', 'build'], repo);
  mkdirSync(work, { recursive: true });
  for (const old of readdirSync(work).filter((f) => f.endsWith('.tgz'))) rmSync(join(work, old));
  const out = execFileSync('npm', ['pack', '--pack-destination', work, '--ignore-scripts', '--silent'], { cwd: repo, encoding: 'utf8' }).trim().split('\n').at(-1) ?? '';
  return join(work, out);
}

/** A copy of the app with its dependencies (kept between runs while the lockfile is the same) and the tarball. */
function prepare(app: string, tarball: string): string {
  const source = join(here, app);
  const dir = join(work, app);
  mkdirSync(dir, { recursive: true });
  cpSync(source, dir, { recursive: true, filter: (src) => !/[/\\](node_modules|\.next[^/\\]*|dist)$/.test(src) });
  const lock = join(source, 'package-lock.json');
  const stamp = join(dir, 'node_modules', '.relay-consumer-stamp');
  if (existsSync(lock)) {
    const hash = createHash('sha256').update(readFileSync(lock)).update(readFileSync(join(source, 'package.json'))).digest('hex');
    if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== hash) {
      // npm install honours the committed lockfile; npm ci trips over platform-only optional dependencies
      // that npm leaves out of a lockfile written on Linux.
      log(`${app}: npm install (lockfile changed or first run)`);
      run(['npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
      writeFileSync(stamp, hash);
    }
  } else {
    // First run after adding an app: resolve once and commit the lockfile it writes back.
    log(`${app}: npm install (no lockfile yet; writing e2e/consumers/${app}/package-lock.json)`);
    run(['npm', 'install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    cpSync(join(dir, 'package-lock.json'), lock);
  }
  log(`${app}: npm install ${tarball.split('/').at(-1) ?? ''}`);
  run(['npm', 'install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', tarball], dir);
  return dir;
}

function gzipKb(file: string): number {
  return Math.round((gzipSync(readFileSync(file), { level: 9 }).length / 1024) * 100) / 100;
}

/** The kit's share of the Vite app's main JS: the same app built with the kit in a chunk of its own. */
function measureVite(dir: string): { kitMain: number; worker: number; appMain: number } {
  run(['npx', 'vite', 'build', '--outDir', 'dist-measure', '--logLevel', 'warn'], dir, { RELAY_MEASURE: '1' });
  const assets = join(dir, 'dist-measure', 'assets');
  const files = readdirSync(assets);
  const kit = files.find((f) => f.startsWith('relay-claim-kit-') && f.endsWith('.js'));
  const worker = files.find((f) => f.startsWith('relay.worker-') && f.endsWith('.js'));
  const mainAssets = join(dir, 'dist', 'assets');
  const main = readdirSync(mainAssets).find((f) => f.startsWith('index-') && f.endsWith('.js'));
  if (!kit || !worker || !main) throw new Error(`size measurement: kit chunk ${String(kit)}, worker ${String(worker)}, main ${String(main)}`);
  return { kitMain: gzipKb(join(assets, kit)), worker: gzipKb(join(assets, worker)), appMain: gzipKb(join(mainAssets, main)) };
}

async function check(consumer: Consumer, dir: string): Promise<void> {
  if (consumer.build.length > 0) {
    log(`${consumer.name}: ${consumer.build.join(' ')}`);
    run(consumer.build, dir, { ...consumer.env, NEXT_TELEMETRY_DISABLED: '1' });
  }
  const port = await freePort();
  const [bin = '', ...args] = consumer.start(port);
  // Its own process group: npx and next start fork, and the whole tree must stop with the check.
  const child = spawn(bin, args, { cwd: dir, env: { ...process.env, ...consumer.env, PORT: String(port), NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  try {
    await waitFor(`http://127.0.0.1:${String(port)}/`, child, consumer.build.length > 0 ? 60_000 : 180_000);
    for (const route of consumer.warm ?? []) await fetch(`http://127.0.0.1:${String(port)}${route}`).catch(() => undefined);
    log(`${consumer.name}: playwright on http://127.0.0.1:${String(port)} (${consumer.paths.join(', ')})`);
    run(['npx', 'playwright', 'test', '--config', join(here, 'playwright.config.ts')], repo, {
      CONSUMER_URL: `http://127.0.0.1:${String(port)}`,
      CONSUMER_NAME: consumer.name,
      CONSUMER_PATHS: consumer.paths.join(','),
    });
  } catch (error) {
    console.error(`--- ${consumer.name} server output ---\n${output}`);
    throw error;
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  }
}

const only = process.env.CONSUMERS?.split(',').filter(Boolean);
const selected = consumers.filter((c) => !only || only.includes(c.name));
const tarball = pack();
log(`packed ${tarball}`);
const prepared = new Map<string, string>();
const sizes: string[] = [];
for (const consumer of selected) {
  const dir = prepared.get(consumer.app) ?? prepare(consumer.app, tarball);
  prepared.set(consumer.app, dir);
  await check(consumer, dir);
  if (consumer.name === 'vite-express') {
    const s = measureVite(dir);
    sizes.push(`vite-express: kit's share of the main JS ${String(s.kitMain)} kB gzip (target ≤ 8), worker asset ${String(s.worker)} kB gzip (target ≤ 3.5); app main chunk ${String(s.appMain)} kB gzip with React`);
  }
}
for (const line of sizes) log(line);
log(`all consumers passed: ${selected.map((c) => c.name).join(', ')}`);
