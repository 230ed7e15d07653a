import { constants, publicEncrypt, type KeyObject } from 'node:crypto';
import { allMethods } from './claimTypes.ts';
import type { EmulatorContext } from './context.ts';
import { isFinal, type RelayRecord } from './relays.ts';

/** Whether generate-claim can answer yet: the inquiry ended, or the relay is a sandbox one (its claims always pass). */
export function claimAvailable(relay: RelayRecord): boolean {
  return isFinal(relay.status) || relay.environment === 'sandbox';
}

/**
 * The claim of a relay whose claim is available (PROTOCOL.md §5.3): `claim-payload` (RSA-OAEP when the
 * relay has a key) and whether it passed, which decides if the token is spent or refunded.
 */
export function claimFor(ctx: EmulatorContext, relay: RelayRecord): { passed: boolean; payload: string } {
  // Persona's sandbox passes every claim, finished or not (§7); only the control API overrides it here.
  const sandboxPass = relay.environment === 'sandbox' && relay.finishedBy !== 'control';
  const passed = sandboxPass || (relay.status === 'completed' && relay.claimResult === 'passed');
  const config = ctx.claimTypes[relay.claimType] ?? {};
  const payload: Record<string, unknown> = { claim_type: relay.claimType, claim_result: passed ? 'passed' : 'failed' };
  if (!config.hideMethodology) payload.methodology = sandboxPass ? [] : methodologyOf(relay, config.methods, passed);
  const json = JSON.stringify(payload);
  return { passed, payload: relay.encryptionKey ? encrypt(relay.encryptionKey, json) : json };
}

/**
 * The methods that ran: what the person (or the control API) reported, else the type's first method for
 * a finished inquiry. A canceled or expired inquiry ran no method, so it reports none rather than an invented one.
 */
function methodologyOf(relay: RelayRecord, methods: string[] | undefined, passed: boolean) {
  if (relay.status !== 'completed' && relay.status !== 'failed') return [];
  if (relay.methodology) return relay.methodology;
  const method = methods?.[0] ?? allMethods[0] ?? 'facial_age_estimation';
  return [{ method, result: passed ? 'passed' : 'failed' }];
}

/** RSA-OAEP with SHA-256 (and MGF1-SHA-256), base64; the payload JSON is far below the OAEP limit. */
function encrypt(key: KeyObject, json: string): string {
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(json)).toString('base64');
}
