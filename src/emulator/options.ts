import type { KeyObject } from 'node:crypto';

/** How one claim type behaves: its label, the methods its inquiry offers, and its issuer key. */
export interface ClaimTypeConfig {
  /** Not shown anywhere: the hosted page labels every claim type as the kit does (`claimLabel`), so page and result agree. */
  label?: string;
  /** The claim payload omits `methodology` (Persona's `hide_methodology`, e.g. France and Italy). */
  hideMethodology?: boolean;
  /** Methods the hosted page offers, first is the default. */
  methods?: string[];
  /** Issuer key size for this type: 2048 (default) to 4096. */
  keyBits?: number;
  /** A ready RSA private key (rsa or rsa-pss), so tests skip key generation. */
  privateKey?: KeyObject;
}

/** A time source in milliseconds since the epoch; inject one to drive expiries from tests. */
export interface EmulatorClock {
  now(): number;
}

/** Faults injected into `/api/v1` answers, as an unreliable network or Persona outage would. */
export interface EmulatorFaults {
  /** Delay before every answer. */
  latencyMs?: number;
  /** Probability (0–1) of answering `status` instead of the real answer. */
  errorRate?: number;
  /** Status for `errorRate` answers; 503 by default. */
  status?: number;
  /** The next N requests get 429 with `Retry-After`. */
  burst429?: number;
  /** Probability (0–1) of reading the request and then cutting the connection. */
  dropRate?: number;
}

/**
 * Which wire the emulator speaks: `persona` is Persona's published protocol (PROTOCOL.md, the paths
 * under `/api/privacy/v1` and `/api/v1/privacy-passes`); `rfc9578` is the RFC wire under `/api/v1`.
 */
export type EmulatorProtocol = 'persona' | 'rfc9578';

/** Options of `createEmulatorHandler` (and `startEmulator`). */
export interface EmulatorOptions {
  /** Wire profile; `persona` by default. */
  protocol?: EmulatorProtocol;
  /** Bearer key the API accepts; `sk_test_emulator` by default. A `persona_sandbox_…` key acts as a sandbox key. */
  apiKey?: string;
  /**
   * A second accepted key for Persona's sandbox environment (`persona` profile): it must start with
   * `persona_sandbox_`; `persona_sandbox_emulator` by default. Sandbox claims always pass, unless the
   * control API finished the inquiry otherwise.
   */
  sandboxApiKey?: string;
  /** HMAC key of Persona challenge MACs (`persona` profile); 32 random bytes per instance by default. */
  challengeSecret?: Uint8Array;
  /** Replaces the default claim types (every type of Persona's schema, in both spellings). */
  claimTypes?: Record<string, ClaimTypeConfig>;
  /** Default issuer key size: 2048 or up to 4096. */
  keyBits?: number;
  clock?: EmulatorClock;
  faults?: EmulatorFaults;
  /** Serve the `/__emulator/` test control routes. */
  control?: boolean;
  /** Mount prefix, e.g. `/persona` when served from another server's origin. */
  basePath?: string;
  /** External URL of the emulator (issuer name and page links); taken from the request when absent. */
  publicUrl?: string;
  /** Origins allowed to frame the hosted page; without it any http://localhost and http://127.0.0.1 port may. */
  frameAncestors?: string[];
  /** Requests per minute per API key; 300 by default. */
  rateLimit?: number;
  environmentId?: string;
  organizationId?: string;
  /** Random source in [0, 1) for fault injection, so tests can pin it. */
  random?: () => number;
}

/** One request as the emulator saw it; secrets are redacted, so tests can prove none leaked. */
export interface EmulatorLogEntry {
  time: number;
  method: string;
  path: string;
  status: number;
  requestId: string;
  headers: Record<string, string>;
  /** Set on generate-claim answers: whether a Privacy Pass token was spent by this request. */
  tokenConsumed?: boolean;
  /** True when an Idempotency-Key replay answered from the stored response. */
  replayed?: boolean;
}

/** How a test finishes an inquiry, as the person would have. */
export interface FinishInquiry {
  status: 'completed' | 'failed' | 'canceled' | 'expired';
  claimResult?: 'passed' | 'failed';
  methodology?: { method: string; result: 'passed' | 'failed' }[];
}

/** Programmatic test control, the same powers as the `/__emulator/` routes. */
export interface EmulatorControl {
  finishInquiry(relayToken: string, outcome: FinishInquiry): void;
  setFaults(faults: EmulatorFaults): void;
  advanceClock(seconds: number): void;
  /** The relay token a session access token stands for (the token itself is opaque); RangeError if expired or invalid. */
  relayTokenOfSession(sessionAccessToken: string): string;
  log(): EmulatorLogEntry[];
  /** Forgets relays, spent tokens, idempotency records, rate counters, faults and the log (keys stay). */
  reset(): void;
}

/** A fetch-style emulator with its control surface. */
export interface EmulatorHandler {
  (req: Request): Promise<Response>;
  control: EmulatorControl;
  close(): void;
}
