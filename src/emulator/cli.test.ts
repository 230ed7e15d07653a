import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

describe('relay-emulator CLI', () => {
  it('starts on the given port with control, serves the API and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./cli.ts', import.meta.url).pathname, '--port', '0', '--control', '--api-key', 'sk_test_cli'], {
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
