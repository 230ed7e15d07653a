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

/** Backend session states returned by `GET {base}/sessions/:id`. */
export type RelaySessionStatus =
  | 'inquiry'
  | 'redeeming'
  | 'needs-token'
  | 'passed'
  | 'failed'
  | 'expired'
  | 'error';

/** Body of `GET {base}/sessions/:id`. */
export interface RelaySessionState {
  status: RelaySessionStatus;
  claim?: RelayClaim;
  error?: { status: number; title: string; detail?: string; requestId?: string };
  /** A hint from the backend: poll again no sooner than this many milliseconds. */
  pollAfterMs?: number;
}

/** Messages the hosted inquiry page posts to the embedding window. */
export type InquiryEvent =
  | { type: 'relay:ready' }
  | { type: 'relay:complete'; status?: string }
  | { type: 'relay:cancel' }
  | { type: 'relay:error'; message?: string }
  | { type: 'relay:expire' };
