import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const cli = new URL('./cli.ts', import.meta.url).pathname;

/** Starts the CLI on a free port and resolves with its URL once it prints it. */
async function startCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /on (http:\/\/\S+?) \(/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', () => {
      reject(new Error(`cli exited: ${output}`));
    });
  });
  return { child, url, output: () => output };
}

describe('relay-emulator CLI', () => {
  it('--help names --protocol and its two profiles', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, '--help']);
    expect(stdout).toMatch(/--protocol persona\|rfc9578/);
  });

  it('speaks Persona\'s protocol by default: create-relay needs no API key and answers 200 in kebab case', async () => {
    const { child, url } = await startCli([]);
    try {
      const res = await fetch(`${url}/api/privacy/v1/relays`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ claimType: 'age_over18_germany', encryptionKeyPem: null }),
      });
      expect(res.status).toBe(200);
      expect(Object.keys((await res.json()) as object).sort()).toEqual(['relay-secret', 'relay-session-access-token', 'relay-token']);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('refuses an unknown --protocol with exit code 2', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', cli, '--protocol', 'rfc9999', '--port', '0']);
    await expect(run).rejects.toMatchObject({ code: 2 });
  });

  it('starts on the given port with control, serves the API and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--protocol', 'rfc9578', '--port', '0', '--control', '--api-key', 'sk_test_cli'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /on (http:\/\/\S+?) \(/.exec(output);
          if (match?.[1]) resolve(match[1]);
        });
        child.once('exit', () => {
          reject(new Error(`cli exited: ${output}`));
        });
      });
      expect(output).not.toContain('sk_test_cli');
      const res = await fetch(`${url}/api/v1/relays`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_cli', 'content-type': 'application/json' },
        body: JSON.stringify({ 'claim-type': 'age_over_18_germany', 'encryption-key-pem': null }),
      });
      expect(res.status).toBe(201);
      expect((await fetch(`${url}/__emulator/log`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    expect(child.exitCode).toBe(0);
  });
});
