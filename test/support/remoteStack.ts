import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FinishInquiry, EmulatorFaults } from '../../src/emulator/options.ts';

/** The emulator and handler in a child process, driven over HTTP (its control routes) from a jsdom test. */
export interface RemoteStack {
  baseUrl: string;
  emulatorUrl: string;
  relayTokenOf(sessionAccessToken: string): Promise<string>;
  finishInquiry(relayToken: string, outcome: FinishInquiry): Promise<void>;
  setFaults(faults: EmulatorFaults): Promise<void>;
  close(): Promise<void>;
}

/** Starts `stackProcess.ts` under tsx and waits for its URLs. */
export async function startRemoteStack(): Promise<RemoteStack> {
  // A string, not `new URL`: under jsdom the global URL is jsdom's, which node:url refuses.
  const script = join(dirname(fileURLToPath(import.meta.url)), 'stackProcess.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const urls = await new Promise<{ baseUrl: string; emulatorUrl: string }>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) resolve(JSON.parse(line) as { baseUrl: string; emulatorUrl: string });
    });
    child.once('exit', (code) => { reject(new Error(`the relay stack exited early (${String(code)})`)); });
  });
  const control = async (route: string, body: unknown) => {
    const response = await fetch(`${urls.emulatorUrl}/__emulator${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`control ${route}: HTTP ${String(response.status)}`);
  };
  return {
    ...urls,
    // The token is opaque; the emulator in the child answers which relay it stands for.
    async relayTokenOf(sessionAccessToken) {
      const response = await fetch(`${urls.emulatorUrl}/__emulator/sessions/relay-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sessionAccessToken }),
      });
      if (!response.ok) throw new Error(`control /sessions/relay-token: HTTP ${String(response.status)}`);
      const { relayToken } = (await response.json()) as { relayToken?: unknown };
      if (typeof relayToken !== 'string') throw new Error('the emulator named no relay for this session');
      return relayToken;
    },
    finishInquiry: (relayToken, outcome) => control(`/relays/${encodeURIComponent(relayToken)}/inquiry`, outcome),
    setFaults: (faults) => control('/faults', faults),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          resolve();
        });
        child.stdin.end();
      }),
  };
}
