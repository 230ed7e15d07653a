/** One verification method and its outcome, as Persona reports it; unknown methods pass through. */
export interface MethodologyCalculation {
  method: string;
  result: 'passed' | 'failed';
}

/** A parsed claim: what the app learns. `methodology` is absent when the claim config hides it. */
export interface RelayClaim {
  /** As Persona spelled it on the wire. */
  claimType: string;
  claimResult: 'passed' | 'failed';
  methodology?: MethodologyCalculation[];
}

/** What the browser holds of a session: never the relay token or secret. */
export interface RelaySessionInfo {
  sessionId: string;
  sessionAccessToken: string;
  /** ISO 8601. */
  expiresAt: string;
}

/**
 * Backend session states returned by `GET {base}/sessions/:id`. `needs-token`: Persona refused the
 * token (e.g. spent) and a new one is wanted; `canceled`: the person gave up (`POST …/cancel`).
 */
export type RelaySessionStatus = 'inquiry' | 'redeeming' | 'needs-token' | 'passed' | 'failed' | 'canceled' | 'expired' | 'error';

/** The session statuses, in the order of a verification. */
export const relaySessionStatuses: readonly RelaySessionStatus[] = Object.freeze([
  'inquiry',
  'redeeming',
  'needs-token',
  'passed',
  'failed',
  'canceled',
  'expired',
  'error',
] as const);

/** Why a session ended in `error`, with the upstream Request-Id to quote to support. */
export interface RelaySessionError {
  status: number;
  title: string;
  detail?: string;
  requestId?: string;
}

/** Body of `GET {base}/sessions/:id`. */
export interface RelaySessionState {
  status: RelaySessionStatus;
  claim?: RelayClaim;
  error?: RelaySessionError;
  /** A hint from the backend: poll again no sooner than this many milliseconds. */
  pollAfterMs?: number;
}

/** Which Privacy Pass wire profile a challenge belongs to (DESIGN.md "Two wire profiles"). */
export type TokenProtocol = 'persona' | 'rfc9578';

/** Privacy Pass materials for a session, exactly as Persona gave them, and the profile they follow. */
export interface ChallengeMaterials {
  protocol: TokenProtocol;
  /** persona: base64url JSON challenge; rfc9578: base64url TokenChallenge (RFC 9577 §2.1). */
  challenge: string;
  /** base64url SPKI. */
  tokenKey: string;
  /** The key's id as Persona gave it (hex SHA-256 of the SPKI). */
  tokenKeyId: string;
}

/** Body of `POST {base}/sessions`. */
export interface CreateSessionBody {
  claimType: string;
}

/** Body of `POST {base}/sessions/:id/issue`: persona's blinded token or RFC 9578's TokenRequest, base64url. */
export interface IssueBody {
  tokenRequest: string;
}

/** Answer of `POST {base}/sessions/:id/issue`: persona's blind signature or RFC 9578's TokenResponse, base64url. */
export interface IssueAnswer {
  tokenResponse: string;
}

/** Body of `POST {base}/sessions/:id/token`: the finished token (persona's PrivateToken value, or base64url Token). */
export interface TokenBody {
  token: string;
}

/** Body of `POST {base}/sessions/:id/redeem`; without a token the server uses the one it was handed. */
export interface RedeemBody {
  token?: string;
}

/**
 * Answer of `POST {base}/sessions/:id/redeem` (202): the session's state as `GET {base}/sessions/:id`
 * answers it. A redeem that settled while the server held the answer carries its claim, so the browser
 * shows the result without a poll; one still `redeeming` is polled.
 */
export type RedeemAnswer = RelaySessionState;
