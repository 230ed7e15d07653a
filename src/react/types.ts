import type { RelayError } from '../core/errors.ts';
import type { RelayFlowEvent } from '../core/flowState.ts';
import type { MethodologyCalculation, RelayClaim, RelaySessionInfo } from '../core/types.ts';

/** Options of `useRelayClaim`: a `claimType` to create a session, or the app's own `sessionId` + `sessionAccessToken`. */
export type UseRelayClaimOptions = (
  | { claimType: string; sessionId?: undefined; sessionAccessToken?: undefined; expiresAt?: undefined }
  | { claimType?: string; sessionId: string; sessionAccessToken: string; expiresAt: string }
) & {
  /** False keeps the hook idle with no flow at all. Default true. */
  enabled?: boolean;
  /** Start as soon as mounted. Default true; with false, call `start()`. */
  autoStart?: boolean;
  /** Called once per result (passed or failed); the latest function is used. */
  onResult?: (claim: RelayClaim) => void;
  onError?: (error: RelayError) => void;
  /** Lifecycle events for analytics; they carry no token or secret. */
  onEvent?: (event: RelayFlowEvent) => void;
};

/** Spread onto the inquiry `<iframe>`: the hook listens to messages from that frame only. */
export interface RelayInquiryProps {
  src: string;
  title: string;
  allow: 'camera';
  ref: (frame: HTMLIFrameElement | null) => void;
}

/** Public status of the hook: `verifying` covers the flow's redeeming and polling. */
export type UseRelayClaimStatus = UseRelayClaimReturn['status'];

interface Actions {
  start: () => void;
  cancel: () => void;
  retry: () => void;
}

interface Empty {
  session?: undefined;
  claim?: undefined;
  methodology?: undefined;
  error?: undefined;
  inquiryProps?: undefined;
}

/** One member per status, so `Extract<…, { status: 'idle' }>` narrows to a single state. */
type PerStatus<S extends string, Fields> = S extends unknown ? Actions & Fields & { status: S } : never;

/** What `useRelayClaim` returns, discriminated on `status`. */
export type UseRelayClaimReturn =
  | PerStatus<'idle' | 'creating', Empty>
  | PerStatus<'inquiry', Omit<Empty, 'session' | 'inquiryProps'> & { session: RelaySessionInfo; inquiryProps: RelayInquiryProps; tokenReady: boolean }>
  | PerStatus<'verifying', Omit<Empty, 'session'> & { session: RelaySessionInfo }>
  | PerStatus<
      'passed' | 'failed',
      Omit<Empty, 'session' | 'claim' | 'methodology'> & {
        session: RelaySessionInfo;
        claim: RelayClaim;
        /** Undefined when the claim type's configuration hides it. */
        methodology: MethodologyCalculation[] | undefined;
      }
    >
  | PerStatus<'canceled' | 'expired', Omit<Empty, 'session'> & { session: RelaySessionInfo | undefined }>
  | PerStatus<'error', Omit<Empty, 'session' | 'error'> & { session: RelaySessionInfo | undefined; error: RelayError }>;
