import type { KeyObject } from 'node:crypto';
import type { RelayClaim } from '../wire/types.ts';
import { upstreamDetail, type PersonaAnswer, type PersonaConfig } from './persona.ts';
import type { BindingCookieOptions, RelayAuthorize } from './binding.ts';
import type { CreateRateLimiter } from './rateLimit.ts';
import type { RetryPolicy } from './retry.ts';
import type { RelayStore, SessionRecord } from './store.ts';

/** Where the handler may write what went wrong; it never passes a secret, a token or a payload. */
export interface RelayLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** What the app's server knows about a session: no relay token, no secret. */
export interface RelaySessionView {
  sessionId: string;
  /** Whom the session was made for: `authorize`'s subject, or `browser:<hash>` for a cookie-bound browser. */
  subject: string;
  claimType: string;
  status: SessionRecord['status'];
  claim?: RelayClaim;
  error?: SessionRecord['error'];
  /** Persona's Request-Id of the generate-claim call that gave the claim: what to quote to Persona's support. */
  requestId?: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** What the handler's modules share; built once by `createRelayHandler`. */
export interface HandlerContext {
  store: RelayStore;
  now: () => number;
  policy: RetryPolicy;
  persona: PersonaConfig;
  logger?: RelayLogger;
  /** The public half of `encryptionKey`, sent at relay creation (null: plaintext payloads). */
  publicPem: string | null;
  privateKey?: KeyObject;
  maxIssuances: number;
  redeemWaitMs: number;
  /** The claim types this request may ask for (`claimTypes`). */
  claimTypesFor(request: Request, subject: string): Promise<readonly string[]>;
  authorize?: RelayAuthorize;
  bindingCookie?: BindingCookieOptions;
  /** Counts session creations; absent when `rateLimit: false`. */
  limiter?: CreateRateLimiter;
  clientAddress?: (request: Request) => string | undefined;
  allowedOrigins: readonly string[];
  /** TTL of a session whose inquiry never started (no challenge asked yet). */
  unstartedTtlMs: number;
  onClaim?: (session: RelaySessionView, claim: RelayClaim) => void | Promise<void>;
}

/** Persona's own words about a refusal go to the server log only (never to the browser), secrets redacted. */
export function logUpstream(ctx: HandlerContext, message: string, answer: PersonaAnswer, meta: Record<string, unknown> = {}, secrets: readonly string[] = []): void {
  ctx.logger?.warn(message, { ...meta, status: answer.status, requestId: answer.requestId, detail: upstreamDetail(answer, [ctx.persona.apiKey, ...secrets]) });
}
