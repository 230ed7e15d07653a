import { spawn } from 'node:child_process';
import { freePort } from '../test/support/freePort.ts';

/**
 * Starts e2e/server.ts (Vite + handler + emulator) in its own process, for the browser benchmarks;
 * `build`: the demo as a production build on Vite's preview server.
 */
export async function startFixtureServer(port: number, { build = false }: { build?: boolean } = {}): Promise<{ stop: () => void }> {
  const root = new URL('../', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', 'e2e/server.ts', '--port', String(port), ...(build ? ['--build'] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('the fixture server did not start within 60 s'));
    }, 60_000);
    child.once('exit', (code) => {
      reject(new Error(`the fixture server exited with ${String(code)}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('fixture server on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}

export { freePort };
