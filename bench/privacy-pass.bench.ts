/**
 * The client side of one issuance (begin + finalize, which verifies the signature), for both wire
 * profiles at 2048 and 4096 bits, beside @cloudflare/blindrsa-ts (blind + finalize over a 98-byte
 * token input, no prepare: what Persona's docs suggest) and @cloudflare/privacypass-ts (RFC 9578).
 * The issuer's signature is made outside the timing. The contenders take turns in short rounds, so
 * a burst of load on this shared machine falls on all of them alike rather than on one.
 */
import { constants, createHash, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { TokenChallenge, publicVerif } from '@cloudflare/privacypass-ts';
import { beginIssuance, beginPersonaIssuance, encodeTokenChallenge } from '../src/privacy-pass/index.ts';
import { fixed, summarize } from './stats.ts';

const rfcChallenge = encodeTokenChallenge({ tokenType: 2, issuerName: 'issuer.example', redemptionContext: new Uint8Array(0), originInfo: [] });
const personaChallenge = Buffer.from(
  JSON.stringify({ token_type: 2, issuer_name: 'withpersona.com/api/v1/privacy-passes', origin_info: '/api/privacy/v1/relays', expires_at: '2099-01-01T00:00:00Z', mac: 'ab'.repeat(32) }),
).toString('base64url');

interface Issuer {
  tokenKey: Uint8Array;
  tokenKeyId: string;
  sign(blinded: Uint8Array): Uint8Array;
}

function rsaIssuer(bits: number): Issuer {
  const { publicKey, privateKey }: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync('rsa', { modulusLength: bits });
  const tokenKey = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return {
    tokenKey,
    tokenKeyId: createHash('sha256').update(tokenKey).digest('hex'),
    sign: (blinded) => new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, blinded)),
  };
}

/** One timed issuance: the client's milliseconds, the issuer's signature excluded. */
type Run = () => Promise<number>;

function persona(issuer: Issuer): Run {
  return async () => {
    const t0 = performance.now();
    const pending = await beginPersonaIssuance({ challenge: personaChallenge, tokenKey: issuer.tokenKey, tokenKeyId: issuer.tokenKeyId });
    const t1 = performance.now();
    const blindSig = issuer.sign(pending.blindedToken);
    const t2 = performance.now();
    await pending.finalize(blindSig);
    return t1 - t0 + (performance.now() - t2);
  };
}

function rfc(issuer: Issuer): Run {
  return async () => {
    const t0 = performance.now();
    const pending = await beginIssuance({ challenge: rfcChallenge, tokenKey: issuer.tokenKey });
    const t1 = performance.now();
    const response = issuer.sign(pending.tokenRequest.subarray(3));
    const t2 = performance.now();
    await pending.finalize(response);
    return t1 - t0 + (performance.now() - t2);
  };
}

async function blindRsaTs(bits: number): Promise<Run> {
  const suite = RSABSSA.SHA384.PSS.Randomized();
  const keys = await RSABSSA.SHA384.generateKey({ modulusLength: bits, publicExponent: Uint8Array.of(1, 0, 1) });
  const tokenInput = new Uint8Array(98).fill(2);
  return async () => {
    const t0 = performance.now();
    const { blindedMsg, inv } = await suite.blind(keys.publicKey, tokenInput);
    const t1 = performance.now();
    const blindSig = await suite.blindSign(keys.privateKey, blindedMsg);
    const t2 = performance.now();
    await suite.finalize(keys.publicKey, tokenInput, blindSig, inv);
    return t1 - t0 + (performance.now() - t2);
  };
}

async function privacyPassTs(): Promise<Run> {
  const { BlindRSAMode, Client, Issuer } = publicVerif;
  const keys = await Issuer.generateKey(BlindRSAMode.PSS, { modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) });
  const issuer = new Issuer(BlindRSAMode.PSS, 'issuer.example', keys.privateKey, keys.publicKey);
  const tokenKey = await publicVerif.getPublicKeyBytes(keys.publicKey);
  const challenge = new TokenChallenge(2, 'issuer.example', new Uint8Array(0));
  return async () => {
    const client = new Client(BlindRSAMode.PSS);
    const t0 = performance.now();
    const request = await client.createTokenRequest(challenge, tokenKey);
    const t1 = performance.now();
    const response = await issuer.issue(request);
    const t2 = performance.now();
    await client.finalize(response);
    return t1 - t0 + (performance.now() - t2);
  };
}

const [issuer2048, issuer4096] = [rsaIssuer(2048), rsaIssuer(4096)];
const contenders: { name: string; run: Run; perRound: number; samples: number[] }[] = [
  { name: 'relay-claim-kit persona, 2048-bit', run: persona(issuer2048), perRound: 10, samples: [] },
  { name: 'relay-claim-kit rfc9578, 2048-bit', run: rfc(issuer2048), perRound: 10, samples: [] },
  { name: 'relay-claim-kit persona, 4096-bit', run: persona(issuer4096), perRound: 4, samples: [] },
  { name: 'relay-claim-kit rfc9578, 4096-bit', run: rfc(issuer4096), perRound: 4, samples: [] },
  { name: '@cloudflare/blindrsa-ts 0.4, 2048-bit', run: await blindRsaTs(2048), perRound: 1, samples: [] },
  { name: '@cloudflare/privacypass-ts 0.9, 2048-bit', run: await privacyPassTs(), perRound: 1, samples: [] },
];

const rounds = Number(process.env.ROUNDS ?? 60);
for (let round = -2; round < rounds; round += 1) {
  for (const contender of contenders) {
    for (let i = 0; i < contender.perRound; i += 1) {
      const ms = await contender.run();
      // The first two rounds warm the JIT and are not counted.
      if (round >= 0) contender.samples.push(ms);
    }
  }
}

const rows = contenders.map(({ name, samples }) => ({ name, ...summarize(samples) }));
const theirs = rows.find((row) => row.name.startsWith('@cloudflare/privacypass-ts'))?.median ?? Number.NaN;
console.log('| client side of one issuance | runs | median ms | p95 ms | privacypass-ts ÷ this |');
console.log('|---|---:|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.name} | ${row.n} | ${fixed(row.median, 3)} | ${fixed(row.p95, 3)} | ${fixed(theirs / row.median, 1)}× |`);
// Medians move with whatever else the machine runs; the load says how far to trust them.
console.log(`\n${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end.`);
