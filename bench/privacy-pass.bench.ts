/**
 * The client side of one issuance (beginIssuance + finalize, which verifies), ours at 2048 and 4096
 * bits against @cloudflare/privacypass-ts at 2048. The issuer's signature is made outside the timing.
 */
import { constants, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { TokenChallenge, publicVerif } from '@cloudflare/privacypass-ts';
import { beginIssuance, encodeTokenChallenge } from '../src/privacy-pass/index.ts';
import { fixed, summarize } from './stats.ts';

const challenge = encodeTokenChallenge({ tokenType: 2, issuerName: 'issuer.example', redemptionContext: new Uint8Array(0), originInfo: [] });

function rsaIssuer(bits: number): { tokenKey: Uint8Array; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { tokenKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), privateKey };
}

async function ours(bits: number, iterations: number): Promise<number[]> {
  const { tokenKey, privateKey } = rsaIssuer(bits);
  const times: number[] = [];
  for (let i = 0; i < iterations + 20; i += 1) {
    const t0 = performance.now();
    const pending = await beginIssuance({ challenge, tokenKey });
    const t1 = performance.now();
    const response = new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, pending.tokenRequest.subarray(3)));
    const t2 = performance.now();
    await pending.finalize(response);
    const t3 = performance.now();
    if (i >= 20) times.push(t1 - t0 + (t3 - t2));
  }
  return times;
}

async function cloudflare(iterations: number): Promise<number[]> {
  const { BlindRSAMode, Client, Issuer, getPublicKeyBytes } = publicVerif;
  const keys = await Issuer.generateKey(BlindRSAMode.PSS, { modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) });
  const issuer = new Issuer(BlindRSAMode.PSS, 'issuer.example', keys.privateKey, keys.publicKey);
  const tokenKey = await getPublicKeyBytes(keys.publicKey);
  const theirChallenge = new TokenChallenge(2, 'issuer.example', new Uint8Array(0));
  const times: number[] = [];
  for (let i = 0; i < iterations + 5; i += 1) {
    const client = new Client(BlindRSAMode.PSS);
    const t0 = performance.now();
    const request = await client.createTokenRequest(theirChallenge, tokenKey);
    const t1 = performance.now();
    const response = await issuer.issue(request);
    const t2 = performance.now();
    await client.finalize(response);
    const t3 = performance.now();
    if (i >= 5) times.push(t1 - t0 + (t3 - t2));
  }
  return times;
}

const rows = [
  { name: 'relay-claim-kit, 2048-bit', ...summarize(await ours(2048, 300)) },
  { name: 'relay-claim-kit, 4096-bit', ...summarize(await ours(4096, 100)) },
  { name: '@cloudflare/privacypass-ts 0.9, 2048-bit', ...summarize(await cloudflare(200)) },
];
const base = rows[0]!.median;
console.log('| client side of one issuance | runs | median ms | p95 ms | vs ours 2048 |');
console.log('|---|---:|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.name} | ${row.n} | ${fixed(row.median)} | ${fixed(row.p95)} | ${fixed(row.median / base, 1)}× |`);
// Medians move with whatever else the machine runs; the load says how far to trust them.
console.log(`\n${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end.`);
