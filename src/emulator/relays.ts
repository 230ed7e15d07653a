import { randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { RelayEnvironment } from './issuerKeyring.ts';
import type { FinishInquiry } from './options.ts';

/** Persona's inquiry statuses that the relay flow goes through. */
export type InquiryStatus = 'created' | 'pending' | 'completed' | 'failed' | 'canceled' | 'expired';

/** Inquiries expire after 24 hours (Persona's lifecycle page). */
export const inquiryLifetimeMs = 24 * 60 * 60 * 1000;

/** One relay and its inquiry. */
export interface RelayRecord {
  relayToken: string;
  relaySecret: string;
  claimType: string;
  encryptionKey: KeyObject | null;
  environment: RelayEnvironment;
  createdAt: number;
  status: InquiryStatus;
  claimResult?: 'passed' | 'failed';
  methodology?: { method: string; result: 'passed' | 'failed' }[];
  /** Who ended the inquiry: the sandbox ignores the page (its claims always pass) but obeys the control API. */
  finishedBy?: 'page' | 'control';
}

/** Whether an inquiry has reached a status the person can no longer change. */
export function isFinal(status: InquiryStatus): boolean {
  return status !== 'created' && status !== 'pending';
}

/** The relays this emulator created, with the 24-hour expiry applied on read. */
export function createRelayRegistry(now: () => number) {
  const relays = new Map<string, RelayRecord>();

  const get = (relayToken: string): RelayRecord | undefined => {
    const relay = relays.get(relayToken);
    if (relay && !isFinal(relay.status) && now() - relay.createdAt >= inquiryLifetimeMs) relay.status = 'expired';
    return relay;
  };

  return {
    create(claimType: string, encryptionKey: KeyObject | null, environment: RelayEnvironment = 'production'): RelayRecord {
      const relay: RelayRecord = {
        relayToken: `rly_${randomBytes(12).toString('base64url')}`,
        relaySecret: `rls_${randomBytes(24).toString('base64url')}`,
        claimType,
        encryptionKey,
        environment,
        createdAt: now(),
        status: 'created',
      };
      relays.set(relay.relayToken, relay);
      return relay;
    },
    get,
    /** The relay when `secret` is its secret; compared in constant time. */
    getWithSecret(relayToken: string, secret: string): RelayRecord | undefined {
      const relay = get(relayToken);
      if (!relay) return undefined;
      const a = Buffer.from(relay.relaySecret);
      const b = Buffer.from(secret);
      return a.length === b.length && timingSafeEqual(a, b) ? relay : undefined;
    },
    /** The page was opened: created → pending. */
    start(relay: RelayRecord): void {
      if (relay.status === 'created') relay.status = 'pending';
    },
    /** Ends an inquiry; a final inquiry stays as it is, so a late click changes nothing. */
    finish(relay: RelayRecord, outcome: FinishInquiry, by: 'page' | 'control'): boolean {
      if (isFinal(relay.status)) return false;
      relay.status = outcome.status;
      relay.finishedBy = by;
      if (outcome.status === 'completed' || outcome.status === 'failed') {
        relay.claimResult = outcome.claimResult ?? (outcome.status === 'completed' ? 'passed' : 'failed');
        if (outcome.methodology) relay.methodology = outcome.methodology;
      }
      return true;
    },
    reset(): void {
      relays.clear();
    },
  };
}

/** The registry's shape, for the routes that use it. */
export type RelayRegistry = ReturnType<typeof createRelayRegistry>;
