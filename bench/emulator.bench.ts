/**
 * Emulator figures: issuer blind signatures per second (in-process, node:crypto CRT, with the
 * self-check), and generate-claim requests per second over loopback, each token verified.
 * Run: npx tsx bench/emulator.bench.ts   (or npm run bench -- emulator)
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { blindSign } from '../src/emulator/blindSign.ts';
import { startEmulator } from '../src/emulator/index.ts';
import { generateIssuerKey } from '../src/emulator/issuerKey.ts';
import { beginIssuance } from '../src/privacy-pass/index.ts';
import { api, apiKey, createRelay, generateClaim, issueTokenWithKit } from '../test/support/emulatorApi.ts';

const rows: string[][] = [];

async function signatures(bits: number, count: number): Promise<void> {
  const key = await generateIssuerKey(bits);
  // Random values below n: a zero top byte keeps them under any modulus of this length.
  const messages = Array.from({ length: 64 }, () => {
    const m = new Uint8Array(randomBytes(key.modulusBytes));
    m[0] = 0;
    return m;
  });
  for (let i = 0; i < 20; i += 1) blindSign(key, messages[i % messages.length]!);
  const start = performance.now();
  for (let i = 0; i < count; i += 1) blindSign(key, messages[i % messages.length]!);
  const seconds = (performance.now() - start) / 1000;
  rows.push([`issuer blind signature, RSA-${bits} (sign + verify)`, String(count), (count / seconds).toFixed(0), `${((seconds * 1000) / count).toFixed(3)} ms`]);
}

async function claims(total: number, concurrency: number): Promise<void> {
  const emulator = await startEmulator({ protocol: 'rfc9578', rateLimit: 1_000_000 });
  try {
    const claimType = 'age_over_18_germany';
    const tokens: Uint8Array[] = [];
    const relays: { relayToken: string; relaySecret: string }[] = [];
    for (let i = 0; i < total; i += 1) {
      const relay = await createRelay(emulator.url, claimType);
      emulator.control.finishInquiry(relay.relayToken, { status: 'completed' });
      relays.push(relay);
      tokens.push(await issueTokenWithKit(emulator.url, claimType));
    }
    let next = 0;
    let ok = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const i = next;
        next += 1;
        const res = await generateClaim(emulator.url, relays[i]!, tokens[i]);
        await res.arrayBuffer();
        if (res.status === 200) ok += 1;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - start) / 1000;
    if (ok !== total) throw new Error(`only ${ok} of ${total} claims answered 200`);
    rows.push([`generate-claim over loopback (distinct tokens, concurrency ${concurrency})`, String(total), (total / seconds).toFixed(0), `${((seconds * 1000) / total).toFixed(3)} ms`]);
  } finally {
    await emulator.close();
  }
}

/** POST /token-request over loopback: parse, pick the key, sign, self-check, answer (blinding done beforehand). */
async function issuance(total: number, concurrency: number): Promise<void> {
  const emulator = await startEmulator({ protocol: 'rfc9578', rateLimit: 1_000_000 });
  try {
    const res = await api(emulator.url, '/relays/challenge', { 'claim-type': 'age_over_18_germany' });
    const body = (await res.json()) as { challenge: string; 'token-key': string };
    const challenge = new Uint8Array(Buffer.from(body.challenge, 'base64url'));
    const tokenKey = new Uint8Array(Buffer.from(body['token-key'], 'base64url'));
    const pending = await Promise.all(Array.from({ length: total }, () => beginIssuance({ challenge, tokenKey })));
    const responses: Uint8Array[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const i = next;
        next += 1;
        const issued = await fetch(`${emulator.url}/api/v1/token-request`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/private-token-request' },
          body: new Uint8Array(pending[i]!.tokenRequest),
        });
        if (issued.status !== 200) throw new Error(`token-request answered ${issued.status}`);
        responses[i] = new Uint8Array(await issued.arrayBuffer());
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - start) / 1000;
    // Outside the timing: the answers really finalize into tokens.
    await pending[0]!.finalize(responses[0]!);
    rows.push([`POST /token-request over loopback, RSA-2048 (concurrency ${concurrency})`, String(total), (total / seconds).toFixed(0), `${((seconds * 1000) / total).toFixed(3)} ms`]);
  } finally {
    await emulator.close();
  }
}

await signatures(2048, 5000);
await signatures(4096, 500);
await issuance(500, 16);
await claims(500, 16);

console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`);
console.log('| measure | n | per second | per operation |');
console.log('|---|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
