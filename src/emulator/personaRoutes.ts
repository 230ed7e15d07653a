import { EmulatorApiError } from './apiError.ts';
import { claimTypeOf, parseEncryptionKey } from './apiRoutes.ts';
import { blindSign } from './blindSign.ts';
import { claimAvailable, claimFor } from './claimPayload.ts';
import type { EmulatorContext } from './context.ts';
import { readField } from './inflection.ts';
import type { RelayEnvironment } from './issuerKeyring.ts';
import { challengeMacValid, makePersonaChallenge, personaOriginInfo } from './personaChallenge.ts';
import { verifyPersonaToken } from '../privacy-pass/index.ts';
import { parsePersonaToken } from './personaToken.ts';
import { readBody, readJsonObject } from './readBody.ts';
import type { RelayRecord } from './relays.ts';
import type { RouteResult } from './routeResult.ts';

/** Persona's endpoints (PROTOCOL.md §2), as the `persona` profile serves them. */

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** The `sandbox` body flag of the unauthenticated calls (PROTOCOL.md §1, §2.1): true selects the sandbox. */
function environmentOf(body: Record<string, unknown>): RelayEnvironment {
  const sandbox = readField(body, 'sandbox');
  if (sandbox === undefined || sandbox === null || sandbox === false) return 'production';
  if (sandbox === true) return 'sandbox';
  throw new EmulatorApiError(400, 'sandbox must be a boolean.');
}

/** `issuer_name`: where the blinded token is posted, as Persona writes `withpersona.com/api/v1/privacy-passes`. */
function personaIssuerName(ctx: EmulatorContext, requestUrl: URL): string {
  const base = ctx.publicUrl ? `${ctx.publicUrl.host}${ctx.publicUrl.pathname.replace(/\/+$/, '')}` : `${requestUrl.host}${ctx.basePath}`;
  return `${base}/api/v1/privacy-passes`;
}

async function challengeMaterials(ctx: EmulatorContext, claimType: string, environment: RelayEnvironment, url: URL) {
  const key = await ctx.keyring.get(claimType, environment);
  const { encoded } = makePersonaChallenge(ctx.challengeSecret, personaIssuerName(ctx, url), ctx.now());
  return { challenge: encoded, tokenKey: b64url(key.personaTokenKey), tokenKeyId: key.personaTokenKeyId };
}

/** POST /api/privacy/v1/relays — no auth; 200 with the relay's three values (§2.1). */
export async function createPersonaRelay(ctx: EmulatorContext, req: Request): Promise<RouteResult> {
  const body = await readJsonObject(req);
  const claimType = claimTypeOf(ctx, body);
  // Optional in the newer renderings; the Go SDK sends null when it has no key (§10).
  const encryptionKey = parseEncryptionKey(readField(body, 'encryption-key-pem'));
  const relay = ctx.relays.create(claimType, encryptionKey, environmentOf(body));
  const sessionToken = await ctx.sessions.sign({ relayToken: relay.relayToken, claimType });
  return {
    status: 200,
    body: { 'relay-token': relay.relayToken, 'relay-secret': relay.relaySecret, 'relay-session-access-token': sessionToken },
  };
}

/** POST /api/privacy/v1/relays/challenge — no auth, bound to the claim type only (§2.2). */
export async function requestPersonaChallenge(ctx: EmulatorContext, req: Request, url: URL): Promise<RouteResult> {
  const body = await readJsonObject(req);
  const claimType = claimTypeOf(ctx, body);
  const m = await challengeMaterials(ctx, claimType, environmentOf(body), url);
  return { status: 200, body: { challenge: m.challenge, 'token-key': m.tokenKey, 'token-key-id': m.tokenKeyId } };
}

/** POST /api/v1/privacy-passes — Bearer key; signs a blinded token under the key `key-id` names, in the key's environment (§2.3). */
export async function issuePrivacyPass(ctx: EmulatorContext, req: Request, environment: RelayEnvironment): Promise<RouteResult> {
  const body = await readJsonObject(req);
  const blindedToken = readField(body, 'blinded-token');
  const keyId = readField(body, 'key-id');
  if (typeof blindedToken !== 'string' || blindedToken === '') throw new EmulatorApiError(400, 'blinded-token is required.');
  if (typeof keyId !== 'string' || keyId === '') throw new EmulatorApiError(400, 'key-id is required.');
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(blindedToken)) throw new EmulatorApiError(400, 'blinded-token must be base64url.');
  const entry = ctx.keyring.byPersonaKeyId(keyId);
  // Sandbox and production passes are separate scopes (§7): a key of the other environment is unknown here.
  if (entry?.owner.environment !== environment) {
    throw new EmulatorApiError(422, 'key-id names no issuer key of this environment; request a challenge first.');
  }
  let blindSig: Uint8Array;
  try {
    blindSig = blindSign(entry.key, new Uint8Array(Buffer.from(blindedToken, 'base64url')));
  } catch {
    throw new EmulatorApiError(422, 'blinded-token does not fit the issuer key (it must be modulus-length and below the modulus).');
  }
  return { status: 200, body: { 'blind-sig': b64url(blindSig) } };
}

/** The value after `PrivateToken token=` in an Authorization header, quoted or not. */
export function privateTokenValue(header: string | null): string | undefined {
  if (!header) return undefined;
  return /(?:^|,)\s*PrivateToken\s+token="?([A-Za-z0-9_\-+/]+=*)"?\s*(?:,|$)/i.exec(header)?.[1];
}

/** 401 with a fresh challenge for the relay's claim type, as RFC 9577 §2.1 and Persona's generation-A docs send it (§2.4′). */
async function refuse(ctx: EmulatorContext, relay: RelayRecord, url: URL, detail: string): Promise<never> {
  const m = await challengeMaterials(ctx, relay.claimType, relay.environment, url);
  throw new EmulatorApiError(401, detail, {
    'WWW-Authenticate': `PrivateToken challenge="${m.challenge}", token-key="${m.tokenKey}", token-key-id="${m.tokenKeyId}"`,
  });
}

/**
 * Why a token cannot redeem this relay, checked in the order Persona documents (§4.5): MAC, expiry,
 * origin_info, signature under this relay's claim-type key, then one-time use. Else the nonce to spend.
 */
async function checkToken(ctx: EmulatorContext, relay: RelayRecord, value: string): Promise<{ refusal: string } | { nonce: string }> {
  const refusal = (text: string) => ({ refusal: text });
  const token = parsePersonaToken(value);
  if (!token) return refusal('The Privacy Pass token is not a Persona token (base64url JSON with token_nonce, signature, key_id, challenge).');
  if (!challengeMacValid(ctx.challengeSecret, token.challenge)) return refusal('The challenge MAC of the Privacy Pass token does not verify.');
  const expiresAt = Date.parse(String(token.challenge.expires_at));
  if (!(ctx.now() < expiresAt)) return refusal('The challenge of the Privacy Pass token has expired.');
  if (token.challenge.origin_info !== personaOriginInfo) return refusal('The Privacy Pass token is scoped to another origin.');
  const entry = ctx.keyring.byPersonaKeyId(token.keyId);
  if (entry?.owner.claimType !== relay.claimType || entry.owner.environment !== relay.environment) {
    return refusal("The Privacy Pass token was not issued for this relay's claim type.");
  }
  // The kit's own verifier, so the emulator and the kit cannot drift apart on a byte of the token input.
  const verified = await verifyPersonaToken(value, entry.key.personaTokenKey);
  if (!verified) return refusal('The Privacy Pass token signature does not verify.');
  // Checked after the last await, so two concurrent redemptions cannot both pass it.
  if (ctx.spentNonces.has(verified.tokenNonce)) return refusal('The Privacy Pass token was already spent.');
  return { nonce: verified.tokenNonce };
}

/** POST /api/privacy/v1/relays/{relay-token}/generate-claim (the caller serialises per Idempotency-Key). */
export async function generatePersonaClaim(ctx: EmulatorContext, req: Request, url: URL, relayToken: string): Promise<RouteResult> {
  await readBody(req);
  const secret = req.headers.get('persona-relay-secret');
  const relay = secret === null ? undefined : ctx.relays.getWithSecret(relayToken, secret);
  // The API reference answers 404 for an unknown relay and for a wrong secret alike (§2.4, §10).
  if (!relay) throw new EmulatorApiError(404, 'No relay with this token and secret.');
  const value = privateTokenValue(req.headers.get('authorization'));
  if (value === undefined) return refuse(ctx, relay, url, 'A Privacy Pass token is required.');
  const checked = await checkToken(ctx, relay, value);
  if ('refusal' in checked) return refuse(ctx, relay, url, checked.refusal);
  if (!claimAvailable(relay)) throw new EmulatorApiError(403, 'Claim not yet available: the inquiry is not finished.');
  const { passed, payload } = claimFor(ctx, relay);
  // Spent only on a passing claim; a failing one refunds the pass (token-consumed: false, §5.1).
  if (passed) ctx.spentNonces.add(checked.nonce);
  return { status: 200, body: { 'claim-payload': payload, 'token-consumed': passed }, tokenConsumed: passed };
}
