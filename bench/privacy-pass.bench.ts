/**
 * The client side of one issuance (begin + finalize, which verifies the signature), for both wire
 * profiles at 2048 and 4096 bits, beside @cloudflare/blindrsa-ts (blind + finalize over a 98-byte
 * token input, no prepare: what Persona's docs suggest) and @cloudflare/privacypass-ts (RFC 9578).
 * The issuer's signature is made outside the timing. Contenders take turns in short rounds, so a
 * burst of load on this shared machine falls on all of them alike rather than on one.
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

/** One timed issuance: the client's wall-clock and CPU milliseconds, the issuer's signature excluded. */
type Run = () => Promise<Timing>;

interface Timing {
  wall: number;
  cpu: number;
}

// CPU time of the whole process (the main thread and the threads WebCrypto hashes on): unlike the wall
// clock, it does not count the time a loaded machine keeps this process waiting for a core.
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Times `client` steps around an issuer step that is not counted. */
async function timed<T>(begin: () => Promise<T>, issuer: (pending: T) => Promise<Uint8Array> | Uint8Array, finish: (pending: T, signature: Uint8Array) => Promise<unknown>): Promise<Timing> {
  const [w0, c0] = [performance.now(), cpuNow()];
  const pending = await begin();
  const [w1, c1] = [performance.now(), cpuNow()];
  const signature = await issuer(pending);
  const [w2, c2] = [performance.now(), cpuNow()];
  await finish(pending, signature);
  return { wall: w1 - w0 + (performance.now() - w2), cpu: c1 - c0 + (cpuNow() - c2) };
}

function persona(issuer: Issuer): Run {
  return () =>
    timed(
      () => beginPersonaIssuance({ challenge: personaChallenge, tokenKey: issuer.tokenKey, tokenKeyId: issuer.tokenKeyId }),
      (pending) => issuer.sign(pending.blindedToken),
      (pending, blindSig) => pending.finalize(blindSig),
    );
}

function rfc(issuer: Issuer): Run {
  return () =>
    timed(
      () => beginIssuance({ challenge: rfcChallenge, tokenKey: issuer.tokenKey }),
      (pending) => issuer.sign(pending.tokenRequest.subarray(3)),
      (pending, response) => pending.finalize(response),
    );
}

async function blindRsaTs(bits: number): Promise<Run> {
  const suite = RSABSSA.SHA384.PSS.Randomized();
  const keys = await RSABSSA.SHA384.generateKey({ modulusLength: bits, publicExponent: Uint8Array.of(1, 0, 1) });
  const tokenInput = new Uint8Array(98).fill(2);
  return () =>
    timed(
      () => suite.blind(keys.publicKey, tokenInput),
      ({ blindedMsg }) => suite.blindSign(keys.privateKey, blindedMsg),
      ({ inv }, blindSig) => suite.finalize(keys.publicKey, tokenInput, blindSig, inv),
    );
}

async function privacyPassTs(): Promise<Run> {
  const { BlindRSAMode, Client, Issuer } = publicVerif;
  const keys = await Issuer.generateKey(BlindRSAMode.PSS, { modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) });
  const issuer = new Issuer(BlindRSAMode.PSS, 'issuer.example', keys.privateKey, keys.publicKey);
  const tokenKey = await publicVerif.getPublicKeyBytes(keys.publicKey);
  const challenge = new TokenChallenge(2, 'issuer.example', new Uint8Array(0));
  return async () => {
    const client = new Client(BlindRSAMode.PSS);
    let response: Awaited<ReturnType<typeof issuer.issue>> | undefined;
    return timed(
      () => client.createTokenRequest(challenge, tokenKey),
      async (request) => {
        response = await issuer.issue(request);
        return new Uint8Array(0);
      },
      () => (response ? client.finalize(response) : Promise.reject(new Error('no response'))),
    );
  };
}

interface Contender {
  name: string;
  run: Run;
  perRound: number;
  samples: Timing[];
}

const [issuer2048, issuer4096] = [rsaIssuer(2048), rsaIssuer(4096)];
const ours: Contender[] = [
  { name: 'relay-claim-kit persona, 2048-bit', run: persona(issuer2048), perRound: 10, samples: [] },
  { name: 'relay-claim-kit rfc9578, 2048-bit', run: rfc(issuer2048), perRound: 10, samples: [] },
  { name: 'relay-claim-kit persona, 4096-bit', run: persona(issuer4096), perRound: 4, samples: [] },
  { name: 'relay-claim-kit rfc9578, 4096-bit', run: rfc(issuer4096), perRound: 4, samples: [] },
];
const theirs: Contender[] = [
  { name: '@cloudflare/blindrsa-ts 0.4, 2048-bit', run: await blindRsaTs(2048), perRound: 1, samples: [] },
  { name: '@cloudflare/privacypass-ts 0.9, 2048-bit', run: await privacyPassTs(), perRound: 1, samples: [] },
];

// Within a group the contenders take turns, in a new order each round. The groups run apart: the
// others' bignum code leaves garbage whose collection would otherwise land on ours.
async function race(group: Contender[], rounds: number): Promise<void> {
  for (let round = -2; round < rounds; round += 1) {
    for (const contender of [...group].sort(() => Math.random() - 0.5)) {
      for (let i = 0; i < contender.perRound; i += 1) {
        const timing = await contender.run();
        // The first two rounds warm the JIT and are not counted.
        if (round >= 0) contender.samples.push(timing);
      }
    }
  }
}

const rounds = Number(process.env.ROUNDS ?? 60);
await race(ours, rounds);
await race(theirs, rounds);
const contenders = [...ours, ...theirs];

const rows = contenders.map(({ name, samples }) => ({ name, wall: summarize(samples.map((t) => t.wall)), cpu: summarize(samples.map((t) => t.cpu)) }));
const reference = rows.find((row) => row.name.startsWith('@cloudflare/privacypass-ts'));
console.log('| client side of one issuance | runs | median ms | p95 ms | privacypass-ts ÷ this | CPU median ms | CPU ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const { name, wall, cpu } of rows) {
  const ratio = (mine: number, their = Number.NaN): string => `${fixed(their / mine, 1)}×`;
  console.log(`| ${name} | ${wall.n} | ${fixed(wall.median, 3)} | ${fixed(wall.p95, 3)} | ${ratio(wall.median, reference?.wall.median)} | ${fixed(cpu.median, 3)} | ${ratio(cpu.median, reference?.cpu.median)} |`);
}
// Medians move with whatever else the machine runs; the load says how far to trust them.
console.log(`\n${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end.`);
