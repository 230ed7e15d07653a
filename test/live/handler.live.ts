/**
 * The app-backend handler end to end against Persona itself (PROTOCOL.md §2, §5, §7): create a relay,
 * get the challenge, issue a pass, redeem it and read the claim, through the handler's own routes over
 * real HTTP. Meant for a sandbox key (`persona_sandbox_…`), where every claim passes without a person
 * (§7). `PERSONA_API_KEY=… npm run test:live`; optional `PERSONA_API_BASE_URL`, `PERSONA_CLAIM_TYPE`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelayHandler, type RelayHandler } from '../../src/server/index.ts';
import { BrowserDriver, serveHandler, type ServedHandler } from '../support/relayDriver.ts';

const apiKey = process.env.PERSONA_API_KEY ?? '';
const personaBaseUrl = process.env.PERSONA_API_BASE_URL ?? 'https://api.withpersona.com';
const claimType = process.env.PERSONA_CLAIM_TYPE ?? 'age_over18_germany';

if (apiKey === '') console.log('test:live skipped: set PERSONA_API_KEY (a persona_sandbox_… key) to run the handler against Persona');

describe.skipIf(apiKey === '')(`the handler against Persona at ${personaBaseUrl} (${claimType})`, () => {
  let handler: RelayHandler | undefined;
  let served: ServedHandler | undefined;

  afterEach(async () => {
    await served?.close();
    await handler?.close();
  });

  async function runFlow(encryptionKey?: string): Promise<void> {
    const lines: string[] = [];
    handler = createRelayHandler({
      apiKey,
      personaBaseUrl,
      claimTypes: [claimType],
      ...(encryptionKey ? { encryptionKey } : {}),
      requestTimeoutMs: 20_000,
      retry: { deadlineMs: 60_000 },
      logger: { warn: (message, meta) => lines.push(message + JSON.stringify(meta ?? {})) },
    });
    served = await serveHandler(handler);
    const browser = new BrowserDriver(`${served.url}/api/relay`, new Set([429, 502, 503, 504]), 5);
    const { sessionId } = await browser.createSession(claimType);
    const token = await browser.obtainToken(sessionId);
    expect((await browser.redeem(sessionId, token)).status).toBe(202);
    const state = await browser.pollUntilSettled(sessionId, 90_000);
    expect(state, `server log:\n${lines.join('\n')}`).toMatchObject({ status: 'passed', claim: { claimResult: 'passed' } });
    const view = await handler.getSession(sessionId);
    expect(view?.requestId).toMatch(/^req_/);
    // The log carries Persona's words for any refusal, never the key.
    expect(lines.join('\n')).not.toContain(apiKey);
  }

  it('passes a plaintext claim', () => runFlow());

  it('passes an RSA-OAEP encrypted claim (2048-bit key)', () =>
    runFlow(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string));
});
