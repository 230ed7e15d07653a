import type { createIdempotencyStore } from './idempotency.ts';
import type { IssuerKeyring, RelayEnvironment } from './issuerKeyring.ts';
import type { ClaimTypeConfig, EmulatorFaults, EmulatorProtocol } from './options.ts';
import type { createRateLimiter } from './rateLimiter.ts';
import type { RelayRegistry } from './relays.ts';
import type { createRequestLog } from './requestLog.ts';
import type { createSessionTokens } from './sessionToken.ts';

/** Everything one emulator instance keeps; the routes share it and nothing else. */
export interface EmulatorContext {
  protocol: EmulatorProtocol;
  /** The configured API key (the rate-limit bucket of the RFC profile). */
  apiKey: string;
  /** Every accepted Bearer key and the environment it selects. */
  apiKeys: Map<string, RelayEnvironment>;
  /** HMAC key of Persona challenge MACs. */
  challengeSecret: Uint8Array;
  claimTypes: Record<string, ClaimTypeConfig>;
  rateLimit: number;
  environmentId: string;
  organizationId: string;
  basePath: string;
  publicUrl: URL | undefined;
  frameAncestors: string[] | undefined;
  control: boolean;
  random: () => number;
  now: () => number;
  relays: RelayRegistry;
  keyring: IssuerKeyring;
  sessions: ReturnType<typeof createSessionTokens>;
  idempotency: ReturnType<typeof createIdempotencyStore>;
  rateLimiter: ReturnType<typeof createRateLimiter>;
  log: ReturnType<typeof createRequestLog>;
  faults: { current: EmulatorFaults; burstLeft: number };
  /** Hex of every spent token (RFC profile). */
  spentTokens: Set<string>;
  /** `token_nonce` of every spent Persona token: the one-time-use store of PROTOCOL.md §4.5 step 5. */
  spentNonces: Set<string>;
  /** Hex SHA-256 of every challenge handed out, per claim type. */
  issuedChallenges: Map<string, Set<string>>;
}

/** The issuer name in challenges: the emulator's public host, or the host the request reached. */
export function issuerName(ctx: EmulatorContext, requestUrl: URL): string {
  return (ctx.publicUrl ?? requestUrl).host;
}
