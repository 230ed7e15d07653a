import { base64urlDecode, base64urlEncode, bytesToHex, tokenKeyId } from '../src/privacy-pass/index.ts';
import { parseCreateSessionBody, parseIssueBody, parseRedeemBody } from '../src/wire/bodies.ts';
import { matchRelayRoute, relayRoutes } from '../src/wire/routes.ts';
import type { ChallengeMaterials, MethodologyCalculation, RelaySessionState } from '../src/wire/types.ts';

/** How the fake session ends, and where a story wants it to stop. */
export interface FakeScenario {
  /** Hold `POST /sessions` open forever: the creating view. */
  holdCreate?: boolean;
  /** Hand out a session that has already expired. */
  expired?: boolean;
  /** Answer `POST /sessions` with this error (status, Request-Id). */
  createError?: { status: number; title: string; requestId: string };
  /** What `GET /sessions/:id` answers after the redeem; `redeeming` keeps the verifying view. */
  outcome?: { status: 'redeeming' } | { status: 'passed' | 'failed'; methodology?: MethodologyCalculation[] };
}

interface IssuerKey {
  tokenKey: Uint8Array;
  tokenKeyIdHex: string;
  n: bigint;
  d: bigint;
}

let issuerKey: Promise<IssuerKey> | undefined;

function jwkBigInt(value: string | undefined): bigint {
  if (!value) throw new TypeError('the generated key has no RSA parameters');
  return BigInt(`0x${bytesToHex(base64urlDecode(value))}`);
}

/** One RSA-PSS issuer key per page: made once, so every story signs real, verifiable tokens. */
function loadIssuerKey(): Promise<IssuerKey> {
  issuerKey ??= (async () => {
    const pair = await crypto.subtle.generateKey(
      { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-384' },
      true,
      ['sign', 'verify'],
    );
    const tokenKey = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    return { tokenKey, tokenKeyIdHex: bytesToHex(await tokenKeyId(tokenKey)), n: jwkBigInt(jwk.n), d: jwkBigInt(jwk.d) };
  })();
  return issuerKey;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** RFC 9474 §4.3 BlindSign without the hardening a real issuer needs: this key signs only story tokens. */
async function blindSign(blindedToken: Uint8Array): Promise<Uint8Array> {
  const key = await loadIssuerKey();
  const signature = modPow(BigInt(`0x${bytesToHex(blindedToken)}`), key.d, key.n);
  const hex = signature.toString(16).padStart(blindedToken.length * 2, '0');
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** A persona-profile challenge (PROTOCOL.md §3.2) naming Persona's issuer, so the kit's default issuer check passes. */
async function personaChallenge(): Promise<ChallengeMaterials> {
  const key = await loadIssuerKey();
  const hour = 3_600_000;
  const json = {
    token_type: 2,
    issuer_name: 'withpersona.com/api/v1/privacy-passes',
    origin_info: '/api/privacy/v1/relays',
    expires_at: new Date((Math.floor(Date.now() / hour) + 2) * hour).toISOString().replace('.000Z', 'Z'),
    // Persona's MAC is an HMAC only it can check; nothing here redeems, so any 64 hex digits do.
    mac: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
  };
  return {
    protocol: 'persona',
    challenge: base64urlEncode(new TextEncoder().encode(JSON.stringify(json))),
    tokenKey: base64urlEncode(key.tokenKey),
    tokenKeyId: key.tokenKeyIdHex,
  };
}

function readJson(init: RequestInit | undefined): unknown {
  try {
    return JSON.parse(bodyText(init));
  } catch {
    return undefined;
  }
}

function bodyText(init: RequestInit | undefined): string {
  return typeof init?.body === 'string' ? init.body : '{}';
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A session access token shaped like the real one (a JWT), naming nothing real. */
function fakeSessionAccessToken(sessionId: string): string {
  const part = (value: unknown) => base64urlEncode(new TextEncoder().encode(JSON.stringify(value)));
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sid: sessionId })}.story`;
}

/**
 * A deterministic app backend for stories, answering the wire contract's routes (src/wire) in the
 * persona profile: pass it as `RelayProvider`'s `fetch`. Challenge and issue use real Privacy Pass crypto.
 */
export function createFakeBackend(scenario: FakeScenario): typeof fetch {
  let count = 0;
  const redeemed = new Set<string>();
  const claimTypes = new Map<string, string>();
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://story.invalid');
    const method = init?.method ?? 'GET';
    const route = matchRelayRoute(url.pathname.slice(Math.max(url.pathname.indexOf('/sessions'), 0)));
    if (!route) return json(404, { errors: [{ status: '404', title: 'Not Found' }] });
    const { method: allowed } = relayRoutes[route.name];
    if (method !== allowed) return json(405, { errors: [{ status: '405', title: 'Method Not Allowed' }] }, { Allow: allowed });
    if (route.name === 'createSession') {
      if (scenario.holdCreate) return new Promise<Response>(() => undefined);
      if (scenario.createError) {
        const { status, title, requestId } = scenario.createError;
        return json(status, { errors: [{ status: String(status), title, requestId }] }, { 'Request-Id': requestId });
      }
      const body = parseCreateSessionBody(readJson(init));
      if (!body.ok) return json(400, { errors: [{ status: '400', title: 'Bad Request', detail: body.problem }] });
      count += 1;
      const id = `story-session-${String(count)}`;
      claimTypes.set(id, body.value.claimType);
      const expiresAt = new Date(Date.now() + (scenario.expired ? -60_000 : 30 * 60_000)).toISOString();
      return json(201, { sessionId: id, sessionAccessToken: fakeSessionAccessToken(id), expiresAt });
    }
    const { sessionId } = route;
    switch (route.name) {
      case 'challenge':
        return json(200, await personaChallenge());
      case 'issue': {
        const body = parseIssueBody(readJson(init));
        if (!body.ok) return json(400, { errors: [{ status: '400', title: 'Bad Request', detail: body.problem }] });
        return json(200, { tokenResponse: base64urlEncode(await blindSign(base64urlDecode(body.value.tokenRequest))) });
      }
      case 'submitToken':
      case 'cancel':
        return new Response(null, { status: 204 });
      case 'redeem': {
        const body = parseRedeemBody(readJson(init));
        if (!body.ok) return json(400, { errors: [{ status: '400', title: 'Bad Request', detail: body.problem }] });
        redeemed.add(sessionId);
        return json(202, { status: 'redeeming' });
      }
      case 'getSession': {
        const outcome = scenario.outcome ?? { status: 'redeeming' };
        if (!redeemed.has(sessionId) || outcome.status === 'redeeming') return json(200, { status: redeemed.has(sessionId) ? 'redeeming' : 'inquiry', pollAfterMs: 400 });
        const claim = { claimType: claimTypes.get(sessionId) ?? '', claimResult: outcome.status, ...(outcome.methodology ? { methodology: outcome.methodology } : {}) };
        return json(200, { status: outcome.status, claim } satisfies RelaySessionState);
      }
    }
  };
}
