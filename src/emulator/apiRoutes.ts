import { createPublicKey, type KeyObject } from 'node:crypto';
import { EmulatorApiError } from './apiError.ts';
import { claimAvailable, claimFor } from './claimPayload.ts';
import { issuerName, type EmulatorContext } from './context.ts';
import { readField } from './inflection.ts';
import { readBody, readJsonObject } from './readBody.ts';
import type { RouteResult } from './routeResult.ts';
import { blindSign } from './blindSign.ts';
import { encodeIssuerChallenge, sha256, splitToken, splitTokenRequest, tokenTypeBlindRsa, verifyTokenSignature } from './tokenWire.ts';

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const paddedB64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The body's `claim-type` (any casing): 400 when missing, 422 when this emulator has no such type. */
export function claimTypeOf(ctx: EmulatorContext, body: Record<string, unknown>): string {
  const claimType = readField(body, 'claim-type');
  if (typeof claimType !== 'string' || claimType === '') throw new EmulatorApiError(400, 'claim-type is required.');
  if (!Object.hasOwn(ctx.claimTypes, claimType)) throw new EmulatorApiError(422, `claim-type '${claimType.slice(0, 64)}' is not enabled.`);
  return claimType;
}

/** `encryption-key-pem`: null (or absent), or an RSA public key of 2048–4096 bits (else 422 with the reason). */
export function parseEncryptionKey(pem: unknown): KeyObject | null {
  if (pem === null || pem === undefined) return null;
  if (typeof pem !== 'string') throw new EmulatorApiError(422, 'encryption-key-pem must be a PEM string or null.');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new EmulatorApiError(422, 'encryption-key-pem is not a PEM-encoded public key.');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new EmulatorApiError(422, 'encryption-key-pem must be an RSA key.');
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048 || bits > 4096) throw new EmulatorApiError(422, `encryption-key-pem must be 2048 to 4096 bits, got ${bits}.`);
  return key;
}

/** POST /relays */
export async function createRelay(ctx: EmulatorContext, req: Request): Promise<RouteResult> {
  const body = await readJsonObject(req);
  const claimType = claimTypeOf(ctx, body);
  const pem = readField(body, 'encryption-key-pem');
  if (pem === undefined) throw new EmulatorApiError(400, 'encryption-key-pem is required (null for unencrypted payloads).');
  const encryptionKey = parseEncryptionKey(pem);
  const relay = ctx.relays.create(claimType, encryptionKey);
  const sessionToken = await ctx.sessions.sign({ relayToken: relay.relayToken, claimType });
  return {
    status: 201,
    body: { 'relay-token': relay.relayToken, 'relay-secret': relay.relaySecret, 'relay-session-access-token': sessionToken },
  };
}

/** The challenge materials of a claim type; remembers the challenge so generate-claim can check it. */
export async function challengeFor(ctx: EmulatorContext, claimType: string, requestUrl: URL) {
  const key = await ctx.keyring.get(claimType);
  const challenge = encodeIssuerChallenge(issuerName(ctx, requestUrl));
  let issued = ctx.issuedChallenges.get(claimType);
  if (!issued) {
    issued = new Set();
    ctx.issuedChallenges.set(claimType, issued);
  }
  issued.add(hex(sha256(challenge)));
  return { challenge, key };
}

/** POST /relays/challenge */
export async function requestChallenge(ctx: EmulatorContext, req: Request, url: URL): Promise<RouteResult> {
  const claimType = claimTypeOf(ctx, await readJsonObject(req));
  const { challenge, key } = await challengeFor(ctx, claimType, url);
  return { status: 200, body: { challenge: b64url(challenge), 'token-key': b64url(key.tokenKey), 'token-key-id': hex(key.tokenKeyId) } };
}

/** POST /token-request: RFC 9578 §6.2 issuance, binary in and out. */
export async function issueToken(ctx: EmulatorContext, req: Request): Promise<RouteResult> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/private-token-request') {
    throw new EmulatorApiError(415, 'Content-Type must be application/private-token-request.');
  }
  const bytes = await readBody(req);
  let request;
  try {
    request = splitTokenRequest(bytes);
  } catch {
    throw new EmulatorApiError(400, 'The body is not a TokenRequest.');
  }
  if (request.tokenType !== tokenTypeBlindRsa) throw new EmulatorApiError(400, 'Unsupported token type.');
  const key = ctx.keyring.byTruncatedId(request.truncatedTokenKeyId);
  if (!key) throw new EmulatorApiError(400, 'No issuer key matches truncated_token_key_id; request a challenge first.');
  let signature: Uint8Array;
  try {
    signature = blindSign(key, request.blindedMessage);
  } catch {
    throw new EmulatorApiError(400, 'blinded_msg does not fit the issuer key.');
  }
  return { status: 200, binary: signature, contentType: 'application/private-token-response' };
}

/** The PrivateToken credential of an Authorization header (which may also carry a Bearer key), or undefined. */
export function tokenFrom(header: string | null): Uint8Array | undefined {
  if (!header) return undefined;
  const match = /(?:^|,)\s*PrivateToken\s+token="?([A-Za-z0-9_\-+/]+=*)"?\s*(?:,|$)/i.exec(header);
  const value = match?.[1];
  if (value === undefined) return undefined;
  return new Uint8Array(Buffer.from(value.replaceAll('+', '-').replaceAll('/', '_'), 'base64url'));
}

async function unauthorizedWithChallenge(ctx: EmulatorContext, claimType: string, url: URL, detail: string): Promise<never> {
  const { challenge, key } = await challengeFor(ctx, claimType, url);
  throw new EmulatorApiError(401, detail, {
    // Padded base64url, as in RFC 9577's header vectors: some parsers (Cloudflare's) insist on it.
    'WWW-Authenticate': `PrivateToken challenge="${paddedB64url(challenge)}", token-key="${paddedB64url(key.tokenKey)}"`,
  });
}

/** Checks a token against the claim type's key and the challenges issued for it (RFC 9577 §2.2). */
async function checkToken(ctx: EmulatorContext, claimType: string, token: Uint8Array): Promise<boolean> {
  let parts;
  try {
    parts = splitToken(token);
  } catch {
    return false;
  }
  if (parts.tokenType !== tokenTypeBlindRsa) return false;
  const key = await ctx.keyring.get(claimType);
  if (hex(parts.tokenKeyId) !== hex(key.tokenKeyId)) return false;
  if (!ctx.issuedChallenges.get(claimType)?.has(hex(parts.challengeDigest))) return false;
  return await verifyTokenSignature(token, key);
}

/** POST /relays/{relay-token}/generate-claim (the caller serialises per Idempotency-Key). */
export async function generateClaim(ctx: EmulatorContext, req: Request, url: URL, relayToken: string): Promise<RouteResult> {
  await readBody(req);
  const secret = req.headers.get('persona-relay-secret');
  if (!ctx.relays.get(relayToken)) throw new EmulatorApiError(404, 'No relay with this token.');
  const relay = secret === null ? undefined : ctx.relays.getWithSecret(relayToken, secret);
  if (!relay) throw new EmulatorApiError(404, 'No relay with this token and secret.');

  const token = tokenFrom(req.headers.get('authorization'));
  if (!token) return unauthorizedWithChallenge(ctx, relay.claimType, url, 'A Privacy Pass token is required.');
  if (!(await checkToken(ctx, relay.claimType, token))) {
    return unauthorizedWithChallenge(ctx, relay.claimType, url, 'The Privacy Pass token is not valid for this claim type.');
  }
  const tokenHex = hex(token);
  if (ctx.spentTokens.has(tokenHex)) return unauthorizedWithChallenge(ctx, relay.claimType, url, 'The Privacy Pass token was already spent.');
  if (!claimAvailable(relay)) throw new EmulatorApiError(403, 'Claim not yet available: the inquiry is not finished.');

  const { passed, payload } = claimFor(ctx, relay);
  // A claim that did not pass refunds the token: it stays spendable (token-consumed: false).
  if (passed) ctx.spentTokens.add(tokenHex);
  return { status: 200, body: { 'claim-payload': payload, 'token-consumed': passed }, tokenConsumed: passed };
}
