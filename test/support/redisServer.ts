import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.ts';

/** A real `redis-server` child process owned by a test; `url` stays the same across restarts. */
export interface RedisServerHandle {
  url: string;
  port: number;
  /** SIGKILL, as a crash would: clients see their connections reset; in-memory data is lost. */
  kill(): Promise<void>;
  /** Starts a fresh server on the same port (empty, since nothing is persisted). */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its data and sockets but answers nothing, like a hung host. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** Stops the server and removes its temp dir. */
  stop(): Promise<void>;
}

/** Options of `startRedisServer`. */
export interface StartRedisServerOptions {
  /** Defaults to `/usr/bin/redis-server` or `REDIS_SERVER_BIN`. */
  binary?: string;
  /** How long to wait for PONG. */
  startTimeoutMs?: number;
}

/** Starts `redis-server` on a free loopback port with a temp dir and no persistence, and waits for PONG. */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = options.binary ?? process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'relay-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
    const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<never>((_, reject) => {
      proc.once('exit', (code) => {
        reject(new Error(`redis-server exited early (code ${String(code)}): ${stderr.slice(0, 500)}`));
      });
      proc.once('error', reject);
    });
    exited.catch(() => undefined);
    await Promise.race([waitForPong(port, startTimeoutMs), exited]);
  };

  const killChild = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => { resolve(); }));
    proc.kill('SIGCONT');
    proc.kill(signal);
    await gone;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${String(port)}`,
    port,
    kill: () => killChild('SIGKILL'),
    restart: async () => {
      await killChild('SIGKILL');
      await launch();
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: async () => {
      await killChild('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}


async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${String(port)} gave no PONG within ${String(timeoutMs)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => { done(false); });
    socket.once('error', () => { done(false); });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
